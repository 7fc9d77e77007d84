/*
 * registry.h - a Confluent Schema Registry client (libcurl): schemas by
 * id, cached for the run; the latest schema of a subject; registering a
 * schema.  weir-source(1) and weir-sink(1), AVRO.
 *
 * Errors are negative exit statuses with a one-line message that names the
 * registry without any user:password it may carry: WEIR_FAIL_DATA for an
 * unknown schema id or a schema avro-c rejects (the record is bad),
 * WEIR_FAIL_USAGE for a subject or schema the registry refuses,
 * WEIR_FAIL_IO when the registry cannot be reached or fails.
 */
#ifndef WEIR_REGISTRY_H
#define WEIR_REGISTRY_H

#include "avro.h"

typedef struct weir_registry weir_registry;

/* A client for the registry at url (http://host:port[/prefix]) into *out:
 * 0, or WEIR_FAIL_USAGE (not an http:// or https:// URL), WEIR_FAIL_IO
 * (libcurl cannot be loaded) or WEIR_FAIL_NOMEM, with a message. */
int weir_registry_open(weir_registry **out, const char *url, char *err,
    size_t errsz);
void weir_registry_free(weir_registry *r);
/* libcurl's CURLOPT_WRITEFUNCTION: the body into the weir_buf that is
 * its CURLOPT_WRITEDATA, failing past 16 MB (also oidc.c's). */
size_t weir__registry_body(char *p, size_t size, size_t n, void *arg);

/* The schema with this id, from the cache or GET /schemas/ids/ID. */
int weir_registry_schema(weir_registry *r, uint32_t id,
    weir_avro_schema **out, char *err, size_t errsz);

/* Register the schema (JSON text) under subject (POST
 * /subjects/S/versions): 0 with its id. */
int weir_registry_register(weir_registry *r, const char *subject,
    const char *schema, uint32_t *id, char *err, size_t errsz);

/* The latest version of subject (GET /subjects/S/versions/latest): 0 with
 * its id and its schema text (free()d by the caller). */
int weir_registry_latest(weir_registry *r, const char *subject,
    uint32_t *id, char **schema, char *err, size_t errsz);

/* A Confluent-framed message to packed JSON appended to out: 0, or a
 * WEIR_FAIL_* kind as above (a bad magic byte is WEIR_FAIL_DATA). */
int weir_registry_decode(weir_registry *r, const uint8_t *p, size_t n,
    weir_buf *out, char *err, size_t errsz);

/* Parse -s key=avro | value=avro | avro (kcat's spelling) into *key and
 * *value; WEIR_FAIL_USAGE with a message for anything else. */
int weir_serdes_parse(const char *arg, int *key, int *value, char *err,
    size_t errsz);

#endif
