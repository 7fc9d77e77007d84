/*
 * fuzz_expr.c - the expression parser on untrusted text (expressions come
 * from command lines and rules files): compile anything without crashing,
 * and evaluate what compiles against a fixed record.
 */
#include <stdlib.h>

#include "expr.h"

static const char doc[] = "{\"a\":{\"b\":[1,2.5,\"x\"]},\"s\":\"Str\\u00e9\","
    "\"n\":null,\"t\":true,\"i\":-7,\"d\":12.50}";

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static weir_buf packed;
	char *src, err[WEIR_ERRSZ];
	weir_buf out = {0}, diag = {0};
	weir_expr *e;
	weir_expr_ctx ctx = {0};
	weir_record rec = {0};
	weir_pv root;
	weir_xv v;
	int col;

	if (!packed.len && weir_pack_json(&packed, (const uint8_t *)doc,
	    sizeof(doc) - 1, NULL, 0) < 0)
		abort();
	src = malloc(size + 1);
	if (!src)
		return 0;
	memcpy(src, data, size);
	src[size] = 0;
	if (weir_expr_compile(&e, src, err, sizeof(err), &col) < 0) {
		if (col < 1)
			abort();	/* every error has a column */
		weir_expr_caret(&diag, src, col);
	} else {
		weir_pv_of(packed.p, packed.len, &root);
		rec.flags = WEIR_R_TS | WEIR_R_KEY;
		rec.ts = 1700000000000LL;
		rec.key = (const uint8_t *)"k";
		rec.key_len = 1;
		ctx.root = &root;
		ctx.rec = &rec;
		if (weir_expr_eval(e, &ctx, &v) == 0) {
			weir_xv_pack(&out, &v);
			weir_xv_text(&out, &v);
			if (weir_expr_test(e, &ctx) != weir_xv_truthy(&v))
				abort();
		}
		weir_expr_free(e);
	}
	weir_buf_free(&out);
	weir_buf_free(&diag);
	free(src);
	return 0;
}
