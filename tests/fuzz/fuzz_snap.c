/* fuzz_snap.c - checkpoint state from arbitrary bytes: the container
 * decoder, then the body (or the bytes themselves when they are no
 * container) read as weir-agg's and weir-window's snapshots, laid out as
 * the programs write them (the stage's fields, the program's, the
 * library's).  Loading must fail cleanly or give a state that saves back
 * to the same bytes and closes without harm, every result well-formed. */
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

/* A loaded state saves back to exactly the bytes it came from. */
static void
same(const uint8_t *from, const uint8_t *to, const weir_buf *again)
{
	if (again->len != (size_t)(to - from) ||
	    (again->len && memcmp(again->p, from, again->len)))
		__builtin_trap();
}

static void
agg(const uint8_t *body, size_t n, const char *groups)
{
	weir_agg *a = agg_setup(groups, funcs,
	    sizeof(funcs) / sizeof(funcs[0]));
	weir_buf t = {0}, again = {0};
	char err[WEIR_ERRSZ];
	const uint8_t *from;
	weir_rd rd;
	weir_rd_init(&rd, body, n);
	skip_fields(&rd, 1);
	from = rd.p;
	if (!rd.bad && weir_agg_load(a, &rd, err, sizeof(err)) == 0) {
		if (weir_agg_save(a, &again) < 0)
			__builtin_trap();
		same(from, rd.p, &again);
		weir_agg_snapshot(a, check_result, &t);
		weir_agg_close(a, 0, 1, check_result, &t);
		weir_agg_close_all(a, 1, check_result, &t);
	}
	weir_agg_free(a);
	weir_buf_free(&t);
	weir_buf_free(&again);
}

static void
sessions(const uint8_t *body, size_t n)
{
	weir_window_sessions *s = weir_window_sessions_new(300);
	weir_buf t = {0}, again = {0};
	char err[WEIR_ERRSZ];
	const uint8_t *from;
	weir_rd rd;

	weir_rd_init(&rd, body, n);
	skip_fields(&rd, 4);
	from = rd.p;
	if (!rd.bad && weir_window_sessions_load(s, &rd, err,
	    sizeof(err)) == 0) {
		if (weir_window_sessions_save(s, &again) < 0)
			__builtin_trap();
		same(from, rd.p, &again);
		if (weir_window_sessions_close(s, 1700000000000, check_win, &t,
		    err, sizeof(err)) < 0 ||
		    weir_window_sessions_close(s, INT64_MAX, check_win, &t, err,
		    sizeof(err)) < 0 || weir_window_sessions_open(s) ||
		    weir_window_sessions_records(s))
			__builtin_trap();
	}
	weir_window_sessions_free(s);
	weir_buf_free(&t);
	weir_buf_free(&again);
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
