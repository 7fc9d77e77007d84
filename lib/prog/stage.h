/*
 * stage.h - the one main loop every weir program reads its input through
 * (cmd-support, like cli.h: it may exit, on behalf of the program).
 *
 *   weir_stage st;
 *   weir_stage_open(&st, WEIR_FMT_AUTO, WEIR_FMT_AUTO, NULL, onerr);
 *   while (weir_stage_next(&st, &ev)) { ... weir_stage_emit(&st, &rec); }
 *   weir_stage_finish(&st);	-- END downstream, flush, report, exit 0
 *
 * weir_stage_next() handles what every program handles the same way:
 *  - a bad text record follows --on-error (fail exits 1, skip counts);
 *  - a fatal input error (I/O, corrupt frames, upstream ended without END)
 *    exits 3 without writing END, so the failure travels downstream;
 *  - the first SIGTERM/SIGINT lets the program drain its input to END (a
 *    source stops reading instead); a second one exits 3 at once;
 *  - barriers are saved and forwarded (checkpoints), or returned to a sink;
 *  - watermarks are returned for the program to act on (or to forward
 *    with weir_stage_forward).
 * It returns 0 at the clean end of input.  A write error exits: EPIPE
 * quietly with status 0 (the reader went away), anything else with 3.
 * Files read one after another (weir-check, weir-source), no output or the
 * program's own (weir-check, weir-sink), a second input (weir-join) and a
 * source's own producer (weir-source's Kafka consumer and generators) are
 * the variations below.
 */
#ifndef WEIR_STAGE_H
#define WEIR_STAGE_H

#include "cli.h"
#include "input.h"
#include "output.h"
#include "sinkckpt.h"
#include "snap.h"

/*
 * Checkpoints (weir(7), CHECKPOINTS).  A stage run with --state DIR keeps
 * its state in DIR/NAME: at start it loads the snapshot of the checkpoint
 * the sink committed last; at each BARRIER it saves its state, and only
 * then forwards the barrier.  The program gives two callbacks: save
 * appends its state to out (weir_sw_*), load reads it back (weir_rd_*)
 * into the freshly set-up program.  Both return 0, or a WEIR_FAIL_* kind
 * with a message; for load, bad data (WEIR_FAIL_DATA) is a bad snapshot
 * (WEIR_SNAP_EBAD, exit 2).
 */
typedef struct weir_state_ops {
	int (*save)(void *arg, weir_buf *out, char *err, size_t errsz);
	int (*load)(void *arg, weir_rd *rd, char *err, size_t errsz);
	void *arg;
	/* 1: load the last snapshot even after the pipeline had reached its
	 * end (a report judged at END is then the same on a rerun); 0: a
	 * finished run leaves nothing (what END flushed is out already) */
	int after_end;
} weir_state_ops;

typedef struct weir_stage weir_stage;
/*
 * A source's producer (a Kafka consumer, a generator): fills ev and
 * returns WEIR_EV_RECORD, WEIR_EV_AGAIN (nothing for now: the stage runs
 * on_idle and asks again), WEIR_EV_END (the end of its input), WEIR_EV_BAD
 * (a bad record: the message in err, its bytes in ev->raw), or a
 * WEIR_FAIL_* kind with the message in err.
 */
typedef int (*weir_stage_producer)(void *arg, weir_event *ev, char *err,
    size_t errsz);
struct weir_stage {
	weir_input *in;
	weir_output *out;
	weir_onerr onerr;
	uint64_t in_records;
	int64_t watermark;	/* last watermark seen, INT64_MIN if none */
	int stopping;
	weir_ckpt *ckpt;	/* NULL: no checkpoints */
	/* with checkpoints and text out, this stage ends the pipeline and
	 * commits (weir_stage_barrier_out) */
	weir_sink_ckpt *term;
	const weir_state_ops *ops;
	weir_buf snap;
	size_t dropped_warned;	/* dropped csv/tsv/table fields told */
	/* the inputs read one after another (weir_stage_open_files) */
	char *const *files;
	int nfiles, curfile, infmt, fd;
	/* 1: next() returns barriers to the program instead of saving and
	 * forwarding them (the sink commits at them) */
	int barriers;
	/* called before the loop exits on a failure (a second signal, an
	 * input error): a sink gives what is in flight time to land */
	void (*on_fail)(void *arg);
	void *on_fail_arg;
	weir_input *in2;	/* a second input (weir_stage_add_input) */
	weir_onerr *oe;		/* --on-error in force: &onerr, or the program's */
	/* a source: a first stop signal ends the input (no draining) */
	int stop_ends;
	/* called when each input file is opened, and at its end */
	void (*on_open)(void *arg, weir_stage *s);
	void (*on_end)(void *arg, weir_stage *s);
	void *hook_arg;
	/* a source's producer instead of an input (weir_stage_open_producer)
	 * and what runs when it has nothing for now */
	weir_stage_producer produce;
	void *produce_arg;
	void (*on_idle)(void *arg);
	char perr[WEIR_ERRSZ];
};

/* Open stdin and stdout.  infmt: how text input is read; outfmt: AUTO for
 * frames (text on a terminal).  onerr may be NULL (fail). */
void weir_stage_open(weir_stage *s, int infmt, int outfmt, const char *fields,
    const char *onerr);
/*
 * The same for a program that reads the files named (none: stdin; "-":
 * stdin) one after another as one stream, and writes records to stdout
 * only when outfmt is not -1 (without output, emitting and forwarding do
 * nothing).  A file that cannot be opened exits 3.  The hooks, barriers
 * and stop_ends may be set before it: they are kept.
 */
void weir_stage_open_files(weir_stage *s, int nfiles, char *const *files,
    int infmt, int outfmt, const char *onerr);
/*
 * A source that makes its records itself (a Kafka consumer, a generator)
 * reads them through the stage as well: weir_stage_next() then returns the
 * producer's records, runs on_idle while it has none, hands bad records to
 * --on-error (s->oe, kept when set before, like the hooks), exits with the
 * producer's status and message on a failure (after on_fail), and applies
 * the signal rule of every source: the first stop signal ends the input
 * (next() returns 0), a second one exits 3.  No output is opened.
 */
void weir_stage_open_producer(weir_stage *s, weir_stage_producer fn,
    void *arg);
/* Resume the input being read at a checkpoint's byte offset: what comes
 * before is parsed (so headers and delta-coded frames read as they did)
 * and dropped.  A file shorter than that, or an offset that is not at a
 * record boundary, is not the file that was read: exit 2. */
void weir_stage_skip(weir_stage *s, uint64_t offset);
/* The file being read (NULL: stdin) and the line of the current text
 * record (0 for frames). */
const char *weir_stage_file(const weir_stage *s);
/*
 * Two inputs (weir-join): the second is added, and the program reads each
 * with weir_stage_next_in, aligning their barriers itself.  It returns 1
 * with a RECORD, WATERMARK, BARRIER, END or EOF event of input i (0: the
 * stage's, 1: the second), 0 when nothing is ready (block 0).  Bad
 * records, signals and input errors are handled as weir_stage_next does:
 * a first signal sets s->stopping (drain both inputs to END), a second
 * exits 3.  weir_stage_signal applies that rule after a program's own
 * wait was interrupted.
 */
void weir_stage_add_input(weir_stage *s, weir_input *in);
int weir_stage_next_in(weir_stage *s, int i, weir_event *ev, int block);
void weir_stage_signal(weir_stage *s);
/* Write to out (opened by the program, on any descriptor) as the stage's
 * output, for a program opened without one. */
void weir_stage_set_output(weir_stage *s, weir_output *out);
uint64_t weir_stage_line(const weir_stage *s);
int weir_stage_next(weir_stage *s, weir_event *ev);
/* The same, but waiting for input only until the monotonic time deadline
 * (weir_mono_ms; INT64_MAX: forever): -1 when it passed with no event,
 * for programs that also act on a timer. */
int weir_stage_next_until(weir_stage *s, weir_event *ev, int64_t deadline);
void weir_stage_emit(weir_stage *s, const weir_record *r);
void weir_stage_watermark(weir_stage *s, int64_t wm);
/* Forward a watermark or barrier event unchanged. */
void weir_stage_forward(weir_stage *s, const weir_event *ev);
/*
 * Pass barrier id with its payload on, after the stage's state for it is
 * saved.  A stage whose output is text (not frames) ends the pipeline: no
 * one after it sees barriers, so it commits them, as weir-sink does for
 * standard output: its output flushed, then id recorded as committed with
 * the positions (weir(7), CHECKPOINTS).  Exits on failure.
 */
void weir_stage_barrier_out(weir_stage *s, uint64_t id, const uint8_t *p,
    size_t n);
_Noreturn void weir_stage_finish(weir_stage *s);
/* What weir_stage_finish does but closing and exiting: END downstream,
 * flush, the counts of bad records and dropped fields told; for programs
 * that do more after the end (weir-check's report, the sink's commit). */
void weir_stage_end(weir_stage *s);
/*
 * Checkpoints: call after weir_stage_open, once the program's state is set
 * up and before the first weir_stage_next.  With o->dir NULL it does
 * nothing.  ops NULL: a stateless stage (only the stage's own watermark
 * and counters are kept).  Errors exit: a bad or foreign snapshot 2, I/O 3.
 * From then on barriers never reach the program: the stage saves and
 * forwards them itself.
 */
void weir_stage_checkpoint(weir_stage *s, const weir_ckpt_opts *o, int argc,
    char *const *argv, const weir_state_ops *ops);
/* Exit for a failed lib/snap.c call rc: a bad or foreign snapshot, or a
 * state directory in use, is a configuration error (2), the rest I/O (3). */
_Noreturn void weir_die_snap(int rc, const char *err);
/* Save the stage's state for checkpoint id now (for programs with their
 * own loop, like weir-join's two inputs); exits on failure. */
void weir_stage_save(weir_stage *s, uint64_t id);
/* Warn about csv/tsv/table fields dropped (weir_output_dropped): each new
 * one since *warned, and at_end each with its count. */
void weir_stage_warn_dropped(weir_output *o, size_t *warned, int at_end);
/* Check an output result: EPIPE exits 0, other errors exit 3. */
void weir_stage_check_output(weir_output *o, int rc);

#endif
