/*
 * weir-sink - a weir stream out of the pipeline: to stdout or a file, as
 * NDJSON, CSV, TSV, an aligned table, envelopes, lines, raw bytes or frames,
 * or to a Kafka topic (kcat's options, lib/kafka.c).
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <jansson.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "cli.h"
#include "cliavro.h"
#include "avrorec.h"
#include "dash.h"
#include "dur.h"
#include "eos.h"
#include "input.h"
#include "io.h"
#include "kafka.h"
#include "kafka_sink.h"
#include "kcat_io.h"
#include "kcatfmt.h"
#include "output.h"
#include "bucket.h"
#include "path.h"
#include "record.h"
#include "registry.h"
#include "sinkckpt.h"
#include "snap.h"
#include "stage.h"
#include "textwidth.h"

static const char usage[] =
"usage: weir-sink [options]\n"
"       weir-sink -b BROKERS -t TOPIC [-p N] [-K PATH] [-X PROP=VALUE]\n"
"\n"
"Read a weir stream (or NDJSON) on stdin and write it out as text, or\n"
"produce it to Kafka.\n"
"\n"
"  -b BROKERS            produce to Kafka (host:port,...): idempotent,\n"
"                        acks=all, every delivery checked\n"
"  -t TOPIC              the topic\n"
"  -p PARTITION          this partition (default: by key)\n"
"  -K PATH               message key from a field (default: record key)\n"
"  -X PROP=VALUE|@FILE   librdkafka property, or a file of them\n"
"  -m SECONDS            bound on the first connection (default 10)\n"
"  -s value=avro         encode values as Confluent-framed Avro (kcat's\n"
"                        -s; key=avro for keys, avro for both)\n"
"  -r URL                the Schema Registry (needed by -s)\n"
"      --subject S       the value's subject (default TOPIC-value): its\n"
"                        latest schema, or where --schema registers\n"
"      --schema FILE     the value's Avro schema, registered first\n"
"      --key-schema FILE\n"
"                        the key's schema, registered under TOPIC-key\n"
"                        (default: that subject's latest)\n"
"      --transactional-id ID  exactly once: one Kafka transaction per\n"
"                        checkpoint (needs --state)\n"
"      --progress-topic T  progress records (default TOPIC.weir-progress)\n"
"\n"
"  -f, --format FMT      ndjson, csv, tsv, table, envelope, lines, raw or\n"
"                        framed (default: table on a terminal, else ndjson)\n"
"  -o, --output FILE     write to FILE instead of stdout\n"
"  -a, --append          append to FILE instead of replacing it\n"
"      --path TEMPLATE   one file per time bucket: TEMPLATE expanded by\n"
"                        strftime on each record's event time (UTC), as\n"
"                        'out/dt=%Y-%m-%d/hr=%H.ndjson'\n"
"      --path-time PATH  --path: the time from this field instead\n"
"      --max-open N      --path: files open at once (default 16)\n"
"      --fields A,B,...  columns for csv, tsv and table (default: the\n"
"                        first record's fields; others are named on\n"
"                        stderr with a count)\n"
"      --all-fields      columns: every field of every record (holds\n"
"                        the records in memory to the end)\n"
"      --time-format F   ts, window_start and window_end in csv, tsv and\n"
"                        table as iso8601, ms or s (default: iso8601 in a\n"
"                        table on a terminal, else ms)\n"
"  -i, --input-format F  how to read text input (default ndjson)\n"
"      --on-error MODE   fail (default), skip, a FILE for bad records, or\n"
"                        kafka:TOPIC (a dead-letter topic)\n"
"      --state DIR       checkpoints: commit each checkpoint once its output\n"
"                        is durable; on restart, truncate -o FILE to the\n"
"                        last committed checkpoint\n"
"      --name NAME       this sink's name in DIR (default sink)\n"
"      --reset-state     ignore the saved state and start over\n"
"\n"
"  -f dashboard          a live page instead: GET / and Server-Sent\n"
"                        Events at /events (see DASHBOARD in the manual)\n"
"      --listen [HOST:]PORT  where (default 127.0.0.1:8080)\n"
"      --listen-public   allows a non-loopback HOST\n"
"      --chart FIELD     the chart's field (default: the first number)\n"
"      --key PATH        group rows by this field (default: record key)\n"
"      --windows N       windows kept and charted (default 10)\n"
"      --buffer N        events held for clients (default 16384)\n"
"  -h, --help            this help\n"
"      --version         print the version\n"
"\n"
"kcat's producer flags (weir-sink(1), KCAT): -P reads messages split by\n"
"-D DELIM (default newline), or FILEs (one message each, or lines with\n"
"-l); -K DELIM splits off a key (a -K PATH starts with .), -k KEY, -H\n"
"NAME=VALUE, -Z, -z CODEC, -T, -c N, -F FILE, -d DEBUG, -q, -u, -E.\n"
"-f '%k %s\\n' writes records in a kcat format string.\n"
"\n"
"Exit status: 0 ok, 1 bad input data, 2 usage, 3 I/O or Kafka failure\n"
"(a message not delivered), or upstream ended without END.\n"
"See weir-sink(1).\n";

enum { O_FIELDS = 256, O_ONERR, O_VERSION, O_ALL_FIELDS, O_SUBJECT,
	O_SCHEMA, O_KEY_SCHEMA, O_LISTEN, O_LISTEN_PUBLIC, O_CHART, O_KEY,
	O_WINDOWS, O_BUFFER, O_TIMEFMT, O_TXID, O_PROGRESS, O_BUCKET, O_BUCKET_TIME,
	O_BUCKET_MAX };

static const struct option longopts[] = {
	{ "format", required_argument, NULL, 'f' },
	{ "output", required_argument, NULL, 'o' },
	{ "append", no_argument, NULL, 'a' },
	{ "fields", required_argument, NULL, O_FIELDS },
	{ "all-fields", no_argument, NULL, O_ALL_FIELDS },
	{ "time-format", required_argument, NULL, O_TIMEFMT },
	{ "input-format", required_argument, NULL, 'i' },
	{ "on-error", required_argument, NULL, O_ONERR },
	{ "help", no_argument, NULL, 'h' },
	{ "version", no_argument, NULL, O_VERSION },
	{ "subject", required_argument, NULL, O_SUBJECT },
	{ "schema", required_argument, NULL, O_SCHEMA },
	{ "key-schema", required_argument, NULL, O_KEY_SCHEMA },
	{ "listen", required_argument, NULL, O_LISTEN },
	{ "listen-public", no_argument, NULL, O_LISTEN_PUBLIC },
	{ "chart", required_argument, NULL, O_CHART },
	{ "key", required_argument, NULL, O_KEY },
	{ "windows", required_argument, NULL, O_WINDOWS },
	{ "buffer", required_argument, NULL, O_BUFFER },
	{ "transactional-id", required_argument, NULL, O_TXID },
	{ "progress-topic", required_argument, NULL, O_PROGRESS },
	{ "path", required_argument, NULL, O_BUCKET },
	{ "path-time", required_argument, NULL, O_BUCKET_TIME },
	{ "max-open", required_argument, NULL, O_BUCKET_MAX },
	WEIR_CKPT_LONGOPTS,
	{ NULL, 0, NULL, 0 }
};

/* Checkpoints (weir(7), CHECKPOINTS): the sink decides what is committed
 * (lib/stream/sinkckpt.c). */
static weir_sink_ckpt K;
static weir_ckpt_opts KO;

/* Open the state; returns the committed output length of -o FILE to keep
 * (0: start the file afresh). */
static uint64_t
ckpt_open(int argc, char **argv)
{
	char err[WEIR_ERRSZ];
	uint64_t keep;
	int rc;

	if (!KO.dir)
		return 0;
	rc = weir_sink_ckpt_open(&K, KO.dir, weir_cli_ckpt_name(&KO),
	    weir_prog, weir_ckpt_fingerprint(argc, argv), KO.reset, &keep, err,
	    sizeof(err));
	if (rc < 0)
		weir_die_snap(rc, err);
	return keep;
}

/* Checkpoint id is complete here (weir_sink_ckpt_commit); final: the
 * stream's END, after the last barrier. */
static void
ckpt_commit(uint64_t id, const uint8_t *payload, size_t n, int final,
    uint64_t out_len)
{
	char err[WEIR_ERRSZ];
	int rc;

	rc = weir_sink_ckpt_commit(&K, id, payload, n, final, out_len, err,
	    sizeof(err));
	if (rc < 0)
		weir_die_snap(rc, err);
}

/* kcat's producer flags (weir-sink(1), KCAT) */
static struct {
	int on;			/* -P: delimited messages or files, not a stream */
	int line, null_empty, tee;
	long long count;	/* -c: stop after this many messages */
	const char *delim, *kdelim, *key, *fmt;
	weir_buf delimb, kdelimb;
	weir_kcat_hdrs h;	/* -H */
} KP;

static void
kafka_warn(const char *msg)
{
	weir_warn("kafka: %s", msg);
}

static void
warn_msg(const char *msg)
{
	weir_warn("%s", msg);
}

/* -s value=avro, -s key=avro: Confluent-framed Avro, schemas in -r URL. */
static struct {
	weir_cli_avro o;
	const char *subject, *schema, *key_schema;
	weir_avro_enc e;
} A;

/* The schema of subject (weir-sink(1), AVRO); dies on an error. */
static weir_avro_schema *
avro_schema(const char *subject, const char *file, uint32_t *id)
{
	char err[WEIR_ERRSZ];
	weir_avro_schema *sc;
	int rc;

	if ((rc = weir_avro_subject_schema(A.o.reg, subject, file, &sc, id, err,
	    sizeof(err))) < 0)
		weir_die(weir_fail_status(rc), "%s", err);
	return sc;
}

/*
 * Exactly once to Kafka (weir(7), EXACTLY-ONCE; lib/kafka/eos.c): one
 * transaction per checkpoint, --transactional-id and --progress-topic.
 */
static struct {
	const char *txid, *topic;
} E;

/*
 * Produce stdin to Kafka (lib/kafka/kafka_sink.c).  Input is read without
 * blocking so delivery reports are served while it is quiet.  END (or EOF)
 * and the first SIGTERM, which lets upstream drain to END, flush what is
 * in flight.
 */
/* The producer of a failing run: what is in flight gets time to land. */
static void
kafka_on_fail(void *arg)
{
	char err[WEIR_ERRSZ];

	if (weir_kafka_producer_flush(arg, 10000, err, sizeof(err)) < 0)
		weir_warn("%s", err);
}

static void
kafka_check(int rc, const char *err)
{
	if (rc < 0)
		weir_die(weir_fail_status(rc), "%s", err);
}

static int
kafka_loop(weir_stage *st, const weir_kafka_opts *ko, const weir_path *kp)
{
	weir_eos_at at = { K.c.sdir, KO.dir, K.cm.id, K.cm.positions.p,
	    K.cm.positions.len, K.c.commit.out_len, KO.reset };
	weir_kafka_sink_opts so = { kp, KP.key, &KP.h, &A.e, E.txid, E.topic,
	    &at, warn_msg };
	weir_kafka_sink *ks;
	weir_onerr *oe = &st->onerr;
	weir_event ev;
	char err[WEIR_ERRSZ], msg[WEIR_ERRSZ * 2];
	uint64_t eos_crash_at = 0, out_len;	/* $WEIR_EOS_CRASH (tests) */
	int rc, refused;

	if (E.txid && getenv("WEIR_EOS_CRASH"))
		eos_crash_at = strtoull(getenv("WEIR_EOS_CRASH"), NULL, 10);
	kafka_check(weir_kafka_sink_open(&ks, ko, &so, err, sizeof(err)), err);
	st->on_fail = kafka_on_fail;
	st->on_fail_arg = weir_kafka_sink_producer(ks);
	while ((rc = weir_stage_next_until(st, &ev, weir_mono_ms() + 100))) {
		if (rc < 0) {	/* input is quiet: delivery reports */
			kafka_check(weir_kafka_sink_poll(ks, err, sizeof(err)),
			    err);
			continue;
		}
		if (ev.type == WEIR_EV_BARRIER) {
			if (!K.on)
				continue;
			/* delivered (and spooled), COMMITTED, then with
			 * --transactional-id the Kafka commit */
			kafka_check(weir_kafka_sink_prepare(ks, ev.payload,
			    ev.payload_len, &out_len, err, sizeof(err)), err);
			ckpt_commit(ev.barrier, ev.payload, ev.payload_len, 0,
			    out_len);
			/* tests: die in the window between the two commits */
			if (eos_crash_at == ev.barrier)
				raise(SIGKILL);
			kafka_check(weir_kafka_sink_commit(ks, ev.barrier,
			    ev.payload, ev.payload_len, err, sizeof(err)), err);
			continue;
		}
		if (ev.type != WEIR_EV_RECORD)
			continue;
		rc = weir_kafka_sink_send(ks, &ev.rec, &refused, err,
		    sizeof(err));
		if (rc < 0 && !refused)
			kafka_check(rc, err);
		if (refused == WEIR_KAFKA_SINK_KAFKA)
			weir_onerr_bad_record(oe, err, &ev.rec);
		else if (refused) {
			snprintf(msg, sizeof(msg), "%s: record %llu: %s",
			    weir_input_name(st->in),
			    (unsigned long long)st->in_records, err);
			weir_onerr_bad_record(oe, msg, &ev.rec);
		}
	}
	kafka_check(weir_kafka_sink_end(ks, err, sizeof(err)), err);
	if (K.on)
		ckpt_commit(0, NULL, 0, 1, 0);
	st->on_fail = NULL;
	weir_kafka_sink_close(ks);
	weir_stage_end(st);
	return 0;
}

/* -f with %: what is formatted and not written yet (lib/kafka/kcat_io.c) */
static weir_kcat_out KW;
static const char *kw_file;

/* A write error; a reader gone away ends quietly. */
static _Noreturn void
kcat_die(void)
{
	if (errno == EPIPE)
		exit(0);
	weir_die(WEIR_EXIT_IO, "%s: %s", kw_file ? kw_file : "write",
	    strerror(errno));
}

/* Write it out (also before waiting for input). */
static void
kcat_out(void *arg)
{
	(void)arg;
	if (weir_kcat_out_flush(&KW) < 0)
		kcat_die();
}

/* -f with %: each record in kcat's format string to fd. */
static int
kcat_write(weir_stage *st, int fd, weir_ofile *of, const char *file)
{
	weir_kcatfmt f;
	weir_buf d = { 0 };
	weir_event ev;
	char err[WEIR_ERRSZ];
	int rc;

	KW.fd = fd;
	KW.f = &f;
	kw_file = file;
	weir_input_set_idle(st->in, kcat_out, NULL);
	st->on_fail = kcat_out;
	if ((rc = weir_kcat_delim("\\n", &d, err, sizeof(err))) < 0 ||
	    (rc = weir_kcatfmt_parse(&f, KP.fmt, (const char *)d.p, NULL, 0,
	    err, sizeof(err))) < 0)
		weir_die_fail(rc, err);
	f.null_str = KP.null_empty;
	while (weir_stage_next(st, &ev)) {
		if (ev.type != WEIR_EV_RECORD)
			continue;
		rc = weir_kcat_out_put(&KW, &ev.rec, NULL);
		if (rc == WEIR_FAIL_DATA)
			weir_onerr_bad(&st->onerr, "corrupt record value", NULL, 0);
		else if (rc == WEIR_FAIL_NOMEM)
			weir_die_kind(rc, "out of memory");
		else if (rc < 0)
			kcat_die();
	}
	kcat_out(NULL);
	if (file && weir_ofile_commit(of, err, sizeof(err)) < 0)
		weir_die(WEIR_EXIT_IO, "%s", err);
	weir_stage_end(st);
	weir_kcatfmt_free(&f);
	weir_kcat_out_free(&KW);
	weir_buf_free(&d);
	return 0;
}

/* -P: a message Kafka refused goes to --on-error. */
static void
kcat_bad(void *arg, const char *msg, const uint8_t *value, size_t len)
{
	weir_onerr_bad(arg, msg, value, len);
}

/* -P: kcat's producer input (lib/kafka/kcat_io.c). */
static int
kcat_produce(const weir_kafka_opts *ko, char **files, int nfiles,
    weir_onerr *oe)
{
	weir_kcat_produce_opts po = { files, nfiles, KP.line, KP.null_empty,
	    KP.tee, KP.count, (const char *)KP.delimb.p, KP.kdelim ?
	    (const char *)KP.kdelimb.p : NULL, KP.key, &KP.h, kcat_bad, oe,
	    warn_msg };
	char err[WEIR_ERRSZ];
	int rc;

	if ((rc = weir_kcat_produce(ko, &po, err, sizeof(err))) < 0)
		weir_die(weir_fail_status(rc), "%s", err);
	weir_onerr_report(oe);
	return 0;
}

/* --path: one file per time bucket (lib/stream/bucket.c). */
static struct {
	weir_bucket_spec sp;
	weir_path time;
} B;

static int
bucket_loop(weir_stage *st)
{
	weir_bucket *b;
	weir_event ev;
	char err[WEIR_ERRSZ], msg[WEIR_ERRSZ + 64];
	weir_buf state = { 0 };
	int rc;

	if (!B.sp.max_open)
		B.sp.max_open = 16;
	if ((rc = weir_bucket_open(&b, &B.sp, err, sizeof(err))) < 0) {
		if (rc == WEIR_FAIL_USAGE)
			weir_usage_error("%s", err);
		weir_die_fail(rc, err);
	}
	if (K.on && (rc = weir_ckpt_restore(&K.c, &state, err,
	    sizeof(err))) != 0) {
		if (rc < 0)
			weir_die_snap(rc, err);
		if ((rc = weir_bucket_restore(b, state.p, state.len, err,
		    sizeof(err))) < 0)
			weir_die_fail(rc, err);
	}
	while (weir_stage_next(st, &ev)) {
		if (ev.type == WEIR_EV_BARRIER && K.on) {
			/* the files durable, their lengths saved: committed */
			state.len = 0;
			if ((rc = weir_bucket_sync(b, &state, err,
			    sizeof(err))) < 0)
				weir_die_fail(rc, err);
			if ((rc = weir_ckpt_save(&K.c, ev.barrier, state.p,
			    state.len, err, sizeof(err))) < 0)
				weir_die_snap(rc, err);
			ckpt_commit(ev.barrier, ev.payload, ev.payload_len, 0, 0);
		}
		if (ev.type != WEIR_EV_RECORD)
			continue;
		rc = weir_bucket_write(b, &ev.rec, err, sizeof(err));
		if (rc == WEIR_FAIL_DATA) {
			snprintf(msg, sizeof(msg), "%s: record %llu: %s",
			    weir_input_name(st->in),
			    (unsigned long long)st->in_records, err);
			weir_onerr_bad_record(&st->onerr, msg, &ev.rec);
		} else if (rc < 0)
			weir_die_fail(rc, err);
	}
	weir_stage_end(st);
	if ((rc = weir_bucket_close(b, err, sizeof(err))) < 0)
		weir_die_fail(rc, err);
	if (K.on)
		ckpt_commit(0, NULL, 0, 1, 0);
	weir_bucket_free(b);
	weir_buf_free(&state);
	weir_input_close(st->in);
	return 0;
}

/*
 * -f dashboard: rows and watermarks to the page's clients (lib/dash.c).
 * After END the page stays up, every row final, until SIGTERM or SIGINT.
 */
static int
dash_loop(weir_stage *st, const weir_dash_opts *dopts)
{
	weir_dash *d;
	weir_event ev;
	char err[WEIR_ERRSZ];
	uint64_t n;
	int rc;

	if ((rc = weir_dash_open(&d, dopts, err, sizeof(err))) < 0)
		weir_die(weir_fail_status(rc), "%s", err);
	fprintf(stderr, "%s: dashboard on port %d: / and /events\n",
	    weir_prog, weir_dash_port(d));
	weir_input_set_idle(st->in, weir_dash_idle, d);
	while (weir_stage_next(st, &ev)) {
		if (ev.type == WEIR_EV_RECORD) {
			if ((rc = weir_dash_record(d, &ev.rec)) < 0)
				weir_die_kind(rc, "");
		} else if (ev.type == WEIR_EV_WATERMARK)
			weir_dash_watermark(d, ev.wm);
	}
	weir_dash_end(d);
	weir_stage_end(st);
	while (!weir_sig_stop())
		(void)poll(NULL, 0, 100);
	n = weir_dash_dropped(d);
	weir_dash_close(d);
	if (n)
		weir_warn("dashboard: %llu slow client%s dropped",
		    (unsigned long long)n, n == 1 ? "" : "s");
	return 0;
}

int
main(int argc, char **argv)
{
	int c, fmt = WEIR_FMT_AUTO, infmt = WEIR_FMT_AUTO, append = 0, fd = 1;
	const char *file = NULL, *fields = NULL, *onerr = "fail";
	static weir_stage st;	/* static: reachable when a Kafka error exits */
	static weir_output *out;
	weir_onerr oe;
	weir_event ev;
	static weir_kafka_opts ko;	/* static: alive until exit */
	static weir_path kp;
	static weir_ofile of;	/* static: its new file is removed at exit */
	int have_kp = 0, all_fields = 0, dash = 0, timefmt = -1;
	static weir_dash_opts dopts;
	const char *dash_listen;
	char err[WEIR_ERRSZ];
	uint64_t keep = 0;
	int quiet = 0, keep_going = 0, onerr_set = 0;

	weir_cli_init(argv[0]);
	weir_dash_opts_init(&dopts);
	dash_listen = dopts.listen;
	if (weir_kafka_opts_init(&ko, argc) < 0)
		weir_die(WEIR_EXIT_IO, "out of memory");
	ko.warn = kafka_warn;
	while ((c = getopt_long(argc, argv, "f:o:ai:hb:t:p:K:X:m:"
	    "PCJk:H:ZD:lTF:d:z:quEGLQeVvMUs:r:Oc:", longopts, NULL)) != -1) {
		switch (c) {
		case 'f':
			if ((dash = !strcmp(optarg, "dashboard")))
				break;
			if (strchr(optarg, '%')) {	/* kcat's format string */
				KP.fmt = optarg;
				fmt = WEIR_FMT_LINES;
			} else
				fmt = weir_cli_outfmt(optarg);
			break;
		case O_LISTEN:
			dopts.listen = optarg;
			break;
		case O_LISTEN_PUBLIC:
			dopts.public = 1;
			break;
		case O_CHART:
			dopts.chart = optarg;
			break;
		case O_KEY:
			dopts.key = optarg;
			break;
		case O_WINDOWS:
			dopts.windows = (int)weir_cli_int("--windows", optarg, 1,
			    100000);
			break;
		case O_BUFFER:
			dopts.buffer = (size_t)weir_cli_int("--buffer", optarg, 16,
			    1 << 24);
			break;
		case 'o':
			file = optarg;
			break;
		case 'a':
			append = 1;
			break;
		case O_FIELDS:
			fields = optarg;
			{
				size_t n;
				free(weir_cli_path_list("--fields", optarg,
				    &n));
			}
			break;
		case O_ALL_FIELDS:
			all_fields = 1;
			break;
		case O_TIMEFMT:
			timefmt = weir_timefmt_parse(optarg);
			if (timefmt == WEIR_TIME_US || !strcmp(optarg, "iso"))
				timefmt = -1;
			if (timefmt < 0)
				weir_usage_error("--time-format: '%s': iso8601, ms "
				    "or s", optarg);
			break;
		case 'i':
			infmt = weir_cli_infmt(optarg);
			break;
		case O_ONERR:
			onerr = optarg;
			onerr_set = 1;
			break;
		case 'b':
		case 't':
		case 'p':
		case 'X':
		case 'm':
			if (c == 'p' && !strcmp(optarg, "-1"))
				break;	/* kcat: the partitioner, the default */
			if (weir_kafka_opt(&ko, c, optarg, err, sizeof(err)) < 0)
				weir_usage_error("%s", err);
			break;
		case 'K':
			if (optarg[0] != '.') {	/* kcat's key delimiter */
				KP.kdelim = optarg;
				break;
			}
			weir_cli_path(&kp, "-K", optarg);
			have_kp = 1;
			break;
		case 's':
		case 'r':
			(void)weir_cli_avro_opt(&A.o, c, optarg);
			break;
		case O_SUBJECT:
			A.subject = optarg;
			break;
		case O_SCHEMA:
			A.schema = optarg;
			break;
		case O_KEY_SCHEMA:
			A.key_schema = optarg;
			break;
		case O_TXID:
			E.txid = ko.txid = optarg;
			break;
		case O_PROGRESS:
			E.topic = optarg;
			break;
		case O_BUCKET:
			B.sp.tmpl = optarg;
			break;
		case O_BUCKET_TIME:
			weir_cli_path(&B.time, "--path-time", optarg);
			B.sp.time = &B.time;
			break;
		case O_BUCKET_MAX: {
			char *end;
			long n = strtol(optarg, &end, 10);
			if (*end || end == optarg || n < 1 || n > 4096)
				weir_usage_error("--max-open takes a count "
				    "1..4096, not '%s'", optarg);
			B.sp.max_open = (unsigned)n;
			break;
		}
		case 'h':
			weir_cli_help(usage);
		case O_VERSION:
		case 'V':
			weir_version();
		/* kcat's producer flags (weir-sink(1), KCAT) */
		case 'P':
			KP.on = 1;
			break;
		case 'k':
			KP.key = optarg;
			break;
		case 'H': {
			int rc = weir_kcat_hdrs_add(&KP.h, optarg, err,
			    sizeof(err));
			if (rc < 0)
				weir_die_fail(rc, err);
			break;
		}
		case 'Z':
			KP.null_empty = 1;
			break;
		case 'D':
			KP.delim = optarg;
			break;
		case 'l':
			KP.line = 1;
			break;
		case 'T':
			KP.tee = 1;
			break;
		case 'c':
			KP.count = weir_cli_int("-c", optarg, 1, INT64_MAX);
			break;
		case 'F':
		case 'd':
		case 'z':
			if (weir_kcat_prop(&ko, c, optarg) < 0)
				weir_die(WEIR_EXIT_IO, "out of memory");
			break;
		case 'q':
			quiet = 1;
			break;
		case 'u':
			break;	/* every message goes out as it is read */
		case 'E':
			keep_going = 1;
			break;
		case 'C':
		case 'G':
		case 'e':
		case 'J':
		case 'Q':
		case 'L':
		case 'O':
		case 'v':
		case 'M':
		case 'U':
			weir_kcat_refusal(c, 1, err, sizeof(err));
			weir_usage_error("%s", err);
		default:
			if (!weir_cli_ckpt_opt(&KO, c, optarg))
				weir_cli_bad_option();
		}
	}
	if (KP.delim || KP.kdelim || KP.line || KP.null_empty || KP.tee ||
	    KP.count || optind < argc)
		KP.on = KP.on || ko.brokers;	/* kcat's producer input */
	if (quiet)
		ko.warn = NULL;	/* -q: no librdkafka diagnostics */
	if (keep_going && !onerr_set)	/* -E: go on after bad messages */
		onerr = "skip";
	if (!ko.brokers && (KP.on || KP.key || KP.h.n || KP.delim ||
	    KP.kdelim || KP.line || KP.tee || KP.count || (KP.null_empty &&
	    !KP.fmt)))
		weir_usage_error("-P, -k, -H, -D, -K DELIM, -Z, -l, -T and -c "
		    "produce to Kafka: give -b BROKERS -t TOPIC (-Z also goes "
		    "with -f '%%s')");
	if (KP.on) {
		int rc;

		if (have_kp)
			weir_usage_error("-K PATH takes the key from a record's "
			    "field; kcat's input (-P) has no fields: -K DELIM");
		if (KO.dir)
			weir_usage_error("--state goes with a weir stream, not "
			    "kcat's input (-P)");
		if (KP.line && argc - optind > 1)
			weir_usage_error("-l reads one file");
		if ((rc = weir_kcat_delim(KP.delim ? KP.delim : "\\n",
		    &KP.delimb, err, sizeof(err))) < 0 || (KP.kdelim && (rc =
		    weir_kcat_delim(KP.kdelim, &KP.kdelimb, err,
		    sizeof(err))) < 0)) {
			if (rc == WEIR_FAIL_USAGE)
				weir_usage_error("-D/-K: %s", err);
			weir_die_kind(rc, err);
		}
		if (KP.delimb.len <= 1)
			weir_usage_error("-D: the message delimiter must not be "
			    "empty");
	}
	if (KP.on && ko.brokers && ko.ntopics == 1 && !file && !fields &&
	    fmt == WEIR_FMT_AUTO) {
		weir_onerr_parse(&oe, onerr);
		weir_sig_install();
		return kcat_produce(&ko, argv + optind, argc - optind, &oe);
	}
	if (optind < argc)
		weir_usage_error("unexpected argument '%s' (weir-sink reads stdin; "
		    "kcat's -P FILE... needs -b BROKERS -t TOPIC)", argv[optind]);
	if (!ko.brokers && (ko.ntopics || ko.partition >= 0 || have_kp ||
	    ko.nprops))
		weir_usage_error("-t, -p, -K and -X go with -b BROKERS");
	if (!dash && (dopts.listen != dash_listen || dopts.public ||
	    dopts.chart || dopts.key || dopts.windows != WEIR_DASH_WINDOWS ||
	    dopts.buffer != WEIR_DASH_BUFFER))
		weir_usage_error("--listen, --listen-public, --chart, --key, "
		    "--windows and --buffer go with -f dashboard");
	if (dash && (ko.brokers || file || fields || all_fields || KO.dir))
		weir_usage_error("-f dashboard serves a page: no -b, -o, --fields "
		    "or --state with it");
	if (all_fields && fields)
		weir_usage_error("--all-fields or --fields, not both");
	if (ko.brokers && (file || fmt != WEIR_FMT_AUTO || fields || all_fields))
		weir_usage_error("-b produces to Kafka: no -o, -f or --fields "
		    "with it");
	if (ko.brokers && ko.ntopics != 1)
		weir_usage_error("-b wants one topic: -t TOPIC");
	if ((A.o.key || A.o.value || A.o.url || A.subject || A.schema ||
	    A.key_schema) && !ko.brokers)
		weir_usage_error("-s, -r, --subject and --schema encode Kafka "
		    "messages: they go with -b BROKERS");
	weir_cli_avro_check(&A.o);
	A.e.key = A.o.key;
	A.e.value = A.o.value;
	if ((A.subject || A.schema) && !A.o.value)
		weir_usage_error("--subject and --schema go with -s value=avro");
	if (A.key_schema && !A.o.key)
		weir_usage_error("--key-schema goes with -s key=avro");
	if (A.o.url) {	/* the schemas, registered before the first message */
		char subj[1024];
		if (A.o.value) {
			snprintf(subj, sizeof(subj), "%s-value", ko.topics[0]);
			A.e.vs = avro_schema(A.subject ? A.subject : subj,
			    A.schema, &A.e.vid);
		}
		if (A.o.key) {
			snprintf(subj, sizeof(subj), "%s-key", ko.topics[0]);
			A.e.ks = avro_schema(subj, A.key_schema, &A.e.kid);
		}
	}
	if ((E.txid || E.topic) && (!ko.brokers || !KO.dir))
		weir_usage_error("--transactional-id goes with -b and --state "
		    "(a transaction per checkpoint)");
	if (E.topic && !E.txid)
		weir_usage_error("--progress-topic goes with --transactional-id");
	if (KO.dir && append)
		weir_usage_error("--state and -a: a checkpointed file is "
		    "truncated to its last checkpoint, never appended to");
	if (B.sp.tmpl) {
		if (file || ko.brokers || dash || KP.fmt ||
		    fmt == WEIR_FMT_TABLE || all_fields)
			weir_usage_error("--path writes files of its own: no -o, "
			    "-b, --all-fields, -f table, dashboard or "
			    "a kcat format with it");
		if (KO.dir && (fmt == WEIR_FMT_CSV ||
		    fmt == WEIR_FMT_TSV) && !fields)
			weir_usage_error("--state with -f %s needs --fields, so "
			    "a restart writes the same columns",
			    weir_fmt_name(fmt));
		B.sp.fmt = fmt == WEIR_FMT_AUTO ? WEIR_FMT_NDJSON : fmt;
		B.sp.fields = fields;
		B.sp.timefmt = timefmt;
		B.sp.append = append;
		B.sp.sync = KO.dir != NULL;
		(void)ckpt_open(argc, argv);
		weir_stage_open_files(&st, 0, NULL, infmt, -1, onerr);
		st.barriers = 1;	/* the sink commits at them */
		if (K.on)
			weir_input_require_frames(st.in);
		weir_input_keep_json(st.in, B.sp.fmt == WEIR_FMT_NDJSON);
		return bucket_loop(&st);
	}
	if ((B.sp.time || B.sp.max_open) && !B.sp.tmpl)
		weir_usage_error("--path-time and --max-open go with --path");
	keep = ckpt_open(argc, argv);
	if (!file)
		keep = 0;	/* stdout: nothing to truncate */
	if (file && K.on) {
		/* checkpoints: written in place; what follows the last
		 * commit never was */
		fd = open(file, O_WRONLY | O_CREAT | O_CLOEXEC, 0666);
		if (fd < 0 || ftruncate(fd, (off_t)keep) < 0 ||
		    lseek(fd, 0, SEEK_END) < 0)
			weir_die(WEIR_EXIT_IO, "%s: %s", file, strerror(errno));
		K.file = file;
		K.fd = fd;
	} else if (file) {	/* replaced only when the run succeeds */
		if (weir_ofile_open(&of, file, append ? WEIR_OFILE_APPEND : 0,
		    err, sizeof(err)) < 0)
			weir_die(WEIR_EXIT_IO, "%s", err);
		fd = of.fd;
	}
	if (fmt == WEIR_FMT_AUTO)
		fmt = isatty(fd) ? WEIR_FMT_TABLE : WEIR_FMT_NDJSON;
	if (K.on && fmt == WEIR_FMT_TABLE)
		weir_usage_error("--state: a table is written whole at the end; "
		    "checkpoint to ndjson, csv, tsv or another format");
	if (K.on && (fmt == WEIR_FMT_CSV || fmt == WEIR_FMT_TSV) && !fields)
		weir_usage_error("--state with -f %s needs --fields, so a restart "
		    "writes the same columns", weir_fmt_name(fmt));
	if (ko.brokers)	/* --on-error kafka:TOPIC: the same cluster */
		weir_onerr_kafka_opts(&ko);
	/* stdin in; what is written is the sink's own (no stage output) */
	weir_stage_open_files(&st, 0, NULL, infmt, -1, onerr);
	st.barriers = 1;	/* the sink commits at them */
	if (K.on)	/* upstream is a weir stage: it speaks frames */
		weir_input_require_frames(st.in);
	/* NDJSON in, JSON bytes out: each line goes on as it was written */
	weir_input_keep_json(st.in, ko.brokers || fmt == WEIR_FMT_NDJSON ||
	    KP.fmt || dash);
	if (dash)
		return dash_loop(&st, &dopts);
	if (ko.brokers)
		return kafka_loop(&st, &ko, have_kp ? &kp : NULL);
	if (KP.fmt) {
		if (fields || all_fields || K.on)
			weir_usage_error("-f with %% is kcat's format string: no "
			    "--fields or --state with it");
		return kcat_write(&st, fd, &of, file);
	}
	if ((c = weir_output_open_fields(&out, fd, fmt, fields, err,
	    sizeof(err))) < 0)
		weir_die_failf(c, "--fields: %s", err);
	if (keep > 0 && fmt != WEIR_FMT_FRAMED)
		weir_output_resume(out);	/* the header is there */
	if (fmt == WEIR_FMT_TABLE && isatty(fd)) {	/* for a person */
		weir_output_set_width(out, (size_t)weir_term_width(fd));
		if (timefmt < 0)
			timefmt = WEIR_TIME_ISO8601;
	}
	if (timefmt >= 0)
		weir_output_set_time_format(out, timefmt);
	if (all_fields && weir_output_all_fields(out) < 0)
		weir_usage_error("--all-fields goes with -f csv, tsv or table");
	weir_stage_set_output(&st, out);
	while (weir_stage_next(&st, &ev)) {
		if (ev.type == WEIR_EV_RECORD)
			weir_stage_emit(&st, &ev.rec);
		else if (ev.type == WEIR_EV_WATERMARK)
			weir_stage_forward(&st, &ev);
		else if (ev.type == WEIR_EV_BARRIER) {
			weir_stage_forward(&st, &ev);
			if (K.on) {	/* durable, then committed */
				weir_stage_check_output(out,
				    weir_output_flush(out));
				ckpt_commit(ev.barrier, ev.payload,
				    ev.payload_len, 0, keep +
				    weir_output_bytes(out));
			}
		}
	}
	weir_stage_end(&st);
	if (K.on)
		ckpt_commit(0, NULL, 0, 1, keep + weir_output_bytes(out));
	else if (file && weir_ofile_commit(&of, err, sizeof(err)) < 0)
		weir_die(WEIR_EXIT_IO, "%s", err);
	weir_input_close(st.in);
	weir_output_close(out);
	return 0;
}
