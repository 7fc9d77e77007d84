/*
 * nexmark.h - the Nexmark benchmark's event generator (weir-source --gen
 * nexmark).
 *
 * Event n is a person when n % 50 < 1, an auction when n % 50 < 4, else a
 * bid (1:3:46).  Its event time is start + n * 1e6 / tps microseconds, in
 * whole milliseconds.  Everything about event n is drawn from a random
 * stream seeded by (seed, n) alone, so any event can be generated without
 * the ones before it: a generator seeks in O(1) and can be split across
 * processes.  The model (ids, hot items, prices, sizes) is the one of the
 * nexmark/nexmark generator; see weir-source(1).
 */
#ifndef WEIR_NEXMARK_H
#define WEIR_NEXMARK_H

#include "util.h"

#define WEIR_NX_PERSON 0
#define WEIR_NX_AUCTION 1
#define WEIR_NX_BID 2

#define WEIR_NX_TPS 10000	/* default events per second of event time */
#define WEIR_NX_DELAY 4000	/* watermark: 4 s behind, as Nexmark's DDL */
#define WEIR_NX_FIRST_ID 1000	/* first person and auction id */

#define WEIR_SPLITMIX_STEP 0x9e3779b97f4a7c15ULL

/* splitmix64's output for the state z: the k-th draw after state s is
 * weir_splitmix64_mix(s + k * WEIR_SPLITMIX_STEP), so draws can be made
 * out of order. */
static inline uint64_t
weir_splitmix64_mix(uint64_t z)
{
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

/* splitmix64: the next of the stream whose state is *s (both generators). */
static inline uint64_t
weir_splitmix64(uint64_t *s)
{
	return weir_splitmix64_mix(*s += WEIR_SPLITMIX_STEP);
}

/* Which kind event n is (WEIR_NX_PERSON, _AUCTION or _BID). */
int weir_nx_kind(uint64_t n);
/* Event n's time in epoch milliseconds. */
int64_t weir_nx_time(int64_t start, uint64_t tps, uint64_t n);
/* The id of the last person / auction created at or before event n
 * (before the first one: WEIR_NX_FIRST_ID - 1 for auctions). */
int64_t weir_nx_last_person(uint64_t n);
int64_t weir_nx_last_auction(uint64_t n);
/* A price in cents from a 64-bit random draw: round(10^(6u) * 100) for u
 * the draw's top 53 bits over 2^53 (what llround(pow(...)) gives). */
int64_t weir_nx_price(uint64_t draw);
/* For tests: 0 keeps the generator off its AVX-512 code (the same bytes
 * either way), 1 lets it use it where the CPU has it (the default). */
void weir_nx_simd(int on);
/*
 * Append event n as a packed flat object: event_type, then the fields of
 * Nexmark's person, auction or bid view.  Sets *ts to its dateTime.
 * Returns 0, or -1 out of memory.
 */
int weir_nx_event(uint64_t seed, int64_t start, uint64_t tps, uint64_t n,
    weir_buf *out, int64_t *ts);

#endif
