/*
 * agg.h - grouped, windowed aggregation (the engine of weir-agg).
 *
 * An aggregator holds the group paths and the functions, and the state of
 * every (window, group) pair that is still open.  Records add to the group
 * of their window (records without a window go to one unwindowed bucket);
 * weir_agg_close() finishes every window whose end is at or before a
 * watermark, hands each group's result to a callback and frees the state,
 * so memory is bounded by open windows x groups, never by input size.
 *
 * Hot path: a window is found in a small hash table (with a last-hit
 * cache), a group in the window's open-addressing table; group state is a
 * fixed-size block in one array per window.  Only the unbounded functions
 * (distinct, topk) and the growing ones (pNN buckets, first/last values,
 * approx_distinct registers) allocate, once per group or as they grow.
 *
 * Results are packed JSON objects: window_start and window_end (windowed
 * input), the group fields named by their paths' last key ("key" when
 * grouping by the record key), then the aggregates.  The result record's
 * event time is window_end - 1 (unwindowed: the latest event time of the
 * group's records, if they had one), its window the group's window, and
 * its key the group: one group path gives that value's text (a string's
 * characters, otherwise its JSON), several give the JSON array of their
 * values (["u1","/p/3"]), and the record key is kept as it is.
 */
#ifndef WEIR_AGG_H
#define WEIR_AGG_H

#include "frame.h"
#include "snap.h"

enum weir_agg_kind {
	WEIR_AGG_COUNT, WEIR_AGG_SUM, WEIR_AGG_AVG, WEIR_AGG_MIN, WEIR_AGG_MAX,
	WEIR_AGG_FIRST, WEIR_AGG_LAST, WEIR_AGG_DISTINCT,
	WEIR_AGG_APPROX_DISTINCT, WEIR_AGG_QUANTILE, WEIR_AGG_TOPK,
	WEIR_AGG_STDDEV, WEIR_AGG_MAX_BY, WEIR_AGG_MIN_BY, WEIR_AGG_TOP
};

typedef struct weir_agg weir_agg;

/* A group touched by weir_agg_add, for weir_agg_emit_group. */
typedef struct weir_agg_ref {
	void *win;
	uint32_t idx;
} weir_agg_ref;

/* Receives one result record; returns < 0 to stop (the error is passed
 * back to the caller of the emitting function). */
typedef int (*weir_agg_emit_fn)(void *arg, const weir_record *r);

weir_agg *weir_agg_new(void);
void weir_agg_free(weir_agg *a);

/* -g: "PATH[,PATH...]", each optionally NAME=PATH.  May be given more than
 * once; without any, records group by their key.  This and the two below:
 * 0, or WEIR_FAIL_USAGE (a bad spec) or WEIR_FAIL_NOMEM with a message. */
int weir_agg_add_groups(weir_agg *a, const char *spec, char *err,
    size_t errsz);
/* One function: count, sum:P, ..., p99.9:P, topk:N:P, max_by:P, top:N:P,
 * NAME=FUNC[:P]. */
int weir_agg_add_func(weir_agg *a, const char *spec, char *err,
    size_t errsz);
/* After the groups and functions: check names, lay out the state (count
 * alone when no function was given). */
int weir_agg_ready(weir_agg *a, char *err, size_t errsz);

/*
 * After weir_agg_ready: packed values may come unvalidated (a frame
 * stream read with weir_input_pass_values): weir_agg_add and
 * weir_agg_add_hop then validate the fields they read (the whole value
 * when the lookup is not the one-pass one) and refuse a corrupt one with
 * WEIR_FAIL_IO.  1 when the aggregator reads values only that way, 0 when
 * it keeps whole records (max_by, min_by, top) and the values must come
 * validated.
 */
int weir_agg_check_reads(weir_agg *a);

/*
 * Add one record.  Returns 0 and sets *ref (may be NULL) to its group; 1
 * when the record belongs to a window that already closed (a late record:
 * not added, the caller counts it); WEIR_FAIL_DATA for a bad record (err
 * says why; the state is unchanged), WEIR_FAIL_NOMEM, WEIR_FAIL_IO (a
 * corrupt packed value, weir_agg_check_reads).
 */
int weir_agg_add(weir_agg *a, const weir_record *r, weir_agg_ref *ref,
    char *err, size_t errsz);

/*
 * Add a record that may be a HOP record (frame.h: one record in several
 * hopping windows) to the group of each of its windows, as weir_agg_add
 * adds each copy of it: *late is the number of its windows that closed
 * already (not added to).  0, WEIR_FAIL_DATA (nothing added), or
 * WEIR_FAIL_NOMEM.
 */
int weir_agg_add_hop(weir_agg *a, const weir_record *r, uint32_t *late,
    char *err, size_t errsz);

/* Emit the current result of one group (--emit updates).  This and the
 * three below: 0, WEIR_FAIL_NOMEM, or what fn returned when < 0. */
int weir_agg_emit_group(weir_agg *a, const weir_agg_ref *ref,
    weir_agg_emit_fn fn, void *arg);

/* Close every window with end <= wm, in order of end then start, a
 * window's groups in the order of their values (agg_order.c); each
 * group's result goes to fn unless emit is 0 (results already sent as
 * updates).  Later records for those windows are late. */
int weir_agg_close(weir_agg *a, int64_t wm, int emit, weir_agg_emit_fn fn,
    void *arg);
/* End of input: close every window and the unwindowed bucket. */
int weir_agg_close_all(weir_agg *a, int emit, weir_agg_emit_fn fn,
    void *arg);
/* Emit the groups changed since the last snapshot (--every), windows
 * staying open. */
int weir_agg_snapshot(weir_agg *a, weir_agg_emit_fn fn, void *arg);

/*
 * Checkpoints (snap.h): save appends every open window and group with the
 * state of each function, and what decides later results (the closed
 * watermark, the changed marks of --every); load reads that back into a
 * new aggregator set up with the same groups and functions (their
 * configuration is not saved).  save: 0 or WEIR_FAIL_NOMEM; load: with a
 * message, WEIR_SNAP_EBAD on malformed state (it is checked, never
 * trusted), WEIR_FAIL_NOMEM.
 */
int weir_agg_save(const weir_agg *a, weir_buf *out);
int weir_agg_load(weir_agg *a, weir_rd *rd, char *err, size_t errsz);

/*
 * --explode (agg_explode.c): a result r of weir_agg becomes one record per
 * element of its aggregate name (an array, as top:N gives; an object, as
 * max_by gives, is one element; null none): the result's other fields,
 * then the element's fields (an object's; any other value as the field
 * name), an element's field replacing a result field of the same name,
 * then the field rank (1, 2, ...).  Each goes to fn with r's key, time and
 * window.  A WEIR_FAIL_* with a message: no aggregate is named name
 * (USAGE), out of memory, or what fn returned.
 */
typedef struct weir_agg_explode_spec {
	const char *name;	/* the aggregate's output field */
	const char *rank;	/* the rank's field */
} weir_agg_explode_spec;
int weir_agg_explode(const weir_agg_explode_spec *x, const weir_record *r,
    weir_buf *out, weir_buf *tmp, weir_agg_emit_fn fn, void *arg, char *err,
    size_t errsz);

/*
 * --rows N (agg_rows.c): count-based windows per group.  weir_agg_rows_add
 * adds r (its window ignored) and makes its group's state that of the
 * group's last n records, r included; returns as weir_agg_add (never 1),
 * with ref set for weir_agg_emit_group.  weir_agg_rows_save appends
 * every group's rows to a checkpoint (after weir_agg_save);
 * weir_agg_rows_load, after weir_agg_load, adds them again in order, so
 * the rings and the groups' states are those saved.
 */
typedef struct weir_agg_rows weir_agg_rows;
weir_agg_rows *weir_agg_rows_new(weir_agg *a, uint32_t n);	/* NULL: ENOMEM */
void weir_agg_rows_free(weir_agg_rows *w);
int weir_agg_rows_add(weir_agg_rows *w, const weir_record *r,
    weir_agg_ref *ref, char *err, size_t errsz);
int weir_agg_rows_save(const weir_agg_rows *w, weir_buf *out);
int weir_agg_rows_load(weir_agg_rows *w, weir_rd *rd, char *err,
    size_t errsz);

/* Statistics. */
size_t weir_agg_open_windows(const weir_agg *a);
uint64_t weir_agg_open_groups(const weir_agg *a);

#endif
