/* kafka_lag.c - weir-source -L -G GROUP: a consumer group's committed
 * offsets, the partitions' end offsets and the lag between them, as
 * kafka-consumer-groups --describe shows them. */
#include "kafka.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <librdkafka/rdkafka.h>

#include "kafka_int.h"
#include "record.h"

/* Topics to list: the -t / positional ones, else every topic but the
 * internal ones (__consumer_offsets, ...). */
static int
wanted(const weir_kafka_opts *o, const char *topic)
{
	int i;

	if (!o->ntopics)
		return strncmp(topic, "__", 2) != 0;
	for (i = 0; i < o->ntopics; i++)
		if (!strcmp(o->topics[i], topic))
			return 1;
	return 0;
}

static void
row(weir_buf *out, int json, int tw, const char *topic, int32_t part,
    int64_t committed, int64_t end)
{
	int64_t lag = end - committed;

	if (lag < 0)
		lag = 0;
	if (json) {
		weir_buf_puts(out, "{\"topic\":");
		weir_json_str(out, (const uint8_t *)topic, strlen(topic));
		weir_buf_printf(out, ",\"partition\":%d,\"committed\":", (int)part);
		if (committed >= 0)
			weir_buf_printf(out, "%lld,\"end\":%lld,\"lag\":%lld}\n",
			    (long long)committed, (long long)end, (long long)lag);
		else
			weir_buf_printf(out, "null,\"end\":%lld,\"lag\":null}\n",
			    (long long)end);
		return;
	}
	weir_buf_printf(out, "%-*s %9d ", tw, topic, (int)part);
	if (committed >= 0)
		weir_buf_printf(out, "%9lld %9lld %9lld\n", (long long)committed,
		    (long long)end, (long long)lag);
	else
		weir_buf_printf(out, "%9s %9lld %9s\n", "-", (long long)end, "-");
}

int
weir_kafka_group_lag(const weir_kafka_opts *o, int json, weir_buf *out,
    char *err, size_t errsz)
{
	kbase b;
	rd_kafka_conf_t *conf;
	const struct rd_kafka_metadata *md = NULL;
	rd_kafka_topic_partition_list_t *l = NULL;
	const rd_kafka_metadata_topic_t *tp;
	rd_kafka_resp_err_t e;
	char *keep = NULL;
	int rc, i, j, k, tw = 5, tmo;
	int64_t lo, hi;

	if ((rc = weir__rdk_load(err, errsz)) < 0)
		return rc;
	conf = rd_kafka_conf_new();
	memset(&b, 0, sizeof(b));
	b.o = *o;
	if ((rc = weir__kafka_conf_base(&b, conf, err, errsz)) < 0 ||
	    (rc = weir__kafka_conf_set(conf, "group.id", o->group, err,
	    errsz)) < 0 ||
	    (rc = weir__kafka_conf_user(conf, o, err, errsz)) < 0) {
		rd_kafka_conf_destroy(conf);
		return rc;
	}
	if ((rc = weir__kafka_base_new(&b, RD_KAFKA_CONSUMER, conf, err,
	    errsz)) < 0)
		return rc;
	if ((rc = weir__kafka_base_connect(&b, NULL, &md, err, errsz)) < 0)
		goto done;
	tmo = o->timeout_s * 1000;
	for (i = 0; i < o->ntopics; i++)	/* named topics must exist */
		if ((rc = weir__kafka_find_topic(md, o->topics[i], 0, &tp, err,
		    errsz)) < 0)
			goto done;
	l = rd_kafka_topic_partition_list_new(16);
	for (i = 0; i < md->topic_cnt; i++) {
		const rd_kafka_metadata_topic_t *t = &md->topics[i];
		if (t->err || !wanted(o, t->topic))
			continue;
		for (j = 0; j < t->partition_cnt; j++)
			rd_kafka_topic_partition_list_add(l, t->topic,
			    t->partitions[j].id);
	}
	if ((e = rd_kafka_committed(b.rk, l, tmo))) {
		weir_seterr(err, errsz, "group %s: committed offsets: %s",
		    o->group, rd_kafka_err2str(e));
		rc = WEIR_FAIL_IO;
		goto done;
	}
	rd_kafka_topic_partition_list_sort(l, NULL, NULL);
	/* without named topics, only those the group committed in */
	if (!(keep = calloc((size_t)l->cnt + 1, 1))) {
		weir_seterr(err, errsz, "out of memory");
		rc = WEIR_FAIL_IO;
		goto done;
	}
	for (i = 0; i < l->cnt; i = k) {
		int any = 0;
		for (k = i; k < l->cnt && !strcmp(l->elems[k].topic,
		    l->elems[i].topic); k++)
			any |= l->elems[k].offset >= 0;
		for (j = i; j < k; j++)
			if ((keep[j] = any || o->ntopics) &&
			    (int)strlen(l->elems[j].topic) > tw)
				tw = (int)strlen(l->elems[j].topic);
	}
	if (!json)
		weir_buf_printf(out, "%-*s %9s %9s %9s %9s\n", tw, "TOPIC",
		    "PARTITION", "COMMITTED", "END", "LAG");
	for (i = 0; i < l->cnt; i++) {
		rd_kafka_topic_partition_t *p = &l->elems[i];
		if (!keep[i])
			continue;
		if (p->err) {
			weir_seterr(err, errsz, "group %s: %s [%d]: %s",
			    o->group, p->topic, (int)p->partition,
			    rd_kafka_err2str(p->err));
			rc = WEIR_FAIL_IO;
			goto done;
		}
		e = rd_kafka_query_watermark_offsets(b.rk, p->topic,
		    p->partition, &lo, &hi, tmo);
		if (e) {
			weir_seterr(err, errsz, "%s [%d]: end offset: %s",
			    p->topic, (int)p->partition, rd_kafka_err2str(e));
			rc = WEIR_FAIL_IO;
			goto done;
		}
		row(out, json, tw, p->topic, p->partition, p->offset, hi);
	}
	rc = 0;
done:
	free(keep);
	if (l)
		rd_kafka_topic_partition_list_destroy(l);
	if (md)
		rd_kafka_metadata_destroy(md);
	rd_kafka_destroy(b.rk);
	return rc;
}
