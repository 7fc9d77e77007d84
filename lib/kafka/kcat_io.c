/*
 * kcat_io.c - kcat's text output and producer input (kcat_io.h).
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "io.h"
#include "kcat_io.h"

int
weir_kcat_out_flush(weir_kcat_out *o)
{
	if (o->out.len && weir_write_all(o->fd, o->out.p, o->out.len) < 0)
		return WEIR_FAIL_IO;
	o->out.len = 0;
	return 0;
}

int
weir_kcat_out_put(weir_kcat_out *o, const weir_record *r,
    const weir_kcat_meta *m)
{
	int rc;

	if ((rc = weir_kcatfmt_put(o->f, &o->out, r, m, &o->scratch)) < 0)
		return rc;
	if (o->unbuffered || o->out.len >= 65536)
		return weir_kcat_out_flush(o);
	return 0;
}

void
weir_kcat_out_free(weir_kcat_out *o)
{
	weir_buf_free(&o->out);
	weir_buf_free(&o->scratch);
}

void
weir_kafka_producer_settle(weir_kafka_producer *p, const char *msg,
    void (*warn)(const char *msg))
{
	char err[WEIR_ERRSZ];

	if (weir_kafka_producer_flush(p, 10000, err, sizeof(err)) < 0 &&
	    strcmp(err, msg) && warn)
		warn(err);
}

/* Fail with rc and the message in err, after what is in flight landed. */
static int
fail(weir_kafka_producer *p, const weir_kcat_produce_opts *po, int rc,
    char *err)
{
	weir_kafka_producer_settle(p, err, po->warn);
	return rc;
}

/* Produce one kcat message: value v (NULL: null), key k (NULL: none). */
static int
send(weir_kafka_producer *p, const weir_kcat_produce_opts *po,
    const uint8_t *k, size_t kn, const uint8_t *v, size_t vn, char *err,
    size_t errsz)
{
	weir_record r;
	int rc;

	memset(&r, 0, sizeof(r));
	r.partition = -1;
	r.enc = v ? WEIR_ENC_BYTES : WEIR_ENC_NULL;
	r.value = v;
	r.value_len = vn;
	if (po->hdrs && po->hdrs->n && weir_kcat_hdrs_apply(po->hdrs, &r) < 0) {
		snprintf(err, errsz, "out of memory");
		return WEIR_FAIL_NOMEM;
	}
	if (!k && po->key) {
		k = (const uint8_t *)po->key;
		kn = strlen(po->key);
	}
	rc = weir_kafka_producer_send(p, &r, k, kn, err, errsz);
	if (rc == WEIR_FAIL_DATA) {
		po->bad(po->bad_arg, err, v, vn);
		return 0;
	}
	return rc < 0 ? WEIR_FAIL_IO : 0;
}

/* Standard input (or the one file of -l) split into messages. */
static int
produce_split(weir_kafka_producer *p, const weir_kcat_produce_opts *po,
    char *err, size_t errsz)
{
	weir_kcat_reader rd;
	const uint8_t *m, *k, *v;
	size_t n, kn, vn;
	int i = 0, fd = 0, rc = 0;
	uint64_t nmsg = 0;

	if (po->nfiles && (fd = open(po->files[0], O_RDONLY | O_CLOEXEC)) < 0) {
		snprintf(err, errsz, "%s: %s", po->files[0], strerror(errno));
		return WEIR_FAIL_IO;	/* nothing sent yet */
	}
	weir_kcat_reader_init(&rd, fd, po->delim);
	/* a signal stops the reading (kcat's way); what was sent is
	 * delivered */
	while (!weir_sig_stop() && (!po->count || (long long)nmsg <
	    po->count) && ((i = weir_kcat_reader_next(&rd, &m, &n, err,
	    errsz)) > 0)) {
		if (i == WEIR_KCAT_SIGNAL)
			continue;
		k = NULL;
		kn = 0;
		v = m;
		vn = n;
		if (po->kdelim)
			weir_kcat_split_key(m, n, po->kdelim, po->null_empty, &k,
			    &kn, &v, &vn);
		if ((rc = send(p, po, k, kn, v, vn, err, errsz)) < 0)
			break;
		if (po->tee && weir_write_all(1, m, n) < 0) {
			snprintf(err, errsz, "%s", strerror(errno));
			rc = WEIR_FAIL_IO;
			break;
		}
		if (!(++nmsg & 1023) &&
		    weir_kafka_producer_poll(p, 0, err, errsz) < 0) {
			rc = WEIR_FAIL_IO;
			break;
		}
	}
	if (!rc && i < 0)
		rc = i;
	weir_kcat_reader_free(&rd);
	if (fd)
		close(fd);
	return rc < 0 ? fail(p, po, rc, err) : 0;
}

int
weir_kcat_produce(const weir_kafka_opts *o, const weir_kcat_produce_opts *po,
    char *err, size_t errsz)
{
	weir_kafka_producer *p;
	weir_buf fb = { 0 };
	int i, rc;

	if ((rc = weir_kafka_producer_open(&p, o, err, errsz)) < 0)
		return rc;
	for (i = 0; !po->line && i < po->nfiles; i++) {
		if (weir_kcat_read_file(po->files[i], &fb, err, errsz) < 0)
			rc = WEIR_FAIL_IO;
		else if (fb.len)	/* kcat skips empty files */
			rc = send(p, po, NULL, 0, fb.p, fb.len, err, errsz);
		if (rc < 0) {
			rc = fail(p, po, rc, err);
			break;
		}
	}
	if (rc == 0 && (!po->nfiles || po->line))
		rc = produce_split(p, po, err, errsz);
	if (rc == 0 && weir_kafka_producer_flush(p, -1, err, errsz) < 0)
		rc = WEIR_FAIL_IO;
	if (rc == 0)
		weir_kafka_producer_close(p);
	weir_buf_free(&fb);
	return rc;
}
