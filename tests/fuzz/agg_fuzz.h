/* agg_fuzz.h - for fuzz targets of the aggregator: set one up, and check
 * its results. */
#ifndef WEIR_AGG_FUZZ_H
#define WEIR_AGG_FUZZ_H

#include "agg.h"
#include "pack.h"

/* An aggregator of these groups (NULL: by key) and n functions. */
static weir_agg *
agg_setup(const char *groups, const char *const *funcs, size_t n)
{
	weir_agg *a = weir_agg_new();
	char err[WEIR_ERRSZ];
	size_t i;

	if (!a || (groups && weir_agg_add_groups(a, groups, err,
	    sizeof(err)) < 0))
		__builtin_trap();
	for (i = 0; i < n; i++)
		if (weir_agg_add_func(a, funcs[i], err, sizeof(err)) < 0)
			__builtin_trap();
	if (weir_agg_ready(a, err, sizeof(err)) < 0)
		__builtin_trap();
	return a;
}

/* A result must be a well-formed packed object that converts to JSON
 * (arg: a scratch weir_buf); anything else traps. */
static int
check_result(void *arg, const weir_record *r)
{
	weir_buf *t = arg;
	weir_pv v;

	if (weir_pack_validate(r->value, r->value_len, NULL, 0) < 0)
		__builtin_trap();
	weir_pv_of(r->value, r->value_len, &v);
	if (v.type != WEIR_PV_OBJECT)
		__builtin_trap();
	t->len = 0;
	if (weir_pv_to_json(t, &v) < 0)
		__builtin_trap();
	return 0;
}

#endif
