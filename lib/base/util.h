/*
 * util.h - the small things every weir module needs: exit statuses,
 * error-buffer convention, growable byte buffers, varints.
 *
 * Library convention (as librdkafka's errstr): a function that can fail
 * returns 0 (or a non-negative count or status) on success and a
 * WEIR_FAIL_* kind below on failure, and writes a one-line message, without
 * the program name, into the caller's buffer (char *err, size_t errsz); no
 * out-parameter says what failed.  A constructor that can fail in only one
 * way (out of memory) returns NULL; one that can fail in more ways is
 * int weir_x_open(weir_x **out, ..., char *err, size_t errsz).  Only the
 * growable-buffer primitives below (weir_buf_*, weir_grow) return a bare -1
 * when memory is out; their callers return WEIR_FAIL_NOMEM.  Library code
 * never prints and never exits: lib/prog/cli.c maps a kind to an exit
 * status (weir_fail_status, weir_die_fail), in one place.
 */
#ifndef WEIR_UTIL_H
#define WEIR_UTIL_H

#include <stddef.h>
#include <stdint.h>
#include <string.h>

/* The one exit-status contract (see weir(7), EXIT STATUS). */
enum {
	WEIR_EXIT_OK = 0,	/* success */
	WEIR_EXIT_DATA = 1,	/* bad input data, or a check that failed */
	WEIR_EXIT_USAGE = 2,	/* bad command line or configuration */
	WEIR_EXIT_IO = 3	/* I/O, Kafka, or upstream ended without END */
};

#define WEIR_VERSION "0.1.0"

#define WEIR_ERRSZ 512

/*
 * What a library call failed at: it returns one of these (negative) and
 * fills its message buffer (for WEIR_FAIL_NOMEM the message may be left
 * out: "out of memory" is printed); lib/prog/cli.c maps each to an exit
 * status (weir_fail_status), in one place.
 */
enum {
	WEIR_FAIL_DATA = -1,	/* bad input data: exit 1 */
	WEIR_FAIL_USAGE = -2,	/* a bad argument or configuration: exit 2 */
	WEIR_FAIL_IO = -3,	/* I/O: exit 3 */
	WEIR_FAIL_NOMEM = -4	/* out of memory: exit 3 */
};

/* Default and hard limits on one record (and so one frame, one line). */
#define WEIR_MAX_RECORD_DEFAULT (16u * 1024 * 1024)
#define WEIR_MAX_RECORD_HARD (1024u * 1024 * 1024)

/* A size in bytes with an optional K, M or G suffix (powers of 1024) and
 * B ("64M", "64MB", "4096"), from min to max; 0 when it is not one. */
size_t weir_size_parse(const char *s, size_t min, size_t max);
size_t weir_max_record(void);	/* WEIR_MAX_RECORD from the environment */
/* -1 with a message when WEIR_MAX_RECORD is set but not a valid size (every
 * program checks it at start: weir_cli_init). */
int weir_max_record_check(char *err, size_t errsz);

void weir_seterr(char *err, size_t errsz, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* A growable byte buffer in the spirit of sds: len bytes used of cap. */
typedef struct weir_buf {
	uint8_t *p;
	size_t len, cap;
} weir_buf;

int weir_buf_grow(weir_buf *b, size_t need);	/* slow path, -1 on ENOMEM */
/* Make the array *pp of *cap elements of elsz bytes hold at least need
 * (doubling, from 8): 0, or -1 when need is over max, the size overflows
 * or memory is out (*pp and *cap unchanged). */
int weir_grow(void *pp, size_t *cap, size_t need, size_t elsz, size_t max);
void weir_buf_free(weir_buf *b);

static inline int
weir_buf_reserve(weir_buf *b, size_t extra)
{
	if (b->cap - b->len >= extra)
		return 0;
	return weir_buf_grow(b, extra);
}

static inline int
weir_buf_put(weir_buf *b, const void *data, size_t n)
{
	if (weir_buf_reserve(b, n) < 0)
		return -1;
	if (n)
		memcpy(b->p + b->len, data, n);
	b->len += n;
	return 0;
}

static inline int
weir_buf_putc(weir_buf *b, int c)
{
	if (weir_buf_reserve(b, 1) < 0)
		return -1;
	b->p[b->len++] = (uint8_t)c;
	return 0;
}

static inline int
weir_buf_puts(weir_buf *b, const char *s)
{
	return weir_buf_put(b, s, strlen(s));
}

int weir_buf_printf(weir_buf *b, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

/* LEB128 varints, zigzag for signed values. */
static inline size_t
weir_varint_size(uint64_t v)
{
	size_t n = 1;
	while (v >= 0x80) {
		v >>= 7;
		n++;
	}
	return n;
}

static inline uint8_t *
weir_varint_enc(uint8_t *p, uint64_t v)
{
	while (v >= 0x80) {
		*p++ = (uint8_t)(v | 0x80);
		v >>= 7;
	}
	*p++ = (uint8_t)v;
	return p;
}

static inline uint64_t
weir_zz_enc(int64_t v)
{
	return ((uint64_t)v << 1) ^ (uint64_t)(v >> 63);
}

static inline int64_t
weir_zz_dec(uint64_t v)
{
	return (int64_t)(v >> 1) ^ -(int64_t)(v & 1);
}

/* Decode a varint at *p (not past end); advances *p.  -1 if truncated or
 * longer than 10 bytes. */
static inline int
weir_varint_dec(const uint8_t **pp, const uint8_t *end, uint64_t *out)
{
	const uint8_t *p = *pp;
	uint64_t v = 0;
	int shift = 0;

	while (p < end) {
		uint8_t c = *p++;
		if (shift == 63 && c > 1)
			return -1;
		v |= (uint64_t)(c & 0x7f) << shift;
		if (!(c & 0x80)) {
			*pp = p;
			*out = v;
			return 0;
		}
		shift += 7;
		if (shift > 63)
			return -1;
	}
	return -1;
}

static inline int
weir_buf_put_varint(weir_buf *b, uint64_t v)
{
	if (weir_buf_reserve(b, 10) < 0)
		return -1;
	b->len = (size_t)(weir_varint_enc(b->p + b->len, v) - b->p);
	return 0;
}

/* UTF-8: 1 when s[0..n) is well-formed UTF-8 (no surrogates, no overlongs). */
int weir_utf8_valid(const uint8_t *s, size_t n);

/* Base64 (RFC 4648, with padding). */
int weir_b64_enc(weir_buf *out, const uint8_t *s, size_t n);
int weir_b64_dec(weir_buf *out, const char *s, size_t n);	/* -1 bad */

/* Milliseconds since the epoch, from the realtime and monotonic clocks. */
int64_t weir_now_ms(void);
int64_t weir_mono_ms(void);

#endif
