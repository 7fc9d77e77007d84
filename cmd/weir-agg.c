/*
 * weir-agg - grouped aggregates per event-time window: count, sum, avg,
 * min, max, first, last, distinct, approx_distinct, quantiles, topk,
 * stddev.  A window's groups are emitted once, when the watermark reaches
 * its end (or as a changelog with --emit updates); without windows, at the
 * end of input or every DUR.
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>

#include "agg.h"
#include "changelog.h"
#include "cli.h"
#include "dur.h"
#include "stage.h"

static const char usage[] =
"usage: weir-agg [options] FUNC...\n"
"\n"
"Aggregate records per window and group; one JSON record per window and\n"
"group when the window closes.\n"
"\n"
"Functions (NAME=FUNC names the output field; default count, sum_amount):\n"
"  count  sum:P  avg:P  min:P  max:P  first:P  last:P  stddev:P (sample)\n"
"  distinct:P (exact)  approx_distinct:P (HyperLogLog, 0.8% std. error)\n"
"  pNN:P (p50, p99, p99.9; DDSketch, 1% relative error)  topk:N:P\n"
"  max_by:P  min_by:P (the whole record with the largest/smallest P)\n"
"  top:N:P (the N records with the largest P, an array)\n"
"\n"
"  -g, --group PATH,...  group by these fields (NAME=PATH renames one);\n"
"                        default: the record key\n"
"      --emit MODE       final (default): once per window and group when\n"
"                        the window closes; updates: a record on every change\n"
"      --every DUR       also emit changed groups every DUR (wall clock)\n"
"      --explode NAME    one record per element of the aggregate NAME\n"
"                        (top:N, max_by), with its fields and a rank\n"
"      --rank FIELD      the rank's field with --explode (default rank)\n"
"      --rows N          on every record, its group's result over the\n"
"                        group's last N records (windows ignored)\n"
"      --changelog       the input is a table's changelog (keyed upserts\n"
"                        and deletes): retract a key's old row, emit each\n"
"                        changed group as an upsert, or a delete when empty\n"
"  -i, --input-format F  how to read text input (default ndjson)\n"
"      --on-error MODE   fail (default), skip, or a FILE for bad records\n"
"      --state DIR       keep checkpoint state in DIR (see weir(7))\n"
"      --name NAME       this stage's name in DIR (default agg)\n"
"      --reset-state     start with empty state\n"
"  -h, --help            this help\n"
"      --version         print the version\n"
"\n"
"Exit status: 0 ok, 1 bad input data, 2 usage, 3 I/O failure or\n"
"upstream ended without END.  See weir-agg(1).\n";

enum { O_EMIT = 256, O_EVERY, O_ONERR, O_VERSION, O_EXPLODE, O_RANK,
    O_ROWS, O_CHANGELOG };

static const struct option longopts[] = {
	{ "group", required_argument, NULL, 'g' },
	{ "emit", required_argument, NULL, O_EMIT },
	{ "every", required_argument, NULL, O_EVERY },
	{ "explode", required_argument, NULL, O_EXPLODE },
	{ "rank", required_argument, NULL, O_RANK },
	{ "rows", required_argument, NULL, O_ROWS },
	{ "changelog", no_argument, NULL, O_CHANGELOG },
	{ "input-format", required_argument, NULL, 'i' },
	{ "on-error", required_argument, NULL, O_ONERR },
	{ "help", no_argument, NULL, 'h' },
	{ "version", no_argument, NULL, O_VERSION },
	WEIR_CKPT_LONGOPTS,
	{ NULL, 0, NULL, 0 }
};

static struct {
	weir_stage st;
	weir_agg *agg;
	weir_aggcl *cl;		/* --changelog */
	int updates, changelog;
	int hops;		/* HOP records taken as they are */
	int64_t every, due;	/* --every: period and next snapshot (mono ms) */
	uint64_t late;
	weir_agg_explode_spec x;	/* --explode, --rank */
	weir_buf xout, xtmp;
	weir_agg_rows *rows;	/* --rows */
	long nrows;
} S;

static int
emit_row(void *arg, const weir_record *r)
{
	(void)arg;
	weir_stage_emit(&S.st, r);
	return 0;
}

static int
emit(void *arg, const weir_record *r)
{
	char err[WEIR_ERRSZ];
	int rc;

	if (!S.x.name)
		return emit_row(arg, r);
	rc = weir_agg_explode(&S.x, r, &S.xout, &S.xtmp, emit_row, NULL, err,
	    sizeof(err));
	if (rc < 0)
		weir_die_fail(rc, err);
	return 0;
}

static void
check(int rc)
{
	if (rc < 0)
		weir_die_fail(rc, "out of memory");
}

static void
maybe_snapshot(void)
{
	int64_t now = weir_mono_ms();

	if (now < S.due)
		return;
	check(weir_agg_snapshot(S.agg, emit, NULL));
	S.due = now + S.every;
}

static void
add(const weir_record *r)
{
	char err[WEIR_ERRSZ], msg[WEIR_ERRSZ + 64];
	weir_agg_ref ref;
	uint32_t nlate;
	int rc;

	if (S.hops) {
		/* final results per window: a HOP record goes to all of its
		 * windows at once */
		rc = weir_agg_add_hop(S.agg, r, &nlate, err, sizeof(err));
		S.late += nlate;
	} else if (S.cl)
		rc = weir_aggcl_apply(S.cl, r, emit, NULL, err, sizeof(err));
	else if (S.rows)
		rc = weir_agg_rows_add(S.rows, r, &ref, err, sizeof(err));
	else
		rc = weir_agg_add(S.agg, r, &ref, err, sizeof(err));
	if (rc == 1) {
		S.late++;
		return;
	}
	if (rc < 0) {
		if (rc == WEIR_FAIL_IO)	/* a corrupt packed value */
			weir_die(WEIR_EXIT_IO, "%s: record %llu: %s",
			    weir_input_name(S.st.in),
			    (unsigned long long)S.st.in_records, err);
		if (rc != WEIR_FAIL_DATA)
			weir_die_fail(rc, err);
		if (weir_input_line(S.st.in))
			snprintf(msg, sizeof(msg), "%s:%llu: %s",
			    weir_input_name(S.st.in),
			    (unsigned long long)weir_input_line(S.st.in), err);
		else
			snprintf(msg, sizeof(msg), "%s: record %llu: %s",
			    weir_input_name(S.st.in),
			    (unsigned long long)S.st.in_records, err);
		weir_onerr_bad_record(&S.st.onerr, msg, r);
		return;
	}
	if (S.cl)
		return;
	if (S.updates || S.rows)
		check(weir_agg_emit_group(S.agg, &ref, emit, NULL));
	if (S.every && (S.st.in_records & 255) == 0)
		maybe_snapshot();
}

/* Checkpoints: the late count, then the aggregator's windows and groups;
 * with --changelog, the table's rows (the groups are rebuilt from them). */
static int
save_state(void *arg, weir_buf *out, char *err, size_t errsz)
{
	if (weir_sw_u64(out, S.late) < 0 || weir_agg_save(S.agg, out) < 0 ||
	    (S.cl && weir_aggcl_save(S.cl, out) < 0) ||
	    (S.rows && weir_agg_rows_save(S.rows, out) < 0)) {
		weir_seterr(err, errsz, "out of memory");
		return WEIR_FAIL_NOMEM;
	}
	return 0;
}

static int
load_state(void *arg, weir_rd *rd, char *err, size_t errsz)
{
	int rc;

	S.late = weir_rd_u64(rd);
	if (rd->bad)
		return 0;	/* the stage says the state is short */
	if ((rc = weir_agg_load(S.agg, rd, err, errsz)) < 0)
		return rc;
	if (S.rows)	/* --rows: the rings, their groups made again */
		return weir_agg_rows_load(S.rows, rd, err, errsz);
	return S.cl ? weir_aggcl_load(S.cl, rd, err, errsz) : 0;
}

int
main(int argc, char **argv)
{
	int c, rc, infmt = WEIR_FMT_AUTO;
	const char *onerr = "fail";
	char err[WEIR_ERRSZ];
	weir_event ev;
	weir_ckpt_opts ck = { 0 };
	static const weir_state_ops ops = { save_state, load_state, NULL, 0 };

	weir_cli_init(argv[0]);
	if (!(S.agg = weir_agg_new()))
		weir_die(WEIR_EXIT_IO, "out of memory");
	while ((c = getopt_long(argc, argv, "g:i:h", longopts, NULL)) != -1) {
		if (weir_cli_ckpt_opt(&ck, c, optarg))
			continue;
		switch (c) {
		case 'g':
			if ((rc = weir_agg_add_groups(S.agg, optarg, err,
			    sizeof(err))) == WEIR_FAIL_USAGE)
				weir_usage_error("-g %s: %s", optarg, err);
			else if (rc < 0)
				weir_die_kind(rc, err);
			break;
		case O_EMIT:
			if (strcmp(optarg, "final") == 0)
				S.updates = 0;
			else if (strcmp(optarg, "updates") == 0)
				S.updates = 1;
			else
				weir_usage_error("--emit is final or updates, "
				    "not '%s'", optarg);
			break;
		case O_EVERY:
			if (weir_dur_parse(optarg, &S.every, err,
			    sizeof(err)) < 0 || S.every <= 0)
				weir_usage_error("--every %s: %s", optarg,
				    S.every <= 0 ? "must be positive" : err);
			break;
		case O_EXPLODE:
			S.x.name = optarg;
			break;
		case O_RANK:
			S.x.rank = optarg;
			break;
		case O_ROWS: {
			char *end;
			S.nrows = strtol(optarg, &end, 10);
			if (*end || end == optarg || S.nrows < 1 ||
			    S.nrows > 100000)
				weir_usage_error("--rows takes a count 1..100000, "
				    "not '%s'", optarg);
			break;
		}
		case O_CHANGELOG:
			S.changelog = 1;
			break;
		case 'i':
			infmt = weir_cli_infmt(optarg);
			break;
		case O_ONERR:
			onerr = optarg;
			break;
		case 'h':
			weir_cli_help(usage);
		case O_VERSION:
			weir_version();
		default:
			weir_cli_bad_option();
		}
	}
	if (!S.x.rank)
		S.x.rank = "rank";
	else if (!S.x.name)
		weir_usage_error("--rank goes with --explode");
	for (; optind < argc; optind++)
		if ((rc = weir_agg_add_func(S.agg, argv[optind], err,
		    sizeof(err))) < 0)
			weir_die_fail(rc, err);
	if ((rc = weir_agg_ready(S.agg, err, sizeof(err))) < 0)
		weir_die_fail(rc, err);
	if (S.nrows && S.changelog)
		weir_usage_error("--rows and --changelog do not go together");
	if (S.nrows) {
		if (S.every || S.updates)
			weir_usage_error("--rows emits on every record; it goes "
			    "with neither --every nor --emit updates");
		if (!(S.rows = weir_agg_rows_new(S.agg, (uint32_t)S.nrows)))
			weir_die(WEIR_EXIT_IO, "out of memory");
	}
	if (S.changelog) {
		if (S.updates || S.every)
			weir_usage_error("--changelog emits every change as it "
			    "comes: no --emit updates or --every");
		if ((rc = weir_aggcl_open(&S.cl, S.agg, err, sizeof(err))) < 0) {
			if (rc == WEIR_FAIL_USAGE)
				weir_usage_error("%s", err);
			weir_die(weir_fail_status(rc), "%s", err);
		}
	}

	weir_stage_open(&S.st, infmt, WEIR_FMT_AUTO, NULL, onerr);
	S.hops = !S.updates && !S.rows && !S.cl;
	weir_input_accept_hops(S.st.in, S.hops);
	/* packed values unchecked on the way in: the aggregator checks the
	 * fields it reads (and the rest is never read nor passed on) */
	if (!S.cl && !S.rows && weir_agg_check_reads(S.agg))
		weir_input_pass_values(S.st.in, 1);
	weir_stage_checkpoint(&S.st, &ck, argc, argv, &ops);
	S.due = S.every ? weir_mono_ms() + S.every : INT64_MAX;
	while ((rc = weir_stage_next_until(&S.st, &ev, S.due)) != 0) {
		if (rc < 0) {	/* --every: input was quiet until due */
			maybe_snapshot();
			continue;
		}
		switch (ev.type) {
		case WEIR_EV_RECORD:
			add(&ev.rec);
			break;
		case WEIR_EV_WATERMARK:
			/* Close what the watermark completes, then pass it on:
			 * results precede the watermark that finished them. */
			check(weir_agg_close(S.agg, ev.wm, !S.updates, emit,
			    NULL));
			weir_stage_forward(&S.st, &ev);
			if (S.every)
				maybe_snapshot();
			break;
		}
	}
	/* END: every window is final; unwindowed groups are emitted too,
	 * with --every only those changed since the last snapshot. */
	check(weir_agg_close(S.agg, INT64_MAX, !S.updates, emit, NULL));
	if (S.every)
		check(weir_agg_snapshot(S.agg, emit, NULL));
	check(weir_agg_close_all(S.agg, !S.updates && !S.every && !S.rows,
	    emit, NULL));
	if (S.late)
		weir_warn("dropped %llu late records (their window had "
		    "already closed)", (unsigned long long)S.late);
	weir_agg_rows_free(S.rows);
	weir_aggcl_free(S.cl);
	weir_agg_free(S.agg);
	weir_buf_free(&S.xout);
	weir_buf_free(&S.xtmp);
	weir_stage_finish(&S.st);
}
