/*
 * re.h - regular expressions for weir-check's regex rule and weir-expr's
 * matches(): PCRE2 (Perl syntax: \d, \w, (?i), lookaround, ...), compiled
 * once per pattern (JIT where the platform has it), matched with bounded
 * work and memory so no value can stall a stage: a match that passes
 * the match, depth or heap limit is an error naming the pattern, not a
 * quiet "no match".
 *
 * Patterns and subjects are UTF-8; a subject that is not valid UTF-8 is
 * still matched (invalid sequences match nothing).  Matching is
 * unanchored (use ^ and $).
 */
#ifndef WEIR_RE_H
#define WEIR_RE_H

#include "util.h"

/* Work bounds of one match (see pcre2_set_match_limit(3) and friends). */
#define WEIR_RE_MATCH_LIMIT 5000000u
#define WEIR_RE_DEPTH_LIMIT 10000u
#define WEIR_RE_HEAP_KIB 20480u

typedef struct weir_re weir_re;

/* Compile pattern (n bytes) into *out: 0, WEIR_FAIL_USAGE with "regex
 * 'P': message at offset N" in err, or WEIR_FAIL_NOMEM. */
int weir_re_open(weir_re **out, const char *pattern, size_t n, char *err,
    size_t errsz);
void weir_re_free(weir_re *re);
/* 1 match, 0 no match, WEIR_FAIL_DATA when the value took the match past
 * a limit (err names the pattern and the limit), WEIR_FAIL_NOMEM ("out
 * of memory").  No allocation per call. */
int weir_re_match(weir_re *re, const uint8_t *s, size_t n, char *err,
    size_t errsz);
/* As weir_re_match, and on a match where capture group `group` (0: the
 * whole match) took part, set *off and *len to it and return 1; 0 when
 * there is no match or the group did not take part. */
int weir_re_group(weir_re *re, const uint8_t *s, size_t n, int group,
    size_t *off, size_t *len, char *err, size_t errsz);

#endif
