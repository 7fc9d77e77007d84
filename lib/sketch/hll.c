/* hll.c - HyperLogLog. */
#include "hll.h"

#include <math.h>
#include <stdlib.h>

int
weir_hll_init(weir_hll *h, int p)
{
	if (p < 4 || p > 18)
		return WEIR_FAIL_USAGE;
	h->p = p;
	h->reg = calloc((size_t)1 << p, 1);
	return h->reg ? 0 : WEIR_FAIL_NOMEM;
}

void
weir_hll_free(weir_hll *h)
{
	free(h->reg);
	h->reg = NULL;
}

void
weir_hll_add(weir_hll *h, uint64_t hash)
{
	uint64_t idx = hash >> (64 - h->p);
	uint64_t rest = hash << h->p;
	uint8_t rank = rest ? (uint8_t)(__builtin_clzll(rest) + 1) :
	    (uint8_t)(64 - h->p + 1);

	if (rank > h->reg[idx])
		h->reg[idx] = rank;
}

double
weir_hll_count(const weir_hll *h)
{
	size_t m = (size_t)1 << h->p, i, zeros = 0;
	double sum = 0, alpha, est;

	for (i = 0; i < m; i++) {
		sum += ldexp(1.0, -h->reg[i]);
		zeros += h->reg[i] == 0;
	}
	alpha = m == 16 ? 0.673 : m == 32 ? 0.697 : m == 64 ? 0.709 :
	    0.7213 / (1 + 1.079 / (double)m);
	est = alpha * (double)m * (double)m / sum;
	if (est <= 2.5 * (double)m && zeros)
		est = (double)m * log((double)m / (double)zeros);
	return est;
}

int
weir_hll_merge(weir_hll *dst, const weir_hll *src)
{
	size_t m, i;

	if (dst->p != src->p)
		return -1;
	m = (size_t)1 << dst->p;
	for (i = 0; i < m; i++)
		if (src->reg[i] > dst->reg[i])
			dst->reg[i] = src->reg[i];
	return 0;
}

/* Saved as the count of registers that are set, then (distance from the
 * previous set register, value) pairs: a sketch that just turned from an
 * exact set into registers has few of its 2^p set. */
int
weir_hll_save(const weir_hll *h, weir_buf *out)
{
	size_t m = (size_t)1 << h->p, i, n = 0, prev = 0;

	for (i = 0; i < m; i++)
		n += h->reg[i] != 0;
	if (weir_sw_u64(out, n) < 0)
		return WEIR_FAIL_NOMEM;
	for (i = 0; i < m; i++) {
		if (!h->reg[i])
			continue;
		if (weir_sw_u64(out, i - prev) < 0 ||
		    weir_sw_u64(out, h->reg[i]) < 0)
			return WEIR_FAIL_NOMEM;
		prev = i;
	}
	return 0;
}

int
weir_hll_load(weir_hll *h, int p, weir_rd *rd)
{
	uint64_t n = weir_rd_count(rd, 2), i, at = 0, d, v;
	size_t m = (size_t)1 << p;

	if (rd->bad || n > m)
		return WEIR_SNAP_EBAD;
	if (weir_hll_init(h, p) < 0)
		return WEIR_FAIL_NOMEM;
	for (i = 0; i < n; i++) {
		d = weir_rd_u64(rd);
		v = weir_rd_u64(rd);
		/* set registers in increasing order, each at most 64 - p + 1 */
		if (rd->bad || (i && d == 0) || d >= m - at || v == 0 ||
		    v > (uint64_t)(64 - p + 1))
			return WEIR_SNAP_EBAD;
		at += d;
		h->reg[at] = (uint8_t)v;
	}
	return 0;
}
