/* re.c - PCRE2 with bounded matching (see re.h). */
#include "re.h"

#define PCRE2_CODE_UNIT_WIDTH 8
#include <pcre2.h>
#include <stdlib.h>

struct weir_re {
	pcre2_code *code;
	pcre2_match_data *md;
	pcre2_match_context *mc;
	pcre2_jit_stack *js;
	char *pattern;		/* as written, for messages */
};

void
weir_re_free(weir_re *re)
{
	if (!re)
		return;
	pcre2_code_free(re->code);
	pcre2_match_data_free(re->md);
	pcre2_match_context_free(re->mc);
	pcre2_jit_stack_free(re->js);
	free(re->pattern);
	free(re);
}

int
weir_re_open(weir_re **out, const char *pattern, size_t n, char *err,
    size_t errsz)
{
	weir_re *re = calloc(1, sizeof(*re));
	PCRE2_UCHAR msg[160];
	PCRE2_SIZE off;
	int ec;

	*out = NULL;
	if (!re || !(re->pattern = strndup(pattern, n)))
		goto nomem;
	re->code = pcre2_compile((PCRE2_SPTR)pattern, n, PCRE2_UTF |
	    PCRE2_MATCH_INVALID_UTF, &ec, &off, NULL);
	if (!re->code && ec == PCRE2_ERROR_HEAP_FAILED)
		goto nomem;
	if (!re->code) {
		pcre2_get_error_message(ec, msg, sizeof(msg));
		weir_seterr(err, errsz, "regex '%s': %s at offset %zu",
		    re->pattern, (const char *)msg, (size_t)off);
		weir_re_free(re);
		return WEIR_FAIL_USAGE;
	}
	if (!(re->md = pcre2_match_data_create_from_pattern(re->code, NULL)) ||
	    !(re->mc = pcre2_match_context_create(NULL)))
		goto nomem;
	pcre2_set_match_limit(re->mc, WEIR_RE_MATCH_LIMIT);
	pcre2_set_depth_limit(re->mc, WEIR_RE_DEPTH_LIMIT);
	pcre2_set_heap_limit(re->mc, WEIR_RE_HEAP_KIB);
	/* JIT when the platform has it (the interpreter otherwise); its
	 * stack is bounded like the interpreter's heap */
	if (pcre2_jit_compile(re->code, PCRE2_JIT_COMPLETE) == 0) {
		if (!(re->js = pcre2_jit_stack_create(32 * 1024,
		    WEIR_RE_HEAP_KIB * 1024, NULL)))
			goto nomem;
		pcre2_jit_stack_assign(re->mc, NULL, re->js);
	}
	*out = re;
	return 0;
nomem:
	weir_re_free(re);
	weir_seterr(err, errsz, "out of memory");
	return WEIR_FAIL_NOMEM;
}

int
weir_re_match(weir_re *re, const uint8_t *s, size_t n, char *err,
    size_t errsz)
{
	const char *what;
	int rc;

	rc = pcre2_match(re->code, (PCRE2_SPTR)(s ? s : (const uint8_t *)""),
	    n, 0, 0, re->md, re->mc);
	if (rc >= 0)
		return 1;
	switch (rc) {
	case PCRE2_ERROR_NOMATCH:
		return 0;
	case PCRE2_ERROR_MATCHLIMIT:
		what = "its match limit";
		break;
	case PCRE2_ERROR_DEPTHLIMIT:
		what = "its depth limit";
		break;
	case PCRE2_ERROR_HEAPLIMIT:
	case PCRE2_ERROR_JIT_STACKLIMIT:
		what = "its memory limit";
		break;
	case PCRE2_ERROR_NOMEMORY:
		weir_seterr(err, errsz, "out of memory");
		return WEIR_FAIL_NOMEM;
	default:
		what = "an error";
		break;
	}
	weir_seterr(err, errsz, "regex '%s' hit %s on a %zu-byte value (too "
	    "much backtracking: simplify the pattern or anchor it)",
	    re->pattern, what, n);
	return WEIR_FAIL_DATA;
}

int
weir_re_group(weir_re *re, const uint8_t *s, size_t n, int group,
    size_t *off, size_t *len, char *err, size_t errsz)
{
	PCRE2_SIZE *ov;
	int rc = weir_re_match(re, s, n, err, errsz);

	if (rc <= 0)
		return rc;
	if (group < 0 || (uint32_t)group >= pcre2_get_ovector_count(re->md))
		return 0;
	ov = pcre2_get_ovector_pointer(re->md);
	if (ov[2 * group] == PCRE2_UNSET)
		return 0;
	*off = ov[2 * group];
	*len = ov[2 * group + 1] - ov[2 * group];
	return 1;
}
