/*
 * window.h - event-time windows: which windows hold an event time
 * (tumbling, hopping), and per-key session windows that grow and merge as
 * records arrive and close when the watermark passes them.
 *
 * Windows are [start, end) in milliseconds, aligned to the epoch plus an
 * offset: a tumbling or hopping window starts at offset + k * ADVANCE for
 * a whole k (negative too: alignment floors, it never truncates toward
 * zero).  A window is closed once the cutoff -- the watermark held back by
 * the grace, weir_window_cutoff() -- is >= its end; a record for a closed
 * window is late.  Times near the ends of int64 that would overflow a
 * window bound are refused with an error, never wrapped.
 */
#ifndef WEIR_WINDOW_H
#define WEIR_WINDOW_H

#include "frame.h"
#include "path.h"
#include "snap.h"

enum { WEIR_WINDOW_TUMBLING, WEIR_WINDOW_HOPPING, WEIR_WINDOW_SESSION };

/* Most hopping windows one record may fall into (SIZE / ADVANCE). */
#define WEIR_WINDOW_MAX_COPIES 100000

typedef struct weir_window_spec {
	int kind;
	int64_t size;		/* tumbling, hopping: window length */
	int64_t advance;	/* hopping: step between starts (tumbling: size) */
	int64_t offset;		/* alignment, normalised into [0, advance) */
	int64_t gap;		/* session: inactivity gap */
} weir_window_spec;

/*
 * Parse "tumbling SIZE", "hopping SIZE ADVANCE" or "session GAP" from
 * words[0..n).  Returns how many words it used, or WEIR_FAIL_USAGE with
 * a message.
 * offset (ms, may be negative) is applied for tumbling and hopping windows;
 * it must be 0 for sessions.
 */
int weir_window_parse(weir_window_spec *w, char *const *words, int n,
    int64_t offset, char *err, size_t errsz);

/* The start of the aligned slot that holds ts: the largest
 * offset + k * step <= ts.  step > 0, 0 <= offset < step.  -1 if it does not
 * fit in an int64. */
int weir_window_align(int64_t ts, int64_t step, int64_t offset,
    int64_t *start);

/* The watermark held back by the grace (saturating): windows with
 * end <= cutoff are closed, and it is the watermark to forward. */
int64_t weir_window_cutoff(int64_t watermark, int64_t grace);

/* Iterate the tumbling or hopping windows that hold ts, oldest first. */
typedef struct weir_window_iter {
	int64_t next, last, size, advance;
	int done;
} weir_window_iter;
/* WEIR_FAIL_DATA with a message if ts is so near the int64 limits that a
 * window bound would overflow. */
int weir_window_iter_init(weir_window_iter *it, const weir_window_spec *w,
    int64_t ts, char *err, size_t errsz);
int weir_window_iter_next(weir_window_iter *it, int64_t *start,
    int64_t *end);

/*
 * Sessions, per group (a key of bytes).  A session is
 * [first ts, last ts + gap); a record at most gap from a session joins it,
 * and one that is within gap of two sessions merges them.  Records are
 * copied in and handed back, tagged with the session's final window, when
 * it closes.  State is the open sessions and their records.
 *
 * Because a record exactly gap after a session's last one still joins it,
 * a session [start, end) is complete only once the watermark W > end (a
 * watermark promises ts >= W, not ts > W): pass the cutoff
 * weir_window_cutoff(W, grace + 1) and forward that same value.
 */
typedef struct weir_window_sessions weir_window_sessions;

weir_window_sessions *weir_window_sessions_new(int64_t gap);
void weir_window_sessions_free(weir_window_sessions *s);

/*
 * Add record r (it must have an event time) to group key[0..klen).
 * Sessions with end <= cutoff are closed: a record that joins no open
 * session and whose own session [ts, ts + gap) is closed already is late
 * and is not kept.  Returns 0 when kept, 1 when late (*start, *end: the
 * closed window it belonged to), WEIR_FAIL_DATA for a record that cannot
 * be windowed (no event time, or one too near the int64 limits) and
 * WEIR_FAIL_NOMEM, both with a message.
 */
int weir_window_sessions_add(weir_window_sessions *s, const uint8_t *key,
    size_t klen, const weir_record *r, int64_t cutoff, int64_t *start,
    int64_t *end, char *err, size_t errsz);

/*
 * The same as weir_window_sessions_add for the group in key, a few records
 * later (so that the memory it touches is fetched while the records before
 * it are added): r is copied.  A late record, when it is added, goes to
 * late(arg, copy, start, end); a non-zero return from late stops and is
 * returned.  Returns 0; WEIR_FAIL_DATA with a message, at once, for a
 * record that cannot be windowed (after the records put before it are
 * added); WEIR_FAIL_NOMEM.  The records put must be added with flush
 * before the cutoff changes, before close and save, and before anything
 * else that must come after them.
 */
typedef int (*weir_window_late_fn)(void *arg, weir_record *r, int64_t start,
    int64_t end);
int weir_window_sessions_put(weir_window_sessions *s, const weir_buf *key,
    const weir_record *r, int64_t cutoff, weir_window_late_fn late,
    void *arg, char *err, size_t errsz);
int weir_window_sessions_flush(weir_window_sessions *s,
    weir_window_late_fn late, void *arg, char *err, size_t errsz);

/*
 * Close every session with end <= cutoff (INT64_MAX: all of them): call
 * emit for each of its records, in event-time order (ties in arrival
 * order), tagged WEIR_R_WINDOW with the session's [start, end).  Sessions
 * close in order of their end.  The record is valid during the call only.
 * A non-zero return from emit stops and is returned; otherwise 0,
 * WEIR_FAIL_NOMEM or WEIR_FAIL_DATA (a corrupt session), with a message.
 */
typedef int (*weir_window_emit_fn)(void *arg, const weir_record *r);
int weir_window_sessions_close(weir_window_sessions *s, int64_t cutoff,
    weir_window_emit_fn emit, void *arg, char *err, size_t errsz);

/*
 * The group a record's session belongs to, into out (reset): with paths,
 * the values of those fields of the record's JSON value (a missing field
 * counts as null); without, the record key (keyless records form one group
 * of their own).  WEIR_FAIL_DATA with a message if paths are given and
 * the value is not JSON (a bad record), WEIR_FAIL_NOMEM.
 */
int weir_window_group_key(weir_buf *out, const weir_record *r,
    const weir_path *paths, size_t npaths, weir_buf *scratch, char *err,
    size_t errsz);

/* Open sessions, and records held in them. */
size_t weir_window_sessions_open(const weir_window_sessions *s);
size_t weir_window_sessions_records(const weir_window_sessions *s);

/*
 * Checkpoints (snap.h): save appends the open sessions of every group with
 * their held records, and the queue of session ends as it is, so that a
 * load into a new, empty set (of the same gap) closes and emits exactly
 * what the saved one would have.  save: 0 or WEIR_FAIL_NOMEM.  load:
 * WEIR_FAIL_DATA with a message on malformed state (it is checked, never
 * trusted), WEIR_FAIL_NOMEM; the set is then only fit to be freed.
 */
int weir_window_sessions_save(const weir_window_sessions *s, weir_buf *out);
int weir_window_sessions_load(weir_window_sessions *s, weir_rd *rd,
    char *err, size_t errsz);

#endif
