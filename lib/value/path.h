/*
 * path.h - jq-style field paths: ".user", ".a.b", ".items[0]", ".[\"odd key\"]",
 * ".a[-1]" (from the end), and "." for the whole value.
 */
#ifndef WEIR_PATH_H
#define WEIR_PATH_H

#include "pack.h"

typedef struct weir_path_step {
	int is_index;
	int64_t index;
	char *key;
	size_t key_len;
} weir_path_step;

typedef struct weir_path {
	char *text;		/* as written */
	weir_path_step *steps;
	size_t nsteps;
} weir_path;

/* Parse the path s: 0, or WEIR_FAIL_USAGE ("bad path ...") or
 * WEIR_FAIL_NOMEM, with the message in err. */
int weir_path_parse(weir_path *p, const char *s, char *err, size_t errsz);
/*
 * A list of paths (or names) "P,P,...", as -g, --keep and --drop take it:
 * split at the commas outside quotes and brackets, so .["a,b"] is one
 * path.  Returns 0 with the *n items in *out, NUL-terminated, in one
 * allocation (free() the array), or WEIR_FAIL_USAGE (an empty item, an
 * unclosed quote or bracket) or WEIR_FAIL_NOMEM, with the message in err.
 */
int weir_path_list(char ***out, size_t *n, const char *s, char *err,
    size_t errsz);
void weir_path_free(weir_path *p);
/* The last key of the path ("user" for ".a.user"), for output names. */
const char *weir_path_name(const weir_path *p, size_t *len);
/* Look the path up in a packed value: 1 and *out, or 0 if missing (*out
 * is then undefined; it must not be root). */
int weir_path_get(const weir_path *p, const weir_pv *root, weir_pv *out);

#endif
