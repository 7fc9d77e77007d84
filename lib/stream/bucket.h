/*
 * bucket.h - a file sink that writes one file per time bucket (weir-sink
 * --path): each record goes to the file whose name is a strftime(3)
 * template expanded on its event time in UTC, such as
 * "out/dt=%Y-%m-%d/hr=%H.ndjson", directories made as needed.
 *
 * At most max_open files are open at once; when another is needed the
 * least recently written one is flushed and closed, and reopened for
 * appending if a later record needs it again (a CSV header is written
 * once per file).  A file is started afresh the first time the run opens
 * it (or appended to, with append set).
 */
#ifndef WEIR_BUCKET_H
#define WEIR_BUCKET_H

#include "frame.h"
#include "path.h"

typedef struct weir_bucket weir_bucket;

typedef struct weir_bucket_spec {
	const char *tmpl;	/* the strftime template */
	const weir_path *time;	/* the time from this field, not the event
				 * time (NULL) */
	int fmt;		/* WEIR_FMT_*, not table */
	const char *fields;	/* csv, tsv: columns (NULL: each file's
				 * first record's) */
	int timefmt;		/* --time-format, or -1 */
	int append;
	unsigned max_open;	/* >= 1 */
	int sync;		/* checkpoints: fsync each file it closes */
} weir_bucket_spec;

/* 0 and *out; WEIR_FAIL_USAGE when the template names no conversion that
 * changes with time, or WEIR_FAIL_NOMEM; err says why. */
int weir_bucket_open(weir_bucket **out, const weir_bucket_spec *sp,
    char *err, size_t errsz);
/*
 * Write one record to its bucket's file.  0; WEIR_FAIL_DATA when it has
 * no event time (or its field no time), or is too big for a frame;
 * WEIR_FAIL_IO on a file that cannot be made, opened or written;
 * WEIR_FAIL_NOMEM.  err says why.
 */
int weir_bucket_write(weir_bucket *b, const weir_record *r, char *err,
    size_t errsz);
/* Flush and close every open file (END on frames): 0 or WEIR_FAIL_IO. */
int weir_bucket_close(weir_bucket *b, char *err, size_t errsz);
void weir_bucket_free(weir_bucket *b);
/*
 * Checkpoints.  weir_bucket_sync flushes and fsyncs the open files and
 * appends to state every file written so far with its length.
 * weir_bucket_restore, before the first write, cuts each file of such a
 * state back to its length and appends to it from there; a file that is
 * not in it is started afresh when a record first needs it.  0, or
 * WEIR_FAIL_IO, WEIR_FAIL_NOMEM, WEIR_FAIL_USAGE (a bad state); err says
 * why.
 */
int weir_bucket_sync(weir_bucket *b, weir_buf *state, char *err,
    size_t errsz);
int weir_bucket_restore(weir_bucket *b, const uint8_t *p, size_t n,
    char *err, size_t errsz);
/* Files written, and how many are open now. */
uint64_t weir_bucket_files(const weir_bucket *b);
unsigned weir_bucket_open_files(const weir_bucket *b);

#endif
