/*
 * pace.c - wall-clock pacing (pace.h).
 */
#include <time.h>

#include "io.h"
#include "pace.h"

int
weir_pace(int64_t t0, uint64_t n, double rate,
    int (*idle)(void *, char *, size_t), void *arg, char *err, size_t errsz)
{
	int64_t due, now;
	int rc;

	for (;;) {
		due = t0 + (int64_t)((double)n * 1000.0 / rate);
		now = weir_mono_ms();
		if (due <= now || weir_sig_stop())
			break;
		if ((rc = idle(arg, err, errsz)) < 0)
			return rc;
		struct timespec ts = { 0, (long)(due - now > 100 ? 100 :
		    due - now) * 1000000L };
		nanosleep(&ts, NULL);
	}
	return 0;
}
