/*
 * source.h - what weir-source does to every record whatever it reads
 * (files, a generator, Kafka): the record's key and event time from its
 * fields (--key, --time, --cdc), its way out (--rate, watermarks by
 * --max-delay, -c N), and the source's own checkpoints (weir(7),
 * CHECKPOINTS): barriers every --checkpoint DUR with the position reached,
 * and its snapshot (watermark, counts).  The reading loops are in
 * lib/prog/srcrun.c; an input that keeps its own watermark and position
 * (Kafka, lib/kafka/kafka_read.c) gives them through weir_source_ops.
 *
 * Errors: a WEIR_FAIL_* kind with a message in err (lib/base/util.h).  A
 * failed write to the output is WEIR_FAIL_IO with weir_output_error's
 * message (weir_output_failed tells EPIPE).
 */
#ifndef WEIR_SOURCE_H
#define WEIR_SOURCE_H

#include "cdc.h"
#include "gen.h"
#include "input.h"
#include "output.h"
#include "path.h"
#include "record.h"
#include "snap.h"

/* What an input that keeps its own watermark and position gives (all
 * may be NULL). */
typedef struct weir_source_ops {
	/* the watermark (per partition, the minimum): 1 with *wm, 0 none
	 * yet; NULL: the maximum event time seen minus the delay */
	int (*watermark)(void *arg, int64_t delay, int64_t idle_ms,
	    int64_t *wm);
	/* this input's position {...} appended to b; -1 out of memory */
	int (*position)(void *arg, weir_buf *b);
	/* its part of the snapshot appended to snap; -1 out of memory */
	int (*save)(void *arg, weir_buf *snap);
	/* after each barrier went out: 0 or a WEIR_FAIL_* kind */
	int (*barrier_sent)(void *arg, const char *dir, char *err,
	    size_t errsz);
	void *arg;
} weir_source_ops;

typedef struct weir_source {
	/* set before use (weir_source_init sets the defaults) */
	weir_output *out;	/* NULL: records are not written (kcat) */
	weir_path keyp, timep;
	int have_key, have_time, time_now, timefmt;
	int wm_on;		/* --max-delay (or Nexmark's own) */
	int64_t max_delay, idle_ms;
	uint64_t limit;		/* -c N; 0 none */
	double rate;		/* --rate: records per second, 0 unpaced */
	int unbuffered;		/* flush after each record (-u) */
	weir_cdc cdc;		/* --cdc */
	int64_t ckpt_every;	/* --checkpoint; 0 none */
	uint64_t *skipped;	/* bad records skipped, kept in snapshots */
	const weir_source_ops *ops;
	/* the position: the file being read and its index, or the gen */
	const char *pos_file;
	int pos_index;
	weir_input *pos_in;
	weir_gen *pos_gen;
	/* state */
	int64_t max_ts, last_wm;
	uint64_t since_wm, emitted, paced;
	int64_t pace_t0;
	weir_ckpt ckpt;
	int64_t ckpt_due;
	uint64_t ckpt_id;
	struct json_t *resume;	/* this source's position in COMMITTED */
	weir_buf ktimes;	/* the rest of the snapshot (Kafka's times) */
	weir_buf scratch, keybuf, payload, snap;
	const char *name;	/* in checkpoints (weir_source_ckpt_open) */
} weir_source;

void weir_source_init(weir_source *s);
void weir_source_free(weir_source *s);

/* -c N reached. */
int weir_source_limited(const weir_source *s);

/*
 * Apply --cdc, --key and --time (and --time now) to r; check that it has
 * an event time when watermarks are on and that the output takes it.  0,
 * WEIR_FAIL_DATA for a bad record (why says what), WEIR_FAIL_NOMEM.
 */
int weir_source_shape(weir_source *s, weir_record *r, char *why,
    size_t whysz);

/*
 * Write r out (weir-source(1), WATERMARKS): paced by --rate, preceded by
 * the watermark the records so far allow when r is behind it, then the
 * watermark every 1024 records, and a barrier when one is due.  0 or a
 * WEIR_FAIL_* kind.
 */
int weir_source_emit(weir_source *s, const weir_record *r, char *err,
    size_t errsz);
/* A record of time ts is behind the watermark the records so far allow
 * (and not yet sent): weir_source_emit sends that watermark first. */
static inline int
weir_source_behind(const weir_source *s, int64_t ts)
{
	return s->wm_on && s->max_ts != INT64_MIN &&
	    ts < s->max_ts - s->max_delay &&
	    s->max_ts - s->max_delay > s->last_wm;
}
/* After a record went out (written in place, weir_output_open_record):
 * what weir_source_emit does after writing it. */
int weir_source_emitted(weir_source *s, int64_t ts, char *err,
    size_t errsz);
/* The watermark, when it moved on. */
int weir_source_watermark(weir_source *s, char *err, size_t errsz);
/* Before blocking for input: the watermark, a barrier if one is due, and
 * the output flushed. */
int weir_source_idle(weir_source *s, char *err, size_t errsz);

/*
 * Checkpoints: open this source's state (name) in dir and restore its
 * snapshot of the committed checkpoint, with its position (resume).
 * skip_input reads the input's part of the snapshot (to check it; NULL:
 * there is none).  1 resumed, 0 started afresh, or a WEIR_FAIL_* kind.
 */
int weir_source_ckpt_open(weir_source *s, const char *dir, const char *name,
    const char *kind, uint64_t fp, int reset, void (*skip_input)(weir_rd *),
    char *err, size_t errsz);
/* The saved position's number field (index, offset, gen), or -1. */
long long weir_source_resume_int(const weir_source *s, const char *field);
/* A barrier now: save the snapshot, send the barrier with the position
 * after the last record sent. */
int weir_source_barrier(weir_source *s, char *err, size_t errsz);

#endif
