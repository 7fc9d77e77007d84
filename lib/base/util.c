/* util.c - buffers, error strings, UTF-8, base64, clocks. */
#include "util.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

size_t
weir_size_parse(const char *s, size_t min, size_t max)
{
	unsigned long long v;
	char *end;
	int shift = 0;

	if (*s < '0' || *s > '9')
		return 0;
	errno = 0;
	v = strtoull(s, &end, 10);
	if (errno)
		return 0;
	if (*end == 'k' || *end == 'K')
		shift = 10;
	else if (*end == 'm' || *end == 'M')
		shift = 20;
	else if (*end == 'g' || *end == 'G')
		shift = 30;
	if (shift)
		end++;
	if (*end == 'B' || *end == 'b')
		end++;
	if (*end || v > max >> shift)
		return 0;
	v <<= shift;
	return v >= min ? (size_t)v : 0;
}

/* A WEIR_MAX_RECORD value, from 1K to the hard limit; 0 when it is not
 * one. */
static size_t
max_record_parse(const char *s)
{
	return weir_size_parse(s, 1024, WEIR_MAX_RECORD_HARD);
}

size_t
weir_max_record(void)
{
	static size_t cached;
	const char *s;

	if (cached)
		return cached;
	cached = WEIR_MAX_RECORD_DEFAULT;
	s = getenv("WEIR_MAX_RECORD");
	if (s && *s && max_record_parse(s))
		cached = max_record_parse(s);
	return cached;
}

int
weir_max_record_check(char *err, size_t errsz)
{
	const char *s = getenv("WEIR_MAX_RECORD");

	if (!s || !*s || max_record_parse(s))
		return 0;
	weir_seterr(err, errsz, "WEIR_MAX_RECORD=%s: not a size from 1K to 1G "
	    "(bytes, or a number with a K, M or G suffix)", s);
	return -1;
}

void
weir_seterr(char *err, size_t errsz, const char *fmt, ...)
{
	va_list ap;

	if (!err || !errsz)
		return;
	va_start(ap, fmt);
	vsnprintf(err, errsz, fmt, ap);
	va_end(ap);
}

int
weir_grow(void *pp, size_t *cap, size_t need, size_t elsz, size_t max)
{
	void **p = pp, *np;
	size_t nc = *cap ? *cap : 8;

	if (need <= *cap)
		return 0;
	if (need > max || elsz == 0 || need > SIZE_MAX / elsz)
		return -1;
	while (nc < need)
		nc = nc > SIZE_MAX / 2 ? need : nc * 2;
	if (nc > max)
		nc = max;
	if (nc > SIZE_MAX / elsz)
		nc = need;
	np = realloc(*p, nc * elsz);
	if (!np)
		return -1;
	*p = np;
	*cap = nc;
	return 0;
}

int
weir_buf_grow(weir_buf *b, size_t extra)
{
	size_t need, cap;
	uint8_t *p;

	if (extra > SIZE_MAX - b->len)
		return -1;
	need = b->len + extra;
	cap = b->cap ? b->cap : 256;
	while (cap < need) {
		if (cap > SIZE_MAX / 2) {
			cap = need;
			break;
		}
		cap *= 2;
	}
	p = realloc(b->p, cap);
	if (!p)
		return -1;
	b->p = p;
	b->cap = cap;
	return 0;
}

void
weir_buf_free(weir_buf *b)
{
	free(b->p);
	b->p = NULL;
	b->len = b->cap = 0;
}

int
weir_buf_printf(weir_buf *b, const char *fmt, ...)
{
	va_list ap;
	int n;

	if (weir_buf_reserve(b, 64) < 0)
		return -1;
	va_start(ap, fmt);
	n = vsnprintf((char *)b->p + b->len, b->cap - b->len, fmt, ap);
	va_end(ap);
	if (n < 0)
		return -1;
	if ((size_t)n >= b->cap - b->len) {
		if (weir_buf_reserve(b, (size_t)n + 1) < 0)
			return -1;
		va_start(ap, fmt);
		vsnprintf((char *)b->p + b->len, b->cap - b->len, fmt, ap);
		va_end(ap);
	}
	b->len += (size_t)n;
	return 0;
}

int
weir_utf8_valid(const uint8_t *s, size_t n)
{
	size_t i = 0;

	while (i < n) {
		uint8_t c = s[i];
		if (c < 0x80) {
			i++;
			/* fast path over ASCII runs */
			while (i + 8 <= n) {
				uint64_t w;
				memcpy(&w, s + i, 8);
				if (w & 0x8080808080808080ULL)
					break;
				i += 8;
			}
			continue;
		}
		if (c >= 0xc2 && c <= 0xdf) {
			if (i + 1 >= n || (s[i + 1] & 0xc0) != 0x80)
				return 0;
			i += 2;
		} else if (c >= 0xe0 && c <= 0xef) {
			uint8_t c1;
			if (i + 2 >= n)
				return 0;
			c1 = s[i + 1];
			if ((c1 & 0xc0) != 0x80 || (s[i + 2] & 0xc0) != 0x80)
				return 0;
			if (c == 0xe0 && c1 < 0xa0)
				return 0;	/* overlong */
			if (c == 0xed && c1 >= 0xa0)
				return 0;	/* surrogate */
			i += 3;
		} else if (c >= 0xf0 && c <= 0xf4) {
			uint8_t c1;
			if (i + 3 >= n)
				return 0;
			c1 = s[i + 1];
			if ((c1 & 0xc0) != 0x80 || (s[i + 2] & 0xc0) != 0x80 ||
			    (s[i + 3] & 0xc0) != 0x80)
				return 0;
			if (c == 0xf0 && c1 < 0x90)
				return 0;
			if (c == 0xf4 && c1 >= 0x90)
				return 0;
			i += 4;
		} else
			return 0;
	}
	return 1;
}

static const char b64chars[] =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

int
weir_b64_enc(weir_buf *out, const uint8_t *s, size_t n)
{
	size_t i;
	uint8_t *o;

	if (weir_buf_reserve(out, (n + 2) / 3 * 4) < 0)
		return -1;
	o = out->p + out->len;
	for (i = 0; i + 2 < n; i += 3) {
		uint32_t v = (uint32_t)s[i] << 16 | (uint32_t)s[i + 1] << 8 | s[i + 2];
		*o++ = (uint8_t)b64chars[v >> 18];
		*o++ = (uint8_t)b64chars[(v >> 12) & 63];
		*o++ = (uint8_t)b64chars[(v >> 6) & 63];
		*o++ = (uint8_t)b64chars[v & 63];
	}
	if (i < n) {
		uint32_t v = (uint32_t)s[i] << 16;
		if (i + 1 < n)
			v |= (uint32_t)s[i + 1] << 8;
		*o++ = (uint8_t)b64chars[v >> 18];
		*o++ = (uint8_t)b64chars[(v >> 12) & 63];
		*o++ = i + 1 < n ? (uint8_t)b64chars[(v >> 6) & 63] : '=';
		*o++ = '=';
	}
	out->len = (size_t)(o - out->p);
	return 0;
}

static int
b64val(int c)
{
	if (c >= 'A' && c <= 'Z')
		return c - 'A';
	if (c >= 'a' && c <= 'z')
		return c - 'a' + 26;
	if (c >= '0' && c <= '9')
		return c - '0' + 52;
	if (c == '+' || c == '-')
		return 62;
	if (c == '/' || c == '_')
		return 63;
	return -1;
}

int
weir_b64_dec(weir_buf *out, const char *s, size_t n)
{
	uint32_t acc = 0;
	int bits = 0;
	size_t i;

	while (n > 0 && s[n - 1] == '=')
		n--;
	if (weir_buf_reserve(out, n / 4 * 3 + 3) < 0)
		return -1;
	for (i = 0; i < n; i++) {
		int v = b64val((unsigned char)s[i]);
		if (v < 0)
			return -1;
		acc = acc << 6 | (uint32_t)v;
		bits += 6;
		if (bits >= 8) {
			bits -= 8;
			out->p[out->len++] = (uint8_t)(acc >> bits);
		}
	}
	if (bits >= 6)
		return -1;	/* a lone sextet cannot end a quantum */
	return 0;
}

int64_t
weir_now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

int64_t
weir_mono_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}
