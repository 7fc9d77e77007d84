/* test_expr.c - the expression language: parser, precedence, operators,
 * functions, the missing-field rule and error columns. */
#include "expr.h"
#include "unit.h"


/* weir_expr_compile, as a value (NULL: a bad expression, or memory) */
static weir_expr *
compile(const char *src, char *err, size_t errsz, int *col)
{
	weir_expr *e;
	int rc = weir_expr_compile(&e, src, err, errsz, col);

	CHECK(rc == 0 || rc == WEIR_FAIL_USAGE);
	return e;
}

static const char *doc = "{\"a\":{\"b\":3,\"c\":[10,20,30]},\"n\":null,"
    "\"a_key_longer_than_thirty_one_bytes\":5,\"k\\\"q\":6,"
    "\"amount\":51.5,\"i\":7,\"big\":9007199254740993,\"page\":\"/p/7\","
    "\"esc\":\"tab\\there \\\"q\\\"\",\"name\":\"Ann\",\"t\":true,\"f\":false,"
    "\"tags\":[\"x\",\"y\"],\"s5\":\"5.25\",\"empty\":\"\",\"u\":\"h\\u00e9\","
    "\"email\":\"ann@example.com\",\"neg\":-4}";

static weir_buf packed;
static weir_record rec;

/* Evaluate src against doc; the result as type:text ("missing" alone). */
static const char *
ev(const char *src)
{
	static char out[512];
	char err[400];
	weir_expr *e;
	weir_expr_ctx ctx;
	weir_pv root;
	weir_xv v;
	weir_buf b = {0};
	int col;

	e = compile(src, err, sizeof(err), &col);
	if (!e) {
		snprintf(out, sizeof(out), "error: %s", err);
		return out;
	}
	weir_pv_of(packed.p, packed.len, &root);
	memset(&ctx, 0, sizeof(ctx));
	ctx.root = &root;
	ctx.rec = &rec;
	ctx.now_ms = 1234;
	if (weir_expr_eval(e, &ctx, &v) < 0)
		snprintf(out, sizeof(out), "oom");
	else if (v.type == WEIR_XV_MISSING)
		snprintf(out, sizeof(out), "missing");
	else {
		weir_xv_text(&b, &v);
		snprintf(out, sizeof(out), "%s:%.*s", weir_xv_type_name(&v),
		    (int)b.len, b.p ? (char *)b.p : "");
	}
	/* weir_expr_test must agree with the truth of eval */
	if (weir_expr_test(e, &ctx) != weir_xv_truthy(&v))
		snprintf(out, sizeof(out), "test() disagrees with eval()");
	weir_buf_free(&b);
	weir_expr_free(e);
	return out;
}

/* The error column of a bad expression (0 if it compiles). */
static int
errcol(const char *src)
{
	char err[WEIR_ERRSZ];
	int col;
	weir_expr *e = compile(src, err, sizeof(err), &col);

	if (e) {
		weir_expr_free(e);
		return 0;
	}
	return col;
}

static const char *
errmsg(const char *src)
{
	static char err[WEIR_ERRSZ];
	int col;
	weir_expr *e = compile(src, err, sizeof(err), &col);

	if (e) {
		weir_expr_free(e);
		return "compiled";
	}
	return err;
}

/* Packed output of an expression (exact copies of record values). */
static const char *
packed_json(const char *src)
{
	static char out[256];
	weir_expr *e = compile(src, NULL, 0, NULL);
	weir_expr_ctx ctx;
	weir_pv root, pv;
	weir_xv v;
	weir_buf b = {0}, j = {0};

	weir_pv_of(packed.p, packed.len, &root);
	memset(&ctx, 0, sizeof(ctx));
	ctx.root = &root;
	weir_expr_eval(e, &ctx, &v);
	if (weir_xv_pack(&b, &v) != 0)
		snprintf(out, sizeof(out), "nothing");
	else {
		weir_pv_of(b.p, b.len, &pv);
		weir_pv_to_json(&j, &pv);
		snprintf(out, sizeof(out), "%.*s", (int)j.len, (char *)j.p);
	}
	weir_buf_free(&b);
	weir_buf_free(&j);
	weir_expr_free(e);
	return out;
}

int
main(void)
{
	static const struct { const char *src, *want; } cases[] = {
		/* literals */
		{ "1", "number:1" },
		{ "-2.5", "number:-2.5" },
		{ "1e3", "number:1000" },
		{ "\"a\\nb\"", "string:a\nb" },
		{ "true", "boolean:true" },
		{ "false", "boolean:false" },
		{ "null", "null:null" },
		/* paths */
		{ ".a.b", "number:3" },
		{ ".a.c[1]", "number:20" },
		{ ".a.c[-1]", "number:30" },
		{ ".a.c[9]", "missing" },
		{ ".[\"page\"]", "string:/p/7" },
		{ ".nope", "missing" },
		{ ".nope.deeper", "missing" },
		{ ".n", "null:null" },
		{ ".esc", "string:tab\there \"q\"" },
		/* keys that are not short plain strings */
		{ ".a_key_longer_than_thirty_one_bytes", "number:5" },
		{ ".a_key_longer_than_thirty_one_bytes == 5", "boolean:true" },
		{ ".[\"k\\\"q\"] == 6", "boolean:true" },
		{ ".i == 7 and .page == \"/p/7\"", "boolean:true" },
		{ ".big", "number:9007199254740993" },
		/* precedence */
		{ "1 + 2 * 3", "number:7" },
		{ "(1 + 2) * 3", "number:9" },
		{ "10 - 4 - 3", "number:3" },
		{ "12 / 3 / 2", "number:2" },
		{ "-2 * 3", "number:-6" },
		{ "- .i", "number:-7" },
		{ "7 % 3", "number:1" },
		{ "-7 % 3", "number:-1" },
		{ "1 + 2 == 3", "boolean:true" },
		{ "true or false and false", "boolean:true" },
		{ "(true or false) and false", "boolean:false" },
		{ "not true or true", "boolean:true" },
		{ "not (true or true)", "boolean:false" },
		{ "not not true", "boolean:true" },
		{ "not .i > 10", "boolean:true" },
		/* comparisons */
		{ ".i == 7", "boolean:true" },
		{ ".i != 7", "boolean:false" },
		{ ".i < 8", "boolean:true" },
		{ ".i <= 7", "boolean:true" },
		{ ".i > 7", "boolean:false" },
		{ ".i >= 7", "boolean:true" },
		{ "8 > .i", "boolean:true" },
		{ "7 >= .i", "boolean:true" },
		{ ".amount > 51", "boolean:true" },
		{ ".amount > 51.5", "boolean:false" },
		{ ".amount == 51.5", "boolean:true" },
		{ ".big == 9007199254740993", "boolean:true" },
		{ ".big > 9007199254740992", "boolean:true" },
		/* more digits than an exact decimal holds (fuzzing found the
		 * signed overflow) */
		{ ".i < 9999999999999999999", "boolean:true" },
		{ "9999999999999999999.5 > 1e18", "boolean:true" },
		{ ".page == \"/p/7\"", "boolean:true" },
		{ ".page != \"/p/7\"", "boolean:false" },
		{ "\"/p/7\" == .page", "boolean:true" },
		{ ".page < \"/q\"", "boolean:true" },
		{ ".page > \"/q\"", "boolean:false" },
		{ "\"abc\" < \"abd\"", "boolean:true" },
		{ "\"ab\" < \"abc\"", "boolean:true" },
		{ ".esc == \"tab\\there \\\"q\\\"\"", "boolean:true" },
		{ ".i == \"7\"", "boolean:false" },
		{ ".i != \"7\"", "boolean:true" },
		{ ".page > 5", "boolean:false" },
		{ ".page == 5", "boolean:false" },
		{ ".page != 5", "boolean:true" },
		{ ".n == null", "boolean:true" },
		{ ".t == true", "boolean:true" },
		{ ".a.c == .a.c", "boolean:true" },
		{ ".a == .a.c", "boolean:false" },
		{ ".i * 2 == 14", "boolean:true" },
		/* the missing rule: every comparison with missing is false */
		{ ".nope == 1", "boolean:false" },
		{ ".nope != 1", "boolean:false" },
		{ ".nope < 1", "boolean:false" },
		{ ".nope >= 1", "boolean:false" },
		{ ".nope == \"x\"", "boolean:false" },
		{ ".nope != \"x\"", "boolean:false" },
		{ ".nope == null", "boolean:false" },
		{ ".nope == .nope", "boolean:false" },
		{ ".nope in [1, 2]", "boolean:false" },
		{ "not (.nope == 1)", "boolean:true" },
		{ ".nope + 1", "missing" },
		{ "- .nope", "missing" },
		{ "(.nope + 1) > 0", "boolean:false" },
		{ "len(.nope)", "missing" },
		{ "lower(.nope)", "missing" },
		{ "string(.nope)", "missing" },
		{ "contains(.nope, \"a\")", "missing" },
		{ ".nope and true", "boolean:false" },
		{ ".nope or true", "boolean:true" },
		/* arithmetic edge cases */
		{ ".i / 0", "missing" },
		{ ".i % 0", "missing" },
		{ ".page + 1", "missing" },
		{ ".name + \" \" + .page", "string:Ann /p/7" },
		{ "1.5 + 1.5", "number:3" },
		/* exact decimals where both sides are decimals */
		{ "0.1 + 0.2", "number:0.3" },
		{ "0.1 + 0.2 == 0.3", "boolean:true" },
		{ "68.35 * 100", "number:6835" },
		{ "2.50 * 2", "number:5" },
		{ "1.1 - 2.25", "number:-1.15" },
		{ "7.5 % 2", "number:1.5" },
		{ "-.amount", "number:-51.5" },
		{ ".big + 1", "number:9007199254740994" },
		{ ".big - 1 > 9007199254740991", "boolean:true" },
		{ "1 / 3", "number:0.3333333333333333" },
		{ "1 / 4 == 0.25", "boolean:true" },
		{ "0.1 * 3 == 0.3", "boolean:true" },
		{ "4611686018427387904 * 4 > 1e18", "boolean:true" },
		{ "0.000000001 * 0.0000000001 * 10", "number:1e-18" },
		/* truthiness */
		{ ".t", "boolean:true" },
		{ ".f and true", "boolean:false" },
		{ ".n or false", "boolean:false" },
		{ ".i and .page", "boolean:true" },
		{ ".empty and true", "boolean:true" },
		/* in */
		{ ".page in [\"/p/1\", \"/p/7\"]", "boolean:true" },
		{ ".page in [\"/p/1\"]", "boolean:false" },
		{ ".i in [1, 7, 9]", "boolean:true" },
		{ ".i in []", "boolean:false" },
		{ ".i in [.a.b, .i]", "boolean:true" },
		{ "\"y\" in .tags", "boolean:true" },
		{ "\"z\" in .tags", "boolean:false" },
		{ "1 in .page", "boolean:false" },
		{ "not .page in [\"/p/7\"]", "boolean:false" },
		/* functions */
		{ "exists(.a.b)", "boolean:true" },
		{ "exists(.n)", "boolean:true" },
		{ "exists(.nope)", "boolean:false" },
		{ "is_null(.n)", "boolean:true" },
		{ "is_null(.nope)", "boolean:true" },
		{ "is_null(.i)", "boolean:false" },
		{ "type(.i)", "string:number" },
		{ "type(.page)", "string:string" },
		{ "type(.a)", "string:object" },
		{ "type(.a.c)", "string:array" },
		{ "type(.t)", "string:boolean" },
		{ "type(.n)", "string:null" },
		{ "type(.nope)", "string:missing" },
		{ "len(.page)", "number:4" },
		{ "len(.u)", "number:2" },
		{ "len(.a.c)", "number:3" },
		{ "len(.a)", "number:2" },
		{ "len(.n)", "number:0" },
		{ "len(.i)", "missing" },
		{ "lower(.name)", "string:ann" },
		{ "upper(.name)", "string:ANN" },
		{ "upper(.u)", "string:H\xc3\xa9" },
		{ "lower(.i)", "missing" },
		{ "contains(.email, \"@example\")", "boolean:true" },
		{ "contains(.email, \"@other\")", "boolean:false" },
		{ "contains(.email, \"\")", "boolean:true" },
		{ "contains(.tags, \"x\")", "boolean:true" },
		{ "contains(.tags, \"q\")", "boolean:false" },
		{ "contains(.i, \"7\")", "missing" },
		{ "starts_with(.page, \"/p\")", "boolean:true" },
		{ "starts_with(.page, \"p\")", "boolean:false" },
		{ "starts_with(.page, \"/p/77\")", "boolean:false" },
		{ "ends_with(.email, \".com\")", "boolean:true" },
		{ "ends_with(.email, \".org\")", "boolean:false" },
		{ "matches(.email, \"^[^@ ]+@[^@ ]+$\")", "boolean:true" },
		{ "matches(.page, \"^/p/[0-9]+$\")", "boolean:true" },
		{ "matches(.page, \"^/q\")", "boolean:false" },
		{ "matches(.i, \"7\")", "missing" },
		{ "matches(.nope, \"x\")", "missing" },
		{ "number(.s5)", "number:5.25" },
		{ "number(.s5) > 5", "boolean:true" },
		{ "number(\" 12 \")", "number:12" },
		{ "number(\"12x\")", "missing" },
		{ "number(\"nan\")", "missing" },
		{ "number(\"0x10\")", "missing" },
		{ "number(\"\")", "missing" },
		{ "number(.i)", "number:7" },
		{ "number(.t)", "missing" },
		{ "string(.i)", "string:7" },
		{ "string(.amount)", "string:51.5" },
		{ "string(.i * 2)", "string:14" },
		{ "string(.t)", "string:true" },
		{ "string(.n)", "string:null" },
		{ "string(.a.c)", "string:[10,20,30]" },
		{ "string(.page)", "string:/p/7" },
		{ "now()", "number:1234" },
		{ "ts()", "number:1700000000123" },
		{ "ts() > 1700000000000", "boolean:true" },
		{ "format_time(ts())", "string:2023-11-14T22:13:20.123Z" },
		{ "format_time(ts(), \"%Y-%m-%d %H:%M:%S.%L\")",
		    "string:2023-11-14 22:13:20.123" },
		{ "format_time(.name)", "missing" },
		{ "format_time(1e300)", "missing" },
		{ "format_time(1, .i)", "missing" },
		{ "parse_time(\"2024-05-01T12:00:00Z\")", "number:1714564800000" },
		{ "parse_time(\"2024-05-01 14:00:00.5+02:00\")",
		    "number:1714564800500" },
		{ "parse_time(\"01/05/2024\", \"%d/%m/%Y\")",
		    "number:1714521600000" },
		{ "parse_time(\"May 1\", \"%d/%m/%Y\")", "missing" },
		{ "parse_time(.i)", "missing" },
		{ "parse_time(format_time(-1)) == -1", "boolean:true" },
		{ "key()", "string:user-1" },
		{ "key() == \"user-1\"", "boolean:true" },
		{ "lower(upper(.name)) == \"ann\"", "boolean:true" },
		{ "len(string(.i * 100))", "number:3" },
		{ ".amount > 50 and .page == \"/p/7\"", "boolean:true" },
		{ ".amount > 52 and .page == \"/p/7\"", "boolean:false" },
		{ ".amount > 52 or .page == \"/p/7\"", "boolean:true" },
		/* if, hour, count_substr, regexp_extract, split_index */
		{ "if(.i > 5, \"big\", \"small\")", "string:big" },
		{ "if(.i > 9, \"big\", \"small\")", "string:small" },
		{ "if(.i > 9, 1, .i > 6, 2, 3)", "number:2" },
		{ "if(.nope, 1, .n, 2, 3)", "number:3" },
		{ "if(.t, .nope, 1)", "missing" },
		{ "if(.f, 1 / 0, 4)", "number:4" },
		{ "hour(ts())", "number:22" },
		{ "hour(0)", "number:0" },
		{ "hour(-1)", "number:23" },
		{ "hour(3600000 * 30)", "number:6" },
		{ "hour(.page)", "missing" },
		{ "count_substr(\"abcbcb\", \"bc\")", "number:2" },
		{ "count_substr(\"aaaa\", \"aa\")", "number:2" },
		{ "count_substr(.page, \"z\")", "number:0" },
		{ "count_substr(.page, \"\")", "missing" },
		{ "regexp_extract(.email, \"^([^@]+)@(.*)$\")", "string:ann" },
		{ "regexp_extract(.email, \"^([^@]+)@(.*)$\", 2)", "string:example.com" },
		{ "regexp_extract(.email, \"@\", 0)", "string:@" },
		{ "regexp_extract(.email, \"x(y)?\", 1)", "missing" },
		{ "regexp_extract(.email, \"a(z)?\", 1)", "missing" },
		{ "regexp_extract(.email, \"(a)\", 5)", "missing" },
		{ "regexp_extract(.i, \"7\")", "missing" },
		{ "split_index(\"a/b//c\", \"/\", 0)", "string:a" },
		{ "split_index(\"a/b//c\", \"/\", 2)", "string:" },
		{ "split_index(\"a/b//c\", \"/\", 3)", "string:c" },
		{ "split_index(\"a/b//c\", \"/\", 4)", "missing" },
		{ "split_index(\"a::b\", \"::\", 1)", "string:b" },
		{ "split_index(.page, \"/\", 1.5)", "missing" },
	};
	static const struct { const char *src; int col; const char *msg; } bad[] = {
		{ "", 1, "column 1: empty expression" },
		{ ".amount > > 5", 11, "column 11: expected an operand, found '>'" },
		{ ".a = 1", 4, "column 4: '=' is not an operator (use == to compare)" },
		{ ".a == 1 &&", 9, NULL },
		{ "(.a == 1", 9, "column 9: expected ')', found the end" },
		{ ".a == \"abc", 7, "column 7: unterminated string" },
		{ "foo(.a)", 1, "column 1: unknown function 'foo'" },
		{ "user == 1", 1, NULL },
		{ "len()", 1, "column 1: len() takes 1 argument" },
		{ "len(.a, .b)", 9, "column 9: too many arguments to len()" },
		{ "now(1)", 5, "column 5: too many arguments to now()" },
		{ "parse_time(1, 2, 3)", 18,
		    "column 18: too many arguments to parse_time()" },
		{ "matches(.a, .b)", 13, NULL },
		{ "matches(.a, \"(\")", 1, NULL },
		{ "if(.a, 1)", 1, "column 1: if() takes 3 arguments" },
		{ "if(.a, 1, .b, 2)", 1, NULL },
		{ "regexp_extract(.a, .b)", 20, NULL },
		{ "split_index(.a, \"/\")", 1, NULL },
		{ ".a < .b < .c", 9, "column 9: comparisons do not chain (use and)" },
		{ ".a ==", 6, "column 6: expected an operand, found the end" },
		{ ".a and", 7, NULL },
		{ ".a .b", 4, NULL },
		{ ".a in [1, 2", 12, NULL },
		{ "1e999", 1, NULL },
		{ "\"\\q\"", 1, "column 1: bad escape in string" },
		{ "5abc", 1, NULL },
		{ "\"é\" == .a ==", 11, NULL },
		{ "not", 4, NULL },
		{ "and", 1, NULL },
	};
	weir_buf caret = {0};
	char deep[2000];
	size_t i;

	if (weir_pack_json(&packed, (const uint8_t *)doc, strlen(doc), NULL, 0) < 0) {
		printf("Bail out! test document does not pack\n");
		return 1;
	}
	rec.flags = WEIR_R_TS | WEIR_R_KEY;
	rec.ts = 1700000000123LL;
	rec.key = (const uint8_t *)"user-1";
	rec.key_len = 6;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		const char *got = ev(cases[i].src);
		unit_n++;
		if (strcmp(got, cases[i].want) == 0)
			printf("ok %d - %s => %s\n", unit_n, cases[i].src, got);
		else {
			unit_fail++;
			printf("not ok %d - %s => got '%s' want '%s'\n", unit_n,
			    cases[i].src, got, cases[i].want);
		}
	}
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		int col = errcol(bad[i].src);
		unit_n++;
		if (col == bad[i].col)
			printf("ok %d - error column %d for '%s'\n", unit_n, col,
			    bad[i].src);
		else {
			unit_fail++;
			printf("not ok %d - '%s': column %d want %d (%s)\n", unit_n,
			    bad[i].src, col, bad[i].col, errmsg(bad[i].src));
		}
		if (bad[i].msg)
			CHECK_STR(errmsg(bad[i].src), bad[i].msg);
	}

	/* without a record: ts() and key() are missing */
	{
		weir_expr *e = compile("ts()", NULL, 0, NULL);
		weir_expr_ctx ctx = {0};
		weir_xv v;
		CHECK(e != NULL);
		CHECK(weir_expr_eval(e, &ctx, &v) == 0 && v.type == WEIR_XV_MISSING);
		CHECK(weir_expr_test(e, &ctx) == 0);
		weir_expr_free(e);
	}

	/* exact copies: packing a record value keeps its text */
	CHECK_STR(packed_json(".big"), "9007199254740993");
	CHECK_STR(packed_json(".esc"), "\"tab\\there \\\"q\\\"\"");
	CHECK_STR(packed_json(".a"), "{\"b\":3,\"c\":[10,20,30]}");
	CHECK_STR(packed_json(".i * 100"), "700");
	CHECK_STR(packed_json(".amount * 2"), "103");
	CHECK_STR(packed_json(".amount / 4"), "12.875");
	CHECK_STR(packed_json("upper(.name)"), "\"ANN\"");
	CHECK_STR(packed_json(".nope"), "nothing");

	/* the caret sits under the column, tabs kept */
	weir_expr_caret(&caret, "\t.a > > 1", 7);
	CHECK(caret.len == strlen("\t.a > > 1\n\t     ^\n") &&
	    memcmp(caret.p, "\t.a > > 1\n\t     ^\n", caret.len) == 0);
	caret.len = 0;
	weir_expr_caret(&caret, "\"é\" ==", 6);
	CHECK(caret.len == strlen("\"é\" ==\n     ^\n") &&
	    memcmp(caret.p, "\"é\" ==\n     ^\n", caret.len) == 0);
	weir_buf_free(&caret);

	/* nesting limits are errors, not crashes */
	memset(deep, '(', sizeof(deep) - 1);
	deep[sizeof(deep) - 1] = 0;
	CHECK(errcol(deep) > 0);
	{
		weir_buf chain = {0};
		for (i = 0; i < 1500; i++)
			weir_buf_puts(&chain, "1 + ");
		weir_buf_puts(&chain, "1");
		weir_buf_putc(&chain, 0);
		CHECK(errcol((char *)chain.p) > 0);
		chain.len = 0;
		for (i = 0; i < 500; i++)
			weir_buf_puts(&chain, "1 + ");
		weir_buf_puts(&chain, "1");
		weir_buf_putc(&chain, 0);
		CHECK_STR(ev((char *)chain.p), "number:501");
		weir_buf_free(&chain);
	}

	/* scratch is reused: many evaluations, no growth past warm-up */
	{
		weir_expr *e = compile("upper(.name) + lower(.page)",
		    NULL, 0, NULL);
		weir_expr_ctx ctx = {0};
		weir_pv root;
		weir_xv v;
		int ok = 1;
		weir_pv_of(packed.p, packed.len, &root);
		ctx.root = &root;
		for (i = 0; i < 100000; i++)
			if (weir_expr_eval(e, &ctx, &v) < 0 || v.n != 7 ||
			    memcmp(v.s, "ANN/p/7", 7) != 0)
				ok = 0;
		CHECK(ok);
		weir_expr_free(e);
	}
	/* the root a record gives: JSON, a string for other UTF-8 bytes,
	 * missing for a tombstone or bytes that are not UTF-8 */
	{
		weir_record r = {0};
		weir_buf sc = {0};
		weir_pv pv;
		const uint8_t *s;
		size_t n;
		r.enc = WEIR_ENC_BYTES;
		r.value = (const uint8_t *)"{\"a\":1}";
		r.value_len = 7;
		weir_expr_root(&r, &sc, &pv);
		CHECK(pv.type == WEIR_PV_OBJECT);
		r.value = (const uint8_t *)"plain line";
		r.value_len = 10;
		weir_expr_root(&r, &sc, &pv);
		CHECK(pv.type == WEIR_PV_STRING && weir_pv_str(&pv, &packed, &s,
		    &n) == 0 && n == 10 && memcmp(s, "plain line", 10) == 0);
		r.value = (const uint8_t *)"bad \377";
		r.value_len = 5;
		weir_expr_root(&r, &sc, &pv);
		CHECK(pv.type == WEIR_PV_MISSING);
		r.enc = WEIR_ENC_NULL;
		r.value = NULL;
		r.value_len = 0;
		weir_expr_root(&r, &sc, &pv);
		CHECK(pv.type == WEIR_PV_MISSING);
		weir_buf_free(&sc);
	}
	weir_buf_free(&packed);
	UNIT_DONE();
}
