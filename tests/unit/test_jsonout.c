/* test_jsonout.c - the JSON writers: integer and decimal text at every
 * digit count, and packed values written back as JSON, checked against a
 * plain reference writer (snprintf digits, one buffer check per byte). */
#include <inttypes.h>
#include <stdint.h>

#include "pack.h"
#include "unit.h"

static char got[128], want[128];

/* -v without overflow (INT64_MIN stays itself) */
static int64_t
neg(int64_t v)
{
	return (int64_t)(0 - (uint64_t)v);
}

static const char *
i64_text(int64_t v)
{
	weir_buf b = {0};

	if (weir_json_put_i64(&b, v) < 0 || b.len >= sizeof(got))
		return "(fail)";
	memcpy(got, b.p, b.len);
	got[b.len] = 0;
	weir_buf_free(&b);
	return got;
}

static int
i64_ok(int64_t v)
{
	uint8_t t[24];
	size_t n;

	snprintf(want, sizeof(want), "%" PRId64, v);
	memset(t, 'x', sizeof(t));
	n = weir_json_i64_text(t, v);
	/* the writer leaves the bytes after the text alone */
	return strcmp(i64_text(v), want) == 0 && n == strlen(want) &&
	    memcmp(t, want, n) == 0 && t[n] == 'x';
}

/* m / 10^scale, the long way: digits of |m| with at least scale + 1 of
 * them, a point scale digits from the right. */
static const char *
dec_ref(int64_t m, int scale)
{
	char d[32];
	uint64_t u = m < 0 ? 0 - (uint64_t)m : (uint64_t)m;
	int n, s = scale > 0 ? scale : 0, k = 0, i;

	n = snprintf(d, sizeof(d), "%" PRIu64, u);
	if (m < 0)
		want[k++] = '-';
	if (n <= s) {
		want[k++] = '0';
		want[k++] = '.';
		for (i = 0; i < s - n; i++)
			want[k++] = '0';
		memcpy(want + k, d, (size_t)n);
		k += n;
	} else {
		memcpy(want + k, d, (size_t)(n - s));
		k += n - s;
		want[k++] = '.';
		memcpy(want + k, d + n - s, (size_t)s);
		k += s;
	}
	want[k] = 0;
	return want;
}

static int
dec_ok(int64_t m, int scale)
{
	weir_buf b = {0};
	int ok;

	if (weir_json_put_dec(&b, m, scale) < 0)
		return 0;
	ok = b.len == strlen(dec_ref(m, scale)) && memcmp(b.p, want, b.len) == 0;
	weir_buf_free(&b);
	return ok;
}

static void
test_integers(void)
{
	uint64_t p = 1;
	unsigned long long s = 88172645463325252ULL;
	int d, i, bad;

	CHECK(i64_ok(0));
	CHECK(i64_ok(-1));
	CHECK(i64_ok(1));
	CHECK(i64_ok(INT64_MAX));
	CHECK(i64_ok(INT64_MIN));
	CHECK(i64_ok(INT64_MIN + 1));
	CHECK_STR(i64_text(INT64_MIN), "-9223372036854775808");
	CHECK_STR(i64_text(1700000000000), "1700000000000");
	/* every digit count, at both ends and either sign */
	for (d = 1, bad = 0; d <= 19; d++, p *= 10) {
		int64_t lo = (int64_t)p, hi = d == 19 ? INT64_MAX :
		    (int64_t)(p * 10 - 1);
		if (!i64_ok(lo) || !i64_ok(hi) || !i64_ok(-lo) || !i64_ok(-hi) ||
		    !i64_ok(lo + 1) || !i64_ok(hi - 1) || !i64_ok(-lo - 1))
			bad++;
	}
	CHECK(bad == 0);
	for (i = 0, bad = 0; i < 200000; i++) {
		uint64_t r = unit_xorshift(&s);
		int64_t v = (int64_t)(r >> (r & 63));	/* every magnitude */
		if (!i64_ok(v) || !i64_ok(neg(v)))
			bad++;
	}
	CHECK(bad == 0);
}

static void
test_decimals(void)
{
	unsigned long long s = 2463534242ULL;
	int i, sc, bad;

	CHECK(dec_ok(12345, 2));
	CHECK(dec_ok(-5, 3));
	CHECK(dec_ok(0, 2));
	CHECK(dec_ok(1230, 3));
	CHECK(dec_ok(INT64_MIN, 15));
	CHECK(dec_ok(INT64_MAX, 1));
	CHECK(dec_ok(123, 0));		/* "123." as it always was */
	CHECK(dec_ok(123, -2));
	CHECK(dec_ok(7, 30));		/* longer than any packed scale */
	dec_ref(-5, 3);
	CHECK_STR(want, "-0.005");
	dec_ref(123, 0);
	CHECK_STR(want, "123.");
	for (i = 0, bad = 0; i < 100000; i++) {
		uint64_t r = unit_xorshift(&s);
		int64_t m = (int64_t)(r >> (r & 63));
		sc = 1 + (int)(unit_xorshift(&s) % 18);
		if (!dec_ok(m, sc) || !dec_ok(neg(m), sc))
			bad++;
	}
	CHECK(bad == 0);
	/* every digit count against every scale */
	for (i = 0, bad = 0; i < 19; i++) {
		int64_t m = 1;
		int k;
		for (k = 0; k < i; k++)
			m = m * 10 + (k % 10);
		for (sc = 1; sc <= 15; sc++)
			if (!dec_ok(m, sc) || !dec_ok(-m, sc))
				bad++;
	}
	CHECK(bad == 0);
}

/* ---- packed values back to JSON ---- */

/* The reference writer: the value at p as JSON, a byte at a time. */
static const uint8_t *
ref_write(weir_buf *o, const uint8_t *p, const uint8_t *end)
{
	weir_pv v;
	weir_pv_iter it;
	weir_pv k, x;
	const uint8_t *e = weir_pv_read(p, end, &v);
	char t[64];
	int first = 1;

	if (!e)
		return NULL;
	switch (v.type) {
	case WEIR_PV_NULL:
		return weir_buf_puts(o, "null") < 0 ? NULL : e;
	case WEIR_PV_FALSE:
		return weir_buf_puts(o, "false") < 0 ? NULL : e;
	case WEIR_PV_TRUE:
		return weir_buf_puts(o, "true") < 0 ? NULL : e;
	case WEIR_PV_INT:
		snprintf(t, sizeof(t), "%" PRId64, v.i);
		return weir_buf_puts(o, t) < 0 ? NULL : e;
	case WEIR_PV_DEC:
		return weir_buf_puts(o, dec_ref(v.i, v.scale)) < 0 ? NULL : e;
	case WEIR_PV_NUMTEXT:
		return weir_buf_put(o, v.s, v.n) < 0 ? NULL : e;
	case WEIR_PV_STRING:
		if (weir_buf_putc(o, '"') < 0 || weir_buf_put(o, v.s, v.n) < 0 ||
		    weir_buf_putc(o, '"') < 0)
			return NULL;
		return e;
	case WEIR_PV_ARRAY:
	case WEIR_PV_OBJECT:
		weir_buf_putc(o, v.type == WEIR_PV_OBJECT ? '{' : '[');
		weir_pv_iter_init(&it, &v);
		while (weir_pv_iter_next(&it, &k, &x)) {
			if (!first)
				weir_buf_putc(o, ',');
			first = 0;
			if (v.type == WEIR_PV_OBJECT) {
				ref_write(o, k.tag, k.end);
				weir_buf_putc(o, ':');
			}
			ref_write(o, x.tag, x.end);
		}
		weir_buf_putc(o, v.type == WEIR_PV_OBJECT ? '}' : ']');
		return e;
	default:
		return NULL;
	}
}

/* JSON text in, packed, written back: equal to the text (minified input)
 * and to the reference writer. */
static int
same_json(const char *json)
{
	weir_buf b = {0}, o = {0}, r = {0};
	weir_pv pv;
	int ok;

	if (weir_pack_json(&b, (const uint8_t *)json, strlen(json), NULL, 0) < 0 ||
	    weir_pack_validate(b.p, b.len, NULL, 0) < 0)
		return 0;
	weir_pv_of(b.p, b.len, &pv);
	ok = weir_pv_to_json(&o, &pv) == 0 &&
	    ref_write(&r, b.p, b.p + b.len) == b.p + b.len &&
	    o.len == r.len && memcmp(o.p, r.p, o.len) == 0 &&
	    o.len == strlen(json) && memcmp(o.p, json, o.len) == 0;
	weir_buf_free(&b);
	weir_buf_free(&o);
	weir_buf_free(&r);
	return ok;
}

static void
rand_str(weir_buf *t, unsigned long long *s, size_t n, const char *pre)
{
	static const char al[] = "abcdefghij KLMNOP\\\"\xc3\xa9";
	size_t i;

	weir_buf_putc(t, '"');
	weir_buf_puts(t, pre);
	for (i = 0; i < n; i++) {
		unsigned c = (unsigned)(unit_xorshift(s) % (sizeof(al) - 1));
		if (al[c] == '\\' || al[c] == '"')
			weir_buf_putc(t, '\\');
		if (al[c] == (char)0xc3 || al[c] == (char)0xa9)
			weir_buf_puts(t, "\xc3\xa9");	/* whole characters */
		else
			weir_buf_putc(t, al[c]);
	}
	weir_buf_putc(t, '"');
}

/* Random minified JSON, every kind of value and string lengths around the
 * 31-byte short form and the 32-byte copy. */
static void
rand_json(weir_buf *t, unsigned long long *s, int depth)
{
	unsigned k = (unsigned)(unit_xorshift(s) % (depth > 4 ? 7 : 9));
	uint64_t r;
	size_t i, n;
	char key[32];

	switch (k) {
	case 0:
		weir_buf_puts(t, unit_xorshift(s) & 1 ? "null" : "true");
		break;
	case 1:
		weir_buf_puts(t, "false");
		break;
	case 2:
		r = unit_xorshift(s);
		weir_buf_printf(t, "%" PRId64, r & 64 ?
		    neg((int64_t)(r >> (r & 63))) : (int64_t)(r >> (r & 63)));
		break;
	case 3:
		r = unit_xorshift(s) % 100000000;
		weir_buf_printf(t, "%s%" PRIu64 ".%0*" PRIu64, r & 1 ? "-" : "",
		    r / 1000, (int)(1 + r % 5), 1 + r % 997);
		break;
	case 4:
		weir_buf_puts(t, unit_xorshift(s) & 1 ? "1.5e300" :
		    "123456789012345678901234567890");
		break;
	case 5:
	case 6:
		rand_str(t, s, (size_t)(unit_xorshift(s) % 70), "");
		break;
	case 7:
		n = (size_t)(unit_xorshift(s) % 6);
		weir_buf_putc(t, '[');
		for (i = 0; i < n; i++) {
			if (i)
				weir_buf_putc(t, ',');
			rand_json(t, s, depth + 1);
		}
		weir_buf_putc(t, ']');
		break;
	default:
		n = (size_t)(unit_xorshift(s) % 6);
		weir_buf_putc(t, '{');
		for (i = 0; i < n; i++) {
			if (i)
				weir_buf_putc(t, ',');
			snprintf(key, sizeof(key), "k%zu", i);	/* unique */
			rand_str(t, s, (size_t)(unit_xorshift(s) % 40), key);
			weir_buf_putc(t, ':');
			rand_json(t, s, depth + 1);
		}
		weir_buf_putc(t, '}');
		break;
	}
}

static void
test_values(void)
{
	unsigned long long s = 0x9e3779b97f4a7c15ULL;
	weir_buf t = {0};
	int i, bad;
	size_t n;

	CHECK(same_json("{\"a\":1,\"b\":\"x\",\"c\":[true,false,null],\"d\":{}}"));
	CHECK(same_json("[]"));
	CHECK(same_json("\"\""));
	CHECK(same_json("-9223372036854775808"));
	CHECK(same_json("[1.25,-0.005,3.000,1e400,12345678901234567890]"));
	CHECK(same_json("{\"auction\":1000,\"bidder\":2001,\"price\":57203,"
	    "\"dateTime\":1700000000000,\"extra\":\"a b c\"}"));
	CHECK(same_json("[\"\\u00e9\\n\\\"\",\"\xc3\xa9t\xc3\xa9\"]"));
	/* strings of every length up to past the short form, last in the
	 * value (no 32 bytes after them) and followed by more */
	for (n = 0, bad = 0; n < 80; n++) {
		t.len = 0;
		weir_buf_puts(&t, "[");
		rand_str(&t, &s, n, "");
		weir_buf_puts(&t, ",");
		rand_str(&t, &s, n, "");
		weir_buf_puts(&t, ",1]");
		weir_buf_putc(&t, 0);
		if (!same_json((const char *)t.p))
			bad++;
		t.len = 0;
		rand_str(&t, &s, n, "");
		weir_buf_putc(&t, 0);
		if (!same_json((const char *)t.p))
			bad++;
	}
	CHECK(bad == 0);
	for (i = 0, bad = 0; i < 3000; i++) {
		t.len = 0;
		rand_json(&t, &s, 0);
		weir_buf_putc(&t, 0);
		if (!same_json((const char *)t.p)) {
			if (!bad)
				printf("# differs: %s\n", (char *)t.p);
			bad++;
		}
	}
	CHECK(bad == 0);
	weir_buf_free(&t);
}

/* Values over 64 KiB: written member by member. */
static void
test_large(void)
{
	unsigned long long s = 12345;
	weir_buf t = {0};
	int i;

	weir_buf_putc(&t, '{');
	for (i = 0; i < 5000; i++) {
		weir_buf_printf(&t, "%s\"f%d\":", i ? "," : "", i);
		rand_json(&t, &s, 1);
	}
	weir_buf_puts(&t, ",\"big\":");
	weir_buf_putc(&t, '[');
	for (i = 0; i < 30000; i++)
		weir_buf_printf(&t, "%s%d", i ? "," : "", i * 7 - 1000);
	weir_buf_puts(&t, "]}");
	weir_buf_putc(&t, 0);
	CHECK(t.len > 200000);
	CHECK(same_json((const char *)t.p));
	/* a long string alone */
	t.len = 0;
	weir_buf_putc(&t, '"');
	for (i = 0; i < 100000; i++)
		weir_buf_putc(&t, 'a' + i % 26);
	weir_buf_puts(&t, "\\n\"");
	weir_buf_putc(&t, 0);
	CHECK(same_json((const char *)t.p));
	weir_buf_free(&t);
}

/* Malformed packed values (unchecked) fail instead of being written. */
static void
test_malformed(void)
{
	weir_buf o = {0};
	weir_pv pv;
	/* an object whose last key has no value; an array cut short; a
	 * string longer than its array */
	static const uint8_t nokey[] = { WEIR_PK_OBJ, 6, 0x41, 'a', 0x41, 'b',
	    0x41, 'c' };
	static const uint8_t cut[] = { WEIR_PK_ARR, 3, WEIR_PK_INT, 0x80, 0x80 };
	static const uint8_t str[] = { WEIR_PK_ARR, 2, 0x45, 'a' };

	pv.type = WEIR_PV_OBJECT;
	pv.tag = nokey;
	pv.end = nokey + sizeof(nokey);
	CHECK(weir_pv_to_json(&o, &pv) < 0);
	pv.type = WEIR_PV_ARRAY;
	pv.tag = cut;
	pv.end = cut + sizeof(cut);
	CHECK(weir_pv_to_json(&o, &pv) < 0);
	pv.tag = str;
	pv.end = str + sizeof(str);
	CHECK(weir_pv_to_json(&o, &pv) < 0);
	weir_buf_free(&o);
}

/* Nesting: as deep as the packer allows is written. */
static void
test_deep(void)
{
	weir_buf t = {0};
	int i;

	for (i = 0; i < WEIR_PACK_MAX_DEPTH - 1; i++)
		weir_buf_putc(&t, '[');
	weir_buf_puts(&t, "1");
	for (i = 0; i < WEIR_PACK_MAX_DEPTH - 1; i++)
		weir_buf_putc(&t, ']');
	weir_buf_putc(&t, 0);
	CHECK(same_json((const char *)t.p));
	weir_buf_free(&t);
}

int
main(void)
{
	test_integers();
	test_decimals();
	test_values();
	test_large();
	test_malformed();
	test_deep();
	UNIT_DONE();
}
