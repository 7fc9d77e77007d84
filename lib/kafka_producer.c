/* kafka_producer.c - the Kafka producer: idempotent, every delivery checked. */
#include "kafka.h"

#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <librdkafka/rdkafka.h>

#include "kafka_int.h"
#include "record.h"

/*
 * Producer
 */
struct weir_kafka_producer {
	kbase b;		/* first: the librdkafka opaque */
	rd_kafka_topic_t *rkt;
	uint64_t sent, delivered, failed;
	char failmsg[WEIR_ERRSZ];
	weir_buf scratch;
};

static void
dr_cb(rd_kafka_t *rk, const rd_kafka_message_t *m, void *opaque)
{
	weir_kafka_producer *p = opaque;

	(void)rk;
	if (!m->err) {
		p->delivered++;
		return;
	}
	if (!p->failed++)
		snprintf(p->failmsg, sizeof(p->failmsg), "message to %s [%d] "
		    "not delivered: %s", rd_kafka_topic_name(m->rkt),
		    (int)m->partition, rd_kafka_err2str(m->err));
}

static int
producer_status(weir_kafka_producer *p, char *err, size_t errsz)
{
	if (p->b.fatal) {
		weir_seterr(err, errsz, "%s", p->b.fatalmsg);
		return -WEIR_EXIT_IO;
	}
	if (p->failed) {
		if (p->failed > 1)
			weir_seterr(err, errsz, "%s (and %llu more)", p->failmsg,
			    (unsigned long long)p->failed - 1);
		else
			weir_seterr(err, errsz, "%s", p->failmsg);
		return -WEIR_EXIT_IO;
	}
	return 0;
}

weir_kafka_producer *
weir_kafka_producer_open(const weir_kafka_opts *o, int *status, char *err,
    size_t errsz)
{
	weir_kafka_producer *p = calloc(1, sizeof(*p));
	rd_kafka_conf_t *conf = rd_kafka_conf_new();
	const struct rd_kafka_metadata *md = NULL;
	const rd_kafka_metadata_topic_t *t;
	int rc;

	*status = WEIR_EXIT_IO;
	if (!p) {
		rd_kafka_conf_destroy(conf);
		weir_seterr(err, errsz, "out of memory");
		return NULL;
	}
	p->b.o = *o;
	if (o->ntopics != 1) {
		rd_kafka_conf_destroy(conf);
		weir_seterr(err, errsz, "-b wants one topic (-t TOPIC)");
		*status = WEIR_EXIT_USAGE;
		free(p);
		return NULL;
	}
	if ((rc = kafka_conf_base(&p->b, conf, err, errsz)) < 0 ||
	    (rc = kafka_conf_set(conf, "enable.idempotence", "true", err,
	    errsz)) < 0 ||
	    (rc = kafka_conf_set(conf, "acks", "all", err, errsz)) < 0 ||
	    /* keys land where Java's default partitioner puts them */
	    (rc = kafka_conf_set(conf, "partitioner", "murmur2_random", err,
	    errsz)) < 0 ||
	    (rc = kafka_conf_user(conf, o, err, errsz)) < 0) {
		rd_kafka_conf_destroy(conf);
		goto fail;
	}
	rd_kafka_conf_set_dr_msg_cb(conf, dr_cb);
	if ((rc = kafka_base_new(&p->b, RD_KAFKA_PRODUCER, conf, err, errsz)) < 0)
		goto fail;
	p->rkt = rd_kafka_topic_new(p->b.rk, o->topics[0], NULL);
	if (!p->rkt) {
		weir_seterr(err, errsz, "topic %s: %s", o->topics[0],
		    rd_kafka_err2str(rd_kafka_last_error()));
		rc = -WEIR_EXIT_USAGE;
		goto fail;
	}
	if ((rc = kafka_base_connect(&p->b, p->rkt, &md, err, errsz)) < 0)
		goto fail;
	rc = kafka_find_topic(md, o->topics[0], o->partition, &t, err, errsz);
	rd_kafka_metadata_destroy(md);
	if (rc == 0)
		return p;
fail:
	*status = -rc;
	if (p->rkt)
		rd_kafka_topic_destroy(p->rkt);
	if (p->b.rk)
		rd_kafka_destroy(p->b.rk);
	free(p);
	return NULL;
}

int
weir_kafka_producer_send(weir_kafka_producer *p, const weir_record *r,
    const uint8_t *key, size_t key_len, char *err, size_t errsz)
{
	rd_kafka_headers_t *h = NULL;
	rd_kafka_resp_err_t e;
	const uint8_t *v;
	size_t vn;

	if (weir_record_bytes(r, &p->scratch, &v, &vn) < 0) {
		weir_seterr(err, errsz, "corrupt record value");
		return -WEIR_EXIT_DATA;
	}
	if (!key && (r->flags & WEIR_R_KEY)) {
		key = r->key ? r->key : (const uint8_t *)"";
		key_len = r->key_len;
	}
	if ((r->flags & WEIR_R_HEADERS) && r->nhdrs) {
		weir_hdr_iter it;
		weir_hdr hd;
		h = rd_kafka_headers_new(r->nhdrs);
		weir_hdr_iter_init(&it, r);
		while (weir_hdr_next(&it, &hd))
			rd_kafka_header_add(h, (const char *)hd.name,
			    (ssize_t)hd.name_len, hd.val, (ssize_t)hd.val_len);
	}
	for (;;) {
		e = rd_kafka_producev(p->b.rk,
		    RD_KAFKA_V_RKT(p->rkt),
		    RD_KAFKA_V_PARTITION(p->b.o.partition),
		    RD_KAFKA_V_MSGFLAGS(RD_KAFKA_MSG_F_COPY),
		    RD_KAFKA_V_VALUE((void *)v, vn),
		    RD_KAFKA_V_KEY(key, key ? key_len : 0),
		    RD_KAFKA_V_TIMESTAMP((r->flags & WEIR_R_TS) ? r->ts : 0),
		    RD_KAFKA_V_HEADERS(h),
		    RD_KAFKA_V_END);
		if (e != RD_KAFKA_RESP_ERR__QUEUE_FULL)
			break;
		rd_kafka_poll(p->b.rk, 10);	/* make room */
		if (producer_status(p, err, errsz) < 0)
			break;
	}
	if (e) {
		if (h)
			rd_kafka_headers_destroy(h);
		if (e != RD_KAFKA_RESP_ERR__QUEUE_FULL)
			weir_seterr(err, errsz, "produce to %s: %s",
			    p->b.o.topics[0], rd_kafka_err2str(e));
		return e == RD_KAFKA_RESP_ERR_MSG_SIZE_TOO_LARGE ?
		    -WEIR_EXIT_DATA : -WEIR_EXIT_IO;
	}
	if ((++p->sent & 1023) == 0)
		rd_kafka_poll(p->b.rk, 0);
	return producer_status(p, err, errsz);
}

int
weir_kafka_producer_poll(weir_kafka_producer *p, int timeout_ms, char *err,
    size_t errsz)
{
	rd_kafka_poll(p->b.rk, timeout_ms);
	return producer_status(p, err, errsz);
}

int
weir_kafka_producer_flush(weir_kafka_producer *p, int timeout_ms, char *err,
    size_t errsz)
{
	int64_t t0 = weir_mono_ms();
	int rc;

	while (rd_kafka_outq_len(p->b.rk) > 0) {
		rd_kafka_flush(p->b.rk, 200);
		if (p->b.fatal)
			break;
		if (timeout_ms >= 0 && weir_mono_ms() - t0 >= timeout_ms)
			break;
	}
	rd_kafka_poll(p->b.rk, 0);
	if ((rc = producer_status(p, err, errsz)) < 0)
		return rc;
	if (rd_kafka_outq_len(p->b.rk) > 0) {
		weir_seterr(err, errsz, "%d messages still in flight after %d ms",
		    rd_kafka_outq_len(p->b.rk), timeout_ms);
		return -WEIR_EXIT_IO;
	}
	return 0;
}

uint64_t
weir_kafka_producer_delivered(const weir_kafka_producer *p)
{
	return p->delivered;
}

void
weir_kafka_producer_close(weir_kafka_producer *p)
{
	rd_kafka_topic_destroy(p->rkt);
	rd_kafka_destroy(p->b.rk);
	weir_buf_free(&p->scratch);
	free(p);
}
