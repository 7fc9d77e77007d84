/*
 * dl.h - a shared library loaded when first needed (dlopen(3)).
 *
 * libcurl and libmicrohttpd each bring a dozen or two libraries (TLS,
 * Kerberos, LDAP, ...) that every program would load at start, though few
 * runs use them: the Schema Registry and OAUTHBEARER tokens (curl), the
 * metrics server and the dashboard (microhttpd); librdkafka and avro-c
 * (OpenSSL, SASL, compression, libstdc++) only Kafka and Avro runs.
 * Their modules look their functions up through this instead of linking
 * them (lib/kafka/curl_dl.h, kafka_dl.h, lib/value/avro_dl.h).
 */
#ifndef WEIR_DL_H
#define WEIR_DL_H

#include "util.h"

typedef struct weir_dl_sym {
	const char *name;
	void *fn;	/* where the function pointer goes */
} weir_dl_sym;

/* dlopen lib and copy each symbol's address into its fn: 0, or
 * WEIR_FAIL_IO with a message naming the library or the symbol. */
int weir_dl_load(const char *lib, const weir_dl_sym *syms, size_t n,
    char *err, size_t errsz);

/*
 * A library loaded once per process, from any thread: its load function
 * (weir_dl_load and whatever initialisation follows) runs on the first
 * weir_dl_once only; its result, and its message if it failed, answer
 * every call after it.  Declare it static, filled by WEIR_DL_ONCE(load).
 */
typedef struct weir_dl_once {
	int (*load)(char *err, size_t errsz);	/* 0, or < 0 with a message */
	int done;
	int rc;
	char why[WEIR_ERRSZ];
} weir_dl_once;
#define WEIR_DL_ONCE(fn) { (fn), 0, 0, "" }

/* 0 once the library is loaded, or the first load's status (< 0) with
 * its message in err.  The load function must not call weir_dl_once. */
int weir_dl_once_load(weir_dl_once *o, char *err, size_t errsz);

#endif
