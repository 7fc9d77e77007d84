/*
 * join_bounds.c - interval joins bounded by fields of the left record
 * (weir-join --between FROM,UNTIL): a right record matches a left one when
 * its event time lies in [max(FROM, ts - before), min(UNTIL, ts + after)],
 * ts the left record's event time (see join_int.h).  The bounds of every
 * buffered left record are kept beside it, by record id.
 */
#include "join_int.h"

#include "dur.h"
#include "record.h"

/* A time field: epoch milliseconds, or an ISO 8601 date-time string. */
static int
field_time(const weir_path *p, const weir_pv *root, int64_t *ms)
{
	weir_pv v;

	if (!weir_path_get(p, root, &v))
		return -1;
	return weir_time_from_pv(&v, v.type == WEIR_PV_STRING ?
	    WEIR_TIME_ISO8601 : WEIR_TIME_MS, ms);
}

int
weir__join_bounds_of(weir_join *j, const weir_pv *root, int64_t ts,
    int64_t *lo, int64_t *hi, char *err, size_t errsz)
{
	const weir_path *bad = NULL;
	int64_t blo, bhi;

	if (field_time(j->sp.from, root, lo) < 0)
		bad = j->sp.from;
	else if (field_time(j->sp.until, root, hi) < 0)
		bad = j->sp.until;
	if (bad) {
		weir_seterr(err, errsz, "--between: %s is not a time (epoch "
		    "milliseconds or ISO 8601)", bad->text);
		return WEIR_FAIL_DATA;
	}
	blo = sat_add(ts, -j->sp.before);
	bhi = sat_add(ts, j->sp.after);
	if (*lo < blo)
		*lo = blo;
	if (*hi > bhi)
		*hi = bhi;
	return 0;
}

int
weir__join_bounds_reserve(weir_join *j, size_t nrecs)
{
	size_t cap = j->capbounds / 2;

	if (weir_grow(&j->bounds, &cap, nrecs, 2 * sizeof(*j->bounds),
	    SIZE_MAX / 2) < 0)
		return WEIR_FAIL_NOMEM;
	j->capbounds = cap * 2;
	return 0;
}
