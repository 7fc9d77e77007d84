/* test_agg.c - DDSketch accuracy and merging; weir_agg parsing, naming,
 * windows and results. */
#include <math.h>
#include <stdlib.h>

#include "agg.h"
#include "agg_test.h"
#include "ddsketch.h"
#include "pack.h"
#include "record.h"
#include "unit.h"
#include "window.h"

static int
dcmp(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

static uint64_t rng = 88172645463325252ULL;

static double
urand(void)
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return (double)(rng >> 11) / 9007199254740992.0;
}

static const double qs[] = { 0, 0.001, 0.01, 0.1, 0.25, 0.5, 0.75, 0.9,
    0.99, 0.999, 1 };

/* Every quantile of v[0..n) from d is within 1% of the exact one. */
static int
accurate(const weir_dds *d, double *v, size_t n)
{
	size_t i;
	int ok = 1;

	qsort(v, n, sizeof(*v), dcmp);
	for (i = 0; i < sizeof(qs) / sizeof(qs[0]); i++) {
		double want = v[weir_dds_rank(qs[i], n) - 1];
		double got = weir_dds_quantile(d, qs[i]);
		if (!(fabs(got - want) <= WEIR_DDS_ALPHA * fabs(want) + 1e-300)) {
			printf("# q=%g got %.17g want %.17g\n", qs[i], got, want);
			ok = 0;
		}
	}
	return ok;
}

static void
test_dds(void)
{
	enum { N = 200000 };
	double *v = malloc(N * sizeof(*v));
	weir_dds a, b, all;
	size_t i;

	/* uniform amounts, lognormal-ish latencies, mixed signs and zeros */
	for (int kind = 0; kind < 3; kind++) {
		weir_dds_init(&all);
		for (i = 0; i < N; i++) {
			double x = kind == 0 ? urand() * 100 :
			    kind == 1 ? exp(urand() * 20 - 5) :
			    (urand() < 0.1 ? 0 : (urand() - 0.5) * 1e6);
			v[i] = x;
			weir_dds_add(&all, x);
		}
		CHECK(all.count == N);
		CHECK(accurate(&all, v, N));
		weir_dds_free(&all);
	}
	/* merge: two halves merged answer like one sketch of everything */
	weir_dds_init(&a);
	weir_dds_init(&b);
	weir_dds_init(&all);
	for (i = 0; i < N; i++) {
		v[i] = exp(urand() * 10);
		weir_dds_add(i % 2 ? &a : &b, v[i]);
		weir_dds_add(&all, v[i]);
	}
	CHECK(weir_dds_merge(&a, &b) == 0);
	CHECK(a.count == N);
	for (i = 0; i < sizeof(qs) / sizeof(qs[0]); i++)
		CHECK(weir_dds_quantile(&a, qs[i]) ==
		    weir_dds_quantile(&all, qs[i]));
	CHECK(accurate(&a, v, N));
	/* an empty sketch, NaN ignored, one value */
	weir_dds_free(&b);
	CHECK(isnan(weir_dds_quantile(&b, 0.5)));
	weir_dds_add(&b, NAN);
	CHECK(b.count == 0);
	weir_dds_add(&b, 42.5);
	CHECK(weir_dds_quantile(&b, 0.99) == 42.5);
	/* 40 orders of magnitude: the low buckets collapse (2048 cover 17.8
	 * orders), the upper quartile stays within 1% */
	weir_dds_free(&all);
	for (i = 0; i < N; i++) {
		v[i] = pow(10, urand() * 40 - 20);
		weir_dds_add(&all, v[i]);
	}
	CHECK(all.pos.n <= WEIR_DDS_MAX_BINS);
	qsort(v, N, sizeof(*v), dcmp);
	for (i = 6; i < sizeof(qs) / sizeof(qs[0]); i++) {
		double want = v[weir_dds_rank(qs[i], N) - 1];
		CHECK(fabs(weir_dds_quantile(&all, qs[i]) - want) <=
		    0.01 * want);
	}
	weir_dds_free(&a);
	weir_dds_free(&b);
	weir_dds_free(&all);
	free(v);
}

static weir_buf got;

static int
collect(void *arg, const weir_record *r)
{
	weir_pv v;

	(void)arg;
	weir_pv_of(r->value, r->value_len, &v);
	weir_pv_to_json(&got, &v);
	if (r->flags & WEIR_R_KEY) {
		weir_buf_puts(&got, " key=");
		weir_buf_put(&got, r->key, r->key_len);
	}
	if (r->flags & WEIR_R_TS)
		weir_buf_printf(&got, " ts=%lld", (long long)r->ts);
	weir_buf_putc(&got, '\n');
	return 0;
}

static const char *
text(void)
{
	weir_buf_putc(&got, 0);
	got.len--;
	return (const char *)got.p;
}

/* Add a JSON record, windowed when e > s. */
static int
add(weir_agg *a, const char *json, int64_t s, int64_t e)
{
	return agg_test_add(a, json, NULL, -1, s, e);
}

static void
test_parse(void)
{
	weir_agg *a = weir_agg_new();
	char err[WEIR_ERRSZ];

	CHECK(weir_agg_add_func(a, "nope:.x", err, sizeof(err)) < 0);
	CHECK(strstr(err, "unknown function 'nope'") != NULL);
	CHECK(weir_agg_add_func(a, "sum", err, sizeof(err)) < 0);
	CHECK(weir_agg_add_func(a, "count:.x", err, sizeof(err)) < 0);
	CHECK(weir_agg_add_func(a, "topk:.x", err, sizeof(err)) < 0);
	CHECK(weir_agg_add_func(a, "topk:0:.x", err, sizeof(err)) < 0);
	CHECK(weir_agg_add_func(a, "p101:.x", err, sizeof(err)) < 0);
	CHECK(weir_agg_add_func(a, "b@d=count", err, sizeof(err)) < 0);
	CHECK(weir_agg_add_func(a, "sum:.a[", err, sizeof(err)) < 0);
	CHECK(weir_agg_add_func(a, "p99.9:.a.lat", err, sizeof(err)) == 0);
	CHECK(weir_agg_add_func(a, "n=count", err, sizeof(err)) == 0);
	CHECK(weir_agg_add_groups(a, "g=.k,.a.lat", err, sizeof(err)) == 0);
	/* ".a.lat" as a group is named "lat": no clash with p99_9_lat */
	CHECK(weir_agg_ready(a, err, sizeof(err)) == 0);
	weir_agg_free(a);

	a = weir_agg_new();
	CHECK(weir_agg_add_func(a, "sum:.x", err, sizeof(err)) == 0);
	CHECK(weir_agg_add_func(a, "sum:.y.x", err, sizeof(err)) == 0);
	CHECK(weir_agg_ready(a, err, sizeof(err)) < 0);
	CHECK(strstr(err, "'sum_x'") != NULL);
	weir_agg_free(a);
}

static void
test_windows(void)
{
	weir_agg *a = weir_agg_new();
	char err[WEIR_ERRSZ];

	CHECK(weir_agg_add_groups(a, ".u", err, sizeof(err)) == 0);
	CHECK(weir_agg_add_func(a, "count", err, sizeof(err)) == 0);
	CHECK(weir_agg_add_func(a, "sum:.x", err, sizeof(err)) == 0);
	CHECK(weir_agg_add_func(a, "avg:.x", err, sizeof(err)) == 0);
	CHECK(weir_agg_add_func(a, "stddev:.x", err, sizeof(err)) == 0);
	CHECK(weir_agg_add_func(a, "distinct:.x", err, sizeof(err)) == 0);
	CHECK(weir_agg_ready(a, err, sizeof(err)) == 0);
	CHECK(add(a, "{\"u\":\"a\",\"x\":1}", 0, 10) == 0);
	CHECK(add(a, "{\"u\":\"b\",\"x\":\"2.5\"}", 0, 10) == 0);
	CHECK(add(a, "{\"u\":\"a\",\"x\":1.0}", 0, 10) == 0);
	CHECK(add(a, "{\"u\":\"a\",\"x\":4}", 10, 20) == 0);
	CHECK(add(a, "{\"u\":\"a\"}", -10, 0) == 0);
	CHECK(weir_agg_open_windows(a) == 3);
	CHECK(weir_agg_open_groups(a) == 4);
	/* nothing ends at or before -1 except [-10,0) does not either */
	CHECK(weir_agg_close(a, -1, 1, collect, NULL) == 0);
	CHECK(got.len == 0);
	CHECK(weir_agg_close(a, 10, 1, collect, NULL) == 0);
	CHECK_STR(text(),
	    "{\"window_start\":-10,\"window_end\":0,\"u\":\"a\",\"count\":1,"
	    "\"sum_x\":null,\"avg_x\":null,\"stddev_x\":null,\"distinct_x\":0}"
	    " key=a ts=-1\n"
	    "{\"window_start\":0,\"window_end\":10,\"u\":\"a\",\"count\":2,"
	    "\"sum_x\":2.0,\"avg_x\":1,\"stddev_x\":0,\"distinct_x\":1}"
	    " key=a ts=9\n"
	    "{\"window_start\":0,\"window_end\":10,\"u\":\"b\",\"count\":1,"
	    "\"sum_x\":2.5,\"avg_x\":2.5,\"stddev_x\":null,\"distinct_x\":1}"
	    " key=b ts=9\n");
	CHECK(weir_agg_open_windows(a) == 1);
	CHECK(weir_agg_open_groups(a) == 1);
	/* a record for a closed window is late; an open one still counts */
	CHECK(add(a, "{\"u\":\"a\",\"x\":1}", 0, 10) == 1);
	CHECK(add(a, "{\"u\":\"a\",\"x\":1}", 5, 15) == 0);
	got.len = 0;
	CHECK(weir_agg_close_all(a, 1, collect, NULL) == 0);
	CHECK_STR(text(),
	    "{\"window_start\":5,\"window_end\":15,\"u\":\"a\",\"count\":1,"
	    "\"sum_x\":1,\"avg_x\":1,\"stddev_x\":null,\"distinct_x\":1}"
	    " key=a ts=14\n"
	    "{\"window_start\":10,\"window_end\":20,\"u\":\"a\",\"count\":1,"
	    "\"sum_x\":4,\"avg_x\":4,\"stddev_x\":null,\"distinct_x\":1}"
	    " key=a ts=19\n");
	CHECK(weir_agg_open_groups(a) == 0);
	weir_agg_free(a);

	/* composite groups: the key is the JSON array of the values */
	a = weir_agg_new();
	CHECK(weir_agg_add_groups(a, ".u,.p", err, sizeof(err)) == 0);
	CHECK(weir_agg_add_func(a, "first:.x", err, sizeof(err)) == 0);
	CHECK(weir_agg_add_func(a, "last:.x", err, sizeof(err)) == 0);
	CHECK(weir_agg_ready(a, err, sizeof(err)) == 0);
	CHECK(add(a, "{\"u\":\"a\",\"p\":3,\"x\":[1]}", 0, 0) == 0);
	CHECK(add(a, "{\"u\":\"a\",\"p\":3,\"x\":{\"y\":2}}", 0, 0) == 0);
	CHECK(add(a, "{\"u\":\"a\"}", 0, 0) == 0);
	got.len = 0;
	CHECK(weir_agg_close_all(a, 1, collect, NULL) == 0);
	/* in the order of the values: null before 3 */
	CHECK_STR(text(),
	    "{\"u\":\"a\",\"p\":null,\"first_x\":null,\"last_x\":null}"
	    " key=[\"a\",null]\n"
	    "{\"u\":\"a\",\"p\":3,\"first_x\":[1],\"last_x\":{\"y\":2}}"
	    " key=[\"a\",3]\n");
	weir_agg_free(a);
	weir_buf_free(&got);
}

static int64_t
approx(int n)
{
	weir_agg *a = weir_agg_new();
	char err[WEIR_ERRSZ], js[64];
	int i;
	weir_pv v, f;

	weir_agg_add_func(a, "approx_distinct:.x", err, sizeof(err));
	weir_agg_ready(a, err, sizeof(err));
	for (i = 0; i < 2 * n; i++) {	/* every value twice */
		snprintf(js, sizeof(js), "{\"x\":\"v%d\"}", i % n);
		add(a, js, 0, 0);
	}
	got.len = 0;
	weir_agg_close_all(a, 1, collect, NULL);
	weir_agg_free(a);
	/* the first record of got: {"approx_distinct_x":N} */
	weir_buf p = {0};
	weir_pack_json(&p, got.p, (size_t)(memchr(got.p, '\n', got.len) -
	    (void *)got.p), err, sizeof(err));
	weir_pv_of(p.p, p.len, &v);
	weir_pv_member(&v, "approx_distinct_x", 17, &f);
	weir_buf_free(&p);
	return f.i;
}

static void
test_approx_distinct(void)
{
	int64_t n;

	/* exact while small, HyperLogLog (within 2%) beyond */
	CHECK(approx(1) == 1);
	CHECK(approx(32) == 32);
	n = approx(33);
	CHECK(n >= 32 && n <= 34);
	n = approx(20000);
	CHECK(n > 19600 && n < 20400);
	weir_buf_free(&got);
}


/*
 * Checkpoints: a run that saves its aggregator at event k, throws it away
 * and goes on with a new one loaded from the snapshot must emit the same
 * bytes as a run without the interruption.
 */
struct ckrun {
	const char *groups;	/* NULL: by record key */
	const char *const *funcs;
	const char *win[3];	/* window spec words; win[0] NULL: none */
	int updates, every;
};

static const char *const all_funcs[] = {
	"count", "sum:.x", "avg:.x", "min:.x", "max:.x", "first:.x", "last:.y",
	"distinct:.x", "approx_distinct:.y", "p50:.x", "p99.9:.x",
	"topk:3:.y", "stddev:.x", "min:.y", "max:.y", "sum:.d", "avg:.d",
	"distinct:.y", "max_by:.x", "min_by:.d", "top:3:.x", "t2=top:2:.x",
	NULL
};

static weir_agg *
ck_new(const struct ckrun *c)
{
	weir_agg *a = weir_agg_new();
	char err[WEIR_ERRSZ];
	size_t i;

	if (c->groups && weir_agg_add_groups(a, c->groups, err,
	    sizeof(err)) < 0)
		abort();
	for (i = 0; c->funcs[i]; i++)
		if (weir_agg_add_func(a, c->funcs[i], err, sizeof(err)) < 0) {
			fprintf(stderr, "%s\n", err);
			abort();
		}
	if (weir_agg_ready(a, err, sizeof(err)) < 0) {
		fprintf(stderr, "%s\n", err);
		abort();
	}
	return a;
}

static weir_fenc ck_enc;

static int
ck_emit(void *arg, const weir_record *r)
{
	return weir_frame_put_record(&ck_enc, arg, r);
}

/* Event i of a deterministic stream: a record (with its event time) or,
 * every so often, a watermark. */
static unsigned long long ck_rng;

static uint64_t
ck_next(void)
{
	return unit_xorshift(&ck_rng);
}

static const char *
ck_json(char *buf, size_t n, int i)
{
	static const char *const xs[] = { "1", "2.5", "-3", "0.125", "1e300",
	    "\"7\"", "null", "\"abc\"", "[1,2]", "{\"q\":1}", "-0.0", "12",
	    "1.0", "4.25" };
	static const char *const ys[] = { "\"a\"", "\"b\"", "\"c\\n\"", "1",
	    "1.0", "true", "\"zz\"", "\"\"", "null" };
	uint64_t r = ck_next();
	int nx = sizeof(xs) / sizeof(xs[0]), ny = sizeof(ys) / sizeof(ys[0]);

	if (r % 5 == 0)		/* many distinct values: HyperLogLog */
		snprintf(buf, n, "{\"u\":\"g%d\",\"v\":%d,\"x\":%d,\"y\":\"v%d"
		    "\",\"d\":%d.%02d}", (int)((r >> 8) % 3), (int)((r >> 16) % 2),
		    i, i, (int)((r >> 20) % 100), (int)((r >> 30) % 100));
	else
		snprintf(buf, n, "{\"u\":\"g%d\",\"v\":%d,\"x\":%s,\"y\":%s,"
		    "\"d\":%d}", (int)((r >> 8) % 3), (int)((r >> 16) % 2),
		    xs[(r >> 24) % nx], ys[(r >> 32) % ny], (int)((r >> 40) % 50));
	return buf;
}

/* Run n events; at event k (k < 0: never) save, reload into a new
 * aggregator and check that saving that one gives the same bytes. */
static int
ck_run(const struct ckrun *c, int n, int k, weir_buf *out)
{
	weir_agg *a = ck_new(c);
	weir_window_spec w;
	weir_buf b = {0}, snap = {0}, snap2 = {0};
	char err[WEIR_ERRSZ], js[256];
	int i, ok = 1, nw = c->win[2] ? 3 : 2;
	int64_t ts = 1000, maxts = 0;
	weir_agg_ref ref;
	weir_record r;
	weir_rd rd;

	if (c->win[0] && weir_window_parse(&w, (char *const *)c->win, nw, 0,
	    err, sizeof(err)) < 0) {
		fprintf(stderr, "%s\n", err);
		abort();
	}
	memset(&ck_enc, 0, sizeof(ck_enc));
	ck_rng = 0x9e3779b97f4a7c15ULL;
	out->len = 0;
	for (i = 0; i < n; i++) {
		if (i == k) {
			snap.len = snap2.len = 0;
			ok &= weir_agg_save(a, &snap) == 0;
			weir_agg_free(a);
			a = ck_new(c);
			weir_rd_init(&rd, snap.p, snap.len);
			ok &= weir_agg_load(a, &rd, err, sizeof(err)) == 0;
			ok &= weir_rd_done(&rd, "agg", err, sizeof(err)) == 0;
			ok &= weir_agg_save(a, &snap2) == 0;
			ok &= snap.len == snap2.len &&
			    !memcmp(snap.p, snap2.p, snap.len);
		}
		if (i % 7 == 6) {	/* watermark: 3 behind */
			weir_agg_close(a, maxts - 3, !c->updates, ck_emit, out);
			continue;
		}
		if (c->every && i % 4 == 3)
			weir_agg_snapshot(a, ck_emit, out);
		ts += (int64_t)(ck_next() % 5) - 1;	/* some disorder */
		if (ts > maxts)
			maxts = ts;
		b.len = 0;
		memset(&r, 0, sizeof(r));
		ck_json(js, sizeof(js), i);
		if (weir_pack_json(&b, (const uint8_t *)js, strlen(js), err,
		    sizeof(err)) < 0) {
			fprintf(stderr, "%s: %s\n", js, err);
			abort();
		}
		weir_record_set_packed(&r, &b);
		r.flags |= WEIR_R_TS | (i % 3 ? WEIR_R_KEY : 0);
		r.ts = ts;
		r.key = (const uint8_t *)(i % 2 ? "k1" : "k\0002");
		r.key_len = 3 - (size_t)(i % 2);
		if (c->win[0]) {
			weir_window_iter it;
			int64_t s, e;
			weir_window_iter_init(&it, &w, ts, err, sizeof(err));
			while (weir_window_iter_next(&it, &s, &e)) {
				r.flags |= WEIR_R_WINDOW;
				r.win_start = s;
				r.win_end = e;
				if (weir_agg_add(a, &r, &ref, err,
				    sizeof(err)) == 0 && c->updates)
					weir_agg_emit_group(a, &ref, ck_emit, out);
			}
		} else if (weir_agg_add(a, &r, &ref, err,
		    sizeof(err)) == 0 && c->updates)
			weir_agg_emit_group(a, &ref, ck_emit, out);
	}
	weir_agg_close(a, INT64_MAX, !c->updates, ck_emit, out);
	if (c->every)
		weir_agg_snapshot(a, ck_emit, out);
	weir_agg_close_all(a, !c->updates && !c->every, ck_emit, out);
	weir_agg_free(a);
	weir_buf_free(&b);
	weir_buf_free(&snap);
	weir_buf_free(&snap2);
	return ok;
}

static void
test_checkpoint(void)
{
	static const char *const few[] = { "n=count", "sum:.x", NULL };
	const struct ckrun runs[] = {
		{ ".u", all_funcs, { "tumbling", "20ms", NULL }, 0, 0 },
		{ ".u,.v", all_funcs, { "hopping", "30ms", "10ms" }, 1, 0 },
		{ NULL, all_funcs, { "tumbling", "15ms", NULL }, 0, 1 },
		{ ".v", all_funcs, { NULL }, 0, 1 },
		{ NULL, few, { NULL }, 0, 0 },
	};
	weir_buf ref = {0}, got2 = {0};
	size_t i;
	int k, n = 600, same, ok;

	for (i = 0; i < sizeof(runs) / sizeof(runs[0]); i++) {
		ck_run(&runs[i], n, -1, &ref);
		CHECK(ref.len > 100);
		same = ok = 1;
		for (k = 1; k < n; k += 37) {
			ok &= ck_run(&runs[i], n, k, &got2);
			same &= got2.len == ref.len &&
			    !memcmp(got2.p, ref.p, ref.len);
		}
		CHECK(ok);
		CHECK(same);
	}
	weir_buf_free(&ref);
	weir_buf_free(&got2);
}

/* Load never trusts its input: cut short or with a byte changed, it fails
 * cleanly or loads something that closes without harm. */
static void
test_checkpoint_bad(void)
{
	const struct ckrun c = { ".u", all_funcs, { "tumbling", "20ms", NULL },
	    0, 0 };
	weir_agg *a = ck_new(&c), *b;
	weir_buf snap = {0}, out = {0};
	char err[WEIR_ERRSZ], js[256];
	weir_buf p = {0};
	weir_record r;
	weir_rd rd;
	size_t cut;
	int i, fails = 0, trunc_ok = 1, kind_ok = 1, rc;

	ck_rng = 7;
	for (i = 0; i < 300; i++) {
		p.len = 0;
		ck_json(js, sizeof(js), i);
		weir_pack_json(&p, (const uint8_t *)js, strlen(js), err,
		    sizeof(err));
		memset(&r, 0, sizeof(r));
		weir_record_set_packed(&r, &p);
		r.flags |= WEIR_R_WINDOW;
		r.win_start = i / 50 * 20;
		r.win_end = r.win_start + 20;
		weir_agg_add(a, &r, NULL, err, sizeof(err));
	}
	CHECK(weir_agg_save(a, &snap) == 0);
	for (cut = 0; cut < snap.len; cut += 1 + cut / 16) {
		b = ck_new(&c);
		weir_rd_init(&rd, snap.p, cut);
		rc = weir_agg_load(b, &rd, err, sizeof(err));
		if (rc == 0 && weir_rd_done(&rd, "agg", err, sizeof(err)) == 0)
			trunc_ok = 0;	/* a prefix is never a whole state */
		if (rc < 0 && rc != WEIR_SNAP_EBAD)
			kind_ok = 0;	/* malformed, not out of memory */
		weir_agg_free(b);
	}
	CHECK(trunc_ok);
	CHECK(kind_ok);
	for (i = 0; i < 2000; i++) {
		size_t at = (size_t)(ck_next() % snap.len);
		uint8_t old = snap.p[at];
		snap.p[at] ^= (uint8_t)(1 + ck_next() % 255);
		b = ck_new(&c);
		weir_rd_init(&rd, snap.p, snap.len);
		if (weir_agg_load(b, &rd, err, sizeof(err)) < 0)
			fails++;
		out.len = 0;
		weir_agg_close_all(b, 1, ck_emit, &out);
		weir_agg_free(b);
		snap.p[at] = old;
	}
	CHECK(fails > 0);
	/* twice into one aggregator */
	b = ck_new(&c);
	weir_rd_init(&rd, snap.p, snap.len);
	CHECK(weir_agg_load(b, &rd, err, sizeof(err)) == 0);
	weir_rd_init(&rd, snap.p, snap.len);
	CHECK(weir_agg_load(b, &rd, err, sizeof(err)) < 0);
	weir_agg_free(b);
	weir_agg_free(a);
	weir_buf_free(&snap);
	weir_buf_free(&out);
	weir_buf_free(&p);
}

/*
 * HOP records (one record in several hopping windows) give what one copy
 * per window gives: the same results in the same order, the same late
 * counts and byte for byte the same checkpoints -- with records out of
 * order over many panes, windows closing under records (some of a HOP
 * record's windows late), and every kind of function.
 */
static void
test_hop(void)
{
	static const char *const fn[] = { "count", "sum:.v", "avg:.v",
	    "min:.v", "max:.v", "first:.p", "last:.p", "distinct:.p",
	    "approx_distinct:.p", "p50:.v", "topk:2:.p", "stddev:.v",
	    "max_by:.v", "min_by:.v", "top:2:.v" };
	static const int64_t geo[][2] = { { 50, 10 }, { 25, 10 }, { 30, 30 } };
	weir_buf want = {0}, cw = {0}, s1 = {0}, s2 = {0}, b = {0};
	char err[WEIR_ERRSZ], json[128];
	size_t gi, i, f;
	int ok = 1;

	for (gi = 0; gi < sizeof(geo) / sizeof(geo[0]); gi++) {
		weir_agg *h = weir_agg_new(), *c = weir_agg_new();
		weir_window_spec w = { WEIR_WINDOW_HOPPING, geo[gi][0],
		    geo[gi][1], 0, 0 };
		uint64_t late_h = 0, late_c = 0;
		int64_t wm = -100;

		CHECK(weir_agg_add_groups(h, ".u", err, sizeof(err)) == 0 &&
		    weir_agg_add_groups(c, ".u", err, sizeof(err)) == 0);
		for (f = 0; f < sizeof(fn) / sizeof(fn[0]); f++)
			CHECK(weir_agg_add_func(h, fn[f], err, sizeof(err)) == 0 &&
			    weir_agg_add_func(c, fn[f], err, sizeof(err)) == 0);
		CHECK(weir_agg_ready(h, err, sizeof(err)) == 0 &&
		    weir_agg_ready(c, err, sizeof(err)) == 0);
		want.len = cw.len = got.len = 0;
		for (i = 0; i < 3000; i++) {
			int64_t ts = (int64_t)i / 4 - 40 +
			    (int64_t)(urand() * 120), st, en;
			weir_window_iter it;
			weir_record r;
			uint32_t late;

			snprintf(json, sizeof(json),
			    "{\"u\":\"u%d\",\"v\":%d.%d,\"p\":\"/p/%d\"}",
			    (int)(urand() * 7), (int)(urand() * 100),
			    (int)(urand() * 10), (int)(urand() * 5));
			b.len = 0;
			CHECK(weir_pack_json(&b, (const uint8_t *)json,
			    strlen(json), err, sizeof(err)) == 0);
			memset(&r, 0, sizeof(r));
			weir_record_set_packed(&r, &b);
			r.flags |= WEIR_R_TS | WEIR_R_WINDOW;
			r.ts = ts;
			CHECK(weir_window_iter_init(&it, &w, ts, err,
			    sizeof(err)) == 0);
			/* the copies */
			while (weir_window_iter_next(&it, &st, &en)) {
				if (r.hop_count == 0) {
					r.win_start = st;
					r.win_end = en;
				}
				r.hop_count++;
				{
					weir_record x = r;
					int rc;
					x.win_start = st;
					x.win_end = en;
					x.hop_count = 0;
					rc = weir_agg_add(c, &x, NULL, err,
					    sizeof(err));
					ok &= rc == 0 || rc == 1;
					late_c += rc == 1;
				}
			}
			r.hop_advance = w.advance;
			r.flags |= WEIR_R_HOP;
			ok &= weir_agg_add_hop(h, &r, &late, err,
			    sizeof(err)) == 0;
			late_h += late;
			if (i % 37 == 36) {	/* the watermark moves on */
				wm = (int64_t)i / 4 - 40 + (int64_t)(urand() * 60);
				ok &= weir_agg_close(h, wm, 1, collect, NULL) == 0;
				weir_buf_put(&want, got.p, got.len);
				got.len = 0;
				ok &= weir_agg_close(c, wm, 1, collect, NULL) == 0;
				weir_buf_put(&cw, got.p, got.len);
				got.len = 0;
			}
			if (i % 500 == 499) {
				s1.len = s2.len = 0;
				ok &= weir_agg_save(h, &s1) == 0 &&
				    weir_agg_save(c, &s2) == 0 &&
				    s1.len == s2.len &&
				    !memcmp(s1.p, s2.p, s1.len);
			}
		}
		ok &= weir_agg_close_all(h, 1, collect, NULL) == 0;
		weir_buf_put(&want, got.p, got.len);
		got.len = 0;
		ok &= weir_agg_close_all(c, 1, collect, NULL) == 0;
		weir_buf_put(&cw, got.p, got.len);
		got.len = 0;
		CHECK(ok);
		CHECK(want.len > 1000 && want.len == cw.len &&
		    !memcmp(want.p, cw.p, cw.len));
		CHECK(late_h > 0 && late_h == late_c);
		weir_agg_free(h);
		weir_agg_free(c);
	}
	got.len = 0;
	weir_buf_free(&want);
	weir_buf_free(&cw);
	weir_buf_free(&s1);
	weir_buf_free(&s2);
	weir_buf_free(&b);
}

int
main(void)
{
	test_dds();
	test_parse();
	test_windows();
	test_approx_distinct();
	test_checkpoint();
	test_checkpoint_bad();
	test_hop();
	UNIT_DONE();
}
