/*
 * dl.h - a shared library loaded when first needed (dlopen(3)).
 *
 * libcurl and libmicrohttpd each bring a dozen or two libraries (TLS,
 * Kerberos, LDAP, ...) that every program would load at start, though few
 * runs use them: the Schema Registry and OAUTHBEARER tokens (curl), the
 * metrics server and the dashboard (microhttpd).  Their modules look their
 * functions up through this instead of linking them.
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

#endif
