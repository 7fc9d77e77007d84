/*
 * kafka_sink.h - weir-sink's Kafka output (weir-sink -b): records produced
 * with their keys (-K PATH, -k KEY), headers (-H) and Avro encoding (-s),
 * and the checkpoints' barriers, at least once (every message before a
 * barrier delivered before its checkpoint commits) or exactly once
 * (--transactional-id: one transaction per checkpoint, eos.h).
 *
 * The caller runs the stage loop and owns the checkpoints: at a barrier it
 * calls weir_kafka_sink_prepare, writes COMMITTED, then calls
 * weir_kafka_sink_commit; at END weir_kafka_sink_end, then the final
 * COMMITTED.
 *
 * Errors: a WEIR_FAIL_* kind with a one-line message in err.  A Kafka
 * failure has first given what is in flight a bounded time (10 s) to land
 * (weir_kafka_producer_settle).
 */
#ifndef WEIR_KAFKA_SINK_H
#define WEIR_KAFKA_SINK_H

#include "avrorec.h"
#include "eos.h"
#include "kafka.h"
#include "kcatfmt.h"
#include "path.h"
#include "record.h"

typedef struct weir_kafka_sink_opts {
	const weir_path *key_path;	/* -K PATH (NULL: the record's key) */
	const char *key;		/* -k KEY: for records without one */
	weir_kcat_hdrs *hdrs;		/* -H (NULL: none) */
	weir_avro_enc *avro;		/* -s (NULL, or neither key nor value:
					 * none) */
	/* --transactional-id (NULL: at least once), --progress-topic (NULL:
	 * TOPIC.weir-progress) and where the sink's state stands */
	const char *txid, *progress_topic;
	const weir_eos_at *at;
	void (*warn)(const char *msg);	/* notes (NULL: none) */
} weir_kafka_sink_opts;

typedef struct weir_kafka_sink weir_kafka_sink;

/* Which step refused a record (weir_kafka_sink_send's WEIR_FAIL_DATA). */
enum {
	WEIR_KAFKA_SINK_KEY = 1,	/* -K PATH: no key there */
	WEIR_KAFKA_SINK_AVRO,		/* -s: the record does not fit */
	WEIR_KAFKA_SINK_KAFKA		/* Kafka refused the message */
};

/* The producer (and, with a txid, the transactions started where Kafka
 * stands): 0 and *out, or a WEIR_FAIL_* kind with err (when the
 * transactions fail to start, what is in flight has had a bounded time
 * (10 s) to land and the producer is left to the process's exit). */
int weir_kafka_sink_open(weir_kafka_sink **out, const weir_kafka_opts *ko,
    const weir_kafka_sink_opts *so, char *err, size_t errsz);
/* The producer (the caller's flush when its run fails). */
weir_kafka_producer *weir_kafka_sink_producer(weir_kafka_sink *s);
/* The input is quiet: serve delivery reports.  0 or a WEIR_FAIL_* kind. */
int weir_kafka_sink_poll(weir_kafka_sink *s, char *err, size_t errsz);
/* Produce r (its key and headers set as the options say): 0; a refused
 * record, WEIR_FAIL_DATA with *refused (WEIR_KAFKA_SINK_*) and why in err;
 * or another WEIR_FAIL_* kind. */
int weir_kafka_sink_send(weir_kafka_sink *s, weir_record *r, int *refused,
    char *err, size_t errsz);
/* Barrier (payload: its positions): everything before it delivered (and
 * with a txid spooled, *out_len its bytes; else 0): COMMITTED may follow. */
int weir_kafka_sink_prepare(weir_kafka_sink *s, const uint8_t *payload,
    size_t n, uint64_t *out_len, char *err, size_t errsz);
/* COMMITTED id is written: with a txid, Kafka's commit (nothing else). */
int weir_kafka_sink_commit(weir_kafka_sink *s, uint64_t id,
    const uint8_t *payload, size_t n, char *err, size_t errsz);
/* END: everything delivered (with a txid, the last checkpoint's commit
 * known to readers); the final COMMITTED may follow. */
int weir_kafka_sink_end(weir_kafka_sink *s, char *err, size_t errsz);
/* Close the producer and free everything. */
void weir_kafka_sink_close(weir_kafka_sink *s);

#endif
