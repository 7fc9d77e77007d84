/*
 * envelope.h - a whole record as one line of JSON (weir-format(5),
 * ENVELOPES): position, event time, window, late mark, key, headers and
 * value, binary-safe, read back byte for byte.
 */
#ifndef WEIR_ENVELOPE_H
#define WEIR_ENVELOPE_H

#include "frame.h"

/* Scratch a parsed envelope's record points into, reused line after line. */
typedef struct weir_envelope {
	weir_buf val, aux, hdrs;
} weir_envelope;

/* Parse one envelope line into r: 0, WEIR_FAIL_DATA with why on bad
 * input, or WEIR_FAIL_NOMEM. */
int weir_envelope_parse(weir_envelope *e, const uint8_t *line, size_t n,
    weir_record *r, char *why, size_t whysz);
void weir_envelope_free(weir_envelope *e);
/* Append one record as an envelope line (no newline) to b. */
int weir_envelope_put(weir_buf *b, const weir_record *r, weir_buf *scratch);

#endif
