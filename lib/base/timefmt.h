/*
 * timefmt.h - event times and ages for people: ISO 8601 and strftime-style
 * text in UTC, its parse, and ages as "2d 3h 5m".
 */
#ifndef WEIR_TIMEFMT_H
#define WEIR_TIMEFMT_H

#include "dur.h"
#include "util.h"

/* Format ms since the epoch as WEIR_TIME_MS ("1700000000000"), WEIR_TIME_S
 * ("1700000000", or "1700000000.25" with a fraction) or WEIR_TIME_ISO8601
 * ("2023-11-14T22:13:20.000Z").  Returns the length. */
size_t weir_time_text(char *buf, size_t sz, int64_t ms, int timefmt);
/* strftime(3) in UTC, plus %L for the milliseconds (000-999).  -1 when
 * the result is empty or longer than sz - 1. */
int weir_time_strftime(char *buf, size_t sz, int64_t ms, const char *fmt);
/* strptime(3) in UTC: the whole of s must match fmt.  -1 if not. */
int weir_time_strptime(const char *s, size_t n, const char *fmt,
    int64_t *ms);
/* An age or duration for people: the largest unit and up to two after it
 * that are not zero, "2d 3h 5m", "1m 30s", "1s 250ms", "0s". */
void weir_dur_human(char *buf, size_t sz, int64_t ms);

#endif
