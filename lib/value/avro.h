/*
 * avro.h - Avro binary values to and from weir's packed JSON, and the
 * Confluent wire format (magic byte 0, 4-byte big-endian schema id, Avro
 * binary).  weir-source(1) and weir-sink(1), AVRO.
 *
 * Schemas are checked by the Apache Avro C library (avro-c), then walked
 * by this module, which also reads the logical types avro-c ignores.  The
 * decoder is written for untrusted bytes: every length is checked against
 * the message, nesting is bounded, and so is the decoded value's size.
 *
 * JSON mapping (both ways):
 *   null, boolean, string, enum symbol  JSON null, true/false, strings
 *   int, long, float, double            numbers (NaN and infinities: null)
 *   bytes, fixed                        strings of code points U+0000-U+00FF,
 *                                       one per byte (Avro's JSON encoding)
 *   record, map / array                 objects / arrays
 *   union                               the branch's value itself, never
 *                                       {"type": value}; encoding picks the
 *                                       first branch the value fits
 *   decimal                             an exact JSON number (scale digits)
 *   date                                "YYYY-MM-DD"
 *   time-millis, time-micros            "HH:MM:SS.mmm", "HH:MM:SS.uuuuuu"
 *   timestamp-millis, -micros           "YYYY-MM-DDTHH:MM:SS.mmmZ" (.uuuuuu)
 *   local-timestamp-millis, -micros     the same without the Z
 * Encoding also takes numbers for times (the stored unit) and any ISO 8601
 * date-time for timestamps; record fields that are missing take the
 * schema's default, and fields the schema does not name are left out.
 */
#ifndef WEIR_AVRO_H
#define WEIR_AVRO_H

#include "pack.h"

typedef struct weir_avro_schema weir_avro_schema;

/* Load avro-c now, rather than when the first schema is parsed (it is
 * not linked: avro_dl.h): 0, or WEIR_FAIL_IO with a message. */
int weir_avro_load(char *err, size_t errsz);

/* Parse a schema (JSON text): 0 and *out, or WEIR_FAIL_DATA (not a
 * schema weir can use), WEIR_FAIL_NOMEM or WEIR_FAIL_IO (avro-c cannot
 * be loaded), with a message in err. */
int weir_avro_schema_parse(weir_avro_schema **out, const char *json,
    size_t n, char *err, size_t errsz);
void weir_avro_schema_free(weir_avro_schema *s);

/* Decode one Avro binary value [p, p+n), exactly, and append its packed
 * JSON to out.  0, or WEIR_FAIL_DATA or WEIR_FAIL_NOMEM with a message
 * (out keeps its length). */
int weir_avro_decode(weir_avro_schema *s, const uint8_t *p, size_t n,
    weir_buf *out, char *err, size_t errsz);

/* Encode a JSON value as Avro binary appended to out.  0, or
 * WEIR_FAIL_DATA with a message naming the field that does not fit, or
 * WEIR_FAIL_NOMEM (out keeps its length). */
int weir_avro_encode(weir_avro_schema *s, const weir_pv *v, weir_buf *out,
    char *err, size_t errsz);

/* The Confluent framing. */
#define WEIR_AVRO_MAGIC 0
#define WEIR_AVRO_HDR 5
/* Split a framed message: 0 with the schema id and the body, -1 with a
 * message when it is too short or its magic byte is not 0. */
int weir_avro_unframe(const uint8_t *p, size_t n, uint32_t *id,
    const uint8_t **body, size_t *bodylen, char *err, size_t errsz);
/* Append the 5-byte header for schema id. */
int weir_avro_frame(weir_buf *out, uint32_t id);

#endif
