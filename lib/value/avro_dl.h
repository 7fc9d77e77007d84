/*
 * avro_dl.h - avro-c (libavro), loaded when first needed (dl.h): private
 * to lib/value/avro.c (and its unit tests).
 *
 * weir asks avro-c only whether a schema is valid, yet libavro and what
 * it brings (snappy, libstdc++, lzma, zlib) were loaded at the start of
 * every program.  As with librdkafka (kafka_dl.h): each function weir
 * calls is a member of weir__avroc, filled by weir__avroc_load(), and
 * this header turns a call of it into a call of the member; the compiler
 * checks the list.
 */
#ifndef WEIR_AVRO_DL_H
#define WEIR_AVRO_DL_H

#include <stddef.h>

#include <avro/errors.h>
#include <avro/schema.h>

#define WEIR_AVROC_FUNCS(X) \
	X(avro_schema_decref) \
	X(avro_schema_from_json_length) \
	X(avro_strerror)

typedef struct weir__avroc_api {
#define WEIR_AVROC_MEMBER(f) __typeof__(f) *f;
	WEIR_AVROC_FUNCS(WEIR_AVROC_MEMBER)
#undef WEIR_AVROC_MEMBER
} weir__avroc_api;

extern weir__avroc_api weir__avroc;

/* 0 once libavro is loaded (the first call loads it), or WEIR_FAIL_IO
 * with a message naming the library or the missing function. */
int weir__avroc_load(char *err, size_t errsz);

#ifndef WEIR_AVROC_NO_MAP	/* avro_dl.c, which fills the table */
#define avro_schema_decref(...) weir__avroc.avro_schema_decref(__VA_ARGS__)
#define avro_schema_from_json_length(...) \
    weir__avroc.avro_schema_from_json_length(__VA_ARGS__)
#define avro_strerror(...) weir__avroc.avro_strerror(__VA_ARGS__)
#endif

#endif
