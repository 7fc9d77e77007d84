/*
 * hll.h - HyperLogLog distinct counting (Flajolet et al., with the
 * small-range linear-counting correction).  Precision p gives 2^p one-byte
 * registers and a standard error of about 1.04 / sqrt(2^p): p = 14 is
 * 16 KiB and 0.81%.  Sketches of equal precision merge exactly.
 */
#ifndef WEIR_HLL_H
#define WEIR_HLL_H

#include "snap.h"
#include "util.h"

#define WEIR_HLL_P_DEFAULT 14

typedef struct weir_hll {
	int p;
	uint8_t *reg;
} weir_hll;

/* 4 <= p <= 18 (else WEIR_FAIL_USAGE); WEIR_FAIL_NOMEM */
int weir_hll_init(weir_hll *h, int p);
void weir_hll_free(weir_hll *h);
void weir_hll_add(weir_hll *h, uint64_t hash);	/* hash from weir_hash() */
double weir_hll_count(const weir_hll *h);
int weir_hll_merge(weir_hll *dst, const weir_hll *src);	/* -1 if p differs */

/* Checkpoints (snap.h): append the registers to out, sparsely (0 or
 * WEIR_FAIL_NOMEM); read them back into h (not initialised) when their
 * precision is p: 0, WEIR_SNAP_EBAD when malformed, WEIR_FAIL_NOMEM. */
int weir_hll_save(const weir_hll *h, weir_buf *out);
int weir_hll_load(weir_hll *h, int p, weir_rd *rd);

#endif
