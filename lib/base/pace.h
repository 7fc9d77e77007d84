/*
 * pace.h - wall-clock pacing (weir-source --rate): records held back so
 * that they go out at a given number per second.
 */
#ifndef WEIR_PACE_H
#define WEIR_PACE_H

#include "util.h"

/*
 * Hold record number n (from 0) back until it is due at rate records per
 * second since t0 (weir_mono_ms).  While it waits, idle(arg) runs before
 * each sleep of at most 100 ms (the caller's watermark and flush); a stop
 * signal (weir_sig_stop) ends the wait.  0, or what idle returned when it
 * failed (negative: the wait ends there).
 */
int weir_pace(int64_t t0, uint64_t n, double rate,
    int (*idle)(void *, char *, size_t), void *arg, char *err, size_t errsz);

#endif
