/*
 * dlq.h - dead-letter topics: --on-error kafka:TOPIC (or
 * kafka:HOST:PORT,.../TOPIC) produces each bad record's raw bytes to a
 * Kafka topic, with headers that say where it came from and why:
 *
 *   weir.error             the error message
 *   weir.program           the program that refused it (weir-source, ...)
 *   weir.source.topic      when the record came from Kafka: its topic,
 *   weir.source.partition  partition
 *   weir.source.offset     and offset (decimal text)
 *
 * The record's key, when it has one, is the message's key.  Delivery is
 * checked like weir-sink's: a message that cannot be delivered makes
 * weir_dlq_poll/flush fail with WEIR_FAIL_IO.
 */
#ifndef WEIR_DLQ_H
#define WEIR_DLQ_H

#include "frame.h"
#include "kafka.h"

typedef struct weir_dlq weir_dlq;

/* Split spec (what follows "kafka:") into brokers and topic: "TOPIC"
 * takes dflt (the program's -b; NULL: none); "BROKERS/TOPIC" names its
 * own.  Returns 0, or WEIR_FAIL_USAGE with a message in err. */
int weir_dlq_spec(const char *spec, const char *dflt, char *brokers,
    size_t bsz, const char **topic, char *err, size_t errsz);
/* Connect (bounded by ko->timeout_s) and check that the topic exists.
 * ko: the program's Kafka options (its -X properties apply; NULL for
 * none).  0 and *out, or a WEIR_FAIL_* kind with err. */
int weir_dlq_open(weir_dlq **out, const char *spec,
    const weir_kafka_opts *ko, char *err, size_t errsz);
/* Produce one bad record: raw bytes (NULL: src's value, or a null
 * message), the error, the program, and src's key and Kafka position
 * when src is given and has them. */
int weir_dlq_send(weir_dlq *d, const uint8_t *raw, size_t rawlen,
    const char *error, const char *prog, const weir_record *src, char *err,
    size_t errsz);
/* Wait until every message is delivered (timeout_ms, -1 for librdkafka's
 * message.timeout.ms). */
int weir_dlq_flush(weir_dlq *d, int timeout_ms, char *err, size_t errsz);
uint64_t weir_dlq_sent(const weir_dlq *d);
const char *weir_dlq_name(const weir_dlq *d);	/* "kafka:TOPIC" */
void weir_dlq_close(weir_dlq *d);

#endif
