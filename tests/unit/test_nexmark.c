/* test_nexmark.c - the Nexmark generator: kinds, ids, times, determinism,
 * and that a seeking generator gives the events a fresh one does. */
#include "unit.h"

#include <math.h>

#include "gen.h"
#include "nexmark.h"
#include "pack.h"

/* Event n's integer field, or -1. */
static int64_t
field(const weir_buf *b, const char *k)
{
	weir_pv v, x;

	weir_pv_of(b->p, b->len, &v);
	if (!weir_pv_member(&v, k, strlen(k), &x) || x.type != WEIR_PV_INT)
		return -1;
	return x.i;
}

static void
event(uint64_t seed, uint64_t n, weir_buf *b, int64_t *ts)
{
	b->len = 0;
	if (weir_nx_event(seed, WEIR_GEN_START, 1000, n, b, ts) < 0)
		abort();
}

int
main(void)
{
	weir_buf a = {0}, b = {0};
	int64_t ts, ts2;
	uint64_t n, kinds[3] = {0};
	int ok;

	/* 1:3:46, and the event_type field says the same */
	for (n = 0, ok = 1; n < 5000; n++) {
		event(1, n, &a, &ts);
		kinds[weir_nx_kind(n)]++;
		ok &= field(&a, "event_type") == weir_nx_kind(n);
		ok &= field(&a, "dateTime") == ts;
		ok &= ts == WEIR_GEN_START + (int64_t)n;	/* 1000 tps: 1 ms each */
	}
	CHECK(ok);
	CHECK(kinds[0] == 100 && kinds[1] == 300 && kinds[2] == 4600);
	CHECK(weir_nx_kind(0) == WEIR_NX_PERSON && weir_nx_kind(1) ==
	    WEIR_NX_AUCTION && weir_nx_kind(3) == WEIR_NX_AUCTION &&
	    weir_nx_kind(4) == WEIR_NX_BID && weir_nx_kind(49) == WEIR_NX_BID &&
	    weir_nx_kind(50) == WEIR_NX_PERSON);
	/* times: n * 1e6 / tps microseconds */
	CHECK(weir_nx_time(0, 10000, 9) == 0 && weir_nx_time(0, 10000, 10) == 1);
	CHECK(weir_nx_time(5, 3, 2) == 5 + 666);

	/* ids: people and auctions from 1000, one after another */
	event(1, 0, &a, &ts);
	CHECK(field(&a, "id") == 1000);
	event(1, 50, &a, &ts);
	CHECK(field(&a, "id") == 1001);
	event(1, 1, &a, &ts);
	CHECK(field(&a, "id") == 1000);
	event(1, 3, &a, &ts);
	CHECK(field(&a, "id") == 1002);
	event(1, 51, &a, &ts);
	CHECK(field(&a, "id") == 1003);
	CHECK(weir_nx_last_auction(0) == 999 && weir_nx_last_auction(49) == 1002);
	CHECK(weir_nx_last_person(49) == 1000 && weir_nx_last_person(50) == 1001);

	/* bids name existing (or soon existing) auctions and people; an
	 * auction expires after it starts; categories 10-14 */
	for (n = 0, ok = 1; n < 20000; n++) {
		event(7, n, &a, &ts);
		if (weir_nx_kind(n) == WEIR_NX_BID) {
			ok &= field(&a, "auction") >= 1000;
			ok &= field(&a, "auction") <= weir_nx_last_auction(n) + 10;
			ok &= field(&a, "bidder") >= 1000;
			ok &= field(&a, "bidder") <= weir_nx_last_person(n) + 10;
			ok &= field(&a, "price") >= 100;
		} else if (weir_nx_kind(n) == WEIR_NX_AUCTION) {
			ok &= field(&a, "expires") > ts;
			ok &= field(&a, "category") >= 10 &&
			    field(&a, "category") <= 14;
			ok &= field(&a, "reserve") > field(&a, "initialBid");
			ok &= field(&a, "seller") <= weir_nx_last_person(n) + 10;
		}
	}
	CHECK(ok);

	/* prices: what llround(pow(10, 6u) * 100) gives, for random draws
	 * and the ends of the range */
	{
		uint64_t st = 42, d;
		int64_t want;
		for (n = 0, ok = 1; n < 2000000; n++) {
			d = n < 2 ? (n ? ~(uint64_t)0 : 0) : weir_splitmix64(&st);
			want = llround(pow(10.0, (double)(d >> 11) * 0x1.0p-53 *
			    6.0) * 100.0);
			ok &= weir_nx_price(d) == want;
		}
		CHECK(ok);
		CHECK(weir_nx_price(0) == 100 && weir_nx_price(~(uint64_t)0) ==
		    100000000);
	}

	/* and where a price is next to a tie (10^(6u) * 100 near m + 0.5,
	 * where a fast approximation would round apart from pow): the 33
	 * draws around every such boundary up to 100,000 and every 997th
	 * one to 10^8, each boundary crossed within them */
	{
		int64_t m, k, k0, want;
		int lo, hi, crossed = 1;
		for (m = 100, ok = 1; m < 100000000; m += m < 100000 ? 1 : 997) {
			k0 = (int64_t)(log10((m + 0.5) / 100.0) / 6.0 *
			    0x1.0p53);
			for (lo = hi = 0, k = k0 - 16; k <= k0 + 16; k++) {
				uint64_t d = (uint64_t)k << 11 | (uint64_t)(k &
				    0x7ff);
				want = llround(pow(10.0, (double)(d >> 11) *
				    0x1.0p-53 * 6.0) * 100.0);
				ok &= weir_nx_price(d) == want;
				lo |= want == m;
				hi |= want == m + 1;
			}
			crossed &= lo && hi;
		}
		CHECK(ok);
		CHECK(crossed);
	}

	/* a function of seed and number: the same again, another seed differs */
	event(3, 1234, &a, &ts);
	event(3, 1234, &b, &ts2);
	CHECK(a.len == b.len && memcmp(a.p, b.p, a.len) == 0 && ts == ts2);
	event(4, 1234, &b, &ts2);
	CHECK(a.len != b.len || memcmp(a.p, b.p, a.len) != 0);

	/* the AVX-512 code (where the CPU has it) gives the bytes the other
	 * gives: 5000 events each way, the channel table made anew for each
	 * (another seed's event in between) */
	{
		weir_buf x = {0}, y = {0};
		for (ok = 1, n = 0; n < 2; n++) {
			weir_buf *w = n ? &y : &x;
			uint64_t i;
			weir_nx_simd((int)n);
			event(12, 0, &a, &ts);
			for (i = 0; i < 5000; i++)
				if (weir_nx_event(11, WEIR_GEN_START, 1000, i, w,
				    &ts) < 0)
					abort();
		}
		CHECK(x.len > 5000 * 100 && x.len == y.len &&
		    memcmp(x.p, y.p, x.len) == 0);
		weir_buf_free(&x);
		weir_buf_free(&y);
	}

	/* through gen.c: seeking to n gives what a fresh run gives at n */
	{
		weir_gen g1, g2;
		int i;
		weir_gen_init(&g1, 9, 0, 0);
		weir_gen_set_kind(&g1, WEIR_GEN_NEXMARK, 100);
		weir_gen_init(&g2, 9, 0, 0);
		weir_gen_set_kind(&g2, WEIR_GEN_NEXMARK, 100);
		for (i = 0; i < 777; i++) {
			a.len = 0;
			weir_gen_next(&g1, &a, &ts);
		}
		weir_gen_seek(&g2, 777);
		for (i = 0, ok = 1; i < 100; i++) {
			a.len = b.len = 0;
			weir_gen_next(&g1, &a, &ts);
			weir_gen_next(&g2, &b, &ts2);
			ok &= a.len == b.len && !memcmp(a.p, b.p, a.len) &&
			    ts == ts2;
		}
		CHECK(ok);
		CHECK(ts == 8760);	/* event 876 at 100 tps */
	}
	weir_buf_free(&a);
	weir_buf_free(&b);
	UNIT_DONE();
}
