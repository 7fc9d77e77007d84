/*
 * kafka_read.h - weir-source's Kafka input (weir-source -b): the consumer
 * with --committed-only's filter (weir(7), EXACTLY-ONCE) and with the
 * checkpoints' positions (weir(7), CHECKPOINTS): where a restart starts,
 * what a barrier saves, and the group's offsets committed only once the
 * sink committed a checkpoint.
 *
 * Errors: a WEIR_FAIL_* kind with a one-line message in err.
 */
#ifndef WEIR_KAFKA_READ_H
#define WEIR_KAFKA_READ_H

#include "kafka.h"
#include "snap.h"

/* --committed-only holds at most this much back (weir-source(1)). */
#define WEIR_COMMITTED_MAX_BYTES (256u << 20)

typedef struct weir_kafka_read_opts {
	int committed_only;		/* --committed-only */
	const char *progress_topic;	/* NULL: each TOPIC.weir-progress */
	/* --checkpoint: the group's offsets follow committed checkpoints
	 * only; resume (NULL: none) is the committed checkpoint this
	 * source's position is read from (under name), and times the
	 * partitions' event times its snapshot saved (weir_kafka_read_save);
	 * commit_id the checkpoint committed when the state was opened */
	int checkpoints;
	uint64_t commit_id;
	const char *name;
	const weir_commit *resume;
	const uint8_t *times;
	size_t times_len;
	/* --committed-only's notes (bad progress records, what was left
	 * out at the end); NULL: none */
	void (*warn)(const char *msg);
	/* the consumer's flush hook (weir_kafka_consumer_set_flush) */
	void (*flush)(void *arg);
	void *flush_arg;
} weir_kafka_read_opts;

typedef struct weir_kafka_reader weir_kafka_reader;

/* 0 and *out, or a WEIR_FAIL_* kind with err. */
int weir_kafka_read_open(weir_kafka_reader **out, const weir_kafka_opts *ko,
    const weir_kafka_read_opts *ro, char *err, size_t errsz);
/* The consumer read from (watermarks, offsets, kcat's metadata). */
weir_kafka_consumer *weir_kafka_read_consumer(weir_kafka_reader *r);
/* weir_kafka_consumer_next(), through --committed-only's filter. */
int weir_kafka_read_next(weir_kafka_reader *r, weir_record *rec,
    int timeout_ms, char *err, size_t errsz);
/* This source's position in a barrier's payload: {"kafka":[...]} (and
 * "group" for a transactional sink) appended to b; -1 out of memory. */
int weir_kafka_read_position(weir_kafka_reader *r, weir_buf *b);
/* Append the partitions' event times to a snapshot; -1 out of memory. */
int weir_kafka_read_save(weir_kafka_reader *r, weir_buf *snap);
/* Read the event times a snapshot holds, only to check them (rd->bad
 * set when they are not), as weir_kafka_read_open would. */
void weir_kafka_times_check(weir_rd *rd);
/*
 * With a group and --checkpoint: once the sink has committed a checkpoint
 * (COMMITTED in the state directory dir), commit its offsets to the
 * group, so the group never runs ahead of the output.  A rebalance
 * refuses the commit; a later checkpoint tries again (0).  0, or a
 * WEIR_FAIL_* kind.
 */
int weir_kafka_read_committed(weir_kafka_reader *r, const char *dir,
    char *err, size_t errsz);
/* Close the consumer (its last commit, weir_kafka_consumer_close) and
 * free everything; 0 or a WEIR_FAIL_* kind (err NULL: not wanted). */
int weir_kafka_read_close(weir_kafka_reader *r, char *err, size_t errsz);

#endif
