/*
 * weir-filter - keep the records for which an expression is true
 * (weir-expr(7)); -v keeps the others.  Records pass through unchanged;
 * watermarks and barriers are forwarded as they come.
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>

#include "expr.h"
#include "record.h"
#include "stage.h"

static const char usage[] =
"usage: weir-filter [options] EXPR\n"
"\n"
"Keep the records for which EXPR is true (see weir-expr(7)), e.g.\n"
"  weir-filter '.amount > 50 and .page == \"/p/7\"'\n"
"\n"
"  -v, --invert          keep the records for which EXPR is not true\n"
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
"Exit status: 0 ok, 1 bad input data, 2 usage or a bad expression,\n"
"3 I/O failure or upstream ended without END.  See weir-filter(1).\n";

enum { O_ONERR = 256, O_VERSION };

static const struct option longopts[] = {
	{ "invert", no_argument, NULL, 'v' },
	{ "input-format", required_argument, NULL, 'i' },
	{ "format", required_argument, NULL, 'f' },
	{ "on-error", required_argument, NULL, O_ONERR },
	{ "help", no_argument, NULL, 'h' },
	{ "version", no_argument, NULL, O_VERSION },
	WEIR_CKPT_LONGOPTS,
	{ NULL, 0, NULL, 0 }
};

/* Compile EXPR or exit 2 with the message and a caret under the column. */
static weir_expr *
compile_or_die(const char *src)
{
	weir_buf diag = {0};
	weir_expr *e;
	int rc = weir_expr_compile_diag(&e, src, &diag);

	if (rc == 0)
		return e;
	if (rc == WEIR_FAIL_NOMEM)
		weir_die_kind(rc, "");
	fprintf(stderr, "%s: bad expression: %.*s", weir_prog, (int)diag.len,
	    (const char *)diag.p);
	exit(WEIR_EXIT_USAGE);
}

int
main(int argc, char **argv)
{
	weir_ckpt_opts ck = { 0 };
	char err[WEIR_ERRSZ];
	int c, rc, passv, readsv, invert = 0, infmt = WEIR_FMT_AUTO, outfmt = WEIR_FMT_AUTO;
	const char *onerr = "fail";
	weir_buf scratch = {0};
	weir_stage st;
	weir_event ev;
	weir_expr *e;
	weir_expr_ctx ctx;
	weir_pv root;

	weir_cli_init(argv[0]);
	while ((c = getopt_long(argc, argv, "vi:f:h", longopts, NULL)) != -1) {
		switch (c) {
		case 'v':
			invert = 1;
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
		case 'h':
			weir_cli_help(usage);
		case O_VERSION:
			weir_version();
		default:
			if (!weir_cli_ckpt_opt(&ck, c, optarg))
				weir_cli_bad_option();
		}
	}
	if (optind >= argc)
		weir_usage_error("missing EXPR (like '.amount > 10')");
	if (optind + 1 < argc)
		weir_usage_error("unexpected argument '%s' (quote the whole "
		    "expression as one argument)", argv[optind + 1]);
	e = compile_or_die(argv[optind]);
	weir_stage_open(&st, infmt, outfmt, NULL, onerr);
	weir_stage_checkpoint(&st, &ck, argc, argv, NULL);
	/* an expression without a path never reads a value: packed values
	 * go from frames to frames unchecked, the stage that reads them
	 * checks them (as weir-window's windows do) */
	readsv = weir_expr_reads_value(e);
	passv = !readsv &&
	    weir_output_format(st.out) == WEIR_FMT_FRAMED;
	weir_input_pass_values(st.in, passv);
	memset(&ctx, 0, sizeof(ctx));
	ctx.root = &root;
	while (weir_stage_next(&st, &ev)) {
		if (ev.type != WEIR_EV_RECORD) {
			weir_stage_forward(&st, &ev);
			continue;
		}
		/* the value's root only for an expression that reads it */
		root.type = WEIR_PV_MISSING;
		if (readsv &&
		    (rc = weir_expr_root(&ev.rec, &scratch, &root)) < 0)
			weir_die_kind(rc, "");
		ctx.rec = &ev.rec;
		rc = weir_expr_test(e, &ctx);
		if (rc == WEIR_FAIL_DATA) {
			/* written out as a bad record: checked first */
			if (passv && ev.rec.enc == WEIR_ENC_PACKED &&
			    weir_pack_validate(ev.rec.value, ev.rec.value_len,
			    err, sizeof(err)) < 0)
				weir_die(WEIR_EXIT_IO, "%s: record %llu: %s",
				    weir_input_name(st.in),
				    (unsigned long long)st.in_records, err);
			weir_onerr_bad_record(&st.onerr, weir_expr_error(e),
			    &ev.rec);
		}
		else if (rc < 0)
			weir_die_fail(rc, weir_expr_error(e));
		else if (rc != invert)
			weir_stage_emit(&st, &ev.rec);
	}
	weir_expr_free(e);
	weir_buf_free(&scratch);
	weir_stage_finish(&st);
}
