/*
 * pack.h - packed JSON: the compact binary form of a JSON value that weir
 * frames carry (man/weir-format.5, "PACKED VALUES").
 *
 * Text JSON is parsed once, at the edge, into a tagged form in which every
 * container knows its byte length, so a field lookup skips siblings without
 * scanning them and a writer turns it back into JSON with memcpy.  Numbers
 * keep their exact text (integers and short decimals are stored as
 * integers, everything else as its digits); strings keep their JSON-escaped
 * form, so packing and unpacking minified JSON is byte-exact.
 */
#ifndef WEIR_PACK_H
#define WEIR_PACK_H

#include "json.h"
#include "util.h"

enum {
	WEIR_PK_NULL = 0x00,
	WEIR_PK_FALSE = 0x01,
	WEIR_PK_TRUE = 0x02,
	WEIR_PK_INT = 0x03,	/* zigzag varint */
	WEIR_PK_DEC = 0x04,	/* zigzag varint mantissa, u8 scale 1..15 */
	WEIR_PK_NUM = 0x05,	/* varint length, JSON number text */
	WEIR_PK_STR = 0x06,	/* varint length, plain UTF-8 (no escaping needed) */
	WEIR_PK_ESTR = 0x07,	/* varint length, JSON-escaped string body */
	WEIR_PK_ARR = 0x08,	/* varint body length, values */
	WEIR_PK_OBJ = 0x09,	/* varint body length, (key string, value)... */
	WEIR_PK_SSTR = 0x40	/* 0x40..0x5f: plain string of length tag & 0x1f */
};

#define WEIR_PACK_MAX_DEPTH 1024

/* A decoded view of one packed value; pointers into the packed bytes. */
enum {
	WEIR_PV_MISSING = 0, WEIR_PV_NULL, WEIR_PV_FALSE, WEIR_PV_TRUE,
	WEIR_PV_INT, WEIR_PV_DEC, WEIR_PV_NUMTEXT, WEIR_PV_STRING,
	WEIR_PV_ARRAY, WEIR_PV_OBJECT
};

typedef struct weir_pv {
	int type;
	int escaped;		/* STRING: s is JSON-escaped */
	int scale;		/* DEC: value is i / 10^scale */
	int64_t i;		/* INT value, DEC mantissa */
	const uint8_t *s;	/* STRING bytes, NUMTEXT text, container body */
	size_t n;
	const uint8_t *tag;	/* the whole encoded value: [tag, end) */
	const uint8_t *end;
} weir_pv;

/* Parse JSON text (one value, whitespace around it allowed) and append its
 * packed form to out: 0, or WEIR_FAIL_DATA with a message naming the byte
 * column, or WEIR_FAIL_NOMEM ("out of memory"); out is then left with its
 * original length. */
int weir_pack_json(weir_buf *out, const uint8_t *s, size_t n,
    char *err, size_t errsz);

/* Check that [p, p+n) is exactly one well-formed packed value (bounds,
 * nesting depth, UTF-8, escapes).  Untrusted input must pass this first. */
int weir_pack_validate(const uint8_t *p, size_t n, char *err, size_t errsz);
/* The same check for one value inside a value not checked as a whole (a
 * member that is read or written out, in a program that checks only
 * those): the value at p, which must end by end, at nesting depth depth
 * (a member of the outermost object: 1), inside the value that ends at
 * lim (whole blocks up to lim are read).  Its end, or NULL with *why
 * ("malformed value", ...; weir_pack_validate's message after "corrupt
 * packed value: "). */
const uint8_t *weir_pack_check(const uint8_t *p, const uint8_t *end,
    const uint8_t *lim, int depth, const char **why);

/* Decode the value starting at p; returns its end, or NULL if malformed. */
const uint8_t *weir_pv_read(const uint8_t *p, const uint8_t *end, weir_pv *v);

/* The body length of a NUM, STR, ESTR, ARR or OBJ value whose tag was
 * before *p: *p advanced past it; -1 when it is cut off or runs past end. */
static inline int
weir_pk_body(const uint8_t **p, const uint8_t *end, size_t *n)
{
	uint64_t u;

	if (weir_varint_dec(p, end, &u) < 0 || u > (uint64_t)(end - *p))
		return -1;
	*n = (size_t)u;
	return 0;
}

/*
 * The end of the packed value at p (not past end), or NULL where
 * weir_pv_read finds it malformed, without decoding it: the one way the
 * lookups, the validator and the writers step over a value.  Inline: it
 * is on every field lookup's path.
 */
static inline const uint8_t *
weir_pv_skip(const uint8_t *p, const uint8_t *end)
{
	const uint8_t *q;
	uint64_t u;
	int64_t m;
	size_t n;
	uint8_t t;

	if (p >= end)
		return NULL;
	t = *p++;
	if ((t & 0xe0) == WEIR_PK_SSTR)
		return (size_t)(end - p) >= (size_t)(t & 0x1f) ?
		    p + (t & 0x1f) : NULL;
	switch (t) {
	case WEIR_PK_NULL:
	case WEIR_PK_FALSE:
	case WEIR_PK_TRUE:
		return p;
	case WEIR_PK_INT:
		/* up to 9 varint bytes (63 bits) cannot overflow */
		for (q = p; q < end && q < p + 9; q++)
			if (!(*q & 0x80))
				return q + 1;
		return weir_varint_dec(&p, end, &u) < 0 ? NULL : p;
	case WEIR_PK_DEC:
		if (weir_varint_dec(&p, end, &u) < 0 || p >= end || *p < 1 ||
		    *p > 15)
			return NULL;
		m = weir_zz_dec(u);
		return m == 0 || m > (INT64_C(1) << 53) ||
		    m < -(INT64_C(1) << 53) ? NULL : p + 1;
	case WEIR_PK_NUM:
	case WEIR_PK_STR:
	case WEIR_PK_ESTR:
	case WEIR_PK_ARR:
	case WEIR_PK_OBJ:
		return weir_pk_body(&p, end, &n) < 0 ? NULL : p + n;
	}
	return NULL;
}

/* Whole packed buffer as a view (type MISSING if empty or malformed). */
void weir_pv_of(const uint8_t *p, size_t n, weir_pv *v);

int weir_pv_member(const weir_pv *obj, const char *key, size_t klen,
    weir_pv *out);
int weir_pv_index(const weir_pv *arr, int64_t i, weir_pv *out);

/* Iterate an object's members or an array's elements. */
typedef struct weir_pv_iter {
	const uint8_t *p, *end;
	int obj;
} weir_pv_iter;
void weir_pv_iter_init(weir_pv_iter *it, const weir_pv *container);
/* 1 and fills key (objects only; may be NULL) and val, 0 at the end. */
int weir_pv_iter_next(weir_pv_iter *it, weir_pv *key, weir_pv *val);

static inline int
weir_pv_is_num(const weir_pv *v)
{
	return v->type == WEIR_PV_INT || v->type == WEIR_PV_DEC ||
	    v->type == WEIR_PV_NUMTEXT;
}
double weir_pv_num(const weir_pv *v);	/* NaN when not a number */

/* The string's value (unescaped).  Plain strings point into the packed
 * bytes; escaped ones are unescaped into scratch (reset by the caller). */
int weir_pv_str(const weir_pv *v, weir_buf *scratch, const uint8_t **s,
    size_t *n);
/* Compare a string value with plain UTF-8 bytes. */
int weir_pv_str_eq(const weir_pv *v, const char *s, size_t n);

/*
 * Value semantics (weir(7), VALUES), one definition for every program.
 * Numbers are equal when their exact values are (1, 1.0 and 1e0 are one
 * value; 2^53 + 1 is not 2^53); strings by their characters, whatever
 * their escaping; a number never equals a string.
 */
#define WEIR_EXACT_DIGITS 18
/* The number as m / 10^scale with scale 0..18: 1, or 0 if it has more
 * digits than that (or is not a number). */
int weir_pv_exact(const weir_pv *v, int64_t *m, int *scale);
/* Order of two numbers, exactly: <0, 0, >0. */
int weir_pv_numcmp(const weir_pv *a, const weir_pv *b);
/* The number rule: a number is itself; a string is a number when its text,
 * without surrounding spaces and tabs, is a JSON number (so no "+5",
 * "0x10", "5.", ".5", "00012", "inf").  1 and *num (a number; a string's
 * number is packed into scratch, which the caller resets), 0, or
 * WEIR_FAIL_NOMEM (so test "<= 0" for "not a number"). */
int weir_pv_as_num(const weir_pv *v, weir_buf *scratch, weir_pv *num);
/* The same rule for the characters s[0..n) of a string. */
int weir_num_text(const uint8_t *s, size_t n, weir_buf *scratch,
    weir_pv *num);
/* Append the canonical packed form of the value: equal values (above)
 * give equal bytes, so group keys and sets hash and compare it bytewise.
 * Plain strings and integers are copied; only escaped strings and other
 * numbers are rewritten. */
int weir_pv_canon(weir_buf *out, const weir_pv *v);
/* Append the value as key text: a string's characters, anything else the
 * JSON of its canonical form (1.0 and 1 are "1"), so keys made from equal
 * values are equal. */
int weir_pv_key_text(weir_buf *out, const weir_pv *v);

/* Append the value as compact JSON text. */
int weir_pv_to_json(weir_buf *out, const weir_pv *v);
/* Append the packed value at p (not past end) as weir_pv_to_json writes
 * it, at nesting depth depth; with check, checked first as
 * weir_pack_check does (lim as there).  Its end, or NULL with *why set
 * (corrupt), or NULL with *why NULL (out of memory). */
const uint8_t *weir_pv_json_at(weir_buf *out, const uint8_t *p,
    const uint8_t *end, const uint8_t *lim, int depth, int check,
    const char **why);
/* The same for an object member (key at kt, value at vt, its end at e;
 * the value at depth depth), as "key":value, after a comma when comma:
 * 0, or -1 with *why set (corrupt) or NULL (out of memory). */
int weir_pack_member_json(weir_buf *out, const uint8_t *kt,
    const uint8_t *vt, const uint8_t *e, const uint8_t *lim, int depth,
    int check, int comma, const char **why);
/* Only the key at kt (ending at vt), as "key": */
int weir_pack_key_json(weir_buf *out, const uint8_t *kt, const uint8_t *vt,
    const uint8_t *lim, int check, int comma, const char **why);
/* Append the value as text: a string's own characters, otherwise JSON. */
int weir_pv_to_text(weir_buf *out, const weir_pv *v);

/* Builder.  Containers: mark = weir_pack_open(b, WEIR_PK_OBJ); members as
 * key then value; weir_pack_close(b, mark).  As the buffer primitives
 * (util.h) they return 0 or -1 when memory is out; weir_pack_numtext and
 * weir_pack_str, which can fail on their input too, 0 or a kind:
 * WEIR_FAIL_DATA (not a JSON number; not UTF-8) or WEIR_FAIL_NOMEM. */
size_t weir_pack_open(weir_buf *b, int tag);
int weir_pack_close(weir_buf *b, size_t mark);
int weir_pack_null(weir_buf *b);
int weir_pack_bool(weir_buf *b, int v);
int weir_pack_int(weir_buf *b, int64_t v);
int weir_pack_double(weir_buf *b, double v);	/* NaN/Inf pack as null */
int weir_pack_numtext(weir_buf *b, const char *s, size_t n);	/* a JSON number */
int weir_pack_str(weir_buf *b, const char *s, size_t n);	/* UTF-8 */
int weir_pack_raw(weir_buf *b, const weir_pv *v);	/* copy an encoded value */


#endif
