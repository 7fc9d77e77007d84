/*
 * avrorec.h - Kafka records in Confluent-framed Avro (weir-source(1) and
 * weir-sink(1), AVRO): a record's value and key decoded with the schemas
 * of a Schema Registry (registry.h), or encoded with a subject's schema.
 * Errors follow registry.h.
 */
#ifndef WEIR_AVROREC_H
#define WEIR_AVROREC_H

#include "record.h"
#include "registry.h"

/*
 * A Kafka record's value and key decoded in place (weir-source(1), AVRO):
 * with value set its value becomes the decoded JSON, with key set its key
 * becomes the decoded key's text (a string's characters, else its JSON);
 * null values and absent keys stay.  The buffers hold what the record
 * points to until the next call.
 */
typedef struct weir_avro_dec {
	weir_registry *reg;
	int key, value;
	weir_buf val, key_val, key_txt;
} weir_avro_dec;
/* 0, or a WEIR_FAIL_* kind; for a bad record (WEIR_FAIL_DATA)
 * err starts with "value: " or "key: " and *raw, *rawlen are its bytes. */
int weir_avro_dec_record(weir_avro_dec *d, weir_record *r,
    const uint8_t **raw, size_t *rawlen, char *err, size_t errsz);

/* Encoding: the value's and the key's schema and id (weir_avro_subject_
 * schema) and buffers that hold the encoded bytes until the next call. */
typedef struct weir_avro_enc {
	int key, value;
	weir_avro_schema *vs, *ks;
	uint32_t vid, kid;
	weir_buf val, kbuf, pk;
} weir_avro_enc;
/* Encode r's value, and the key to send (*key, *klen; NULL: the record's
 * own), as Avro: 0, or with a message in why WEIR_FAIL_DATA (a record
 * that does not fit) or WEIR_FAIL_NOMEM.  A key is the JSON its
 * text holds when that fits the key schema, else its text as a string. */
int weir_avro_enc_record(weir_avro_enc *e, weir_record *r, weir_buf *scratch,
    const uint8_t **key, size_t *klen, char *why, size_t whysz);
/* The schema of subject: the file's (JSON), registered under the subject,
 * or without a file the subject's latest; 0 with *out and its *id, or a
 * WEIR_FAIL_* kind (WEIR_FAIL_USAGE for a bad file or schema). */
int weir_avro_subject_schema(weir_registry *reg, const char *subject,
    const char *file, weir_avro_schema **out, uint32_t *id, char *err,
    size_t errsz);

#endif
