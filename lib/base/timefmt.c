/* timefmt.c - times and ages as text for people (UTC). */
#include "timefmt.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "dur.h"

static int64_t
floor_div(int64_t a, int64_t b)
{
	return a >= 0 ? a / b : -((-a + b - 1) / b);
}

size_t
weir_time_text(char *buf, size_t sz, int64_t ms, int timefmt)
{
	int64_t s, frac;
	int n;

	switch (timefmt) {
	case WEIR_TIME_ISO8601:
		weir_iso8601_fmt(buf, sz, ms);
		return strlen(buf);
	case WEIR_TIME_S:
		s = floor_div(ms, 1000);
		frac = ms - s * 1000;
		if (!frac)
			n = snprintf(buf, sz, "%lld", (long long)s);
		else {
			n = snprintf(buf, sz, "%lld.%03lld", (long long)s,
			    (long long)frac);
			while (n > 0 && (size_t)n < sz && buf[n - 1] == '0')
				buf[--n] = 0;
		}
		break;
	default:
		n = snprintf(buf, sz, "%lld", (long long)ms);
	}
	return n < 0 ? 0 : (size_t)n < sz ? (size_t)n : sz - 1;
}

int
weir_time_strftime(char *buf, size_t sz, int64_t ms, const char *fmt)
{
	char f[256];
	size_t i, j = 0;
	int64_t s = floor_div(ms, 1000);
	time_t t = (time_t)s;
	struct tm tm;
	size_t n;

	/* %L: the milliseconds, which strftime does not know */
	for (i = 0; fmt[i]; i++) {
		if (j + 4 >= sizeof(f))
			return -1;
		if (fmt[i] == '%' && fmt[i + 1] == 'L') {
			j += (size_t)snprintf(f + j, sizeof(f) - j, "%03lld",
			    (long long)(ms - s * 1000));
			i++;
		} else if (fmt[i] == '%' && fmt[i + 1]) {
			f[j++] = fmt[i++];
			f[j++] = fmt[i];
		} else
			f[j++] = fmt[i];
	}
	f[j] = 0;
	if (!gmtime_r(&t, &tm) || sz == 0)
		return -1;
	buf[0] = 0;
	n = strftime(buf, sz, f, &tm);
	return n == 0 && f[0] ? -1 : (int)n;
}

int
weir_time_strptime(const char *s, size_t n, const char *fmt, int64_t *ms)
{
	char tmp[256];
	struct tm tm;
	const char *end;
	time_t t;

	if (n >= sizeof(tmp))
		return -1;
	memcpy(tmp, s, n);
	tmp[n] = 0;
	memset(&tm, 0, sizeof(tm));
	tm.tm_mday = 1;
	end = strptime(tmp, fmt, &tm);
	if (!end || *end)
		return -1;
	t = timegm(&tm);
	if (t == (time_t)-1 && !(tm.tm_year == 69 && tm.tm_yday == 364))
		return -1;
	*ms = (int64_t)t * 1000;
	return 0;
}

void
weir_dur_human(char *buf, size_t sz, int64_t ms)
{
	static const int64_t unit[] = { 86400000, 3600000, 60000, 1000, 1 };
	static const char *name[] = { "d", "h", "m", "s", "ms" };
	size_t len = 0, i, first = 5;
	uint64_t left;

	if (sz == 0)
		return;
	buf[0] = 0;
	if (ms < 0 && sz > 1) {
		buf[len++] = '-';
		buf[len] = 0;
	}
	left = ms < 0 ? -(uint64_t)ms : (uint64_t)ms;
	if (left == 0) {
		snprintf(buf, sz, "0s");
		return;
	}
	for (i = 0; i < 5; i++) {
		uint64_t q = left / (uint64_t)unit[i];
		if (q && first == 5)
			first = i;
		if (first < 5 && i < first + 3 && q && len < sz) {
			int k = snprintf(buf + len, sz - len, "%s%llu%s",
			    i == first ? "" : " ", (unsigned long long)q, name[i]);
			if (k > 0)
				len += (size_t)k;
		}
		left -= q * (uint64_t)unit[i];
	}
}
