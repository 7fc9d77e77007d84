/* curl_dl.c - libcurl, loaded when first needed (curl_dl.h). */
#include "curl_dl.h"

#include <pthread.h>

#include "dl.h"

static weir_curl api;
static int loaded;
static char why[WEIR_ERRSZ];
static pthread_once_t once = PTHREAD_ONCE_INIT;

static void
load(void)
{
	CURLcode (*global_init)(long);
	const weir_dl_sym syms[] = {
		{ "curl_global_init", &global_init },
		{ "curl_easy_init", &api.easy_init },
		{ "curl_easy_setopt", &api.easy_setopt },
		{ "curl_easy_perform", &api.easy_perform },
		{ "curl_easy_getinfo", &api.easy_getinfo },
		{ "curl_easy_reset", &api.easy_reset },
		{ "curl_easy_cleanup", &api.easy_cleanup },
		{ "curl_easy_strerror", &api.easy_strerror },
		{ "curl_easy_escape", &api.easy_escape },
		{ "curl_free", &api.free },
		{ "curl_slist_append", &api.slist_append },
		{ "curl_slist_free_all", &api.slist_free_all },
	};

	if (weir_dl_load("libcurl.so.4", syms, sizeof(syms) / sizeof(*syms),
	    why, sizeof(why)) < 0)
		return;
	if (global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK) {
		weir_seterr(why, sizeof(why), "libcurl: cannot initialise");
		return;
	}
	loaded = 1;
}

const weir_curl *
weir_curl_load(char *err, size_t errsz)
{
	(void)pthread_once(&once, load);
	if (!loaded) {
		weir_seterr(err, errsz, "%s", why);
		return NULL;
	}
	return &api;
}
