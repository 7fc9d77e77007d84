/*
 * record.h - working with a record's value, key and time.
 *
 * A value is bytes; "JSON" is how weir looks inside it.  Packed values are
 * JSON already; JSON text and bytes are parsed on demand.  The bytes of a
 * value (what Kafka or a raw file gets) are its JSON text when packed.
 */
#ifndef WEIR_RECORD_H
#define WEIR_RECORD_H

#include "frame.h"
#include "pack.h"
#include "path.h"

/* View the value as packed JSON.  Returns 1 with *pv set, 0 if the value is
 * null or not JSON (bytes that do not parse), WEIR_FAIL_NOMEM when memory
 * is out (so test "<= 0" for "no JSON value").  scratch holds a parsed
 * copy when one is needed; it is reset by this call. */
int weir_record_json(const weir_record *r, weir_buf *scratch, weir_pv *pv);

/* The value's bytes: packed values are written as JSON text into scratch
 * (reset by this call).  Null values give p = NULL.  0, or WEIR_FAIL_DATA
 * on a corrupt value, WEIR_FAIL_NOMEM. */
int weir_record_bytes(const weir_record *r, weir_buf *scratch,
    const uint8_t **p, size_t *n);

/* Append a JSON field as key bytes: a string's characters, else its JSON. */
int weir_key_from_pv(weir_buf *out, const weir_pv *v);
/* The key at path p of a record's JSON value root, into out (emptied
 * first): 0, or WEIR_FAIL_DATA with why saying "no key field P" (missing
 * or null), or WEIR_FAIL_NOMEM. */
int weir_key_from_path(const weir_path *p, const weir_pv *root, weir_buf *out,
    char *why, size_t whysz);

/* Event time from a JSON field in a WEIR_TIME_* format.  -1 if the field
 * is not a number (or, for iso8601, not a date-time string). */
int weir_time_from_pv(const weir_pv *v, int timefmt, int64_t *ms);

/* Record builder: set a packed value from a buffer. */
static inline void
weir_record_set_packed(weir_record *r, const weir_buf *b)
{
	r->enc = WEIR_ENC_PACKED;
	r->value = b->p;
	r->value_len = b->len;
}

#endif
