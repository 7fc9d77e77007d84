/* packed_fuzz.h - for fuzz targets that read arbitrary bytes as packed
 * values no one validated: the input as records of one length byte then
 * that many bytes of value. */
#ifndef WEIR_PACKED_FUZZ_H
#define WEIR_PACKED_FUZZ_H

#include <stdlib.h>
#include <string.h>

#include "record.h"

/* The next record of data[*i..size) into r, its value a copy of its own
 * size (ASan sees a read past its end) to free(): the copy, or NULL at the
 * end (or when memory is out). */
static uint8_t *
fuzz_next_value(const uint8_t *data, size_t size, size_t *i, weir_record *r)
{
	size_t n;
	uint8_t *v;

	if (*i >= size)
		return NULL;
	n = data[(*i)++];
	if (n > size - *i)
		n = size - *i;
	if (!(v = malloc(n ? n : 1)))
		return NULL;
	memcpy(v, data + *i, n);
	*i += n;
	memset(r, 0, sizeof(*r));
	r->enc = WEIR_ENC_PACKED;
	r->value = v;
	r->value_len = n;
	return v;
}

#endif
