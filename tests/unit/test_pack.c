/* test_pack.c - packed JSON: round trips, errors, lookups, and agreement
 * with jansson on what is valid JSON. */
#include <jansson.h>
#include <math.h>

#include "pack.h"
#include "path.h"
#include "unit.h"

static char out[1 << 16];

/* pack text, write it back; returns the JSON text or an error message */
static const char *
roundtrip(const char *in)
{
	weir_buf b = {0}, o = {0};
	weir_pv pv;
	char err[256];

	if (weir_pack_json(&b, (const uint8_t *)in, strlen(in), err,
	    sizeof(err)) < 0) {
		snprintf(out, sizeof(out), "ERR %s", err);
		weir_buf_free(&b);
		return out;
	}
	if (weir_pack_validate(b.p, b.len, err, sizeof(err)) < 0) {
		snprintf(out, sizeof(out), "INVALID %s", err);
		weir_buf_free(&b);
		return out;
	}
	weir_pv_of(b.p, b.len, &pv);
	weir_pv_to_json(&o, &pv);
	snprintf(out, sizeof(out), "%.*s", (int)o.len, o.p ? (char *)o.p : "");
	weir_buf_free(&b);
	weir_buf_free(&o);
	return out;
}

static int
jansson_valid(const char *s)
{
	json_error_t e;
	json_t *j = json_loads(s, JSON_DECODE_ANY | JSON_ALLOW_NUL, &e);

	if (!j)
		return 0;
	json_decref(j);
	return 1;
}

static int
weir_valid(const char *s)
{
	weir_buf b = {0};
	int rc = weir_pack_json(&b, (const uint8_t *)s, strlen(s), NULL, 0);
	int ok = rc == 0;

	CHECK(rc == 0 || rc == WEIR_FAIL_DATA);	/* bad JSON is bad data */

	weir_buf_free(&b);
	return ok;
}

static double
num_of(const char *json, const char *path)
{
	weir_buf b = {0};
	weir_pv root, v;
	weir_path p;
	double d = NAN;

	weir_pack_json(&b, (const uint8_t *)json, strlen(json), NULL, 0);
	weir_pv_of(b.p, b.len, &root);
	weir_path_parse(&p, path, NULL, 0);
	if (weir_path_get(&p, &root, &v))
		d = weir_pv_num(&v);
	weir_path_free(&p);
	weir_buf_free(&b);
	return d;
}

static const char *
text_of(const char *json, const char *path)
{
	weir_buf b = {0}, o = {0};
	weir_pv root, v;
	weir_path p;

	weir_pack_json(&b, (const uint8_t *)json, strlen(json), NULL, 0);
	weir_pv_of(b.p, b.len, &root);
	if (weir_path_parse(&p, path, NULL, 0) < 0)
		snprintf(out, sizeof(out), "BADPATH");
	else if (weir_path_get(&p, &root, &v)) {
		weir_pv_to_text(&o, &v);
		snprintf(out, sizeof(out), "%.*s", (int)o.len,
		    o.p ? (char *)o.p : "");
		weir_path_free(&p);
	} else {
		snprintf(out, sizeof(out), "MISSING");
		weir_path_free(&p);
	}
	weir_buf_free(&b);
	weir_buf_free(&o);
	return out;
}

int
main(void)
{
	static const char *exact[] = {
		"{}", "[]", "null", "true", "false", "0", "-1", "123456789012",
		"9223372036854775807", "-9223372036854775808",
		"9223372036854775808", "1.5", "-0.25", "12.30", "0.001", "1e5",
		"-0", "-0.0", "1.0E-7", "3.14159265358979323846",
		"\"\"", "\"abc\"", "\"a\\\"b\"", "\"\\u00e9\\n\"", "\"\xc3\xa9\"",
		"\"\\ud83d\\ude00\"", "{\"a\":1,\"b\":[1,2,{\"c\":null}]}",
		"[[[[[[]]]]]]", "{\"a\\u0000b\":\"x\"}",
		"\"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa\"",
		"{\"ts\":1700000000000,\"user\":\"u1\",\"amount\":12.34}",
	};
	static const char *bad[] = {
		"", "{", "}", "[1,]", "{\"a\"}", "{\"a\":}", "{a:1}", "01", "1.",
		".5", "+1", "1e", "--1", "tru", "nul", "\"abc", "\"\\x\"",
		"\"\\ud800\"", "\"\\udc00\"", "\"\x01\"", "\"\xff\"",
		"\"\xc0\xaf\"", "\"\xed\xa0\x80\"", "[1 2]", "{} {}", "[",
		"\"\\u12\"", "NaN", "Infinity", "'a'",
	};
	size_t i;
	char deep[5000];

	for (i = 0; i < sizeof(exact) / sizeof(exact[0]); i++)
		CHECK_STR(roundtrip(exact[i]), exact[i]);
	/* weir_pv_skip ends every value, and every cut-off or corrupted
	 * one, where weir_pv_read does */
	for (i = 0; i < sizeof(exact) / sizeof(exact[0]); i++) {
		weir_buf pk = { 0 };
		char err[WEIR_ERRSZ];
		weir_pv v;
		size_t k, agree = 0, n = 0;
		int c;
		CHECK(weir_pack_json(&pk, (const uint8_t *)exact[i],
		    strlen(exact[i]), err, sizeof(err)) == 0);
		for (k = 0; k <= pk.len; k++, n++)
			agree += weir_pv_skip(pk.p, pk.p + k) ==
			    weir_pv_read(pk.p, pk.p + k, &v);
		for (k = 0; k < pk.len; k++)	/* each byte changed */
			for (c = 0; c < 256; c += 17, n++) {
				uint8_t o = pk.p[k];
				pk.p[k] = (uint8_t)(o ^ c);
				agree += weir_pv_skip(pk.p, pk.p + pk.len) ==
				    weir_pv_read(pk.p, pk.p + pk.len, &v);
				pk.p[k] = o;
			}
		CHECK(agree == n);
		weir_buf_free(&pk);
	}
	/* whitespace goes, everything else stays */
	CHECK_STR(roundtrip(" { \"a\" : [ 1 , 2 ] ,\n\t\"b\" : \"x y\" } "),
	    "{\"a\":[1,2],\"b\":\"x y\"}");
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		CHECK(!weir_valid(bad[i]));
		/* jansson agrees on what is invalid (it allows nothing more) */
		CHECK(!jansson_valid(bad[i]) || bad[i][0] == 0);
	}
	/* jansson agrees these are valid, except where it is stricter than
	 * RFC 8259: integers beyond int64 and NUL in keys */
	for (i = 0; i < sizeof(exact) / sizeof(exact[0]); i++)
		CHECK(jansson_valid(exact[i]) || strstr(exact[i], "\\u0000") ||
		    !strcmp(exact[i], "9223372036854775808"));

	/* error messages name the column */
	CHECK_STR(roundtrip("{\"a\":1,}"),
	    "ERR invalid JSON at column 8: expected a string key");
	CHECK_STR(roundtrip("[1,2"), "ERR invalid JSON at column 5: "
	    "unexpected end of input");

	/* nesting: 1024 levels fine, 1025 refused, 100000 refused fast */
	memset(deep, '[', 1024);
	memset(deep + 1024, ']', 1024);
	deep[2048] = 0;
	CHECK(weir_valid(deep));
	memset(deep, '[', 1025);
	memset(deep + 1025, ']', 1025);
	deep[2050] = 0;
	CHECK(!weir_valid(deep));
	{
		size_t n = 100000;
		char *d = malloc(n + 1);
		memset(d, '[', n);
		d[n] = 0;
		CHECK(!weir_valid(d));
		free(d);
	}

	/* numbers */
	CHECK(num_of("{\"a\":12.34}", ".a") == 12.34);
	CHECK(num_of("{\"a\":-0.5}", ".a") == -0.5);
	CHECK(num_of("{\"a\":1e3}", ".a") == 1000);
	CHECK(num_of("{\"a\":123456789012345678901234}", ".a") ==
	    123456789012345678901234.0);
	CHECK(num_of("{\"a\":0.1}", ".a") == 0.1);
	CHECK(num_of("{\"a\":9007199254740993}", ".a") == 9007199254740992.0);
	CHECK(isnan(num_of("{\"a\":\"1\"}", ".a")));

	/* lookups */
	CHECK_STR(text_of("{\"a\":{\"b\":[10,20,30]}}", ".a.b[1]"), "20");
	CHECK_STR(text_of("{\"a\":{\"b\":[10,20,30]}}", ".a.b[-1]"), "30");
	CHECK_STR(text_of("{\"a\":{\"b\":[10,20,30]}}", ".a.b[3]"), "MISSING");
	CHECK_STR(text_of("{\"a\":{\"b\":[10,20,30]}}", ".a.c"), "MISSING");
	/* paths of many steps: each reads the one before in place */
	CHECK_STR(text_of("{\"a\":[[1,[2,{\"b\":{\"c\":[7,8]}}]]]}",
	    ".a[0][1][1].b.c[-1]"), "8");
	CHECK_STR(text_of("{\"a\":[[1,[2,{\"b\":{\"c\":[7,8]}}]]]}",
	    ".a[0][1][1].b.d[0]"), "MISSING");
	CHECK_STR(text_of("{\"a\":{\"b\":{\"c\":{\"d\":{\"e\":\"deep\"}}}}}",
	    ".a.b.c.d.e"), "deep");
	CHECK_STR(text_of("{\"a b\":\"x\\ty\"}", ".[\"a b\"]"), "x\ty");
	CHECK_STR(text_of("{\"k\\\"q\":1}", ".[\"k\\\"q\"]"), "1");
	CHECK_STR(text_of("{\"a\":1}", "."), "{\"a\":1}");
	CHECK_STR(text_of("{\"a\":1}", "a"), "BADPATH");
	CHECK_STR(text_of("{\"a\":1}", ".a..b"), "BADPATH");
	CHECK_STR(text_of("{\"x\":1,\"longer_key_than_thirty_one_chars_x\":2}",
	    ".longer_key_than_thirty_one_chars_x"), "2");

	/* builders */
	{
		weir_buf b = {0}, o = {0};
		weir_pv pv;
		size_t m = weir_pack_open(&b, WEIR_PK_OBJ);
		weir_pack_str(&b, "s", 1);
		weir_pack_str(&b, "q\"\n", 3);
		weir_pack_str(&b, "d", 1);
		weir_pack_double(&b, 0.1 + 0.2);
		weir_pack_str(&b, "i", 1);
		weir_pack_int(&b, -42);
		weir_pack_str(&b, "n", 1);
		weir_pack_double(&b, NAN);
		weir_pack_str(&b, "big", 3);
		{
			size_t m2 = weir_pack_open(&b, WEIR_PK_ARR);
			for (i = 0; i < 100; i++)
				weir_pack_int(&b, (int64_t)i);
			weir_pack_close(&b, m2);
		}
		weir_pack_close(&b, m);
		CHECK(weir_pack_validate(b.p, b.len, NULL, 0) == 0);
		weir_pv_of(b.p, b.len, &pv);
		weir_pv_to_json(&o, &pv);
		CHECK(o.len > 40 && memcmp(o.p, "{\"s\":\"q\\\"\\n\",\"d\":"
		    "0.30000000000000004,\"i\":-42,\"n\":null,\"big\":[0,1,", 59) == 0);
		CHECK(weir_pack_str(&b, "\xff", 1) == WEIR_FAIL_DATA);
		CHECK(weir_pack_numtext(&b, "1.", 2) == WEIR_FAIL_DATA);
		CHECK(weir_pack_numtext(&b, "-1.5e3", 6) == 0);
		weir_buf_free(&b);
		weir_buf_free(&o);
	}

	/* validate rejects corrupt packed values */
	{
		static const uint8_t c1[] = { 0x09, 0x05, 0x41, 'a' };	/* short body */
		static const uint8_t c2[] = { 0x41, 0xff };	/* bad UTF-8 */
		static const uint8_t c3[] = { 0x09, 0x02, 0x03, 0x02 };	/* int key */
		static const uint8_t c4[] = { 0x05, 0x02, 'a', 'b' };	/* bad num */
		static const uint8_t c5[] = { 0x41, '"' };	/* plain quote */
		static const uint8_t c6[] = { 0x07, 0x01, '\\' };	/* bad escape */
		static const uint8_t c7[] = { 0x00, 0x00 };	/* trailing */
		static const uint8_t c8[] = { 0x04, 0x02, 0x00 };	/* dec scale 0 */
		static const uint8_t ok[] = { 0x09, 0x03, 0x41, 'a', 0x02 };
		CHECK(weir_pack_validate(c1, sizeof(c1), NULL, 0) < 0);
		CHECK(weir_pack_validate(c2, sizeof(c2), NULL, 0) < 0);
		CHECK(weir_pack_validate(c3, sizeof(c3), NULL, 0) < 0);
		CHECK(weir_pack_validate(c4, sizeof(c4), NULL, 0) < 0);
		CHECK(weir_pack_validate(c5, sizeof(c5), NULL, 0) < 0);
		CHECK(weir_pack_validate(c6, sizeof(c6), NULL, 0) < 0);
		CHECK(weir_pack_validate(c7, sizeof(c7), NULL, 0) < 0);
		CHECK(weir_pack_validate(c8, sizeof(c8), NULL, 0) < 0);
		CHECK(weir_pack_validate(ok, sizeof(ok), NULL, 0) == 0);
	}

	/* short plain strings are checked a word at a time when 8 bytes can
	 * be read: what lies after the string does not count (here an int
	 * and a null, bytes 0x03 and 0x00), every byte in it does */
	{
		static const uint8_t evil[] = { '"', '\\', 0x01, 0xff, 0x80 };
		uint8_t v[32];
		size_t n, k, e, len;
		int nbad = 0, ngood = 0;
		for (n = 1; n < 8; n++)
			for (k = 0; k < n; k++)
				for (e = 0; e < sizeof(evil); e++) {
					/* {"k":"<n bytes>","i":1,"j":null} */
					v[0] = 0x09;
					v[1] = (uint8_t)(3 + n + 7);
					v[2] = 0x41;
					v[3] = 'k';
					v[4] = (uint8_t)(0x40 | n);
					memset(v + 5, 'a', n);
					memcpy(v + 5 + n, "\x41i\x03\x02\x41j\x00", 7);
					len = 5 + n + 7;
					ngood += weir_pack_validate(v, len, NULL, 0) == 0;
					v[5 + k] = evil[e];
					nbad += weir_pack_validate(v, len, NULL, 0) < 0;
				}
		CHECK(nbad == 28 * 5);
		CHECK(ngood == 28 * 5);
		/* UTF-8 in a short string: checked as UTF-8 */
		{
			uint8_t u[] = { 0x09, 0x0c, 0x41, 'k', 0x43, 0xc3, 0xa9,
			    'x', 0x41, 'j', 0x00, 0x41, 'i', 0x01 };
			CHECK(weir_pack_validate(u, sizeof(u), NULL, 0) == 0);
			u[6] = 'x';	/* a lead byte without its follower */
			CHECK(weir_pack_validate(u, sizeof(u), NULL, 0) < 0);
		}
	}
	/* member lookups step over integers of every varint length (a
	 * 10-byte one is INT64_MAX) and stop at a truncated one */
	{
		weir_buf b = {0};
		weir_pv root, v;
		static const char *js = "{\"a\":9223372036854775807,\"m\":-1,"
		    "\"t\":1700000000000,\"s\":\"x\",\"n\":null,\"b\":7}";
		static const uint8_t trunc[] = { 0x09, 0x05, 0x41, 'a', 0x03,
		    0x80, 0x80 };
		CHECK(weir_pack_json(&b, (const uint8_t *)js, strlen(js), NULL,
		    0) == 0);
		weir_pv_of(b.p, b.len, &root);
		CHECK(weir_pv_member(&root, "b", 1, &v) && v.type == WEIR_PV_INT &&
		    v.i == 7);
		CHECK(weir_pv_member(&root, "a", 1, &v) && v.i == INT64_MAX);
		CHECK(!weir_pv_member(&root, "z", 1, &v));
		root.type = WEIR_PV_OBJECT;
		root.s = trunc + 2;
		root.n = sizeof(trunc) - 2;
		CHECK(!weir_pv_member(&root, "z", 1, &v));
		weir_buf_free(&b);
	}
	UNIT_DONE();
}
