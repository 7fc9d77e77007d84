/*
 * uniq.h - "have I seen this value before?" for weir-check's unique rule:
 * an exact set with a memory bound, which can turn into a HyperLogLog
 * sketch (lib/hll.h) when the bound is reached.
 *
 * Exact mode keeps every distinct value once, in an append-only arena,
 * and an open-addressing table of 8-byte slots (40-bit arena offset and a
 * 24-bit tag from the hash, so most probes never touch the arena).  Memory
 * is the table plus the arena: about 8 / 0.75 .. 8 / 0.375 bytes of table
 * and len + 1 bytes of arena per distinct value (see weir-check(1),
 * MEMORY).  Equality is byte equality: the caller makes values canonical.
 *
 * When the next growth would pass the limit, the set either switches to a
 * HyperLogLog sketch (approx_ok; every value already seen is fed to it) or
 * stops and reports WEIR_UNIQ_FULL: exactness cannot be kept in the bound.
 */
#ifndef WEIR_UNIQ_H
#define WEIR_UNIQ_H

#include "hll.h"
#include "util.h"

#define WEIR_UNIQ_HLL_P 18	/* 256 KiB of registers, 0.2% std error */
#define WEIR_UNIQ_LIMIT_DEFAULT (256u * 1024 * 1024)

enum {
	WEIR_UNIQ_EXACT = 0,
	WEIR_UNIQ_APPROX,	/* HyperLogLog: duplicates are estimated */
	WEIR_UNIQ_STOPPED	/* limit reached without approx_ok */
};

/* weir_uniq_add results */
enum {
	WEIR_UNIQ_DUP = 0,	/* seen before (exact mode) */
	WEIR_UNIQ_NEW = 1,	/* first time (exact), or counted (approx) */
	WEIR_UNIQ_SWITCHED = 2,	/* the limit was reached: now approximate */
	WEIR_UNIQ_FULL = 3	/* the limit was reached: stopped */
};

typedef struct weir_uniq {
	int mode;
	int approx_ok;
	size_t limit;		/* bytes of table + arena; 0: no limit */
	uint64_t *slot;
	size_t mask, used;
	weir_buf arena;
	weir_hll hll;
	uint64_t values;	/* values added (every mode) */
	uint64_t dups;		/* exact duplicates seen before any switch */
	uint64_t values_exact;	/* values added while exact */
} weir_uniq;

int weir_uniq_init(weir_uniq *u, size_t limit, int approx_ok);
void weir_uniq_free(weir_uniq *u);
/* Add one value; a WEIR_UNIQ_* result, or WEIR_FAIL_NOMEM. */
int weir_uniq_add(weir_uniq *u, const void *p, size_t n);
/* Distinct values: exact, or the sketch's estimate. */
double weir_uniq_distinct(const weir_uniq *u);
/* Duplicates: exact count, or values - estimate (never negative). */
double weir_uniq_dups(const weir_uniq *u);
/* Relative standard error of the estimate (0 in exact mode). */
double weir_uniq_error(const weir_uniq *u);
size_t weir_uniq_bytes(const weir_uniq *u);

/* Checkpoints (snap.h): save appends the set (0, or WEIR_FAIL_NOMEM);
 * load fills a set made by weir_uniq_init with the same limit and
 * approx_ok, so that it goes on exactly like the saved one (the arena's
 * capacity included, which decides when the limit is reached); with a
 * message, WEIR_SNAP_EBAD on malformed input, WEIR_FAIL_NOMEM. */
struct weir_rd;
int weir_uniq_save(const weir_uniq *u, weir_buf *out);
int weir_uniq_load(weir_uniq *u, struct weir_rd *rd, char *err,
    size_t errsz);

#endif
