/* test_stats.c - the stats datagram's per-partition Kafka lag (plag=),
 * bounded, and what an old parser does with it; the metrics page's
 * build info, watermark lag and partition labels. */
#include <stdint.h>

#include "metrics.h"
#include "stats.h"
#include "unit.h"

int
main(void)
{
	char buf[WEIR_STATS_MSGSZ], name[64], topic[32];
	weir_stats t;
	weir_metric_stage ms;
	weir_buf b = { 0 };
	const char *msg;
	long pid;
	int i;

	weir_stats_lag_begin();
	weir_stats_lag_part("clicks", 0, 5);
	weir_stats_lag_part("clicks", 3, 7);
	weir_stats_lag_part("odd topic", 1, -2);	/* clamped to 0 */
	CHECK(weir_stats_g.lag == 12 && weir_stats_g.nparts == 3);
	weir_stats_format(&weir_stats_g, "src", 7, buf, sizeof(buf));
	CHECK(strstr(buf, " lag=12 plag=0:5:clicks plag=3:7:clicks "
	    "plag=1:0:odd_topic") != NULL);
	CHECK(weir_stats_parse(buf, strlen(buf), &t, name, sizeof(name),
	    &pid) == 0);
	CHECK(t.lag == 12 && t.nparts == 3 && t.part[1].partition == 3 &&
	    t.part[1].lag == 7 && !strcmp(t.part[2].topic, "odd_topic"));
	/* malformed plag fields are skipped, the rest still parses */
	msg = "weir-stats 1 stage=a in=3 plag=x:1:t plag=1:-1:t plag=2:3 "
	    "plag=4:5:ok";
	CHECK(weir_stats_parse(msg, strlen(msg), &t, name, sizeof(name),
	    &pid) == 0);
	CHECK(t.in == 3 && t.nparts == 1 && t.part[0].partition == 4 &&
	    !strcmp(t.part[0].topic, "ok"));
	/* bounded: the total covers every partition, at most MAXPART apart */
	weir_stats_lag_begin();
	for (i = 0; i < 100; i++) {
		snprintf(topic, sizeof(topic), "t%d", i);
		weir_stats_lag_part(topic, i, 1);
	}
	CHECK(weir_stats_g.lag == 100 &&
	    weir_stats_g.nparts == WEIR_STATS_MAXPART);
	CHECK(weir_stats_format(&weir_stats_g, "src", 7, buf, sizeof(buf)) <
	    WEIR_STATS_MSGSZ - 1);
	/* quotes and backslashes never reach a label value */
	msg = "weir-stats 1 stage=a plag=0:1:a\"b\\c lag=1";
	CHECK(weir_stats_parse(msg, strlen(msg), &t, name, sizeof(name),
	    &pid) == 0);
	CHECK(t.nparts == 1 && !strcmp(t.part[0].topic, "a_b_c"));

	memset(&ms, 0, sizeof(ms));
	ms.name = "a";
	ms.up = 1;
	ms.st = t;
	ms.st.wm_in = INT64_MIN;
	ms.st.wm_out = 1000000;
	CHECK(weir_metrics_render(&b, "p", &ms, 1, 0, 0, 1060000) == 0);
	CHECK(weir_buf_putc(&b, 0) == 0);
	CHECK(strstr((char *)b.p, "\nweir_watermark_lag_seconds{pipeline=\"p\","
	    "stage=\"a\"} 60.000\n") != NULL);
	CHECK(strstr((char *)b.p, "\nweir_kafka_lag{pipeline=\"p\",stage=\"a\","
	    "topic=\"a_b_c\",partition=\"0\"} 1\n") != NULL);
	CHECK(strstr((char *)b.p, "\nweir_build_info{version=\"" WEIR_VERSION
	    "\",features=\"") != NULL);
	weir_buf_free(&b);
	UNIT_DONE();
}
