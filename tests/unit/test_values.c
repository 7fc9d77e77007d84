/* test_values.c - one value semantics (issue 10): canonical form, exact
 * numbers, the number rule, duplicate keys. */
#include "unit.h"

#include "pack.h"

static weir_buf pb[2];

/* JSON text packed into pb[i] and viewed as v. */
static void
pk(int i, const char *json, weir_pv *v)
{
	pb[i].len = 0;
	if (weir_pack_json(&pb[i], (const uint8_t *)json, strlen(json), NULL,
	    0) < 0) {
		v->type = WEIR_PV_MISSING;
		return;
	}
	weir_pv_of(pb[i].p, pb[i].len, v);
}

/* Do two JSON texts have the same canonical form? */
static int
same(const char *a, const char *b)
{
	weir_buf x = {0}, y = {0};
	weir_pv u, v;
	int eq;

	pk(0, a, &u);
	pk(1, b, &v);
	if (weir_pv_canon(&x, &u) < 0 || weir_pv_canon(&y, &v) < 0 ||
	    weir_pack_validate(x.p, x.len, NULL, 0) < 0 ||
	    weir_pack_validate(y.p, y.len, NULL, 0) < 0)
		eq = -1;
	else
		eq = x.len == y.len && memcmp(x.p, y.p, x.len) == 0;
	weir_buf_free(&x);
	weir_buf_free(&y);
	return eq;
}

/* The canonical form of a JSON text, as JSON. */
static const char *
canon_json(const char *a)
{
	static char out[256];
	weir_buf x = {0}, j = {0};
	weir_pv u, c;

	pk(0, a, &u);
	out[0] = 0;
	if (weir_pv_canon(&x, &u) == 0) {
		weir_pv_of(x.p, x.len, &c);
		if (weir_pv_to_json(&j, &c) == 0 && j.len < sizeof(out)) {
			memcpy(out, j.p, j.len);
			out[j.len] = 0;
		}
	}
	weir_buf_free(&x);
	weir_buf_free(&j);
	return out;
}

static int
cmp(const char *a, const char *b)
{
	weir_pv u, v;

	pk(0, a, &u);
	pk(1, b, &v);
	return weir_pv_numcmp(&u, &v);
}

static const char *
json(const char *a)
{
	static char out[256];
	weir_buf j = {0};
	weir_pv u;

	pk(0, a, &u);
	out[0] = 0;
	if (weir_pv_to_json(&j, &u) == 0 && j.len < sizeof(out)) {
		memcpy(out, j.p, j.len);
		out[j.len] = 0;
	}
	weir_buf_free(&j);
	return out;
}

int
main(void)
{
	weir_buf sc = {0};
	weir_pv v, n;
	int64_t m;
	int s;

	/* strings by their characters */
	CHECK(same("\"u\\u00e9\"", "\"u\xc3\xa9\"") == 1);
	CHECK(same("\"a\\/b\"", "\"a/b\"") == 1);
	CHECK(same("\"q\\u0022\\n\"", "\"q\\\"\\n\"") == 1);
	CHECK(same("\"a\"", "\"b\"") == 0);
	CHECK(same("\"" "abcdefghijabcdefghijabcdefghij\\u0041" "\"",
	    "\"abcdefghijabcdefghijabcdefghijA\"") == 1);
	/* numbers by exact value; never equal to a string */
	CHECK(same("1", "1.0") == 1);
	CHECK(same("1", "1e0") == 1);
	CHECK(same("100", "1E+2") == 1);
	CHECK(same("-0", "0.000") == 1);
	CHECK(same("1.5", "1.50") == 1);
	CHECK(same("0.1", "1e-1") == 1);
	CHECK(same("9007199254740993", "9007199254740992") == 0);
	CHECK(same("12345678901234567890123", "1.2345678901234567890123e22")
	    == 1);
	CHECK(same("1234567890123456.78", "123456789012345678e-2") == 1);
	CHECK(same("1e400", "10e399") == 1);
	CHECK(same("1", "\"1\"") == 0);
	/* containers, recursively */
	CHECK(same("{\"k\":[1.0,\"\\u00e9\"]}", "{\"k\":[1,\"\xc3\xa9\"]}") == 1);
	CHECK(same("[1,2]", "[2,1]") == 0);
	CHECK_STR(canon_json("1.50"), "1.5");
	CHECK_STR(canon_json("1E+2"), "100");
	CHECK_STR(canon_json("\"a\\/b\\u0001\""), "\"a/b\\u0001\"");
	CHECK_STR(canon_json("1e400"), "1e+400");
	CHECK_STR(canon_json("-0.000000001234"), "-0.000000001234");
	CHECK_STR(canon_json("-1234e-23"), "-1.234e-20");
	CHECK_STR(canon_json("0.0001234"), "0.0001234");
	CHECK_STR(canon_json("123456789012345678901234567890"),
	    "123456789012345678901234567890");

	/* exact order */
	CHECK(cmp("9007199254740993", "9007199254740992") > 0);
	CHECK(cmp("1", "1.0") == 0);
	CHECK(cmp("-1E+2", "-99.5") < 0);
	CHECK(cmp("1e400", "1e399") > 0);
	CHECK(cmp("0", "-0.0") == 0);
	CHECK(cmp("-1", "0.5") < 0);
	CHECK(cmp("1234567890123456.78", "1234567890123456.77") > 0);
	CHECK(cmp("0.30000000000000004", "0.3") > 0);

	/* exact decimals of up to 18 digits */
	pk(0, "1234567890123456.78", &v);
	CHECK(weir_pv_exact(&v, &m, &s) && m == 123456789012345678LL && s == 2);
	pk(0, "1.5e3", &v);
	CHECK(weir_pv_exact(&v, &m, &s) && m == 1500 && s == 0);
	pk(0, "1234567890123456789.5", &v);
	CHECK(!weir_pv_exact(&v, &m, &s));
	pk(0, "1e-19", &v);
	CHECK(!weir_pv_exact(&v, &m, &s));

	/* the number rule */
	{
		static const char *yes[] = { "5", " 5 ", "\t-3.25", "1e2",
		    "0.10", "0" };
		static const char *no[] = { "0x10", "+5", "5.", ".5", "00012",
		    "inf", "nan", "5 x", "", " ", "1e", "--1" };
		size_t i;
		for (i = 0; i < sizeof(yes) / sizeof(yes[0]); i++) {
			sc.len = 0;
			CHECK(weir_num_text((const uint8_t *)yes[i],
			    strlen(yes[i]), &sc, &n) == 1 && weir_pv_is_num(&n));
		}
		for (i = 0; i < sizeof(no) / sizeof(no[0]); i++) {
			sc.len = 0;
			CHECK(weir_num_text((const uint8_t *)no[i],
			    strlen(no[i]), &sc, &n) == 0);
		}
		pk(0, "\"\\u0035\"", &v);
		sc.len = 0;
		CHECK(weir_pv_as_num(&v, &sc, &n) == 1 && n.type == WEIR_PV_INT &&
		    n.i == 5);
		pk(0, "\"0.10\"", &v);
		sc.len = 0;
		CHECK(weir_pv_as_num(&v, &sc, &n) == 1 &&
		    weir_pv_exact(&n, &m, &s) && m == 10 && s == 2);
		pk(0, "true", &v);
		CHECK(weir_pv_as_num(&v, &sc, &n) == 0);
	}

	/* duplicate keys: the last one wins, at every depth */
	CHECK_STR(json("{\"a\":1,\"b\":0,\"a\":2}"), "{\"a\":2,\"b\":0}");
	CHECK_STR(json("{\"a\":1,\"b\":0,\"a\":[2,3],\"c\":1,\"a\":\"x\"}"),
	    "{\"a\":\"x\",\"b\":0,\"c\":1}");
	CHECK_STR(json("{\"a\":{\"x\":1,\"x\":[1,{\"y\":1,\"y\":2}]},\"a\":3}"),
	    "{\"a\":3}");
	CHECK_STR(json("{\"o\":{\"x\":1,\"x\":[1,{\"y\":1,\"y\":2}]},\"z\":3}"),
	    "{\"o\":{\"x\":[1,{\"y\":2}]},\"z\":3}");
	CHECK_STR(json("{\"a\":1,\"\\u0061\":2,\"b\":3}"),
	    "{\"a\":2,\"b\":3}");
	CHECK_STR(json("[{\"k\":1},{\"k\":2}]"), "[{\"k\":1},{\"k\":2}]");
	/* the empty key, and an escaped one equal to a plain one: the
	 * filter bit of the characters, the hash made at the check */
	CHECK_STR(json("{\"\":1,\"\\u0062\":2,\"b\":3,\"\":4}"),
	    "{\"\":4,\"\\u0062\":3}");
	{
		/* many keys (past the filter and the key stack's first block) */
		weir_buf t = {0};
		int i;
		weir_buf_putc(&t, '{');
		for (i = 0; i < 300; i++) {
			char kv[32];
			snprintf(kv, sizeof(kv), "%s\"k%d\":%d", i ? "," : "",
			    i % 150, i);
			weir_buf_puts(&t, kv);
		}
		weir_buf_puts(&t, "}");
		weir_buf_putc(&t, 0);
		pk(0, (const char *)t.p, &v);
		CHECK(weir_pv_member(&v, "k0", 2, &n) && n.i == 150);
		CHECK(weir_pv_member(&v, "k149", 4, &n) && n.i == 299);
		{
			weir_pv_iter it;
			weir_pv k, x;
			int cnt = 0;
			weir_pv_iter_init(&it, &v);
			while (weir_pv_iter_next(&it, &k, &x))
				cnt++;
			CHECK(cnt == 150);
		}
		weir_buf_free(&t);
	}
	weir_buf_free(&sc);
	weir_buf_free(&pb[0]);
	weir_buf_free(&pb[1]);
	UNIT_DONE();
}
