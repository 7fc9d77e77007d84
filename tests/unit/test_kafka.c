/* test_kafka.c - kcat-style offsets, -X property lines, position lists. */
#include <stdio.h>

#include <librdkafka/rdkafka.h>
#include <librdkafka/rdkafka_mock.h>

#include "kafka.h"
#include "kafka_dl.h"	/* librdkafka is loaded, not linked */
#include "record.h"
#include "unit.h"

/* The positions seen, as "topic/partition@offset;" */
static int
collect(void *arg, const char *topic, int32_t partition, int64_t offset)
{
	weir_buf *b = arg;

	if (!strcmp(topic, "stop"))
		return -7;
	return weir_buf_printf(b, "%s/%d@%lld;", topic, (int)partition,
	    (long long)offset);
}

/* 1 if json parses into exactly want ("" for none). */
static int
pos(const char *json, const char *want)
{
	weir_buf b = { 0 };
	char err[WEIR_ERRSZ];
	int ok;

	ok = weir_kafka_positions_each(json, strlen(json), collect, &b, err,
	    sizeof(err)) == 0 && weir_buf_putc(&b, 0) == 0 &&
	    !strcmp((char *)b.p, want);
	if (!ok)
		fprintf(stderr, "positions %s: got %.*s\n", json, (int)b.len,
		    b.p ? (char *)b.p : "");
	weir_buf_free(&b);
	return ok;
}

/* The status for text that is not a position list. */
static int
pos_bad(const char *json)
{
	weir_buf b = { 0 };
	char err[WEIR_ERRSZ] = "";
	int rc;

	rc = weir_kafka_positions_each(json, strlen(json), collect, &b, err,
	    sizeof(err));
	weir_buf_free(&b);
	return rc == WEIR_FAIL_USAGE && err[0] != '\0';
}

static int
off(const char *s, int kind, int64_t val)
{
	int k;
	int64_t v;

	return weir_kafka_offset_parse(s, &k, &v) == 0 && k == kind && v == val;
}

/*
 * Checkpoint positions against librdkafka's mock cluster, in process (as
 * weir-broker runs it): topic t, partitions 0 and 1, offsets 0..9 each.
 */
static const char *bootstrap;
static rd_kafka_t *mock_rk;
static rd_kafka_mock_cluster_t *mock;

static int
mock_start(void)
{
	rd_kafka_conf_t *conf = rd_kafka_conf_new();
	rd_kafka_t *prod;
	char errstr[256], v[16];
	int p, i, ok = 1;

	(void)rd_kafka_conf_set(conf, "log_level", "3", errstr, sizeof(errstr));
	if (!(mock_rk = rd_kafka_new(RD_KAFKA_PRODUCER, conf, errstr,
	    sizeof(errstr))) || !(mock = rd_kafka_mock_cluster_new(mock_rk, 1)) ||
	    rd_kafka_mock_topic_create(mock, "t", 2, 1))
		return 0;
	bootstrap = rd_kafka_mock_cluster_bootstraps(mock);
	conf = rd_kafka_conf_new();
	(void)rd_kafka_conf_set(conf, "bootstrap.servers", bootstrap, errstr,
	    sizeof(errstr));
	if (!(prod = rd_kafka_new(RD_KAFKA_PRODUCER, conf, errstr,
	    sizeof(errstr))))
		return 0;
	for (p = 0; p < 2; p++)
		for (i = 0; i < 10; i++) {
			snprintf(v, sizeof(v), "%d", i);
			ok &= rd_kafka_producev(prod, RD_KAFKA_V_TOPIC("t"),
			    RD_KAFKA_V_PARTITION(p), RD_KAFKA_V_VALUE(v,
			    strlen(v)), RD_KAFKA_V_MSGFLAGS(RD_KAFKA_MSG_F_COPY),
			    RD_KAFKA_V_END) == RD_KAFKA_RESP_ERR_NO_ERROR;
		}
	ok &= rd_kafka_flush(prod, 10000) == RD_KAFKA_RESP_ERR_NO_ERROR;
	rd_kafka_destroy(prod);
	return ok;
}

static void
mock_stop(void)
{
	if (mock)
		rd_kafka_mock_cluster_destroy(mock);
	if (mock_rk)
		rd_kafka_destroy(mock_rk);
}

/* A consumer of t with -e: group (-G) or NULL, -o offset or NULL, one
 * -X property or NULL. */
static weir_kafka_consumer *
consumer(weir_kafka_opts *o, const char *group, const char *offset,
    const char *prop)
{
	static const char *topics[] = { "t", NULL };
	static const char *props[3];
	char err[WEIR_ERRSZ];
	weir_kafka_consumer *c;
	int n = 0;

	memset(o, 0, sizeof(*o));
	o->brokers = bootstrap;
	o->topics = topics;
	o->ntopics = 1;
	o->partition = -1;
	o->offset = offset;
	o->group = group;
	o->exit_eof = 1;
	o->timeout_s = 10;
	props[n++] = "log_level=3";
	if (prop)
		props[n++] = prop;
	if (group) {	/* the mock rebalances after session.timeout.ms */
		props[n++] = "session.timeout.ms=4500";
	}
	o->props = props;
	o->nprops = n;
	if (weir_kafka_consumer_open(&c, o, err, sizeof(err)) < 0) {
		fprintf(stderr, "open: %s\n", err);
		c = NULL;
	}
	return c;
}

/* Read to the end: how many records, and "partition@first..last;" */
static int
drain(weir_kafka_consumer *c, weir_buf *seen)
{
	weir_record r;
	char err[WEIR_ERRSZ];
	int64_t first[2] = { -1, -1 }, last[2] = { -1, -1 };
	int rc, n = 0, i;

	while ((rc = weir_kafka_consumer_next(c, &r, 100, err,
	    sizeof(err))) != WEIR_KAFKA_DONE) {
		if (rc < 0) {
			fprintf(stderr, "next: %s\n", err);
			return -1;
		}
		if (rc != WEIR_KAFKA_RECORD || r.partition > 1)
			continue;
		n++;
		if (first[r.partition] < 0)
			first[r.partition] = r.offset;
		last[r.partition] = r.offset;
	}
	seen->len = 0;
	for (i = 0; i < 2; i++)
		(void)weir_buf_printf(seen, "%d@%lld..%lld;", i,
		    (long long)first[i], (long long)last[i]);
	(void)weir_buf_putc(seen, 0);
	return n;
}

static const char *
positions(weir_kafka_consumer *c, weir_buf *b)
{
	b->len = 0;
	if (weir_kafka_consumer_positions(c, b) < 0 || weir_buf_putc(b, 0) < 0)
		return "(error)";
	return (const char *)b->p;
}

#define J(s) s, strlen(s), err, sizeof(err)

static void
checkpoint_tests(void)
{
	weir_kafka_opts o;
	weir_kafka_consumer *c;
	weir_buf b = { 0 }, seen = { 0 };
	char err[WEIR_ERRSZ];

	CHECK(mock_start());
	if (!mock)
		return;

	/* no group: seek_to before the first record; positions follow
	 * what was given out */
	c = consumer(&o, NULL, NULL, NULL);
	CHECK(c != NULL);
	if (!c)
		return;
	CHECK(weir_kafka_consumer_seek_to(c, J("[[\"t\",0,7]]")) == 0);
	CHECK_STR(positions(c, &b), "[[\"t\",0,7],[\"t\",1,0]]");
	CHECK(drain(c, &seen) == 13);
	CHECK_STR((char *)seen.p, "0@7..9;1@0..9;");
	CHECK_STR(positions(c, &b), "[[\"t\",0,10],[\"t\",1,10]]");
	CHECK(weir_kafka_consumer_seek_to(c, J("[[\"t\",0,1]]")) ==
	    WEIR_FAIL_USAGE);	/* too late */
	CHECK(weir_kafka_consumer_commit_positions(c, J("[]")) ==
	    WEIR_FAIL_USAGE);	/* no group to commit to */
	CHECK(weir_kafka_consumer_close(c, err, sizeof(err)) == 0);

	/* -e with a seek at the end: nothing to read there */
	c = consumer(&o, NULL, NULL, NULL);
	CHECK(weir_kafka_consumer_seek_to(c, J("[[\"t\",1,10]]")) == 0);
	CHECK(drain(c, &seen) == 10);
	CHECK_STR((char *)seen.p, "0@0..9;1@-1..-1;");
	(void)weir_kafka_consumer_close(c, err, sizeof(err));

	/* manual commit, no -G: commit_positions commits what it is given,
	 * and nothing else is committed, not even at close */
	c = consumer(&o, NULL, "stored", "group.id=cg");
	weir_kafka_consumer_set_manual_commit(c, 1);
	CHECK(weir_kafka_consumer_commit_positions(c,
	    J("[[\"t\",0,4],[\"t\",1,6]]")) == 0);
	CHECK(drain(c, &seen) == 10);
	CHECK_STR((char *)seen.p, "0@4..9;1@6..9;");
	CHECK(weir_kafka_consumer_close(c, err, sizeof(err)) == 0);
	c = consumer(&o, NULL, "stored", "group.id=cg");
	CHECK(drain(c, &seen) == 10);	/* still from 4 and 6 */
	CHECK(weir_kafka_consumer_commit_positions(c, J("[[\"t\",0,x]]")) ==
	    WEIR_FAIL_USAGE);
	(void)weir_kafka_consumer_close(c, err, sizeof(err));

	/* -G: a seek applies when the partition is assigned; the others
	 * start at the committed offset (none: the beginning) */
	c = consumer(&o, "g", NULL, NULL);
	weir_kafka_consumer_set_manual_commit(c, 1);
	CHECK(weir_kafka_consumer_seek_to(c, J("[[\"t\",1,8]]")) == 0);
	CHECK(drain(c, &seen) == 12);
	CHECK_STR((char *)seen.p, "0@0..9;1@8..9;");
	CHECK_STR(positions(c, &b), "[[\"t\",1,10],[\"t\",0,10]]");
	/* assigned both: a member commits them */
	CHECK(weir_kafka_consumer_commit_positions(c,
	    J("[[\"t\",0,3],[\"t\",1,9]]")) == 0);
	CHECK(weir_kafka_consumer_close(c, err, sizeof(err)) == 0);
	c = consumer(&o, "g", NULL, NULL);
	CHECK(drain(c, &seen) == 8);
	CHECK_STR((char *)seen.p, "0@3..9;1@9..9;");
	CHECK(weir_kafka_consumer_close(c, err, sizeof(err)) == 0);
	weir_buf_free(&b);
	weir_buf_free(&seen);
}

int
main(void)
{
	char line[64], *n, *v;
	int k;
	int64_t x;

	CHECK(weir__rdk_load(line, sizeof(line)) == 0);
	CHECK(off("beginning", WEIR_KOFF_BEGINNING, 0));
	CHECK(off("end", WEIR_KOFF_END, 0));
	CHECK(off("stored", WEIR_KOFF_STORED, 0));
	CHECK(off("42", WEIR_KOFF_ABS, 42));
	CHECK(off("0", WEIR_KOFF_ABS, 0));
	CHECK(off("-10", WEIR_KOFF_TAIL, 10));
	CHECK(off("s@1700000000000", WEIR_KOFF_START_TS, 1700000000000LL));
	CHECK(off("e@5", WEIR_KOFF_STOP_TS, 5));
	CHECK(weir_kafka_offset_parse("", &k, &x) < 0);
	CHECK(weir_kafka_offset_parse("soon", &k, &x) < 0);
	CHECK(weir_kafka_offset_parse("12x", &k, &x) < 0);
	CHECK(weir_kafka_offset_parse("s@", &k, &x) < 0);
	CHECK(weir_kafka_offset_parse("s@-1", &k, &x) < 0);
	CHECK(weir_kafka_offset_parse("x@1", &k, &x) < 0);
	CHECK(weir_kafka_offset_parse("-", &k, &x) < 0);
	CHECK(weir_kafka_offset_parse("99999999999999999999", &k, &x) < 0);

	strcpy(line, "  sasl.password = s3=cret \r\n");
	CHECK(weir_kafka_prop_split(line, &n, &v) == 1);
	CHECK_STR(n, "sasl.password");
	CHECK_STR(v, "s3=cret");
	strcpy(line, "# comment=1\n");
	CHECK(weir_kafka_prop_split(line, &n, &v) == 0);
	strcpy(line, "   \n");
	CHECK(weir_kafka_prop_split(line, &n, &v) == 0);
	strcpy(line, "novalue\n");
	CHECK(weir_kafka_prop_split(line, &n, &v) < 0);
	strcpy(line, "=x\n");
	CHECK(weir_kafka_prop_split(line, &n, &v) < 0);
	strcpy(line, "empty=\n");
	CHECK(weir_kafka_prop_split(line, &n, &v) == 1);
	CHECK_STR(v, "");

	CHECK(pos("[]", ""));
	CHECK(pos(" [ [\"t\", 0, 12], [\"clicks\",3,0] ] ",
	    "t/0@12;clicks/3@0;"));
	CHECK(pos("[[\"a\\u0062.c\",2147483647,9007199254740993]]",
	    "ab.c/2147483647@9007199254740993;"));
	CHECK(pos_bad(""));
	CHECK(pos_bad("{}"));
	CHECK(pos_bad("[[\"t\",0]]"));
	CHECK(pos_bad("[[\"t\",0,1,2]]"));
	CHECK(pos_bad("[[\"t\",0,-1]]"));
	CHECK(pos_bad("[[\"t\",-1,0]]"));
	CHECK(pos_bad("[[\"t\",2147483648,0]]"));
	CHECK(pos_bad("[[\"t\",0,1.5]]"));
	CHECK(pos_bad("[[\"t\",\"0\",1]]"));
	CHECK(pos_bad("[[\"\",0,1]]"));
	CHECK(pos_bad("[[\"t\\u0000\",0,1]]"));
	CHECK(pos_bad("[[0,0,1]]"));
	CHECK(pos_bad("[[\"t\",0,1],5]"));
	CHECK(pos_bad("[[\"t\",0,1]"));
	/* the callback's error comes back as it is */
	{
		weir_buf b = { 0 };
		char err[WEIR_ERRSZ];
		const char *j = "[[\"t\",0,1],[\"stop\",0,1],[\"u\",0,1]]";
		CHECK(weir_kafka_positions_each(j, strlen(j), collect, &b, err,
		    sizeof(err)) == -7);
		CHECK(b.len == strlen("t/0@1;"));
		weir_buf_free(&b);
	}

	checkpoint_tests();
	mock_stop();
	UNIT_DONE();
}
