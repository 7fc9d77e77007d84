/* hash.c - a 64-bit multiply-mix hash over 8-byte words. */
#include "hash.h"

static inline uint64_t
rd64(const uint8_t *p)
{
	uint64_t v;

	memcpy(&v, p, 8);
	return v;
}

static inline uint64_t
mix(uint64_t a, uint64_t b)
{
	__uint128_t r = (__uint128_t)a * b;

	return (uint64_t)r ^ (uint64_t)(r >> 64);
}

uint64_t
weir_hash(const void *data, size_t n, uint64_t seed)
{
	const uint8_t *p = data;
	const uint64_t k0 = 0xa0761d6478bd642fULL, k1 = 0xe7037ed1a0b428dbULL,
	    k2 = 0x8ebc6af09c88c6e3ULL;
	uint64_t h = seed ^ mix(seed ^ k0, (uint64_t)n ^ k1), a, b;

	while (n > 16) {
		h = mix(rd64(p) ^ k1, rd64(p + 8) ^ h);
		p += 16;
		n -= 16;
	}
	if (n > 8) {
		a = rd64(p);
		b = rd64(p + n - 8);
	} else if (n >= 4) {
		uint32_t x, y;
		memcpy(&x, p, 4);
		memcpy(&y, p + n - 4, 4);
		a = x;
		b = y;
	} else if (n > 0) {
		a = ((uint64_t)p[0] << 16) | ((uint64_t)p[n >> 1] << 8) | p[n - 1];
		b = 0;
	} else
		a = b = 0;
	return mix(k2 ^ (uint64_t)n, mix(a ^ k1, b ^ h));
}
