/*
 * dur.h - durations ("250ms", "5s", "1m30s", "2h", "1d") and event-time
 * values (ms, s, us, ISO 8601), all in milliseconds.
 */
#ifndef WEIR_DUR_H
#define WEIR_DUR_H

#include "util.h"

/* Parse a duration into ms.  A bare number is milliseconds.  -1 on error. */
int weir_dur_parse(const char *s, int64_t *ms, char *err, size_t errsz);
/* Format ms as the shortest duration text ("1m", "90s", "250ms"). */
void weir_dur_fmt(char *buf, size_t sz, int64_t ms);

enum { WEIR_TIME_MS, WEIR_TIME_S, WEIR_TIME_US, WEIR_TIME_ISO8601 };
int weir_timefmt_parse(const char *s);	/* -1 unknown */

/* ISO 8601 / RFC 3339 date-time to ms since the epoch: 2024-01-02T03:04:05Z,
 * fractional seconds, +hh:mm offsets, a space for T, a date alone. */
int weir_iso8601_parse(const char *s, size_t n, int64_t *ms);
/* Format ms as 2024-01-02T03:04:05.123Z. */
void weir_iso8601_fmt(char *buf, size_t sz, int64_t ms);

#endif
