/* csv.c - split CSV (RFC 4180) and TSV records, build packed rows. */
#include "csv.h"

#include <stdio.h>
#include <stdlib.h>

#include "pack.h"


/* Make room for cell i (and the end offset after it). */
static int
cell_slot(weir_csv *in, size_t i)
{
	size_t nc;
	size_t *no;
	uint8_t *nq;

	if (i < in->cellcap)
		return 0;
	nc = in->cellcap ? in->cellcap * 2 : 32;
	while (nc <= i)
		nc *= 2;
	no = realloc(in->celloff, sizeof(*no) * (nc + 1));
	if (!no)
		return -1;
	in->celloff = no;
	nq = realloc(in->cellq, nc);
	if (!nq)
		return -1;
	in->cellq = nq;
	in->cellcap = nc;
	return 0;
}

static int
cell_add(weir_csv *in, size_t i, const uint8_t *s, size_t n, int quoted)
{
	if (cell_slot(in, i) < 0)
		return -1;
	in->celloff[i] = in->cells.len;
	in->cellq[i] = (uint8_t)quoted;
	return weir_buf_put(&in->cells, s, n);
}

/* A UTF-8 byte-order mark before the header is not part of its first
 * name (as Python's utf-8-sig, mlr and DuckDB read it): its length. */
static size_t
bom(const weir_csv *in, const uint8_t *p, size_t n)
{
	return !in->have_header && n >= 3 && p[0] == 0xef && p[1] == 0xbb &&
	    p[2] == 0xbf ? 3 : 0;
}

/* Not complete: no bytes used, no cells (weir_csv_split). */
static long
more(size_t *used)
{
	*used = 0;
	return 0;
}

/*
 * Split one CSV record (RFC 4180: quotes, doubled quotes, newlines inside
 * quotes) from the reader.  Returns the number of cells, 0 for a blank
 * line or, with *used 0, when the record is not complete in the buffer,
 * WEIR_FAIL_DATA on bad quoting, WEIR_FAIL_NOMEM.
 */
long
weir_csv_split(weir_csv *in, const uint8_t *p, size_t n, int at_eof,
    size_t *used, uint64_t *nlines)
{
	const int delim = ',';
	size_t i = bom(in, p, n), nc = 0, start;
	size_t lines = 1;

	in->cells.len = 0;
	for (;;) {
		if (i < n && p[i] == '"') {
			/* quoted cell */
			size_t cstart = in->cells.len;
			i++;
			for (;;) {
				const uint8_t *q = memchr(p + i, '"', n - i);
				size_t k;
				if (!q)
					return at_eof ? WEIR_FAIL_DATA :
					    more(used);
				k = (size_t)(q - p);
				for (size_t t = i; t < k; t++)
					if (p[t] == '\n')
						lines++;
				if (weir_buf_put(&in->cells, p + i, k - i) < 0)
					return WEIR_FAIL_NOMEM;
				i = k + 1;
				if (i < n && p[i] == '"') {
					if (weir_buf_putc(&in->cells, '"') < 0)
						return WEIR_FAIL_NOMEM;
					i++;
					continue;
				}
				if (i >= n && !at_eof)
					return more(used);
				break;
			}
			if (cell_slot(in, nc) < 0)
				return WEIR_FAIL_NOMEM;
			in->celloff[nc] = cstart;
			in->cellq[nc] = 1;
			nc++;
			if (i < n && p[i] != delim && p[i] != '\n' && p[i] != '\r')
				return WEIR_FAIL_DATA;
		} else {
			start = i;
			while (i < n && p[i] != delim && p[i] != '\n')
				i++;
			if (i >= n && !at_eof)
				return more(used);
			{
				size_t e = i;
				if (e > start && p[e - 1] == '\r' && (e >= n || p[e] == '\n'))
					e--;
				if (cell_add(in, nc, p + start, e - start, 0) < 0)
					return WEIR_FAIL_NOMEM;
				nc++;
			}
		}
		if (i < n && p[i] == '\r' && i + 1 < n && p[i + 1] == '\n')
			i++;
		if (i >= n) {
			if (!at_eof)
				return more(used);
			break;
		}
		if (p[i] == '\r') {
			i++;
			if (i >= n && !at_eof)
				return more(used);
			break;
		}
		if (p[i] == '\n') {
			i++;
			break;
		}
		i++;	/* delimiter */
		if (i >= n && !at_eof)
			return more(used);
	}
	in->celloff[nc] = in->cells.len;
	*used = i;
	*nlines = lines;
	if (nc == 1 && in->cells.len == 0 && !in->cellq[0])
		return 0;
	return (long)nc;
}

long
weir_csv_split_tsv(weir_csv *in, const uint8_t *line, size_t n)
{
	size_t i = bom(in, line, n), nc = 0;

	in->cells.len = 0;
	for (;;) {
		size_t start = i;
		while (i < n && line[i] != '\t')
			i++;
		if (cell_add(in, nc, NULL, 0, 0) < 0)
			return WEIR_FAIL_NOMEM;
		for (size_t k = start; k < i; k++) {
			uint8_t c = line[k];
			if (c == '\\' && k + 1 < i) {
				uint8_t e = line[++k];
				c = e == 't' ? '\t' : e == 'n' ? '\n' : e == 'r' ? '\r' :
				    e == '\\' ? '\\' : e;
				if (e != 't' && e != 'n' && e != 'r' && e != '\\' &&
				    weir_buf_putc(&in->cells, '\\') < 0)
					return WEIR_FAIL_NOMEM;
			}
			if (weir_buf_putc(&in->cells, c) < 0)
				return WEIR_FAIL_NOMEM;
		}
		nc++;
		if (i >= n)
			break;
		i++;
	}
	in->celloff[nc] = in->cells.len;
	if (nc == 1 && in->cells.len == 0)
		return 0;
	return (long)nc;
}

/* Cell i's text; cells.p is NULL while every cell so far was empty. */
static const uint8_t *
cell_at(const weir_csv *in, size_t i)
{
	return in->cells.p ? in->cells.p + in->celloff[i] : (const uint8_t *)"";
}

static int
hdr_same(const weir_csv *in, size_t i, size_t j)
{
	size_t n = in->hdroff[i + 1] - in->hdroff[i];

	return n == in->hdroff[j + 1] - in->hdroff[j] && (n == 0 ||
	    memcmp(in->hdrnames.p + in->hdroff[i], in->hdrnames.p +
	    in->hdroff[j], n) == 0);
}

int
weir_csv_set_header(weir_csv *in, long nc)
{
	long i;

	in->hdrnames.len = 0;
	free(in->hdroff);
	in->hdroff = malloc(sizeof(size_t) * ((size_t)nc + 1));
	if (!in->hdroff)
		return WEIR_FAIL_NOMEM;
	for (i = 0; i < nc; i++) {
		const uint8_t *s = cell_at(in, (size_t)i);
		size_t n = in->celloff[i + 1] - in->celloff[i];
		in->hdroff[i] = in->hdrnames.len;
		if (!weir_utf8_valid(s, n))
			return WEIR_FAIL_DATA;
		if (weir_pack_str(&in->hdrnames, (const char *)s, n) < 0)
			return WEIR_FAIL_NOMEM;
	}
	in->hdroff[nc] = in->hdrnames.len;
	/* a name given twice: its last cell wins, in its first place */
	free(in->hdrsrc);
	if (!(in->hdrsrc = malloc(sizeof(size_t) * ((size_t)nc + 1))))
		return WEIR_FAIL_NOMEM;
	for (i = 0; i < nc; i++)
		in->hdrsrc[i] = (size_t)i;
	for (i = 0; i < nc; i++) {
		long j;
		if (in->hdrsrc[i] == (size_t)-1)
			continue;
		for (j = i + 1; j < nc; j++)
			if (hdr_same(in, (size_t)i, (size_t)j)) {
				in->hdrsrc[i] = (size_t)j;
				in->hdrsrc[j] = (size_t)-1;
			}
	}
	in->ncols = (size_t)nc;
	in->have_header = 1;
	return 0;
}

int
weir_csv_row(weir_csv *in, long nc, weir_buf *out, char *why, size_t whysz)
{
	size_t mark, i;
	int rc;

	if ((size_t)nc != in->ncols) {
		snprintf(why, whysz, "%ld fields, but the header has %zu", nc,
		    in->ncols);
		return WEIR_FAIL_DATA;
	}
	out->len = 0;
	mark = weir_pack_open(out, WEIR_PK_OBJ);
	for (i = 0; i < (size_t)nc; i++) {
		size_t c = in->hdrsrc[i];
		const uint8_t *s;
		size_t n;
		if (c == (size_t)-1)
			continue;
		s = cell_at(in, c);
		n = in->celloff[c + 1] - in->celloff[c];
		if (weir_buf_put(out, in->hdrnames.p + in->hdroff[i],
		    in->hdroff[i + 1] - in->hdroff[i]) < 0)
			return WEIR_FAIL_NOMEM;
		if (!in->cellq[c] && n == 0) {
			if (weir_pack_null(out) < 0)
				return WEIR_FAIL_NOMEM;
		} else if (!in->cellq[c] && (s[0] == '-' ||
		    (s[0] >= '0' && s[0] <= '9')) && (rc =
		    weir_pack_numtext(out, (const char *)s, n)) != WEIR_FAIL_DATA) {
			/* a number, packed as one (not a number: a string) */
			if (rc < 0)
				return rc;
		} else if ((rc = weir_pack_str(out, (const char *)s, n)) < 0) {
			if (rc == WEIR_FAIL_DATA)
				snprintf(why, whysz, "field %zu is not valid UTF-8",
				    c + 1);
			return rc;
		}
	}
	return weir_pack_close(out, mark) < 0 ? WEIR_FAIL_NOMEM : 0;
}

void
weir_csv_free(weir_csv *c)
{
	weir_buf_free(&c->hdrnames);
	weir_buf_free(&c->cells);
	free(c->hdroff);
	free(c->hdrsrc);
	free(c->celloff);
	free(c->cellq);
	memset(c, 0, sizeof(*c));
}
