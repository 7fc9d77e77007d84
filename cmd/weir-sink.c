/*
 * weir-sink - a weir stream out of the pipeline: to stdout or a file, as
 * NDJSON, CSV, TSV, an aligned table, envelopes, lines, raw bytes or frames.
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "cli.h"
#include "input.h"
#include "io.h"
#include "output.h"

static const char usage[] =
"usage: weir-sink [options]\n"
"\n"
"Read a weir stream (or NDJSON) on stdin and write it out as text.\n"
"\n"
"  -f, --format FMT      ndjson, csv, tsv, table, envelope, lines, raw or\n"
"                        framed (default: table on a terminal, else ndjson)\n"
"  -o, --output FILE     write to FILE instead of stdout\n"
"  -a, --append          append to FILE instead of replacing it\n"
"      --fields A,B,...  columns for csv, tsv and table (default: the\n"
"                        first record's fields)\n"
"  -i, --input-format F  how to read text input (default ndjson)\n"
"      --on-error MODE   fail (default), skip, or a FILE for bad records\n"
"  -h, --help            this help\n"
"      --version         print the version\n"
"\n"
"Exit status: 0 ok, 1 bad input data, 2 usage, 3 I/O failure or\n"
"upstream ended without END.  See weir-sink(1).\n";

enum { O_FIELDS = 256, O_ONERR, O_VERSION };

static const struct option longopts[] = {
	{ "format", required_argument, NULL, 'f' },
	{ "output", required_argument, NULL, 'o' },
	{ "append", no_argument, NULL, 'a' },
	{ "fields", required_argument, NULL, O_FIELDS },
	{ "input-format", required_argument, NULL, 'i' },
	{ "on-error", required_argument, NULL, O_ONERR },
	{ "help", no_argument, NULL, 'h' },
	{ "version", no_argument, NULL, O_VERSION },
	{ NULL, 0, NULL, 0 }
};

int
main(int argc, char **argv)
{
	int c, fmt = WEIR_FMT_AUTO, infmt = WEIR_FMT_AUTO, append = 0, fd = 1;
	const char *file = NULL, *fields = NULL, *onerr = "fail";
	weir_input *in;
	weir_output *out;
	weir_onerr oe;
	weir_event ev;

	weir_cli_init(argv[0]);
	while ((c = getopt_long(argc, argv, "f:o:ai:h", longopts, NULL)) != -1) {
		switch (c) {
		case 'f':
			fmt = weir_fmt_parse(optarg);
			if (fmt < 0)
				weir_usage_error("unknown output format '%s'", optarg);
			break;
		case 'o':
			file = optarg;
			break;
		case 'a':
			append = 1;
			break;
		case O_FIELDS:
			fields = optarg;
			break;
		case 'i':
			infmt = weir_fmt_parse(optarg);
			if (infmt < 0 || infmt == WEIR_FMT_TABLE)
				weir_usage_error("unknown input format '%s'", optarg);
			break;
		case O_ONERR:
			onerr = optarg;
			break;
		case 'h':
			fputs(usage, stdout);
			return 0;
		case O_VERSION:
			weir_version();
		default:
			fputs("Try 'weir-sink --help' for more information.\n", stderr);
			return WEIR_EXIT_USAGE;
		}
	}
	if (optind < argc)
		weir_usage_error("unexpected argument '%s' (weir-sink reads stdin)",
		    argv[optind]);
	if (file) {
		fd = open(file, O_WRONLY | O_CREAT | O_CLOEXEC |
		    (append ? O_APPEND : O_TRUNC), 0666);
		if (fd < 0)
			weir_die(WEIR_EXIT_IO, "%s: %s", file, strerror(errno));
	}
	if (fmt == WEIR_FMT_AUTO)
		fmt = isatty(fd) ? WEIR_FMT_TABLE : WEIR_FMT_NDJSON;
	weir_onerr_parse(&oe, onerr);
	weir_sig_install();
	in = weir_input_open(0, infmt, "-");
	out = weir_output_open(fd, fmt, fields);
	if (!in || !out)
		weir_die(WEIR_EXIT_IO, "out of memory");
	weir_input_set_idle(in, weir_output_idle, out);
	for (;;) {
		int rc = 0;
		switch (weir_input_next(in, &ev, 1)) {
		case WEIR_EV_RECORD:
			rc = weir_output_record(out, &ev.rec);
			break;
		case WEIR_EV_WATERMARK:
			rc = weir_output_watermark(out, ev.wm);
			break;
		case WEIR_EV_BARRIER:
			rc = weir_output_barrier(out, ev.barrier, ev.payload,
			    ev.payload_len);
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
			if (rc == 0 && file && fsync(fd) < 0 && errno != EINVAL)
				weir_die(WEIR_EXIT_IO, "%s: %s", file, strerror(errno));
			if (rc < 0)
				goto wfail;
			weir_onerr_report(&oe);
			weir_input_close(in);
			weir_output_close(out);
			return 0;
		default:
			weir_output_flush(out);
			weir_die(WEIR_EXIT_IO, "%s", weir_input_error(in));
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
