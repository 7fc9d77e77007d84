/* test_aggcl.c - weir-agg --changelog (lib/agg/changelog.c): snapshot
 * round trips, a restored aggregator carrying on as the original does,
 * malformed snapshots refused. */
#include <stdlib.h>

#include "agg.h"
#include "changelog.h"
#include "pack.h"
#include "record.h"
#include "unit.h"

static unsigned long long rng = 0x2545f4914f6cdd1dULL;

static weir_agg *
mkagg(void)
{
	static const char *fn[] = { "n=count", "sum:.v", "avg:.v", "min:.v",
	    "max:.s", "distinct:.s", "topk:2:.s" };
	char err[WEIR_ERRSZ];
	weir_agg *a = weir_agg_new();
	size_t i;

	if (weir_agg_add_groups(a, ".g", err, sizeof(err)) < 0)
		abort();
	for (i = 0; i < sizeof(fn) / sizeof(fn[0]); i++)
		if (weir_agg_add_func(a, fn[i], err, sizeof(err)) < 0)
			abort();
	if (weir_agg_ready(a, err, sizeof(err)) < 0)
		abort();
	return a;
}

/* Emitted records as "key=json" lines. */
static int
collect(void *arg, const weir_record *r)
{
	weir_buf *out = arg;
	weir_pv v;

	weir_buf_put(out, r->key, r->key_len);
	weir_buf_putc(out, '=');
	if (r->enc == WEIR_ENC_NULL)
		weir_buf_put(out, "null", 4);
	else {
		weir_pv_of(r->value, r->value_len, &v);
		weir_pv_to_json(out, &v);
	}
	weir_buf_putc(out, '\n');
	return 0;
}

/* Change i of a seeded sequence: an upsert or a delete of one of 40 keys. */
static void
change(weir_aggcl *c, weir_buf *out, weir_buf *p)
{
	char key[16], js[128], err[WEIR_ERRSZ];
	unsigned long long x = unit_xorshift(&rng);
	weir_record r;

	snprintf(key, sizeof(key), "k%llu", x % 40);
	memset(&r, 0, sizeof(r));
	r.flags = WEIR_R_KEY;
	r.key = (const uint8_t *)key;
	r.key_len = strlen(key);
	p->len = 0;
	if ((x >> 8) % 5 == 0)
		r.enc = WEIR_ENC_NULL;
	else {
		switch ((x >> 12) % 3) {
		case 0:
			snprintf(js, sizeof(js), "{\"g\":\"g%llu\",\"v\":%llu,"
			    "\"s\":\"s%llu\"}", (x >> 16) % 6, (x >> 20) % 100,
			    (x >> 28) % 9);
			break;
		case 1:
			snprintf(js, sizeof(js), "{\"g\":\"g%llu\",\"v\":%llu.%02llu,"
			    "\"s\":%llu}", (x >> 16) % 6, (x >> 20) % 100,
			    (x >> 28) % 100, (x >> 36) % 9);
			break;
		default:
			snprintf(js, sizeof(js), "{\"g\":\"g%llu\",\"v\":%llue3}",
			    (x >> 16) % 6, (x >> 20) % 100);
		}
		weir_pack_json(p, (const uint8_t *)js, strlen(js), err,
		    sizeof(err));
		weir_record_set_packed(&r, p);
	}
	if (weir_aggcl_apply(c, &r, collect, out, err, sizeof(err)) < 0)
		abort();
}

static weir_aggcl *
mkcl(weir_agg *a)
{
	char err[WEIR_ERRSZ];
	weir_aggcl *c = NULL;

	if (weir_aggcl_open(&c, a, err, sizeof(err)) < 0)
		abort();
	return c;
}

static void
test_roundtrip(void)
{
	weir_agg *a = mkagg(), *b = mkagg();
	weir_aggcl *c = mkcl(a), *d;
	weir_buf snap = {0}, snap2 = {0}, o1 = {0}, o2 = {0}, p = {0};
	unsigned long long save;
	char err[WEIR_ERRSZ];
	weir_rd rd;
	size_t cut;
	int i, fails = 0, trunc_ok = 1;

	for (i = 0; i < 500; i++)
		change(c, &o1, &p);
	CHECK(weir_aggcl_rows(c) > 20 && weir_aggcl_groups(c) == 6);
	CHECK(weir_aggcl_save(c, &snap) == 0);
	d = mkcl(b);
	weir_rd_init(&rd, snap.p, snap.len);
	CHECK(weir_aggcl_load(d, &rd, err, sizeof(err)) == 0 &&
	    weir_rd_done(&rd, "aggcl", err, sizeof(err)) == 0);
	CHECK(weir_aggcl_rows(d) == weir_aggcl_rows(c));
	CHECK(weir_aggcl_groups(d) == weir_aggcl_groups(c));
	CHECK(weir_aggcl_save(d, &snap2) == 0);
	CHECK(snap2.len == snap.len && !memcmp(snap.p, snap2.p, snap.len));
	/* the restored one emits what the original does, change by change */
	o1.len = 0;
	save = rng;
	for (i = 0; i < 500; i++)
		change(c, &o1, &p);
	rng = save;
	for (i = 0; i < 500; i++)
		change(d, &o2, &p);
	CHECK(o1.len > 0 && o1.len == o2.len && !memcmp(o1.p, o2.p, o1.len));
	/* loading twice is refused */
	weir_rd_init(&rd, snap.p, snap.len);
	CHECK(weir_aggcl_load(d, &rd, err, sizeof(err)) < 0);
	weir_aggcl_free(d);
	/* a prefix never loads as a whole state; flipped bytes are checked */
	for (cut = 0; cut < snap.len; cut += 1 + cut / 16) {
		d = mkcl(b);
		weir_rd_init(&rd, snap.p, cut);
		if (weir_aggcl_load(d, &rd, err, sizeof(err)) == 0 &&
		    weir_rd_done(&rd, "aggcl", err, sizeof(err)) == 0)
			trunc_ok = 0;
		weir_aggcl_free(d);
	}
	CHECK(trunc_ok);
	for (i = 0; i < 2000; i++) {
		size_t at = (size_t)(unit_xorshift(&rng) % snap.len);
		uint8_t old = snap.p[at];
		snap.p[at] ^= (uint8_t)(1 + unit_xorshift(&rng) % 255);
		d = mkcl(b);
		weir_rd_init(&rd, snap.p, snap.len);
		if (weir_aggcl_load(d, &rd, err, sizeof(err)) < 0)
			fails++;
		else {		/* whatever loaded must still work */
			int k;
			o2.len = 0;
			for (k = 0; k < 20; k++)
				change(d, &o2, &p);
		}
		weir_aggcl_free(d);
		snap.p[at] = old;
	}
	CHECK(fails > 0);
	weir_aggcl_free(c);
	weir_agg_free(a);
	weir_agg_free(b);
	weir_buf_free(&snap);
	weir_buf_free(&snap2);
	weir_buf_free(&o1);
	weir_buf_free(&o2);
	weir_buf_free(&p);
}

static void
test_refused(void)
{
	static const char *bad[] = { "first:.v", "last:.v", "p99:.v",
	    "approx_distinct:.v", "stddev:.v" };
	char err[WEIR_ERRSZ];
	weir_agg *a;
	weir_aggcl *c;
	size_t i;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		a = weir_agg_new();
		weir_agg_add_func(a, "count", err, sizeof(err));
		weir_agg_add_func(a, bad[i], err, sizeof(err));
		weir_agg_ready(a, err, sizeof(err));
		c = NULL;
		CHECK(weir_aggcl_open(&c, a, err, sizeof(err)) ==
		    WEIR_FAIL_USAGE && !c && strstr(err, "--changelog: "));
		weir_agg_free(a);
	}
}

int
main(void)
{
	test_roundtrip();
	test_refused();
	UNIT_DONE();
}
