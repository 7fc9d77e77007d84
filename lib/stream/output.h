/*
 * output.h - one record stream out: weir frames, or text for people and
 * other tools (ndjson, csv, tsv, table, envelope, lines, raw).
 *
 * WEIR_FMT_AUTO writes frames unless the descriptor is a terminal, where it
 * writes NDJSON: frames never land on a screen.
 */
#ifndef WEIR_OUTPUT_H
#define WEIR_OUTPUT_H

#include "envelope.h"
#include "frame.h"
#include "input.h"
#include "io.h"

typedef struct weir_output weir_output;

/* fields: comma-separated top-level field names for csv/tsv/table (NULL:
 * the first record's fields).  NULL when it fails (out of memory, or
 * fields that are not field names: use weir_output_open_fields). */
weir_output *weir_output_open(int fd, int fmt, const char *fields);
/* The same: 0 and *out, or WEIR_FAIL_USAGE (fields: a path that is not a
 * field name, .[0]) or WEIR_FAIL_NOMEM, with the message in err. */
int weir_output_open_fields(weir_output **out, int fd, int fmt,
    const char *fields, char *err, size_t errsz);
void weir_output_close(weir_output *o);	/* does not flush or close fd */
/* csv, tsv, table: hold every record to the end, then write them with the
 * union of their fields as columns (in the order first seen).  -1 for
 * another format, or with fields given. */
int weir_output_all_fields(weir_output *o);
/* csv, tsv, table with columns from the first record: the fields later
 * records had that are not columns ("field .NAME", the 32nd and last entry
 * "other fields"), each with the records it was dropped from (NULL past
 * the last). */
size_t weir_output_ndropped(const weir_output *o);
const char *weir_output_dropped(const weir_output *o, size_t i,
    uint64_t *count);
int weir_output_format(const weir_output *o);
/* csv, tsv, table: write the number cells of the columns ts, window_start
 * and window_end (event time and window bounds, integer ms) as
 * WEIR_TIME_ISO8601 or WEIR_TIME_S text (default WEIR_TIME_MS: as they
 * are). */
void weir_output_set_time_format(weir_output *o, int timefmt);
/* table: narrow the widest columns, cutting their cells with an ellipsis,
 * so a row fits in cols terminal columns (0: no limit). */
void weir_output_set_width(weir_output *o, size_t cols);
/* The output continues a file that already has its CSV/TSV header. */
void weir_output_resume(weir_output *o);
/* Writing returns 0 or a kind (util.h), with weir_output_error saying
 * why: WEIR_FAIL_IO a write failed ("write: REASON", its errno in
 * weir_output_failed; EPIPE when the reader went away), WEIR_FAIL_NOMEM
 * ("out of memory"); both stay, so every later call fails the same way.
 * weir_output_record returns WEIR_FAIL_DATA when the record would make a
 * frame over weir_max_record(), which every reader refuses: nothing is
 * written, the record is bad (for --on-error), and the output goes on. */
int weir_output_record(weir_output *o, const weir_record *r);
/*
 * A record built in place (framed output only), with no copy of its value:
 * weir_output_open_record gives the buffer to append the record's packed
 * value to (NULL when the output is not framed, or failed: use
 * weir_output_record), then weir_output_close_record(o, ts) makes it the
 * frame weir_output_record would write for a record with event time ts and
 * that value, nothing else (the same returns), or
 * weir_output_cancel_record drops it, its value appended to val (0, or -1
 * out of memory).
 */
weir_buf *weir_output_open_record(weir_output *o);
int weir_output_close_record(weir_output *o, int64_t ts);
int weir_output_cancel_record(weir_output *o, weir_buf *val);
/* Append r's value as one JSON text, as -f ndjson writes it (no newline);
 * scratch is working space. */
int weir_output_json(weir_buf *b, const weir_record *r, weir_buf *scratch);
/* 1 when r would make a frame over the limit (the message is then
 * weir_output_error), else 0. */
int weir_output_too_big(weir_output *o, const weir_record *r);
const char *weir_output_error(const weir_output *o);
int weir_output_watermark(weir_output *o, int64_t wm);
int weir_output_barrier(weir_output *o, uint64_t id, const uint8_t *p,
    size_t n);
/* Write END (frames only) and flush everything. */
int weir_output_end(weir_output *o);
int weir_output_flush(weir_output *o);
/* For weir_input_set_idle: flush, remembering a failure for later. */
void weir_output_idle(void *o);
int weir_output_failed(const weir_output *o);	/* errno of the failure */
uint64_t weir_output_records(const weir_output *o);
uint64_t weir_output_bytes(const weir_output *o);

#endif
