/*
 * supervise.h - run a weir_pipeline's stages as child processes.
 *
 * One run of the pipeline: every stage is forked and exec'd (no shell)
 * into one new process group, wired with pipes as the pipeline says; a
 * stage read by several consumers writes into a tee: a forked child of
 * the supervisor (no exec) that copies its input to every consumer.  Each stage's stderr comes back through a pipe, line by line,
 * to a callback; its counters (stats.h) come back over one datagram socket.
 *
 * The library only starts, signals and reaps; what to do about an exit
 * (restart, stop, give up) is the caller's decision (cmd/weir-run.c).
 * Children get SIGKILL if weir-run itself dies (PR_SET_PDEATHSIG), run
 * with the default signal dispositions, and do not inherit
 * NOTIFY_SOCKET/WATCHDOG_* (only weir-run talks to systemd).
 */
#ifndef WEIR_SUPERVISE_H
#define WEIR_SUPERVISE_H

#include <poll.h>
#include <sys/types.h>

#include "pipeline.h"
#include "stats.h"

typedef struct weir_sv_proc {
	pid_t pid;		/* 0: not running */
	int status;		/* wait status once it ended */
	int ended;
	int termed;		/* weir-run sent it SIGTERM (stop) */
	int killed;		/* weir-run sent it SIGKILL */
	int errfd;		/* read end of its stderr, -1 */
	weir_buf errline;	/* a partial stderr line */
	/* counters: totals of earlier processes plus the current one */
	weir_stats base, cur;
	long cur_pid;
	uint64_t restarts;	/* processes started after the first */
	uint64_t starts;
	uint64_t prev_in, prev_out;	/* for rates */
	double rate_in, rate_out;
} weir_sv_proc;

typedef struct weir_sv_tee {
	pid_t pid;
	int from;		/* stage whose output it copies */
	int status, ended;
} weir_sv_tee;

typedef struct weir_sv {
	const weir_pipeline *pl;
	weir_sv_proc *st;	/* pl->nstages */
	weir_sv_tee *tees;
	int ntees;
	pid_t pgid;
	int stats_fd, stats_child;	/* datagram socket pair */
	int64_t sampled_ms;
	/* called with each complete stderr line of a stage (no newline) */
	void (*line)(void *arg, int stage, const char *s, size_t n);
	void *line_arg;
} weir_sv;

/* 0, or WEIR_FAIL_NOMEM or WEIR_FAIL_IO with a message. */
int weir_sv_init(weir_sv *sv, const weir_pipeline *pl, char *err,
    size_t errsz);
void weir_sv_free(weir_sv *sv);
/* Start every stage: 0, or WEIR_FAIL_IO (a pipe, a fork, a program that
 * cannot be run) or WEIR_FAIL_NOMEM with a message (what was started is
 * killed). */
int weir_sv_start(weir_sv *sv, char *err, size_t errsz);
/* Processes (stages and tees) still running. */
int weir_sv_alive(const weir_sv *sv);
/* Descriptors to poll (stderr pipes, stats socket); returns the count. */
int weir_sv_pollfds(const weir_sv *sv, struct pollfd *p, int max);
/* Read what is ready on those descriptors (lines go to the callback). */
void weir_sv_io(weir_sv *sv);
/* Reap ended children.  For each stage that ended, calls fn(arg, stage,
 * status); a tee that fails is reported as its producing stage with
 * stage index -1 - from. */
void weir_sv_reap(weir_sv *sv, void (*fn)(void *arg, int stage, int status),
    void *arg);
/* Signal the sources (stages no other stage feeds), or every process. */
void weir_sv_signal_sources(weir_sv *sv, int sig);
void weir_sv_signal_all(weir_sv *sv, int sig);
/* Recompute records/s rates (call about once a second). */
void weir_sv_sample(weir_sv *sv, int64_t now_ms);
/* Totals for a stage (base + current process). */
void weir_sv_totals(const weir_sv *sv, int i, weir_stats *out);
/* One-screen table of stages, states, rates and watermarks. */
int weir_sv_table(const weir_sv *sv, weir_buf *out);
/* "exited with status 3", "killed by signal 9 (Killed)" */
void weir_sv_describe(int status, char *buf, size_t sz);
/* The exit status weir-run should use for a failed wait status. */
int weir_sv_exit_code(int status);

#endif
