/* agg_test.h - helpers the unit tests of lib/agg share. */
#ifndef WEIR_AGG_TEST_H
#define WEIR_AGG_TEST_H

#include <stdio.h>
#include <string.h>

#include "agg.h"
#include "pack.h"
#include "record.h"

/*
 * Add a record to a: its value JSON, its key (klen < 0: none), windowed
 * [s, e) when e > s.  weir_agg_add's result, or -2 for bad test JSON
 * (said in a TAP comment).
 */
static inline int
agg_test_add(weir_agg *a, const char *json, const char *key, int klen,
    int64_t s, int64_t e)
{
	weir_buf b = {0};
	weir_record r;
	char err[WEIR_ERRSZ];
	int rc;

	memset(&r, 0, sizeof(r));
	if (weir_pack_json(&b, (const uint8_t *)json, strlen(json), err,
	    sizeof(err)) < 0) {
		printf("# bad test JSON %s: %s\n", json, err);
		return -2;
	}
	weir_record_set_packed(&r, &b);
	if (klen >= 0) {
		r.flags |= WEIR_R_KEY;
		r.key = (const uint8_t *)key;
		r.key_len = (size_t)klen;
	}
	if (e > s) {
		r.flags |= WEIR_R_WINDOW;
		r.win_start = s;
		r.win_end = e;
	}
	rc = weir_agg_add(a, &r, NULL, err, sizeof(err));
	weir_buf_free(&b);
	return rc;
}

#endif
