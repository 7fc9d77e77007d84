/*
 * weir-source - records into a weir pipeline: from Kafka (kcat's options,
 * lib/kafka.c), from files or stdin in any text format, or from the click
 * generator.  Sets each record's key and event time from its fields and
 * emits watermarks.
 */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>

#include "cli.h"
#include "cliavro.h"
#include "dur.h"
#include "io.h"
#include "kafka.h"
#include "kcatfmt.h"
#include "nexmark.h"
#include "srcrun.h"

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

/* weir-source's jobs (lib/prog/srcrun.c): the options for every record go
 * into R.src (lib/stream/source.h) */
static weir_srcrun R;

/* kcat's output (-C, -J, -f with %, -D, -K, -Z): text, not a stream */
static struct {
	int on, json, null_str, query;
	const char *fmt, *delim, *kdelim;
	weir_kcatfmt f;
} KC;

/* -s value=avro, -s key=avro: Confluent-framed Avro from -r URL. */
static struct {
	weir_cli_avro o;
	weir_avro_dec d;
} A;

static void
kafka_warn(const char *msg)
{
	weir_warn("kafka: %s", msg);
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
	weir_source *s = &R.src;

	weir_cli_init(argv[0]);
	if (weir_kafka_opts_init(&ko, argc) < 0)
		weir_die(WEIR_EXIT_IO, "out of memory");
	ko.warn = kafka_warn;
	weir_srcrun_init(&R);
	while ((c = getopt_long(argc, argv, "f:k:c:hb:t:p:o:G:eX:Lm:"
	    "CPQquEJZD:K:F:d:z:H:lTOs:r:vVM:U", longopts, NULL)) != -1) {
		switch (c) {
		case 'f':
			fmt_arg = optarg;
			break;
		case 'k':
			weir_cli_path(&s->keyp, "--key", optarg);
			s->have_key = 1;
			break;
		case O_TIME:
			if (!strcmp(optarg, "kafka"))	/* the default */
				break;
			if (!strcmp(optarg, "now")) {
				s->time_now = 1;
				break;
			}
			weir_cli_path(&s->timep, "--time", optarg);
			s->have_time = 1;
			break;
		case O_TIMEFMT:
			s->timefmt = weir_timefmt_parse(optarg);
			if (s->timefmt < 0)
				weir_usage_error("--time-format: '%s' is not ms, s, us "
				    "or iso8601", optarg);
			break;
		case O_MAXDELAY:
			if (weir_dur_parse(optarg, &s->max_delay, err, sizeof(err)) < 0)
				weir_usage_error("--max-delay: %s", err);
			s->wm_on = 1;
			break;
		case 'c':
			s->limit = (uint64_t)weir_cli_int("--count", optarg, 0,
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
			s->rate = (double)weir_cli_int("--rate", optarg, 1,
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
			if (weir_dur_parse(optarg, &s->idle_ms, err, sizeof(err)) < 0)
				weir_usage_error("--idle: %s", err);
			break;
		case O_CDC:
			if ((c = weir_cdc_kind(optarg)) < 0)
				weir_usage_error("--cdc: unknown envelope '%s' "
				    "(there is: debezium)", optarg);
			weir_cdc_init(&s->cdc, c, NULL);
			break;
		case O_CHECKPOINT:
			if (weir_dur_parse(optarg, &s->ckpt_every, err,
			    sizeof(err)) < 0 || s->ckpt_every <= 0)
				weir_usage_error("--checkpoint: %s", s->ckpt_every <= 0 ?
				    "must be positive" : err);
			break;
		case O_COMMITTED_ONLY:
			R.committed_only = 1;
			break;
		case O_PROGRESS:
			R.progress_topic = optarg;
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
			s->unbuffered = 1;
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
			if (!weir_cli_ckpt_opt(&R.ck, c, optarg))
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
		if (s->wm_on || s->ckpt_every || R.ck.dir || s->rate > 0)
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
	    ko.offset || ko.partition >= 0 || list || s->idle_ms)
		weir_usage_error("-t, -p, -o, -G, -e, -X, -L and --idle go with "
		    "-b BROKERS");
	if ((A.o.key || A.o.value || A.o.url) && (!ko.brokers || list))
		weir_usage_error("-s and -r decode Kafka messages: they go with "
		    "-b BROKERS");
	weir_cli_avro_check(&A.o);
	A.d.reg = A.o.reg;
	A.d.key = A.o.key;
	A.d.value = A.o.value;
	if ((R.committed_only || R.progress_topic) && (!ko.brokers || ko.group || s->ckpt_every ||
	    (R.progress_topic && !R.committed_only)))
		weir_usage_error("--committed-only goes with -b and -t, without "
		    "-G or --checkpoint (it holds messages back, so it does not "
		    "keep positions); --progress-topic goes with it");
	if (gen >= 0 && optind < argc)
		weir_usage_error("--gen takes no input files");
	if (gen >= 0 && s->cdc.kind)
		weir_usage_error("--cdc reads change events, not --gen");
	if (s->cdc.kind && s->have_key)	/* -k: from the row, before or after */
		s->cdc.keyp = &s->keyp;
	if (gen < 0 && (seed != 1 || users != 1000 || start != WEIR_GEN_START))
		weir_usage_error("--seed, --users and --start go with --gen");
	if (tps && gen != WEIR_GEN_NEXMARK)
		weir_usage_error("--tps goes with --gen nexmark");
	if (gen == WEIR_GEN_NEXMARK && !s->wm_on) {	/* as Nexmark's DDL */
		s->wm_on = 1;
		s->max_delay = WEIR_NX_DELAY;
	}
	if (s->ckpt_every && gen < 0 && !ko.brokers) {
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
	if (s->time_now && s->have_time)
		weir_usage_error("--time is given twice");
	if (ko.brokers)	/* --on-error kafka:TOPIC: the same cluster */
		weir_onerr_kafka_opts(&ko);
	weir_onerr_parse(&R.onerr, onerr);
	if (R.ck.dir && !s->ckpt_every)
		weir_usage_error("--state on a source goes with --checkpoint DUR");
	if (s->ckpt_every && !R.ck.dir)
		weir_usage_error("--checkpoint needs --state DIR");
	if (KC.on)
		R.kcat = &KC.f;
	if (A.o.reg)
		R.avro = &A.d;
	weir_sig_install();
	weir_srcrun_open(&R, argc, argv);
	if (ko.brokers || KC.on)
		weir_srcrun_kafka(&R, &ko);
	else if (gen >= 0)
		weir_srcrun_gen(&R, gen, tps, seed, start, users);
	else
		weir_srcrun_files(&R, argc - optind, argv + optind, fmt);
	weir_srcrun_finish(&R);
}
