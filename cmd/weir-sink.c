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
#include "input.h"
#include "io.h"
#include "kafka.h"
#include "output.h"
#include "path.h"
#include "progress.h"
#include "record.h"
#include "snap.h"
#include "stage.h"

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
"      --transactional-id ID  exactly once: one Kafka transaction per\n"
"                        checkpoint (needs --state)\n"
"      --progress-topic T  progress records (default TOPIC.weir-progress)\n"
"\n"
"  -f, --format FMT      ndjson, csv, tsv, table, envelope, lines, raw or\n"
"                        framed (default: table on a terminal, else ndjson)\n"
"  -o, --output FILE     write to FILE instead of stdout\n"
"  -a, --append          append to FILE instead of replacing it\n"
"      --fields A,B,...  columns for csv, tsv and table (default: the\n"
"                        first record's fields; others are named on\n"
"                        stderr with a count)\n"
"      --all-fields      columns: every field of every record (holds\n"
"                        the records in memory to the end)\n"
"  -i, --input-format F  how to read text input (default ndjson)\n"
"      --on-error MODE   fail (default), skip, or a FILE for bad records\n"
"      --state DIR       checkpoints: commit each checkpoint once its output\n"
"                        is durable; on restart, truncate -o FILE to the\n"
"                        last committed checkpoint\n"
"      --name NAME       this sink's name in DIR (default sink)\n"
"      --reset-state     ignore the saved state and start over\n"
"  -h, --help            this help\n"
"      --version         print the version\n"
"\n"
"Exit status: 0 ok, 1 bad input data, 2 usage, 3 I/O or Kafka failure\n"
"(a message not delivered), or upstream ended without END.\n"
"See weir-sink(1).\n";

enum { O_FIELDS = 256, O_ONERR, O_VERSION, O_ALL_FIELDS, O_TXID,
	O_PROGRESS };

static const struct option longopts[] = {
	{ "format", required_argument, NULL, 'f' },
	{ "output", required_argument, NULL, 'o' },
	{ "append", no_argument, NULL, 'a' },
	{ "fields", required_argument, NULL, O_FIELDS },
	{ "all-fields", no_argument, NULL, O_ALL_FIELDS },
	{ "input-format", required_argument, NULL, 'i' },
	{ "on-error", required_argument, NULL, O_ONERR },
	{ "help", no_argument, NULL, 'h' },
	{ "version", no_argument, NULL, O_VERSION },
	{ "transactional-id", required_argument, NULL, O_TXID },
	{ "progress-topic", required_argument, NULL, O_PROGRESS },
	WEIR_CKPT_LONGOPTS,
	{ NULL, 0, NULL, 0 }
};

/* Checkpoints (weir(7), CHECKPOINTS): the sink decides what is committed. */
static struct {
	weir_ckpt_opts opts;
	weir_ckpt c;
	int on, fd;
	const char *file;
	weir_commit cm;
} K;

/* Open the state; returns the committed output length of -o FILE to keep
 * (0: start the file afresh). */
static uint64_t
ckpt_open(int argc, char **argv)
{
	char err[WEIR_ERRSZ];
	int rc;

	if (!K.opts.dir)
		return 0;
	K.on = 1;
	rc = weir_ckpt_open(&K.c, K.opts.dir, weir_cli_ckpt_name(&K.opts),
	    weir_prog, weir_ckpt_fingerprint(argc, argv), K.opts.reset, err,
	    sizeof(err));
	if (rc < 0)
		weir_die_snap(rc, err);
	if (K.opts.reset)
		return 0;
	K.cm.id = K.c.commit.id;
	if (weir_buf_put(&K.cm.positions, K.c.commit.positions.p,
	    K.c.commit.positions.len) < 0)
		weir_die(WEIR_EXIT_IO, "out of memory");
	return K.c.commit.out_len;
}

/*
 * Checkpoint id is complete here: everything before its barrier is out
 * (flushed and fsync'd, or delivered), so record it as committed.  final:
 * the stream's END, after the last barrier.
 */
static void
ckpt_commit(uint64_t id, const uint8_t *payload, size_t n, int final,
    uint64_t out_len)
{
	char err[WEIR_ERRSZ];
	int rc;

	if (K.file && fsync(K.fd) < 0 && errno != EINVAL)
		weir_die(WEIR_EXIT_IO, "%s: %s", K.file, strerror(errno));
	if (!final) {
		if (id <= K.cm.id && K.cm.id)
			weir_die(WEIR_EXIT_IO, "checkpoint %llu after %llu: "
			    "barriers out of order", (unsigned long long)id,
			    (unsigned long long)K.cm.id);
		K.cm.id = id;
		K.cm.positions.len = 0;
		if (weir_buf_put(&K.cm.positions, payload, n) < 0)
			weir_die(WEIR_EXIT_IO, "out of memory");
	}
	K.cm.final = final;
	K.cm.out_len = out_len;
	rc = weir_commit_write(K.opts.dir, &K.cm, err, sizeof(err));
	if (rc < 0)
		weir_die_snap(rc, err);
}

static void
kafka_warn(const char *msg)
{
	weir_warn("kafka: %s", msg);
}

/* Die after giving what is in flight a bounded time to land. */
static _Noreturn void
kafka_die(weir_kafka_producer *p, int status, const char *msg)
{
	char err[WEIR_ERRSZ];

	if (weir_kafka_producer_flush(p, 10000, err, sizeof(err)) < 0 &&
	    strcmp(err, msg))
		weir_warn("%s", err);
	weir_die(status, "%s", msg);
}

/* Key from -K PATH into kb: 0, or -1 with a message in why. */
static int
kafka_key(const weir_record *r, const weir_path *kp, weir_buf *scratch,
    weir_buf *kb, char *why, size_t whysz)
{
	weir_pv root, v;

	kb->len = 0;
	if (!weir_record_json(r, scratch, &root)) {
		snprintf(why, whysz, "value is not JSON, cannot read -K %s",
		    kp->text);
		return -1;
	}
	if (!weir_path_get(kp, &root, &v) || v.type == WEIR_PV_NULL) {
		snprintf(why, whysz, "no key field %s", kp->text);
		return -1;
	}
	if (weir_key_from_pv(kb, &v) < 0) {
		snprintf(why, whysz, "bad key field %s", kp->text);
		return -1;
	}
	return 0;
}

/*
 * Exactly once to Kafka (weir(7), EXACTLY-ONCE): one transaction per
 * checkpoint, holding its messages, the source offsets of its barrier and
 * a progress record.  At barrier N the messages are delivered and also
 * kept in DIR/NAME/txn.spool (synced), COMMITTED N is written, then the
 * transaction commits.  A sink that dies between the two finds Kafka at
 * N-1 and COMMITTED at N when it starts again: it sends checkpoint N's
 * messages again from the spool, in a transaction of its own.
 */
static struct {
	const char *txid, *topic;	/* --transactional-id, --progress-topic */
	weir_progress pr;	/* what the next progress record says */
	uint64_t cur;		/* the checkpoint being filled */
	int open;		/* a transaction is open */
	uint64_t sent;		/* messages in it */
	uint64_t crash_at;	/* $WEIR_EOS_CRASH (tests) */
	int spool;		/* the open transaction's messages */
	uint64_t spooled;	/* bytes in it */
	char *spool_path;
	weir_fenc enc;
	weir_buf val, hdr, sb;
} E;

static _Noreturn void
eos_die(const char *err)
{
	weir_die(WEIR_EXIT_IO, "%s; the pipeline restarts from checkpoint "
	    "%llu", err, (unsigned long long)K.cm.id);
}

/* The attempt header of checkpoint cur. */
static void
eos_attempt(weir_kafka_producer *p)
{
	if (weir_attempt_format(&E.hdr, E.txid, E.pr.run, E.cur) < 0 ||
	    weir_kafka_producer_set_header(p, WEIR_ATTEMPT_HDR, E.hdr.p,
	    E.hdr.len) < 0)
		weir_die(WEIR_EXIT_IO, "out of memory");
}

static void
spool_write(void)
{
	if (E.sb.len && weir_write_all(E.spool, E.sb.p, E.sb.len) < 0)
		weir_die(WEIR_EXIT_IO, "%s: %s", E.spool_path, strerror(errno));
	E.spooled += E.sb.len;
	E.sb.len = 0;
}

/* Keep a message of the open transaction (r with the key it is sent
 * with) until its checkpoint is committed in Kafka. */
static void
spool_add(const weir_record *r, const uint8_t *key, size_t key_len)
{
	weir_record k = *r;

	if (key) {
		k.key = key;
		k.key_len = key_len;
		k.flags |= WEIR_R_KEY;
	}
	if (weir_frame_put_record(&E.enc, &E.sb, &k) < 0)
		weir_die(WEIR_EXIT_IO, "out of memory");
	if (E.sb.len >= 65536)
		spool_write();
}

static void
eos_begin(weir_kafka_producer *p)
{
	char err[WEIR_ERRSZ];

	if (E.open)
		return;
	if (weir_kafka_txn_begin(p, err, sizeof(err)) < 0)
		eos_die(err);
	E.open = 1;
	E.sent = 0;
	/* the last checkpoint is in Kafka: its spool is done with */
	if (ftruncate(E.spool, 0) < 0 || lseek(E.spool, 0, SEEK_SET) < 0)
		weir_die(WEIR_EXIT_IO, "%s: %s", E.spool_path, strerror(errno));
	E.spooled = 0;
	E.sb.len = 0;
	memset(&E.enc, 0, sizeof(E.enc));
}

/* Each Kafka source with a group in the payload: its offsets. */
static void
eos_offsets(weir_kafka_producer *p, const uint8_t *payload, size_t n)
{
	char err[WEIR_ERRSZ], *txt;
	json_t *root = json_loadb((const char *)payload, n, 0, NULL), *v;
	const char *name;
	int rc;

	json_object_foreach(root, name, v) {
		json_t *k = json_object_get(v, "kafka");
		json_t *g = json_object_get(v, "group");
		if (!json_is_array(k) || !json_is_string(g))
			continue;
		if (!(txt = json_dumps(k, JSON_COMPACT)))
			weir_die(WEIR_EXIT_IO, "out of memory");
		rc = weir_kafka_txn_offsets(p, json_string_value(g), txt,
		    strlen(txt), err, sizeof(err));
		free(txt);
		if (rc < 0)
			eos_die(err);
	}
	json_decref(root);
}

/* The progress record of checkpoint id (payload: its positions), then
 * commit the open transaction. */
static void
eos_commit(weir_kafka_producer *p, uint64_t id, const uint8_t *payload,
    size_t n)
{
	char err[WEIR_ERRSZ];

	eos_begin(p);
	E.pr.id = id;
	E.pr.positions.len = 0;
	E.val.len = 0;
	if (weir_buf_put(&E.pr.positions, payload, n) < 0 ||
	    weir_progress_encode(&E.pr, &E.val) < 0)
		weir_die(WEIR_EXIT_IO, "out of memory");
	if (weir_kafka_txn_produce(p, E.topic, E.txid, E.val.p, E.val.len, err,
	    sizeof(err)) < 0 || weir_kafka_txn_commit(p, err, sizeof(err)) < 0)
		eos_die(err);
	E.open = 0;
	if (weir_progress_add(&E.pr, E.pr.run, id) < 0)
		weir_die(WEIR_EXIT_IO, "out of memory");
}

/* BARRIER id: the messages delivered and spooled, COMMITTED, then the
 * Kafka commit (with the offsets and the progress record). */
static void
eos_barrier(weir_kafka_producer *p, uint64_t id, const uint8_t *payload,
    size_t n)
{
	char err[WEIR_ERRSZ];

	eos_begin(p);
	eos_offsets(p, payload, n);
	if (weir_kafka_producer_flush(p, -1, err, sizeof(err)) < 0)
		eos_die(err);
	spool_write();
	if (fsync(E.spool) < 0)
		weir_die(WEIR_EXIT_IO, "%s: %s", E.spool_path, strerror(errno));
	ckpt_commit(id, payload, n, 0, E.spooled);
	/* tests: die in the window between the two commits */
	if (E.crash_at == id)
		raise(SIGKILL);
	eos_commit(p, id, payload, n);
	E.cur = id + 1;
	eos_attempt(p);
}

/* Send checkpoint id's messages again from the spool (len bytes). */
static void
eos_resend(weir_kafka_producer *p, uint64_t id, uint64_t len)
{
	char err[WEIR_ERRSZ];
	weir_buf b = { 0 };
	weir_fdec dec = { 0 };
	weir_frame fr;
	size_t off = 0;
	long used;
	ssize_t got;

	if (weir_buf_reserve(&b, len + 1) < 0)
		weir_die(WEIR_EXIT_IO, "out of memory");
	while (b.len < len && (got = pread(E.spool, b.p + b.len, len - b.len,
	    (off_t)b.len)) > 0)
		b.len += (size_t)got;
	if (b.len < len)
		weir_die(WEIR_EXIT_IO, "%s: shorter than checkpoint %llu's %llu "
		    "bytes: its messages cannot be sent again",
		    E.spool_path, (unsigned long long)id,
		    (unsigned long long)len);
	weir_warn("checkpoint %llu is committed in %s but not in Kafka: "
	    "sending its messages again", (unsigned long long)id, K.opts.dir);
	E.cur = id;
	eos_attempt(p);
	if (weir_kafka_txn_begin(p, err, sizeof(err)) < 0)
		eos_die(err);
	E.open = 1;
	while (off < b.len) {
		used = weir_frame_parse(&dec, b.p + off, b.len - off, b.len - off,
		    &fr, NULL, err, sizeof(err));
		if (used <= 0 || fr.type != WEIR_F_RECORD)
			weir_die(WEIR_EXIT_IO, "%s: corrupt at byte %zu: checkpoint "
			    "%llu cannot be sent again", E.spool_path, off,
			    (unsigned long long)id);
		off += (size_t)used;
		if (weir_kafka_producer_send(p, &fr.rec, NULL, 0, err,
		    sizeof(err)) == -WEIR_EXIT_IO)
			eos_die(err);
	}
	eos_offsets(p, K.cm.positions.p, K.cm.positions.len);
	if (weir_kafka_producer_flush(p, -1, err, sizeof(err)) < 0)
		eos_die(err);
	eos_commit(p, id, K.cm.positions.p, K.cm.positions.len);
	weir_buf_free(&b);
}

/*
 * After init_transactions: where Kafka stands.  The last progress record
 * a read_committed reader sees is of a committed transaction (on
 * weir-broker: of one whose messages were all delivered, see weir(7)).
 */
static void
eos_start(weir_kafka_producer *p, const weir_kafka_opts *ko)
{
	static char topic[1024];
	weir_progress last = { 0 };
	char err[WEIR_ERRSZ];
	uint64_t at;
	int rc;

	if (!E.topic) {
		snprintf(topic, sizeof(topic), "%s%s", ko->topics[0],
		    WEIR_PROGRESS_SUFFIX);
		E.topic = topic;
	}
	if (asprintf(&E.spool_path, "%s/txn.spool", K.c.sdir) < 0)
		weir_die(WEIR_EXIT_IO, "out of memory");
	E.spool = open(E.spool_path, O_RDWR | O_CREAT | O_CLOEXEC, 0666);
	if (E.spool < 0)
		weir_die(WEIR_EXIT_IO, "%s: %s", E.spool_path, strerror(errno));
	rc = weir_kafka_read_last(ko, E.topic, E.txid, &E.val, err,
	    sizeof(err));
	if (rc < 0)
		weir_die(-rc, "%s: %s", E.topic, err);
	if (rc > 0 && weir_progress_decode(&last, E.val.p, E.val.len, err,
	    sizeof(err)) < 0)
		weir_die(WEIR_EXIT_IO, "%s: %s", E.topic, err);
	at = rc > 0 ? last.id : 0;
	if (rc > 0) {	/* its committed list, and itself */
		E.pr.r = last.r;
		E.pr.nr = last.nr;
		E.pr.cap = last.cap;
		last.r = NULL;
		if (weir_progress_add(&E.pr, last.run, last.id) < 0)
			weir_die(WEIR_EXIT_IO, "out of memory");
	}
	weir_progress_new_run(&E.pr, rc > 0 ? last.gen + 1 : 0);
	weir_progress_free(&last);
	if (!(E.pr.txid = strdup(E.txid)))
		weir_die(WEIR_EXIT_IO, "out of memory");
	if (getenv("WEIR_EOS_CRASH"))
		E.crash_at = strtoull(getenv("WEIR_EOS_CRASH"), NULL, 10);
	if (weir_kafka_txn_produce(p, E.topic, E.txid, NULL, 0, err,
	    sizeof(err)) < 0)
		weir_die(WEIR_EXIT_IO, "%s", err);
	if (K.cm.id && at + 1 == K.cm.id && !K.opts.reset)
		eos_resend(p, K.cm.id, K.c.commit.out_len);
	else if (at != K.cm.id && !K.opts.reset)
		weir_warn("%s says checkpoint %llu, %s says %llu: going on "
		    "from %s", E.topic, (unsigned long long)at, K.opts.dir,
		    (unsigned long long)K.cm.id, K.opts.dir);
	E.pr.id = K.cm.id;
	E.pr.positions.len = 0;
	if (weir_buf_put(&E.pr.positions, K.cm.positions.p,
	    K.cm.positions.len) < 0)
		weir_die(WEIR_EXIT_IO, "out of memory");
	E.cur = K.cm.id + 1;
	eos_attempt(p);
}

/* END: the last checkpoint's commit, known to readers (a transaction
 * with the progress record saying so), then the final COMMITTED. */
static void
eos_end(weir_kafka_producer *p)
{
	char err[WEIR_ERRSZ];

	if (E.open && E.sent && weir_progress_add(&E.pr, E.pr.run, E.cur) < 0)
		weir_die(WEIR_EXIT_IO, "out of memory");
	if (weir_kafka_producer_flush(p, -1, err, sizeof(err)) < 0)
		eos_die(err);
	eos_commit(p, K.cm.id, K.cm.positions.p, K.cm.positions.len);
	ckpt_commit(0, NULL, 0, 1, 0);
}

/*
 * Produce stdin to Kafka.  Input is read without blocking so delivery
 * reports are served while it is quiet.  END (or EOF) and the first
 * SIGTERM, which lets upstream drain to END, flush what is in flight.
 */
static int
kafka_loop(weir_input *in, const weir_kafka_opts *ko, const weir_path *kp,
    weir_onerr *oe)
{
	weir_kafka_producer *p;
	weir_buf scratch = { 0 }, kb = { 0 };
	weir_event ev;
	char err[WEIR_ERRSZ], why[WEIR_ERRSZ], msg[WEIR_ERRSZ * 2];
	int rc, status;
	uint64_t nrec = 0;
	struct pollfd pfd = { 0, POLLIN, 0 };

	p = weir_kafka_producer_open(ko, &status, err, sizeof(err));
	if (!p)
		weir_die(status, "%s", err);
	if (E.txid)
		eos_start(p, ko);
	for (;;) {
		switch (weir_input_next(in, &ev, 0)) {
		case WEIR_EV_RECORD:
			nrec++;
			if (E.txid) {
				eos_begin(p);
				E.sent++;
			}
			if (kp && kafka_key(&ev.rec, kp, &scratch, &kb, why,
			    sizeof(why)) < 0) {
				snprintf(msg, sizeof(msg), "%s: record %llu: %s",
				    weir_input_name(in), (unsigned long long)nrec, why);
				weir_onerr_bad(oe, msg, NULL, 0);
				break;
			}
			rc = weir_kafka_producer_send(p, &ev.rec,
			    kp ? (kb.p ? kb.p : (const uint8_t *)"") : NULL,
			    kb.len, err, sizeof(err));
			if (E.txid && rc == 0)
				spool_add(&ev.rec, kp ? (kb.p ? kb.p :
				    (const uint8_t *)"") : NULL, kb.len);
			if (rc == -WEIR_EXIT_DATA)
				weir_onerr_bad(oe, err, NULL, 0);
			else if (rc < 0)
				kafka_die(p, WEIR_EXIT_IO, err);
			break;
		case WEIR_EV_WATERMARK:
			break;
		case WEIR_EV_BARRIER:
			/* at-least-once: every message before the barrier is
			 * delivered before its checkpoint commits */
			if (!K.on)
				break;
			if (E.txid) {
				eos_barrier(p, ev.barrier, ev.payload,
				    ev.payload_len);
				break;
			}
			if (weir_kafka_producer_flush(p, -1, err, sizeof(err)) < 0)
				weir_die(WEIR_EXIT_IO, "%s", err);
			ckpt_commit(ev.barrier, ev.payload, ev.payload_len, 0, 0);
			break;
		case WEIR_EV_BAD:
			weir_onerr_bad(oe, weir_input_error(in), ev.raw, ev.raw_len);
			break;
		case WEIR_EV_AGAIN:
		case WEIR_EV_STOP:
			if (weir_sig_stop() > 1)
				kafka_die(p, WEIR_EXIT_IO,
				    "stopped before the end of input");
			if (weir_kafka_producer_poll(p, 0, err, sizeof(err)) < 0)
				kafka_die(p, WEIR_EXIT_IO, err);
			(void)poll(&pfd, 1, 100);
			break;
		case WEIR_EV_END:
		case WEIR_EV_EOF:
			if (E.txid)
				eos_end(p);
			else if (weir_kafka_producer_flush(p, -1, err,
			    sizeof(err)) < 0)
				weir_die(WEIR_EXIT_IO, "%s", err);
			if (K.on && !E.txid)
				ckpt_commit(0, NULL, 0, 1, 0);
			weir_kafka_producer_close(p);
			weir_buf_free(&scratch);
			weir_buf_free(&kb);
			weir_onerr_report(oe);
			return 0;
		default:
			kafka_die(p, weir_input_status(in),
			    weir_input_error(in));
		}
	}
}

int
main(int argc, char **argv)
{
	int c, fmt = WEIR_FMT_AUTO, infmt = WEIR_FMT_AUTO, append = 0, fd = 1;
	const char *file = NULL, *fields = NULL, *onerr = "fail";
	static weir_input *in;	/* static: reachable when a Kafka error exits */
	static weir_output *out;
	weir_onerr oe;
	weir_event ev;
	static weir_kafka_opts ko;	/* static: alive until exit */
	static weir_path kp;
	static weir_ofile of;	/* static: its new file is removed at exit */
	int have_kp = 0, all_fields = 0;
	size_t dropped = 0;	/* csv/tsv/table fields dropped, told */
	char err[WEIR_ERRSZ];
	uint64_t keep = 0;

	weir_cli_init(argv[0]);
	if (weir_kafka_opts_init(&ko, argc) < 0)
		weir_die(WEIR_EXIT_IO, "out of memory");
	ko.warn = kafka_warn;
	while ((c = getopt_long(argc, argv, "f:o:ai:hb:t:p:K:X:m:", longopts,
	    NULL)) != -1) {
		switch (c) {
		case 'f':
			fmt = weir_cli_outfmt(optarg);
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
				char **items;
				size_t n;
				if (!(items = weir_path_list(optarg, &n, err,
				    sizeof(err))))
					weir_usage_error("--fields: %s", err);
				free(items);
			}
			break;
		case O_ALL_FIELDS:
			all_fields = 1;
			break;
		case 'i':
			infmt = weir_cli_infmt(optarg);
			break;
		case O_ONERR:
			onerr = optarg;
			break;
		case 'b':
		case 't':
		case 'p':
		case 'X':
		case 'm':
			if (weir_kafka_opt(&ko, c, optarg, err, sizeof(err)) < 0)
				weir_usage_error("%s", err);
			break;
		case 'K':
			if (weir_path_parse(&kp, optarg, err, sizeof(err)) < 0)
				weir_usage_error("-K: %s", err);
			have_kp = 1;
			break;
		case O_TXID:
			E.txid = ko.txid = optarg;
			break;
		case O_PROGRESS:
			E.topic = optarg;
			break;
		case 'h':
			weir_cli_help(usage);
		case O_VERSION:
			weir_version();
		default:
			if (!weir_cli_ckpt_opt(&K.opts, c, optarg))
				weir_cli_bad_option();
		}
	}
	if (optind < argc)
		weir_usage_error("unexpected argument '%s' (weir-sink reads stdin)",
		    argv[optind]);
	if (!ko.brokers && (ko.ntopics || ko.partition >= 0 || have_kp ||
	    ko.nprops))
		weir_usage_error("-t, -p, -K and -X go with -b BROKERS");
	if (all_fields && fields)
		weir_usage_error("--all-fields or --fields, not both");
	if (ko.brokers && (file || fmt != WEIR_FMT_AUTO || fields || all_fields))
		weir_usage_error("-b produces to Kafka: no -o, -f or --fields "
		    "with it");
	if (ko.brokers && ko.ntopics != 1)
		weir_usage_error("-b wants one topic: -t TOPIC");
	if ((E.txid || E.topic) && (!ko.brokers || !K.opts.dir))
		weir_usage_error("--transactional-id goes with -b and --state "
		    "(a transaction per checkpoint)");
	if (E.topic && !E.txid)
		weir_usage_error("--progress-topic goes with --transactional-id");
	if (K.opts.dir && append)
		weir_usage_error("--state and -a: a checkpointed file is "
		    "truncated to its last checkpoint, never appended to");
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
	weir_onerr_parse(&oe, onerr);
	weir_sig_install();
	in = weir_input_open(0, infmt, "-");
	if (!in)
		weir_die(WEIR_EXIT_IO, "out of memory");
	if (K.on)	/* upstream is a weir stage: it speaks frames */
		weir_input_require_frames(in);
	/* NDJSON in, JSON bytes out: each line goes on as it was written */
	weir_input_keep_json(in, ko.brokers || fmt == WEIR_FMT_NDJSON);
	if (ko.brokers) {
		c = kafka_loop(in, &ko, have_kp ? &kp : NULL, &oe);
		weir_input_close(in);
		return c;
	}
	out = weir_output_open(fd, fmt, fields);
	if (!out)
		weir_die(WEIR_EXIT_IO, "out of memory");
	if (keep > 0 && fmt != WEIR_FMT_FRAMED)
		weir_output_resume(out);	/* the header is there */
	if (all_fields && weir_output_all_fields(out) < 0)
		weir_usage_error("--all-fields goes with -f csv, tsv or table");
	weir_input_set_idle(in, weir_output_idle, out);
	for (;;) {
		int rc = 0;
		switch (weir_input_next(in, &ev, 1)) {
		case WEIR_EV_RECORD:
			rc = weir_output_record(out, &ev.rec);
			if (rc == WEIR_OUTPUT_TOO_BIG) {
				weir_onerr_bad(&oe, weir_output_error(out), NULL, 0);
				rc = 0;
			}
			if (weir_output_ndropped(out) > dropped)
				weir_stage_warn_dropped(out, &dropped, 0);
			break;
		case WEIR_EV_WATERMARK:
			rc = weir_output_watermark(out, ev.wm);
			break;
		case WEIR_EV_BARRIER:
			rc = weir_output_barrier(out, ev.barrier, ev.payload,
			    ev.payload_len);
			if (rc == 0 && K.on && (rc = weir_output_flush(out)) == 0)
				ckpt_commit(ev.barrier, ev.payload, ev.payload_len,
				    0, keep + weir_output_bytes(out));
			break;
		case WEIR_EV_BAD:
			weir_onerr_bad(&oe, weir_input_error(in), ev.raw, ev.raw_len);
			break;
		case WEIR_EV_STOP:
			if (weir_sig_stop() > 1) {
				weir_output_flush(out);
				weir_die(WEIR_EXIT_IO, "stopped before the end of input");
			}
			break;
		case WEIR_EV_END:
		case WEIR_EV_EOF:
			rc = weir_output_end(out);
			if (rc < 0)
				goto wfail;
			if (K.on)
				ckpt_commit(0, NULL, 0, 1,
				    keep + weir_output_bytes(out));
			else if (file && weir_ofile_commit(&of, err,
			    sizeof(err)) < 0)
				weir_die(WEIR_EXIT_IO, "%s", err);
			weir_stage_warn_dropped(out, &dropped, 1);
			weir_onerr_report(&oe);
			weir_input_close(in);
			weir_output_close(out);
			return 0;
		default:
			weir_output_flush(out);
			weir_die(weir_input_status(in), "%s",
			    weir_input_error(in));
		}
		if (rc < 0)
			goto wfail;
	}
wfail:
	if (weir_output_failed(out) == EPIPE) {
		weir_input_close(in);	/* a quiet exit: the reader left */
		weir_output_close(out);
		return 0;
	}
	weir_die(WEIR_EXIT_IO, "%s: %s", file ? file : "write",
	    strerror(weir_output_failed(out)));
}
