/* fuzz_snap.c - checkpoint state from arbitrary bytes: the container
 * decoder, then the body (or the bytes themselves when they are no
 * container) read as weir-agg's and weir-window's snapshots, laid out as
 * the programs write them (the stage's fields, the program's, the
 * library's).  Loading must fail cleanly or give a state that saves and
 * loads again to the same state, and closes without harm, every result
 * well-formed. */
#include "agg.h"
#include "pack.h"
#include "snap.h"
#include "window.h"

#include "agg_fuzz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* As in tests/bats/ckpt-window-agg.bats, whose runs wrote the seeds. */
static const char *const funcs[] = {
	"count", "sum:.amount", "avg:.amount", "min:.amount", "max:.amount",
	"first:.user", "last:.user", "distinct:.user", "approx_distinct:.user",
	"p50:.amount", "p99.9:.amount", "topk:3:.user", "stddev:.amount",
	"min:.page",
};

static int
check_win(void *arg, const weir_record *r)
{
	weir_buf *t = arg;
	weir_fenc enc;

	if (!(r->flags & WEIR_R_WINDOW) || r->ts < r->win_start ||
	    r->ts >= r->win_end)
		__builtin_trap();
	memset(&enc, 0, sizeof(enc));
	t->len = 0;
	if (weir_frame_put_record(&enc, t, r) < 0)
		__builtin_trap();
	return 0;
}

/* The stage's own fields (weir_stage_save), then n program fields. */
static void
skip_fields(weir_rd *rd, int n)
{
	weir_rd_i64(rd);
	weir_rd_u64(rd);
	weir_rd_u64(rd);
	while (n-- > 0)
		weir_rd_u64(rd);
}

/* What a loaded state saves, loaded again, saves as the same bytes (the
 * first save may differ from the input: varints need not be minimal). */
static void
same(const weir_buf *a, const weir_buf *b)
{
	if (a->len != b->len || (a->len && memcmp(a->p, b->p, a->len)))
		__builtin_trap();
}

static void
agg(const uint8_t *body, size_t n, const char *groups)
{
	size_t nf = sizeof(funcs) / sizeof(funcs[0]);
	weir_agg *a = agg_setup(groups, funcs, nf), *b;
	weir_buf t = {0}, s1 = {0}, s2 = {0};
	char err[WEIR_ERRSZ];
	weir_rd rd;

	weir_rd_init(&rd, body, n);
	skip_fields(&rd, 1);
	if (!rd.bad && weir_agg_load(a, &rd, err, sizeof(err)) == 0) {
		b = agg_setup(groups, funcs, nf);
		if (weir_agg_save(a, &s1) < 0)
			__builtin_trap();
		weir_rd_init(&rd, s1.p, s1.len);
		if (weir_agg_load(b, &rd, err, sizeof(err)) < 0 ||
		    weir_rd_done(&rd, "agg", err, sizeof(err)) < 0 ||
		    weir_agg_save(b, &s2) < 0)
			__builtin_trap();
		same(&s1, &s2);
		weir_agg_free(b);
		weir_agg_snapshot(a, check_result, &t);
		weir_agg_close(a, 0, 1, check_result, &t);
		weir_agg_close_all(a, 1, check_result, &t);
	}
	weir_agg_free(a);
	weir_buf_free(&t);
	weir_buf_free(&s1);
	weir_buf_free(&s2);
}

static void
sessions(const uint8_t *body, size_t n)
{
	weir_window_sessions *s = weir_window_sessions_new(300), *s2;
	weir_buf t = {0}, b1 = {0}, b2 = {0};
	char err[WEIR_ERRSZ];
	weir_rd rd;

	weir_rd_init(&rd, body, n);
	skip_fields(&rd, 4);
	if (!rd.bad && weir_window_sessions_load(s, &rd, err,
	    sizeof(err)) == 0) {
		s2 = weir_window_sessions_new(300);
		if (weir_window_sessions_save(s, &b1) < 0)
			__builtin_trap();
		weir_rd_init(&rd, b1.p, b1.len);
		if (weir_window_sessions_load(s2, &rd, err, sizeof(err)) < 0 ||
		    weir_rd_done(&rd, "sessions", err, sizeof(err)) < 0 ||
		    weir_window_sessions_save(s2, &b2) < 0)
			__builtin_trap();
		same(&b1, &b2);
		weir_window_sessions_free(s2);
		if (weir_window_sessions_close(s, 1700000000000, check_win, &t,
		    err, sizeof(err)) < 0 ||
		    weir_window_sessions_close(s, INT64_MAX, check_win, &t, err,
		    sizeof(err)) < 0 || weir_window_sessions_open(s) ||
		    weir_window_sessions_records(s))
			__builtin_trap();
	}
	weir_window_sessions_free(s);
	weir_buf_free(&t);
	weir_buf_free(&b1);
	weir_buf_free(&b2);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const uint8_t *body = data;
	size_t n = size;
	uint64_t id;
	char err[WEIR_ERRSZ];

	if (weir_snap_decode(data, size, NULL, 0, &id, &body, &n, err,
	    sizeof(err)) < 0) {
		body = data;	/* not a container: the bytes as a body */
		n = size;
	}
	agg(body, n, ".page");
	agg(body, n, NULL);
	sessions(body, n);
	return 0;
}
