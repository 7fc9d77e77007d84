/* test_aggorder.c - the order weir-agg emits groups in (agg_order.c): the
 * sort by sort keys gives the order of the comparator, keycmp, for many
 * random and edge values (numbers near 2^53 and beyond, decimals,
 * negative zero, long numbers, equal prefixes, unicode and escaped
 * strings, containers, every type mixed), one path or two, by record key,
 * with few groups and many. */
#include <stdlib.h>

#include "agg.h"
#include "agg_int.h"
#include "agg_test.h"
#include "pack.h"
#include "record.h"
#include "unit.h"

static unsigned long long rng = 0x9e3779b97f4a7c15ULL;

static unsigned
rnd(unsigned n)
{
	return (unsigned)(unit_xorshift(&rng) >> 11) % n;
}

/* Values with sort keys (every number that is not kept as text, strings
 * without a character 00), then some without. */
static const char *const edge[] = {
	"null", "true", "false", "0", "-0", "0.0", "-0.0", "1", "-1", "2",
	"-2", "1.0", "1e0", "10", "255", "256", "-256", "-257", "65535",
	"65536", "0.5", "-0.5", "0.25", "-0.25", "0.1", "-0.1", "1.5", "-1.5",
	"2.5", "0.000000000000001", "-0.000000000000001",
	"123.456789012345", "-123.456789012345", "9007199254740991",
	"9007199254740992", "9007199254740993", "-9007199254740993",
	"900719925474.099", "9223372036854775807", "-9223372036854775808",
	"1e18", "4294967296", "-4294967296", "4294967295.9999", "\"\"",
	"\"a\"", "\"ab\"", "\"abc\"", "\"abcd\"", "\"abcde\"",
	"\"abcdef\"", "\"abcdefg\"", "\"abcdefgh\"", "\"abcdefghi\"",
	"\"b\"", "\"user1\"", "\"user10\"", "\"user2\"", "\"a\\u0001\"", "\"\\\"q\\\"\"",
	"\"a\\\\b\"", "\"\\u00e9\"", "\"\xc3\xa9\"", "\"\xc3\xa9t\xc3\xa9\"",
	"\"\xe6\x97\xa5\xe6\x9c\xac\"", "\"\xf0\x9f\x98\x80\"",
	"\"\\ud83d\\ude00\"", "\"\\n\"", "\"a\\tb\"", "[]", "[1]", "[1,2]",
	"[1,\"a\"]", "[[]]", "{}", "{\"a\":1}", "{\"a\":2}", "{\"b\":1}",
	"{\"a\":[1,{\"c\":null}]}", "\"1\"", "\"-1\"", "\"null\"",
	/* numbers kept as text: beyond 64 bits, more than 15 places */
	"9223372036854775808", "-9223372036854775809", "99999999999999999999",
	"1e300", "-1e300", "1e-300", "1.5e20", "0.0000000000000001",
	"1.23456789012345678901", "3.14159265358979323846",
	"9007199254740993.5", "-9007199254740993.5", "900719925474099.3",
	/* strings with a character 00 */
	"\"\\u0000\"", "\"a\\u0000\"", "\"a\\u0000b\"",
};
#define NTEXT 16		/* the last NTEXT of edge have no sort key */
#define NEDGE (sizeof(edge) / sizeof(edge[0]))

/* A random value's JSON into b: an edge value, a number or a string;
 * with exact, only numbers that have sort keys. */
static void
randval(weir_buf *b, int kinds, int exact)
{
	static const char *const pre[] = { "", "user", "abcdefghijkl",
	    "\xc3\xa9", "same prefix of some length, longer than a part " };
	unsigned k = rnd(kinds), i, n;

	switch (k) {
	case 0:
		weir_buf_puts(b, edge[rnd(NEDGE - (exact ? NTEXT : 0))]);
		break;
	case 1:		/* integers of every size and sign */
		n = 1 + rnd(exact ? 18 : 21);
		if (rnd(2))
			weir_buf_putc(b, '-');
		weir_buf_putc(b, (char)('1' + rnd(9)));
		for (i = 1; i < n; i++)
			weir_buf_putc(b, (char)('0' + rnd(10)));
		break;
	case 2:		/* decimals, a few places or many */
		if (rnd(2))
			weir_buf_putc(b, '-');
		n = rnd(3) ? 1 + rnd(6) : 1;
		for (i = 0; i < n; i++)
			weir_buf_putc(b, (char)('0' + (i ? rnd(10) :
			    n > 1 ? 1 + rnd(9) : rnd(3))));
		weir_buf_putc(b, '.');
		n = 1 + rnd(rnd(4) ? 4 : exact ? 9 : 19);
		for (i = 0; i < n; i++)
			weir_buf_putc(b, (char)('0' + rnd(10)));
		if (!exact && !rnd(8)) {
			weir_buf_puts(b, "e");
			weir_buf_putc(b, (char)('0' + rnd(10)));
		}
		break;
	default:	/* strings: shared prefixes, unicode, escapes */
		weir_buf_putc(b, '"');
		weir_buf_puts(b, pre[rnd(sizeof(pre) / sizeof(pre[0]))]);
		n = rnd(12);
		for (i = 0; i < n; i++) {
			unsigned c = rnd(20);
			if (c == 0 && !exact)
				weir_buf_puts(b, "\\u0000");
			else if (c == 1)
				weir_buf_puts(b, "\\\"");
			else if (c == 2)
				weir_buf_puts(b, "\xc3\xa9");
			else if (c == 3)
				weir_buf_puts(b, "\xe2\x82\xac");
			else
				weir_buf_putc(b, (char)('a' + rnd(3)));
		}
		weir_buf_putc(b, '"');
	}
}

/* Add a record: its value JSON, its key (klen < 0: none). */
static int
add(weir_agg *a, const char *json, const char *key, int klen)
{
	return agg_test_add(a, json, key, klen, 0, 0);
}

/* w's groups in order: a permutation, each before the next by keycmp. */
static int
ordered(weir_agg *a, struct win *w)
{
	uint32_t *o, i, n = w->n;
	char *seen;
	int ok = 1;

	if (weir__agg_order(a, w, &o) < 0 || (n && !o))
		return 0;
	if (!(seen = calloc(n + 1, 1)))
		return 0;
	for (i = 0; i < n && ok; i++) {
		if (o[i] >= n || seen[o[i]]) {
			printf("# not a permutation at %u\n", i);
			ok = 0;
		} else
			seen[o[i]] = 1;
	}
	for (i = 0; ok && i + 1 < n; i++)
		if (weir__agg_keycmp(a, w, o[i], o[i + 1]) >= 0) {
			size_t kn;
			const uint8_t *k = weir__agg_gkey(w,
			    (const struct gent *)(w->ents + (size_t)o[i] *
			    a->stride), &kn);
			printf("# out of order at %u of %u (key of %zu "
			    "bytes, first %02x)\n", i, n, kn, kn ? *k : 0);
			ok = 0;
		}
	free(seen);
	return ok;
}

static weir_agg *
agg(const char *groups)
{
	weir_agg *a = weir_agg_new();
	char err[WEIR_ERRSZ];

	if (!a || (groups && weir_agg_add_groups(a, groups, err,
	    sizeof(err)) < 0) ||
	    weir_agg_add_func(a, "count", err, sizeof(err)) < 0 ||
	    weir_agg_ready(a, err, sizeof(err)) < 0) {
		printf("# agg: %s\n", err);
		exit(1);
	}
	return a;
}

/* n records of one path (.a) or two (.a, .b), values of the first kinds
 * kinds of randval (exact: all with sort keys); the groups are sorted. */
static int
random_groups(int paths, unsigned n, int kinds, int exact)
{
	weir_agg *a = agg(paths == 1 ? ".a" : ".a,.b");
	weir_buf j = {0};
	unsigned i;
	int ok;

	for (i = 0; i < n; i++) {
		j.len = 0;
		weir_buf_puts(&j, "{\"a\":");
		randval(&j, kinds, exact);
		if (paths == 2) {
			weir_buf_puts(&j, ",\"b\":");
			randval(&j, kinds, exact);
		}
		weir_buf_putc(&j, '}');
		weir_buf_putc(&j, 0);
		if (add(a, (const char *)j.p, NULL, -1) != 0) {
			weir_buf_free(&j);
			weir_agg_free(a);
			return 0;
		}
	}
	ok = a->nowin && a->nowin->n > 1 && ordered(a, a->nowin);
	weir_buf_free(&j);
	weir_agg_free(a);
	return ok;
}

static void
test_edges(void)
{
	weir_agg *a;
	char js[128];
	unsigned i, x, ne;

	for (x = 0; x < 2; x++) {
		ne = NEDGE - (x ? 0 : NTEXT);
		/* every edge value once, in the list's order, then reversed */
		a = agg(".a");
		for (i = 0; i < ne; i++) {
			snprintf(js, sizeof(js), "{\"a\":%s}", edge[i]);
			CHECK(add(a, js, NULL, -1) == 0);
		}
		CHECK(a->nowin->n > 70);
		CHECK(ordered(a, a->nowin));
		weir_agg_free(a);
		a = agg(".a");
		for (i = ne; i-- > 0;) {
			snprintf(js, sizeof(js), "{\"a\":%s}", edge[i]);
			add(a, js, NULL, -1);
		}
		CHECK(ordered(a, a->nowin));
		weir_agg_free(a);
		/* pairs: the second path decides among equal firsts */
		a = agg(".a,.b");
		for (i = 0; i < 20000; i++) {
			snprintf(js, sizeof(js), "{\"a\":%s,\"b\":%s}",
			    edge[rnd(ne)], edge[rnd(ne)]);
			add(a, js, NULL, -1);
		}
		CHECK(a->nowin->n > 5000);
		CHECK(ordered(a, a->nowin));
		weir_agg_free(a);
	}
	/* a character 00 */
	a = agg(".a,.b");
	add(a, "{\"a\":\"a\",\"b\":5}", NULL, -1);
	add(a, "{\"a\":\"a\\u0000\",\"b\":3}", NULL, -1);
	add(a, "{\"a\":\"a\\u0000\",\"b\":\"\"}", NULL, -1);
	add(a, "{\"a\":\"a\\u0001\",\"b\":null}", NULL, -1);
	CHECK(ordered(a, a->nowin));
	weir_agg_free(a);
}

static void
test_random(void)
{
	int r, x;

	/* few groups (7 key bytes a part), some (6), many (5); numbers
	 * with sort keys only, then with numbers kept as text too */
	for (x = 1; x >= 0; x--) {
		for (r = 0; r < 20; r++)
			CHECK(random_groups(1 + r % 2, 40 + rnd(200), 4, x));
		for (r = 0; r < 6; r++)
			CHECK(random_groups(1 + r % 2, 3000, 4, x));
		CHECK(random_groups(1, 100000, 4, x));
		CHECK(random_groups(2, 100000, 4, x));
		/* numbers alone, integers alone */
		CHECK(random_groups(1, 50000, 3, x));
		CHECK(random_groups(2, 50000, 3, x));
		CHECK(random_groups(2, 50000, 2, x));
	}
}

/* Integers inserted in order, or in reverse; strings sharing 300 bytes. */
static void
test_shapes(void)
{
	weir_agg *a = agg(".a");
	char js[512];
	unsigned i;

	for (i = 0; i < 5000; i++) {
		snprintf(js, sizeof(js), "{\"a\":%u}", i * 7);
		add(a, js, NULL, -1);
	}
	CHECK(ordered(a, a->nowin));
	weir_agg_free(a);
	a = agg(".a");
	for (i = 5000; i-- > 0;) {
		snprintf(js, sizeof(js), "{\"a\":%d}", (int)i - 2500);
		add(a, js, NULL, -1);
	}
	CHECK(ordered(a, a->nowin));
	weir_agg_free(a);
	a = agg(".a");
	for (i = 0; i < 500; i++) {
		snprintf(js, sizeof(js), "{\"a\":\"%0300d%u\"}", 0, rnd(1000));
		add(a, js, NULL, -1);
	}
	CHECK(ordered(a, a->nowin));
	weir_agg_free(a);
	/* one group */
	a = agg(".a");
	add(a, "{\"a\":1}", NULL, -1);
	CHECK(a->nowin->n == 1 && ordered(a, a->nowin));
	weir_agg_free(a);
}

/* Grouping by record key: bytes of every value, 00 among them, none. */
static void
test_record_keys(void)
{
	weir_agg *a = agg(NULL);
	char k[16];
	unsigned i, j, n;

	for (i = 0; i < 30000; i++) {
		n = rnd(9);
		for (j = 0; j < n; j++)
			k[j] = (char)(rnd(4) ? 'a' + rnd(3) : rnd(256));
		add(a, "{}", k, rnd(50) ? (int)n : -1);
	}
	CHECK(a->nowin->n > 10000);
	CHECK(ordered(a, a->nowin));
	weir_agg_free(a);
}

int
main(void)
{
	test_edges();
	test_random();
	test_shapes();
	test_record_keys();
	UNIT_DONE();
}
