/* input.c - frames or text in, records out. */
#include "input.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>

#include "pack.h"
#include "record.h"

struct weir_input {
	weir_reader rd;
	weir_fdec dec;
	int want;		/* format asked for */
	int fmt;		/* format in force, 0 until sniffed */
	int ended;		/* END frame seen */
	int done;
	char name[256];
	uint64_t line;		/* text: line of the current record */
	size_t scan;		/* text: bytes already searched for '\n' */
	int discarding;		/* text: dropping an over-long line */
	weir_buf val, aux, hdrs;	/* per-record scratch, reused */
	/* CSV/TSV header */
	weir_buf hdrnames;	/* packed key strings, one after another */
	size_t *hdroff;
	size_t ncols;
	int have_header;
	weir_buf cells;		/* unquoted cell text */
	size_t *celloff;
	uint8_t *cellq;
	size_t cellcap;
	char err[WEIR_ERRSZ];
};

static const char *fmtnames[] = {
	"auto", "framed", "ndjson", "csv", "tsv", "lines", "raw", "envelope",
	"table"
};

int
weir_fmt_parse(const char *s)
{
	size_t i;

	for (i = 1; i < sizeof(fmtnames) / sizeof(fmtnames[0]); i++)
		if (!strcmp(s, fmtnames[i]))
			return (int)i;
	if (!strcmp(s, "json") || !strcmp(s, "jsonl"))
		return WEIR_FMT_NDJSON;
	return -1;
}

const char *
weir_fmt_name(int fmt)
{
	if (fmt < 0 || fmt >= (int)(sizeof(fmtnames) / sizeof(fmtnames[0])))
		return "?";
	return fmtnames[fmt];
}

weir_input *
weir_input_open(int fd, int fmt, const char *name)
{
	weir_input *in = calloc(1, sizeof(*in));

	if (!in)
		return NULL;
	if (weir_reader_init(&in->rd, fd, weir_max_record() + 64) < 0) {
		free(in);
		return NULL;
	}
	in->want = fmt;
	snprintf(in->name, sizeof(in->name), "%s",
	    !name || !strcmp(name, "-") ? "stdin" : name);
	return in;
}

void
weir_input_close(weir_input *in)
{
	if (!in)
		return;
	weir_reader_free(&in->rd);
	weir_buf_free(&in->val);
	weir_buf_free(&in->aux);
	weir_buf_free(&in->hdrs);
	weir_buf_free(&in->hdrnames);
	weir_buf_free(&in->cells);
	free(in->hdroff);
	free(in->celloff);
	free(in->cellq);
	free(in);
}

const char *
weir_input_error(const weir_input *in)
{
	return in->err;
}

int
weir_input_framed(const weir_input *in)
{
	return in->fmt == WEIR_FMT_FRAMED;
}

int
weir_input_fd(const weir_input *in)
{
	return in->rd.fd;
}

const char *
weir_input_name(const weir_input *in)
{
	return in->name;
}

uint64_t
weir_input_line(const weir_input *in)
{
	return in->fmt == WEIR_FMT_FRAMED ? 0 : in->line;
}

uint64_t
weir_input_bytes(const weir_input *in)
{
	return in->rd.consumed;
}

void
weir_input_set_idle(weir_input *in, void (*fn)(void *), void *arg)
{
	in->rd.idle = fn;
	in->rd.idle_arg = arg;
}

/* Fill; maps reader results to events (0 = got data). */
static int
fill(weir_input *in, int block)
{
	long n = weir_reader_fill(&in->rd, block);

	if (n > 0)
		return 0;
	switch (n) {
	case WEIR_IO_EOF:
		return WEIR_EV_EOF;
	case WEIR_IO_AGAIN:
		return WEIR_EV_AGAIN;
	case WEIR_IO_INTR:
		return WEIR_EV_STOP;
	case WEIR_IO_FULL:
		return -WEIR_IO_FULL;
	default:
		snprintf(in->err, sizeof(in->err), "%s: read: %s", in->name,
		    strerror(errno));
		return WEIR_EV_ERROR;
	}
}

static int
error(weir_input *in, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static int
error(weir_input *in, const char *fmt, ...)
{
	va_list ap;
	int n = snprintf(in->err, sizeof(in->err), "%s: ", in->name);

	va_start(ap, fmt);
	vsnprintf(in->err + n, sizeof(in->err) - (size_t)n, fmt, ap);
	va_end(ap);
	in->done = 1;
	return WEIR_EV_ERROR;
}

static int
bad(weir_input *in, weir_event *ev, const uint8_t *raw, size_t n,
    const char *fmt, ...) __attribute__((format(printf, 5, 6)));

static int
bad(weir_input *in, weir_event *ev, const uint8_t *raw, size_t n,
    const char *fmt, ...)
{
	va_list ap;
	int k = snprintf(in->err, sizeof(in->err), "%s:%llu: ", in->name,
	    (unsigned long long)in->line);

	va_start(ap, fmt);
	vsnprintf(in->err + k, sizeof(in->err) - (size_t)k, fmt, ap);
	va_end(ap);
	ev->raw = raw;
	ev->raw_len = n;
	return ev->type = WEIR_EV_BAD;
}

/* Decide frames or text from the first bytes. */
static int
sniff(weir_input *in, int block)
{
	int rc;

	while (weir_reader_avail(&in->rd) < WEIR_HEADER_LEN) {
		if (weir_reader_avail(&in->rd) &&
		    !weir_frame_sniff(weir_reader_data(&in->rd),
		    weir_reader_avail(&in->rd)))
			break;
		rc = fill(in, block);
		if (rc == WEIR_EV_EOF)
			break;
		if (rc)
			return rc;
	}
	if (weir_reader_avail(&in->rd) >= WEIR_HEADER_LEN &&
	    weir_frame_sniff(weir_reader_data(&in->rd), WEIR_HEADER_LEN)) {
		char why[WEIR_ERRSZ];
		if (weir_frame_check_header(weir_reader_data(&in->rd), why,
		    sizeof(why)) < 0)
			return error(in, "%s", why);
		weir_reader_consume(&in->rd, WEIR_HEADER_LEN);
		memset(&in->dec, 0, sizeof(in->dec));
		in->fmt = WEIR_FMT_FRAMED;
		return 0;
	}
	if (in->want == WEIR_FMT_FRAMED) {
		if (!weir_reader_avail(&in->rd))
			return error(in, "empty input, expected a weir frame stream");
		return error(in, "not a weir frame stream (no header)");
	}
	in->fmt = in->want == WEIR_FMT_AUTO ? WEIR_FMT_NDJSON : in->want;
	return 0;
}

static int
next_frame(weir_input *in, weir_event *ev, int block)
{
	weir_frame f;
	long used;
	int rc;
	size_t need = 0;

	for (;;) {
		used = weir_frame_parse(&in->dec, weir_reader_data(&in->rd),
		    weir_reader_avail(&in->rd), weir_max_record() + 64, &f, &need,
		    in->err, sizeof(in->err));
		if (used < 0) {
			char tmp[WEIR_ERRSZ];
			snprintf(tmp, sizeof(tmp), "%s", in->err);
			return error(in, "at byte %llu: %s",
			    (unsigned long long)in->rd.consumed, tmp);
		}
		if (used == 0) {
			rc = fill(in, block);
			if (rc == WEIR_EV_EOF) {
				in->done = 1;
				if (weir_reader_avail(&in->rd))
					return error(in, "truncated frame at byte %llu "
					    "(upstream ended in the middle of a frame)",
					    (unsigned long long)in->rd.consumed);
				return error(in, "upstream ended without END "
				    "(it may have failed); results may be incomplete");
			}
			if (rc == -WEIR_IO_FULL)
				return error(in, "frame too large at byte %llu",
				    (unsigned long long)in->rd.consumed);
			if (rc)
				return rc;
			continue;
		}
		weir_reader_consume(&in->rd, (size_t)used);
		switch (f.type) {
		case WEIR_F_RECORD:
			ev->rec = f.rec;
			return ev->type = WEIR_EV_RECORD;
		case WEIR_F_WATERMARK:
			ev->wm = f.wm;
			return ev->type = WEIR_EV_WATERMARK;
		case WEIR_F_BARRIER:
			ev->barrier = f.barrier;
			ev->payload = f.payload;
			ev->payload_len = f.payload_len;
			return ev->type = WEIR_EV_BARRIER;
		case WEIR_F_END:
			/* another stream may follow (cat a.wf b.wf) */
			while (weir_reader_avail(&in->rd) < WEIR_HEADER_LEN) {
				rc = fill(in, 1);
				if (rc == WEIR_EV_EOF)
					break;
				if (rc == WEIR_EV_STOP)
					break;
				if (rc)
					return rc;
			}
			if (weir_reader_avail(&in->rd) == 0) {
				in->ended = 1;
				return ev->type = WEIR_EV_END;
			}
			if (weir_reader_avail(&in->rd) >= WEIR_HEADER_LEN &&
			    weir_frame_sniff(weir_reader_data(&in->rd),
			    WEIR_HEADER_LEN)) {
				char why[WEIR_ERRSZ];
				if (weir_frame_check_header(weir_reader_data(&in->rd),
				    why, sizeof(why)) < 0)
					return error(in, "%s", why);
				weir_reader_consume(&in->rd, WEIR_HEADER_LEN);
				memset(&in->dec, 0, sizeof(in->dec));
				continue;
			}
			return error(in, "data after END at byte %llu",
			    (unsigned long long)in->rd.consumed);
		default:
			continue;	/* unknown, non-critical: skip */
		}
	}
}

/*
 * Next line of text: line and len without the newline (and a CR before it).
 * Returns 0, or an event type to return (END at end of input, BAD for an
 * over-long line, AGAIN/STOP/ERROR).
 */
static int
next_line(weir_input *in, weir_event *ev, int block, const uint8_t **line,
    size_t *len)
{
	for (;;) {
		const uint8_t *p = weir_reader_data(&in->rd);
		size_t avail = weir_reader_avail(&in->rd);
		const uint8_t *nl = avail > in->scan ?
		    memchr(p + in->scan, '\n', avail - in->scan) : NULL;
		int rc;

		if (nl) {
			size_t n = (size_t)(nl - p);
			weir_reader_consume(&in->rd, n + 1);
			in->scan = 0;
			in->line++;
			if (in->discarding) {
				in->discarding = 0;
				return bad(in, ev, NULL, 0,
				    "line longer than the record limit of %zu bytes "
				    "(set WEIR_MAX_RECORD to raise it)",
				    weir_max_record());
			}
			if (n && p[n - 1] == '\r')
				n--;
			*line = p;
			*len = n;
			return 0;
		}
		in->scan = avail;
		rc = fill(in, block);
		if (rc == WEIR_EV_EOF) {
			avail = weir_reader_avail(&in->rd);
			in->scan = 0;
			if (in->discarding) {
				in->discarding = 0;
				weir_reader_consume(&in->rd, avail);
				in->line++;
				return bad(in, ev, NULL, 0,
				    "line longer than the record limit of %zu bytes",
				    weir_max_record());
			}
			if (!avail) {
				in->done = 1;
				return WEIR_EV_END;
			}
			/* last line without a newline */
			p = weir_reader_data(&in->rd);
			weir_reader_consume(&in->rd, avail);
			in->line++;
			if (p[avail - 1] == '\r')
				avail--;
			*line = p;
			*len = avail;
			return 0;
		}
		if (rc == -WEIR_IO_FULL) {
			/* drop what we have and keep dropping to the newline */
			in->discarding = 1;
			weir_reader_consume(&in->rd, weir_reader_avail(&in->rd));
			in->scan = 0;
			continue;
		}
		if (rc)
			return rc;
	}
}

static int
blank(const uint8_t *s, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (s[i] != ' ' && s[i] != '\t' && s[i] != '\r')
			return 0;
	return 1;
}

static void
rec_init(weir_record *r)
{
	memset(r, 0, sizeof(*r));
	r->partition = -1;
}

static int
next_ndjson(weir_input *in, weir_event *ev, int block)
{
	const uint8_t *line;
	size_t n;
	int rc;
	char why[WEIR_ERRSZ];

	for (;;) {
		rc = next_line(in, ev, block, &line, &n);
		if (rc)
			return ev->type = rc;
		if (!blank(line, n))
			break;
	}
	in->val.len = 0;
	if (weir_pack_json(&in->val, line, n, why, sizeof(why)) < 0)
		return bad(in, ev, line, n, "%s", why);
	rec_init(&ev->rec);
	weir_record_set_packed(&ev->rec, &in->val);
	return ev->type = WEIR_EV_RECORD;
}

static int
next_lines(weir_input *in, weir_event *ev, int block)
{
	const uint8_t *line;
	size_t n;
	int rc = next_line(in, ev, block, &line, &n);

	if (rc)
		return ev->type = rc;
	rec_init(&ev->rec);
	ev->rec.enc = WEIR_ENC_BYTES;
	ev->rec.value = line;
	ev->rec.value_len = n;
	return ev->type = WEIR_EV_RECORD;
}

static int
next_raw(weir_input *in, weir_event *ev, int block)
{
	int rc;

	if (in->done)
		return ev->type = WEIR_EV_END;
	for (;;) {
		rc = fill(in, block);
		if (rc == WEIR_EV_EOF)
			break;
		if (rc == -WEIR_IO_FULL)
			return error(in, "input larger than the record limit of "
			    "%zu bytes", weir_max_record());
		if (rc)
			return ev->type = rc;
	}
	in->done = 1;
	rec_init(&ev->rec);
	ev->rec.enc = WEIR_ENC_BYTES;
	ev->rec.value = weir_reader_data(&in->rd);
	ev->rec.value_len = weir_reader_avail(&in->rd);
	weir_reader_consume(&in->rd, ev->rec.value_len);
	return ev->type = WEIR_EV_RECORD;
}

/* ---- CSV and TSV ---- */

/* Make room for cell i (and the end offset after it). */
static int
cell_slot(weir_input *in, size_t i)
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
cell_add(weir_input *in, size_t i, const uint8_t *s, size_t n, int quoted)
{
	if (cell_slot(in, i) < 0)
		return -1;
	in->celloff[i] = in->cells.len;
	in->cellq[i] = (uint8_t)quoted;
	return weir_buf_put(&in->cells, s, n);
}

/*
 * Split one CSV record (RFC 4180: quotes, doubled quotes, newlines inside
 * quotes) from the reader.  Returns the number of cells, 0 for a blank
 * line, -1 when the record is not complete in the buffer, -2 on bad quoting.
 */
static long
split_csv(weir_input *in, int delim, int at_eof, size_t *used)
{
	const uint8_t *p = weir_reader_data(&in->rd);
	size_t n = weir_reader_avail(&in->rd), i = 0, nc = 0, start;
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
					return at_eof ? -2 : -1;
				k = (size_t)(q - p);
				for (size_t t = i; t < k; t++)
					if (p[t] == '\n')
						lines++;
				if (weir_buf_put(&in->cells, p + i, k - i) < 0)
					return -2;
				i = k + 1;
				if (i < n && p[i] == '"') {
					if (weir_buf_putc(&in->cells, '"') < 0)
						return -2;
					i++;
					continue;
				}
				if (i >= n && !at_eof)
					return -1;
				break;
			}
			if (cell_slot(in, nc) < 0)
				return -2;
			in->celloff[nc] = cstart;
			in->cellq[nc] = 1;
			nc++;
			if (i < n && p[i] != delim && p[i] != '\n' && p[i] != '\r')
				return -2;
		} else {
			start = i;
			while (i < n && p[i] != delim && p[i] != '\n')
				i++;
			if (i >= n && !at_eof)
				return -1;
			{
				size_t e = i;
				if (e > start && p[e - 1] == '\r' && (e >= n || p[e] == '\n'))
					e--;
				if (cell_add(in, nc, p + start, e - start, 0) < 0)
					return -2;
				nc++;
			}
		}
		if (i < n && p[i] == '\r' && i + 1 < n && p[i + 1] == '\n')
			i++;
		if (i >= n) {
			if (!at_eof)
				return -1;
			break;
		}
		if (p[i] == '\r') {
			i++;
			if (i >= n && !at_eof)
				return -1;
			break;
		}
		if (p[i] == '\n') {
			i++;
			break;
		}
		i++;	/* delimiter */
		if (i >= n && !at_eof)
			return -1;
	}
	in->celloff[nc] = in->cells.len;
	*used = i;
	in->line += lines;
	if (nc == 1 && in->cells.len == 0 && !in->cellq[0])
		return 0;
	return (long)nc;
}

static long
split_tsv(weir_input *in, const uint8_t *line, size_t n)
{
	size_t i = 0, nc = 0;

	in->cells.len = 0;
	for (;;) {
		size_t start = i;
		while (i < n && line[i] != '\t')
			i++;
		if (cell_add(in, nc, NULL, 0, 0) < 0)
			return -2;
		for (size_t k = start; k < i; k++) {
			uint8_t c = line[k];
			if (c == '\\' && k + 1 < i) {
				uint8_t e = line[++k];
				c = e == 't' ? '\t' : e == 'n' ? '\n' : e == 'r' ? '\r' :
				    e == '\\' ? '\\' : e;
				if (e != 't' && e != 'n' && e != 'r' && e != '\\' &&
				    weir_buf_putc(&in->cells, '\\') < 0)
					return -2;
			}
			if (weir_buf_putc(&in->cells, c) < 0)
				return -2;
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

static int
is_json_number(const uint8_t *s, size_t n)
{
	weir_buf tmp = {0};
	int ok;

	if (!n || !(s[0] == '-' || (s[0] >= '0' && s[0] <= '9')))
		return 0;
	ok = weir_pack_numtext(&tmp, (const char *)s, n) == 0;
	weir_buf_free(&tmp);
	return ok;
}

static int
set_header(weir_input *in, long nc)
{
	long i;

	in->hdrnames.len = 0;
	free(in->hdroff);
	in->hdroff = malloc(sizeof(size_t) * ((size_t)nc + 1));
	if (!in->hdroff)
		return -1;
	for (i = 0; i < nc; i++) {
		const uint8_t *s = in->cells.p + in->celloff[i];
		size_t n = in->celloff[i + 1] - in->celloff[i];
		in->hdroff[i] = in->hdrnames.len;
		if (!weir_utf8_valid(s, n))
			return -2;
		if (weir_pack_str(&in->hdrnames, (const char *)s, n) < 0)
			return -1;
	}
	in->hdroff[nc] = in->hdrnames.len;
	in->ncols = (size_t)nc;
	in->have_header = 1;
	return 0;
}

static int
build_row(weir_input *in, weir_event *ev, long nc, const uint8_t *raw,
    size_t rawlen)
{
	size_t mark, i;

	if ((size_t)nc != in->ncols)
		return bad(in, ev, raw, rawlen,
		    "%ld fields, but the header has %zu", nc, in->ncols);
	in->val.len = 0;
	mark = weir_pack_open(&in->val, WEIR_PK_OBJ);
	for (i = 0; i < (size_t)nc; i++) {
		const uint8_t *s = in->cells.p + in->celloff[i];
		size_t n = in->celloff[i + 1] - in->celloff[i];
		if (weir_buf_put(&in->val, in->hdrnames.p + in->hdroff[i],
		    in->hdroff[i + 1] - in->hdroff[i]) < 0)
			return error(in, "out of memory");
		if (!in->cellq[i] && n == 0)
			weir_pack_null(&in->val);
		else if (!in->cellq[i] && is_json_number(s, n))
			weir_pack_numtext(&in->val, (const char *)s, n);
		else if (weir_pack_str(&in->val, (const char *)s, n) < 0)
			return bad(in, ev, raw, rawlen, "field %zu is not valid UTF-8",
			    i + 1);
	}
	if (weir_pack_close(&in->val, mark) < 0)
		return error(in, "out of memory");
	rec_init(&ev->rec);
	weir_record_set_packed(&ev->rec, &in->val);
	return ev->type = WEIR_EV_RECORD;
}

static int
next_csv(weir_input *in, weir_event *ev, int block)
{
	for (;;) {
		long nc;
		size_t used = 0;
		const uint8_t *raw;
		int rc;

		if (in->fmt == WEIR_FMT_TSV) {
			const uint8_t *line;
			size_t n;
			rc = next_line(in, ev, block, &line, &n);
			if (rc)
				return ev->type = rc;
			nc = split_tsv(in, line, n);
			raw = line;
			used = n;
		} else {
			nc = split_csv(in, ',', in->rd.eof, &used);
			if (nc == -1) {
				rc = fill(in, block);
				if (rc == WEIR_EV_EOF)
					continue;	/* retry with at_eof */
				if (rc == -WEIR_IO_FULL)
					return error(in, "CSV record longer than the "
					    "record limit of %zu bytes", weir_max_record());
				if (rc)
					return ev->type = rc;
				continue;
			}
			raw = weir_reader_data(&in->rd);
			if (nc == -2) {
				/* bad quoting: drop to the end of the line */
				const uint8_t *nl = memchr(raw, '\n',
				    weir_reader_avail(&in->rd));
				used = nl ? (size_t)(nl - raw) + 1 :
				    weir_reader_avail(&in->rd);
				weir_reader_consume(&in->rd, used);
				in->line++;
				if (!used) {
					in->done = 1;
					return ev->type = WEIR_EV_END;
				}
				return bad(in, ev, raw, used, "bad CSV quoting");
			}
			if (used == 0 && weir_reader_avail(&in->rd) == 0) {
				in->done = 1;
				return ev->type = WEIR_EV_END;
			}
			weir_reader_consume(&in->rd, used);
		}
		if (nc == 0)
			continue;	/* blank line */
		if (nc < 0)
			return error(in, "out of memory");
		if (!in->have_header) {
			rc = set_header(in, nc);
			if (rc == -2)
				return error(in, "line %llu: header is not valid UTF-8",
				    (unsigned long long)in->line);
			if (rc < 0)
				return error(in, "out of memory");
			continue;
		}
		return build_row(in, ev, nc, raw, used);
	}
}

/* ---- envelope ---- */

static int
env_bytes(weir_input *in, const weir_pv *v, weir_buf *dst, const uint8_t **p,
    size_t *n, int b64)
{
	const uint8_t *s;
	size_t len;
	size_t start = dst->len;

	if (v->type != WEIR_PV_STRING)
		return -1;
	if (b64) {
		if (weir_pv_str(v, &in->aux, &s, &len) < 0 ||
		    weir_b64_dec(dst, (const char *)s, len) < 0)
			return -1;
		*p = dst->p ? dst->p + start : (const uint8_t *)"";
		*n = dst->len - start;
		return 0;
	}
	if (weir_pv_str(v, dst, &s, &len) < 0)
		return -1;
	*p = s;
	*n = len;
	return 0;
}

/* A string's characters, or the bytes of a {"base64": "..."} object. */
static int
pv_bytes(const weir_pv *v, weir_buf *out)
{
	weir_pv b;
	weir_buf t = {0};
	int rc;

	if (v->type == WEIR_PV_STRING)
		return weir_pv_to_text(out, v);
	if (v->type != WEIR_PV_OBJECT || !weir_pv_member(v, "base64", 6, &b) ||
	    b.type != WEIR_PV_STRING || weir_pv_to_text(&t, &b) < 0) {
		weir_buf_free(&t);
		return -1;
	}
	rc = weir_b64_dec(out, (const char *)t.p, t.len);
	weir_buf_free(&t);
	return rc;
}

static int
next_envelope(weir_input *in, weir_event *ev, int block)
{
	const uint8_t *line;
	size_t n;
	int rc;
	char why[WEIR_ERRSZ];
	weir_pv root, v, w;
	weir_record *r = &ev->rec;
	const uint8_t *vs = NULL;
	size_t vn = 0;

	for (;;) {
		rc = next_line(in, ev, block, &line, &n);
		if (rc)
			return ev->type = rc;
		if (!blank(line, n))
			break;
	}
	in->val.len = 0;
	in->aux.len = 0;
	in->hdrs.len = 0;
	if (weir_pack_json(&in->val, line, n, why, sizeof(why)) < 0)
		return bad(in, ev, line, n, "%s", why);
	/* scratch for key/header bytes: reserve so pointers stay put */
	if (weir_buf_reserve(&in->aux, 2 * n + 16) < 0)
		return error(in, "out of memory");
	weir_pv_of(in->val.p, in->val.len, &root);
	if (root.type != WEIR_PV_OBJECT)
		return bad(in, ev, line, n, "envelope is not a JSON object");
	rec_init(r);
	if (weir_pv_member(&root, "ts", 2, &v) && v.type != WEIR_PV_NULL) {
		if (v.type != WEIR_PV_INT)
			return bad(in, ev, line, n, "envelope ts is not an integer");
		r->ts = v.i;
		r->flags |= WEIR_R_TS;
	}
	if (weir_pv_member(&root, "topic", 5, &v) && v.type != WEIR_PV_NULL) {
		const uint8_t *s;
		size_t len;
		if (env_bytes(in, &v, &in->aux, &s, &len, 0) < 0 || len == 0 ||
		    len > 249)
			return bad(in, ev, line, n, "envelope topic is not a topic name");
		r->topic = (const char *)s;
		r->topic_len = len;
		r->flags |= WEIR_R_POS;
		r->partition = -1;
		r->offset = -1;
		if (weir_pv_member(&root, "partition", 9, &w) && w.type == WEIR_PV_INT)
			r->partition = (int32_t)w.i;
		if (weir_pv_member(&root, "offset", 6, &w) && w.type == WEIR_PV_INT)
			r->offset = w.i;
	}
	if (weir_pv_member(&root, "key", 3, &v) && v.type != WEIR_PV_NULL) {
		if (env_bytes(in, &v, &in->aux, &r->key, &r->key_len, 0) < 0)
			return bad(in, ev, line, n, "envelope key is not a string");
		r->flags |= WEIR_R_KEY;
	} else if (weir_pv_member(&root, "key_base64", 10, &v) &&
	    v.type != WEIR_PV_NULL) {
		if (env_bytes(in, &v, &in->aux, &r->key, &r->key_len, 1) < 0)
			return bad(in, ev, line, n, "envelope key_base64 is not base64");
		r->flags |= WEIR_R_KEY;
	}
	if (weir_pv_member(&root, "headers", 7, &v) && v.type != WEIR_PV_NULL) {
		weir_pv_iter it;
		weir_pv pair;
		if (v.type != WEIR_PV_ARRAY)
			return bad(in, ev, line, n, "envelope headers is not an array");
		weir_pv_iter_init(&it, &v);
		while (weir_pv_iter_next(&it, NULL, &pair)) {
			weir_pv hn, hv, b;
			weir_buf name = {0}, val = {0};
			int ok = weir_pv_index(&pair, 0, &hn) &&
			    weir_pv_index(&pair, 1, &hv) &&
			    !weir_pv_index(&pair, 2, &b) &&
			    pv_bytes(&hn, &name) == 0 &&
			    (hv.type == WEIR_PV_NULL || pv_bytes(&hv, &val) == 0);
			if (ok)
				ok = weir_hdr_put(&in->hdrs, name.p ? name.p :
				    (const uint8_t *)"", name.len,
				    hv.type == WEIR_PV_NULL ? NULL : val.p ? val.p :
				    (const uint8_t *)"", val.len) == 0;
			weir_buf_free(&name);
			weir_buf_free(&val);
			if (!ok)
				return bad(in, ev, line, n,
				    "envelope header is not a [name, value] pair");
			r->nhdrs++;
		}
		r->flags |= WEIR_R_HEADERS;
		r->hdrs = in->hdrs.p;
		r->hdrs_len = in->hdrs.len;
	}
	if (weir_pv_member(&root, "window", 6, &v) && v.type != WEIR_PV_NULL) {
		weir_pv s, e;
		if (!weir_pv_index(&v, 0, &s) || !weir_pv_index(&v, 1, &e) ||
		    s.type != WEIR_PV_INT || e.type != WEIR_PV_INT || e.i < s.i)
			return bad(in, ev, line, n, "envelope window is not [start, end]");
		r->win_start = s.i;
		r->win_end = e.i;
		r->flags |= WEIR_R_WINDOW;
	}
	if (weir_pv_member(&root, "late", 4, &v) && v.type == WEIR_PV_TRUE)
		r->flags |= WEIR_R_LATE;
	if (weir_pv_member(&root, "value", 5, &v)) {
		switch (v.type) {
		case WEIR_PV_NULL:
			r->enc = WEIR_ENC_NULL;
			break;
		case WEIR_PV_STRING:
			if (env_bytes(in, &v, &in->aux, &vs, &vn, 0) < 0)
				return bad(in, ev, line, n, "bad envelope value");
			r->enc = WEIR_ENC_BYTES;
			r->value = vs;
			r->value_len = vn;
			break;
		default:
			r->enc = WEIR_ENC_PACKED;
			r->value = v.tag;
			r->value_len = (size_t)(v.end - v.tag);
		}
	} else if (weir_pv_member(&root, "value_base64", 12, &v) &&
	    v.type != WEIR_PV_NULL) {
		if (env_bytes(in, &v, &in->aux, &vs, &vn, 1) < 0)
			return bad(in, ev, line, n, "envelope value_base64 is not base64");
		r->enc = WEIR_ENC_BYTES;
		r->value = vs;
		r->value_len = vn;
	} else
		r->enc = WEIR_ENC_NULL;
	return ev->type = WEIR_EV_RECORD;
}

int
weir_input_next(weir_input *in, weir_event *ev, int block)
{
	int rc;

	ev->raw = NULL;
	ev->raw_len = 0;
	if (in->done || in->ended)
		return ev->type = in->ended || in->fmt != WEIR_FMT_FRAMED ?
		    WEIR_EV_EOF : WEIR_EV_ERROR;
	if (!in->fmt) {
		rc = sniff(in, block);
		if (rc)
			return ev->type = rc;
	}
	switch (in->fmt) {
	case WEIR_FMT_FRAMED:
		return next_frame(in, ev, block);
	case WEIR_FMT_NDJSON:
		return next_ndjson(in, ev, block);
	case WEIR_FMT_CSV:
	case WEIR_FMT_TSV:
		return next_csv(in, ev, block);
	case WEIR_FMT_LINES:
		return next_lines(in, ev, block);
	case WEIR_FMT_RAW:
		return next_raw(in, ev, block);
	case WEIR_FMT_ENVELOPE:
		return next_envelope(in, ev, block);
	default:
		return ev->type = error(in, "format %s cannot be read",
		    weir_fmt_name(in->fmt));
	}
}
