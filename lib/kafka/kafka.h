/*
 * kafka.h - Kafka in and out through librdkafka: the consumer behind
 * weir-source -b and the producer behind weir-sink -b, spelled like kcat.
 *
 * Errors: functions that can fail return a negative exit status,
 * WEIR_FAIL_USAGE for a bad option or property and WEIR_FAIL_IO for a
 * Kafka failure (unreachable broker, unknown topic, authorization,
 * undelivered message), with a one-line message in err.
 */
#ifndef WEIR_KAFKA_H
#define WEIR_KAFKA_H

#include "frame.h"

typedef struct weir_kafka_opts {
	const char *brokers;	/* -b host:port,... */
	const char **topics;	/* -t, or the topics after -G GROUP */
	int ntopics;
	int32_t partition;	/* -p, -1 for all */
	const char *offset;	/* -o, NULL for beginning */
	const char *group;	/* -G: balanced consumer group */
	int exit_eof;		/* -e: stop at the high watermarks of start */
	int timeout_s;		/* -m: bound on the first connection */
	const char **props;	/* -X "name=value" or "@FILE", in order */
	int nprops;
	/* Diagnostics that are not fatal (broker went away, ...). */
	void (*warn)(const char *msg);
	const char *txid;	/* producer: transactional.id (weir-sink
				   --transactional-id), NULL for none */
} weir_kafka_opts;

/* Defaults: all partitions, 10 s connection bound; room for maxargs
 * topics and properties (argc will do).  0 or WEIR_FAIL_NOMEM. */
int weir_kafka_opts_init(weir_kafka_opts *o, int maxargs);
void weir_kafka_opts_free(weir_kafka_opts *o);
/* The options both programs share, kcat's letters: -b -t -p -X -m.
 * 1 if c was one of them, 0 if not, WEIR_FAIL_USAGE with a message for a
 * bad value. */
int weir_kafka_opt(weir_kafka_opts *o, int c, const char *arg, char *err,
    size_t errsz);

/*
 * An -o OFFSET: beginning, end, stored, N (absolute), -N (the last N of
 * each partition), s@MS (from the first message at or after time MS),
 * e@MS (stop before the first message at or after MS).
 */
enum { WEIR_KOFF_BEGINNING, WEIR_KOFF_END, WEIR_KOFF_STORED, WEIR_KOFF_ABS,
	WEIR_KOFF_TAIL, WEIR_KOFF_START_TS, WEIR_KOFF_STOP_TS };
int weir_kafka_offset_parse(const char *s, int *kind, int64_t *val);

/* Split one property line "name=value" (surrounding blanks trimmed) in
 * place.  Returns 1 with name/value, 0 for a blank or # comment line, -1
 * when there is no '='. */
int weir_kafka_prop_split(char *line, char **name, char **value);

/* librdkafka's version (weir --version), or NULL with a message when it
 * cannot be loaded (it is loaded when first needed). */
const char *weir_kafka_version(char *err, size_t errsz);

/* -L: the cluster's brokers, topics and partitions as text into out. */
int weir_kafka_list(const weir_kafka_opts *o, weir_buf *out, char *err,
    size_t errsz);
/* -L -J: the same as kcat -L -J's JSON object, without a newline. */
int weir_kafka_list_json(const weir_kafka_opts *o, weir_buf *out, char *err,
    size_t errsz);

/* -L -G GROUP: for each partition of the topics (o->topics, else every
 * topic the group committed an offset in) the group's committed offset,
 * the end offset and the lag, as a table with the header TOPIC PARTITION
 * COMMITTED END LAG, or (json) one JSON object a line; a partition
 * without a committed offset shows - (null). */
int weir_kafka_group_lag(const weir_kafka_opts *o, int json, weir_buf *out,
    char *err, size_t errsz);

/*
 * Consumer.  weir_kafka_consumer_next() returns a record that points into
 * the consumer and stays valid until the next call.  With a group (-G or
 * -X group.id) offsets are stored only by weir_kafka_consumer_store(),
 * which the caller invokes after its output holding every record returned
 * so far is flushed: at-least-once.  On a rebalance the flush hook runs
 * first, then the revoked partitions' offsets are committed.
 */
typedef struct weir_kafka_consumer weir_kafka_consumer;

enum { WEIR_KAFKA_IDLE = 0, WEIR_KAFKA_RECORD = 1, WEIR_KAFKA_DONE = 2 };

/* 0 and *out, or a WEIR_FAIL_* kind with err. */
int weir_kafka_consumer_open(weir_kafka_consumer **out,
    const weir_kafka_opts *o, char *err, size_t errsz);
/* RECORD, IDLE (nothing within timeout_ms), DONE (-e or e@MS reached on
 * every assigned partition), or a WEIR_FAIL_* kind. */
int weir_kafka_consumer_next(weir_kafka_consumer *c, weir_record *r,
    int timeout_ms, char *err, size_t errsz);
/* Called on rebalance before offsets are committed: flush your output. */
void weir_kafka_consumer_set_flush(weir_kafka_consumer *c,
    void (*fn)(void *), void *arg);
/* What kcat -J shows of the last record that it does not carry: the
 * timestamp type (librdkafka's rd_kafka_timestamp_type_t) and the id of
 * the broker it was fetched from. */
void weir_kafka_consumer_meta(const weir_kafka_consumer *c, int *tstype,
    int32_t *broker);
/* The event time the caller gave the last record (after --time). */
void weir_kafka_consumer_event_time(weir_kafka_consumer *c, int64_t ts);
/* The watermark: the minimum over assigned partitions of (newest event
 * time - delay), leaving out partitions without a record for idle_ms
 * (0: never) and finished ones; when every partition is idle, the newest
 * event time of all - delay.  1 with *wm set, 0 if there is none yet. */
int weir_kafka_consumer_watermark(weir_kafka_consumer *c, int64_t delay,
    int64_t idle_ms, int64_t *wm);
/* Each partition's newest event time (for a snapshot): fn for every
 * partition that has one; 0 or fn's negative return.  set_event_times
 * gives them back to a new consumer before its first next(), so its
 * watermark goes on where the saved one was; 0 or WEIR_FAIL_NOMEM. */
int weir_kafka_consumer_event_times(weir_kafka_consumer *c,
    int (*fn)(void *arg, const char *topic, int32_t partition, int64_t ts),
    void *arg);
int weir_kafka_consumer_set_event_time_of(weir_kafka_consumer *c,
    const char *topic, int32_t partition, int64_t ts);
int weir_kafka_consumer_store(weir_kafka_consumer *c, char *err,
    size_t errsz);
/* Store, commit (with a group, unless manual) and leave the group.  A
 * commit the coordinator does not answer within ten seconds fails
 * (WEIR_FAIL_IO, "timed out") and librdkafka's handle is then left to
 * the process's exit: its close would wait for the coordinator. */
int weir_kafka_consumer_close(weir_kafka_consumer *c, char *err,
    size_t errsz);

/*
 * Checkpoints.  Positions are JSON text, [["topic",partition,next_offset],
 * ...]: for each partition, the offset of the next record to read.
 */
/* Call fn for each position of the text; 0, fn's negative return, or
 * WEIR_FAIL_USAGE with a message for text that is not a position list. */
int weir_kafka_positions_each(const char *json, size_t len,
    int (*fn)(void *arg, const char *topic, int32_t partition,
    int64_t offset), void *arg, char *err, size_t errsz);
/* Append the positions right after the last record next() returned, for
 * every partition a record came from or that is assigned, and the
 * seek_to() position of one not assigned yet; a partition assigned whose
 * start is not known yet (a group's committed offset, before its first
 * record) is left out: it starts there again.  0 or WEIR_FAIL_NOMEM. */
int weir_kafka_consumer_positions(weir_kafka_consumer *c, weir_buf *out);
/* Start the listed partitions at the given offsets instead of -o or the
 * group's committed offset; others start as they would.  Without -G, call
 * it before the first next(); with -G it applies on every assignment of
 * the partition until a record of it is given out.  With manual commits
 * a partition assigned again after a rebalance goes on right after the
 * last record given out, not at the group's (older) committed offset. */
int weir_kafka_consumer_seek_to(weir_kafka_consumer *c, const char *json,
    size_t len, char *err, size_t errsz);
/* on = 1: offsets are never stored or committed by the consumer itself
 * (not after flushes, not on a revoke, not at close); only
 * commit_positions() commits.  Call before the first next(). */
void weir_kafka_consumer_set_manual_commit(weir_kafka_consumer *c, int on);
/* Commit the given positions to the group, synchronously: with -G only
 * the partitions assigned to this member now (a rebalance in progress
 * refuses the commit: WEIR_FAIL_IO), without -G all of them (needs
 * -X group.id, else WEIR_FAIL_USAGE). */
int weir_kafka_consumer_commit_positions(weir_kafka_consumer *c,
    const char *json, size_t len, char *err, size_t errsz);

/* kcat -Q: the offset of the first message at or after each time, for
 * specs "TOPIC:PARTITION:TIME" (TIME -1: the end, -2: the beginning),
 * appended to out as kcat prints it ("TOPIC [P] offset N" lines, or
 * with json its JSON object, without a newline). */
int weir_kafka_offsets_for_times(const weir_kafka_opts *o, const char **specs,
    int n, int json, weir_buf *out, char *err, size_t errsz);

/*
 * Producer: idempotent, acks=all.  Every delivery report is checked; a
 * failed one makes poll/flush return WEIR_FAIL_IO.
 */
typedef struct weir_kafka_producer weir_kafka_producer;

/* 0 and *out, or a WEIR_FAIL_* kind with err. */
int weir_kafka_producer_open(weir_kafka_producer **out,
    const weir_kafka_opts *o, char *err, size_t errsz);
/* Produce r: value bytes, key (key != NULL overrides the record's key),
 * headers, event time as the message timestamp. */
int weir_kafka_producer_send(weir_kafka_producer *p, const weir_record *r,
    const uint8_t *key, size_t key_len, char *err, size_t errsz);
/* Serve delivery reports for up to timeout_ms. */
int weir_kafka_producer_poll(weir_kafka_producer *p, int timeout_ms,
    char *err, size_t errsz);
/* Wait until everything in flight is delivered (or timeout_ms, -1 for
 * the producer's message.timeout.ms). */
int weir_kafka_producer_flush(weir_kafka_producer *p, int timeout_ms,
    char *err, size_t errsz);
uint64_t weir_kafka_producer_delivered(const weir_kafka_producer *p);
void weir_kafka_producer_close(weir_kafka_producer *p);

/*
 * Transactions (o->txid set): open() sets transactional.id and, unless
 * -X gives one, transaction.timeout.ms = 60000, and initialises them
 * (init_transactions: older producers with the same id are fenced, what
 * they left open is aborted or completed).  Messages may be sent only
 * between begin and commit.  Retriable errors are retried within the
 * transaction timeout; an error that needs an abort aborts the
 * transaction and fails (WEIR_FAIL_IO, "aborted" in the message); a
 * fatal one (fenced) fails with a message that says so.
 */
int weir_kafka_txn_begin(weir_kafka_producer *p, char *err, size_t errsz);
/* Every message sent from now on carries the header name: value instead
 * of a header of that name the record has.  0 or WEIR_FAIL_NOMEM. */
int weir_kafka_producer_set_header(weir_kafka_producer *p, const char *name,
    const uint8_t *v, size_t n);
/* The consumed positions (JSON, see weir_kafka_positions_each) of group
 * into the transaction: committed to the group with it. */
int weir_kafka_txn_offsets(weir_kafka_producer *p, const char *group,
    const char *json, size_t len, char *err, size_t errsz);
/* One message to another topic, in the transaction, no extra header.
 * v NULL: only look the topic up (before the first transaction). */
int weir_kafka_txn_produce(weir_kafka_producer *p, const char *topic,
    const char *key, const uint8_t *v, size_t n, char *err, size_t errsz);
/* Deliver everything and commit. */
int weir_kafka_txn_commit(weir_kafka_producer *p, char *err, size_t errsz);

/*
 * The value of the last message with this key in topic, read to its end
 * as a read_committed consumer sees it: 1 with it in val, 0 when there is
 * none (or no such topic), or a WEIR_FAIL_* kind.
 */
int weir_kafka_read_last(const weir_kafka_opts *o, const char *topic,
    const char *key, weir_buf *val, char *err, size_t errsz);

#endif
