/* kafka_consumer.c - the Kafka consumer: assignment, offsets, -e, watermarks */
#include "kafka.h"

#include <errno.h>
#include <limits.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <librdkafka/rdkafka.h>

#include "io.h"
#include "json.h"
#include "kafka_int.h"
#include "pack.h"
#include "record.h"
#include "stats.h"

#define BATCH 1024
/* A commit, or leaving the group, gives up after this: a commit takes
 * milliseconds; ten seconds, as a producer's last flush gets. */
#define COMMIT_MS 10000

/*
 * Consumer
 */
typedef struct kpart {
	char *topic;
	size_t topic_len;
	int32_t partition;
	int64_t hi;		/* -e: end here (exclusive); -1 unknown */
	int64_t max_ts;		/* newest event time given by the caller */
	int64_t last_ms;	/* monotonic time of the last record */
	int64_t pending;	/* offset to store, -1 none */
	int64_t stored;		/* last offset stored, -1 none: what close commits */
	int64_t from_ts;	/* s@MS without a broker lookup: skip until */
	int64_t next;		/* the offset after the last record given out,
				 * or where the partition starts; -1 unknown */
	int64_t seek;		/* seek_to(): start here when assigned, -1 */
	int emitted;		/* a record was given out */
	int assigned, done;
	int paused;		/* by finish(): librdkafka keeps that across
				 * a revoke and a new assignment */
} kpart;

struct weir_kafka_consumer {
	kbase b;		/* first: the librdkafka opaque */
	rd_kafka_queue_t *q;
	rd_kafka_message_t *batch[BATCH];
	int nbatch, ibatch;
	kpart *parts, *lastp;
	size_t nparts, capparts;
	int commit;		/* a group: store offsets after flushes */
	int manual;		/* set_manual_commit(): commit_positions only */
	int64_t session_ms;	/* session.timeout.ms: a rebalance's bound */
	rd_kafka_topic_partition_list_t *start;	/* no -G: assigned by the
				 * first next(), after seek_to() */
	int stopping;		/* -e or e@MS: finish when all are done */
	size_t fin;		/* -e: 1 + the index of a partition that gave
				 * out its last record: finish it */
	int have_assignment;
	unsigned nassign;	/* assignments received, for commit_written */
	int64_t stop_ts;
	int64_t now_ms;
	int64_t lag_ms;		/* when the lag was last reported */
	rd_kafka_queue_t *cq;	/* the answers to commits (commit_until) */
	unsigned long csent, cdone;	/* commits sent, answers received */
	int cb_status;		/* an error inside a callback */
	char cb_err[WEIR_ERRSZ];
	void (*flush)(void *);
	void *flush_arg;
	weir_buf hdrs;
	int last_tstype;	/* the last record's, for kcat -J */
	int32_t last_broker;
};

static kpart *
part_get(weir_kafka_consumer *c, const char *topic, int32_t partition)
{
	kpart *p;
	size_t i;

	if (c->lastp && c->lastp->partition == partition &&
	    !strcmp(c->lastp->topic, topic))
		return c->lastp;
	for (i = 0; i < c->nparts; i++)
		if (c->parts[i].partition == partition &&
		    !strcmp(c->parts[i].topic, topic))
			return c->lastp = &c->parts[i];
	if (c->nparts == c->capparts) {
		size_t cap = c->capparts ? 2 * c->capparts : 16;
		p = realloc(c->parts, cap * sizeof(*p));
		if (!p)
			return NULL;
		c->parts = p;
		c->capparts = cap;
	}
	p = &c->parts[c->nparts];
	memset(p, 0, sizeof(*p));
	if (!(p->topic = strdup(topic)))
		return NULL;
	c->nparts++;
	p->topic_len = strlen(topic);
	p->partition = partition;
	p->hi = -1;
	p->max_ts = INT64_MIN;
	p->pending = -1;
	p->stored = -1;
	p->from_ts = -1;
	p->next = -1;
	p->seek = -1;
	return c->lastp = p;
}

static void
cb_fail(weir_kafka_consumer *c, const char *fmt, const char *a,
    const char *b)
{
	if (c->cb_status)
		return;
	c->cb_status = WEIR_FAIL_IO;
	snprintf(c->cb_err, sizeof(c->cb_err), fmt, a, b);
}

/* One ListOffsets round for every partition of l: where = -2 gives the
 * start offsets, -1 the ends (the high watermarks); NULL on error. */
static rd_kafka_topic_partition_list_t *
list_offsets(weir_kafka_consumer *c, const rd_kafka_topic_partition_list_t *l,
    int64_t where)
{
	rd_kafka_topic_partition_list_t *q = rd_kafka_topic_partition_list_copy(l);
	rd_kafka_resp_err_t e;
	int i;

	for (i = 0; i < q->cnt; i++)
		q->elems[i].offset = where;
	e = rd_kafka_offsets_for_times(c->b.rk, q, c->b.o.timeout_s * 1000);
	for (i = 0; !e && i < q->cnt; i++)
		e = q->elems[i].err;
	if (e) {
		cb_fail(c, "cannot read the end of %s: %s", q->elems[0].topic,
		    rd_kafka_err2str(e));
		rd_kafka_topic_partition_list_destroy(q);
		return NULL;
	}
	return q;
}

/* Partitions assigned (on = 1) or taken away (on = 0).  With -e, read
 * where each assigned partition starts and ends. */
static void
mark(weir_kafka_consumer *c, rd_kafka_topic_partition_list_t *l, int on)
{
	rd_kafka_topic_partition_list_t *lo = NULL, *hi = NULL;
	int i;

	if (on && c->b.o.exit_eof && l->cnt > 0 &&
	    (!(lo = list_offsets(c, l, RD_KAFKA_OFFSET_BEGINNING)) ||
	    !(hi = list_offsets(c, l, RD_KAFKA_OFFSET_END))))
		goto done;
	for (i = 0; i < l->cnt; i++) {
		kpart *p = part_get(c, l->elems[i].topic, l->elems[i].partition);
		if (!p) {
			cb_fail(c, "%s%s", "out of memory", "");
			break;
		}
		if (on && p->paused) {	/* finished under an earlier assignment */
			rd_kafka_topic_partition_list_t *r =
			    rd_kafka_topic_partition_list_new(1);
			rd_kafka_topic_partition_list_add(r, p->topic,
			    p->partition);
			(void)rd_kafka_resume_partitions(c->b.rk, r);
			rd_kafka_topic_partition_list_destroy(r);
			p->paused = 0;
		}
		p->assigned = on;
		p->done = 0;
		p->last_ms = weir_mono_ms();
		if (on)
			p->next = l->elems[i].offset >= 0 ?
			    l->elems[i].offset : -1;
		if (hi) {
			p->hi = hi->elems[i].offset;
			p->done = p->hi <= lo->elems[i].offset ||
			    p->hi <= p->next;
		}
	}
done:
	if (lo)
		rd_kafka_topic_partition_list_destroy(lo);
	if (hi)
		rd_kafka_topic_partition_list_destroy(hi);
	/* -e ends only with an assignment in hand: a revoke is followed
	 * by the next assignment */
	c->have_assignment = on;
	if (on)
		c->nassign++;
}

static void
store_pending(weir_kafka_consumer *c)
{
	rd_kafka_topic_partition_list_t *l;
	size_t i;

	if (!c->commit || c->manual)
		return;
	l = rd_kafka_topic_partition_list_new((int)c->nparts);
	for (i = 0; i < c->nparts; i++) {
		kpart *p = &c->parts[i];
		if (p->pending < 0)
			continue;
		if (p->assigned) {
			rd_kafka_topic_partition_list_add(l, p->topic,
			    p->partition)->offset = p->pending;
			p->stored = p->pending;
			p->seek = -1;	/* what gets committed is newer */
		}
		p->pending = -1;
	}
	/* a partition no longer assigned fails alone: nothing to do */
	if (l->cnt)
		(void)rd_kafka_offsets_store(c->b.rk, l);
	rd_kafka_topic_partition_list_destroy(l);
}

/*
 * Where a partition of this consumer's stream goes on, -1 where the group
 * says (its committed offset).  With manual commits (checkpoints) the
 * group's offsets lag the stream: a partition given out before (and
 * assigned again after a rebalance) goes on after its last record, one
 * given a position by seek_to() starts there.
 */
static int64_t
stream_pos(const weir_kafka_consumer *c, const kpart *p)
{
	if (c->manual && p->emitted && p->next >= 0)
		return p->next;
	return p->seek;
}

/* Partitions of l with a position of their own start there. */
static void
apply_seeks(weir_kafka_consumer *c, rd_kafka_topic_partition_list_t *l)
{
	kpart *p;
	int64_t at;
	int i;

	for (i = 0; i < l->cnt; i++) {
		p = part_get(c, l->elems[i].topic, l->elems[i].partition);
		if (p && (at = stream_pos(c, p)) >= 0) {
			l->elems[i].offset = at;
			p->from_ts = -1;
		}
	}
}

/* An event on the commits' queue: the answer to commit seq sets *e (the
 * commit's error, or the first partition's). */
static void
commit_answer(weir_kafka_consumer *c, rd_kafka_event_t *ev,
    unsigned long seq, rd_kafka_resp_err_t *e)
{
	const rd_kafka_topic_partition_list_t *r;
	int i;

	if (rd_kafka_event_type(ev) == RD_KAFKA_EVENT_OFFSET_COMMIT) {
		c->cdone++;
		if (seq && (uintptr_t)rd_kafka_event_opaque(ev) == seq) {
			*e = rd_kafka_event_error(ev);
			r = rd_kafka_event_topic_partition_list(ev);
			for (i = 0; !*e && r && i < r->cnt; i++)
				*e = r->elems[i].err;
		}
	}
	rd_kafka_event_destroy(ev);
}

/*
 * Every commit: l (NULL: the offsets stored), giving up at deadline.
 * librdkafka's synchronous commit waits for a group coordinator that is
 * gone past the session timeout (45 s by default), at close without end,
 * so a source whose broker went away would not stop.  The answers
 * come to one queue, a late one too (the coordinator back); while an
 * earlier commit is unanswered, nothing new is sent (it would wait behind
 * that one): timed out at once.
 */
static rd_kafka_resp_err_t
commit_until(weir_kafka_consumer *c, rd_kafka_topic_partition_list_t *l,
    int64_t deadline)
{
	rd_kafka_event_t *ev;
	rd_kafka_resp_err_t e, none = RD_KAFKA_RESP_ERR_NO_ERROR;
	unsigned long seq;
	int64_t left;

	if (!c->cq && !(c->cq = rd_kafka_queue_new(c->b.rk)))
		return RD_KAFKA_RESP_ERR__FAIL;
	while ((ev = rd_kafka_queue_poll(c->cq, 0)))
		commit_answer(c, ev, 0, &none);
	if (c->cdone != c->csent)
		return RD_KAFKA_RESP_ERR__TIMED_OUT;
	seq = ++c->csent;
	if ((e = rd_kafka_commit_queue(c->b.rk, l, c->cq, NULL,
	    (void *)(uintptr_t)seq))) {
		c->csent--;
		return e;
	}
	e = RD_KAFKA_RESP_ERR__TIMED_OUT;
	while (c->cdone != c->csent && (left = deadline - weir_mono_ms()) > 0) {
		weir_sig_poll();	/* a second stop signal ends it */
		if ((ev = rd_kafka_queue_poll(c->cq, left < 100 ? (int)left :
		    100)))
			commit_answer(c, ev, seq, &e);
	}
	return e;
}

/* A commit's error for the caller. */
static int
commit_error(rd_kafka_resp_err_t e, char *err, size_t errsz)
{
	weir_seterr(err, errsz, "commit: %s%s", rd_kafka_err2str(e),
	    e == RD_KAFKA_RESP_ERR__TIMED_OUT ? " (no answer from the group "
	    "coordinator within 10 s)" : "");
	return WEIR_FAIL_IO;
}

static void
rebalance_cb(rd_kafka_t *rk, rd_kafka_resp_err_t err,
    rd_kafka_topic_partition_list_t *l, void *opaque)
{
	weir_kafka_consumer *c = opaque;
	int coop = !strcmp(rd_kafka_rebalance_protocol(rk), "COOPERATIVE");
	rd_kafka_error_t *e = NULL;

	if (err == RD_KAFKA_RESP_ERR__ASSIGN_PARTITIONS) {
		apply_seeks(c, l);
		mark(c, l, 1);
		if (coop)
			e = rd_kafka_incremental_assign(rk, l);
		else
			rd_kafka_assign(rk, l);
	} else {
		/* Before giving partitions up, commit what is written out. */
		if (c->commit && !c->manual && !rd_kafka_assignment_lost(rk)) {
			if (c->flush)
				c->flush(c->flush_arg);
			store_pending(c);
			(void)commit_until(c, NULL, weir_mono_ms() + COMMIT_MS);
		}
		mark(c, l, 0);
		if (coop)
			e = rd_kafka_incremental_unassign(rk, l);
		else
			rd_kafka_assign(rk, NULL);
	}
	if (e) {
		cb_fail(c, "rebalance: %s%s", rd_kafka_error_string(e), "");
		rd_kafka_error_destroy(e);
	}
}

void
weir_kafka_consumer_set_flush(weir_kafka_consumer *c, void (*fn)(void *),
    void *arg)
{
	c->flush = fn;
	c->flush_arg = arg;
}

static int
consumer_conf(weir_kafka_consumer *c, rd_kafka_conf_t *conf, int kind,
    char *err, size_t errsz)
{
	const weir_kafka_opts *o = &c->b.o;
	char v[32];
	size_t vn = sizeof(v);
	int rc;

	if ((rc = weir__kafka_conf_base(&c->b, conf, err, errsz)) < 0)
		return rc;
	if (o->group) {
		if (kind != WEIR_KOFF_BEGINNING && kind != WEIR_KOFF_END &&
		    kind != WEIR_KOFF_STORED) {
			weir_seterr(err, errsz, "with -G, -o takes beginning, end "
			    "or stored (where a partition without a committed "
			    "offset starts)");
			return WEIR_FAIL_USAGE;
		}
		if ((rc = weir__kafka_conf_set(conf, "group.id", o->group, err,
		    errsz)) < 0 ||
		    (rc = weir__kafka_conf_set(conf, "auto.offset.reset",
		    kind ==
		    WEIR_KOFF_END ? "latest" : "earliest", err, errsz)) < 0)
			return rc;
		rd_kafka_conf_set_rebalance_cb(conf, rebalance_cb);
	} else if (kind == WEIR_KOFF_STORED &&	/* as with -G (-X may differ) */
	    (rc = weir__kafka_conf_set(conf, "auto.offset.reset", "earliest",
	    err,
	    errsz)) < 0)
		return rc;
	/* a fetch for partitions with nothing new waits at most 100 ms
	 * (librdkafka: 500), so quiet partitions hold the stream back less;
	 * -X overrides it */
	if ((rc = weir__kafka_conf_set(conf, "fetch.wait.max.ms", "100", err,
	    errsz)) < 0)
		return rc;
	if ((rc = weir__kafka_conf_user(conf, o, err, errsz)) < 0)
		return rc;
	if (rd_kafka_conf_get(conf, "session.timeout.ms", v, &vn) ==
	    RD_KAFKA_CONF_OK)
		c->session_ms = strtoll(v, NULL, 10);
	c->commit = weir__kafka_conf_get_set(conf, "group.id");
	if (!c->commit) {
		if (kind == WEIR_KOFF_STORED) {
			weir_seterr(err, errsz, "-o stored needs a group "
			    "(-G GROUP or -X group.id=GROUP)");
			return WEIR_FAIL_USAGE;
		}
		/* assign() wants a group id; this one never commits */
		if ((rc = weir__kafka_conf_set(conf, "group.id", "weir-source",
		    err,
		    errsz)) < 0 || (rc = weir__kafka_conf_set(conf,
		    "enable.auto.commit",
		    "false", err, errsz)) < 0)
			return rc;
	}
	/* at-least-once: offsets are stored by weir, after output flushes */
	if ((rc = weir__kafka_conf_set(conf, "enable.auto.offset.store",
	    "false", err,
	    errsz)) < 0)
		return rc;
	return weir__kafka_conf_set(conf, "enable.partition.eof",
	    o->exit_eof ? "true" : "false", err, errsz);
}

/* Turn logical start offsets (beginning, end, the last N) into offsets,
 * with one request for all partitions: librdkafka would ask one partition
 * at a time, and only once the group's coordinator answers. */
static void
resolve(weir_kafka_consumer *c, rd_kafka_topic_partition_list_t *l,
    int kind, int64_t tail)
{
	rd_kafka_topic_partition_list_t *lo, *hi;
	int i;

	if (!(lo = list_offsets(c, l, RD_KAFKA_OFFSET_BEGINNING)))
		return;
	if (!(hi = list_offsets(c, l, RD_KAFKA_OFFSET_END))) {
		rd_kafka_topic_partition_list_destroy(lo);
		return;
	}
	for (i = 0; i < l->cnt; i++) {
		int64_t off = l->elems[i].offset, b = lo->elems[i].offset,
		    e = hi->elems[i].offset;
		if (kind == WEIR_KOFF_TAIL)
			off = e - tail > b ? e - tail : b;
		else if (off == RD_KAFKA_OFFSET_BEGINNING)
			off = b;
		else if (off == RD_KAFKA_OFFSET_END)
			off = e;
		l->elems[i].offset = off;
	}
	rd_kafka_topic_partition_list_destroy(lo);
	rd_kafka_topic_partition_list_destroy(hi);
}

/* Without a group: assign every partition (or -p) at its start offset. */
static int
consumer_assign(weir_kafka_consumer *c, const struct rd_kafka_metadata *md,
    int kind, int64_t val, char *err, size_t errsz)
{
	const weir_kafka_opts *o = &c->b.o;
	rd_kafka_topic_partition_list_t *l = rd_kafka_topic_partition_list_new(8);
	const rd_kafka_metadata_topic_t *t;
	int i, j, rc = 0;
	int64_t start;
	rd_kafka_resp_err_t e;

	switch (kind) {
	case WEIR_KOFF_END:
		start = RD_KAFKA_OFFSET_END;
		break;
	case WEIR_KOFF_STORED:
		start = RD_KAFKA_OFFSET_STORED;
		break;
	case WEIR_KOFF_ABS:
	case WEIR_KOFF_START_TS:
		start = val;
		break;
	case WEIR_KOFF_TAIL:
		start = RD_KAFKA_OFFSET_TAIL(val);
		break;
	default:
		start = RD_KAFKA_OFFSET_BEGINNING;
	}
	for (i = 0; i < o->ntopics && rc == 0; i++) {
		if ((rc = weir__kafka_find_topic(md, o->topics[i], o->partition,
		    &t, err,
		    errsz)) < 0)
			break;
		for (j = 0; j < t->partition_cnt; j++)
			if (o->partition < 0 || o->partition == j)
				rd_kafka_topic_partition_list_add(l, t->topic,
				    j)->offset = start;
	}
	if (rc == 0 && kind == WEIR_KOFF_START_TS) {
		e = rd_kafka_offsets_for_times(c->b.rk, l, o->timeout_s * 1000);
		if (e) {
			weir_seterr(err, errsz, "-o s@%lld: %s", (long long)val,
			    rd_kafka_err2str(e));
			rc = WEIR_FAIL_IO;
		}
	}
	if (rc == 0) {
		mark(c, l, 1);
		/* -1: no message that late, or a broker that cannot look
		 * times up (the mock): scan from the start, skip older ones */
		for (i = 0; kind == WEIR_KOFF_START_TS && i < l->cnt; i++)
			if (l->elems[i].offset < 0) {
				l->elems[i].offset = RD_KAFKA_OFFSET_BEGINNING;
				part_get(c, l->elems[i].topic,
				    l->elems[i].partition)->from_ts = val;
			}
		if (!c->cb_status && kind != WEIR_KOFF_STORED &&
		    kind != WEIR_KOFF_ABS)
			resolve(c, l, kind, val);
		for (i = 0; i < l->cnt; i++) {	/* resolved: known now */
			kpart *p = part_get(c, l->elems[i].topic,
			    l->elems[i].partition);
			if (p && l->elems[i].offset >= 0)
				p->next = l->elems[i].offset;
		}
		if (c->cb_status) {
			weir_seterr(err, errsz, "%s", c->cb_err);
			rc = c->cb_status;
		} else {	/* assigned by the first next(), after seeks */
			c->start = l;
			return 0;
		}
	}
	rd_kafka_topic_partition_list_destroy(l);
	return rc;
}

static int
consumer_subscribe(weir_kafka_consumer *c, const struct rd_kafka_metadata *md,
    char *err, size_t errsz)
{
	const weir_kafka_opts *o = &c->b.o;
	rd_kafka_topic_partition_list_t *l;
	const rd_kafka_metadata_topic_t *t;
	rd_kafka_resp_err_t e;
	int i, rc = 0;

	l = rd_kafka_topic_partition_list_new(o->ntopics);
	for (i = 0; i < o->ntopics && rc == 0; i++) {
		rc = weir__kafka_find_topic(md, o->topics[i], -1, &t, err,
		    errsz);
		rd_kafka_topic_partition_list_add(l, o->topics[i],
		    RD_KAFKA_PARTITION_UA);
	}
	if (rc == 0 && (e = rd_kafka_subscribe(c->b.rk, l))) {
		weir_seterr(err, errsz, "subscribe: %s", rd_kafka_err2str(e));
		rc = WEIR_FAIL_IO;
	}
	rd_kafka_topic_partition_list_destroy(l);
	return rc;
}

int
weir_kafka_consumer_open(weir_kafka_consumer **out, const weir_kafka_opts *o,
    char *err, size_t errsz)
{
	weir_kafka_consumer *c;
	rd_kafka_conf_t *conf;
	const struct rd_kafka_metadata *md = NULL;
	int kind = WEIR_KOFF_BEGINNING, rc;
	int64_t val = 0;

	if ((rc = weir__rdk_load(err, errsz)) < 0)
		return rc;
	if (!(c = calloc(1, sizeof(*c)))) {
		weir_seterr(err, errsz, "out of memory");
		return WEIR_FAIL_NOMEM;
	}
	c->b.o = *o;
	c->stop_ts = -1;
	if (!o->ntopics) {
		weir_seterr(err, errsz, "no topic (-t TOPIC, or -G GROUP "
		    "TOPIC...)");
		free(c);
		return WEIR_FAIL_USAGE;
	}
	if (o->offset && weir_kafka_offset_parse(o->offset, &kind, &val) < 0) {
		weir_seterr(err, errsz, "-o %s: not beginning, end, stored, N, "
		    "-N, s@MS or e@MS", o->offset);
		free(c);
		return WEIR_FAIL_USAGE;
	}
	if (kind == WEIR_KOFF_STOP_TS) {
		c->stop_ts = val;
		kind = WEIR_KOFF_BEGINNING;
	}
	c->stopping = o->exit_eof || c->stop_ts >= 0;
	conf = rd_kafka_conf_new();
	if ((rc = consumer_conf(c, conf, kind, err, errsz)) < 0) {
		rd_kafka_conf_destroy(conf);
		goto fail;
	}
	if ((rc = weir__kafka_base_new(&c->b, RD_KAFKA_CONSUMER, conf, err,
	    errsz)) < 0 ||
	    (rc = weir__kafka_base_connect(&c->b, NULL, &md, err, errsz)) < 0)
		goto fail;
	rd_kafka_poll_set_consumer(c->b.rk);
	c->q = rd_kafka_queue_get_consumer(c->b.rk);
	if (o->group)
		rc = consumer_subscribe(c, md, err, errsz);
	else
		rc = consumer_assign(c, md, kind, val, err, errsz);
	rd_kafka_metadata_destroy(md);
	if (rc == 0) {
		*out = c;
		return 0;
	}
fail:
	if (c->q)
		rd_kafka_queue_destroy(c->q);
	if (c->b.rk)
		rd_kafka_destroy(c->b.rk);
	free(c);
	return rc;
}

static int
all_done(const weir_kafka_consumer *c)
{
	size_t i;

	if (!c->stopping || !c->have_assignment)
		return 0;
	for (i = 0; i < c->nparts; i++)
		if (c->parts[i].assigned && !c->parts[i].done)
			return 0;
	return 1;
}

static int
fatal_message(rd_kafka_resp_err_t e)
{
	return weir__kafka_auth_error(e) ||
	    e == RD_KAFKA_RESP_ERR_UNKNOWN_TOPIC_OR_PART ||
	    e == RD_KAFKA_RESP_ERR__UNKNOWN_TOPIC ||
	    e == RD_KAFKA_RESP_ERR__UNKNOWN_PARTITION ||
	    e == RD_KAFKA_RESP_ERR__FATAL;
}

static void
batch_free(weir_kafka_consumer *c)
{
	for (c->ibatch = 0; c->ibatch < c->nbatch; c->ibatch++)
		rd_kafka_message_destroy(c->batch[c->ibatch]);
	c->nbatch = c->ibatch = 0;
}

/* Fill r from message m; -1 out of memory. */
static int
to_record(weir_kafka_consumer *c, kpart *p, rd_kafka_message_t *m,
    int64_t ts, int tstype, weir_record *r)
{
	rd_kafka_headers_t *h;
	const char *name;
	const void *v;
	size_t i, vn;

	memset(r, 0, sizeof(*r));
	r->flags = WEIR_R_POS;
	r->topic = p->topic;
	r->topic_len = p->topic_len;
	r->partition = m->partition;
	r->offset = m->offset;
	if (tstype != RD_KAFKA_TIMESTAMP_NOT_AVAILABLE) {
		r->ts = ts;
		r->flags |= WEIR_R_TS;
	}
	if (m->key) {
		r->key = m->key;
		r->key_len = m->key_len;
		r->flags |= WEIR_R_KEY;
	}
	r->enc = m->payload ? WEIR_ENC_BYTES : WEIR_ENC_NULL;
	r->value = m->payload;
	r->value_len = m->payload ? m->len : 0;
	if (rd_kafka_message_headers(m, &h) == RD_KAFKA_RESP_ERR_NO_ERROR &&
	    rd_kafka_header_cnt(h) > 0) {
		c->hdrs.len = 0;
		for (i = 0; rd_kafka_header_get_all(h, i, &name, &v, &vn) ==
		    RD_KAFKA_RESP_ERR_NO_ERROR; i++)
			if (weir_hdr_put(&c->hdrs, (const uint8_t *)name,
			    strlen(name), v, vn) < 0)
				return -1;
		r->hdrs = c->hdrs.p;
		r->hdrs_len = c->hdrs.len;
		r->nhdrs = (uint32_t)i;
		r->flags |= WEIR_R_HEADERS;
	}
	return 0;
}

/* A partition reached its end (-e, e@MS): stop fetching it, so the
 * broker does not hold a fetch for it while others still have data. */
static void
finish(weir_kafka_consumer *c, kpart *p)
{
	rd_kafka_topic_partition_list_t *l;

	if (p->done)
		return;
	p->done = 1;
	if (!c->stopping)
		return;
	l = rd_kafka_topic_partition_list_new(1);
	rd_kafka_topic_partition_list_add(l, p->topic, p->partition);
	(void)rd_kafka_pause_partitions(c->b.rk, l);
	rd_kafka_topic_partition_list_destroy(l);
	p->paused = 1;
}

/* Once a second, per batch (or idle poll): each partition's lag from the
 * high watermark librdkafka cached from its last fetch (no broker round
 * trip). */
static void
report_lag(weir_kafka_consumer *c)
{
	int64_t lo, hi;
	size_t i;

	if (c->now_ms - c->lag_ms < 1000)
		return;
	c->lag_ms = c->now_ms;
	weir_stats_lag_begin();
	for (i = 0; i < c->nparts; i++)
		if (c->parts[i].next >= 0 && rd_kafka_get_watermark_offsets(
		    c->b.rk, c->parts[i].topic, c->parts[i].partition, &lo,
		    &hi) == RD_KAFKA_RESP_ERR_NO_ERROR && hi >= 0)
			weir_stats_lag_part(c->parts[i].topic,
			    c->parts[i].partition, hi - c->parts[i].next);
	weir_stats_tick();	/* also while idle: no writer flushes then */
}

int
weir_kafka_consumer_next(weir_kafka_consumer *c, weir_record *r,
    int timeout_ms, char *err, size_t errsz)
{
	rd_kafka_message_t *m;
	rd_kafka_timestamp_type_t tstype;
	kpart *p;
	int64_t ts;
	ssize_t n;

	if (c->start) {
		rd_kafka_resp_err_t e = rd_kafka_assign(c->b.rk, c->start);
		rd_kafka_topic_partition_list_destroy(c->start);
		c->start = NULL;
		if (e) {
			weir_seterr(err, errsz, "assign: %s", rd_kafka_err2str(e));
			return WEIR_FAIL_IO;
		}
	}
	if (c->fin) {
		finish(c, &c->parts[c->fin - 1]);
		c->fin = 0;
	}
	for (;;) {
		if (c->b.fatal) {
			weir_seterr(err, errsz, "%s", c->b.fatalmsg);
			return WEIR_FAIL_IO;
		}
		if (c->cb_status) {
			weir_seterr(err, errsz, "%s", c->cb_err);
			return c->cb_status;
		}
		if (all_done(c))
			return WEIR_KAFKA_DONE;
		/* a batch given out slowly (paced, or a slow pipeline):
		 * the lag follows the records, not only the fetches */
		if (c->ibatch > 0 && c->ibatch < c->nbatch &&
		    !(c->ibatch & 63)) {
			c->now_ms = weir_mono_ms();
			report_lag(c);
		}
		if (c->ibatch >= c->nbatch) {
			batch_free(c);
			/* what is there now; if nothing, wait for one message
			 * (a batch call waits its whole timeout to fill up) */
			n = rd_kafka_consume_batch_queue(c->q, 0, c->batch, BATCH);
			if (n == 0 && (c->batch[0] = rd_kafka_consumer_poll(c->b.rk,
			    timeout_ms)))
				n = 1;
			if (n < 0) {
				weir_seterr(err, errsz, "consume: %s",
				    rd_kafka_err2str(rd_kafka_last_error()));
				return WEIR_FAIL_IO;
			}
			c->nbatch = (int)n;
			c->now_ms = weir_mono_ms();
			report_lag(c);
			if (n == 0) {
				if (c->b.fatal || c->cb_status || all_done(c))
					continue;
				return WEIR_KAFKA_IDLE;
			}
		}
		m = c->batch[c->ibatch++];
		p = part_get(c, m->rkt ? rd_kafka_topic_name(m->rkt) : "",
		    m->partition);
		if (!p) {
			weir_seterr(err, errsz, "out of memory");
			return WEIR_FAIL_NOMEM;
		}
		if (m->err == RD_KAFKA_RESP_ERR__PARTITION_EOF) {
			finish(c, p);
			continue;
		}
		if (m->err) {
			const char *why = rd_kafka_message_errstr(m);
			if (fatal_message(m->err)) {
				weir_seterr(err, errsz, "%s%s%s", m->rkt ?
				    p->topic : "", m->rkt ? ": " : "", why);
				return WEIR_FAIL_IO;
			}
			weir__kafka_note(&c->b, why);
			continue;
		}
		if (c->stopping && p->done)
			continue;	/* past -e or e@MS: not ours */
		/* fetched before a rebalance took the partition away, or
		 * before it was assigned again where the stream goes on
		 * (a batch taken just before the rebalance): not ours, or
		 * given out already */
		if (!p->assigned || (p->next >= 0 && m->offset < p->next))
			continue;
		if (c->b.o.exit_eof && p->hi >= 0 && m->offset >= p->hi) {
			finish(c, p);
			continue;
		}
		ts = rd_kafka_message_timestamp(m, &tstype);
		if (p->from_ts >= 0) {
			if (ts < p->from_ts)
				continue;
			p->from_ts = -1;
		}
		if (c->stop_ts >= 0 && ts >= c->stop_ts) {
			finish(c, p);
			continue;
		}
		/* the last one: finished once it is out (the next call), so
		 * the watermark sent before it still counts the partition */
		if (c->b.o.exit_eof && p->hi >= 0 && m->offset + 1 >= p->hi)
			c->fin = (size_t)(p - c->parts) + 1;
		if (to_record(c, p, m, ts, (int)tstype, r) < 0) {
			weir_seterr(err, errsz, "out of memory");
			return WEIR_FAIL_NOMEM;
		}
		c->last_tstype = (int)tstype;
		c->last_broker = rd_kafka_message_broker_id(m);
		p->pending = p->next = m->offset + 1;
		p->emitted = 1;
		p->last_ms = c->now_ms;
		return WEIR_KAFKA_RECORD;
	}
}

void
weir_kafka_consumer_meta(const weir_kafka_consumer *c, int *tstype,
    int32_t *broker)
{
	*tstype = c->last_tstype;
	*broker = c->last_broker;
}

void
weir_kafka_consumer_event_time(weir_kafka_consumer *c, int64_t ts)
{
	if (c->lastp && ts > c->lastp->max_ts)
		c->lastp->max_ts = ts;
}

int
weir_kafka_consumer_event_times(weir_kafka_consumer *c,
    int (*fn)(void *, const char *, int32_t, int64_t), void *arg)
{
	size_t i;
	int rc;

	for (i = 0; i < c->nparts; i++)
		if (c->parts[i].max_ts != INT64_MIN &&
		    (rc = fn(arg, c->parts[i].topic, c->parts[i].partition,
		    c->parts[i].max_ts)) < 0)
			return rc;
	return 0;
}

int
weir_kafka_consumer_set_event_time_of(weir_kafka_consumer *c,
    const char *topic, int32_t partition, int64_t ts)
{
	kpart *p = part_get(c, topic, partition);

	if (!p)
		return WEIR_FAIL_NOMEM;
	p->max_ts = ts;
	return 0;
}

int
weir_kafka_consumer_watermark(weir_kafka_consumer *c, int64_t delay,
    int64_t idle_ms, int64_t *wm)
{
	int64_t now = weir_mono_ms(), min = INT64_MAX, idlemax = INT64_MIN;
	size_t i;
	int any = 0;

	for (i = 0; i < c->nparts; i++) {
		kpart *p = &c->parts[i];
		if (!p->assigned || (c->stopping && p->done))
			continue;
		if (idle_ms > 0 && now - p->last_ms >= idle_ms) {
			if (p->max_ts != INT64_MIN && p->max_ts > idlemax)
				idlemax = p->max_ts;
			continue;
		}
		if (p->max_ts == INT64_MIN)
			return 0;	/* a partition not heard from yet */
		if (p->max_ts - delay < min)
			min = p->max_ts - delay;
		any = 1;
	}
	if (!any) {
		/* all quiet: nothing holds the newest time back */
		if (idlemax == INT64_MIN)
			return 0;
		min = idlemax - delay;
	}
	*wm = min;
	return 1;
}

int
weir_kafka_consumer_store(weir_kafka_consumer *c, char *err, size_t errsz)
{
	(void)err;
	(void)errsz;
	store_pending(c);
	return 0;
}

/*
 * Commit what was written out, partition by partition.  A group that is
 * rebalancing refuses the commit (unknown member, old generation); the
 * consumer then rejoins while we serve it, and once the group has given
 * it its new assignment the same offsets are committed again, for up to
 * thirty seconds, or the session timeout and five (weir-broker waits
 * that long for members that do not rejoin).  (A commit sent while it rejoins is refused too, and the
 * refusal makes librdkafka start the join over: retrying at once would
 * keep it from ever getting back in.)  Records fetched meanwhile are
 * dropped unwritten: the next reader gets them again (at least once).
 */
/* Serve the consumer (rebalances) for ms, dropping what it fetches. */
static void
serve(weir_kafka_consumer *c, int ms)
{
	int64_t end = weir_mono_ms() + ms;
	rd_kafka_message_t *m;

	do {
		weir_sig_poll();
		if ((m = rd_kafka_consumer_poll(c->b.rk, 50)))
			rd_kafka_message_destroy(m);
	} while (weir_mono_ms() < end);
}

/* How long the commits at the end wait for a coordinator that does not
 * answer, without a signal: the session timeout and 5 s, at least 30 s. */
static int64_t
close_wait_ms(const weir_kafka_consumer *c)
{
	return c->session_ms > 25000 ? c->session_ms + 5000 : 30000;
}

static rd_kafka_resp_err_t
commit_written(weir_kafka_consumer *c)
{
	rd_kafka_topic_partition_list_t *l;
	rd_kafka_resp_err_t e = RD_KAFKA_RESP_ERR__NO_OFFSET;
	int64_t deadline = weir_mono_ms() + close_wait_ms(c);
	unsigned seen;
	size_t i;

	l = rd_kafka_topic_partition_list_new((int)c->nparts + 1);
	for (i = 0; i < c->nparts; i++)
		if (c->parts[i].stored >= 0)
			rd_kafka_topic_partition_list_add(l, c->parts[i].topic,
			    c->parts[i].partition)->offset = c->parts[i].stored;
	while (l->cnt) {
		seen = c->nassign;
		e = commit_until(c, l, weir_mono_ms() + COMMIT_MS < deadline ?
		    weir_mono_ms() + COMMIT_MS : deadline);
		/*
		 * No answer at the end of the input: the coordinator may be
		 * away for a while (a broker restarting), and the pipeline
		 * behind waits for it too; so wait until the deadline, but
		 * not once a stop signal came (then it gives up now).
		 */
		if (e == RD_KAFKA_RESP_ERR__TIMED_OUT && !weir_sig_stop() &&
		    weir_mono_ms() < deadline) {
			rd_kafka_event_t *ev;
			rd_kafka_resp_err_t none = RD_KAFKA_RESP_ERR_NO_ERROR;

			weir_sig_poll();
			if ((ev = rd_kafka_queue_poll(c->cq, 100)))
				commit_answer(c, ev, 0, &none);
			continue;
		}
		if (!c->b.o.group ||	/* not a member: nothing to rejoin */
		    (e != RD_KAFKA_RESP_ERR_UNKNOWN_MEMBER_ID &&
		    e != RD_KAFKA_RESP_ERR_ILLEGAL_GENERATION &&
		    e != RD_KAFKA_RESP_ERR_REBALANCE_IN_PROGRESS))
			break;
		while (c->nassign == seen && weir_mono_ms() < deadline)
			serve(c, 100);
		if (c->nassign == seen)
			break;	/* not back in the group in time */
		/* on weir-broker a member that syncs after the leader is
		 * refused and joins again: let the others get in first */
		serve(c, 300);
	}
	rd_kafka_topic_partition_list_destroy(l);
	return e;
}

/*
 * Leave the group (librdkafka's close), serving the revoke it makes, until
 * deadline: its synchronous close waits for a coordinator that is gone
 * without end.  0 closed, -1 not: the handle is then left as it is.
 */
static int
close_until(weir_kafka_consumer *c, int64_t deadline)
{
	rd_kafka_queue_t *q = rd_kafka_queue_new(c->b.rk);
	rd_kafka_error_t *er;
	rd_kafka_event_t *ev;
	int64_t left;

	if (!q)
		return -1;
	/* an error (a fatal one raised before) still closes */
	if ((er = rd_kafka_consumer_close_queue(c->b.rk, q)))
		rd_kafka_error_destroy(er);
	while (!rd_kafka_consumer_closed(c->b.rk) &&
	    (left = deadline - weir_mono_ms()) > 0) {
		weir_sig_poll();
		if (!(ev = rd_kafka_queue_poll(q, left < 100 ? (int)left : 100)))
			continue;
		if (rd_kafka_event_type(ev) == RD_KAFKA_EVENT_REBALANCE)
			rebalance_cb(c->b.rk, rd_kafka_event_error(ev),
			    rd_kafka_event_topic_partition_list(ev), c);
		rd_kafka_event_destroy(ev);
	}
	if (!rd_kafka_consumer_closed(c->b.rk))
		return -1;
	rd_kafka_queue_destroy(q);
	return 0;
}

int
weir_kafka_consumer_close(weir_kafka_consumer *c, char *err, size_t errsz)
{
	rd_kafka_resp_err_t e = RD_KAFKA_RESP_ERR_NO_ERROR;
	rd_kafka_event_t *ev;
	int64_t deadline = weir_mono_ms() + close_wait_ms(c);
	size_t i;
	int rc = 0, gone = 0;

	store_pending(c);
	batch_free(c);
	c->lag_ms = INT64_MIN / 2;	/* the last report has the final lag */
	report_lag(c);
	if (c->commit && !c->manual && !c->b.fatal) {
		e = commit_written(c);
		if (e && e != RD_KAFKA_RESP_ERR__NO_OFFSET)
			rc = commit_error(e, err, errsz);
	}
	/* a commit still unanswered (a checkpoint's, a revoke's): waited
	 * for as the last commit is (commit_written), not after a signal */
	while (c->cq && (ev = rd_kafka_queue_poll(c->cq, 0)))
		commit_answer(c, ev, 0, &e);
	while (c->cq && c->cdone != c->csent && !weir_sig_stop() &&
	    weir_mono_ms() < deadline) {
		weir_sig_poll();
		if ((ev = rd_kafka_queue_poll(c->cq, 100)))
			commit_answer(c, ev, 0, &e);
	}
	if (c->cdone != c->csent) {
		e = RD_KAFKA_RESP_ERR__TIMED_OUT;
		if (!rc)
			rc = commit_error(e, err, errsz);
	}
	if (c->start)
		rd_kafka_topic_partition_list_destroy(c->start);
	rd_kafka_queue_destroy(c->q);
	/*
	 * A coordinator that did not answer a commit: librdkafka's close,
	 * and its destroy, would wait for it without end (its threads keep
	 * the commit), and one that does not answer the close: the handle
	 * is left to the exit that follows this failure.
	 */
	if (e == RD_KAFKA_RESP_ERR__TIMED_OUT)
		gone = 1;
	else if (c->b.o.group) {
		c->commit = 0;	/* the revoke on close has nothing left */
		if (close_until(c, weir_mono_ms() + COMMIT_MS) < 0) {
			gone = 1;
			if (!rc) {
				weir_seterr(err, errsz, "leaving group %s: no "
				    "answer from the group coordinator within "
				    "10 s", c->b.o.group);
				rc = WEIR_FAIL_IO;
			}
		}
	}
	if (!gone) {
		if (c->cq)
			rd_kafka_queue_destroy(c->cq);
		/* no group to leave: do not wait for fetches to return */
		rd_kafka_destroy_flags(c->b.rk, c->b.o.group ? 0 :
		    RD_KAFKA_DESTROY_F_NO_CONSUMER_CLOSE);
	}
	for (i = 0; i < c->nparts; i++)
		free(c->parts[i].topic);
	free(c->parts);
	weir_buf_free(&c->hdrs);
	free(c);
	return rc;
}


/*
 * Positions: [["topic",partition,next_offset],...]
 */
int
weir_kafka_positions_each(const char *json, size_t len,
    int (*fn)(void *, const char *, int32_t, int64_t), void *arg,
    char *err, size_t errsz)
{
	weir_buf pk = { 0 }, topic = { 0 };
	weir_pv all, e, t, part, off;
	weir_pv_iter it;
	const uint8_t *ts;
	size_t tn;
	int rc = 0, n = 0;

	if (weir_pack_json(&pk, (const uint8_t *)json, len, err, errsz) < 0) {
		weir_buf_free(&pk);
		return WEIR_FAIL_USAGE;
	}
	weir_pv_of(pk.p, pk.len, &all);
	if (all.type != WEIR_PV_ARRAY) {
		weir_seterr(err, errsz, "positions: not a JSON array");
		rc = WEIR_FAIL_USAGE;
	}
	if (!rc)
		weir_pv_iter_init(&it, &all);
	while (!rc && weir_pv_iter_next(&it, NULL, &e)) {
		n++;
		topic.len = 0;
		if (e.type != WEIR_PV_ARRAY || weir_pv_index(&e, 3, &t) ||
		    !weir_pv_index(&e, 0, &t) || t.type != WEIR_PV_STRING ||
		    !weir_pv_index(&e, 1, &part) || part.type != WEIR_PV_INT ||
		    part.i < 0 || part.i > INT32_MAX ||
		    !weir_pv_index(&e, 2, &off) || off.type != WEIR_PV_INT ||
		    off.i < 0 ||
		    weir_pv_str(&t, &topic, &ts, &tn) < 0 || tn == 0 ||
		    memchr(ts, 0, tn)) {
			weir_seterr(err, errsz, "positions: element %d is not "
			    "[\"topic\", partition, offset]", n);
			rc = WEIR_FAIL_USAGE;
			break;
		}
		/* a NUL-terminated copy of the topic */
		if (ts != topic.p) {
			topic.len = 0;
			if (weir_buf_put(&topic, ts, tn) < 0)
				rc = WEIR_FAIL_IO;
		}
		if (!rc && weir_buf_putc(&topic, 0) < 0)
			rc = WEIR_FAIL_IO;
		if (rc) {
			weir_seterr(err, errsz, "out of memory");
			break;
		}
		rc = fn(arg, (const char *)topic.p, (int32_t)part.i, off.i);
	}
	weir_buf_free(&pk);
	weir_buf_free(&topic);
	return rc;
}

int
weir_kafka_consumer_positions(weir_kafka_consumer *c, weir_buf *out)
{
	size_t i;
	int first = 1;

	if (weir_buf_putc(out, '[') < 0)
		return WEIR_FAIL_NOMEM;
	for (i = 0; i < c->nparts; i++) {
		kpart *p = &c->parts[i];
		int64_t at = p->next >= 0 && (p->assigned || p->emitted) ?
		    p->next : p->seek;	/* a restored position not yet
					 * assigned is still the position */
		if (at < 0)
			continue;
		if ((!first && weir_buf_putc(out, ',') < 0) ||
		    weir_buf_putc(out, '[') < 0 ||
		    weir_json_str(out, (const uint8_t *)p->topic,
		    p->topic_len) < 0 ||
		    weir_buf_printf(out, ",%ld,%lld]", (long)p->partition,
		    (long long)at) < 0)
			return WEIR_FAIL_NOMEM;
		first = 0;
	}
	return weir_buf_putc(out, ']') < 0 ? WEIR_FAIL_NOMEM : 0;
}

static int
seek_one(void *arg, const char *topic, int32_t partition, int64_t off)
{
	weir_kafka_consumer *c = arg;
	rd_kafka_topic_partition_t *e;
	kpart *p;

	if (!(p = part_get(c, topic, partition)))
		return WEIR_FAIL_IO;
	p->seek = off;
	if (!c->start)	/* -G: on each assignment, in the rebalance */
		return 0;
	/* no group: the assignment waiting for the first next() */
	if ((e = rd_kafka_topic_partition_list_find(c->start, topic,
	    partition))) {
		e->offset = off;
		p->next = off;
		p->from_ts = -1;
		if (c->b.o.exit_eof && p->hi >= 0)
			p->done = p->hi <= off;
	}
	return 0;
}

int
weir_kafka_consumer_seek_to(weir_kafka_consumer *c, const char *json,
    size_t len, char *err, size_t errsz)
{
	int rc;

	if (!c->b.o.group && !c->start) {
		weir_seterr(err, errsz, "seek: too late, records were read");
		return WEIR_FAIL_USAGE;
	}
	rc = weir_kafka_positions_each(json, len, seek_one, c, err, errsz);
	if (rc == WEIR_FAIL_IO)
		weir_seterr(err, errsz, "out of memory");
	return rc;
}

void
weir_kafka_consumer_set_manual_commit(weir_kafka_consumer *c, int on)
{
	c->manual = on;
}

struct commit_arg {
	weir_kafka_consumer *c;
	rd_kafka_topic_partition_list_t *l;
};

static int
commit_one(void *arg, const char *topic, int32_t partition, int64_t off)
{
	struct commit_arg *a = arg;
	kpart *p;

	if (a->c->b.o.group) {	/* a member commits only what it holds */
		if (!(p = part_get(a->c, topic, partition)))
			return WEIR_FAIL_IO;
		if (!p->assigned)
			return 0;
	}
	rd_kafka_topic_partition_list_add(a->l, topic, partition)->offset = off;
	return 0;
}

int
weir_kafka_consumer_commit_positions(weir_kafka_consumer *c,
    const char *json, size_t len, char *err, size_t errsz)
{
	struct commit_arg a = { c, NULL };
	rd_kafka_resp_err_t e;
	int rc;

	if (!c->commit) {
		weir_seterr(err, errsz, "commit: no group (-G GROUP or "
		    "-X group.id=GROUP)");
		return WEIR_FAIL_USAGE;
	}
	a.l = rd_kafka_topic_partition_list_new(8);
	rc = weir_kafka_positions_each(json, len, commit_one, &a, err, errsz);
	if (rc == WEIR_FAIL_IO)
		weir_seterr(err, errsz, "out of memory");
	if (!rc && a.l->cnt &&
	    (e = commit_until(c, a.l, weir_mono_ms() + COMMIT_MS)))
		rc = commit_error(e, err, errsz);
	/* the seeks stay: a partition assigned again goes on where the
	 * stream is (stream_pos()), not where the group's offsets lag */
	rd_kafka_topic_partition_list_destroy(a.l);
	return rc;
}

/*
 * The last message of a key: a consumer of its own, without a group,
 * every partition from its start to the end it reports (partition EOF),
 * read_committed.
 */
int
weir_kafka_read_last(const weir_kafka_opts *o, const char *topic,
    const char *key, weir_buf *val, char *err, size_t errsz)
{
	kbase b;
	rd_kafka_conf_t *conf;
	const struct rd_kafka_metadata *md = NULL;
	const rd_kafka_metadata_topic_t *t = NULL;
	rd_kafka_topic_partition_list_t *l = NULL;
	rd_kafka_message_t *m;
	char *eof = NULL;
	size_t klen = strlen(key);
	int rc, i, left, found = 0;
	int64_t deadline;

	if ((rc = weir__rdk_load(err, errsz)) < 0)
		return rc;
	conf = rd_kafka_conf_new();
	memset(&b, 0, sizeof(b));
	b.o = *o;
	b.o.nprops = 0;
	if ((rc = weir__kafka_conf_base(&b, conf, err, errsz)) < 0 ||
	    (rc = weir__kafka_conf_set(conf, "group.id", "weir-progress", err,
	    errsz)) < 0 ||
	    (rc = weir__kafka_conf_set(conf, "enable.auto.commit", "false", err,
	    errsz)) < 0 ||
	    (rc = weir__kafka_conf_set(conf, "enable.partition.eof", "true",
	    err,
	    errsz)) < 0 ||
	    (rc = weir__kafka_conf_set(conf, "isolation.level",
	    "read_committed", err,
	    errsz)) < 0 ||
	    (rc = weir__kafka_conf_set(conf, "fetch.wait.max.ms", "50", err,
	    errsz)) < 0) {
		rd_kafka_conf_destroy(conf);
		return rc;
	}
	if ((rc = weir__kafka_base_new(&b, RD_KAFKA_CONSUMER, conf, err,
	    errsz)) < 0)
		return rc;
	if ((rc = weir__kafka_base_connect(&b, NULL, &md, err, errsz)) < 0)
		goto out;
	if (weir__kafka_find_topic(md, topic, 0, &t, err, errsz) < 0) {
		rc = 0;		/* nothing written there yet */
		goto out;
	}
	l = rd_kafka_topic_partition_list_new(t->partition_cnt);
	for (i = 0, left = 0; i < t->partition_cnt; i++) {
		int64_t lo, hi;
		/* an empty partition (a first start) is not read at all */
		if (rd_kafka_query_watermark_offsets(b.rk, topic, i, &lo, &hi,
		    1000 * (o->timeout_s > 0 ? o->timeout_s : 10)) ==
		    RD_KAFKA_RESP_ERR_NO_ERROR && lo >= hi)
			continue;
		rd_kafka_topic_partition_list_add(l, topic, i)->offset =
		    RD_KAFKA_OFFSET_BEGINNING;
		left++;
	}
	if (left == 0) {
		rc = 0;		/* nothing written there yet */
		goto out;
	}
	if (!(eof = calloc((size_t)left + 1, 1)) || rd_kafka_assign(b.rk, l)) {
		weir_seterr(err, errsz, "%s: cannot read", topic);
		rc = WEIR_FAIL_IO;
		goto out;
	}
	deadline = weir_mono_ms() + 1000LL * (o->timeout_s > 0 ?
	    o->timeout_s : 10);
	while (left > 0 && !b.fatal) {
		if (weir_mono_ms() > deadline) {
			weir_seterr(err, errsz, "%s: not read to its end within "
			    "%d s (-m)", topic, o->timeout_s);
			rc = WEIR_FAIL_IO;
			goto out;
		}
		if (!(m = rd_kafka_consumer_poll(b.rk, 100)))
			continue;
		if (m->err == RD_KAFKA_RESP_ERR__PARTITION_EOF) {
			if (m->partition >= 0 && m->partition < t->partition_cnt &&
			    !eof[m->partition]) {
				eof[m->partition] = 1;
				left--;
			}
		} else if (m->err) {
			weir__kafka_note(&b, rd_kafka_message_errstr(m));
		} else if (m->key && m->key_len == klen &&
		    !memcmp(m->key, key, klen)) {
			val->len = 0;
			if (weir_buf_put(val, m->payload, m->len) < 0) {
				rd_kafka_message_destroy(m);
				weir_seterr(err, errsz, "out of memory");
				rc = WEIR_FAIL_IO;
				goto out;
			}
			found = 1;
		}
		rd_kafka_message_destroy(m);
	}
	if (b.fatal) {
		weir_seterr(err, errsz, "%s", b.fatalmsg);
		rc = WEIR_FAIL_IO;
	} else
		rc = found;
out:
	free(eof);
	if (l)
		rd_kafka_topic_partition_list_destroy(l);
	if (md)
		rd_kafka_metadata_destroy(md);
	rd_kafka_destroy_flags(b.rk, RD_KAFKA_DESTROY_F_NO_CONSUMER_CLOSE);
	return rc;
}
