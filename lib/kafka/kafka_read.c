/*
 * kafka_read.c - weir-source's Kafka input: the consumer, --committed-only's
 * filter and the checkpoints' positions (kafka_read.h).
 */
#include <jansson.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "json.h"
#include "kafka_read.h"
#include "progress.h"

struct weir_kafka_reader {
	weir_kafka_consumer *kc;
	int kgroup;		/* Kafka with a group: commit its offsets */
	const char *kgroup_name;
	const char *name;	/* this source's name in checkpoints */
	uint64_t kcommitted;	/* the checkpoint last committed to it */
	void (*warn)(const char *msg);
	/* --committed-only: messages of weir-sink transactions pass once the
	 * progress topic says theirs committed; until then they are held (in
	 * order), those of aborted ones are dropped */
	int committed;
	weir_eosf *f;
	weir_kafka_opts po;		/* the progress topics */
	weir_kafka_consumer *pc;	/* reads them */
	int mdone, pdone;
	unsigned n;
};

static void
note(weir_kafka_reader *r, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

static void
note(weir_kafka_reader *r, const char *fmt, ...)
{
	char msg[WEIR_ERRSZ * 2];
	va_list ap;

	if (!r->warn)
		return;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	r->warn(msg);
}

/* The Kafka positions in a source's position object, as JSON text. */
static char *
kafka_positions(json_t *pos)
{
	json_t *k = pos ? json_object_get(pos, "kafka") : NULL;

	return json_is_array(k) ? json_dumps(k, JSON_COMPACT) : NULL;
}

/* The Kafka positions this source has in checkpoint cm (NULL: none). */
static char *
commit_positions(const weir_commit *cm, const char *name)
{
	json_t *root;
	char *txt;

	root = json_loadb((const char *)cm->positions.p, cm->positions.len, 0,
	    NULL);
	txt = kafka_positions(root ? json_object_get(root, name) : NULL);
	json_decref(root);
	return txt;
}

/*
 * The partitions' event times in a snapshot (count, then topic, partition,
 * time each), given to c, or only read (c NULL).  Older snapshots end
 * before them: none.  -1 out of memory.
 */
static int
times_load(weir_rd *rd, weir_kafka_consumer *c)
{
	uint64_t n, i;
	const uint8_t *t;
	size_t tn;
	int64_t part, ts;
	char topic[256];

	if (rd->p == rd->end)
		return 0;
	n = weir_rd_count(rd, 3);
	for (i = 0; i < n && !rd->bad; i++) {
		t = weir_rd_bytes(rd, &tn);
		part = weir_rd_i64(rd);
		ts = weir_rd_i64(rd);
		if (!t || tn == 0 || tn >= sizeof(topic) || memchr(t, 0, tn) ||
		    part < 0 || part > INT32_MAX) {
			rd->bad = 1;
			break;
		}
		memcpy(topic, t, tn);
		topic[tn] = 0;
		if (c && weir_kafka_consumer_set_event_time_of(c, topic,
		    (int32_t)part, ts) < 0)
			return -1;
	}
	return 0;
}

void
weir_kafka_times_check(weir_rd *rd)
{
	(void)times_load(rd, NULL);
}

/* A partition's newest event time, for the snapshot. */
static int
time_put(void *arg, const char *topic, int32_t partition, int64_t ts)
{
	weir_buf *b = arg;

	return weir_sw_str(b, topic) < 0 || weir_sw_i64(b, partition) < 0 ||
	    weir_sw_i64(b, ts) < 0 ? -1 : 0;
}

static int
time_count(void *arg, const char *topic, int32_t partition, int64_t ts)
{
	(void)topic;
	(void)partition;
	(void)ts;
	++*(uint64_t *)arg;
	return 0;
}

int
weir_kafka_read_save(weir_kafka_reader *r, weir_buf *snap)
{
	uint64_t n = 0;

	(void)weir_kafka_consumer_event_times(r->kc, time_count, &n);
	return weir_sw_u64(snap, n) < 0 ||
	    weir_kafka_consumer_event_times(r->kc, time_put, snap) < 0 ? -1 : 0;
}

int
weir_kafka_read_position(weir_kafka_reader *r, weir_buf *b)
{
	int rc = 0;

	rc |= weir_buf_puts(b, "{\"kafka\":");
	rc |= weir_kafka_consumer_positions(r->kc, b);
	if (r->kgroup_name) {	/* for a transactional sink */
		rc |= weir_buf_puts(b, ",\"group\":");
		rc |= weir_json_str(b, (const uint8_t *)r->kgroup_name,
		    strlen(r->kgroup_name));
	}
	rc |= weir_buf_putc(b, '}');
	return rc ? -1 : 0;
}

int
weir_kafka_read_committed(weir_kafka_reader *r, const char *dir, char *err,
    size_t errsz)
{
	weir_commit cm = { 0 };
	char *txt;
	int rc;

	if (!r->kgroup || weir_commit_read(dir, &cm, err, errsz) <= 0 ||
	    cm.id <= r->kcommitted) {
		weir_commit_free(&cm);
		return 0;
	}
	txt = commit_positions(&cm, r->name);
	rc = txt ? weir_kafka_consumer_commit_positions(r->kc, txt,
	    strlen(txt), err, errsz) : 0;
	if (rc == 0)
		r->kcommitted = cm.id;
	else if (rc == WEIR_FAIL_IO)
		rc = 0;		/* refused: the next checkpoint tries again */
	free(txt);
	weir_commit_free(&cm);
	return rc;
}

/* --committed-only: the consumer of the progress topics. */
static int
committed_open(weir_kafka_reader *r, const weir_kafka_opts *ko,
    const char *topic, char *err, size_t errsz)
{
	char *t = NULL;
	int i, rc;

	if (!(r->f = weir_eosf_new(WEIR_COMMITTED_MAX_BYTES)))
		goto nomem;
	r->po = *ko;
	r->po.partition = -1;
	r->po.offset = NULL;
	r->po.group = NULL;
	r->po.topics = calloc((size_t)ko->ntopics + 1, sizeof(*r->po.topics));
	if (!r->po.topics)
		goto nomem;
	r->po.ntopics = 0;
	for (i = 0; i < (topic ? 1 : ko->ntopics); i++) {
		if (topic)
			t = strdup(topic);
		else if ((t = malloc(strlen(ko->topics[i]) +
		    sizeof(WEIR_PROGRESS_SUFFIX))))
			sprintf(t, "%s%s", ko->topics[i], WEIR_PROGRESS_SUFFIX);
		if (!t)
			goto nomem;
		r->po.topics[r->po.ntopics++] = t;
	}
	if ((rc = weir_kafka_consumer_open(&r->pc, &r->po, err, errsz)) < 0) {
		char msg[WEIR_ERRSZ];
		snprintf(msg, sizeof(msg), "%s", err);
		snprintf(err, errsz, "--committed-only: %s", msg);
		return rc;
	}
	return 0;
nomem:
	snprintf(err, errsz, "out of memory");
	return WEIR_FAIL_NOMEM;
}

/* Read what the progress topic has now (or within timeout_ms). */
static int
committed_progress(weir_kafka_reader *r, int timeout_ms, char *err,
    size_t errsz)
{
	char why[WEIR_ERRSZ];
	weir_record m;
	int rc;

	while (!r->pdone) {
		rc = weir_kafka_consumer_next(r->pc, &m, timeout_ms, why,
		    sizeof(why));
		if (rc == WEIR_KAFKA_DONE)
			r->pdone = 1;
		else if (rc < 0) {
			snprintf(err, errsz, "--committed-only: %s", why);
			return rc;
		}
		if (rc != WEIR_KAFKA_RECORD)
			break;
		rc = weir_eosf_progress(r->f, m.value, m.value_len, why,
		    sizeof(why));
		if (rc == WEIR_FAIL_DATA)
			note(r, "%.*s [%d] offset %lld: %s", (int)m.topic_len,
			    m.topic, (int)m.partition, (long long)m.offset, why);
		else if (rc < 0) {
			snprintf(err, errsz, "--committed-only: %s", why);
			return rc;
		}
		timeout_ms = 0;
	}
	return 0;
}

/* weir_kafka_consumer_next() for --committed-only. */
static int
committed_next(weir_kafka_reader *r, weir_record *rec, int timeout_ms,
    char *err, size_t errsz)
{
	int rc;

	for (;;) {
		if (weir_eosf_pop(r->f, rec))
			return WEIR_KAFKA_RECORD;
		if (r->mdone) {	/* -e: the progress topic to its end too */
			if (!r->pdone) {
				if ((rc = committed_progress(r, 100, err,
				    errsz)) < 0)
					return rc;
				continue;
			}
			if (weir_eosf_held(r->f) || weir_eosf_dropped(r->f))
				note(r, "--committed-only: %llu messages of "
				    "aborted transactions dropped, %zu of "
				    "transactions not known committed at the "
				    "end left out", (unsigned long long)
				    weir_eosf_dropped(r->f), weir_eosf_held(r->f));
			return WEIR_KAFKA_DONE;
		}
		if (weir_eosf_held(r->f) && !(++r->n & 255) &&
		    (rc = committed_progress(r, 0, err, errsz)) < 0)
			return rc;
		rc = weir_kafka_consumer_next(r->kc, rec, timeout_ms, err, errsz);
		if (rc == WEIR_KAFKA_DONE) {
			r->mdone = 1;
			continue;
		}
		if (rc == WEIR_KAFKA_IDLE) {
			if ((rc = committed_progress(r, 0, err, errsz)) < 0)
				return rc;
			if (weir_eosf_pop(r->f, rec))
				return WEIR_KAFKA_RECORD;
			rc = WEIR_KAFKA_IDLE;
		}
		if (rc != WEIR_KAFKA_RECORD)
			return rc;
		rc = weir_eosf_push(r->f, rec, err, errsz);
		if (rc < 0)
			return rc;
		if (rc == WEIR_EOSF_PASS)
			return WEIR_KAFKA_RECORD;
	}
}

int
weir_kafka_read_next(weir_kafka_reader *r, weir_record *rec, int timeout_ms,
    char *err, size_t errsz)
{
	return r->committed ? committed_next(r, rec, timeout_ms, err, errsz) :
	    weir_kafka_consumer_next(r->kc, rec, timeout_ms, err, errsz);
}

weir_kafka_consumer *
weir_kafka_read_consumer(weir_kafka_reader *r)
{
	return r->kc;
}

/* --checkpoint: manual commits, the group's name, the resumed position. */
static int
checkpoints_open(weir_kafka_reader *r, const weir_kafka_opts *ko,
    const weir_kafka_read_opts *ro, char *err, size_t errsz)
{
	char *txt = ro->resume ? commit_positions(ro->resume, ro->name) : NULL;
	int i, rc = 0;

	weir_kafka_consumer_set_manual_commit(r->kc, 1);
	r->kgroup = ko->group != NULL;
	r->kgroup_name = ko->group;
	for (i = 0; i < ko->nprops; i++)
		if (!strncmp(ko->props[i], "group.id=", 9)) {
			r->kgroup = 1;
			r->kgroup_name = ko->props[i] + 9;
		}
	if (txt)
		rc = weir_kafka_consumer_seek_to(r->kc, txt, strlen(txt), err,
		    errsz);
	free(txt);
	if (rc < 0)
		return rc;
	if (ro->times_len) {	/* the watermark goes on where it was */
		weir_rd rd;
		weir_rd_init(&rd, ro->times, ro->times_len);
		if (times_load(&rd, r->kc) < 0) {
			snprintf(err, errsz, "out of memory");
			return WEIR_FAIL_NOMEM;
		}
	}
	return 0;
}

static void
reader_free(weir_kafka_reader *r)
{
	int i;

	if (r->f)
		weir_eosf_free(r->f);
	for (i = 0; i < r->po.ntopics; i++)
		free((char *)r->po.topics[i]);
	free(r->po.topics);
	free(r);
}

int
weir_kafka_read_open(weir_kafka_reader **out, const weir_kafka_opts *ko,
    const weir_kafka_read_opts *ro, char *err, size_t errsz)
{
	weir_kafka_reader *r;
	int rc;

	*out = NULL;
	if (!(r = calloc(1, sizeof(*r)))) {
		snprintf(err, errsz, "out of memory");
		return WEIR_FAIL_NOMEM;
	}
	r->warn = ro->warn;
	r->name = ro->name;
	r->kcommitted = ro->commit_id;
	if ((rc = weir_kafka_consumer_open(&r->kc, ko, err, errsz)) < 0) {
		reader_free(r);
		return rc;
	}
	weir_kafka_consumer_set_flush(r->kc, ro->flush, ro->flush_arg);
	if (ro->checkpoints && (rc = checkpoints_open(r, ko, ro, err,
	    errsz)) < 0)
		goto fail;
	r->committed = ro->committed_only;
	if (r->committed && (rc = committed_open(r, ko, ro->progress_topic,
	    err, errsz)) < 0)
		goto fail;
	*out = r;
	return 0;
fail:
	weir_kafka_read_close(r, NULL, 0);
	return rc;
}

int
weir_kafka_read_close(weir_kafka_reader *r, char *err, size_t errsz)
{
	char cerr[WEIR_ERRSZ];
	int rc;

	/* err NULL: after a failure, whose message is kept */
	rc = weir_kafka_consumer_close(r->kc, err ? err : cerr,
	    err ? errsz : sizeof(cerr));
	if (r->pc)
		(void)weir_kafka_consumer_close(r->pc, cerr, sizeof(cerr));
	reader_free(r);
	return rc;
}
