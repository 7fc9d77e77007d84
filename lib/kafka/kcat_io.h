/*
 * kcat_io.h - kcat's ways in and out of Kafka, for a kcat user's commands:
 * its text output (weir-source -C, weir-sink -f with %) and its producer
 * input (weir-sink -P: delimited messages or whole files).
 *
 * Errors: a WEIR_FAIL_* kind with a one-line message in err.
 */
#ifndef WEIR_KCAT_IO_H
#define WEIR_KCAT_IO_H

#include "kafka.h"
#include "kcatfmt.h"

/* kcat's text output: records formatted by f into a buffer written to fd
 * (at 64 KiB, or after each record when unbuffered). */
typedef struct weir_kcat_out {
	const weir_kcatfmt *f;
	int fd, unbuffered;
	weir_buf out, scratch;
} weir_kcat_out;

/* Format r (m: what kcat -J shows that r does not carry, NULL none):
 * 0, WEIR_FAIL_DATA when it cannot be formatted (a corrupt value),
 * WEIR_FAIL_NOMEM, or WEIR_FAIL_IO (errno set) when writing failed. */
int weir_kcat_out_put(weir_kcat_out *o, const weir_record *r,
    const weir_kcat_meta *m);
/* Write what is formatted: 0, or WEIR_FAIL_IO with errno set. */
int weir_kcat_out_flush(weir_kcat_out *o);
void weir_kcat_out_free(weir_kcat_out *o);

/* kcat -P (weir-sink(1), KCAT). */
typedef struct weir_kcat_produce_opts {
	char *const *files;	/* one message each (line: one file, a */
	int nfiles;		/* message per line); none: stdin */
	int line;		/* -l */
	int null_empty;		/* -Z: an empty key or value is null */
	int tee;		/* -T: each message to stdout too */
	long long count;	/* -c: at most this many (0: all) */
	const char *delim;	/* -D as bytes, NUL-terminated */
	const char *kdelim;	/* -K as bytes, NULL: no key */
	const char *key;	/* -k: the key of messages without one */
	weir_kcat_hdrs *hdrs;	/* -H, NULL: none */
	/* a message Kafka refused (too big, ...): the message */
	void (*bad)(void *arg, const char *msg, const uint8_t *value,
	    size_t len);
	void *bad_arg;
	/* a second error while failing; NULL: none */
	void (*warn)(const char *msg);
} weir_kcat_produce_opts;

/*
 * Produce kcat's input to o's topic: FILEs one message each (empty files
 * skipped), or the input split at the delimiter, a key split off at
 * kdelim, empty messages skipped.  A stop signal ends the reading; what
 * was sent is delivered.  0, or a WEIR_FAIL_* kind after what was in
 * flight had a bounded time (10 s) to land (the producer is then left to
 * the process's exit).
 */
int weir_kcat_produce(const weir_kafka_opts *o,
    const weir_kcat_produce_opts *po, char *err, size_t errsz);

/* Give what p has in flight a bounded time (10 s) to land before a
 * failure msg ends the program; a different error then goes to warn. */
void weir_kafka_producer_settle(weir_kafka_producer *p, const char *msg,
    void (*warn)(const char *msg));

#endif
