/* test_xv_pack.c - weir_xv_pack of an exact decimal (what weir-map writes
 * for 'price=0.908 * .price') gives the bytes weir_pack_numtext gives for
 * its decimal text, for every scale, sign and number of digits. */
#include <stdio.h>

#include "expr.h"
#include "unit.h"

/* The decimal text of m / 10^sc, written here independently. */
static size_t
dec_text(char *s, int64_t m, int sc)
{
	char d[32];
	int n, k = 0, i;
	uint64_t u = m < 0 ? 0 - (uint64_t)m : (uint64_t)m;

	n = snprintf(d, sizeof(d), "%0*llu", sc + 1, (unsigned long long)u);
	if (m < 0)
		s[k++] = '-';
	for (i = 0; i < n; i++) {
		if (i == n - sc)
			s[k++] = '.';
		s[k++] = d[i];
	}
	return (size_t)k;
}

static int bad, tried;

static void
one(int64_t m, int sc)
{
	weir_buf got = { 0 }, want = { 0 };
	weir_xv v;
	char t[48];
	size_t n = dec_text(t, m, sc);

	memset(&v, 0, sizeof(v));
	v.type = WEIR_XV_NUM;
	v.pv.type = WEIR_PV_DEC;
	v.pv.i = m;
	v.pv.scale = sc;
	tried++;
	if (weir_xv_pack(&got, &v) != 0 || weir_pack_numtext(&want, t, n) != 0 ||
	    got.len != want.len || memcmp(got.p, want.p, got.len) != 0) {
		printf("# m %lld scale %d (%.*s): %zu bytes, want %zu\n",
		    (long long)m, sc, (int)n, t, got.len, want.len);
		bad++;
	}
	weir_buf_free(&got);
	weir_buf_free(&want);
}

int
main(void)
{
	static const int64_t ms[] = { 1, 7, 9, 11, 123, 99999, 908,
		123456789, 999999999999999, 1000000000000001,
		99999999999999999, 1234567890123456789, INT64_MAX,
		INT64_MIN + 1 };
	int64_t p = 1;
	size_t i;
	int sc, k;

	for (sc = 1; sc <= 18; sc++)
		for (i = 0; i < sizeof(ms) / sizeof(ms[0]); i++) {
			one(ms[i], sc);
			one(-ms[i], sc);
		}
	/* every length of mantissa around every scale: 10^k - 1, 10^k + 1 */
	for (k = 1; k <= 18; k++) {
		p *= 10;
		for (sc = 1; sc <= 17; sc++) {
			one(p - 1, sc);
			one(p + 1, sc);
			one(-(p - 1), sc);
		}
	}
	CHECK(tried > 1000);
	CHECK(bad == 0);
	UNIT_DONE();
}
