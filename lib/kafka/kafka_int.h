/*
 * kafka_int.h - what lib/kafka.c (options, connection), kafka_consumer.c
 * and kafka_producer.c (and kafka_kcat.c) share; private to those files.
 */
#ifndef WEIR_KAFKA_INT_H
#define WEIR_KAFKA_INT_H

#include <librdkafka/rdkafka.h>

#include "kafka.h"
#include "kafka_dl.h"	/* the rd_kafka_ functions, loaded when first used */

/* What consumer and producer share: the handle and its diagnostics. */
typedef struct kbase {
	rd_kafka_t *rk;
	weir_kafka_opts o;
	int quiet;		/* connecting: keep messages for the error */
	int debug;		/* -X debug=...: pass every log line on */
	int fatal;
	char last[512];		/* the last diagnostic, for dedup and errors */
	char fatalmsg[512];
	/* oidc.c: the last OAUTHBEARER token weir fetched, kept so that a
	 * failed refresh leaves it in place while it is valid */
	char oidc_token[8192], oidc_principal[256];
	int64_t oidc_expiry;
} kbase;

void weir__kafka_note(kbase *b, const char *msg);
int weir__kafka_auth_error(rd_kafka_resp_err_t e);
int weir__kafka_conf_set(rd_kafka_conf_t *conf, const char *name,
    const char *value,
    char *err, size_t errsz);
int weir__kafka_conf_user(rd_kafka_conf_t *conf, const weir_kafka_opts *o,
    char *err, size_t errsz);
int weir__kafka_conf_base(kbase *b, rd_kafka_conf_t *conf, char *err,
    size_t errsz);
int weir__kafka_conf_get_set(rd_kafka_conf_t *conf, const char *name);
int weir__kafka_base_new(kbase *b, rd_kafka_type_t type, rd_kafka_conf_t *conf,
    char *err, size_t errsz);
int weir__kafka_base_connect(kbase *b, rd_kafka_topic_t *rkt,
    const struct rd_kafka_metadata **md, char *err, size_t errsz);
/* A producer handle connected, and the cluster's metadata (-L); the
 * caller destroys both. */
int weir__kafka_meta_open(kbase *b, const weir_kafka_opts *o,
    const struct rd_kafka_metadata **md, char *err, size_t errsz);
int weir__kafka_find_topic(const struct rd_kafka_metadata *md,
    const char *topic,
    int32_t part, const rd_kafka_metadata_topic_t **tp, char *err,
    size_t errsz);

#endif
