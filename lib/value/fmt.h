/*
 * fmt.h - the names of the stream formats a program reads and writes
 * (framed, ndjson, csv, ...), below input.h and output.h, so that option
 * parsing knows them without linking the readers and writers.
 */
#ifndef WEIR_FMT_H
#define WEIR_FMT_H

enum {
	WEIR_FMT_AUTO = 0,	/* frames if the header is there, else NDJSON */
	WEIR_FMT_FRAMED,
	WEIR_FMT_NDJSON,
	WEIR_FMT_CSV,
	WEIR_FMT_TSV,
	WEIR_FMT_LINES,
	WEIR_FMT_RAW,
	WEIR_FMT_ENVELOPE,
	WEIR_FMT_TABLE		/* output only */
};
int weir_fmt_parse(const char *s);	/* -1 if unknown */
/* CSV or TSV for a file named *.csv or *.tsv, else WEIR_FMT_AUTO. */
int weir_fmt_guess(const char *name);
const char *weir_fmt_name(int fmt);

#endif
