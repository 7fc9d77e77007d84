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

int
weir_json_put_i64(weir_buf *out, int64_t v)
{
	char tmp[24], *p = tmp + sizeof(tmp);
	uint64_t u = v < 0 ? 0 - (uint64_t)v : (uint64_t)v;

	do {
		*--p = (char)('0' + u % 10);
		u /= 10;
	} while (u);
	if (v < 0)
		*--p = '-';
	return weir_buf_put(out, p, (size_t)(tmp + sizeof(tmp) - p));
}

int
weir_json_put_dec(weir_buf *out, int64_t m, int scale)
{
	char tmp[40], *p = tmp + sizeof(tmp);
	uint64_t u = m < 0 ? 0 - (uint64_t)m : (uint64_t)m;
	int k;

	for (k = 0; k < scale; k++) {
		*--p = (char)('0' + u % 10);
		u /= 10;
	}
	*--p = '.';
	do {
		*--p = (char)('0' + u % 10);
		u /= 10;
	} while (u);
	if (m < 0)
		*--p = '-';
	return weir_buf_put(out, p, (size_t)(tmp + sizeof(tmp) - p));
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
