/*
 * json.h - JSON text helpers shared by the packer, the value writers and
 * the text formats.
 */
#ifndef WEIR_JSON_H
#define WEIR_JSON_H

#include "util.h"

int weir_json_escape(weir_buf *out, const uint8_t *s, size_t n);	/* no quotes */
int weir_json_str(weir_buf *out, const uint8_t *s, size_t n);	/* with quotes */
/* 0, WEIR_FAIL_DATA for a bad escape, WEIR_FAIL_NOMEM */
int weir_json_unescape(weir_buf *out, const uint8_t *s, size_t n);
int weir_json_hex4(const uint8_t *s, unsigned *out);	/* 4 hex digits */
int weir_json_put_i64(weir_buf *out, int64_t v);
int weir_json_put_dec(weir_buf *out, int64_t m, int scale);	/* m / 10^scale */
/* The same texts at p, which has room for 20 bytes (i64) or scale + 22
 * (dec; a scale below 1 writes the digits and a point): their length. */
size_t weir_json_i64_text(uint8_t *p, int64_t v);
size_t weir_json_dec_text(uint8_t *p, int64_t m, int scale);
int weir_fmt_double(char *buf, size_t sz, double v);	/* shortest round-trip */

#endif
