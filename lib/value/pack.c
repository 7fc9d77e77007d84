/* pack.c - packed JSON: parse JSON text, validate, build. */
#include "pack.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#ifdef __SSE2__
#include <emmintrin.h>
#endif

/* For the validator's per-string and per-number steps, which gcc would
 * otherwise call (a call costs as much as checking a short string). */
#define HOT static inline __attribute__((always_inline))

/* Character classes for the string scanner: 0 = plain ASCII. */
static const uint8_t strclass[256] = {
	/* 0x00-0x1f control: 1 */
	1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,
	0,0,2,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,
	0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,3,0,0,0,
	0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,
	/* 0x80-0xff: 4 (UTF-8) */
	4,4,4,4,4,4,4,4,4,4,4,4,4,4,4,4,4,4,4,4,4,4,4,4,4,4,4,4,4,4,4,4,
	4,4,4,4,4,4,4,4,4,4,4,4,4,4,4,4,4,4,4,4,4,4,4,4,4,4,4,4,4,4,4,4,
	4,4,4,4,4,4,4,4,4,4,4,4,4,4,4,4,4,4,4,4,4,4,4,4,4,4,4,4,4,4,4,4,
	4,4,4,4,4,4,4,4,4,4,4,4,4,4,4,4,4,4,4,4,4,4,4,4,4,4,4,4,4,4,4,4,
};

/* Nonzero if any of the 8 bytes in w is a control character, a quote, a
 * backslash or not ASCII: the bytes a string scan must look at. */
static inline uint64_t
special8(const uint8_t *p)
{
	const uint64_t ones = 0x0101010101010101ULL, high = 0x8080808080808080ULL;
	uint64_t w, q, b;

	memcpy(&w, p, 8);
	q = w ^ (ones * '"');
	b = w ^ (ones * '\\');
	return (w & high) | ((w - ones * 0x20) & ~w & high) |
	    ((q - ones) & ~q & high) | ((b - ones) & ~b & high);
}

#ifdef __SSE2__
/* The bytes among the 16 at p that special8 looks for, one bit each and
 * exactly (no false hits): a signed compare with 0x20 takes the control
 * characters and the non-ASCII bytes (negative) at once.  SSE2 is in
 * every x86-64. */
static inline unsigned
special16(const uint8_t *p)
{
	__m128i v = _mm_loadu_si128((const __m128i *)(const void *)p);

	return (unsigned)_mm_movemask_epi8(_mm_or_si128(
	    _mm_cmplt_epi8(v, _mm_set1_epi8(0x20)),
	    _mm_or_si128(_mm_cmpeq_epi8(v, _mm_set1_epi8('"')),
	    _mm_cmpeq_epi8(v, _mm_set1_epi8('\\')))));
}
#endif

/* The index of the first byte at or after s[i] (before s[n]) that a string
 * scan must look at, or n; reads nothing at or after s[n]. */
static inline size_t
skip_plain(const uint8_t *s, size_t n, size_t i)
{
#ifdef __SSE2__
	for (; i + 16 <= n; i += 16) {
		unsigned m = special16(s + i);
		if (m)
			return i + (size_t)__builtin_ctz(m);
	}
#endif
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
	/* the lowest flagged byte of special8 is a true one */
	for (; i + 8 <= n; i += 8) {
		uint64_t m = special8(s + i);
		if (m)
			return i + ((size_t)__builtin_ctzll(m) >> 3);
	}
#else
	while (i + 8 <= n && !special8(s + i))
		i += 8;
#endif
	while (i < n && strclass[s[i]] == 0)
		i++;
	return i;
}

/*
 * 1 if every byte of s[0..n) is plain ASCII (none that a string scan
 * looks at), reading whole blocks at s up to lim (>= s + n) but judging
 * only the string's bytes; 0 means "look closer" (plain_ok), not "bad".
 * Blocks past the first 16 bytes are read to the string's end, the last
 * one overlapping the one before it.
 */
HOT int
ascii_plain(const uint8_t *s, size_t n, const uint8_t *lim)
{
	size_t i;

#ifdef __SSE2__
	if (n > 16) {
		for (i = 0; i + 16 < n; i += 16)
			if (special16(s + i))
				return 0;
		return !special16(s + n - 16);
	}
	if ((size_t)(lim - s) >= 16)
		return !(special16(s) & ((1u << n) - 1));
#endif
	if (n >= 8) {
		for (i = 0; i + 8 < n; i += 8)
			if (special8(s + i))
				return 0;
		return !special8(s + n - 8);
	}
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
	/* the bytes after the string are masked off: special8's false hits
	 * only sit above a true one, so a clean low part is clean */
	if ((size_t)(lim - s) >= 8)
		return !(special8(s) & ((UINT64_C(1) << (8 * n)) - 1));
#endif
	for (i = 0; i < n; i++)
		if (strclass[s[i]])
			return 0;
	return 1;
}

static size_t
utf8_seq(const uint8_t *s, size_t n)
{
	/* length of the valid UTF-8 sequence at s, 0 if invalid */
	uint8_t c = s[0];
	size_t len = c >= 0xf0 ? 4 : c >= 0xe0 ? 3 : 2;

	if (len > n || !weir_utf8_valid(s, len))
		return 0;
	return len;
}

/*
 * Scan a JSON string body starting after the opening quote.  Returns the
 * offset of the closing quote, or (size_t)-1 with *why set.
 * *escaped is set if the body holds a backslash escape.
 */
static size_t
scan_string(const uint8_t *s, size_t n, size_t i, int *escaped,
    const char **why, size_t *at)
{
	*escaped = 0;
	for (;;) {
		i = skip_plain(s, n, i);
		if (i >= n) {
			*why = "unterminated string";
			return *at = i, (size_t)-1;
		}
		switch (strclass[s[i]]) {
		case 2:
			return i;
		case 1:
			*why = "control character in string";
			return *at = i, (size_t)-1;
		case 3: {
			unsigned u, u2;
			*escaped = 1;
			if (i + 1 >= n) {
				*why = "truncated escape";
				return *at = i, (size_t)-1;
			}
			switch (s[i + 1]) {
			case '"': case '\\': case '/': case 'b': case 'f':
			case 'n': case 'r': case 't':
				i += 2;
				break;
			case 'u':
				if (i + 6 > n || weir_json_hex4(s + i + 2, &u) < 0) {
					*why = "bad \\u escape";
					return *at = i, (size_t)-1;
				}
				i += 6;
				if (u >= 0xdc00 && u <= 0xdfff) {
					*why = "lone low surrogate";
					return *at = i, (size_t)-1;
				}
				if (u >= 0xd800 && u <= 0xdbff) {
					if (i + 6 > n || s[i] != '\\' || s[i + 1] != 'u' ||
					    weir_json_hex4(s + i + 2, &u2) < 0 ||
					    u2 < 0xdc00 || u2 > 0xdfff) {
						*why = "lone high surrogate";
						return *at = i, (size_t)-1;
					}
					i += 6;
				}
				break;
			default:
				*why = "bad escape";
				return *at = i, (size_t)-1;
			}
			break;
		}
		case 4: {
			size_t l = utf8_seq(s + i, n - i);
			if (!l) {
				*why = "invalid UTF-8";
				return *at = i, (size_t)-1;
			}
			i += l;
			break;
		}
		}
	}
}

/* scan_string, with the common case inline: a plain ASCII string that
 * ends within 16 bytes. */
static inline size_t
scan_string_at(const uint8_t *s, size_t n, size_t i, int *escaped,
    const char **why, size_t *at)
{
#ifdef __SSE2__
	if (i + 16 <= n) {
		unsigned m = special16(s + i);
		if (m && s[i + (size_t)__builtin_ctz(m)] == '"') {
			*escaped = 0;
			return i + (size_t)__builtin_ctz(m);
		}
	}
#endif
	return scan_string(s, n, i, escaped, why, at);
}

/* Append the string s[0..n) (JSON-escaped if escaped); lim, when not
 * NULL, is the end of the readable bytes at s. */
static inline int
put_strtag(weir_buf *b, const uint8_t *s, size_t n, int escaped,
    const uint8_t *lim)
{
	if (weir_buf_reserve(b, n + 11) < 0)
		return -1;
#ifdef __SSE2__
	/* a short plain string with 16 readable bytes at s: copied in one
	 * block (the bytes after it are overwritten by what follows) */
	if (!escaped && n < 16 && lim && (size_t)(lim - s) >= 16 &&
	    b->cap - b->len >= 17) {
		b->p[b->len++] = (uint8_t)(WEIR_PK_SSTR | n);
		_mm_storeu_si128((__m128i *)(void *)(b->p + b->len),
		    _mm_loadu_si128((const __m128i *)(const void *)s));
		b->len += n;
		return 0;
	}
#endif
	if (!escaped && n < 32)
		b->p[b->len++] = (uint8_t)(WEIR_PK_SSTR | n);
	else {
		b->p[b->len++] = escaped ? WEIR_PK_ESTR : WEIR_PK_STR;
		b->len = (size_t)(weir_varint_enc(b->p + b->len, n) - b->p);
	}
	if (n)	/* s may be NULL when n is 0 (an empty CSV cell) */
		memcpy(b->p + b->len, s, n);
	b->len += n;
	return 0;
}

#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
/*
 * The digits at s[i..), a word at a time: when 8 bytes are left, adds the
 * k leading ASCII digits of the word (0..8) to *m (m * 10^k + them) and
 * returns k, unless have + k would pass 19 digits (the caller's limit for
 * an exact 64-bit value); 0 leaves the rest to the caller's byte loop.
 */
static inline size_t
digits_word(const uint8_t *s, size_t n, size_t i, size_t have, uint64_t *m)
{
	static const uint64_t pow10[9] = { 1, 10, 100, 1000, 10000, 100000,
	    1000000, 10000000, 100000000 };
	const uint64_t f0 = UINT64_C(0xf0f0f0f0f0f0f0f0);
	uint64_t w, t, v;
	size_t k;

	if (n - i < 8)
		return 0;
	memcpy(&w, s + i, 8);
	/* a byte of t is 0 iff its byte of w is '0'..'9' (a carry from
	 * w + 6 only reaches bytes above a non-digit) */
	t = ((w & f0) | (((w + UINT64_C(0x0606060606060606)) & f0) >> 4)) ^
	    UINT64_C(0x3333333333333333);
	k = t ? (size_t)__builtin_ctzll(t) >> 3 : 8;
	if (k == 0 || have + k > 19)
		return 0;
	/* the k digits at the top of the word, '0's below them */
	if (k < 8)
		w = w << (8 * (8 - k)) |
		    UINT64_C(0x3030303030303030) >> (8 * k);
	w -= UINT64_C(0x3030303030303030);
	w = w * 10 + (w >> 8);
	v = ((w & UINT64_C(0x000000ff000000ff)) * UINT64_C(0x000f424000000064) +
	    ((w >> 16) & UINT64_C(0x000000ff000000ff)) *
	    UINT64_C(0x0000271000000001)) >> 32;
	*m = *m * pow10[k] + v;
	return k;
}
#endif

/*
 * Scan the JSON number at s[i..n) and pack it, in one pass: an integer that
 * fits in 64 bits as INT, a plain decimal of at most 15 digits as DEC, and
 * anything else as its text.  Returns the index after the number, or
 * (size_t)-1 if s[i..] is not a JSON number, NUM_NOMEM when memory is out
 * (nothing is appended).
 */
#define NUM_NOMEM ((size_t)-2)

static size_t
pack_number_at(weir_buf *b, const uint8_t *s, size_t n, size_t i)
{
	size_t start = i, intdigits = 0, fracdigits = 0;
	int neg = 0, simple = 1;
	uint64_t m = 0;
	uint8_t *o;

	if (i < n && s[i] == '-') {
		neg = 1;
		i++;
	}
	if (i >= n || s[i] < '0' || s[i] > '9')
		return (size_t)-1;
	if (s[i] == '0') {
		i++;
		intdigits = 1;
	} else {
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
		size_t k;
		do {
			k = digits_word(s, n, i, intdigits, &m);
			i += k;
			intdigits += k;
		} while (k == 8);
#endif
		while (i < n && s[i] >= '0' && s[i] <= '9') {
			if (intdigits < 19)
				m = m * 10 + (uint64_t)(s[i] - '0');
			else
				simple = 0;
			i++;
			intdigits++;
		}
	}
	if (i < n && s[i] == '.') {
		i++;
		if (i >= n || s[i] < '0' || s[i] > '9')
			return (size_t)-1;
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
		{
			size_t k;
			do {
				k = digits_word(s, n, i, intdigits + fracdigits,
				    &m);
				i += k;
				fracdigits += k;
			} while (k == 8);
		}
#endif
		while (i < n && s[i] >= '0' && s[i] <= '9') {
			if (intdigits + fracdigits < 19)
				m = m * 10 + (uint64_t)(s[i] - '0');
			else
				simple = 0;
			i++;
			fracdigits++;
		}
	}
	if (i < n && (s[i] == 'e' || s[i] == 'E')) {
		i++;
		if (i < n && (s[i] == '+' || s[i] == '-'))
			i++;
		if (i >= n || s[i] < '0' || s[i] > '9')
			return (size_t)-1;
		while (i < n && s[i] >= '0' && s[i] <= '9')
			i++;
		simple = 0;
	}
	if (weir_buf_reserve(b, i - start + 12) < 0)
		return NUM_NOMEM;
	o = b->p + b->len;
	if (simple && fracdigits == 0 && (neg ? m != 0 &&
	    m <= (uint64_t)INT64_MAX + 1 : m <= (uint64_t)INT64_MAX)) {
		*o++ = WEIR_PK_INT;
		o = weir_varint_enc(o, weir_zz_enc(neg ? (int64_t)(0 - m) :
		    (int64_t)m));
	} else if (simple && fracdigits >= 1 && intdigits + fracdigits <= 15 &&
	    m != 0) {
		*o++ = WEIR_PK_DEC;
		o = weir_varint_enc(o, weir_zz_enc(neg ? -(int64_t)m : (int64_t)m));
		*o++ = (uint8_t)fracdigits;
	} else {
		*o++ = WEIR_PK_NUM;
		o = weir_varint_enc(o, i - start);
		memcpy(o, s + start, i - start);
		o += i - start;
	}
	b->len = (size_t)(o - b->p);
	return i;
}

/* 0, WEIR_FAIL_DATA when s is not a JSON number, WEIR_FAIL_NOMEM. */
static int
pack_number(weir_buf *b, const uint8_t *s, size_t n)
{
	size_t j = pack_number_at(b, s, n, 0);

	if (j == NUM_NOMEM)
		return WEIR_FAIL_NOMEM;
	return j == n ? 0 : WEIR_FAIL_DATA;
}

static size_t
scan_number(const uint8_t *s, size_t n, size_t i)
{
	size_t start = i;

	if (i < n && s[i] == '-')
		i++;
	if (i >= n)
		return (size_t)-1;
	if (s[i] == '0')
		i++;
	else if (s[i] >= '1' && s[i] <= '9')
		while (i < n && s[i] >= '0' && s[i] <= '9')
			i++;
	else
		return (size_t)-1;
	if (i < n && s[i] == '.') {
		i++;
		if (i >= n || s[i] < '0' || s[i] > '9')
			return (size_t)-1;
		while (i < n && s[i] >= '0' && s[i] <= '9')
			i++;
	}
	if (i < n && (s[i] == 'e' || s[i] == 'E')) {
		i++;
		if (i < n && (s[i] == '+' || s[i] == '-'))
			i++;
		if (i >= n || s[i] < '0' || s[i] > '9')
			return (size_t)-1;
		while (i < n && s[i] >= '0' && s[i] <= '9')
			i++;
	}
	(void)start;
	return i;
}

size_t
weir_pack_open(weir_buf *b, int tag)
{
	size_t mark;

	if (weir_buf_reserve(b, 2) < 0)
		return (size_t)-1;
	b->p[b->len++] = (uint8_t)tag;
	mark = b->len;
	b->p[b->len++] = 0;	/* one-byte length placeholder */
	return mark;
}

int
weir_pack_close(weir_buf *b, size_t mark)
{
	size_t body, k;

	if (mark == (size_t)-1)
		return -1;
	body = b->len - mark - 1;
	k = weir_varint_size(body);
	if (k > 1) {
		if (weir_buf_reserve(b, k - 1) < 0)
			return -1;
		memmove(b->p + mark + k, b->p + mark + 1, body);
		b->len += k - 1;
	}
	weir_varint_enc(b->p + mark, body);
	return 0;
}

/*
 * Duplicate object keys: the last one wins ({"a":1,"a":2} is {"a":2}, as
 * jq, mlr and Python read it), so the packer drops the earlier members.
 * Every key of an open object is remembered (offset, hash of its
 * characters); a 64-bit filter per object says when two hashes may be
 * equal, and only then is the object checked at its close.
 */
struct lvl {			/* an open container */
	size_t mark;
	size_t kstart;		/* its first key in the key stack */
	uint64_t filter;
	int maybe_dup;
};

struct kent {
	size_t off;		/* the key's tag in out */
	uint64_t h;
	size_t src;		/* the member whose value it takes */
	int drop;
};

typedef struct keys {
	struct kent buf[128], *k;
	size_t n, cap;
	weir_buf scratch;	/* escaped keys, unescaped */
} keys;

/* A cheap hash of a key's characters (first and last 8 bytes, length):
 * equal keys hash alike; the rare others that do are told apart by
 * key_eq. */
static inline uint64_t
key_hash(const uint8_t *s, size_t n)
{
	uint64_t a = 0, b = 0, h;

	if (n >= 8) {
		memcpy(&a, s, 8);
		memcpy(&b, s + n - 8, 8);
	} else if (n >= 4) {
		uint32_t x, y;
		memcpy(&x, s, 4);
		memcpy(&y, s + n - 4, 4);
		a = (uint64_t)x << 32 | y;
	} else if (n)
		a = (uint64_t)s[0] << 16 | (uint64_t)s[n >> 1] << 8 | s[n - 1];
	h = (a ^ 0x9e3779b97f4a7c15ULL) * 0xff51afd7ed558ccdULL ^
	    (b + n) * 0xc4ceb9fe1a85ec53ULL;
	return h ^ h >> 29;
}

/* Remember the key s[0..n) (JSON-escaped if escaped) at out[off]. */
static int
key_push(keys *ks, struct lvl *l, size_t off, const uint8_t *s, size_t n,
    int escaped)
{
	uint64_t h;

	if (ks->n == ks->cap) {
		size_t cap = ks->cap * 4;
		struct kent *nk = malloc(cap * sizeof(*nk));
		if (!nk)
			return -1;
		memcpy(nk, ks->k, ks->n * sizeof(*nk));
		if (ks->k != ks->buf)
			free(ks->k);
		ks->k = nk;
		ks->cap = cap;
	}
	if (escaped) {
		ks->scratch.len = 0;
		if (weir_json_unescape(&ks->scratch, s, n) < 0)
			return -1;
		s = ks->scratch.p;
		n = ks->scratch.len;
	}
	h = key_hash(s, n);
	if (l->filter & (UINT64_C(1) << (h >> 58)))
		l->maybe_dup = 1;
	l->filter |= UINT64_C(1) << (h >> 58);
	ks->k[ks->n].off = off;
	ks->k[ks->n].h = h;
	ks->k[ks->n].drop = 0;
	ks->n++;
	return 0;
}

/* The keys at out[a] and out[b] have the same characters. */
static int
key_eq(keys *ks, const weir_buf *out, size_t a, size_t b)
{
	const uint8_t *end = out->p + out->len;
	weir_pv x, y;
	size_t n1;

	if (!weir_pv_read(out->p + a, end, &x) ||
	    !weir_pv_read(out->p + b, end, &y))
		return 0;
	if (!x.escaped && !y.escaped)
		return x.n == y.n && memcmp(x.s, y.s, x.n) == 0;
	ks->scratch.len = 0;
	if (weir_pv_to_text(&ks->scratch, &x) < 0)
		return 0;
	n1 = ks->scratch.len;
	if (weir_pv_to_text(&ks->scratch, &y) < 0)
		return 0;
	return ks->scratch.len - n1 == n1 &&
	    memcmp(ks->scratch.p, ks->scratch.p + n1, n1) == 0;
}

/* A key that comes again keeps its first place and takes the value of
 * its last member (as jq, mlr and Python do); the later members go.  The
 * body is rebuilt from a copy (only objects with a duplicate get here). */
static int
dedup(keys *ks, const struct lvl *l, weir_buf *out)
{
	size_t i, j, base = ks->k[l->kstart].off, blen, kend, vs, ve;
	const uint8_t *c;
	weir_pv k;
	int any = 0;

	for (i = l->kstart; i < ks->n; i++)
		ks->k[i].src = i;
	for (i = l->kstart; i < ks->n; i++)
		for (j = i + 1; j < ks->n && !ks->k[i].drop; j++)
			if (!ks->k[j].drop && ks->k[i].h == ks->k[j].h &&
			    key_eq(ks, out, ks->k[i].off, ks->k[j].off)) {
				ks->k[j].drop = any = 1;
				ks->k[i].src = j;
			}
	if (!any)
		return 0;
	blen = out->len - base;
	ks->scratch.len = 0;
	if (weir_buf_put(&ks->scratch, out->p + base, blen) < 0)
		return -1;
	c = ks->scratch.p;
	out->len = base;
	for (i = l->kstart; i < ks->n; i++) {
		if (ks->k[i].drop)
			continue;
		j = ks->k[i].src;
		if (!weir_pv_read(c + ks->k[i].off - base, c + blen, &k))
			return -1;
		kend = (size_t)(k.end - c);
		if (!weir_pv_read(c + ks->k[j].off - base, c + blen, &k))
			return -1;
		vs = (size_t)(k.end - c);
		ve = j + 1 < ks->n ? ks->k[j + 1].off - base : blen;
		if (weir_buf_put(out, c + ks->k[i].off - base,
		    kend - (ks->k[i].off - base)) < 0 ||
		    weir_buf_put(out, c + vs, ve - vs) < 0)
			return -1;
	}
	return 0;
}

static inline size_t
skip_ws(const uint8_t *s, size_t n, size_t i)
{
	/* one compare for the usual case, a byte above the space */
	while (i < n && s[i] <= ' ' && (s[i] == ' ' || s[i] == '\t' ||
	    s[i] == '\n' || s[i] == '\r'))
		i++;
	return i;
}

int
weir_pack_json(weir_buf *out, const uint8_t *s, size_t n, char *err,
    size_t errsz)
{
	struct lvl stackbuf[64], *stack = stackbuf;
	size_t cap = 64;
	uint8_t isobj[WEIR_PACK_MAX_DEPTH + 1];
	size_t depth = 0, i = 0, j, orig = out->len;
	const char *why = NULL;
	int escaped, rc = WEIR_FAIL_DATA;
	keys ks;

	ks.k = ks.buf;
	ks.n = 0;
	ks.cap = sizeof(ks.buf) / sizeof(ks.buf[0]);
	memset(&ks.scratch, 0, sizeof(ks.scratch));

	i = skip_ws(s, n, i);
	for (;;) {
		/* parse a value at i */
		if (i >= n) {
			why = "unexpected end of input";
			goto fail;
		}
		switch (s[i]) {
		case '{':
		case '[':
			if (depth >= WEIR_PACK_MAX_DEPTH) {
				why = "nesting deeper than 1024 levels";
				goto fail;
			}
			if (depth == cap) {
				struct lvl *ns = malloc(sizeof(*ns) * cap * 4);
				if (!ns)
					goto oom;
				memcpy(ns, stack, sizeof(*ns) * cap);
				if (stack != stackbuf)
					free(stack);
				stack = ns;
				cap *= 4;
			}
			isobj[depth] = s[i] == '{';
			stack[depth].mark = weir_pack_open(out,
			    s[i] == '{' ? WEIR_PK_OBJ : WEIR_PK_ARR);
			stack[depth].kstart = ks.n;
			stack[depth].filter = 0;
			stack[depth].maybe_dup = 0;
			if (stack[depth].mark == (size_t)-1)
				goto oom;
			depth++;
			i = skip_ws(s, n, i + 1);
			if (i < n && s[i] == (isobj[depth - 1] ? '}' : ']'))
				goto close;
			if (isobj[depth - 1])
				goto key;
			continue;
		case '"':
			j = scan_string_at(s, n, i + 1, &escaped, &why, &i);
			if (j == (size_t)-1)
				goto fail;
			if (put_strtag(out, s + i + 1, j - i - 1, escaped,
			    s + n) < 0)
				goto oom;
			i = j + 1;
			break;
		case 't':
			if (n - i < 4 || memcmp(s + i, "true", 4)) {
				why = "invalid literal";
				goto fail;
			}
			if (weir_buf_putc(out, WEIR_PK_TRUE) < 0)
				goto oom;
			i += 4;
			break;
		case 'f':
			if (n - i < 5 || memcmp(s + i, "false", 5)) {
				why = "invalid literal";
				goto fail;
			}
			if (weir_buf_putc(out, WEIR_PK_FALSE) < 0)
				goto oom;
			i += 5;
			break;
		case 'n':
			if (n - i < 4 || memcmp(s + i, "null", 4)) {
				why = "invalid literal";
				goto fail;
			}
			if (weir_buf_putc(out, WEIR_PK_NULL) < 0)
				goto oom;
			i += 4;
			break;
		default:
			j = pack_number_at(out, s, n, i);
			if (j == NUM_NOMEM)
				goto oom;
			if (j == (size_t)-1) {
				why = s[i] == '-' || (s[i] >= '0' && s[i] <= '9')
				    ? "invalid number" : "unexpected character";
				goto fail;
			}
			i = j;
			break;
		}
		/* after a value */
	after:
		if (depth == 0)
			break;
		i = skip_ws(s, n, i);
		if (i >= n) {
			why = "unexpected end of input";
			goto fail;
		}
		if (s[i] == ',') {
			i = skip_ws(s, n, i + 1);
			if (isobj[depth - 1])
				goto key;
			continue;
		}
		if (s[i] != (isobj[depth - 1] ? '}' : ']')) {
			why = isobj[depth - 1] ? "expected ',' or '}'"
			    : "expected ',' or ']'";
			goto fail;
		}
	close:
		depth--;
		if (stack[depth].maybe_dup && dedup(&ks, &stack[depth], out) < 0)
			goto oom;
		ks.n = stack[depth].kstart;
		if (weir_pack_close(out, stack[depth].mark) < 0)
			goto oom;
		i++;
		goto after;
	key:
		if (i >= n || s[i] != '"') {
			why = "expected a string key";
			goto fail;
		}
		j = scan_string_at(s, n, i + 1, &escaped, &why, &i);
		if (j == (size_t)-1)
			goto fail;
		if (key_push(&ks, &stack[depth - 1], out->len, s + i + 1,
		    j - i - 1, escaped) < 0 ||
		    put_strtag(out, s + i + 1, j - i - 1, escaped, s + n) < 0)
			goto oom;
		i = skip_ws(s, n, j + 1);
		if (i >= n || s[i] != ':') {
			why = "expected ':'";
			goto fail;
		}
		i = skip_ws(s, n, i + 1);
	}
	i = skip_ws(s, n, i);
	if (i != n) {
		why = "trailing characters after the value";
		goto fail;
	}
	rc = 0;
	goto done;
oom:
	rc = WEIR_FAIL_NOMEM;
	weir_seterr(err, errsz, "out of memory");
	out->len = orig;
	goto done;
fail:
	weir_seterr(err, errsz, "invalid JSON at column %zu: %s", i + 1, why);
	out->len = orig;
done:
	if (stack != stackbuf)
		free(stack);
	if (ks.k != ks.buf)
		free(ks.k);
	weir_buf_free(&ks.scratch);
	return rc;
}

static int
plain_ok(const uint8_t *s, size_t n)
{
	size_t i = 0;
	int ascii = 1;

	while (i + 8 <= n && !special8(s + i))
		i += 8;
	for (; i < n; i++) {
		if (s[i] >= 0x80)
			ascii = 0;
		else if (strclass[s[i]])
			return 0;
	}
	return ascii || weir_utf8_valid(s, n);
}

/* plain_ok for a string s[0..n) inside a value that ends at lim: plain
 * ASCII is told in whole blocks, anything else byte by byte. */
HOT int
plain_ok_in(const uint8_t *s, size_t n, const uint8_t *lim)
{
	return ascii_plain(s, n, lim) || plain_ok(s, n);
}

/* The end of the short plain string at q (inside end, in a value ending
 * at lim), or NULL with *why set. */
HOT const uint8_t *
vscan_sstr(const uint8_t *q, const uint8_t *end, const uint8_t *lim,
    const char **why)
{
	size_t n = *q & 0x1f;

	if ((size_t)(end - q - 1) < n) {
		*why = "malformed value";
		return NULL;
	}
	if (!plain_ok_in(q + 1, n, lim)) {
		*why = "plain string needs escaping or is not UTF-8";
		return NULL;
	}
	return q + 1 + n;
}

static const uint8_t *
vscan_bad(const char **why)
{
	*why = "malformed value";
	return NULL;
}

/* The end of the STR value at q (inside end, in a value ending at lim),
 * or NULL with *why set. */
HOT const uint8_t *
vscan_str(const uint8_t *q, const uint8_t *end, const uint8_t *lim,
    const char **why)
{
	size_t u;

	q++;
	if (weir_pk_body(&q, end, &u) < 0)
		return vscan_bad(why);
	if (!plain_ok_in(q, u, lim)) {
		*why = "plain string needs escaping or is not UTF-8";
		return NULL;
	}
	return q + u;
}

/* The end of the INT value at q (inside end), or NULL: weir_pv_skip's
 * answer, a word at a time for the varints of up to 8 bytes. */
HOT const uint8_t *
vscan_int(const uint8_t *q, const uint8_t *end)
{
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
	if (end - q > 8) {
		uint64_t w, m;
		memcpy(&w, q + 1, 8);
		if ((m = ~w & UINT64_C(0x8080808080808080)))
			return q + 2 + (__builtin_ctzll(m) >> 3);
	}
#endif
	return weir_pv_skip(q, end);
}

/* Validate the value at p (inside a value ending at lim); returns its end,
 * or NULL with *why set. */
static const uint8_t *
vscan(const uint8_t *p, const uint8_t *end, const uint8_t *lim, int depth,
    const char **why)
{
	const uint8_t *e, *q;
	uint8_t t;
	const char *w;
	size_t at, u;
	int esc;

	if (p >= end)
		goto bad;
	if ((*p & 0xe0) == WEIR_PK_SSTR)
		return vscan_sstr(p, end, lim, why);
	if (*p <= WEIR_PK_DEC)	/* literals and numbers: well-formed */
		return (q = weir_pv_skip(p, end)) ? q : vscan_bad(why);
	t = *p++;
	if (t < WEIR_PK_NUM || t > WEIR_PK_OBJ)
		goto bad;
	if (weir_pk_body(&p, end, &u) < 0)
		goto bad;
	e = p + u;
	switch (t) {
	case WEIR_PK_NUM:
		if (u == 0 || scan_number(p, (size_t)u, 0) != u) {
			*why = "bad number text";
			return NULL;
		}
		return e;
	case WEIR_PK_STR:
		if (!plain_ok_in(p, (size_t)u, lim)) {
			*why = "plain string needs escaping or is not UTF-8";
			return NULL;
		}
		return e;
	case WEIR_PK_ESTR:
		/* the body must scan to its end without a quote */
		if (scan_string(p, (size_t)u, 0, &esc, &w, &at) != (size_t)-1 ||
		    strcmp(w, "unterminated string") != 0) {
			*why = "bad escaped string";
			return NULL;
		}
		return e;
	default:
		if (depth >= WEIR_PACK_MAX_DEPTH) {
			*why = "nesting too deep";
			return NULL;
		}
		for (q = p; q < e;) {
			if (t == WEIR_PK_OBJ) {
				/* the key: a plain one inline */
				if ((*q & 0xe0) == WEIR_PK_SSTR)
					q = vscan_sstr(q, e, lim, why);
				else if (*q == WEIR_PK_STR)
					q = vscan_str(q, e, lim, why);
				else if (*q == WEIR_PK_ESTR)
					q = vscan(q, e, lim, depth + 1, why);
				else {
					*why = "object key is not a string";
					return NULL;
				}
				if (!q)
					return NULL;
				if (q >= e)
					return vscan_bad(why);
			}
			/* the value: plain strings, literals and numbers
			 * inline */
			if ((*q & 0xe0) == WEIR_PK_SSTR)
				q = vscan_sstr(q, e, lim, why);
			else if (*q == WEIR_PK_INT) {
				if (!(q = vscan_int(q, e)))
					return vscan_bad(why);
			} else if (*q <= WEIR_PK_DEC) {
				if (!(q = weir_pv_skip(q, e)))
					return vscan_bad(why);
			} else if (*q == WEIR_PK_STR)
				q = vscan_str(q, e, lim, why);
			else
				q = vscan(q, e, lim, depth + 1, why);
			if (!q)
				return NULL;
		}
		return e;
	}
bad:
	*why = "malformed value";
	return NULL;
}

int
weir_pack_validate(const uint8_t *p, size_t n, char *err, size_t errsz)
{
	const char *why = NULL;
	const uint8_t *next;

	if (n == 0) {
		weir_seterr(err, errsz, "empty packed value");
		return -1;
	}
	next = vscan(p, p + n, p + n, 0, &why);
	if (!next) {
		weir_seterr(err, errsz, "corrupt packed value: %s", why);
		return -1;
	}
	if (next != p + n) {
		weir_seterr(err, errsz, "corrupt packed value: trailing bytes");
		return -1;
	}
	return 0;
}

int
weir_pack_null(weir_buf *b)
{
	return weir_buf_putc(b, WEIR_PK_NULL);
}

int
weir_pack_bool(weir_buf *b, int v)
{
	return weir_buf_putc(b, v ? WEIR_PK_TRUE : WEIR_PK_FALSE);
}

int
weir_pack_int(weir_buf *b, int64_t v)
{
	if (weir_buf_putc(b, WEIR_PK_INT) < 0)
		return -1;
	return weir_buf_put_varint(b, weir_zz_enc(v));
}

int
weir_pack_double(weir_buf *b, double v)
{
	char tmp[40];
	int n;

	if (!isfinite(v))
		return weir_pack_null(b);
	n = weir_fmt_double(tmp, sizeof(tmp), v);
	return pack_number(b, (const uint8_t *)tmp, (size_t)n) < 0 ? -1 : 0;
}

int
weir_pack_numtext(weir_buf *b, const char *s, size_t n)
{
	if (n == 0 || scan_number((const uint8_t *)s, n, 0) != n)
		return WEIR_FAIL_DATA;
	return pack_number(b, (const uint8_t *)s, n);
}

int
weir_pack_str(weir_buf *b, const char *s, size_t n)
{
	const uint8_t *u = (const uint8_t *)s;
	size_t i;
	weir_buf tmp = {0};
	int rc;

	if (!weir_utf8_valid(u, n))
		return WEIR_FAIL_DATA;
	for (i = 0; i < n; i++)
		if (u[i] < 0x20 || u[i] == '"' || u[i] == '\\')
			break;
	if (i == n)
		return put_strtag(b, u, n, 0, NULL) < 0 ? WEIR_FAIL_NOMEM : 0;
	rc = weir_json_escape(&tmp, u, n) < 0 ||
	    put_strtag(b, tmp.p, tmp.len, 1, NULL) < 0 ? WEIR_FAIL_NOMEM : 0;
	weir_buf_free(&tmp);
	return rc;
}

int
weir_pack_raw(weir_buf *b, const weir_pv *v)
{
	return weir_buf_put(b, v->tag, (size_t)(v->end - v->tag));
}


const uint8_t *
weir_pack_check(const uint8_t *p, const uint8_t *end, const uint8_t *lim,
    int depth, const char **why)
{
	return vscan(p, end, lim, depth, why);
}

/* The string s[0..n) quoted at w (32 bytes copied at once when lim, the
 * end of the readable bytes, allows): where the text goes next. */
static inline uint8_t *
put_quoted(uint8_t *w, const uint8_t *s, size_t n, const uint8_t *lim)
{
	*w++ = '"';
	if (n <= 32 && lim - s >= 32)
		memcpy(w, s, 32);
	else
		memcpy(w, s, n);
	w += n;
	*w++ = '"';
	return w;
}

/* The integer of the varint [q, e), which must end there (lim: the end
 * of the readable bytes): 0, or -1. */
static inline int
varint_to(const uint8_t *q, const uint8_t *e, const uint8_t *lim,
    uint64_t *u)
{
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
	size_t n = (size_t)(e - q);
	uint64_t w;

	if (n >= 1 && n <= 8 && lim - q >= 8) {	/* a word at a time */
		memcpy(&w, q, 8);
		if (n < 8)
			w &= (UINT64_C(1) << (8 * n)) - 1;
		/* a high bit on every byte but the last */
		if ((w & UINT64_C(0x8080808080808080)) !=
		    (UINT64_C(0x8080808080808080) &
		    ((UINT64_C(1) << (8 * (n - 1))) - 1)))
			return -1;
		w &= UINT64_C(0x7f7f7f7f7f7f7f7f);
		w = (w & UINT64_C(0x007f007f007f007f)) |
		    (w & UINT64_C(0x7f007f007f007f00)) >> 1;
		w = (w & UINT64_C(0x00003fff00003fff)) |
		    (w & UINT64_C(0x3fff00003fff0000)) >> 2;
		*u = (w & UINT64_C(0x000000000fffffff)) |
		    (w & UINT64_C(0x0fffffff00000000)) >> 4;
		return 0;
	}
#endif
	return weir_varint_dec(&q, e, u) < 0 || q != e ? -1 : 0;
}

int
weir_pack_key_json(weir_buf *out, const uint8_t *kt, const uint8_t *vt,
    const uint8_t *lim, int check, int comma, const char **why)
{
	size_t kn = *kt & 0x1f;
	uint8_t *w;

	if ((*kt & 0xe0) == WEIR_PK_SSTR && vt == kt + 1 + kn) {
		if (check && !plain_ok_in(kt + 1, kn, lim)) {
			*why = "plain string needs escaping or is not UTF-8";
			return -1;
		}
		if (weir_buf_reserve(out, 36) < 0)
			goto nomem;
		w = out->p + out->len;
		if (comma)
			*w++ = ',';
		w = put_quoted(w, kt + 1, kn, lim);
		*w++ = ':';
		out->len = (size_t)(w - out->p);
		return 0;
	}
	if (check && *kt != WEIR_PK_STR && *kt != WEIR_PK_ESTR) {
		*why = "object key is not a string";
		return -1;
	}
	if (comma && weir_buf_putc(out, ',') < 0)
		goto nomem;
	if (weir_pv_json_at(out, kt, vt, lim, 1, check, why) != vt)
		return -1;
	if (weir_buf_putc(out, ':') < 0)
		goto nomem;
	return 0;
nomem:
	*why = NULL;
	return -1;
}

int
weir_pack_member_json(weir_buf *out, const uint8_t *kt, const uint8_t *vt,
    const uint8_t *e, const uint8_t *lim, int depth, int check, int comma,
    const char **why)
{
	const uint8_t *q;
	size_t kn, n = 0;
	uint64_t u;
	uint8_t *w;

	*why = "malformed value";
	/* a short plain key, and an integer or a plain string: here */
	if ((*kt & 0xe0) == WEIR_PK_SSTR && ((*vt & 0xe0) == WEIR_PK_SSTR ||
	    *vt == WEIR_PK_INT || *vt == WEIR_PK_STR)) {
		kn = *kt & 0x1f;
		q = vt + 1;
		if (*vt == WEIR_PK_STR && weir_pk_body(&q, e, &n) < 0)
			return -1;
		if (check && !plain_ok_in(kt + 1, kn, lim))
			goto notplain;
		if (weir_buf_reserve(out, kn + n + 72) < 0)
			goto nomem;
		w = out->p + out->len;
		if (comma)
			*w++ = ',';
		w = put_quoted(w, kt + 1, kn, lim);
		*w++ = ':';
		if (*vt == WEIR_PK_INT) {
			if (varint_to(q, e, lim, &u) < 0)
				return -1;
			w += weir_json_i64_text(w, weir_zz_dec(u));
		} else {
			if (*vt != WEIR_PK_STR)
				n = *vt & 0x1f;
			if (q + n != e)
				return -1;
			if (check && !plain_ok_in(q, n, lim))
				goto notplain;
			w = put_quoted(w, q, n, lim);
		}
		out->len = (size_t)(w - out->p);
		return 0;
	}
	if (weir_pack_key_json(out, kt, vt, lim, check, comma, why) < 0)
		return -1;
	return weir_pv_json_at(out, vt, e, lim, depth, check, why) == e ? 0 :
	    -1;
notplain:
	*why = "plain string needs escaping or is not UTF-8";
	return -1;
nomem:
	*why = NULL;
	return -1;
}
