/*
 * join.h - the state of weir-join: a changelog table for stream-table
 * joins, and per-key buffers for interval and window joins between two
 * streams (side 0 is the left stream, side 1 the right one).
 *
 * The caller feeds records, watermarks and ENDs from both sides in the
 * order it reads them; the module calls emit() for every output record
 * and tells the caller which watermark it may forward.  Records handed to
 * weir_join_record() are copied where they are kept; emitted records point
 * into module buffers valid until the next call.
 *
 * Memory: table rows live in one arena (key and right fields, packed),
 * indexed by an open-addressing hash table of 64-bit slots; a replaced or
 * deleted row's bytes are reclaimed by compaction once garbage passes half
 * the arena.  Stream buffers live in 1 MiB chunks that are recycled when
 * their last record is pruned.  No allocation per record once warm.
 */
#ifndef WEIR_JOIN_H
#define WEIR_JOIN_H

#include "frame.h"
#include "path.h"

enum { WEIR_JOIN_TABLE, WEIR_JOIN_INTERVAL, WEIR_JOIN_WINDOW };
enum { WEIR_JOIN_INNER, WEIR_JOIN_LEFT, WEIR_JOIN_OUTER };

typedef struct weir_join_spec {
	int mode;		/* WEIR_JOIN_* */
	int type;		/* WEIR_JOIN_INNER, LEFT, OUTER */
	size_t nkeys;		/* 0: join on the record key */
	const weir_path *lpaths, *rpaths;	/* nkeys each */
	const char *prefix;	/* prefix for right field names, or NULL */
	const char *as;		/* nest the right value under this name */
	int64_t before, after;	/* interval: right.ts - left.ts in [-before, after] */
	/* interval bounded by the left record's fields (--between): the
	 * right's time in [max(from, ts - before), min(until, ts + after)] */
	const weir_path *from, *until;
	/* output record (valid during the call only) */
	void (*emit)(void *arg, const weir_record *r);
	/* a one-line notice (a field-name clash, reported once) */
	void (*notice)(void *arg, const char *msg);
	void *arg;
} weir_join_spec;

typedef struct weir_join weir_join;

weir_join *weir_join_new(const weir_join_spec *spec, char *err, size_t errsz);
void weir_join_free(weir_join *j);

/*
 * One record from a side.  Returns 0 when it was handled (joined,
 * buffered, applied to the table, or counted as late), WEIR_FAIL_DATA for
 * a bad record (err says why; the caller applies --on-error),
 * WEIR_FAIL_NOMEM.
 */
int weir_join_record(weir_join *j, int side, const weir_record *r,
    char *err, size_t errsz);
/* A watermark from a side; may emit (closed intervals and windows).  This
 * and weir_join_end: 0 or WEIR_FAIL_NOMEM. */
int weir_join_watermark(weir_join *j, int side, int64_t wm);
/* END from a side: its watermark becomes +infinity; with both sides
 * ended everything still buffered is flushed. */
int weir_join_end(weir_join *j, int side);
/* The watermark the output may carry now (INT64_MIN: none yet;
 * INT64_MAX: both sides ended, nothing to forward): the combined
 * watermark held back by what the join may still emit. */
int64_t weir_join_out_watermark(const weir_join *j);

/*
 * Checkpoints (snap.h): save appends the whole state (table rows, stream
 * buffers in their list and heap order, watermarks, ENDs, counters) to
 * out; 0 or WEIR_FAIL_NOMEM.  load reads it into a join freshly
 * made from the same spec, so that it goes on exactly as the saved one
 * would have; with a message, WEIR_FAIL_DATA on anything malformed
 * (hostile input is safe), WEIR_FAIL_NOMEM.
 */
struct weir_rd;
int weir_join_save(const weir_join *j, weir_buf *out);
int weir_join_load(weir_join *j, struct weir_rd *rd, char *err,
    size_t errsz);

typedef struct weir_join_stats {
	uint64_t rows;		/* table: live rows */
	uint64_t late;		/* stream records dropped as late */
	uint64_t nokey;		/* records without a join key */
	uint64_t buffered;	/* interval/window: records held now */
	uint64_t max_buffered;	/* ... and the most ever held */
	size_t bytes;		/* memory held by the state */
	size_t data;		/* table: bytes of live keys and right fields */
} weir_join_stats;
void weir_join_get_stats(const weir_join *j, weir_join_stats *st);

#endif
