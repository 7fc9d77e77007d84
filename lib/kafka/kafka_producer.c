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
	rd_kafka_topic_t *prkt;	/* txn_produce()'s topic */
	int txn;		/* transactional */
	int64_t txn_ms;		/* transaction.timeout.ms */
	char *hname;		/* set_header(): name and value */
	weir_buf hval;
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

/* The fatal error of a transactional producer, said plainly. */
static int
txn_fatal(weir_kafka_producer *p, const char *what, const char *why,
    char *err, size_t errsz)
{
	char fe[512];

	if (rd_kafka_fatal_error(p->b.rk, fe, sizeof(fe)) ==
	    RD_KAFKA_RESP_ERR_NO_ERROR)
		snprintf(fe, sizeof(fe), "%s", why);
	weir_seterr(err, errsz, "transactional id %s: %s: fatal: %s "
	    "(fenced: another producer with this transactional id started, "
	    "or the broker refused this one for good)", p->b.o.txid, what, fe);
	return WEIR_FAIL_IO;
}

static int
producer_status(weir_kafka_producer *p, char *err, size_t errsz)
{
	if (p->b.fatal && p->txn)
		return txn_fatal(p, "produce", p->b.fatalmsg, err, errsz);
	if (p->b.fatal) {
		weir_seterr(err, errsz, "%s", p->b.fatalmsg);
		return WEIR_FAIL_IO;
	}
	if (p->failed) {
		if (p->failed > 1)
			weir_seterr(err, errsz, "%s (and %llu more)", p->failmsg,
			    (unsigned long long)p->failed - 1);
		else
			weir_seterr(err, errsz, "%s", p->failmsg);
		return WEIR_FAIL_IO;
	}
	return 0;
}

/*
 * Transactions
 */

/* Turn a transactional API error into a status and a message; frees e. */
static int
txn_fail(weir_kafka_producer *p, rd_kafka_error_t *e, const char *what,
    char *err, size_t errsz)
{
	if (rd_kafka_error_is_fatal(e) || p->b.fatal)
		txn_fatal(p, what, rd_kafka_error_string(e), err, errsz);
	else
		weir_seterr(err, errsz, "transactional id %s: %s: %s",
		    p->b.o.txid, what, rd_kafka_error_string(e));
	rd_kafka_error_destroy(e);
	return WEIR_FAIL_IO;
}

/* Abort after an error that requires it; the message says so. */
static int
txn_abort(weir_kafka_producer *p, rd_kafka_error_t *e, const char *what,
    char *err, size_t errsz)
{
	char why[512];
	rd_kafka_error_t *a;

	snprintf(why, sizeof(why), "%s", rd_kafka_error_string(e));
	rd_kafka_error_destroy(e);
	a = rd_kafka_abort_transaction(p->b.rk, -1);
	if (a)
		return txn_fail(p, a, "abort", err, errsz);
	weir_seterr(err, errsz, "transactional id %s: %s: %s: the "
	    "transaction was aborted", p->b.o.txid, what, why);
	return WEIR_FAIL_IO;
}

/* Retry while retriable, within twice the transaction timeout. */
static int
txn_retry(weir_kafka_producer *p, rd_kafka_error_t *e, int64_t t0,
    const char *what)
{
	char msg[600];

	if (!rd_kafka_error_is_retriable(e) || rd_kafka_error_is_fatal(e) ||
	    rd_kafka_error_txn_requires_abort(e) ||
	    weir_mono_ms() - t0 > 2 * p->txn_ms)
		return 0;
	snprintf(msg, sizeof(msg), "%s: %s (retrying)", what,
	    rd_kafka_error_string(e));
	weir__kafka_note(&p->b, msg);
	rd_kafka_error_destroy(e);
	rd_kafka_poll(p->b.rk, 200);
	return 1;
}

static int
txn_init(weir_kafka_producer *p, char *err, size_t errsz)
{
	int64_t t0 = weir_mono_ms();
	rd_kafka_error_t *e;

	while ((e = rd_kafka_init_transactions(p->b.rk,
	    p->b.o.timeout_s * 1000)))
		if (!txn_retry(p, e, t0, "init_transactions"))
			return txn_fail(p, e, "init_transactions", err, errsz);
	return 0;
}

int
weir_kafka_txn_begin(weir_kafka_producer *p, char *err, size_t errsz)
{
	rd_kafka_error_t *e = rd_kafka_begin_transaction(p->b.rk);

	return e ? txn_fail(p, e, "begin_transaction", err, errsz) : 0;
}

int
weir_kafka_producer_set_header(weir_kafka_producer *p, const char *name,
    const uint8_t *v, size_t n)
{
	if (!p->hname && !(p->hname = strdup(name)))
		return WEIR_FAIL_NOMEM;
	p->hval.len = 0;
	return weir_buf_put(&p->hval, v, n) < 0 ? WEIR_FAIL_NOMEM : 0;
}

struct offs_arg {
	rd_kafka_topic_partition_list_t *l;
};

static int
offs_one(void *arg, const char *topic, int32_t partition, int64_t off)
{
	struct offs_arg *a = arg;

	rd_kafka_topic_partition_list_add(a->l, topic, partition)->offset = off;
	return 0;
}

int
weir_kafka_txn_offsets(weir_kafka_producer *p, const char *group,
    const char *json, size_t len, char *err, size_t errsz)
{
	struct offs_arg a;
	rd_kafka_consumer_group_metadata_t *gm;
	rd_kafka_error_t *e;
	int64_t t0 = weir_mono_ms();
	int rc;

	a.l = rd_kafka_topic_partition_list_new(8);
	rc = weir_kafka_positions_each(json, len, offs_one, &a, err, errsz);
	if (rc < 0 || a.l->cnt == 0) {
		rd_kafka_topic_partition_list_destroy(a.l);
		return rc;
	}
	gm = rd_kafka_consumer_group_metadata_new(group);
	while ((e = rd_kafka_send_offsets_to_transaction(p->b.rk, a.l, gm,
	    -1)) && txn_retry(p, e, t0, "send_offsets_to_transaction"))
		;
	rd_kafka_consumer_group_metadata_destroy(gm);
	rd_kafka_topic_partition_list_destroy(a.l);
	if (!e)
		return 0;
	if (rd_kafka_error_txn_requires_abort(e))
		return txn_abort(p, e, "send_offsets_to_transaction", err, errsz);
	return txn_fail(p, e, "send_offsets_to_transaction", err, errsz);
}

int
weir_kafka_txn_produce(weir_kafka_producer *p, const char *topic,
    const char *key, const uint8_t *v, size_t n, char *err, size_t errsz)
{
	const struct rd_kafka_metadata *md;
	rd_kafka_resp_err_t e;

	if (!p->prkt || strcmp(rd_kafka_topic_name(p->prkt), topic)) {
		/* its leader known now, not at the first commit (where the
		 * client would look it up only after a delay) */
		if (p->prkt)
			rd_kafka_topic_destroy(p->prkt);
		if (!(p->prkt = rd_kafka_topic_new(p->b.rk, topic, NULL))) {
			weir_seterr(err, errsz, "topic %s: %s", topic,
			    rd_kafka_err2str(rd_kafka_last_error()));
			return WEIR_FAIL_IO;
		}
		if (rd_kafka_metadata(p->b.rk, 0, p->prkt, &md,
		    p->b.o.timeout_s * 1000) == RD_KAFKA_RESP_ERR_NO_ERROR)
			rd_kafka_metadata_destroy(md);
		if (!v)
			return 0;
	}
	for (;;) {
		e = rd_kafka_producev(p->b.rk,
		    RD_KAFKA_V_RKT(p->prkt),
		    RD_KAFKA_V_MSGFLAGS(RD_KAFKA_MSG_F_COPY),
		    RD_KAFKA_V_VALUE((void *)v, n),
		    RD_KAFKA_V_KEY(key, strlen(key)),
		    RD_KAFKA_V_END);
		if (e != RD_KAFKA_RESP_ERR__QUEUE_FULL)
			break;
		rd_kafka_poll(p->b.rk, 10);
	}
	if (e) {
		weir_seterr(err, errsz, "produce to %s: %s", topic,
		    rd_kafka_err2str(e));
		return WEIR_FAIL_IO;
	}
	return producer_status(p, err, errsz);
}

int
weir_kafka_txn_commit(weir_kafka_producer *p, char *err, size_t errsz)
{
	rd_kafka_error_t *e;
	int64_t t0 = weir_mono_ms();

	while ((e = rd_kafka_commit_transaction(p->b.rk, -1)) &&
	    txn_retry(p, e, t0, "commit_transaction"))
		;
	rd_kafka_poll(p->b.rk, 0);
	if (!e)
		return producer_status(p, err, errsz);
	if (rd_kafka_error_txn_requires_abort(e))
		return txn_abort(p, e, "commit_transaction", err, errsz);
	return txn_fail(p, e, "commit_transaction", err, errsz);
}

int
weir_kafka_producer_open(weir_kafka_producer **out, const weir_kafka_opts *o,
    char *err, size_t errsz)
{
	weir_kafka_producer *p;
	rd_kafka_conf_t *conf;
	const struct rd_kafka_metadata *md = NULL;
	const rd_kafka_metadata_topic_t *t;
	int rc;

	if ((rc = weir__rdk_load(err, errsz)) < 0)
		return rc;
	if (!(p = calloc(1, sizeof(*p)))) {
		weir_seterr(err, errsz, "out of memory");
		return WEIR_FAIL_NOMEM;
	}
	conf = rd_kafka_conf_new();
	p->b.o = *o;
	if (o->ntopics != 1) {
		rd_kafka_conf_destroy(conf);
		weir_seterr(err, errsz, "-b wants one topic (-t TOPIC)");
		free(p);
		return WEIR_FAIL_USAGE;
	}
	if ((rc = weir__kafka_conf_base(&p->b, conf, err, errsz)) < 0 ||
	    (rc = weir__kafka_conf_set(conf, "enable.idempotence", "true", err,
	    errsz)) < 0 ||
	    (rc = weir__kafka_conf_set(conf, "acks", "all", err, errsz)) < 0 ||
	    /* keys land where Java's default partitioner puts them */
	    (rc = weir__kafka_conf_set(conf, "partitioner", "murmur2_random",
	    err,
	    errsz)) < 0 ||
	    (o->txid && ((rc = weir__kafka_conf_set(conf, "transactional.id",
	    o->txid, err, errsz)) < 0 || (rc = weir__kafka_conf_set(conf,
	    "transaction.timeout.ms", "60000", err, errsz)) < 0)) ||
	    (rc = weir__kafka_conf_user(conf, o, err, errsz)) < 0) {
		rd_kafka_conf_destroy(conf);
		goto fail;
	}
	if (o->txid) {
		char v[32];
		size_t vn = sizeof(v);
		p->txn = 1;
		p->txn_ms = 60000;
		if (rd_kafka_conf_get(conf, "transaction.timeout.ms", v, &vn) ==
		    RD_KAFKA_CONF_OK)
			p->txn_ms = strtoll(v, NULL, 10);
	}
	rd_kafka_conf_set_dr_msg_cb(conf, dr_cb);
	if ((rc = weir__kafka_base_new(&p->b, RD_KAFKA_PRODUCER, conf, err,
	    errsz)) < 0)
		goto fail;
	p->rkt = rd_kafka_topic_new(p->b.rk, o->topics[0], NULL);
	if (!p->rkt) {
		weir_seterr(err, errsz, "topic %s: %s", o->topics[0],
		    rd_kafka_err2str(rd_kafka_last_error()));
		rc = WEIR_FAIL_USAGE;
		goto fail;
	}
	if ((rc = weir__kafka_base_connect(&p->b, p->rkt, &md, err, errsz)) < 0)
		goto fail;
	rc = weir__kafka_find_topic(md, o->topics[0], o->partition, &t, err,
	    errsz);
	rd_kafka_metadata_destroy(md);
	if (rc == 0 && p->txn)
		rc = txn_init(p, err, errsz);
	if (rc == 0) {
		*out = p;
		return 0;
	}
fail:
	if (p->rkt)
		rd_kafka_topic_destroy(p->rkt);
	if (p->b.rk)
		rd_kafka_destroy(p->b.rk);
	free(p);
	return rc;
}

int
weir_kafka_producer_send(weir_kafka_producer *p, const weir_record *r,
    const uint8_t *key, size_t key_len, char *err, size_t errsz)
{
	rd_kafka_headers_t *h = NULL;
	rd_kafka_resp_err_t e;
	const uint8_t *v;
	size_t vn;
	int rc;

	if ((rc = weir_record_bytes(r, &p->scratch, &v, &vn)) < 0) {
		weir_seterr(err, errsz, rc == WEIR_FAIL_NOMEM ?
		    "out of memory" : "corrupt record value");
		return rc;
	}
	if (!key && (r->flags & WEIR_R_KEY)) {
		key = r->key ? r->key : (const uint8_t *)"";
		key_len = r->key_len;
	}
	if (((r->flags & WEIR_R_HEADERS) && r->nhdrs) || p->hname) {
		weir_hdr_iter it;
		weir_hdr hd;
		size_t hn = p->hname ? strlen(p->hname) : 0;
		h = rd_kafka_headers_new((r->flags & WEIR_R_HEADERS ?
		    r->nhdrs : 0) + 1);
		if (r->flags & WEIR_R_HEADERS) {
			weir_hdr_iter_init(&it, r);
			while (weir_hdr_next(&it, &hd))
				if (!hn || hd.name_len != hn ||
				    memcmp(hd.name, p->hname, hn))
					rd_kafka_header_add(h,
					    (const char *)hd.name,
					    (ssize_t)hd.name_len, hd.val,
					    (ssize_t)hd.val_len);
		}
		if (hn)
			rd_kafka_header_add(h, p->hname, (ssize_t)hn, p->hval.p,
			    (ssize_t)p->hval.len);
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
		if (e == RD_KAFKA_RESP_ERR__FATAL && p->txn)
			return txn_fatal(p, "produce", rd_kafka_err2str(e), err,
			    errsz);
		if (e != RD_KAFKA_RESP_ERR__QUEUE_FULL)
			weir_seterr(err, errsz, "produce to %s: %s",
			    p->b.o.topics[0], rd_kafka_err2str(e));
		return e == RD_KAFKA_RESP_ERR_MSG_SIZE_TOO_LARGE ?
		    WEIR_FAIL_DATA : WEIR_FAIL_IO;
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
		return WEIR_FAIL_IO;
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
	if (p->prkt)
		rd_kafka_topic_destroy(p->prkt);
	rd_kafka_destroy(p->b.rk);
	weir_buf_free(&p->scratch);
	free(p->hname);
	weir_buf_free(&p->hval);
	free(p);
}
