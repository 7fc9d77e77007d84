/* dlq.c - dead-letter topics for --on-error kafka:TOPIC (see dlq.h). */
#include "dlq.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "record.h"

struct weir_dlq {
	weir_kafka_producer *p;
	weir_kafka_opts o;
	const char *topics[1];
	char brokers[1024];
	char name[300];
	weir_buf hdrs, scratch;
	uint64_t sent;
};

int
weir_dlq_spec(const char *spec, const char *dflt, char *brokers, size_t bsz,
    const char **topic, char *err, size_t errsz)
{
	const char *slash = strrchr(spec, '/');
	size_t n;

	if (slash) {
		n = (size_t)(slash - spec);
		if (!n || n >= bsz) {
			weir_seterr(err, errsz, "--on-error kafka:%s: want "
			    "kafka:TOPIC or kafka:HOST:PORT/TOPIC", spec);
			return WEIR_FAIL_USAGE;
		}
		memcpy(brokers, spec, n);
		brokers[n] = '\0';
		*topic = slash + 1;
	} else if (!dflt) {
		weir_seterr(err, errsz, "--on-error kafka:%s: no brokers (this "
		    "program has no -b): write kafka:HOST:PORT/%s", spec, spec);
		return WEIR_FAIL_USAGE;
	} else {
		snprintf(brokers, bsz, "%s", dflt);
		*topic = spec;
	}
	if (!**topic) {
		weir_seterr(err, errsz, "--on-error kafka:%s: no topic", spec);
		return WEIR_FAIL_USAGE;
	}
	return 0;
}

int
weir_dlq_open(weir_dlq **out, const char *spec, const weir_kafka_opts *ko,
    char *err, size_t errsz)
{
	weir_dlq *d = calloc(1, sizeof(*d));
	const char *topic;
	int rc;

	if (!d) {
		weir_seterr(err, errsz, "out of memory");
		return WEIR_FAIL_NOMEM;
	}
	if (weir_dlq_spec(spec, ko ? ko->brokers : NULL, d->brokers,
	    sizeof(d->brokers), &topic, err, errsz) < 0) {
		free(d);
		return WEIR_FAIL_USAGE;
	}
	if (ko)
		d->o = *ko;
	else
		d->o.timeout_s = 10;
	d->o.brokers = d->brokers;
	d->topics[0] = topic;
	d->o.topics = d->topics;
	d->o.ntopics = 1;
	d->o.partition = -1;
	d->o.group = NULL;
	snprintf(d->name, sizeof(d->name), "kafka:%s", topic);
	if ((rc = weir_kafka_producer_open(&d->p, &d->o, err, errsz)) < 0) {
		free(d);
		return rc;
	}
	*out = d;
	return 0;
}

static int
hdr(weir_dlq *d, uint32_t *n, const char *name, const char *val)
{
	(*n)++;
	return weir_hdr_put(&d->hdrs, (const uint8_t *)name, strlen(name),
	    (const uint8_t *)val, strlen(val));
}

int
weir_dlq_send(weir_dlq *d, const uint8_t *raw, size_t rawlen,
    const char *error, const char *prog, const weir_record *src, char *err,
    size_t errsz)
{
	weir_record r;
	char num[32], topic[256];
	uint32_t n = 0;
	int rc = 0;

	memset(&r, 0, sizeof(r));
	r.partition = -1;
	if (raw) {
		r.enc = WEIR_ENC_BYTES;
		r.value = raw;
		r.value_len = rawlen;
	} else if (src) {
		r.enc = src->enc;
		r.value = src->value;
		r.value_len = src->value_len;
	} else
		r.enc = WEIR_ENC_NULL;
	d->hdrs.len = 0;
	rc |= hdr(d, &n, "weir.error", error);
	rc |= hdr(d, &n, "weir.program", prog);
	if (src && src->topic_len) {
		snprintf(topic, sizeof(topic), "%.*s", (int)src->topic_len,
		    src->topic);
		rc |= hdr(d, &n, "weir.source.topic", topic);
		snprintf(num, sizeof(num), "%d", (int)src->partition);
		rc |= hdr(d, &n, "weir.source.partition", num);
		snprintf(num, sizeof(num), "%lld", (long long)src->offset);
		rc |= hdr(d, &n, "weir.source.offset", num);
	}
	if (rc) {
		weir_seterr(err, errsz, "out of memory");
		return WEIR_FAIL_NOMEM;
	}
	r.flags = WEIR_R_HEADERS;
	r.hdrs = d->hdrs.p;
	r.hdrs_len = d->hdrs.len;
	r.nhdrs = n;
	if (src && (src->flags & WEIR_R_KEY)) {
		r.flags |= WEIR_R_KEY;
		r.key = src->key;
		r.key_len = src->key_len;
	}
	rc = weir_kafka_producer_send(d->p, &r, NULL, 0, err, errsz);
	if (rc == WEIR_FAIL_DATA)	/* too large for the topic, say */
		rc = WEIR_FAIL_IO;
	if (rc == 0)
		d->sent++;
	return rc;
}

int
weir_dlq_flush(weir_dlq *d, int timeout_ms, char *err, size_t errsz)
{
	return weir_kafka_producer_flush(d->p, timeout_ms, err, errsz);
}

uint64_t
weir_dlq_sent(const weir_dlq *d)
{
	return d->sent;
}

const char *
weir_dlq_name(const weir_dlq *d)
{
	return d->name;
}

void
weir_dlq_close(weir_dlq *d)
{
	if (!d)
		return;
	weir_kafka_producer_close(d->p);
	weir_buf_free(&d->hdrs);
	weir_buf_free(&d->scratch);
	free(d);
}
