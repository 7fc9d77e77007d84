/*
 * csv.h - CSV and TSV records: cells split from a buffer, a header row that
 * names the fields, and rows built as packed JSON objects (numbers stay
 * numbers, an unquoted empty cell is null, everything else a string).
 */
#ifndef WEIR_CSV_H
#define WEIR_CSV_H

#include "util.h"

typedef struct weir_csv {
	weir_buf cells;		/* unquoted cell text of the current record */
	size_t *celloff;	/* cell i is cells[celloff[i], celloff[i+1]) */
	uint8_t *cellq;		/* cell i was quoted */
	size_t cellcap;
	weir_buf hdrnames;	/* packed key strings, one after another */
	size_t *hdroff;
	size_t *hdrsrc;		/* column i takes the cell of column hdrsrc[i]
				 * (a name given twice: the last cell, in the
				 * first place); (size_t)-1: left out */
	size_t ncols;
	int have_header;
} weir_csv;

/* Split one CSV record from p[0..n).  Returns the number of cells, 0 for a
 * blank line, 0 with *used 0 when the record is not complete (more input
 * needed, unless at_eof), WEIR_FAIL_DATA on bad quoting, WEIR_FAIL_NOMEM.
 * *used: bytes of the record, *lines: the lines it spans. */
long weir_csv_split(weir_csv *c, const uint8_t *p, size_t n, int at_eof,
    size_t *used, uint64_t *lines);
/* Split one TSV line (without its newline), undoing \t \n \r \\: the
 * number of cells, or WEIR_FAIL_NOMEM. */
long weir_csv_split_tsv(weir_csv *c, const uint8_t *line, size_t n);
/* Take the current cells as the header: 0, WEIR_FAIL_DATA if not UTF-8,
 * WEIR_FAIL_NOMEM. */
int weir_csv_set_header(weir_csv *c, long ncells);
/* Build the current cells as a packed object into out (reset): 0,
 * WEIR_FAIL_DATA with why for a bad row, WEIR_FAIL_NOMEM. */
int weir_csv_row(weir_csv *c, long ncells, weir_buf *out, char *why,
    size_t whysz);
void weir_csv_free(weir_csv *c);

#endif
