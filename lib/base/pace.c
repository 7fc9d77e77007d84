/*
 * pace.c - wall-clock pacing (pace.h).
 */
#include <time.h>

#include "io.h"
#include "pace.h"

void
weir_pace(int64_t t0, uint64_t n, double rate, void (*idle)(void *),
    void *arg)
{
	int64_t due, now;

	for (;;) {
		due = t0 + (int64_t)((double)n * 1000.0 / rate);
		now = weir_mono_ms();
		if (due <= now || weir_sig_stop())
			break;
		idle(arg);
		struct timespec ts = { 0, (long)(due - now > 100 ? 100 :
		    due - now) * 1000000L };
		nanosleep(&ts, NULL);
	}
}
