/* curl_dl.c - libcurl, loaded when first needed (curl_dl.h). */
#include "curl_dl.h"

#include "dl.h"

static weir_curl api;

static int
load(char *err, size_t errsz)
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
	    err, errsz) < 0)
		return WEIR_FAIL_IO;
	if (global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK) {
		weir_seterr(err, errsz, "libcurl: cannot initialise");
		return WEIR_FAIL_IO;
	}
	return 0;
}

const weir_curl *
weir_curl_load(char *err, size_t errsz)
{
	static weir_dl_once once = WEIR_DL_ONCE(load);

	return weir_dl_once_load(&once, err, errsz) < 0 ? NULL : &api;
}
