/* dur.c - durations and timestamps. */
#include "dur.h"

#include <stdio.h>
#include <stdlib.h>

int
weir_dur_parse(const char *s, int64_t *ms, char *err, size_t errsz)
{
	const char *p = s;
	int64_t total = 0;
	int any = 0;

	if (!*p)
		goto bad;
	while (*p) {
		int64_t v = 0, mult;
		double frac = 0, fdiv = 1;
		int digits = 0;

		while (*p >= '0' && *p <= '9') {
			if (v > INT64_MAX / 10 - 10)
				goto bad;
			v = v * 10 + (*p++ - '0');
			digits++;
		}
		if (*p == '.') {
			p++;
			while (*p >= '0' && *p <= '9') {
				frac = frac * 10 + (*p++ - '0');
				fdiv *= 10;
				digits++;
			}
		}
		if (!digits)
			goto bad;
		if (!*p && !any) {
			mult = 1;	/* a bare number: milliseconds */
		} else if (p[0] == 'm' && p[1] == 's') {
			mult = 1;
			p += 2;
		} else if (*p == 's') {
			mult = 1000;
			p++;
		} else if (*p == 'm') {
			mult = 60000;
			p++;
		} else if (*p == 'h') {
			mult = 3600000;
			p++;
		} else if (*p == 'd') {
			mult = 86400000;
			p++;
		} else
			goto bad;
		if (v > INT64_MAX / mult / 2)
			goto bad;
		total += v * mult + (int64_t)(frac / fdiv * (double)mult + 0.5);
		any = 1;
	}
	*ms = total;
	return 0;
bad:
	weir_seterr(err, errsz,
	    "'%s' is not a duration (like 250ms, 5s, 1m30s, 2h, 1d)", s);
	return -1;
}

void
weir_dur_fmt(char *buf, size_t sz, int64_t ms)
{
	if (ms != 0 && ms % 86400000 == 0)
		snprintf(buf, sz, "%lldd", (long long)(ms / 86400000));
	else if (ms != 0 && ms % 3600000 == 0)
		snprintf(buf, sz, "%lldh", (long long)(ms / 3600000));
	else if (ms != 0 && ms % 60000 == 0)
		snprintf(buf, sz, "%lldm", (long long)(ms / 60000));
	else if (ms != 0 && ms % 1000 == 0)
		snprintf(buf, sz, "%llds", (long long)(ms / 1000));
	else
		snprintf(buf, sz, "%lldms", (long long)ms);
}

int
weir_timefmt_parse(const char *s)
{
	if (!strcmp(s, "ms"))
		return WEIR_TIME_MS;
	if (!strcmp(s, "s"))
		return WEIR_TIME_S;
	if (!strcmp(s, "us"))
		return WEIR_TIME_US;
	if (!strcmp(s, "iso8601") || !strcmp(s, "iso"))
		return WEIR_TIME_ISO8601;
	return -1;
}

/* days since 1970-01-01 of a civil date (proleptic Gregorian) */
static int64_t
days_from_civil(int64_t y, int m, int d)
{
	int64_t era, yoe, doy, doe;

	y -= m <= 2;
	era = (y >= 0 ? y : y - 399) / 400;
	yoe = y - era * 400;
	doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
	doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return era * 146097 + doe - 719468;
}

static int
num(const char *s, size_t n, size_t *i, int digits, int *out)
{
	int v = 0, k;

	if (*i + (size_t)digits > n)
		return -1;
	for (k = 0; k < digits; k++) {
		char c = s[*i + (size_t)k];
		if (c < '0' || c > '9')
			return -1;
		v = v * 10 + (c - '0');
	}
	*i += (size_t)digits;
	*out = v;
	return 0;
}

int
weir_iso8601_parse(const char *s, size_t n, int64_t *ms)
{
	size_t i = 0;
	int y, mo, d, h = 0, mi = 0, se = 0, frac = 0, oh = 0, om = 0;
	int sign;
	int64_t t;
	static const int mdays[] = { 31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31 };

	if (num(s, n, &i, 4, &y) || i >= n || s[i++] != '-' ||
	    num(s, n, &i, 2, &mo) || i >= n || s[i++] != '-' ||
	    num(s, n, &i, 2, &d))
		return -1;
	if (mo < 1 || mo > 12 || d < 1 || d > mdays[mo - 1])
		return -1;
	if (i < n && (s[i] == 'T' || s[i] == 't' || s[i] == ' ')) {
		i++;
		if (num(s, n, &i, 2, &h) || i >= n || s[i++] != ':' ||
		    num(s, n, &i, 2, &mi))
			return -1;
		if (i < n && s[i] == ':') {
			i++;
			if (num(s, n, &i, 2, &se))
				return -1;
		}
		if (i < n && (s[i] == '.' || s[i] == ',')) {
			int k = 0;
			i++;
			if (i >= n || s[i] < '0' || s[i] > '9')
				return -1;
			while (i < n && s[i] >= '0' && s[i] <= '9') {
				if (k < 3)
					frac = frac * 10 + (s[i] - '0');
				k++;
				i++;
			}
			for (; k < 3; k++)
				frac *= 10;
		}
		if (h > 23 || mi > 59 || se > 60)
			return -1;
		if (i < n && (s[i] == 'Z' || s[i] == 'z'))
			i++;
		else if (i < n && (s[i] == '+' || s[i] == '-')) {
			sign = s[i++] == '-' ? -1 : 1;
			if (num(s, n, &i, 2, &oh))
				return -1;
			if (i < n && s[i] == ':')
				i++;
			if (i < n && num(s, n, &i, 2, &om))
				return -1;
			if (oh > 23 || om > 59)
				return -1;
			oh *= sign;
			om *= sign;
		}
	}
	if (i != n)
		return -1;
	t = days_from_civil(y, mo, d) * 86400 + h * 3600 + mi * 60 + se -
	    oh * 3600 - om * 60;
	*ms = t * 1000 + frac;
	return 0;
}

void
weir_iso8601_fmt(char *buf, size_t sz, int64_t ms)
{
	int64_t secs = ms >= 0 ? ms / 1000 : (ms - 999) / 1000;
	int64_t msec = ms - secs * 1000;
	int64_t days = secs >= 0 ? secs / 86400 : (secs - 86399) / 86400;
	int64_t rem = secs - days * 86400;
	/* civil_from_days */
	int64_t z = days + 719468;
	int64_t era = (z >= 0 ? z : z - 146096) / 146097;
	int64_t doe = z - era * 146097;
	int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
	int64_t y = yoe + era * 400;
	int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
	int64_t mp = (5 * doy + 2) / 153;
	int64_t d = doy - (153 * mp + 2) / 5 + 1;
	int64_t m = mp < 10 ? mp + 3 : mp - 9;

	y += m <= 2;
	snprintf(buf, sz, "%04lld-%02lld-%02lldT%02lld:%02lld:%02lld.%03lldZ",
	    (long long)y, (long long)m, (long long)d, (long long)(rem / 3600),
	    (long long)(rem / 60 % 60), (long long)(rem % 60), (long long)msec);
}
