/* kafka_kcat.c - what kcat -Q and -L -J print, from the cluster: offsets
 * by time and the metadata as JSON (weir-source(1), KCAT). */
#include "kafka.h"

#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <librdkafka/rdkafka.h>

#include "kafka_int.h"

/* kcat -Q: one ListOffsets by time; kcat's text, sorted by topic and
 * partition.  Each spec is TOPIC:PARTITION:TIME. */
static int
tpo_cmp(const void *a, const void *b)
{
	const rd_kafka_topic_partition_t *x = a, *y = b;
	int c = strcmp(x->topic, y->topic);

	return c ? c : (x->partition > y->partition) - (x->partition <
	    y->partition);
}

int
weir_kafka_offsets_for_times(const weir_kafka_opts *o, const char **specs,
    int n, int json, weir_buf *out, char *err, size_t errsz)
{
	rd_kafka_topic_partition_list_t *l;
	rd_kafka_conf_t *conf;
	rd_kafka_resp_err_t e;
	const char *last = "";
	kbase b;
	int i, rc;

	if ((rc = weir__rdk_load(err, errsz)) < 0)
		return rc;
	l = rd_kafka_topic_partition_list_new(n);
	for (i = 0; i < n; i++) {
		const char *s = strchr(specs[i], ':'), *t = s ? strchr(s + 1,
		    ':') : NULL;
		char *end, *topic;
		unsigned long part = 0;
		long long ts = 0;
		if (t) {	/* as kcat reads them */
			part = strtoul(s + 1, &end, 0);
			if (end == s + 1 || end != t || part > INT32_MAX)
				t = NULL;
		}
		if (t) {
			ts = strtoll(t + 1, &end, 0);
			if (end == t + 1 || *end)
				t = NULL;
		}
		if (!t || s == specs[i] || !(topic = strndup(specs[i],
		    (size_t)(s - specs[i])))) {
			weir_seterr(err, errsz, "-Q -t %s: not TOPIC:PARTITION:"
			    "TIME (TIME in ms since the epoch, -1 for the end, "
			    "-2 for the beginning)", specs[i]);
			rd_kafka_topic_partition_list_destroy(l);
			return WEIR_FAIL_USAGE;
		}
		rd_kafka_topic_partition_list_add(l, topic, (int32_t)part)->offset =
		    ts;
		free(topic);
	}
	memset(&b, 0, sizeof(b));
	b.o = *o;
	conf = rd_kafka_conf_new();
	if ((rc = weir__kafka_conf_base(&b, conf, err, errsz)) < 0 ||
	    (rc = weir__kafka_conf_user(conf, o, err, errsz)) < 0)
		rd_kafka_conf_destroy(conf);
	else if ((rc = weir__kafka_base_new(&b, RD_KAFKA_PRODUCER, conf, err,
	    errsz)) == 0) {
		e = rd_kafka_offsets_for_times(b.rk, l, o->timeout_s * 1000);
		if (e) {
			weir_seterr(err, errsz, "-Q: %s", rd_kafka_err2str(e));
			rc = WEIR_FAIL_IO;
		}
		rd_kafka_destroy(b.rk);
	}
	if (rc == 0)
		qsort(l->elems, (size_t)l->cnt, sizeof(*l->elems), tpo_cmp);
	for (i = 0; rc == 0 && i < l->cnt; i++) {
		const rd_kafka_topic_partition_t *p = &l->elems[i];
		if (!json) {
			rc |= weir_buf_printf(out, "%s [%d] offset %lld%s%s\n",
			    p->topic, (int)p->partition, (long long)p->offset,
			    p->err ? ": " : "", p->err ?
			    rd_kafka_err2str(p->err) : "");
			continue;
		}
		if (strcmp(last, p->topic)) {	/* as kcat -J: by topic */
			rc |= weir_buf_printf(out, "%s\"%s\":{\"topic\":\"%s\"",
			    *last ? "}," : "{", p->topic, p->topic);
			last = p->topic;
		}
		rc |= weir_buf_printf(out, ",\"%d\":{\"partition\":%d,"
		    "\"offset\":%lld%s%s%s}", (int)p->partition,
		    (int)p->partition, (long long)p->offset, p->err ?
		    ",\"error\":\"" : "", p->err ? rd_kafka_err2str(p->err) : "",
		    p->err ? "\"" : "");
	}
	if (rc == 0 && json)
		rc = weir_buf_puts(out, *last ? "}}" : "{}");
	if (rc > 0 || rc == -1) {
		weir_seterr(err, errsz, "out of memory");
		rc = WEIR_FAIL_IO;
	}
	rd_kafka_topic_partition_list_destroy(l);
	return rc;
}

/* kcat -L -J: the cluster's metadata as kcat's JSON object (no newline). */
int
weir_kafka_list_json(const weir_kafka_opts *o, weir_buf *out, char *err,
    size_t errsz)
{
	const struct rd_kafka_metadata *md;
	const char *topic = o->ntopics ? o->topics[0] : NULL;
	kbase b;
	int rc, i, j, k, n = 0, w = 0;

	if ((rc = weir__kafka_meta_open(&b, o, &md, err, errsz)) < 0)
		return rc;
	/* topic names are [a-zA-Z0-9._-]: no escapes needed */
	w |= weir_buf_printf(out, "{\"originating_broker\":{\"id\":%d,"
	    "\"name\":\"%s\"},\"query\":{\"topic\":\"%s\"},\"controllerid\":%d,"
	    "\"brokers\":[", (int)md->orig_broker_id, md->orig_broker_name,
	    topic ? topic : "*", (int)rd_kafka_controllerid(b.rk, 0));
	for (i = 0; i < md->broker_cnt; i++)
		w |= weir_buf_printf(out, "%s{\"id\":%d,\"name\":\"%s:%d\"}",
		    i ? "," : "", (int)md->brokers[i].id, md->brokers[i].host,
		    md->brokers[i].port);
	w |= weir_buf_puts(out, "],\"topics\":[");
	for (i = 0; i < md->topic_cnt; i++) {
		const rd_kafka_metadata_topic_t *t = &md->topics[i];
		if (topic && strcmp(t->topic, topic))
			continue;
		w |= weir_buf_printf(out, "%s{\"topic\":\"%s\"", n++ ? "," : "",
		    t->topic);
		if (t->err)
			w |= weir_buf_printf(out, ",\"error\":\"%s\"",
			    rd_kafka_err2str(t->err));
		w |= weir_buf_puts(out, ",\"partitions\":[");
		for (j = 0; j < t->partition_cnt; j++) {
			const rd_kafka_metadata_partition_t *p = &t->partitions[j];
			w |= weir_buf_printf(out, "%s{\"partition\":%d", j ? "," : "",
			    (int)p->id);
			if (p->err)
				w |= weir_buf_printf(out, ",\"error\":\"%s\"",
				    rd_kafka_err2str(p->err));
			w |= weir_buf_printf(out, ",\"leader\":%d,\"replicas\":[",
			    (int)p->leader);
			for (k = 0; k < p->replica_cnt; k++)
				w |= weir_buf_printf(out, "%s{\"id\":%d}", k ? "," :
				    "", (int)p->replicas[k]);
			w |= weir_buf_puts(out, "],\"isrs\":[");
			for (k = 0; k < p->isr_cnt; k++)
				w |= weir_buf_printf(out, "%s{\"id\":%d}", k ? "," :
				    "", (int)p->isrs[k]);
			w |= weir_buf_puts(out, "]}");
		}
		w |= weir_buf_puts(out, "]}");
	}
	w |= weir_buf_puts(out, "]}");
	rd_kafka_metadata_destroy(md);
	rd_kafka_destroy(b.rk);
	if (w) {
		weir_seterr(err, errsz, "out of memory");
		return WEIR_FAIL_NOMEM;
	}
	if (topic && !n) {
		weir_seterr(err, errsz, "topic %s does not exist", topic);
		return WEIR_FAIL_IO;
	}
	return 0;
}
