/* json.c - JSON text helpers: escaping, unescaping, number text. */
#include "json.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>

static int
hexval(int c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

int
weir_json_hex4(const uint8_t *s, unsigned *out)
{
	unsigned v = 0;
	int i;

	for (i = 0; i < 4; i++) {
		int h = hexval(s[i]);
		if (h < 0)
			return -1;
		v = v << 4 | (unsigned)h;
	}
	*out = v;
	return 0;
}

static int
put_utf8(weir_buf *out, unsigned cp)
{
	uint8_t b[4];
	size_t n;

	if (cp < 0x80) {
		b[0] = (uint8_t)cp;
		n = 1;
	} else if (cp < 0x800) {
		b[0] = (uint8_t)(0xc0 | cp >> 6);
		b[1] = (uint8_t)(0x80 | (cp & 0x3f));
		n = 2;
	} else if (cp < 0x10000) {
		b[0] = (uint8_t)(0xe0 | cp >> 12);
		b[1] = (uint8_t)(0x80 | ((cp >> 6) & 0x3f));
		b[2] = (uint8_t)(0x80 | (cp & 0x3f));
		n = 3;
	} else {
		b[0] = (uint8_t)(0xf0 | cp >> 18);
		b[1] = (uint8_t)(0x80 | ((cp >> 12) & 0x3f));
		b[2] = (uint8_t)(0x80 | ((cp >> 6) & 0x3f));
		b[3] = (uint8_t)(0x80 | (cp & 0x3f));
		n = 4;
	}
	return weir_buf_put(out, b, n);
}

int
weir_json_unescape(weir_buf *out, const uint8_t *s, size_t n)
{
	size_t i = 0;

	while (i < n) {
		const uint8_t *bs = memchr(s + i, '\\', n - i);
		size_t run = bs ? (size_t)(bs - s) - i : n - i;
		unsigned u, u2;

		if (weir_buf_put(out, s + i, run) < 0)
			return WEIR_FAIL_NOMEM;
		i += run;
		if (i >= n)
			break;
		if (i + 1 >= n)
			return WEIR_FAIL_DATA;
		switch (s[i + 1]) {
		case '"': case '\\': case '/':
			if (weir_buf_putc(out, s[i + 1]) < 0)
				return WEIR_FAIL_NOMEM;
			i += 2;
			break;
		case 'b': case 'f': case 'n': case 'r': case 't':
			if (weir_buf_putc(out, s[i + 1] == 'b' ? '\b' :
			    s[i + 1] == 'f' ? '\f' : s[i + 1] == 'n' ? '\n' :
			    s[i + 1] == 'r' ? '\r' : '\t') < 0)
				return WEIR_FAIL_NOMEM;
			i += 2;
			break;
		case 'u':
			if (i + 6 > n || weir_json_hex4(s + i + 2, &u) < 0)
				return WEIR_FAIL_DATA;
			i += 6;
			if (u >= 0xd800 && u <= 0xdbff) {
				if (i + 6 > n || s[i] != '\\' || s[i + 1] != 'u' ||
				    weir_json_hex4(s + i + 2, &u2) < 0 || u2 < 0xdc00 ||
				    u2 > 0xdfff)
					return WEIR_FAIL_DATA;
				i += 6;
				u = 0x10000 + ((u - 0xd800) << 10) + (u2 - 0xdc00);
			} else if (u >= 0xdc00 && u <= 0xdfff)
				return WEIR_FAIL_DATA;
			if (put_utf8(out, u) < 0)
				return WEIR_FAIL_NOMEM;
			break;
		default:
			return WEIR_FAIL_DATA;
		}
	}
	return 0;
}

int
weir_json_escape(weir_buf *out, const uint8_t *s, size_t n)
{
	static const char hex[] = "0123456789abcdef";
	size_t i = 0;

	while (i < n) {
		size_t j = i;
		uint8_t c;
		while (j < n && s[j] >= 0x20 && s[j] != '"' && s[j] != '\\')
			j++;
		if (weir_buf_put(out, s + i, j - i) < 0)
			return -1;
		if (j >= n)
			break;
		c = s[j];
		if (weir_buf_reserve(out, 6) < 0)
			return -1;
		out->p[out->len++] = '\\';
		switch (c) {
		case '"': out->p[out->len++] = '"'; break;
		case '\\': out->p[out->len++] = '\\'; break;
		case '\n': out->p[out->len++] = 'n'; break;
		case '\r': out->p[out->len++] = 'r'; break;
		case '\t': out->p[out->len++] = 't'; break;
		case '\b': out->p[out->len++] = 'b'; break;
		case '\f': out->p[out->len++] = 'f'; break;
		default:
			out->p[out->len++] = 'u';
			out->p[out->len++] = '0';
			out->p[out->len++] = '0';
			out->p[out->len++] = (uint8_t)hex[c >> 4];
			out->p[out->len++] = (uint8_t)hex[c & 15];
		}
		i = j + 1;
	}
	return 0;
}

int
weir_json_str(weir_buf *out, const uint8_t *s, size_t n)
{
	if (weir_buf_putc(out, '"') < 0 || weir_json_escape(out, s, n) < 0)
		return -1;
	return weir_buf_putc(out, '"');
}

/* "00" .. "99": integers are written two digits at a time. */
static const char dig2[201] =
    "00010203040506070809101112131415161718192021222324252627282930313233"
    "34353637383940414243444546474849505152535455565758596061626364656667"
    "6869707172737475767778798081828384858687888990919293949596979899";

static const uint64_t pow10u[20] = {
	UINT64_C(1), UINT64_C(10), UINT64_C(100), UINT64_C(1000),
	UINT64_C(10000), UINT64_C(100000), UINT64_C(1000000),
	UINT64_C(10000000), UINT64_C(100000000), UINT64_C(1000000000),
	UINT64_C(10000000000), UINT64_C(100000000000),
	UINT64_C(1000000000000), UINT64_C(10000000000000),
	UINT64_C(100000000000000), UINT64_C(1000000000000000),
	UINT64_C(10000000000000000), UINT64_C(100000000000000000),
	UINT64_C(1000000000000000000), UINT64_C(10000000000000000000)
};

/* The number of decimal digits of u (1 for 0): log2 times log10(2) (1233 /
 * 4096), one more when u reaches the next power of ten.  u | 1 has the
 * digits of u (no power of ten above 1 is odd) and is never 0. */
static inline size_t
ndigits(uint64_t u)
{
	uint64_t v = u | 1;
	unsigned t = (unsigned)(64 - __builtin_clzll(v)) * 1233 >> 12;

	return t + (v >= pow10u[t]);
}

/* The n digits of u, ending at q: 8 at a time with one 64-bit division,
 * then two at a time in 32 bits. */
static inline void
put_digits(uint8_t *q, uint64_t u)
{
	uint32_t x;

	while (u >= 100000000) {
		uint32_t lo = (uint32_t)(u % 100000000);
		u /= 100000000;
		q -= 8;
		memcpy(q + 6, dig2 + 2 * (lo % 100), 2);
		lo /= 100;
		memcpy(q + 4, dig2 + 2 * (lo % 100), 2);
		lo /= 100;
		memcpy(q + 2, dig2 + 2 * (lo % 100), 2);
		memcpy(q, dig2 + 2 * (lo / 100), 2);
	}
	x = (uint32_t)u;
	while (x >= 100) {
		q -= 2;
		memcpy(q, dig2 + 2 * (x % 100), 2);
		x /= 100;
	}
	if (x >= 10) {
		q -= 2;
		memcpy(q, dig2 + 2 * x, 2);
	} else
		*--q = (uint8_t)('0' + x);
}

size_t
weir_json_i64_text(uint8_t *p, int64_t v)
{
	uint64_t u = v < 0 ? 0 - (uint64_t)v : (uint64_t)v;
	size_t neg = v < 0, n = ndigits(u);

	*p = '-';
	put_digits(p + neg + n, u);
	return neg + n;
}

size_t
weir_json_dec_text(uint8_t *p, int64_t m, int scale)
{
	uint64_t u = m < 0 ? 0 - (uint64_t)m : (uint64_t)m;
	size_t s = scale > 0 ? (size_t)scale : 0, n = ndigits(u), k = 0;

	if (m < 0)
		p[k++] = '-';
	if (n > s) {			/* ddd.ddd */
		put_digits(p + k + n, u);
		memmove(p + k + n - s + 1, p + k + n - s, s);
		p[k + n - s] = '.';
		return k + n + 1;
	}
	p[k++] = '0';			/* 0.000ddd */
	p[k++] = '.';
	memset(p + k, '0', s - n);
	put_digits(p + k + s, u);
	return k + s;
}

int
weir_json_put_i64(weir_buf *out, int64_t v)
{
	if (weir_buf_reserve(out, 20) < 0)
		return -1;
	out->len += weir_json_i64_text(out->p + out->len, v);
	return 0;
}

int
weir_json_put_dec(weir_buf *out, int64_t m, int scale)
{
	if (weir_buf_reserve(out, (scale > 0 ? (size_t)scale : 0) + 22) < 0)
		return -1;
	out->len += weir_json_dec_text(out->p + out->len, m, scale);
	return 0;
}

int
weir_fmt_double(char *buf, size_t sz, double v)
{
	int prec;

	if (v == 0)
		return snprintf(buf, sz, "0");
	if (fabs(v) < 1e15 && v == (double)(int64_t)v)
		return snprintf(buf, sz, "%lld", (long long)v);
	for (prec = 15; prec <= 17; prec++) {
		snprintf(buf, sz, "%.*g", prec, v);
		if (strtod(buf, NULL) == v)
			break;
	}
	return (int)strlen(buf);
}
