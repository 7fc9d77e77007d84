/*
 * stats.h - every weir program's counters, handed to weir-run.
 *
 * The counters live in one global (weir_stats_g); lib/input.c and
 * lib/output.c keep records, bytes and watermarks up to date, lib/cli.c
 * counts skipped bad records, and a program adds what only it knows
 * (late records, Kafka lag) through weir_stats_late and
 * weir_stats_lag_begin / weir_stats_lag_part.
 * Nothing else is needed per program.
 *
 * Transport: weir-run gives each stage a datagram socket on the descriptor
 * named by $WEIR_STATS_FD and the stage's name in $WEIR_STAGE.  At most
 * once a second (checked when a reader fills or a writer flushes, never
 * per record; and before a reader blocks, so the counters of a burst are
 * not held back by the pause after it) and once at exit, the counters go
 * out as one datagram with
 * MSG_DONTWAIT: a slow or absent weir-run never blocks a stage; a report
 * that does not fit is simply dropped, the next one carries the totals.
 * Without $WEIR_STATS_FD nothing is sent.
 *
 * Datagram (text, one line):
 *   weir-stats 1 stage=NAME pid=PID in=N in_bytes=N out=N out_bytes=N
 *   wm_in=MS wm_out=MS late=N skipped=N [dlq=N] lag=N [plag=PART:LAG:TOPIC]...
 * wm_*, lag and plag are omitted while unknown, dlq (records of skipped
 * written to a dead-letter topic) while 0.  Counters are totals since
 * the process started.  lag is the total over every partition a consumer
 * reads, plag the lag of one partition, for at most WEIR_STATS_MAXPART
 * partitions (the first ones the consumer saw); the topic comes last so
 * that it may hold any character but a blank.  A parser skips keys it
 * does not know, so fields can be added.
 */
#ifndef WEIR_STATS_H
#define WEIR_STATS_H

#include "util.h"

#define WEIR_STATS_MAXPART 16	/* partitions with a lag of their own */
#define WEIR_STATS_TOPICSZ 250	/* Kafka topic names are at most 249 */
/* The datagram's largest size (WEIR_STATS_MAXPART plag= fields). */
#define WEIR_STATS_MSGSZ 8192

typedef struct weir_stats_part {
	char topic[WEIR_STATS_TOPICSZ];
	int32_t partition;
	int64_t lag;
} weir_stats_part;

typedef struct weir_stats {
	uint64_t in, in_bytes, out, out_bytes, late, skipped;
	int64_t wm_in, wm_out;	/* INT64_MIN: none yet */
	int64_t lag;		/* -1: unknown */
	int nparts;		/* entries of part[] in use */
	weir_stats_part part[WEIR_STATS_MAXPART];
	uint64_t dead_lettered;	/* of skipped: sent to --on-error kafka: */
} weir_stats;

extern weir_stats weir_stats_g;

/* Send a report if one is due (cheap: a coarse clock read). */
void weir_stats_tick(void);
/* Send a report now (also done at exit). */
void weir_stats_flush(void);
/* About to block reading fd: if counters changed since the last report,
 * wait for fd at most until a report is due, and send it if fd stayed
 * quiet; so the last counters before a pause are not held back.  Returns
 * early (EINTR) on a signal. */
void weir_stats_idle(int fd);
static inline void
weir_stats_late(uint64_t n)
{
	weir_stats_g.late += n;
}
/* A Kafka consumer's lag: weir_stats_lag_begin(), then one
 * weir_stats_lag_part() per partition (the total adds them all; the first
 * WEIR_STATS_MAXPART are reported one by one). */
void weir_stats_lag_begin(void);
void weir_stats_lag_part(const char *topic, int32_t partition, int64_t lag);

/* a += b (counters add up; watermarks and lags: b's when known). */
void weir_stats_add(weir_stats *a, const weir_stats *b);
/* Format s as the datagram above into buf; returns its length. */
size_t weir_stats_format(const weir_stats *s, const char *stage, long pid,
    char *buf, size_t sz);
/* Parse a datagram; 0 ok with stage and pid filled, -1 if malformed. */
int weir_stats_parse(const char *msg, size_t n, weir_stats *s, char *stage,
    size_t stagesz, long *pid);

#endif
