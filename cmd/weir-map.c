/*
 * weir-map - reshape each record's value: set or compute fields
 * (NAME=EXPR, weir-expr(7)), keep or drop fields, rename them, and re-key
 * or re-time the record; --where keeps only the records for which an
 * expression is true (tested first, as SQL's WHERE before its SELECT).
 *
 * Every expression sees the record as it came in.  The new value is built
 * from the old one in one pass: --keep selects, --drop removes, then the
 * assignments (and renames) are applied, in the order of the command line.
 * Untouched members are copied as their encoded bytes.
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>

#include "edit.h"
#include "stage.h"

static const char usage[] =
"usage: weir-map [options] [NAME=EXPR...]\n"
"\n"
"Set or compute fields of each record (see weir-expr(7)), e.g.\n"
"  weir-map 'cents=.amount * 100' --drop .amount\n"
"\n"
"  NAME=EXPR             set field NAME (a name, or a path like .a.b) to the\n"
"                        value of EXPR; a missing value removes NAME\n"
"      --where EXPR      keep only the records for which EXPR is true,\n"
"                        tested before the edits (repeated: all of them)\n"
"  -k, --keep P,...      keep only these fields (then apply the rest)\n"
"  -d, --drop P,...      remove these fields\n"
"  -r, --rename OLD=NEW  move field OLD to NEW\n"
"  -K, --key EXPR        set the record key to EXPR (as text)\n"
"  -T, --time EXPR       set the event time to EXPR: a number of ms since\n"
"                        the epoch, or an ISO 8601 string\n"
"  -i, --input-format F  how to read text input (default ndjson)\n"
"  -f, --format FMT      output format (default: frames, ndjson on a\n"
"                        terminal)\n"
"      --on-error MODE   fail (default), skip, or a FILE for bad records\n"
"      --state DIR       checkpoints: the pipeline's state directory\n"
"      --name NAME       this stage's name there\n"
"      --reset-state     ignore the saved state\n"
"  -h, --help            this help\n"
"      --version         print the version\n"
"\n"
"Exit status: 0 ok, 1 bad input data (a --time that is not a time),\n"
"2 usage or a bad expression, 3 I/O failure or upstream ended without\n"
"END.  See weir-map(1).\n";

enum { O_ONERR = 256, O_VERSION, O_WHERE };

static const struct option longopts[] = {
	{ "keep", required_argument, NULL, 'k' },
	{ "drop", required_argument, NULL, 'd' },
	{ "rename", required_argument, NULL, 'r' },
	{ "key", required_argument, NULL, 'K' },
	{ "time", required_argument, NULL, 'T' },
	{ "input-format", required_argument, NULL, 'i' },
	{ "format", required_argument, NULL, 'f' },
	{ "on-error", required_argument, NULL, O_ONERR },
	{ "where", required_argument, NULL, O_WHERE },
	{ "help", no_argument, NULL, 'h' },
	{ "version", no_argument, NULL, O_VERSION },
	WEIR_CKPT_LONGOPTS,
	{ NULL, 0, NULL, 0 }
};

static weir_edit *ed;
static weir_stage st;

/* Values read unchecked (weir_edit_io): a corrupt one stops the
 * program, as a corrupt frame does. */
static void
corrupt(const char *err)
{
	weir_die(WEIR_EXIT_IO, "%s: record %llu: %s", weir_input_name(st.in),
	    (unsigned long long)st.in_records, err);
}

/* The whole value of r checked before it is written out as a bad
 * record: only what the edits read or wrote was. */
static void
check_value(const weir_record *r, int lazy)
{
	char err[WEIR_ERRSZ];

	if (lazy && r->enc == WEIR_ENC_PACKED &&
	    weir_pack_validate(r->value, r->value_len, err, sizeof(err)) < 0)
		corrupt(err);
}

/* A failed set-up call: the expression's diagnostic as it was printed
 * before, or the message. */
static void
check(int rc, const char *err)
{
	const weir_buf *d;

	if (rc >= 0)
		return;
	d = weir_edit_diag(ed);
	if (rc == WEIR_FAIL_USAGE && d->len) {
		fprintf(stderr, "%s: %s: %.*s", weir_prog, err, (int)d->len,
		    (const char *)d->p);
		exit(WEIR_EXIT_USAGE);
	}
	weir_die_fail(rc, err);
}

int
main(int argc, char **argv)
{
	weir_ckpt_opts ck = { 0 };
	int c, infmt = WEIR_FMT_AUTO, outfmt = WEIR_FMT_AUTO, i, rc;
	int lazy = -1, text;
	const char *onerr = "fail";
	char err[WEIR_ERRSZ], msg[WEIR_ERRSZ + 64];
	weir_buf raw = { 0 };
	weir_event ev;
	weir_record r;
	const uint8_t *p;
	size_t n;

	weir_cli_init(argv[0]);
	if (!(ed = weir_edit_new()))
		weir_die(WEIR_EXIT_IO, "out of memory");
	while ((c = getopt_long(argc, argv, "k:d:r:K:T:i:f:h", longopts,
	    NULL)) != -1) {
		switch (c) {
		case 'k':
			check(weir_edit_list(ed, optarg, 0, "--keep", err,
			    sizeof(err)), err);
			break;
		case 'd':
			check(weir_edit_list(ed, optarg, 1, "--drop", err,
			    sizeof(err)), err);
			break;
		case 'r':
			check(weir_edit_rename(ed, optarg, err, sizeof(err)), err);
			break;
		case 'K':
			check(weir_edit_key(ed, optarg, err, sizeof(err)), err);
			break;
		case 'T':
			check(weir_edit_time(ed, optarg, err, sizeof(err)), err);
			break;
		case 'i':
			infmt = weir_cli_infmt(optarg);
			break;
		case 'f':
			outfmt = weir_cli_outfmt(optarg);
			break;
		case O_ONERR:
			onerr = optarg;
			break;
		case O_WHERE:
			check(weir_edit_where(ed, optarg, err, sizeof(err)), err);
			break;
		case 'h':
			weir_cli_help(usage);
		case O_VERSION:
			weir_version();
		default:
			if (!weir_cli_ckpt_opt(&ck, c, optarg))
				weir_cli_bad_option();
		}
	}
	for (i = optind; i < argc; i++)
		check(weir_edit_assign(ed, argv[i], err, sizeof(err)), err);
	check(weir_edit_ready(ed, err, sizeof(err)), err);
	weir_stage_open(&st, infmt, outfmt, NULL, onerr);
	weir_stage_checkpoint(&st, &ck, argc, argv, NULL);
	/* packed values from frames unchecked: the edits check what they
	 * read and what they write out, and step over the rest; NDJSON out
	 * is written by them, not packed first */
	weir_input_pass_values(st.in, 1);
	text = st.out && weir_output_format(st.out) == WEIR_FMT_NDJSON;
	while (weir_stage_next(&st, &ev)) {
		if (ev.type != WEIR_EV_RECORD) {
			weir_stage_forward(&st, &ev);
			continue;
		}
		if (lazy < 0)	/* text in is packed (and checked) here */
			weir_edit_io(ed, lazy = weir_input_framed(st.in), text);
		rc = weir_edit_apply(ed, &ev.rec, &r, err, sizeof(err));
		if (rc == 2)	/* --where was not true */
			continue;
		if (rc == WEIR_FAIL_IO)
			corrupt(err);
		if (rc == WEIR_FAIL_DATA) {	/* an expression failed */
			check_value(&ev.rec, lazy);
			weir_onerr_bad_record(&st.onerr, err, &ev.rec);
		} else if (rc == 1) {	/* --time gave no time */
			check_value(&ev.rec, lazy);
			snprintf(msg, sizeof(msg), "record %llu: %s",
			    (unsigned long long)st.in_records, err);
			if (weir_record_bytes(&ev.rec, &raw, &p, &n) < 0 || !p)
				n = 0;
			weir_onerr_bad(&st.onerr, msg, n ? p : NULL, n);
		} else if (rc < 0)
			weir_die_fail(rc, err);
		else
			weir_stage_emit(&st, &r);
	}
	weir_edit_free(ed);
	weir_buf_free(&raw);
	weir_stage_finish(&st);
}
