/*
 * gen.h - deterministic synthetic streams for demos, tests and benchmarks.
 *
 * clicks: {"ts":..., "user":"u17", "page":"/p/3", "amount":12.34}.  Event
 * times advance 1 ms per click from --start, and one click in five arrives
 * up to WEIR_GEN_MAX_LATE ms late (out of order), like clicks from phones.
 * The same seed always gives the same stream.
 *
 * nexmark: the Nexmark benchmark's people, auctions and bids (nexmark.h).
 */
#ifndef WEIR_GEN_H
#define WEIR_GEN_H

#include "util.h"

#define WEIR_GEN_MAX_LATE 2000
#define WEIR_GEN_START 1700000000000LL	/* 2023-11-14T22:13:20Z */

typedef struct weir_gen {
	uint64_t state;
	uint64_t i;
	int64_t start;
	uint32_t users, pages;
	int kind;		/* WEIR_GEN_CLICKS or WEIR_GEN_NEXMARK */
	uint64_t seed, tps;	/* nexmark: events per second of event time */
} weir_gen;

#define WEIR_GEN_CLICKS 0
#define WEIR_GEN_NEXMARK 1

int weir_gen_kind(const char *name);	/* WEIR_GEN_..., -1 unknown */
void weir_gen_init(weir_gen *g, uint64_t seed, int64_t start, uint32_t users);
/* Go to event number n: the generator is a function of seed and n. */
void weir_gen_seek(weir_gen *g, uint64_t n);
/* Append the next click's packed value to out and set its event time. */
int weir_gen_click(weir_gen *g, weir_buf *out, int64_t *ts);
/* Make g a generator of this kind (after weir_gen_init; tps for nexmark). */
void weir_gen_set_kind(weir_gen *g, int kind, uint64_t tps);
/* Append the next event of g's kind and set its event time. */
int weir_gen_next(weir_gen *g, weir_buf *out, int64_t *ts);

#endif
