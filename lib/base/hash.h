/*
 * hash.h - one fast 64-bit hash for every table and sketch in weir
 * (group keys, join keys, unique checks, HyperLogLog).  Not cryptographic.
 */
#ifndef WEIR_HASH_H
#define WEIR_HASH_H

#include "util.h"

uint64_t weir_hash(const void *p, size_t n, uint64_t seed);

static inline uint64_t
weir_hash_u64(uint64_t x)
{
	x ^= x >> 33;
	x *= 0xff51afd7ed558ccdULL;
	x ^= x >> 33;
	x *= 0xc4ceb9fe1a85ec53ULL;
	x ^= x >> 33;
	return x;
}

#endif
