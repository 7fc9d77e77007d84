/*
 * weir-source - records into a weir pipeline: from Kafka (kcat's options,
 * lib/kafka.c), from files or stdin in any text format, or from the click
 * generator.  Sets each record's key and event time from its fields and
 * emits watermarks.
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cdc.h"
#include "cli.h"
#include "cliavro.h"
#include "avrorec.h"
#include "dur.h"
#include "gen.h"
#include "input.h"
#include "io.h"
#include "kafka.h"
#include "kafka_read.h"
#include "kcat_io.h"
#include "kcatfmt.h"
#include "nexmark.h"
#include "output.h"
#include "pace.h"
#include "registry.h"
#include "progress.h"
#include "record.h"
#include "snap.h"
#include "stage.h"

static const char usage[] =
"usage: weir-source [options] [FILE...]\n"
"       weir-source -b BROKERS -t TOPIC [-p N] [-o OFFSET] [-e] [options]\n"
"       weir-source -b BROKERS -G GROUP [-e] [options] TOPIC...\n"
"       weir-source -b BROKERS -L [-t TOPIC]\n"
"       weir-source -b BROKERS -L -G GROUP [-J] [-t TOPIC]\n"
"       weir-source --gen clicks [--count N] [--rate N] [--seed N]\n"
"       weir-source --gen nexmark [--count N] [--tps N] [--seed N] [--start MS]\n"
"       weir-source --checkpoint DUR --state DIR [options] [FILE...]\n"
"\n"
"Read records from Kafka, FILEs (or stdin) and write a weir stream.\n"
"\n"
"  -b BROKERS            consume from Kafka (host:port,...)\n"
"  -t TOPIC              topic to read (repeatable)\n"
"  -p PARTITION          only this partition\n"
"  -o OFFSET             beginning (default), end, stored, N, -N (last N),\n"
"                        s@MS (from time MS), e@MS (stop at time MS)\n"
"  -G GROUP              balanced consumer group; offsets are committed\n"
"                        only for records written out (at-least-once)\n"
"  -e                    exit at the end: the high watermarks at start\n"
"  -X PROP=VALUE|@FILE   librdkafka property, or a file of them\n"
"  -L                    list brokers, topics and partitions; with -G,\n"
"                        the group's committed offsets, end offsets, lag\n"
"  -J                    kcat's JSON envelope per message; with -L,\n"
"                        JSON (with -G: one object a line, as -f ndjson)\n"
"  -m SECONDS            bound on the first connection (default 10)\n"
"  -s value=avro         decode values as Confluent-framed Avro (kcat's\n"
"                        -s; key=avro for keys, avro for both; needs -r)\n"
"  -r URL                the Schema Registry that has the schemas\n"
"      --idle DUR        a partition quiet for DUR stops holding the\n"
"                        watermark back\n"
"      --committed-only  only messages of committed weir-sink transactions\n"
"                        (by TOPIC.weir-progress; for brokers that do not\n"
"                        hide aborted ones)\n"
"      --progress-topic T  with --committed-only: the progress topic\n"
"\n"
"  -f, --format FMT      ndjson (default), csv, tsv, lines, raw, envelope,\n"
"                        framed; a weir frame stream is always recognised\n"
"  -k, --key PATH        set each record's key from a field (.user)\n"
"      --time PATH|now   set each record's event time from a field\n"
"                        (Kafka: the message timestamp by default)\n"
"      --time-format F   ms (default), s, us or iso8601\n"
"      --max-delay DUR   emit watermarks: max event time seen minus DUR\n"
"  -c, --count N         stop after N records\n"
"      --cdc debezium    change events to keyed upserts and deletes (null\n"
"                        values) for weir-join --table\n"
"      --on-error MODE   fail (default), skip, a FILE for bad records, or\n"
"                        kafka:TOPIC (a dead-letter topic)\n"
"      --gen clicks      generate clicks: ts, user, page, amount\n"
"      --gen nexmark     generate Nexmark people, auctions and bids\n"
"      --tps N           nexmark: events per second of event time\n"
"                        (default 10000)\n"
"      --rate N          pace the output at N records per second of wall\n"
"                        time (event times do not change)\n"
"      --seed N          generator seed (default 1)\n"
"      --users N         distinct users in generated clicks (default 1000)\n"
"      --start MS        first generated event time (default 1700000000000)\n"
"      --checkpoint DUR  write a checkpoint barrier every DUR; resume from\n"
"                        the last committed checkpoint (needs --state)\n"
"      --state DIR       the pipeline's state directory\n"
"      --name NAME       this source's name in checkpoints (default source)\n"
"      --reset-state     ignore the saved state and start over\n"
"  -h, --help            this help\n"
"      --version         print the version\n"
"\n"
"kcat's consumer flags (weir-source(1), KCAT): -C writes messages as kcat\n"
"does; -J, -f '%k %s\\n', -D DELIM, -K DELIM, -Z, -q, -u, -E, -F FILE,\n"
"-d DEBUG, -Q -t TOPIC:PARTITION:TIME.\n"
"\n"
"Exit status: 0 ok, 1 bad input data, 2 usage, 3 I/O or Kafka failure.\n"
"See weir-source(1).\n";

enum { O_TIME = 256, O_TIMEFMT, O_MAXDELAY, O_ONERR, O_GEN, O_RATE, O_SEED,
	O_USERS, O_START, O_VERSION, O_IDLE, O_CHECKPOINT, O_CDC,
	O_COMMITTED_ONLY, O_PROGRESS, O_TPS };

static const struct option longopts[] = {
	{ "format", required_argument, NULL, 'f' },
	{ "key", required_argument, NULL, 'k' },
	{ "time", required_argument, NULL, O_TIME },
	{ "time-format", required_argument, NULL, O_TIMEFMT },
	{ "max-delay", required_argument, NULL, O_MAXDELAY },
	{ "count", required_argument, NULL, 'c' },
	{ "on-error", required_argument, NULL, O_ONERR },
	{ "gen", required_argument, NULL, O_GEN },
	{ "rate", required_argument, NULL, O_RATE },
	{ "seed", required_argument, NULL, O_SEED },
	{ "users", required_argument, NULL, O_USERS },
	{ "start", required_argument, NULL, O_START },
	{ "tps", required_argument, NULL, O_TPS },
	{ "help", no_argument, NULL, 'h' },
	{ "version", no_argument, NULL, O_VERSION },
	{ "idle", required_argument, NULL, O_IDLE },
	{ "checkpoint", required_argument, NULL, O_CHECKPOINT },
	{ "cdc", required_argument, NULL, O_CDC },
	{ "committed-only", no_argument, NULL, O_COMMITTED_ONLY },
	{ "progress-topic", required_argument, NULL, O_PROGRESS },
	WEIR_CKPT_LONGOPTS,
	{ NULL, 0, NULL, 0 }
};

static struct {
	weir_output *out;
	weir_onerr onerr;
	weir_path keyp, timep;
	int have_key, have_time, time_now, timefmt;
	int64_t max_delay, idle_ms;
	int wm_on;
	weir_kafka_consumer *kc;
	int64_t max_ts, last_wm;
	uint64_t since_wm;
	uint64_t limit, emitted;
	weir_buf scratch, keybuf;
	double rate;		/* --rate: records per second, 0 unpaced */
	int64_t pace_t0;
	uint64_t paced;
	/* checkpoints */
	weir_ckpt_opts ck;
	weir_ckpt ckpt;
	int64_t ckpt_every, ckpt_due;
	uint64_t ckpt_id;
	json_t *resume;		/* this source's position in COMMITTED */
	weir_kafka_reader *kr;	/* -b: lib/kafka/kafka_read.c */
	const char *pos_file;	/* the file being read, and its index */
	int pos_index;
	weir_input *pos_in;
	weir_gen *pos_gen;
	weir_buf payload, snap;
	weir_buf ktimes;	/* restored partitions' event times */
	int64_t kflushed;	/* when the Kafka output was last flushed */
	weir_cdc cdc;		/* --cdc */
} S;

/* kcat's output (-C, -J, -f with %, -D, -K, -Z): text, not a stream */
static struct {
	int on, json, null_str, unbuffered, query;
	const char *fmt, *delim, *kdelim;
	weir_kcatfmt f;
	weir_kcat_out o;	/* lib/kafka/kcat_io.c */
} KC;

static void
check(int rc)
{
	weir_stage_check_output(S.out, rc);
}

/* A write error; a reader gone away ends quietly. */
static _Noreturn void
kcat_die(void)
{
	if (errno == EPIPE)
		exit(0);
	weir_die(WEIR_EXIT_IO, "stdout: %s", strerror(errno));
}

/* Write what kcat's format made. */
static void
kcat_flush(void)
{
	if (weir_kcat_out_flush(&KC.o) < 0)
		kcat_die();
}

static void
kcat_emit(const weir_record *r)
{
	weir_kcat_meta m;
	int rc;

	weir_kafka_consumer_meta(S.kc, &m.tstype, &m.broker);
	KC.o.f = &KC.f;
	KC.o.fd = 1;
	KC.o.unbuffered = KC.unbuffered;
	rc = weir_kcat_out_put(&KC.o, r, &m);
	S.emitted++;
	if (rc == WEIR_FAIL_IO)
		kcat_die();
	else if (rc < 0)
		weir_die_kind(rc, "corrupt record value");
}

static void
emit_watermark(void)
{
	int64_t wm;

	if (!S.wm_on)
		return;
	if (S.kc) {	/* per partition, the minimum */
		if (!weir_kafka_consumer_watermark(S.kc, S.max_delay, S.idle_ms,
		    &wm))
			return;
	} else if (S.max_ts == INT64_MIN)
		return;
	else
		wm = S.max_ts - S.max_delay;
	if (wm > S.last_wm) {
		check(weir_output_watermark(S.out, wm));
		S.last_wm = wm;
	}
	S.since_wm = 0;
}

static void maybe_barrier(void);

/* Before blocking for input: watermark, a barrier if one is due, flush. */
static void
idle(void *arg)
{
	(void)arg;
	if (KC.on) {
		kcat_flush();
		return;
	}
	emit_watermark();
	maybe_barrier();
	check(weir_output_flush(S.out));
}

/* Apply --key and --time; 0 ok, -1 bad record (message in why). */
static int
shape(weir_record *r, char *why, size_t whysz)
{
	weir_pv root, v;
	int want_key = S.have_key, want_time = S.have_time, rc;

	if (S.cdc.kind) {	/* the change sets value and key (-k) */
		if ((rc = weir_cdc_apply(&S.cdc, r, why, whysz)) ==
		    WEIR_FAIL_NOMEM)
			weir_die_kind(rc, why);
		if (rc < 0)
			return -1;
		want_key = 0;
		want_time = S.have_time && r->enc != WEIR_ENC_NULL;
	}
	if (want_key || want_time) {
		if ((rc = weir_record_json(r, &S.scratch, &root)) <= 0) {
			if (rc == WEIR_FAIL_NOMEM)
				weir_die_kind(rc, "");
			snprintf(why, whysz, "value is not JSON, cannot read %s",
			    want_key ? S.keyp.text : S.timep.text);
			return -1;
		}
		if (want_key) {
			if ((rc = weir_key_from_path(&S.keyp, &root,
			    &S.keybuf, why, whysz)) == WEIR_FAIL_NOMEM)
				weir_die_kind(rc, why);
			if (rc < 0)
				return -1;
			r->key = S.keybuf.p ? S.keybuf.p : (const uint8_t *)"";
			r->key_len = S.keybuf.len;
			r->flags |= WEIR_R_KEY;
		}
		if (want_time) {
			if (!weir_path_get(&S.timep, &root, &v) ||
			    v.type == WEIR_PV_NULL) {
				snprintf(why, whysz, "no event time field %s",
				    S.timep.text);
				return -1;
			}
			if (weir_time_from_pv(&v, S.timefmt, &r->ts) < 0) {
				snprintf(why, whysz, "event time field %s is not %s",
				    S.timep.text, S.timefmt == WEIR_TIME_ISO8601 ?
				    "an ISO 8601 date-time" : "a number");
				return -1;
			}
			r->flags |= WEIR_R_TS;
		}
	}
	if (S.time_now) {
		r->ts = weir_now_ms();
		r->flags |= WEIR_R_TS;
	}
	if (S.wm_on && !(r->flags & WEIR_R_TS)) {
		snprintf(why, whysz, "record has no event time for --max-delay "
		    "(use --time PATH)");
		return -1;
	}
	if (S.out && weir_output_too_big(S.out, r)) {	/* its readers would refuse it */
		snprintf(why, whysz, "%s", weir_output_error(S.out));
		return -1;
	}
	return 0;
}

/* --- checkpoints (weir(7), CHECKPOINTS) --------------------------------- */

/* This source's position, as the barrier payload {"NAME": {...}}. */
static void
position(weir_buf *b)
{
	const char *name = weir_cli_ckpt_name(&S.ck);
	int rc = 0;

	b->len = 0;
	rc |= weir_buf_putc(b, '{');
	rc |= weir_json_str(b, (const uint8_t *)name, strlen(name));
	rc |= weir_buf_putc(b, ':');
	if (S.pos_gen)
		rc |= weir_buf_printf(b, "{\"gen\":%llu}",
		    (unsigned long long)S.pos_gen->i);
	else if (S.kc)
		rc |= weir_kafka_read_position(S.kr, b);
	else {
		rc |= weir_buf_puts(b, "{\"file\":");
		rc |= weir_json_str(b, (const uint8_t *)(S.pos_file ? S.pos_file :
		    "-"), strlen(S.pos_file ? S.pos_file : "-"));
		rc |= weir_buf_printf(b, ",\"index\":%d,\"offset\":%llu}",
		    S.pos_index, (unsigned long long)(S.pos_in ?
		    weir_input_bytes(S.pos_in) : 0));
	}
	rc |= weir_buf_putc(b, '}');
	if (rc)
		weir_die(WEIR_EXIT_IO, "out of memory");
}

/*
 * BARRIER N: save this source's own state (watermark, counts) as N's
 * snapshot, then send the barrier with the position after the last record
 * sent.  The sink commits N once everything before it is durable.
 */
static void
barrier(void)
{
	char err[WEIR_ERRSZ];
	int rc;

	position(&S.payload);
	S.snap.len = 0;
	if (weir_sw_i64(&S.snap, S.max_ts) < 0 ||
	    weir_sw_i64(&S.snap, S.last_wm) < 0 ||
	    weir_sw_u64(&S.snap, S.emitted) < 0 ||
	    weir_sw_u64(&S.snap, S.onerr.skipped) < 0)
		weir_die(WEIR_EXIT_IO, "out of memory");
	if (S.kc && weir_kafka_read_save(S.kr, &S.snap) < 0)
		weir_die(WEIR_EXIT_IO, "out of memory");	/* the watermark's */
	rc = weir_ckpt_save(&S.ckpt, S.ckpt_id, S.snap.p, S.snap.len, err,
	    sizeof(err));
	if (rc < 0)
		weir_die_snap(rc, err);
	check(weir_output_barrier(S.out, S.ckpt_id, S.payload.p,
	    S.payload.len));
	S.ckpt_id++;
	S.ckpt_due = weir_mono_ms() + S.ckpt_every;
	if (S.kc && (rc = weir_kafka_read_committed(S.kr, S.ck.dir, err,
	    sizeof(err))) < 0)	/* the sink committed: the group follows */
		weir_die(weir_fail_status(rc), "%s", err);
}

/*
 * Open the state, load this source's snapshot of the committed checkpoint
 * and find its position there (S.resume).  After a finished run (final)
 * the position still holds: a file read to its end is not read again.
 */
static void
ckpt_start(int argc, char **argv)
{
	const char *name = weir_cli_ckpt_name(&S.ck);
	weir_commit *cm = &S.ckpt.commit;
	char err[WEIR_ERRSZ];
	json_error_t je;
	json_t *root;
	weir_rd rd;
	int rc;

	if (!S.ck.dir) {
		if (S.ckpt_every)
			weir_usage_error("--checkpoint needs --state DIR");
		return;
	}
	if (!S.ckpt_every)
		weir_usage_error("--state on a source goes with --checkpoint DUR");
	rc = weir_ckpt_open(&S.ckpt, S.ck.dir, name, weir_prog,
	    weir_ckpt_fingerprint(argc, argv), S.ck.reset, err, sizeof(err));
	if (rc < 0)
		weir_die_snap(rc, err);
	S.ckpt.load_final = 1;
	rc = weir_ckpt_restore(&S.ckpt, &S.snap, err, sizeof(err));
	if (rc < 0)
		weir_die_snap(rc, err);
	S.ckpt_id = cm->id + 1;
	S.ckpt_due = weir_mono_ms() + S.ckpt_every;
	if (rc == 0)
		return;
	weir_rd_init(&rd, S.snap.p, S.snap.len);
	S.max_ts = weir_rd_i64(&rd);
	S.last_wm = weir_rd_i64(&rd);
	S.emitted = weir_rd_u64(&rd);
	S.onerr.skipped = weir_rd_u64(&rd);
	if (!rd.bad && rd.p < rd.end &&	/* for read_kafka() */
	    weir_buf_put(&S.ktimes, rd.p, (size_t)(rd.end - rd.p)) < 0)
		weir_die(WEIR_EXIT_IO, "out of memory");
	weir_kafka_times_check(&rd);
	if (weir_rd_done(&rd, "source state", err, sizeof(err)) < 0)
		weir_die(WEIR_EXIT_USAGE, "%s/%llu.snap: %s", S.ckpt.sdir,
		    (unsigned long long)cm->id, err);
	root = json_loadb((const char *)cm->positions.p, cm->positions.len, 0,
	    &je);
	S.resume = root ? json_incref(json_object_get(root, name)) : NULL;
	json_decref(root);
	if (!json_is_object(S.resume))
		weir_die(WEIR_EXIT_USAGE, "%s/%s: checkpoint %llu holds no "
		    "position for source '%s'", S.ck.dir, WEIR_COMMIT_NAME,
		    (unsigned long long)cm->id, name);
	if (getenv("WEIR_CKPT_VERBOSE"))
		weir_warn("resuming from checkpoint %llu at %.*s",
		    (unsigned long long)cm->id, (int)cm->positions.len,
		    (const char *)cm->positions.p);
}

/* The saved position's number field, or -1. */
static long long
resume_int(const char *field)
{
	json_t *v = S.resume ? json_object_get(S.resume, field) : NULL;

	return json_is_integer(v) ? json_integer_value(v) : -1;
}

/* A barrier when one is due (--checkpoint). */
static void
maybe_barrier(void)
{
	if (S.ckpt_every && weir_mono_ms() >= S.ckpt_due)
		barrier();
}

/* --rate, while a record waits: no barrier here, the record being paced
 * is not out yet. */
static void
pace_idle(void *arg)
{
	(void)arg;
	emit_watermark();
	check(weir_output_flush(S.out));
}

/* --rate: hold record number S.paced back until it is due (lib/base/pace.c). */
static void
pace(void)
{
	weir_pace(S.pace_t0, S.paced, S.rate, pace_idle, NULL);
	S.paced++;
}

/*
 * Watermark cadence (weir-source(1), WATERMARKS): a record that is behind
 * the watermark the records so far allow is preceded by that watermark, so
 * whether a record is late downstream depends on the data alone, never on
 * how input bytes happened to arrive.  Otherwise watermarks go out every
 * 1024 records and whenever input pauses.
 */
static void
emit(weir_record *r)
{
	if (KC.on) {
		kcat_emit(r);
		return;
	}
	if (S.rate > 0)
		pace();
	if (S.wm_on && S.max_ts != INT64_MIN && r->ts < S.max_ts - S.max_delay &&
	    S.max_ts - S.max_delay > S.last_wm)
		emit_watermark();
	check(weir_output_record(S.out, r));
	S.emitted++;
	if (KC.unbuffered)
		check(weir_output_flush(S.out));
	if (S.wm_on) {
		if (r->ts > S.max_ts)
			S.max_ts = r->ts;
		if (++S.since_wm >= 1024)
			emit_watermark();
	}
	if (S.ckpt_every && !(S.emitted & 63))
		maybe_barrier();
}

/* -c N: N records out. */
static int
limited(void)
{
	return S.limit && S.emitted >= S.limit;
}

static int
done(void)
{
	return limited() || weir_sig_stop();
}

/* File input: read through the stage loop (the first stop signal ends
 * it, as it ends every source). */
static weir_stage st;
static int first_index;	/* index of the first file st reads */

/* Each input file: its position, its resumption, and the idle work. */
static void
file_open(void *arg, weir_stage *s)
{
	long long at = resume_int("index"), off = resume_int("offset");

	(void)arg;
	S.pos_file = weir_stage_file(s);
	S.pos_index = first_index + s->curfile;
	S.pos_in = s->in;
	if (S.resume && at == S.pos_index && off > 0)
		weir_stage_skip(s, (uint64_t)off);
	weir_input_set_idle(s->in, idle, NULL);
}

/* A file read to its end: the position is the next one. */
static void
file_end(void *arg, weir_stage *s)
{
	(void)arg;
	emit_watermark();
	S.pos_in = NULL;
	S.pos_file = NULL;
	S.pos_index = first_index + s->curfile + 1;
}

static void
read_input(int nfiles, char **files, int fmt, int first)
{
	weir_event ev;
	char why[WEIR_ERRSZ], msg[WEIR_ERRSZ + 300];

	first_index = first;
	st.stop_ends = 1;
	st.on_open = file_open;
	st.on_end = file_end;
	weir_stage_open_files(&st, nfiles, files, fmt, -1, NULL);
	st.oe = &S.onerr;
	st.out = S.out;	/* upstream's barriers pass through the stage */
	while (!done() && weir_stage_next(&st, &ev)) {
		switch (ev.type) {
		case WEIR_EV_RECORD:
			if (shape(&ev.rec, why, sizeof(why)) < 0) {
				if (weir_input_line(st.in))
					snprintf(msg, sizeof(msg), "%s:%llu: %s",
					    weir_input_name(st.in),
					    (unsigned long long)weir_input_line(st.in),
					    why);
				else
					snprintf(msg, sizeof(msg), "%s: record %llu: %s",
					    weir_input_name(st.in),
					    (unsigned long long)S.emitted + 1, why);
				weir_onerr_bad_from(&S.onerr, msg, NULL, 0,
				    &ev.rec);
				continue;
			}
			emit(&ev.rec);
			break;
		case WEIR_EV_WATERMARK:
			if (!S.wm_on)	/* pass upstream watermarks through */
				weir_stage_forward(&st, &ev);
			break;
		}
	}
	S.pos_in = NULL;
	weir_input_close(st.in);
	if (st.fd > 0)
		close(st.fd);
}

/* -s value=avro, -s key=avro: Confluent-framed Avro from -r URL. */
static struct {
	weir_cli_avro o;
	weir_avro_dec d;
} A;

/*
 * Decode the record's value and key (weir-source(1), AVRO): 0, or -1 for
 * a bad record, handled as --on-error says.  A registry that cannot be
 * reached ends the program (exit 3).
 */
static int
avro_decode(weir_record *r)
{
	char err[WEIR_ERRSZ], msg[WEIR_ERRSZ * 2];
	const uint8_t *raw;
	size_t rawlen;
	int rc;

	rc = weir_avro_dec_record(&A.d, r, &raw, &rawlen, err, sizeof(err));
	if (rc == 0)
		return 0;
	if (rc != WEIR_FAIL_DATA) {
		check(weir_output_flush(S.out));
		weir_die(weir_fail_status(rc), "%s", err);
	}
	snprintf(msg, sizeof(msg), "%.*s [%d] offset %lld: %s",
	    (int)r->topic_len, r->topic, (int)r->partition, (long long)r->offset,
	    err);
	weir_onerr_bad(&S.onerr, msg, raw, rawlen);
	return -1;
}

static void
kafka_warn(const char *msg)
{
	weir_warn("kafka: %s", msg);
}

static void
committed_warn(const char *msg)
{
	weir_warn("%s", msg);
}

/* Output flushed: now the consumer may store the offsets of what it gave. */
static void
kafka_flush(void *arg)
{
	char err[WEIR_ERRSZ];

	idle(arg);
	S.kflushed = weir_mono_ms();
	if (weir_kafka_consumer_store(S.kc, err, sizeof(err)) < 0)
		weir_warn("%s", err);
}

/* --committed-only (weir(7), EXACTLY-ONCE; lib/kafka/kafka_read.c) */
static struct {
	int on;
	const char *topic;	/* --progress-topic */
} C;

/* Before a failing exit: what is written goes out. */
static void
out_fail(void *arg)
{
	(void)arg;
	if (KC.on)
		kcat_flush();
	else
		check(weir_output_flush(S.out));
}

/* The stage's producer for Kafka (lib/prog/stage.h). */
static int
kafka_produce(void *arg, weir_event *ev, char *err, size_t errsz)
{
	int rc;

	(void)arg;
	rc = weir_kafka_read_next(S.kr, &ev->rec, 100, err, errsz);
	switch (rc) {
	case WEIR_KAFKA_RECORD:
		return WEIR_EV_RECORD;
	case WEIR_KAFKA_IDLE:
		return WEIR_EV_AGAIN;
	case WEIR_KAFKA_DONE:
		return WEIR_EV_END;
	}
	return rc;
}

static void
read_kafka(const weir_kafka_opts *ko)
{
	weir_record *r;
	weir_event ev;
	char err[WEIR_ERRSZ], why[WEIR_ERRSZ], msg[WEIR_ERRSZ * 2];
	int rc;

	weir_kafka_read_opts ro = { .committed_only = C.on,
	    .progress_topic = C.topic, .warn = committed_warn,
	    .flush = kafka_flush,
	    /* a restart starts at the committed checkpoint's offsets */
	    .checkpoints = S.ckpt_every != 0, .commit_id = S.ckpt.commit.id,
	    .name = weir_cli_ckpt_name(&S.ck),
	    .resume = S.resume ? &S.ckpt.commit : NULL,
	    .times = S.ktimes.p, .times_len = S.ktimes.len };

	if ((rc = weir_kafka_read_open(&S.kr, ko, &ro, err, sizeof(err))) < 0)
		weir_die(weir_fail_status(rc), "%s", err);
	S.kc = weir_kafka_read_consumer(S.kr);
	st.oe = &S.onerr;
	st.on_fail = out_fail;
	st.on_idle = kafka_flush;	/* quiet: flush, store offsets */
	weir_stage_open_producer(&st, kafka_produce, NULL);
	r = &ev.rec;
	while (!limited() && weir_stage_next(&st, &ev)) {
		if (A.o.reg && avro_decode(r) < 0)
			continue;
		if (shape(r, why, sizeof(why)) < 0) {
			snprintf(msg, sizeof(msg), "%.*s [%d] offset %lld: %s",
			    (int)r->topic_len, r->topic, (int)r->partition,
			    (long long)r->offset, why);
			weir_onerr_bad_from(&S.onerr, msg, r->value,
			    r->value_len, r);
			continue;
		}
		weir_kafka_consumer_event_time(S.kc, r->ts);
		emit(r);
		if (!(S.emitted & 1023) && weir_mono_ms() - S.kflushed >= 1000)
			kafka_flush(NULL);	/* a second of records */
	}
	kafka_flush(NULL);
	if (S.ckpt_every)	/* the last checkpoint: the end */
		barrier();
	/* a final commit that failed leaves what was written out to be
	 * read again: not a success */
	rc = weir_kafka_read_close(S.kr, err, sizeof(err));
	S.kc = NULL;
	S.kr = NULL;
	if (rc < 0)
		weir_die(weir_fail_status(rc), "%s", err);
}

static void
list_kafka(const weir_kafka_opts *ko, int json)
{
	weir_buf b = { 0 };
	char err[WEIR_ERRSZ];
	int rc = ko->group ? weir_kafka_group_lag(ko, json, &b, err,
	    sizeof(err)) : json ? weir_kafka_list_json(ko, &b, err,
	    sizeof(err)) : weir_kafka_list(ko, &b, err, sizeof(err));

	if (rc < 0)
		weir_die(weir_fail_status(rc), "%s", err);
	if (weir_write_all(1, b.p, b.len) < 0)
		weir_die(WEIR_EXIT_IO, "stdout: %s", strerror(errno));
	weir_buf_free(&b);
	exit(0);
}

/* The stage's producer for --gen: the next generated record. */
static int
gen_produce(void *arg, weir_event *ev, char *err, size_t errsz)
{
	weir_record *r = &ev->rec;

	memset(r, 0, sizeof(*r));
	r->partition = -1;
	S.scratch.len = 0;
	if (weir_gen_next(arg, &S.scratch, &r->ts) < 0) {
		snprintf(err, errsz, "out of memory");
		return WEIR_FAIL_NOMEM;
	}
	r->flags = WEIR_R_TS;
	weir_record_set_packed(r, &S.scratch);
	return WEIR_EV_RECORD;
}

static void
generate(int kind, uint64_t tps, uint64_t seed, int64_t start, uint32_t users)
{
	static weir_gen g;
	weir_event ev;
	weir_record r;
	long long at = resume_int("gen");

	weir_gen_init(&g, seed, start, users);
	weir_gen_set_kind(&g, kind, tps);
	if (at > 0)
		weir_gen_seek(&g, (uint64_t)at);
	S.pos_gen = &g;
	st.oe = &S.onerr;
	st.on_fail = out_fail;
	weir_stage_open_producer(&st, gen_produce, &g);
	while (!limited() && weir_stage_next(&st, &ev)) {
		r = ev.rec;
		if (S.have_key || S.have_time || S.time_now) {
			char why[WEIR_ERRSZ];
			/* shape() reads the value: keep it out of its scratch */
			weir_buf val = S.scratch;
			S.scratch = (weir_buf){0};
			weir_record_set_packed(&r, &val);
			if (shape(&r, why, sizeof(why)) < 0)
				weir_die(WEIR_EXIT_DATA, "generated record: %s", why);
			emit(&r);
			weir_buf_free(&S.scratch);
			S.scratch = val;
			continue;
		}
		emit(&r);
	}
}

int
main(int argc, char **argv)
{
	int c, fmt = WEIR_FMT_AUTO, gen = -1;
	const char *onerr = "fail";
	char err[WEIR_ERRSZ];
	uint64_t seed = 1;
	int64_t start = WEIR_GEN_START;
	uint32_t users = 1000;
	uint64_t tps = 0;
	static weir_kafka_opts ko;	/* static: alive until exit */
	int list = 0;
	const char *fmt_arg = NULL;	/* -f: a kcat format when it has a % */
	int quiet = 0, keep_going = 0, onerr_set = 0;
	static weir_buf delim, kdelim;

	weir_cli_init(argv[0]);
	if (weir_kafka_opts_init(&ko, argc) < 0)
		weir_die(WEIR_EXIT_IO, "out of memory");
	ko.warn = kafka_warn;
	S.timefmt = WEIR_TIME_MS;
	S.max_ts = INT64_MIN;
	S.last_wm = INT64_MIN;
	while ((c = getopt_long(argc, argv, "f:k:c:hb:t:p:o:G:eX:Lm:"
	    "CPQquEJZD:K:F:d:z:H:lTOs:r:vVM:U", longopts, NULL)) != -1) {
		switch (c) {
		case 'f':
			fmt_arg = optarg;
			break;
		case 'k':
			weir_cli_path(&S.keyp, "--key", optarg);
			S.have_key = 1;
			break;
		case O_TIME:
			if (!strcmp(optarg, "kafka"))	/* the default */
				break;
			if (!strcmp(optarg, "now")) {
				S.time_now = 1;
				break;
			}
			weir_cli_path(&S.timep, "--time", optarg);
			S.have_time = 1;
			break;
		case O_TIMEFMT:
			S.timefmt = weir_timefmt_parse(optarg);
			if (S.timefmt < 0)
				weir_usage_error("--time-format: '%s' is not ms, s, us "
				    "or iso8601", optarg);
			break;
		case O_MAXDELAY:
			if (weir_dur_parse(optarg, &S.max_delay, err, sizeof(err)) < 0)
				weir_usage_error("--max-delay: %s", err);
			S.wm_on = 1;
			break;
		case 'c':
			S.limit = (uint64_t)weir_cli_int("--count", optarg, 0,
			    INT64_MAX);
			break;
		case O_ONERR:
			onerr = optarg;
			onerr_set = 1;
			break;
		case O_GEN:
			gen = weir_gen_kind(optarg);
			if (gen < 0)
				weir_usage_error("--gen: unknown generator '%s' "
				    "(there are: clicks, nexmark)", optarg);
			break;
		case O_RATE:
			S.rate = (double)weir_cli_int("--rate", optarg, 1,
			    100000000);
			break;
		case O_SEED:
			seed = (uint64_t)weir_cli_int("--seed", optarg, 0, INT64_MAX);
			break;
		case O_TPS:
			tps = (uint64_t)weir_cli_int("--tps", optarg, 1,
			    1000000000);
			break;
		case O_USERS:
			users = (uint32_t)weir_cli_int("--users", optarg, 1, 100000000);
			break;
		case O_START:
			start = weir_cli_int("--start", optarg, INT64_MIN / 2,
			    INT64_MAX / 2);
			break;
		case 'b':
		case 't':
		case 'p':
		case 'X':
		case 'm':
			if (weir_kafka_opt(&ko, c, optarg, err, sizeof(err)) < 0)
				weir_usage_error("%s", err);
			break;
		case 'o':
			ko.offset = optarg;
			break;
		case 'G':
			ko.group = optarg;
			break;
		case 'e':
			ko.exit_eof = 1;
			break;
		case 'L':
			list = 1;
			break;
		case 's':
		case 'r':
			(void)weir_cli_avro_opt(&A.o, c, optarg);
			break;
		case O_IDLE:
			if (weir_dur_parse(optarg, &S.idle_ms, err, sizeof(err)) < 0)
				weir_usage_error("--idle: %s", err);
			break;
		case O_CDC:
			if ((c = weir_cdc_kind(optarg)) < 0)
				weir_usage_error("--cdc: unknown envelope '%s' "
				    "(there is: debezium)", optarg);
			weir_cdc_init(&S.cdc, c, NULL);
			break;
		case O_CHECKPOINT:
			if (weir_dur_parse(optarg, &S.ckpt_every, err,
			    sizeof(err)) < 0 || S.ckpt_every <= 0)
				weir_usage_error("--checkpoint: %s", S.ckpt_every <= 0 ?
				    "must be positive" : err);
			break;
		case O_COMMITTED_ONLY:
			C.on = 1;
			break;
		case O_PROGRESS:
			C.topic = optarg;
			break;
		case 'h':
			weir_cli_help(usage);
		case O_VERSION:
			weir_version();
		/* kcat's flags (weir-source(1), KCAT) */
		case 'C':
			KC.on = 1;
			break;
		case 'Q':
			KC.query = 1;
			break;
		case 'q':
			quiet = 1;
			break;
		case 'u':
			KC.unbuffered = 1;
			break;
		case 'E':
			keep_going = 1;
			break;
		case 'J':
			KC.json = 1;
			break;
		case 'Z':
			KC.null_str = 1;
			break;
		case 'D':
			KC.delim = optarg;
			break;
		case 'K':
			KC.kdelim = optarg;
			break;
		case 'F':
		case 'd':
			if (weir_kcat_prop(&ko, c, optarg) < 0)
				weir_die(WEIR_EXIT_IO, "out of memory");
			break;
		case 'V':
			weir_version();
		case 'P':
		case 'z':
		case 'H':
		case 'l':
		case 'T':
		case 'O':
		case 'v':
		case 'M':
		case 'U':
			weir_kcat_refusal(c, 0, err, sizeof(err));
			weir_usage_error("%s", err);
		default:
			if (!weir_cli_ckpt_opt(&S.ck, c, optarg))
				weir_cli_bad_option();
		}
	}
	if (fmt_arg && (KC.on || strchr(fmt_arg, '%')))
		KC.fmt = fmt_arg;	/* kcat's format string */
	else if (fmt_arg)
		fmt = weir_cli_infmt(fmt_arg);
	if (KC.json || KC.fmt || KC.delim || KC.kdelim || KC.null_str)
		KC.on = 1;
	if (quiet)
		ko.warn = NULL;	/* -q: no librdkafka diagnostics */
	if (keep_going && !onerr_set)	/* -E: go on after bad records */
		onerr = "skip";
	if (KC.query) {
		weir_buf b = { 0 };
		int rc;
		if (!ko.brokers || !ko.ntopics)
			weir_usage_error("-Q wants -b BROKERS and -t TOPIC:PARTITION:"
			    "TIME (TIME in ms since the epoch)");
		rc = weir_kafka_offsets_for_times(&ko, ko.topics, ko.ntopics,
		    KC.json, &b, err, sizeof(err));
		if (rc < 0)
			weir_die(weir_fail_status(rc), "%s", err);
		if (weir_write_all(1, b.p, b.len) < 0)
			weir_die(WEIR_EXIT_IO, "stdout: %s", strerror(errno));
		weir_buf_free(&b);
		return 0;
	}
	if (list && (KC.fmt || KC.delim || KC.kdelim || KC.null_str))
		weir_usage_error("-L lists the cluster: -f, -D, -K and -Z go "
		    "without it");
	if (KC.on && !list) {
		int rc;

		if (!ko.brokers)
			weir_usage_error("-C, -J, -D, -K, -Z and -f with %% write "
			    "Kafka messages as kcat does: give -b BROKERS");
		if (S.wm_on || S.ckpt_every || S.ck.dir || S.rate > 0)
			weir_usage_error("kcat's output (-C, -J, -f with %%) is text, "
			    "not a weir stream: no --max-delay, --checkpoint or "
			    "--rate with it (leave them out to get a stream)");
		if ((rc = weir_kcat_delim(KC.delim ? KC.delim : "\\n", &delim,
		    err, sizeof(err))) < 0 || (KC.kdelim && (rc =
		    weir_kcat_delim(KC.kdelim, &kdelim, err, sizeof(err))) < 0)) {
			if (rc == WEIR_FAIL_USAGE)
				weir_usage_error("-D/-K: %s", err);
			weir_die_kind(rc, err);
		}
		if ((rc = weir_kcatfmt_parse(&KC.f, KC.fmt, (const char *)delim.p,
		    KC.kdelim ? (const char *)kdelim.p : NULL, KC.json, err,
		    sizeof(err))) < 0)
			weir_die_fail(rc, err);
		KC.f.null_str = KC.null_str;
	}
	if (list && ko.group && fmt == WEIR_FMT_NDJSON) {
		KC.json = 1;	/* the lag list as NDJSON */
		fmt = WEIR_FMT_AUTO;
	}
	if (ko.brokers) {
		if (gen >= 0 || fmt != WEIR_FMT_AUTO)
			weir_usage_error("-b reads Kafka: no --gen or -f with it");
		if (ko.group)	/* kcat: -G GROUP TOPIC... */
			while (optind < argc)
				ko.topics[ko.ntopics++] = argv[optind++];
		if (optind < argc)
			weir_usage_error("unexpected argument '%s' (topics go "
			    "with -t, or after -G GROUP)", argv[optind]);
		if (ko.group && ko.partition >= 0)
			weir_usage_error("-p goes without -G (the group assigns "
			    "partitions)");
		if (list)
			list_kafka(&ko, KC.json);
	} else if (ko.ntopics || ko.group || ko.exit_eof || ko.nprops ||
	    ko.offset || ko.partition >= 0 || list || S.idle_ms)
		weir_usage_error("-t, -p, -o, -G, -e, -X, -L and --idle go with "
		    "-b BROKERS");
	if ((A.o.key || A.o.value || A.o.url) && (!ko.brokers || list))
		weir_usage_error("-s and -r decode Kafka messages: they go with "
		    "-b BROKERS");
	weir_cli_avro_check(&A.o);
	A.d.reg = A.o.reg;
	A.d.key = A.o.key;
	A.d.value = A.o.value;
	if ((C.on || C.topic) && (!ko.brokers || ko.group || S.ckpt_every ||
	    (C.topic && !C.on)))
		weir_usage_error("--committed-only goes with -b and -t, without "
		    "-G or --checkpoint (it holds messages back, so it does not "
		    "keep positions); --progress-topic goes with it");
	if (gen >= 0 && optind < argc)
		weir_usage_error("--gen takes no input files");
	if (gen >= 0 && S.cdc.kind)
		weir_usage_error("--cdc reads change events, not --gen");
	if (S.cdc.kind && S.have_key)	/* -k: from the row, before or after */
		S.cdc.keyp = &S.keyp;
	if (gen < 0 && (seed != 1 || users != 1000 || start != WEIR_GEN_START))
		weir_usage_error("--seed, --users and --start go with --gen");
	if (tps && gen != WEIR_GEN_NEXMARK)
		weir_usage_error("--tps goes with --gen nexmark");
	if (gen == WEIR_GEN_NEXMARK && !S.wm_on) {	/* as Nexmark's DDL */
		S.wm_on = 1;
		S.max_delay = WEIR_NX_DELAY;
	}
	if (S.ckpt_every && gen < 0 && !ko.brokers) {
		struct stat sb;
		for (c = optind; c < argc; c++)
			if (!strcmp(argv[c], "-"))
				break;
		if ((optind == argc || c < argc) &&
		    (fstat(0, &sb) < 0 || !S_ISREG(sb.st_mode)))
			weir_usage_error("--checkpoint: standard input is not a "
			    "regular file, so a restart could not find its "
			    "position (name the file)");
	}
	if (S.time_now && S.have_time)
		weir_usage_error("--time is given twice");
	if (ko.brokers)	/* --on-error kafka:TOPIC: the same cluster */
		weir_onerr_kafka_opts(&ko);
	weir_onerr_parse(&S.onerr, onerr);
	weir_sig_install();
	if (KC.on) {	/* kcat's text instead of a stream */
		read_kafka(&ko);
		kcat_flush();
		weir_onerr_report(&S.onerr);
		weir_kcatfmt_free(&KC.f);
		weir_kcat_out_free(&KC.o);
		return 0;
	}
	S.out = weir_output_open(1, WEIR_FMT_AUTO, NULL);
	if (!S.out)
		weir_die(WEIR_EXIT_IO, "out of memory");
	ckpt_start(argc, argv);
	S.pace_t0 = weir_mono_ms();

	if (ko.brokers)
		read_kafka(&ko);
	else if (gen >= 0)
		generate(gen, tps, seed, start, users);
	else if (optind == argc) {
		if (resume_int("index") < 1)	/* not read to its end yet */
			read_input(0, NULL, fmt, 0);
		else
			S.pos_index = 1;
	} else {
		int left = argc - optind;
		long long at = resume_int("index");
		if (at < 0)
			at = 0;
		if (at > left)
			at = left;	/* files before the checkpoint's are done */
		S.pos_index = (int)at;
		if (at < left)
			read_input(left - (int)at, argv + optind + at, fmt, (int)at);
	}
	if (S.ckpt_every && !ko.brokers)	/* the last checkpoint: the end */
		barrier();
	st.out = S.out;	/* END, and the bad records told, by the stage */
	st.oe = &S.onerr;
	weir_stage_end(&st);
	weir_output_close(S.out);
	weir_buf_free(&S.scratch);
	weir_buf_free(&S.keybuf);
	if (S.have_key)
		weir_path_free(&S.keyp);
	if (S.have_time)
		weir_path_free(&S.timep);
	return 0;
}
