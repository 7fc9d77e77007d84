/*
 * curl_dl.h - libcurl, loaded when first needed (dl.h).
 *
 * Only the Schema Registry client and the OAUTHBEARER token fetch use
 * libcurl, but any program may read Kafka, so every program would link
 * it, and libcurl brings two dozen libraries (TLS, Kerberos, LDAP, SSH,
 * ...) whose loading doubled the start of every weir program.
 */
#ifndef WEIR_CURL_DL_H
#define WEIR_CURL_DL_H

#include <curl/curl.h>

#include "util.h"

typedef struct weir_curl {
	CURL *(*easy_init)(void);
	CURLcode (*easy_setopt)(CURL *, CURLoption, ...);
	CURLcode (*easy_perform)(CURL *);
	CURLcode (*easy_getinfo)(CURL *, CURLINFO, ...);
	void (*easy_reset)(CURL *);
	void (*easy_cleanup)(CURL *);
	const char *(*easy_strerror)(CURLcode);
	char *(*easy_escape)(CURL *, const char *, int);
	void (*free)(void *);
	struct curl_slist *(*slist_append)(struct curl_slist *, const char *);
	void (*slist_free_all)(struct curl_slist *);
} weir_curl;

/* libcurl's functions, loaded and initialised (curl_global_init) once,
 * safe from any thread: NULL with a message when libcurl cannot be
 * loaded (WEIR_FAIL_IO for the caller). */
const weir_curl *weir_curl_load(char *err, size_t errsz);

#endif
