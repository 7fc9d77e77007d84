/* test_agg.c - DDSketch accuracy and merging; weir_agg parsing, naming,
 * windows and results. */
#include <math.h>
#include <stdlib.h>

#include "agg.h"
#include "ddsketch.h"
#include "pack.h"
#include "record.h"
#include "unit.h"

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
	weir_buf b = {0};
	weir_record r;
	char err[WEIR_ERRSZ];
	int oom, rc;

	memset(&r, 0, sizeof(r));
	if (weir_pack_json(&b, (const uint8_t *)json, strlen(json), err,
	    sizeof(err)) < 0)
		return -2;
	weir_record_set_packed(&r, &b);
	if (e > s) {
		r.flags |= WEIR_R_WINDOW;
		r.win_start = s;
		r.win_end = e;
	}
	rc = weir_agg_add(a, &r, NULL, &oom, err, sizeof(err));
	weir_buf_free(&b);
	return rc;
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
	CHECK_STR(text(),
	    "{\"u\":\"a\",\"p\":3,\"first_x\":[1],\"last_x\":{\"y\":2}}"
	    " key=[\"a\",3]\n"
	    "{\"u\":\"a\",\"p\":null,\"first_x\":null,\"last_x\":null}"
	    " key=[\"a\",null]\n");
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

int
main(void)
{
	test_dds();
	test_parse();
	test_windows();
	test_approx_distinct();
	UNIT_DONE();
}
