/* input.c - frames or text in, records out. */
#include "input.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>

#include "csv.h"
#include "envelope.h"
#include "pack.h"
#include "record.h"
#include "stats.h"

struct weir_input {
	weir_reader rd;
	weir_fdec dec;
	int want;		/* format asked for */
	int fmt;		/* format in force, 0 until sniffed */
	int ended;		/* END frame seen */
	int end_pending;	/* END read, looking for another stream */
	int keep_json;		/* NDJSON lines stay JSON text, validated */
	int pass_values;	/* frames: packed values not validated */
	int accept_hops;	/* HOP records given as they are */
	uint32_t hop_next;	/* a HOP record's copies: the next one, */
	weir_event hop_ev;	/* of this record */
	int done;
	int fail;		/* WEIR_FAIL_* kind of the ERROR event */
	char name[256];
	uint64_t line;		/* text: line of the current record */
	size_t scan;		/* text: bytes already searched for '\n' */
	int discarding;		/* text: dropping an over-long line */
	weir_buf val;		/* per-record scratch, reused */
	weir_envelope env;
	weir_csv csv;
	char err[WEIR_ERRSZ];
};

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
	in->want = fmt == WEIR_FMT_AUTO ? weir_fmt_guess(name) : fmt;
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
	weir_envelope_free(&in->env);
	weir_csv_free(&in->csv);
	free(in);
}

const char *
weir_input_error(const weir_input *in)
{
	return in->err;
}

int
weir_input_fail(const weir_input *in)
{
	return in->fail ? in->fail : WEIR_FAIL_IO;
}

int
weir_input_framed(const weir_input *in)
{
	return in->fmt == WEIR_FMT_FRAMED;
}

void
weir_input_keep_json(weir_input *in, int on)
{
	in->keep_json = on;
}

void
weir_input_pass_values(weir_input *in, int on)
{
	in->pass_values = on;
}

int
weir_input_format(const weir_input *in)
{
	return in->fmt;
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

/* Out of memory: the ERROR event, of that kind. */
static int
nomem(weir_input *in)
{
	snprintf(in->err, sizeof(in->err), "out of memory");
	in->fail = WEIR_FAIL_NOMEM;
	in->done = 1;
	return WEIR_EV_ERROR;
}

/* Fill; maps reader results to events (0 = got data). */
static int
fill(weir_input *in, int block)
{
	long n = weir_reader_fill(&in->rd, block);

	if (n > 0) {
		weir_stats_g.in_bytes += (uint64_t)n;
		weir_stats_tick();
		return 0;
	}
	switch (n) {
	case WEIR_IO_EOF:
		return WEIR_EV_EOF;
	case WEIR_IO_AGAIN:
		return WEIR_EV_AGAIN;
	case WEIR_IO_INTR:
		return WEIR_EV_STOP;
	case WEIR_IO_FULL:
		return -WEIR_IO_FULL;
	case WEIR_FAIL_NOMEM:
		return nomem(in);
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
			return error(in, "empty input, expected a weir frame "
			    "stream (did the program before it fail?)");
		return error(in, "not a weir frame stream (no header)");
	}
	in->fmt = in->want == WEIR_FMT_AUTO ? WEIR_FMT_NDJSON : in->want;
	return 0;
}

/*
 * After an END frame: the clean end when the input ends there, or another
 * stream when a header follows (cat a.wf b.wf).  Returns an event type, or
 * 0 to go on reading frames.  Non-blocking calls return AGAIN and resume
 * here on the next call.
 */
static int
after_end(weir_input *in, weir_event *ev, int block)
{
	char why[WEIR_ERRSZ];
	int rc;

	while (weir_reader_avail(&in->rd) < WEIR_HEADER_LEN) {
		rc = fill(in, block);
		if (rc == WEIR_EV_EOF || rc == WEIR_EV_STOP)
			break;
		if (rc)
			return ev->type = rc;
	}
	in->end_pending = 0;
	if (weir_reader_avail(&in->rd) == 0) {
		in->ended = 1;
		return ev->type = WEIR_EV_END;
	}
	if (weir_reader_avail(&in->rd) >= WEIR_HEADER_LEN &&
	    weir_frame_sniff(weir_reader_data(&in->rd), WEIR_HEADER_LEN)) {
		if (weir_frame_check_header(weir_reader_data(&in->rd), why,
		    sizeof(why)) < 0)
			return error(in, "%s", why);
		weir_reader_consume(&in->rd, WEIR_HEADER_LEN);
		memset(&in->dec, 0, sizeof(in->dec));
		return 0;
	}
	return error(in, "data after END at byte %llu",
	    (unsigned long long)in->rd.consumed);
}

static int
next_frame(weir_input *in, weir_event *ev, int block)
{
	weir_frame f;
	long used;
	int rc;
	size_t need = 0;

	if (in->end_pending && (rc = after_end(in, ev, block)) != 0)
		return rc;
	for (;;) {
		in->dec.trusted = in->pass_values;
		/* a record straight into ev: copying it from f stalled */
		used = weir_frame_parse_rec(&in->dec, weir_reader_data(&in->rd),
		    weir_reader_avail(&in->rd), weir_max_record() + 64, &f,
		    &ev->rec, &need, in->err, sizeof(in->err));
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
			in->end_pending = 1;
			rc = after_end(in, ev, block);
			if (rc)
				return rc;
			continue;
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

/* Zeroed in halves: GCC makes one memset (or a copy of a zero record)
 * of this size a "rep stos", whose start-up was ~8% of weir-source's
 * NDJSON CPU; halves are a few vector stores. */
static void
rec_init(weir_record *r)
{
	size_t h = sizeof(*r) / 2;

	memset(r, 0, h);
	memset((uint8_t *)r + h, 0, sizeof(*r) - h);
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
	rc = weir_pack_json(&in->val, line, n, why, sizeof(why));
	if (rc == WEIR_FAIL_NOMEM)
		return ev->type = nomem(in);
	if (rc < 0)
		return bad(in, ev, line, n, "%s", why);
	rec_init(&ev->rec);
	if (in->keep_json) {
		ev->rec.enc = WEIR_ENC_JSON;
		ev->rec.value = line;
		ev->rec.value_len = n;
	} else
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

static int
next_csv(weir_input *in, weir_event *ev, int block)
{
	char why[WEIR_ERRSZ];

	for (;;) {
		long nc;
		size_t used = 0;
		uint64_t lines = 0;
		const uint8_t *raw;
		int rc;

		if (in->fmt == WEIR_FMT_TSV) {
			const uint8_t *line;
			size_t n;
			rc = next_line(in, ev, block, &line, &n);
			if (rc)
				return ev->type = rc;
			nc = weir_csv_split_tsv(&in->csv, line, n);
			raw = line;
			used = n;
		} else {
			raw = weir_reader_data(&in->rd);
			nc = weir_csv_split(&in->csv, raw, weir_reader_avail(&in->rd),
			    in->rd.eof, &used, &lines);
			if (nc == 0 && used == 0 && !in->rd.eof) {
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
			if (nc == WEIR_FAIL_DATA) {
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
			in->line += lines;
			weir_reader_consume(&in->rd, used);
		}
		if (nc == 0)
			continue;	/* blank line */
		if (nc < 0)
			return ev->type = nomem(in);
		if (!in->csv.have_header) {
			rc = weir_csv_set_header(&in->csv, nc);
			if (rc == WEIR_FAIL_DATA) {
				/* bad data, though no one record to skip */
				in->fail = WEIR_FAIL_DATA;
				return error(in, "line %llu: header is not valid UTF-8",
				    (unsigned long long)in->line);
			}
			if (rc < 0)
				return ev->type = nomem(in);
			continue;
		}
		rc = weir_csv_row(&in->csv, nc, &in->val, why, sizeof(why));
		if (rc == WEIR_FAIL_DATA)
			return bad(in, ev, raw, used, "%s", why);
		if (rc < 0)
			return ev->type = nomem(in);
		rec_init(&ev->rec);
		weir_record_set_packed(&ev->rec, &in->val);
		return ev->type = WEIR_EV_RECORD;
	}
}

static int
next_envelope(weir_input *in, weir_event *ev, int block)
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
	rc = weir_envelope_parse(&in->env, line, n, &ev->rec, why,
	    sizeof(why));
	if (rc == WEIR_FAIL_NOMEM)
		return ev->type = nomem(in);
	if (rc < 0)
		return bad(in, ev, line, n, "%s", why);
	return ev->type = WEIR_EV_RECORD;
}

static int
input_next(weir_input *in, weir_event *ev, int block)
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

void
weir_input_accept_hops(weir_input *in, int on)
{
	in->accept_hops = on;
}

/* Copy k of the HOP record in hop_ev: an ordinary record of one window
 * (its bytes stay put: no read happens until the last copy is out). */
static int
hop_copy(weir_input *in, weir_event *ev)
{
	uint32_t k = in->hop_next++;
	int64_t d = (int64_t)k * in->hop_ev.rec.hop_advance;

	*ev = in->hop_ev;
	ev->rec.flags &= ~(unsigned)WEIR_R_HOP;
	ev->rec.win_start += d;
	ev->rec.win_end += d;
	ev->rec.hop_advance = 0;
	ev->rec.hop_count = 0;
	if (in->hop_next == in->hop_ev.rec.hop_count)
		in->hop_next = 0;
	return ev->type = WEIR_EV_RECORD;
}

/* Every event passes here: count records and watermarks for weir-run. */
int
weir_input_next(weir_input *in, weir_event *ev, int block)
{
	int rc;

	if (in->hop_next)
		rc = hop_copy(in, ev);
	else if ((rc = input_next(in, ev, block)) == WEIR_EV_RECORD &&
	    (ev->rec.flags & WEIR_R_HOP) && !in->accept_hops) {
		in->hop_ev = *ev;
		rc = hop_copy(in, ev);
	}
	if (rc == WEIR_EV_RECORD)
		weir_stats_g.in++;
	else if (rc == WEIR_EV_WATERMARK && ev->wm > weir_stats_g.wm_in)
		weir_stats_g.wm_in = ev->wm;
	return rc;
}

void
weir_input_require_frames(weir_input *in)
{
	in->want = WEIR_FMT_FRAMED;
}
