/*
 * ddsketch.h - DDSketch quantiles (Masson, Rim, Lee, VLDB 2019): values go
 * into logarithmic buckets gamma^(i-1) < |x| <= gamma^i with
 * gamma = (1 + a) / (1 - a), so every quantile it returns is within a
 * relative error a (WEIR_DDS_ALPHA, 1%) of the exact one.  Sketches merge
 * exactly (bucket counts add), memory grows with the logarithm of the
 * value range, not with the count: about 460 buckets for values from 0.01
 * to 100, at most WEIR_DDS_MAX_BINS per sign (beyond that the smallest
 * magnitudes are collapsed together, which only affects the low quantiles
 * of data spanning more than 17 orders of magnitude).
 *
 * Quantile q of n values is the nearest-rank one: the k-th smallest value
 * with k = ceil(q * n) (at least 1), the smallest value that at least a
 * fraction q of the values are at or below; q = 0 and q = 1 give the exact
 * min and max.
 */
#ifndef WEIR_DDSKETCH_H
#define WEIR_DDSKETCH_H

#include "snap.h"
#include "util.h"

#define WEIR_DDS_ALPHA 0.01
#define WEIR_DDS_MAX_BINS 2048

typedef struct weir_dds_store {
	uint64_t *c;		/* c[k] counts bucket index off + k */
	int32_t off;
	uint32_t n, cap;
} weir_dds_store;

typedef struct weir_dds {
	uint64_t count, zero;	/* all values; values that are 0 */
	double min, max;
	weir_dds_store pos, neg;	/* neg holds -x for x < 0 */
} weir_dds;

void weir_dds_init(weir_dds *d);
void weir_dds_free(weir_dds *d);
/* Add a value (NaN and infinities are ignored): 0 or WEIR_FAIL_NOMEM. */
int weir_dds_add(weir_dds *d, double x);
/* Add every value of src to dst: 0 or WEIR_FAIL_NOMEM. */
int weir_dds_merge(weir_dds *dst, const weir_dds *src);
/* The q-quantile, 0 <= q <= 1; NaN when the sketch is empty. */
double weir_dds_quantile(const weir_dds *d, double q);
/* The nearest rank k (1..n) of quantile q among n values; a hair of
 * tolerance keeps 0.99 * 100 at 99. */
uint64_t weir_dds_rank(double q, uint64_t n);

/* Checkpoints (snap.h): append the sketch to out (0 or WEIR_FAIL_NOMEM);
 * read one back into an initialised, empty sketch: 0, WEIR_SNAP_EBAD when
 * malformed, WEIR_FAIL_NOMEM. */
int weir_dds_save(const weir_dds *d, weir_buf *out);
int weir_dds_load(weir_dds *d, weir_rd *rd);

#endif
