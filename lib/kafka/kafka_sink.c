/*
 * kafka_sink.c - weir-sink's Kafka output: keys, headers, Avro, and the
 * barriers at least once or exactly once (kafka_sink.h).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "kafka_sink.h"
#include "kcat_io.h"

struct weir_kafka_sink {
	weir_kafka_producer *p;
	weir_kafka_sink_opts o;
	int avro;		/* -s: key or value */
	/*
	 * Exactly once to Kafka (weir(7), EXACTLY-ONCE; eos.c): one
	 * transaction per checkpoint.  At barrier N its messages are
	 * delivered and spooled, COMMITTED N is written, then the
	 * transaction commits.
	 */
	weir_eos e;
	weir_buf scratch, kb;
};

/* A failure that ends the program: what is in flight gets time to land. */
static int
sink_fail(weir_kafka_sink *s, int rc, char *err)
{
	weir_kafka_producer_settle(s->p, err, s->o.warn);
	return rc;
}

int
weir_kafka_sink_open(weir_kafka_sink **out, const weir_kafka_opts *ko,
    const weir_kafka_sink_opts *so, char *err, size_t errsz)
{
	weir_kafka_sink *s;
	int rc;

	*out = NULL;
	if (!(s = calloc(1, sizeof(*s)))) {
		snprintf(err, errsz, "out of memory");
		return WEIR_FAIL_NOMEM;
	}
	s->o = *so;
	s->avro = so->avro && (so->avro->key || so->avro->value);
	if ((rc = weir_kafka_producer_open(&s->p, ko, err, errsz)) < 0) {
		free(s);
		return rc;
	}
	if (so->txid) {	/* after init_transactions: where Kafka stands */
		s->e.txid = so->txid;
		s->e.topic = so->progress_topic;
		s->e.warn = so->warn;
		if ((rc = weir_eos_start(&s->e, s->p, ko, so->at, err,
		    errsz)) < 0) {
			char ferr[WEIR_ERRSZ];

			if (weir_kafka_producer_flush(s->p, 10000, ferr,
			    sizeof(ferr)) < 0 && so->warn)
				so->warn(ferr);
			/* the producer is left to the process's exit, as
			 * weir_kcat_produce's: its destruction may wait on a
			 * broker that is gone */
			weir_eos_free(&s->e);
			free(s);
			return rc;
		}
	}
	*out = s;
	return 0;
}

weir_kafka_producer *
weir_kafka_sink_producer(weir_kafka_sink *s)
{
	return s->p;
}

int
weir_kafka_sink_poll(weir_kafka_sink *s, char *err, size_t errsz)
{
	if (weir_kafka_producer_poll(s->p, 0, err, errsz) < 0)
		return sink_fail(s, WEIR_FAIL_IO, err);
	return 0;
}

/* Key from -K PATH into kb: 0, or a WEIR_FAIL_* kind with a message. */
static int
sink_key(weir_kafka_sink *s, const weir_record *r, char *why, size_t whysz)
{
	const weir_path *kp = s->o.key_path;
	weir_pv root;
	int rc;

	s->kb.len = 0;
	if ((rc = weir_record_json(r, &s->scratch, &root)) <= 0) {
		if (rc == WEIR_FAIL_NOMEM) {
			snprintf(why, whysz, "out of memory");
			return rc;
		}
		snprintf(why, whysz, "value is not JSON, cannot read -K %s",
		    kp->text);
		return WEIR_FAIL_DATA;
	}
	return weir_key_from_path(kp, &root, &s->kb, why, whysz);
}

int
weir_kafka_sink_send(weir_kafka_sink *s, weir_record *r, int *refused,
    char *err, size_t errsz)
{
	const weir_path *kp = s->o.key_path;
	const uint8_t *key;
	size_t klen;
	int rc;

	*refused = 0;
	if (s->o.txid && (rc = weir_eos_message(&s->e, s->p, err, errsz)) < 0)
		return rc;
	if (kp && (rc = sink_key(s, r, err, errsz)) < 0) {
		if (rc == WEIR_FAIL_NOMEM)
			return rc;
		*refused = WEIR_KAFKA_SINK_KEY;
		return WEIR_FAIL_DATA;
	}
	if (s->o.hdrs && s->o.hdrs->n && weir_kcat_hdrs_apply(s->o.hdrs,
	    r) < 0) {
		snprintf(err, errsz, "out of memory");
		return WEIR_FAIL_NOMEM;
	}
	if (s->o.key && !kp && !(r->flags & WEIR_R_KEY)) {
		s->kb.len = 0;	/* -k KEY: for records without one */
		if (weir_buf_puts(&s->kb, s->o.key) < 0) {
			snprintf(err, errsz, "out of memory");
			return sink_fail(s, WEIR_FAIL_NOMEM, err);
		}
	}
	key = kp || (s->o.key && !(r->flags & WEIR_R_KEY)) ?
	    (s->kb.p ? s->kb.p : (const uint8_t *)"") : NULL;
	klen = s->kb.len;
	if (s->avro && (rc = weir_avro_enc_record(s->o.avro, r, &s->scratch,
	    &key, &klen, err, errsz)) < 0) {
		if (rc != WEIR_FAIL_DATA)
			return sink_fail(s, rc, err);
		*refused = WEIR_KAFKA_SINK_AVRO;
		return rc;
	}
	rc = weir_kafka_producer_send(s->p, r, key, klen, err, errsz);
	if (s->o.txid && rc == 0)
		return weir_eos_spool(&s->e, r, key, klen, err, errsz);
	if (rc == WEIR_FAIL_DATA)
		*refused = WEIR_KAFKA_SINK_KAFKA;
	else if (rc < 0)
		return sink_fail(s, WEIR_FAIL_IO, err);
	return rc;
}

int
weir_kafka_sink_prepare(weir_kafka_sink *s, const uint8_t *payload,
    size_t n, uint64_t *out_len, char *err, size_t errsz)
{
	*out_len = 0;
	if (s->o.txid)
		return weir_eos_prepare(&s->e, s->p, payload, n, out_len, err,
		    errsz);
	/* at least once: every message before the barrier is delivered
	 * before its checkpoint commits */
	if (weir_kafka_producer_flush(s->p, -1, err, errsz) < 0)
		return WEIR_FAIL_IO;
	return 0;
}

int
weir_kafka_sink_commit(weir_kafka_sink *s, uint64_t id,
    const uint8_t *payload, size_t n, char *err, size_t errsz)
{
	if (!s->o.txid)
		return 0;
	return weir_eos_commit(&s->e, s->p, id, payload, n, err, errsz);
}

int
weir_kafka_sink_end(weir_kafka_sink *s, char *err, size_t errsz)
{
	if (s->o.txid)
		return weir_eos_end(&s->e, s->p, err, errsz);
	if (weir_kafka_producer_flush(s->p, -1, err, errsz) < 0)
		return WEIR_FAIL_IO;
	return 0;
}

void
weir_kafka_sink_close(weir_kafka_sink *s)
{
	if (!s)
		return;
	weir_kafka_producer_close(s->p);
	if (s->o.txid)
		weir_eos_free(&s->e);
	weir_buf_free(&s->scratch);
	weir_buf_free(&s->kb);
	free(s);
}
