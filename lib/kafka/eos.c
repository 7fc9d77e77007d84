/* eos.c - exactly once to Kafka: a transaction per checkpoint */
#include "eos.h"

#include <errno.h>
#include <fcntl.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "io.h"

static int
oom(char *err, size_t errsz)
{
	weir_seterr(err, errsz, "out of memory");
	return WEIR_FAIL_NOMEM;
}

/* A Kafka failure (its message in err): say where the pipeline restarts. */
static int
eos_fail(const weir_eos *e, char *err, size_t errsz)
{
	size_t n = strlen(err);

	if (n + 1 < errsz)
		snprintf(err + n, errsz - n, "; the pipeline restarts from "
		    "checkpoint %llu", (unsigned long long)e->committed);
	return WEIR_FAIL_IO;
}

static int
spool_fail(const weir_eos *e, char *err, size_t errsz)
{
	weir_seterr(err, errsz, "%s: %s", e->spool_path, strerror(errno));
	return WEIR_FAIL_IO;
}

/* The attempt header of checkpoint cur. */
static int
eos_attempt(weir_eos *e, weir_kafka_producer *p, char *err, size_t errsz)
{
	if (weir_attempt_format(&e->hdr, e->txid, e->pr.run, e->cur) < 0 ||
	    weir_kafka_producer_set_header(p, WEIR_ATTEMPT_HDR, e->hdr.p,
	    e->hdr.len) < 0)
		return oom(err, errsz);
	return 0;
}

static int
spool_write(weir_eos *e, char *err, size_t errsz)
{
	if (e->sb.len && weir_write_all(e->spool, e->sb.p, e->sb.len) < 0)
		return spool_fail(e, err, errsz);
	e->spooled += e->sb.len;
	e->sb.len = 0;
	return 0;
}

int
weir_eos_spool(weir_eos *e, const weir_record *r, const uint8_t *key,
    size_t key_len, char *err, size_t errsz)
{
	weir_record k = *r;

	if (key) {
		k.key = key;
		k.key_len = key_len;
		k.flags |= WEIR_R_KEY;
	}
	if (weir_frame_put_record(&e->enc, &e->sb, &k) < 0)
		return oom(err, errsz);
	if (e->sb.len >= 65536)
		return spool_write(e, err, errsz);
	return 0;
}

static int
eos_begin(weir_eos *e, weir_kafka_producer *p, char *err, size_t errsz)
{
	if (e->open)
		return 0;
	if (weir_kafka_txn_begin(p, err, errsz) < 0)
		return eos_fail(e, err, errsz);
	e->open = 1;
	e->sent = 0;
	/* the last checkpoint is in Kafka: its spool is done with.  It is
	 * written over, not truncated (COMMITTED says how long it is), so
	 * its blocks are not freed and allocated again each checkpoint. */
	if (lseek(e->spool, 0, SEEK_SET) < 0)
		return spool_fail(e, err, errsz);
	e->spooled = 0;
	e->sb.len = 0;
	memset(&e->enc, 0, sizeof(e->enc));
	return 0;
}

int
weir_eos_message(weir_eos *e, weir_kafka_producer *p, char *err,
    size_t errsz)
{
	int rc = eos_begin(e, p, err, errsz);

	if (rc == 0)
		e->sent++;
	return rc;
}

/* Each Kafka source with a group in the payload: its offsets. */
static int
eos_offsets(weir_eos *e, weir_kafka_producer *p, const uint8_t *payload,
    size_t n, char *err, size_t errsz)
{
	char *txt;
	json_t *root = json_loadb((const char *)payload, n, 0, NULL), *v;
	const char *name;
	int rc = 0;

	json_object_foreach(root, name, v) {
		json_t *k = json_object_get(v, "kafka");
		json_t *g = json_object_get(v, "group");
		if (!json_is_array(k) || !json_is_string(g))
			continue;
		if (!(txt = json_dumps(k, JSON_COMPACT))) {
			rc = oom(err, errsz);
			break;
		}
		rc = weir_kafka_txn_offsets(p, json_string_value(g), txt,
		    strlen(txt), err, errsz);
		free(txt);
		if (rc < 0) {
			rc = eos_fail(e, err, errsz);
			break;
		}
	}
	json_decref(root);
	return rc;
}

/* The progress record of checkpoint id (payload: its positions), then
 * commit the open transaction. */
static int
eos_commit(weir_eos *e, weir_kafka_producer *p, uint64_t id,
    const uint8_t *payload, size_t n, char *err, size_t errsz)
{
	int rc;

	if ((rc = eos_begin(e, p, err, errsz)) < 0)
		return rc;
	e->pr.id = id;
	e->pr.positions.len = 0;
	e->val.len = 0;
	if (weir_buf_put(&e->pr.positions, payload, n) < 0 ||
	    weir_progress_encode(&e->pr, &e->val) < 0)
		return oom(err, errsz);
	if (weir_kafka_txn_produce(p, e->topic, e->txid, e->val.p, e->val.len,
	    err, errsz) < 0 || weir_kafka_txn_commit(p, err, errsz) < 0)
		return eos_fail(e, err, errsz);
	e->open = 0;
	if (weir_progress_add(&e->pr, e->pr.run, id) < 0)
		return oom(err, errsz);
	return 0;
}

int
weir_eos_prepare(weir_eos *e, weir_kafka_producer *p,
    const uint8_t *payload, size_t n, uint64_t *spooled, char *err,
    size_t errsz)
{
	int rc;

	if ((rc = eos_begin(e, p, err, errsz)) < 0 ||
	    (rc = eos_offsets(e, p, payload, n, err, errsz)) < 0)
		return rc;
	if (weir_kafka_producer_flush(p, -1, err, errsz) < 0)
		return eos_fail(e, err, errsz);
	if ((rc = spool_write(e, err, errsz)) < 0)
		return rc;
	if (fdatasync(e->spool) < 0)
		return spool_fail(e, err, errsz);
	*spooled = e->spooled;
	return 0;
}

int
weir_eos_commit(weir_eos *e, weir_kafka_producer *p, uint64_t id,
    const uint8_t *payload, size_t n, char *err, size_t errsz)
{
	int rc;

	e->committed = id;
	if (payload != e->pos.p) {
		e->pos.len = 0;
		if (weir_buf_put(&e->pos, payload, n) < 0)
			return oom(err, errsz);
	}
	if ((rc = eos_commit(e, p, id, payload, n, err, errsz)) < 0)
		return rc;
	e->cur = id + 1;
	return eos_attempt(e, p, err, errsz);
}

/* Send checkpoint id's messages again from the spool (len bytes). */
static int
eos_resend(weir_eos *e, weir_kafka_producer *p, const weir_eos_at *at,
    char *err, size_t errsz)
{
	char msg[WEIR_ERRSZ];
	weir_buf b = { 0 };
	weir_fdec dec = { 0 };
	weir_frame fr;
	size_t off = 0;
	long used;
	ssize_t got;
	uint64_t id = at->id, len = at->out_len;
	int rc = WEIR_FAIL_IO;

	if (weir_buf_reserve(&b, len + 1) < 0)
		return oom(err, errsz);
	while (b.len < len && (got = pread(e->spool, b.p + b.len, len - b.len,
	    (off_t)b.len)) > 0)
		b.len += (size_t)got;
	if (b.len < len) {
		weir_seterr(err, errsz, "%s: shorter than checkpoint %llu's "
		    "%llu bytes: its messages cannot be sent again",
		    e->spool_path, (unsigned long long)id,
		    (unsigned long long)len);
		goto out;
	}
	if (e->warn) {
		snprintf(msg, sizeof(msg), "checkpoint %llu is committed in %s "
		    "but not in Kafka: sending its messages again",
		    (unsigned long long)id, at->dir);
		e->warn(msg);
	}
	e->cur = id;
	if ((rc = eos_attempt(e, p, err, errsz)) < 0)
		goto out;
	if (weir_kafka_txn_begin(p, err, errsz) < 0) {
		rc = eos_fail(e, err, errsz);
		goto out;
	}
	e->open = 1;
	while (off < b.len) {
		used = weir_frame_parse(&dec, b.p + off, b.len - off, b.len - off,
		    &fr, NULL, err, errsz);
		if (used <= 0 || fr.type != WEIR_F_RECORD) {
			weir_seterr(err, errsz, "%s: corrupt at byte %zu: "
			    "checkpoint %llu cannot be sent again",
			    e->spool_path, off, (unsigned long long)id);
			rc = WEIR_FAIL_IO;
			goto out;
		}
		off += (size_t)used;
		if (weir_kafka_producer_send(p, &fr.rec, NULL, 0, err,
		    errsz) == WEIR_FAIL_IO) {
			rc = eos_fail(e, err, errsz);
			goto out;
		}
	}
	if ((rc = eos_offsets(e, p, e->pos.p, e->pos.len, err, errsz)) < 0)
		goto out;
	if (weir_kafka_producer_flush(p, -1, err, errsz) < 0) {
		rc = eos_fail(e, err, errsz);
		goto out;
	}
	rc = eos_commit(e, p, id, e->pos.p, e->pos.len, err, errsz);
out:
	weir_buf_free(&b);
	return rc;
}

/*
 * After init_transactions: where Kafka stands.  The last progress record
 * a read_committed reader sees is of a committed transaction (on
 * weir-broker: of one whose messages were all delivered, see weir(7)).
 */
int
weir_eos_start(weir_eos *e, weir_kafka_producer *p,
    const weir_kafka_opts *ko, const weir_eos_at *at, char *err,
    size_t errsz)
{
	weir_progress last = { 0 };
	char why[WEIR_ERRSZ], msg[WEIR_ERRSZ * 2];
	uint64_t got;
	int rc;

	e->committed = at->id;
	e->pos.len = 0;
	if (weir_buf_put(&e->pos, at->positions, at->positions_len) < 0)
		return oom(err, errsz);
	if (!e->topic) {
		snprintf(e->topicbuf, sizeof(e->topicbuf), "%s%s", ko->topics[0],
		    WEIR_PROGRESS_SUFFIX);
		e->topic = e->topicbuf;
	}
	if (asprintf(&e->spool_path, "%s/txn.spool", at->sdir) < 0) {
		e->spool_path = NULL;
		return oom(err, errsz);
	}
	e->spool = open(e->spool_path, O_RDWR | O_CREAT | O_CLOEXEC, 0666);
	if (e->spool < 0)
		return spool_fail(e, err, errsz);
	rc = weir_kafka_read_last(ko, e->topic, e->txid, &e->val, why,
	    sizeof(why));
	if (rc < 0) {
		weir_seterr(err, errsz, "%s: %s", e->topic, why);
		return rc;
	}
	if (rc > 0 && weir_progress_decode(&last, e->val.p, e->val.len, why,
	    sizeof(why)) < 0) {
		weir_progress_free(&last);
		weir_seterr(err, errsz, "%s: %s", e->topic, why);
		return WEIR_FAIL_IO;
	}
	got = rc > 0 ? last.id : 0;
	if (rc > 0) {	/* its committed list, and itself */
		e->pr.r = last.r;
		e->pr.nr = last.nr;
		e->pr.cap = last.cap;
		last.r = NULL;
		if (weir_progress_add(&e->pr, last.run, last.id) < 0) {
			weir_progress_free(&last);
			return oom(err, errsz);
		}
	}
	weir_progress_new_run(&e->pr, rc > 0 ? last.gen + 1 : 0);
	weir_progress_free(&last);
	if (!(e->pr.txid = strdup(e->txid)))
		return oom(err, errsz);
	if (weir_kafka_txn_produce(p, e->topic, e->txid, NULL, 0, err,
	    errsz) < 0)
		return WEIR_FAIL_IO;
	if (at->id && got + 1 == at->id && !at->reset) {
		if ((rc = eos_resend(e, p, at, err, errsz)) < 0)
			return rc;
	} else if (got != at->id && !at->reset && e->warn) {
		snprintf(msg, sizeof(msg), "%s says checkpoint %llu, %s says "
		    "%llu: going on from %s", e->topic, (unsigned long long)got,
		    at->dir, (unsigned long long)at->id, at->dir);
		e->warn(msg);
	}
	e->pr.id = at->id;
	e->pr.positions.len = 0;
	if (weir_buf_put(&e->pr.positions, e->pos.p, e->pos.len) < 0)
		return oom(err, errsz);
	e->cur = at->id + 1;
	return eos_attempt(e, p, err, errsz);
}

int
weir_eos_end(weir_eos *e, weir_kafka_producer *p, char *err, size_t errsz)
{
	if (e->open && e->sent && weir_progress_add(&e->pr, e->pr.run,
	    e->cur) < 0)
		return oom(err, errsz);
	if (weir_kafka_producer_flush(p, -1, err, errsz) < 0)
		return eos_fail(e, err, errsz);
	return eos_commit(e, p, e->committed, e->pos.p, e->pos.len, err,
	    errsz);
}

void
weir_eos_free(weir_eos *e)
{
	if (e->spool > 0)
		close(e->spool);
	free(e->spool_path);
	weir_progress_free(&e->pr);
	weir_buf_free(&e->val);
	weir_buf_free(&e->hdr);
	weir_buf_free(&e->sb);
	weir_buf_free(&e->pos);
}
