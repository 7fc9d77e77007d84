/* output.c - frames or text out. */
#include "output.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "envelope.h"
#include "pack.h"
#include "path.h"
#include "record.h"
#include "stats.h"
#include "textwidth.h"
#include "timefmt.h"

#define TABLE_BATCH 1000
#define DROP_NAMES 32		/* dropped fields named; then "other fields" */

struct weir_output {
	weir_writer w;
	weir_fenc enc;
	int fmt;
	int started;		/* frame header or text header written */
	int failed;
	uint64_t records;
	weir_buf scratch, scratch2;
	/* csv/tsv/table columns */
	char **cols;
	size_t *collen;
	size_t ncols;
	uint8_t *colnew;	/* column named as none before it (col_first) */
	size_t nuniq;		/* columns colnew is for */
	/* table: buffered cells */
	weir_buf cells;
	size_t *celloff;	/* ncols * rows + 1 offsets */
	uint8_t *cellnum;	/* right-align this cell */
	size_t rows, cellcap;
	size_t *width;
	int header_done;
	char err[WEIR_ERRSZ];	/* why a record was refused */
	/* columns from the first record: the fields other records drop */
	int cols_given;		/* --fields: dropping is what was asked */
	weir_buf dropnames;	/* names, NUL-terminated, one after another */
	size_t *dropoff;
	uint64_t *dropcount;
	size_t ndrop;
	/* --all-fields: every record held to the end, columns their union */
	int all_fields;
	weir_buf held;		/* varint length, packed value; ... */
	size_t maxrec;		/* weir_max_record() */
	int timefmt;		/* ts, window_start, window_end cells */
	size_t maxwidth;	/* table: fit in this many columns (0: any) */
	/* weir_output_open_record: where its frame starts, the room left
	 * there for the frame's head (the last head's size) */
	size_t open_at, open_head;
};

static int
add_col(weir_output *o, const char *s, size_t n)
{
	char **nc = realloc(o->cols, sizeof(*nc) * (o->ncols + 1));
	size_t *nl;

	if (!nc)
		return -1;
	o->cols = nc;
	nl = realloc(o->collen, sizeof(*nl) * (o->ncols + 1));
	if (!nl)
		return -1;
	o->collen = nl;
	o->cols[o->ncols] = malloc(n + 1);
	if (!o->cols[o->ncols])
		return -1;
	memcpy(o->cols[o->ncols], s, n);
	o->cols[o->ncols][n] = 0;
	o->collen[o->ncols] = n;
	o->ncols++;
	return 0;
}

/* --fields: names or .name, or .["a,b"] (the one path-list parser); 0 or
 * a kind: WEIR_FAIL_USAGE for one that is not a field name. */
static int
add_cols(weir_output *o, const char *fields, char *err, size_t errsz)
{
	char **items;
	size_t n, i;
	weir_path p;
	int rc = 0;

	if ((rc = weir_path_list(&items, &n, fields, err, errsz)) < 0)
		return rc;
	for (i = 0; i < n && rc == 0; i++) {
		const char *s = items[i];
		if (s[0] == '.') {	/* a path: of one name */
			if ((rc = weir_path_parse(&p, s, err, errsz)) < 0)
				break;
			if (p.nsteps == 1 && !p.steps[0].is_index)
				rc = add_col(o, p.steps[0].key,
				    p.steps[0].key_len) < 0 ? WEIR_FAIL_NOMEM : 0;
			else {
				weir_seterr(err, errsz, "%s is not a top-level "
				    "field name (a name with a dot is written "
				    ".[\"a.b\"])", s);
				rc = WEIR_FAIL_USAGE;
			}
			weir_path_free(&p);
		} else if (add_col(o, s, strlen(s)) < 0)
			rc = WEIR_FAIL_NOMEM;
	}
	if (rc == WEIR_FAIL_NOMEM)
		weir_seterr(err, errsz, "out of memory");
	free(items);
	return rc;
}

weir_output *
weir_output_open(int fd, int fmt, const char *fields)
{
	weir_output *o;

	return weir_output_open_fields(&o, fd, fmt, fields, NULL, 0) < 0 ?
	    NULL : o;
}

int
weir_output_open_fields(weir_output **out, int fd, int fmt,
    const char *fields, char *err, size_t errsz)
{
	weir_output *o = calloc(1, sizeof(*o));
	int rc;

	weir_seterr(err, errsz, "out of memory");
	if (!o)
		return WEIR_FAIL_NOMEM;
	weir_writer_init(&o->w, fd);
	o->maxrec = weir_max_record();
	o->open_head = 5;	/* type, 2-byte length, flags, time */
	if (fmt == WEIR_FMT_AUTO)
		fmt = isatty(fd) ? WEIR_FMT_NDJSON : WEIR_FMT_FRAMED;
	o->fmt = fmt;
	/* The frame header goes out now, before the program does anything
	 * that may fail: a reader then sees a stream cut short (no END) and
	 * fails too, instead of an empty input it would take as a clean end.
	 * A failed write is remembered for the first record. */
	if (fmt == WEIR_FMT_FRAMED) {
		o->started = 1;
		if (weir_frame_put_header(&o->w.buf) < 0) {
			weir_output_close(o);
			return WEIR_FAIL_NOMEM;
		}
		(void)weir_writer_flush(&o->w);
	}
	if (fields) {
		o->cols_given = 1;
		if ((rc = add_cols(o, fields, err, errsz)) < 0) {
			weir_output_close(o);
			return rc;
		}
	}
	*out = o;
	return 0;
}

void
weir_output_close(weir_output *o)
{
	size_t i;

	if (!o)
		return;
	weir_writer_free(&o->w);
	weir_buf_free(&o->scratch);
	weir_buf_free(&o->scratch2);
	weir_buf_free(&o->cells);
	weir_buf_free(&o->dropnames);
	weir_buf_free(&o->held);
	free(o->dropoff);
	free(o->dropcount);
	for (i = 0; i < o->ncols; i++)
		free(o->cols[i]);
	free(o->cols);
	free(o->collen);
	free(o->colnew);
	free(o->celloff);
	free(o->cellnum);
	free(o->width);
	free(o);
}

int
weir_output_format(const weir_output *o)
{
	return o->fmt;
}

void
weir_output_resume(weir_output *o)
{
	o->header_done = 1;
}

int
weir_output_failed(const weir_output *o)
{
	return o->w.failed;
}

uint64_t
weir_output_records(const weir_output *o)
{
	return o->records;
}

uint64_t
weir_output_bytes(const weir_output *o)
{
	return o->w.written + o->w.buf.len;
}

static int
start(weir_output *o)
{
	if (o->started)
		return 0;
	o->started = 1;
	if (o->fmt == WEIR_FMT_FRAMED)
		return weir_frame_put_header(&o->w.buf);
	return 0;
}

static int
put_json_value(weir_output *o, weir_buf *b, const weir_record *r)
{
	return weir_output_json(b, r, &o->scratch);
}

/* Append the value as one JSON text (as -f ndjson writes it). */
int
weir_output_json(weir_buf *b, const weir_record *r, weir_buf *scratch)
{
	weir_pv pv;
	int oneline, rc;

	switch (r->enc) {
	case WEIR_ENC_NULL:
		return weir_buf_put(b, "null", 4);
	case WEIR_ENC_PACKED:
		weir_pv_of(r->value, r->value_len, &pv);
		return weir_pv_to_json(b, &pv);
	default:
		/* JSON text as it is, unless it spans lines: then minified,
		 * so NDJSON stays one record per line */
		oneline = !memchr(r->value, '\n', r->value_len) &&
		    !memchr(r->value, '\r', r->value_len);
		if (r->enc == WEIR_ENC_JSON && oneline)
			return weir_buf_put(b, r->value, r->value_len);
		scratch->len = 0;
		rc = weir_pack_json(scratch, r->value, r->value_len, NULL, 0);
		if (rc == WEIR_FAIL_NOMEM)
			return -1;
		if (rc == 0) {
			if (oneline)
				return weir_buf_put(b, r->value, r->value_len);
			weir_pv_of(scratch->p, scratch->len, &pv);
			return weir_pv_to_json(b, &pv);
		}
		if (weir_utf8_valid(r->value, r->value_len))
			return weir_json_str(b, r->value, r->value_len);
		/* not text: keep it readable and valid JSON */
		{
			size_t i;
			if (weir_buf_putc(b, '"') < 0)
				return -1;
			for (i = 0; i < r->value_len; i++) {
				uint8_t c = r->value[i];
				if (c >= 0x20 && c < 0x7f && c != '"' && c != '\\') {
					if (weir_buf_putc(b, c) < 0)
						return -1;
				} else if (weir_buf_printf(b, "\\u%04x", c) < 0)
					return -1;
			}
			return weir_buf_putc(b, '"');
		}
	}
}

/* ---- csv, tsv, table ---- */

static int
cols_from(weir_output *o, const weir_pv *root)
{
	weir_pv_iter it;
	weir_pv k, v;

	if (root->type != WEIR_PV_OBJECT)
		return add_col(o, "value", 5);
	weir_pv_iter_init(&it, root);
	while (weir_pv_iter_next(&it, &k, &v)) {
		size_t mark = o->scratch2.len;
		if (weir_pv_to_text(&o->scratch2, &k) < 0 ||
		    add_col(o, (const char *)o->scratch2.p + mark,
		    o->scratch2.len - mark) < 0)
			return -1;
		o->scratch2.len = mark;
	}
	return 0;
}

static int
col_index(const weir_output *o, const uint8_t *s, size_t n)
{
	size_t i;

	for (i = 0; i < o->ncols; i++)
		if (o->collen[i] == n && !memcmp(o->cols[i], s, n))
			return (int)i;
	return -1;
}

static size_t
members(const weir_pv *root)
{
	weir_pv_iter it;
	weir_pv k, v;
	size_t n = 0;

	weir_pv_iter_init(&it, root);
	while (weir_pv_iter_next(&it, &k, &v))
		n++;
	return n;
}

/* Count each field of root that is not a column (found: the columns it
 * has).  Only a record with more members than that is looked at. */
static int
note_dropped(weir_output *o, const weir_pv *root, size_t found)
{
	weir_pv_iter it;
	weir_pv k, v;
	size_t i, mark = o->scratch2.len;

	if (o->cols_given || root->type != WEIR_PV_OBJECT ||
	    members(root) <= found)
		return 0;
	weir_pv_iter_init(&it, root);
	while (weir_pv_iter_next(&it, &k, &v)) {
		const char *name;
		size_t n;
		o->scratch2.len = mark;
		if (weir_pv_to_text(&o->scratch2, &k) < 0)
			return -1;
		name = (const char *)o->scratch2.p + mark;
		n = o->scratch2.len - mark;
		if (col_index(o, (const uint8_t *)name, n) >= 0)
			continue;
		for (i = 0; i < o->ndrop; i++) {
			size_t dn = (i + 1 < o->ndrop ? o->dropoff[i + 1] :
			    o->dropnames.len) - o->dropoff[i] - 1;
			if (dn == n + 7 && !memcmp(o->dropnames.p + o->dropoff[i] +
			    7, name, n))
				break;
		}
		if (i == o->ndrop && i == DROP_NAMES)
			i--;	/* the last entry counts all the others */
		if (i == o->ndrop) {
			size_t *no = realloc(o->dropoff, sizeof(*no) * (i + 1));
			uint64_t *nc;
			if (!no)
				return -1;
			o->dropoff = no;
			nc = realloc(o->dropcount, sizeof(*nc) * (i + 1));
			if (!nc)
				return -1;
			o->dropcount = nc;
			o->dropoff[i] = o->dropnames.len;
			o->dropcount[i] = 0;
			if ((i + 1 < DROP_NAMES ?
			    weir_buf_puts(&o->dropnames, "field .") < 0 ||
			    weir_buf_put(&o->dropnames, name, n) < 0 :
			    weir_buf_puts(&o->dropnames, "other fields") < 0) ||
			    weir_buf_putc(&o->dropnames, 0) < 0)
				return -1;
			o->ndrop++;
		}
		o->dropcount[i]++;
	}
	o->scratch2.len = mark;
	return 0;
}

size_t
weir_output_ndropped(const weir_output *o)
{
	return o->ndrop;
}

const char *
weir_output_dropped(const weir_output *o, size_t i, uint64_t *count)
{
	if (i >= o->ndrop)
		return NULL;
	*count = o->dropcount[i];
	return (const char *)o->dropnames.p + o->dropoff[i];
}

/* The columns --time-format formats: the event time and window bounds. */
static int
is_time_col(const char *s, size_t n)
{
	return (n == 2 && !memcmp(s, "ts", 2)) ||
	    (n == 12 && !memcmp(s, "window_start", 12)) ||
	    (n == 10 && !memcmp(s, "window_end", 10));
}

/* An integer number of ms as o->timefmt text: 1 (a string cell), or 2 (a
 * number, as it is) when it is not an integer. */
static int
time_cell(weir_output *o, const weir_pv *v, weir_buf *b)
{
	size_t at = b->len, i;
	char t[64];
	int64_t ms = 0;
	int neg;

	if (weir_pv_to_text(b, v) < 0)
		return -1;
	neg = at < b->len && b->p[at] == '-';
	if (b->len - at < 1 + (size_t)neg || b->len - at > 18)
		return 2;
	for (i = at + (size_t)neg; i < b->len; i++) {
		if (b->p[i] < '0' || b->p[i] > '9')
			return 2;
		ms = ms * 10 + (b->p[i] - '0');
	}
	b->len = at;
	return weir_buf_put(b, t, weir_time_text(t, sizeof(t),
	    neg ? -ms : ms, o->timefmt)) < 0 ? -1 :
	    o->timefmt == WEIR_TIME_ISO8601 ? 1 : 2;
}

void
weir_output_set_time_format(weir_output *o, int timefmt)
{
	o->timefmt = timefmt;
}

void
weir_output_set_width(weir_output *o, size_t cols)
{
	o->maxwidth = cols;
}

/* Is column i named as no column before it?  (Then, while the members of
 * a record come in column order, the next member with its name is the
 * first one, the one weir_pv_member finds.) */
static int
col_first(weir_output *o, size_t i)
{
	size_t j, k;

	if (o->nuniq != o->ncols) {
		free(o->colnew);
		if (!(o->colnew = malloc(o->ncols ? o->ncols : 1))) {
			o->nuniq = 0;
			return 0;
		}
		for (j = 0; j < o->ncols; j++) {
			o->colnew[j] = 1;
			for (k = 0; k < j && o->colnew[j]; k++)
				if (o->collen[k] == o->collen[j] &&
				    !memcmp(o->cols[k], o->cols[j], o->collen[j]))
					o->colnew[j] = 0;
		}
		o->nuniq = o->ncols;
	}
	return o->colnew[i];
}

/* The member of object root that column i names: 1 with *v, or 0.  *at
 * walks the members in column order (records of one shape: no search);
 * on any other member it is set to NULL and weir_pv_member looks. */
static int
col_member(weir_output *o, const weir_pv *root, size_t i,
    const uint8_t **at, weir_pv *v)
{
	const uint8_t *p = *at, *end = root->s + root->n;
	size_t kl;

	if (p && p < end && (*p & 0xe0) == WEIR_PK_SSTR &&
	    (kl = *p & 0x1f) == o->collen[i] && (size_t)(end - p - 1) > kl &&
	    !memcmp(p + 1, o->cols[i], kl) && col_first(o, i)) {
		if (!(p = weir_pv_read(p + 1 + kl, end, v)))
			return *at = NULL, 0;
		*at = p;
		return 1;
	}
	*at = NULL;
	return weir_pv_member(root, o->cols[i], o->collen[i], v);
}

/* The value of column i: 0 null or missing, 1 with *v; *found counts the
 * columns the record has, *at is col_member's walk (root->s at first). */
static int
cell_value(weir_output *o, const weir_pv *root, size_t i, const uint8_t **at,
    size_t *found, weir_pv *v)
{
	if (root->type != WEIR_PV_OBJECT) {
		if (root->type == WEIR_PV_MISSING || root->type == WEIR_PV_NULL)
			return 0;
		*v = *root;
		return 1;
	}
	if (!col_member(o, root, i, at, v))
		return 0;
	++*found;
	return v->type != WEIR_PV_NULL;
}

/* Column i's cell text for v into b: returns 1 string, 2 number, 3 other. */
static int
cell_text(weir_output *o, const weir_pv *v, size_t i, weir_buf *b)
{
	if (o->timefmt != WEIR_TIME_MS && weir_pv_is_num(v) &&
	    is_time_col(o->cols[i], o->collen[i]))
		return time_cell(o, v, b);
	if (weir_pv_to_text(b, v) < 0)
		return -1;
	return v->type == WEIR_PV_STRING ? 1 : weir_pv_is_num(v) ? 2 : 3;
}

/* Cell text for column i: returns 0 null/missing, 1 string, 2 number/other;
 * *found counts the columns the record has. */
static int
cell(weir_output *o, const weir_pv *root, size_t i, weir_buf *b,
    const uint8_t **at, size_t *found)
{
	weir_pv v;

	if (!cell_value(o, root, i, at, found, &v))
		return 0;
	return cell_text(o, &v, i, b);
}

/* 1 if s[0..n) holds byte a, b, c or d: 8 bytes at a time (a zero byte
 * in x ^ a...a shows as a high bit of (y - 0x01..) & ~y & 0x80..). */
static int
has_any4(const uint8_t *s, size_t n, uint8_t a, uint8_t b, uint8_t c,
    uint8_t d)
{
	const uint64_t lo = UINT64_C(0x0101010101010101),
	    hi = UINT64_C(0x8080808080808080);
	size_t i = 0;

#define ZB(y) (((y) - lo) & ~(y) & hi)
	for (; i + 8 <= n; i += 8) {
		uint64_t x, ya, yb, yc, yd;
		memcpy(&x, s + i, 8);
		ya = x ^ (lo * a);
		yb = x ^ (lo * b);
		yc = x ^ (lo * c);
		yd = x ^ (lo * d);
		if (ZB(ya) | ZB(yb) | ZB(yc) | ZB(yd))
			return 1;
	}
#undef ZB
	for (; i < n; i++)
		if (s[i] == a || s[i] == b || s[i] == c || s[i] == d)
			return 1;
	return 0;
}

static int
csv_field(weir_buf *b, const uint8_t *s, size_t n, int kind, int tsv)
{
	size_t i;

	if (tsv) {
		if (!has_any4(s, n, '\t', '\n', '\r', '\\'))
			return weir_buf_put(b, s, n);
		for (i = 0; i < n; i++) {
			const char *e = s[i] == '\t' ? "\\t" : s[i] == '\n' ? "\\n" :
			    s[i] == '\r' ? "\\r" : s[i] == '\\' ? "\\\\" : NULL;
			if (e ? weir_buf_puts(b, e) : weir_buf_putc(b, s[i]))
				return -1;
		}
		return 0;
	}
	if (kind == 1 && n == 0)
		return weir_buf_put(b, "\"\"", 2);
	if (!has_any4(s, n, ',', '"', '\n', '\r'))
		return weir_buf_put(b, s, n);
	if (weir_buf_putc(b, '"') < 0)
		return -1;
	for (i = 0; i < n; i++) {
		if (s[i] == '"' && weir_buf_putc(b, '"') < 0)
			return -1;
		if (weir_buf_putc(b, s[i]) < 0)
			return -1;
	}
	return weir_buf_putc(b, '"');
}

static int
put_csv(weir_output *o, const weir_pv *rootp, int tsv)
{
	weir_pv root = *rootp;
	weir_buf *b = &o->w.buf;
	size_t i, found = 0;
	const uint8_t *at;

	if (!o->ncols && cols_from(o, &root) < 0)
		return -1;
	if (!o->header_done) {
		o->header_done = 1;
		for (i = 0; i < o->ncols; i++) {
			if (i && weir_buf_putc(b, tsv ? '\t' : ',') < 0)
				return -1;
			if (csv_field(b, (const uint8_t *)o->cols[i], o->collen[i], 1,
			    tsv) < 0)
				return -1;
		}
		if (weir_buf_putc(b, '\n') < 0)
			return -1;
	}
	at = root.type == WEIR_PV_OBJECT ? root.s : NULL;
	for (i = 0; i < o->ncols; i++) {
		weir_pv v;
		int kind;
		if (i && weir_buf_putc(b, tsv ? '\t' : ',') < 0)
			return -1;
		if (!cell_value(o, &root, i, &at, &found, &v))
			continue;
		/* plain strings from where they are, integers and decimals
		 * (no character to quote) straight into the output */
		if (v.type == WEIR_PV_STRING && !v.escaped) {
			if (csv_field(b, v.s, v.n, 1, tsv) < 0)
				return -1;
			continue;
		}
		if ((v.type == WEIR_PV_INT || v.type == WEIR_PV_DEC) &&
		    (o->timefmt == WEIR_TIME_MS ||
		    !is_time_col(o->cols[i], o->collen[i]))) {
			if ((v.type == WEIR_PV_INT ? weir_json_put_i64(b, v.i) :
			    weir_json_put_dec(b, v.i, v.scale)) < 0)
				return -1;
			continue;
		}
		o->scratch2.len = 0;
		kind = cell_text(o, &v, i, &o->scratch2);
		if (kind < 0)
			return -1;
		if (csv_field(b, o->scratch2.p, o->scratch2.len, kind, tsv) < 0)
			return -1;
	}
	o->scratch2.len = 0;
	/* every member was a column, in order: none dropped */
	if (!(at && at == root.s + root.n) &&
	    note_dropped(o, &root, found) < 0)
		return -1;
	return weir_buf_putc(b, '\n');
}

#define display_width weir_text_width

/* Is column j numbers in the rows held? */
static int
num_col(const weir_output *o, size_t j)
{
	size_t i;

	for (i = 0; i < o->rows; i++)
		if (o->cellnum[i * o->ncols + j])
			return 1;
	return 0;
}

/* Narrow the widest columns until the table fits in o->maxwidth: text
 * before numbers, none below 4 columns. */
static void
table_fit(weir_output *o)
{
	size_t j, wide, total = 2 * (o->ncols - 1);
	int nums;

	for (j = 0; j < o->ncols; j++)
		total += o->width[j];
	for (nums = 0; nums < 2 && total > o->maxwidth; nums++)
		while (total > o->maxwidth) {
			for (wide = o->ncols, j = 0; j < o->ncols; j++)
				if (o->width[j] > 4 && num_col(o, j) == nums &&
				    (wide == o->ncols ||
				    o->width[j] > o->width[wide]))
					wide = j;
			if (wide == o->ncols)
				break;
			o->width[wide]--;
			total--;
		}
}

/* Text s[0..n) in at most max columns, cut with an ellipsis; its width. */
static int
put_fitted(weir_buf *b, const uint8_t *s, size_t n, size_t max, size_t *w)
{
	size_t len;

	*w = display_width(s, n);
	if (*w <= max || max == 0)
		return weir_buf_put(b, s, n);
	len = weir_text_fit(s, n, max - 1, w);
	++*w;
	if (weir_buf_put(b, s, len) < 0)
		return -1;
	return weir_buf_put(b, "\xe2\x80\xa6", 3);	/* ... */
}

static int
table_flush(weir_output *o)
{
	weir_buf *b = &o->w.buf;
	size_t i, j;

	if (!o->ncols)
		return 0;
	if (!o->width) {
		o->width = calloc(o->ncols, sizeof(size_t));
		if (!o->width)
			return -1;
		for (j = 0; j < o->ncols; j++)
			o->width[j] = display_width((const uint8_t *)o->cols[j],
			    o->collen[j]);
	}
	for (i = 0; i < o->rows; i++)
		for (j = 0; j < o->ncols; j++) {
			size_t k = i * o->ncols + j;
			size_t w = display_width(o->cells.p + o->celloff[k],
			    o->celloff[k + 1] - o->celloff[k]);
			if (w > o->width[j])
				o->width[j] = w;
		}
	if (o->maxwidth)
		table_fit(o);
	if (!o->header_done) {
		o->header_done = 1;
		for (j = 0; j < o->ncols; j++) {
			size_t w;
			if (put_fitted(b, (const uint8_t *)o->cols[j],
			    o->collen[j], o->maxwidth ? o->width[j] : 0, &w) < 0)
				return -1;
			if (j + 1 < o->ncols)
				for (; w < o->width[j] + 2; w++)
					if (weir_buf_putc(b, ' ') < 0)
						return -1;
		}
		if (weir_buf_putc(b, '\n') < 0)
			return -1;
	}
	for (i = 0; i < o->rows; i++) {
		for (j = 0; j < o->ncols; j++) {
			size_t k = i * o->ncols + j;
			const uint8_t *s = o->cells.p + o->celloff[k];
			size_t n = o->celloff[k + 1] - o->celloff[k];
			size_t w = display_width(s, n), pad;
			pad = o->width[j] > w ? o->width[j] - w : 0;
			if (o->cellnum[k])
				for (; pad; pad--)
					if (weir_buf_putc(b, ' ') < 0)
						return -1;
			if (put_fitted(b, s, n, o->maxwidth ? o->width[j] : 0,
			    &w) < 0)
				return -1;
			if (w < o->width[j] && !pad && !o->cellnum[k])
				pad = o->width[j] - w;	/* cut short */
			if (j + 1 < o->ncols) {
				for (pad += 2; pad; pad--)
					if (weir_buf_putc(b, ' ') < 0)
						return -1;
			}
		}
		while (b->len && b->p[b->len - 1] == ' ')
			b->len--;	/* no trailing blanks */
		if (weir_buf_putc(b, '\n') < 0)
			return -1;
	}
	o->rows = 0;
	o->cells.len = 0;
	return 0;
}

static int
put_table(weir_output *o, const weir_pv *rootp)
{
	weir_pv root = *rootp;
	size_t j, need, found = 0;
	const uint8_t *at = root.type == WEIR_PV_OBJECT ? root.s : NULL;

	if (!o->ncols && cols_from(o, &root) < 0)
		return -1;
	need = (o->rows + 1) * o->ncols + 1;
	if (need > o->cellcap) {
		size_t nc = need * 2;
		size_t *no = realloc(o->celloff, sizeof(*no) * nc);
		uint8_t *nn;
		if (!no)
			return -1;
		o->celloff = no;
		nn = realloc(o->cellnum, nc);
		if (!nn)
			return -1;
		o->cellnum = nn;
		o->cellcap = nc;
	}
	for (j = 0; j < o->ncols; j++) {
		size_t k = o->rows * o->ncols + j, i;
		int kind;
		o->celloff[k] = o->cells.len;
		kind = cell(o, &root, j, &o->cells, &at, &found);
		if (kind < 0)
			return -1;
		/* one line per row: control characters become spaces */
		for (i = o->celloff[k]; i < o->cells.len; i++)
			if (o->cells.p[i] < 0x20)
				o->cells.p[i] = ' ';
		o->cellnum[k] = kind == 2;
	}
	o->celloff[(o->rows + 1) * o->ncols] = o->cells.len;
	o->rows++;
	if (note_dropped(o, &root, found) < 0)
		return -1;
	if (o->rows >= TABLE_BATCH)
		return table_flush(o);
	return 0;
}

static int
put_row(weir_output *o, const weir_pv *root)
{
	if (o->fmt == WEIR_FMT_TABLE)
		return put_table(o, root);
	return put_csv(o, root, o->fmt == WEIR_FMT_TSV);
}

/* --all-fields: keep the value, add its new fields to the columns. */
static int
hold(weir_output *o, const weir_pv *root)
{
	weir_pv_iter it;
	weir_pv k, v;

	if (weir_buf_put_varint(&o->held,
	    (uint64_t)(root->end - root->tag)) < 0 ||
	    weir_pack_raw(&o->held, root) < 0)
		return -1;
	if (root->type != WEIR_PV_OBJECT) {
		if (col_index(o, (const uint8_t *)"value", 5) < 0 &&
		    add_col(o, "value", 5) < 0)
			return -1;
		return 0;
	}
	weir_pv_iter_init(&it, root);
	while (weir_pv_iter_next(&it, &k, &v)) {
		o->scratch2.len = 0;
		if (weir_pv_to_text(&o->scratch2, &k) < 0)
			return -1;
		if (col_index(o, o->scratch2.p, o->scratch2.len) < 0 &&
		    add_col(o, (const char *)o->scratch2.p, o->scratch2.len) < 0)
			return -1;
	}
	return 0;
}

/* --all-fields at the end: every held record, under the union header. */
static int
put_held(weir_output *o)
{
	const uint8_t *p = o->held.p, *end = o->held.p + o->held.len;
	uint64_t n;
	weir_pv root;

	while (p < end) {
		if (weir_varint_dec(&p, end, &n) < 0 || n > (uint64_t)(end - p))
			return -1;
		weir_pv_of(p, (size_t)n, &root);
		if (put_row(o, &root) < 0)
			return -1;
		p += n;
	}
	o->held.len = 0;
	return 0;
}

int
weir_output_all_fields(weir_output *o)
{
	if ((o->fmt != WEIR_FMT_CSV && o->fmt != WEIR_FMT_TSV &&
	    o->fmt != WEIR_FMT_TABLE) || o->cols_given)
		return -1;
	o->all_fields = 1;
	return 0;
}

/* A write failed (errno), or memory ran out (ENOMEM): sticky, as the
 * buffer may hold half a record.  Returns the kind, with its message. */
static int
fail(weir_output *o)
{
	if (!o->failed)
		o->failed = o->w.failed ? o->w.failed : errno ? errno : EIO;
	if (o->failed == ENOMEM) {
		snprintf(o->err, sizeof(o->err), "out of memory");
		return WEIR_FAIL_NOMEM;
	}
	snprintf(o->err, sizeof(o->err), "write: %s", strerror(o->failed));
	return WEIR_FAIL_IO;
}

static int
nomem(weir_output *o)
{
	errno = ENOMEM;
	return fail(o);
}

/* A cheap bound: no exact frame size for an ordinary record. */
static inline int
surely_fits(const weir_output *o, const weir_record *r)
{
	return o->fmt != WEIR_FMT_FRAMED || r->key_len + r->value_len +
	    r->hdrs_len + r->topic_len + 128 <= o->maxrec;
}

/* A record frame of n bytes is over the limit: 1, and why. */
static int
frame_over(weir_output *o, size_t n)
{
	snprintf(o->err, sizeof(o->err), "record frame of %zu bytes exceeds "
	    "the record limit of %zu bytes (WEIR_MAX_RECORD)", n, o->maxrec);
	return 1;
}

int
weir_output_too_big(weir_output *o, const weir_record *r)
{
	size_t max = o->maxrec, n;

	if (surely_fits(o, r))
		return 0;
	n = weir_frame_record_size(&o->enc, r);
	if (n <= max)
		return 0;
	return frame_over(o, n);
}

const char *
weir_output_error(const weir_output *o)
{
	return o->err;
}

int
weir_output_record(weir_output *o, const weir_record *r)
{
	weir_buf *b = &o->w.buf;
	int rc = 0;

	if (o->failed || o->w.failed)
		return fail(o);
	if (start(o) < 0)
		return nomem(o);
	if (!surely_fits(o, r) && weir_output_too_big(o, r))
		return WEIR_FAIL_DATA;	/* nothing written */
	switch (o->fmt) {
	case WEIR_FMT_FRAMED:
		rc = weir_frame_put_record(&o->enc, b, r);
		break;
	case WEIR_FMT_NDJSON:
		rc = put_json_value(o, b, r);
		if (!rc)
			rc = weir_buf_putc(b, '\n');
		break;
	case WEIR_FMT_LINES:
	case WEIR_FMT_RAW: {
		weir_pv pv;
		if (r->enc == WEIR_ENC_PACKED) {
			weir_pv_of(r->value, r->value_len, &pv);
			rc = weir_pv_to_text(b, &pv);
		} else if (r->enc != WEIR_ENC_NULL)
			rc = weir_buf_put(b, r->value, r->value_len);
		if (!rc && o->fmt == WEIR_FMT_LINES)
			rc = weir_buf_putc(b, '\n');
		break;
	}
	case WEIR_FMT_CSV:
	case WEIR_FMT_TSV:
	case WEIR_FMT_TABLE: {
		weir_pv root;
		if ((rc = weir_record_json(r, &o->scratch, &root)) >= 0)
			rc = o->all_fields ? hold(o, &root) : put_row(o, &root);
		break;
	}
	case WEIR_FMT_ENVELOPE:
		rc = weir_envelope_put(b, r, &o->scratch);
		if (!rc)
			rc = weir_buf_putc(b, '\n');
		break;
	default:
		errno = EINVAL;
		return fail(o);
	}
	if (rc < 0)
		return nomem(o);
	o->records++;
	weir_stats_g.out++;
	if (weir_writer_maybe_flush(&o->w) < 0)
		return fail(o);
	return 0;
}

weir_buf *
weir_output_open_record(weir_output *o)
{
	weir_buf *b = &o->w.buf;

	if (o->fmt != WEIR_FMT_FRAMED || o->failed || o->w.failed)
		return NULL;
	if (start(o) < 0 || weir_buf_reserve(b, o->open_head) < 0) {
		nomem(o);
		return NULL;
	}
	o->open_at = b->len;
	b->len += o->open_head;
	return b;
}

int
weir_output_close_record(weir_output *o, int64_t ts)
{
	weir_buf *b = &o->w.buf;
	size_t at = o->open_at, v = at + o->open_head, vlen = b->len - v, head;

	if (vlen + 32 > o->maxrec && (head = weir_frame_put_ts_head(&o->enc,
	    NULL, 0, ts, vlen)) + vlen > o->maxrec) {
		b->len = at;
		frame_over(o, head + vlen);
		return WEIR_FAIL_DATA;	/* nothing written */
	}
	head = weir_frame_put_ts_head(&o->enc, b->p + at, o->open_head, ts,
	    vlen);
	if (head != o->open_head) {	/* the time took more or less room */
		if (head > o->open_head &&
		    weir_buf_reserve(b, head - o->open_head) < 0) {
			b->len = at;
			return nomem(o);
		}
		memmove(b->p + at + head, b->p + v, vlen);
		b->len = at + head + vlen;
		o->open_head = head;
		weir_frame_put_ts_head(&o->enc, b->p + at, head, ts, vlen);
	}
	o->records++;
	weir_stats_g.out++;
	if (weir_writer_maybe_flush(&o->w) < 0)
		return fail(o);
	return 0;
}

int
weir_output_cancel_record(weir_output *o, weir_buf *val)
{
	weir_buf *b = &o->w.buf;
	size_t v = o->open_at + o->open_head, vlen = b->len - v;

	b->len = o->open_at;	/* the value's bytes stay there */
	return weir_buf_put(val, b->p + v, vlen);
}

int
weir_output_watermark(weir_output *o, int64_t wm)
{
	if (o->fmt != WEIR_FMT_FRAMED)
		return 0;
	if (start(o) < 0 || weir_frame_put_watermark(&o->w.buf, wm) < 0)
		return nomem(o);
	weir_stats_g.wm_out = wm;
	return weir_writer_maybe_flush(&o->w) < 0 ? fail(o) : 0;
}

int
weir_output_barrier(weir_output *o, uint64_t id, const uint8_t *p, size_t n)
{
	if (o->fmt != WEIR_FMT_FRAMED)
		return 0;
	if (start(o) < 0 || weir_frame_put_barrier(&o->w.buf, id, p, n) < 0)
		return nomem(o);
	return weir_writer_maybe_flush(&o->w) < 0 ? fail(o) : 0;
}

int
weir_output_flush(weir_output *o)
{
	if (o->failed)
		return fail(o);
	if (o->fmt == WEIR_FMT_TABLE && o->rows && table_flush(o) < 0)
		return nomem(o);
	if (weir_writer_flush(&o->w) < 0)
		return fail(o);
	return 0;
}

int
weir_output_end(weir_output *o)
{
	if (o->failed)
		return fail(o);
	if (start(o) < 0 || (o->all_fields && put_held(o) < 0) ||
	    (o->fmt == WEIR_FMT_FRAMED && weir_frame_put_end(&o->w.buf) < 0))
		return nomem(o);
	return weir_output_flush(o);
}

void
weir_output_idle(void *arg)
{
	(void)weir_output_flush(arg);
}
