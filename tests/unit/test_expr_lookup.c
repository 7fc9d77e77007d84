/* test_expr_lookup.c - the field lookup of path-vs-literal comparisons
 * (weir_expr_test's fast path): keys of every length 1..24 told from keys
 * that differ from them in one byte, anywhere, and paths of several steps
 * through objects and arrays, negative indexes included. */
#include "expr.h"
#include "unit.h"

static weir_buf packed;

/* weir_expr_test of src on the packed document: 1, 0, or -9 when it does
 * not compile */
static int
test_of(const char *src)
{
	weir_expr *e;
	weir_expr_ctx ctx;
	weir_record rec;
	weir_pv root;
	char err[256];
	int rc;

	if (weir_expr_compile(&e, src, err, sizeof(err), NULL) != 0)
		return -9;
	memset(&rec, 0, sizeof(rec));
	weir_pv_of(packed.p, packed.len, &root);
	memset(&ctx, 0, sizeof(ctx));
	ctx.root = &root;
	ctx.rec = &rec;
	rc = weir_expr_test(e, &ctx);
	weir_expr_free(e);
	return rc;
}

static const struct {
	const char *src;
	int want;
} paths[] = {
	{ ".o.p.q[0] == 1", 1 },
	{ ".o.p.q[1][1] == 3", 1 },
	{ ".o.p.q[-2][-1] == 3", 1 },
	{ ".o.p.q[-3] == 1", 1 },
	{ ".o.p.q[-4] == 1", 0 },
	{ ".m[-1][-1] == 22", 1 },
	{ ".m[-1][-3] == 20", 1 },
	{ ".m[-1][-4] == 20", 0 },
	{ ".m[0][1] > 10", 1 },
	{ ".m[2][0] > 0", 0 },
	{ ".o.x.q[0] == 1", 0 },
	{ ".s.t == 1", 0 },
	{ ".s == \"plain\"", 1 },
};

int
main(void)
{
	weir_buf doc = {0};
	char key[32], src[128];
	size_t n, j;
	int bad = 0, miss = 0;

	/* {"ay..": -n, "aa..z": n, ...} for n = 1..24: a decoy of the same
	 * length before each key; then nested values */
	weir_buf_putc(&doc, '{');
	for (n = 1; n <= 24; n++) {
		memset(key, 'a', n);
		key[n - 1] = 'y';
		key[n] = 0;
		weir_buf_printf(&doc, "\"%s\":%d,", key, -(int)n);
		key[n - 1] = 'z';
		weir_buf_printf(&doc, "\"%s\":%d,", key, (int)n);
	}
	weir_buf_puts(&doc, "\"o\":{\"p\":{\"q\":[1,[2,3],{\"r\":\"deep\"}]}},"
	    "\"m\":[[10,11],[20,21,22]],\"s\":\"plain\"}");
	CHECK(weir_pack_json(&packed, doc.p, doc.len, NULL, 0) == 0);

	for (n = 1; n <= 24; n++) {
		memset(key, 'a', n);
		key[n - 1] = 'z';
		key[n] = 0;
		snprintf(src, sizeof(src), ".%s == %d", key, (int)n);
		bad += test_of(src) != 1;
		/* the same length, one byte changed: no such member */
		for (j = 0; j < n; j++) {
			char c = key[j];
			key[j] = c == 'a' ? 'b' : 'a';
			if (j == n - 1)
				key[j] = 'x';
			snprintf(src, sizeof(src), ".%s == %d", key, (int)n);
			miss += test_of(src) != 0;
			snprintf(src, sizeof(src), ".%s != 0", key);
			miss += test_of(src) != 0;	/* missing: false */
			key[j] = c;
		}
	}
	CHECK(bad == 0);
	CHECK(miss == 0);
	bad = 0;

	for (n = 0; n < sizeof(paths) / sizeof(paths[0]); n++) {
		int got = test_of(paths[n].src);
		if (got != paths[n].want)
			printf("# %s: %d\n", paths[n].src, got);
		bad += got != paths[n].want;
	}
	CHECK(bad == 0);
	weir_buf_free(&doc);
	weir_buf_free(&packed);
	UNIT_DONE();
}
