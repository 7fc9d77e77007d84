/* unit.h - a tiny TAP unit-test harness for lib/. */
#ifndef WEIR_UNIT_H
#define WEIR_UNIT_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int unit_n, unit_fail;

#define CHECK(cond) do { \
	unit_n++; \
	if (cond) printf("ok %d - %s\n", unit_n, #cond); \
	else { unit_fail++; printf("not ok %d - %s (%s:%d)\n", unit_n, #cond, \
	    __FILE__, __LINE__); } \
} while (0)

#define CHECK_STR(got, want) do { \
	const char *g_ = (got), *w_ = (want); \
	unit_n++; \
	if (g_ && w_ && strcmp(g_, w_) == 0) printf("ok %d - %s\n", unit_n, w_); \
	else { unit_fail++; printf("not ok %d - got '%s' want '%s' (%s:%d)\n", \
	    unit_n, g_ ? g_ : "(null)", w_, __FILE__, __LINE__); } \
} while (0)

/* A xorshift64 step: deterministic test data (state must not be 0). */
static inline unsigned long long
unit_xorshift(unsigned long long *s)
{
	*s ^= *s << 13;
	*s ^= *s >> 7;
	*s ^= *s << 17;
	return *s;
}

#define UNIT_DONE() do { printf("1..%d\n", unit_n); \
	return unit_fail ? 1 : 0; } while (0)

#endif
