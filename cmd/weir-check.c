/*
 * weir-check - data-quality rules over a record stream: a gate for CI
 * (exit 1 when an error-severity rule fails, reports CI systems read) and
 * a probe inside a pipeline (--pass forwards every record).
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "check.h"
#include "cli.h"
#include "dur.h"
#include "input.h"
#include "io.h"
#include "output.h"
#include "report.h"
#include "rules.h"
#include "stage.h"

static const char usage[] =
"usage: weir-check [options] RULES [FILE...]\n"
"       weir-check [options] --RULE ARG... [FILE...]\n"
"\n"
"Check records (FILEs, or stdin; frames or text) against data-quality\n"
"rules from a YAML file or from flags, print a report, and exit 1 when a\n"
"rule of severity error fails.\n"
"\n"
"Rules as flags (each may be repeated):\n"
"      --not-null PATH        --unique PATH  --unique-approx PATH\n"
"      --in PATH=A,B,...      --range PATH=LO..HI (LO.. or ..HI)\n"
"      --regex PATH=RE        --type PATH=T[,T]  (null boolean number\n"
"                                                integer string array object)\n"
"      --freshness [PATH=]DUR --count MIN..MAX\n"
"      --expr EXPR            (see weir-expr(7))\n"
"      --unique '[PATH, PATH]' a composite key\n"
"      --relationships PATH=FILE[:FIELD]  values present in a table\n"
"      --required PATH|[PATH,...]  --allowed PATH|[PATH,...]  (schema)\n"
"      --avg PATH=LO..HI      --min PATH=LO..HI\n"
"      --max PATH=LO..HI      --sum PATH=LO..HI\n"
"      --warn-if COND         --error-if COND  (after a rule flag: dbt's\n"
"                             thresholds on its failures, like '>10' or\n"
"                             '>=1%%')\n"
"  -r, --rules FILE           a rules file, together with rule flags\n"
"\n"
"Options:\n"
"      --report FMT           text (default), json, junit or github; may\n"
"                             be repeated, for several reports at once\n"
"  -o, --output FILE          write the report given before (or after) it\n"
"                             to FILE\n"
"      --pass                 forward every record to stdout (the report\n"
"                             then goes to stderr unless -o)\n"
"      --reject FILE          write records that fail a rule to FILE\n"
"      --reject-format FMT    ndjson (default), envelope, framed, ...\n"
"      --window DUR           judge rules per window: records from\n"
"                             weir-window in their own window, others in\n"
"                             tumbling windows of DUR by event time\n"
"      --now TIME             the time freshness is measured from (ISO\n"
"                             8601 or ms; default: the clock at the end)\n"
"      --unique-memory SIZE   memory bound of each unique set (default\n"
"                             256M)\n"
"      --allow-missing        a rule whose path matched no record passes\n"
"                             (by default it fails: a typo in a path)\n"
"      --suite NAME           the suite's name in reports\n"
"      --validate             check the rules file and exit\n"
"  -i, --input-format F       how to read text input (default ndjson)\n"
"      --on-error MODE        fail (default), skip, or a FILE for bad\n"
"                             input records\n"
"      --state DIR            keep checkpoints of the check state in DIR\n"
"                             (input from stdin only)\n"
"      --name NAME            the stage's name in DIR (default: check)\n"
"      --reset-state          start with an empty state\n"
"  -h, --help                 this help\n"
"      --version              print the version\n"
"\n"
"Exit status: 0 every error rule holds, 1 a rule failed (or bad input),\n"
"2 usage or rules file error, 3 I/O failure.  See weir-check(1).\n";

enum {
	O_NOT_NULL = 256, O_UNIQUE, O_IN, O_RANGE, O_REGEX, O_TYPE,
	O_FRESHNESS, O_COUNT, O_EXPR, O_UNIQUE_APPROX, O_RELATIONSHIPS,
	O_REQUIRED, O_ALLOWED, O_AVG, O_MIN, O_MAX, O_SUM, O_WARN_IF, O_ERROR_IF,
	O_REPORT, O_PASS, O_REJECT, O_REJECT_FMT, O_WINDOW, O_NOW, O_UMEM,
	O_SUITE, O_VALIDATE, O_ONERR, O_VERSION, O_ALLOW_MISSING
};

static const struct option longopts[] = {
	{ "not-null", required_argument, NULL, O_NOT_NULL },
	{ "unique", required_argument, NULL, O_UNIQUE },
	{ "in", required_argument, NULL, O_IN },
	{ "range", required_argument, NULL, O_RANGE },
	{ "regex", required_argument, NULL, O_REGEX },
	{ "type", required_argument, NULL, O_TYPE },
	{ "freshness", required_argument, NULL, O_FRESHNESS },
	{ "count", required_argument, NULL, O_COUNT },
	{ "expr", required_argument, NULL, O_EXPR },
	{ "unique-approx", required_argument, NULL, O_UNIQUE_APPROX },
	{ "relationships", required_argument, NULL, O_RELATIONSHIPS },
	{ "required", required_argument, NULL, O_REQUIRED },
	{ "allowed", required_argument, NULL, O_ALLOWED },
	{ "avg", required_argument, NULL, O_AVG },
	{ "min", required_argument, NULL, O_MIN },
	{ "max", required_argument, NULL, O_MAX },
	{ "sum", required_argument, NULL, O_SUM },
	{ "warn-if", required_argument, NULL, O_WARN_IF },
	{ "error-if", required_argument, NULL, O_ERROR_IF },
	{ "rules", required_argument, NULL, 'r' },
	{ "report", required_argument, NULL, O_REPORT },
	{ "output", required_argument, NULL, 'o' },
	{ "pass", no_argument, NULL, O_PASS },
	{ "reject", required_argument, NULL, O_REJECT },
	{ "reject-format", required_argument, NULL, O_REJECT_FMT },
	{ "window", required_argument, NULL, O_WINDOW },
	{ "now", required_argument, NULL, O_NOW },
	{ "unique-memory", required_argument, NULL, O_UMEM },
	{ "suite", required_argument, NULL, O_SUITE },
	{ "allow-missing", no_argument, NULL, O_ALLOW_MISSING },
	{ "validate", no_argument, NULL, O_VALIDATE },
	{ "input-format", required_argument, NULL, 'i' },
	{ "on-error", required_argument, NULL, O_ONERR },
	{ "help", no_argument, NULL, 'h' },
	{ "version", no_argument, NULL, O_VERSION },
	WEIR_CKPT_LONGOPTS,
	{ NULL, 0, NULL, 0 }
};

static const char *const flag_kind[] = {
	"not_null", "unique", "in", "range", "regex", "type", "freshness",
	"count", "expr", "unique_approx", "relationships", "required",
	"allowed", "avg", "min", "max", "sum"
};

#define MAX_REPORTS 8

struct run {
	weir_check *chk;
	weir_output *rej;	/* --reject */
	const char *rejfile;
	int infmt;
};

static int
state_save(void *arg, weir_buf *out, char *err, size_t errsz)
{
	int rc;

	if ((rc = weir_check_state_save(arg, out)) < 0)
		weir_seterr(err, errsz, "out of memory");
	return rc;
}

static int
state_load(void *arg, weir_rd *rd, char *err, size_t errsz)
{
	return weir_check_state_load(arg, rd, err, errsz);
}

static void
print_notes(weir_check *c)
{
	weir_buf *n = weir_check_notes(c);
	const char *p, *e;

	if (!n->len)
		return;
	for (p = (const char *)n->p; p < (const char *)n->p + n->len; p = e + 1) {
		e = memchr(p, '\n', (size_t)((const char *)n->p + n->len - p));
		if (!e)
			break;
		weir_warn("%.*s", (int)(e - p), p);
	}
	n->len = 0;
}

static void
check_out(weir_output *o, int rc, const char *what)
{
	int e;

	if (rc >= 0)
		return;
	e = weir_output_failed(o);
	if (rc == WEIR_FAIL_IO && e == EPIPE && !what)
		exit(WEIR_EXIT_OK);
	if (rc == WEIR_FAIL_IO && what)
		weir_die(WEIR_EXIT_IO, "%s: %s", what, strerror(e));
	weir_die_kind(rc, weir_output_error(o));
}

/* Check the stage's inputs to their end. */
static void
run_input(struct run *r, weir_stage *st)
{
	weir_check_pos pos;
	weir_event ev;
	uint64_t base = 0;	/* records of the earlier files */
	int file = st->curfile, rc;

	while (weir_stage_next(st, &ev)) {
		if (ev.type == WEIR_EV_WATERMARK) {
			if ((rc = weir_check_watermark(r->chk, ev.wm)) < 0)
				weir_die_fail(rc, "out of memory");
			weir_stage_forward(st, &ev);
			continue;
		}
		if (st->curfile != file) {	/* positions count per file */
			file = st->curfile;
			base = st->in_records - 1;
		}
		pos.file = weir_stage_file(st);
		pos.line = weir_stage_line(st);
		pos.recno = st->in_records - base;
		rc = weir_check_record(r->chk, &ev.rec, &pos);
		if (rc == WEIR_FAIL_DATA) {
			/* not counted: fail exits 1, skip counts it */
			weir_onerr_bad_record(&st->onerr,
			    weir_check_error(r->chk), &ev.rec);
			continue;
		}
		if (rc < 0)
			weir_die_kind(rc, weir_check_error(r->chk));
		print_notes(r->chk);
		weir_stage_emit(st, &ev.rec);
		if (rc && r->rej)
			check_out(r->rej, weir_output_record(r->rej, &ev.rec),
			    r->rejfile);
	}
}

/* A report to its file, or stdout (stderr when stdout carries records). */
static void
write_report(const char *file, int pass, const weir_buf *rep)
{
	static weir_ofile of;	/* static: its new file is removed at exit */
	char err[WEIR_ERRSZ];
	int rc;

	if (file) {	/* whole or not at all */
		if ((rc = weir_ofile_open(&of, file, 0, err, sizeof(err))) < 0)
			weir_die_kind(rc, err);
		if (weir_write_all(of.fd, rep->p, rep->len) < 0)
			weir_die(WEIR_EXIT_IO, "%s: %s", file, strerror(errno));
		if ((rc = weir_ofile_commit(&of, err, sizeof(err))) < 0)
			weir_die_kind(rc, err);
	} else if (weir_write_all(pass ? 2 : 1, rep->p, rep->len) < 0 &&
	    errno != EPIPE)
		weir_die(WEIR_EXIT_IO, "write: %s", strerror(errno));
}

static const char *
base_name(const char *p)
{
	const char *s = strrchr(p, '/');

	return s ? s + 1 : p;
}

int
main(int argc, char **argv)
{
	int c, i, pass = 0, validate = 0, nreports = 0, allow_missing = 0;
	int rejfmt = WEIR_FMT_NDJSON, nflags = 0, ok, fd, rc;
	const char *rulesfile = NULL, *suite = NULL, *pending = NULL;
	const char *onerr = "fail";
	char err[WEIR_ERRSZ];
	weir_rules rs;
	weir_check_opts co;
	weir_report_info info;
	weir_buf rep = {0};
	weir_ckpt_opts ck = { 0 };
	static weir_stage st;
	weir_state_ops ops = { state_save, state_load, NULL, 1 };
	struct run r;
	static weir_ofile rejf;	/* static: its new file is removed at exit */
	struct {
		int fmt;
		const char *file;
	} reports[MAX_REPORTS + 1];
	struct {
		const char *kind, *opt, *arg, *warn_if, *error_if;
	} *flags = NULL;
	int64_t t0;

	weir_cli_init(argv[0]);
	memset(&r, 0, sizeof(r));
	memset(&co, 0, sizeof(co));
	r.infmt = WEIR_FMT_AUTO;
	weir_rules_init(&rs);
	while ((c = getopt_long(argc, argv, "r:o:i:h", longopts, NULL)) != -1) {
		if (weir_cli_ckpt_opt(&ck, c, optarg))
			continue;
		switch (c) {
		case O_NOT_NULL: case O_UNIQUE: case O_IN: case O_RANGE:
		case O_REGEX: case O_TYPE: case O_FRESHNESS: case O_COUNT:
		case O_EXPR: case O_UNIQUE_APPROX: case O_RELATIONSHIPS:
		case O_REQUIRED: case O_ALLOWED: case O_AVG: case O_MIN:
		case O_MAX: case O_SUM:
			/* applied after the rules file, in this order */
			flags = realloc(flags, (size_t)(nflags + 1) *
			    sizeof(*flags));
			if (!flags)
				weir_die(WEIR_EXIT_IO, "out of memory");
			memset(&flags[nflags], 0, sizeof(*flags));
			flags[nflags].kind = flag_kind[c - O_NOT_NULL];
			flags[nflags].opt = longopts[c - O_NOT_NULL].name;
			flags[nflags++].arg = optarg;
			break;
		case O_WARN_IF:
		case O_ERROR_IF:
			/* a threshold of the rule flag just before */
			if (!nflags)
				weir_usage_error("--%s: give it after the rule "
				    "flag it is for", c == O_WARN_IF ?
				    "warn-if" : "error-if");
			if (c == O_WARN_IF)
				flags[nflags - 1].warn_if = optarg;
			else
				flags[nflags - 1].error_if = optarg;
			break;
		case 'r':
			rulesfile = optarg;
			break;
		case O_REPORT:
			if (nreports == MAX_REPORTS)
				weir_usage_error("too many reports");
			reports[nreports].file = pending;
			pending = NULL;
			if ((reports[nreports++].fmt =
			    weir_report_format_parse(optarg)) < 0)
				weir_usage_error("unknown report format '%s' "
				    "(text, json, junit or github)", optarg);
			break;
		case 'o':
			/* the report before it, or else the next one */
			if (nreports && !reports[nreports - 1].file)
				reports[nreports - 1].file = optarg;
			else if (pending)
				weir_usage_error("two -o without a --report "
				    "between them");
			else
				pending = optarg;
			break;
		case O_PASS:
			pass = 1;
			break;
		case O_REJECT:
			r.rejfile = optarg;
			break;
		case O_REJECT_FMT:
			rejfmt = weir_fmt_parse(optarg);
			if (rejfmt < 0 || rejfmt == WEIR_FMT_AUTO)
				weir_usage_error("unknown format '%s'", optarg);
			break;
		case O_WINDOW:
			if (weir_dur_parse(optarg, &co.window, err,
			    sizeof(err)) < 0 || co.window <= 0)
				weir_usage_error("--window: bad duration '%s'",
				    optarg);
			break;
		case O_NOW:
			if (weir_iso8601_parse(optarg, strlen(optarg),
			    &co.now_ms) < 0) {
				char *end;
				co.now_ms = strtoll(optarg, &end, 10);
				if (end == optarg || *end || co.now_ms <= 0)
					weir_usage_error("--now: expected an ISO "
					    "8601 time or ms, got '%s'", optarg);
			}
			break;
		case O_UMEM:
			if (!(co.unique_limit = weir_size_parse(optarg, 4096,
			    SIZE_MAX)))
				weir_usage_error("--unique-memory: bad size "
				    "'%s' (e.g. 64M; at least 4K)", optarg);
			break;
		case O_SUITE:
			suite = optarg;
			break;
		case O_VALIDATE:
			validate = 1;
			break;
		case O_ALLOW_MISSING:
			allow_missing = 1;
			break;
		case 'i':
			r.infmt = weir_cli_infmt(optarg);
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
	if (!rulesfile && !nflags) {
		if (optind >= argc)
			weir_usage_error("no rules: give a RULES file or rule "
			    "flags such as --not-null .id");
		rulesfile = argv[optind++];
	}
	if (rulesfile) {
		weir_buf text = { 0 };
		int n;

		n = weir_read_file(rulesfile, &text, 16u << 20, err,
		    sizeof(err));
		if (n == WEIR_FAIL_IO && (errno == ENOENT || errno == EISDIR ||
		    errno == EACCES))
			n = WEIR_FAIL_USAGE;	/* no such rules: config */
		if (n < 0)
			weir_die_kind(n, err);
		if (weir_buf_putc(&text, 0) < 0)
			weir_die(WEIR_EXIT_IO, "out of memory");
		n = weir_rules_parse(&rs, rulesfile, (char *)text.p,
		    text.len - 1, &rep);
		weir_buf_free(&text);
		if (n < 0)
			weir_die_kind(n, "out of memory");
		if (n > 0) {
			fwrite(rep.p, 1, rep.len, stderr);
			weir_die(WEIR_EXIT_USAGE, "%s: %d problem%s in the rules "
			    "file", rulesfile, n, n == 1 ? "" : "s");
		}
	}
	for (i = 0; i < nflags; i++) {
		if ((rc = weir_rules_add_flag(&rs, flags[i].kind, flags[i].arg,
		    err, sizeof(err))) == WEIR_FAIL_USAGE)
			weir_usage_error("--%s: %s", flags[i].opt, err);
		if (rc == 0 && (rc = weir_rules_flag_thresholds(
		    &rs.v[rs.n - 1], flags[i].warn_if, flags[i].error_if, err,
		    sizeof(err))) == WEIR_FAIL_USAGE)
			weir_usage_error("--%s %s: %s", flags[i].opt,
			    flags[i].arg, err);
		if (rc < 0)
			weir_die_kind(rc, err);
	}
	free(flags);
	for (i = 0; allow_missing && i < (int)rs.n; i++)
		rs.v[i].allow_missing = 1;
	if (validate) {
		printf("%s: %zu rules ok\n", rulesfile ? rulesfile : "flags",
		    rs.n);
		weir_rules_free(&rs);
		weir_buf_free(&rep);
		return 0;
	}
	if (!suite)
		suite = rs.suite ? rs.suite : rulesfile ? base_name(rulesfile) :
		    "weir-check";
	if (!(r.chk = weir_check_new(&rs, &co)))
		weir_die(WEIR_EXIT_IO, "out of memory");
	if ((fd = weir_check_load(r.chk, err, sizeof(err))) < 0)
		weir_die_kind(fd, err);
	if (r.rejfile) {	/* replaced only when the run finishes */
		if ((rc = weir_ofile_open(&rejf, r.rejfile, 0, err,
		    sizeof(err))) < 0)
			weir_die_kind(rc, err);
		if (!(r.rej = weir_output_open(rejf.fd, rejfmt, NULL)))
			weir_die(WEIR_EXIT_IO, "out of memory");
	}
	if (ck.dir && optind < argc && (optind + 1 < argc ||
	    strcmp(argv[optind], "-")))
		weir_usage_error("--state reads stdin only (its upstream "
		    "resumes from the committed checkpoint)");
	weir_stage_open_files(&st, argc - optind, argv + optind, r.infmt,
	    pass ? WEIR_FMT_AUTO : -1, onerr);
	ops.arg = r.chk;
	weir_stage_checkpoint(&st, &ck, argc, argv, &ops);
	t0 = weir_mono_ms();
	run_input(&r, &st);
	if ((fd = weir_check_finish(r.chk)) < 0)
		weir_die_fail(fd, "out of memory");
	print_notes(r.chk);
	weir_stage_end(&st);
	if (r.rej) {
		check_out(r.rej, weir_output_end(r.rej), r.rejfile);
		if ((rc = weir_ofile_commit(&rejf, err, sizeof(err))) < 0)
			weir_die_kind(rc, err);
	}
	info.suite = suite;
	info.records = weir_check_records(r.chk);
	info.seconds = (double)(weir_mono_ms() - t0) / 1000.0;
	if (nreports == 0 || pending) {
		reports[nreports].fmt = WEIR_REPORT_TEXT;
		reports[nreports++].file = pending;
	}
	for (i = 0; i < nreports; i++) {
		rep.len = 0;
		if ((rc = weir_report_write(&rep, reports[i].fmt, &rs,
		    weir_check_results(r.chk), &info)) < 0)
			weir_die_kind(rc, "out of memory");
		write_report(reports[i].file, pass, &rep);
	}
	ok = weir_check_ok(r.chk);
	if (r.rej)
		weir_output_close(r.rej);
	weir_check_free(r.chk);
	weir_rules_free(&rs);
	weir_buf_free(&rep);
	return ok ? WEIR_EXIT_OK : WEIR_EXIT_DATA;
}
