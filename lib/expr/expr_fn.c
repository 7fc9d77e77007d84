/*
 * expr_fn.c - the built-in functions of weir expressions (weir-expr(7)):
 * the table the parser checks calls against, and their evaluation.
 */
#include "expr_int.h"

#include <math.h>
#include <stdlib.h>

#include "timefmt.h"

/* Time functions: ids past the shared enum (expr_int.h). */
enum { F_FORMAT_TIME = 1000, F_PARSE_TIME };

const struct expr_fn weir__expr_fns[] = {
	{ "exists", F_EXISTS, 1, 1 },
	{ "is_null", F_IS_NULL, 1, 1 },
	{ "type", F_TYPE, 1, 1 },
	{ "len", F_LEN, 1, 1 },
	{ "lower", F_LOWER, 1, 1 },
	{ "upper", F_UPPER, 1, 1 },
	{ "contains", F_CONTAINS, 2, 2 },
	{ "starts_with", F_STARTS_WITH, 2, 2 },
	{ "ends_with", F_ENDS_WITH, 2, 2 },
	{ "matches", F_MATCHES, 2, 2 },
	{ "number", F_NUMBER, 1, 1 },
	{ "string", F_STRING, 1, 1 },
	{ "now", F_NOW, 0, 0 },
	{ "ts", F_TS, 0, 0 },
	{ "key", F_KEY, 0, 0 },
	{ "format_time", F_FORMAT_TIME, 1, 2 },
	{ "parse_time", F_PARSE_TIME, 1, 2 },
	{ "if", F_IF, 3, 15 },
	{ "hour", F_HOUR, 1, 1 },
	{ "count_substr", F_COUNT_SUBSTR, 2, 2 },
	{ "regexp_extract", F_REGEXP_EXTRACT, 2, 3 },
	{ "split_index", F_SPLIT_INDEX, 3, 3 },
	{ NULL, 0, 0, 0 }
};

static size_t
utf8_len(const uint8_t *s, size_t n)
{
	size_t i, k = 0;

	for (i = 0; i < n; i++)
		if ((s[i] & 0xc0) != 0x80)
			k++;
	return k;
}

static void
fn_case(weir_expr *e, const weir_xv *a, int upper, weir_xv *out)
{
	uint8_t *p;
	size_t i;

	if (a->type != WEIR_XV_STR) {
		expr_set_missing(out);
		return;
	}
	p = weir__expr_scratch(e, a->n);
	if (!p) {
		expr_set_missing(out);
		return;
	}
	for (i = 0; i < a->n; i++) {
		uint8_t ch = a->s[i];
		if (upper && ch >= 'a' && ch <= 'z')
			ch -= 32;
		else if (!upper && ch >= 'A' && ch <= 'Z')
			ch += 32;
		p[i] = ch;
	}
	expr_set_str(out, p, a->n);
}

int
weir__expr_contains_elem(weir_expr *e, const weir_xv *arr, const weir_xv *x)
{
	weir_pv_iter it;
	weir_pv pv;
	weir_xv el;

	weir_pv_iter_init(&it, &arr->pv);
	while (weir_pv_iter_next(&it, NULL, &pv)) {
		weir__expr_from_pv(e, &pv, &el);
		if (weir__expr_xv_eq(&el, x))
			return 1;
	}
	return 0;
}

static void
fn_string(weir_expr *e, const weir_xv *a, weir_xv *out)
{
	switch (a->type) {
	case WEIR_XV_MISSING:
		expr_set_missing(out);
		return;
	case WEIR_XV_STR:
		*out = *a;
		return;
	case WEIR_XV_NULL:
		expr_set_str(out, (const uint8_t *)"null", 4);
		return;
	case WEIR_XV_BOOL:
		if (a->b)
			expr_set_str(out, (const uint8_t *)"true", 4);
		else
			expr_set_str(out, (const uint8_t *)"false", 5);
		return;
	}
	e->tmp.len = 0;
	if (weir_xv_text(&e->tmp, a) < 0) {
		e->oom = 1;
		expr_set_missing(out);
		return;
	}
	weir__expr_set_tmp_str(e, out);
}

/* format_time(ms[, fmt]): ISO 8601 UTC, or strftime(3) with %L for the
 * milliseconds.  parse_time(text[, fmt]): ISO 8601, or strptime(3), in UTC,
 * to ms.  Missing when the argument is not a time. */
static void
fn_time(weir_expr *e, const node *n, const weir_xv *a, const weir_xv *b,
    weir_xv *out)
{
	char fmt[128], t[256];
	int64_t ms;
	uint8_t *p;
	size_t len;
	int rc;

	expr_set_missing(out);
	if (n->nargs > 1) {
		if (b->type != WEIR_XV_STR || b->n >= sizeof(fmt))
			return;
		memcpy(fmt, b->s, b->n);
		fmt[b->n] = 0;
	}
	if (n->fn == F_PARSE_TIME) {
		if (a->type != WEIR_XV_STR)
			return;
		rc = n->nargs > 1 ?
		    weir_time_strptime((const char *)a->s, a->n, fmt, &ms) :
		    weir_iso8601_parse((const char *)a->s, a->n, &ms);
		if (rc == 0)
			expr_set_num(out, (double)ms);
		return;
	}
	/* within the years 0 to 9999 */
	if (a->type != WEIR_XV_NUM || !(a->num >= -62167219200000.0 &&
	    a->num < 253402300800000.0))
		return;
	ms = (int64_t)floor(a->num);
	if (n->nargs > 1)
		rc = weir_time_strftime(t, sizeof(t), ms, fmt);
	else
		rc = (int)weir_time_text(t, sizeof(t), ms, WEIR_TIME_ISO8601);
	if (rc < 0)
		return;
	len = (size_t)rc;
	if ((p = weir__expr_scratch(e, len)) == NULL)
		return;
	memcpy(p, t, len);
	expr_set_str(out, p, len);
}

void
weir__expr_fn_call(weir_expr *e, const node *n, const weir_xv *av,
    const weir_expr_ctx *c, weir_xv *out)
{
	weir_xv a = av[0], b = av[1];
	const weir_record *r = c->rec;

	if (n->fn >= F_IF && n->fn <= F_SPLIT_INDEX) {	/* expr_fn_more.c */
		weir__expr_fn_more(e, n, av, out);
		return;
	}
	switch (n->fn) {
	case F_EXISTS:
		expr_set_bool(out, a.type != WEIR_XV_MISSING);
		return;
	case F_IS_NULL:
		expr_set_bool(out, a.type == WEIR_XV_MISSING ||
		    a.type == WEIR_XV_NULL);
		return;
	case F_TYPE: {
		const char *t = weir_xv_type_name(&a);
		expr_set_str(out, (const uint8_t *)t, strlen(t));
		return;
	}
	case F_LEN:
		if (a.type == WEIR_XV_STR)
			expr_set_num(out, (double)utf8_len(a.s, a.n));
		else if (a.type == WEIR_XV_NULL)
			expr_set_num(out, 0);
		else if (a.type == WEIR_XV_ARRAY || a.type == WEIR_XV_OBJECT) {
			weir_pv_iter it;
			weir_pv k, v;
			size_t cnt = 0;
			weir_pv_iter_init(&it, &a.pv);
			while (weir_pv_iter_next(&it, &k, &v))
				cnt++;
			expr_set_num(out, (double)cnt);
		} else
			expr_set_missing(out);
		return;
	case F_LOWER:
	case F_UPPER:
		fn_case(e, &a, n->fn == F_UPPER, out);
		return;
	case F_CONTAINS:
		if (a.type == WEIR_XV_MISSING || b.type == WEIR_XV_MISSING)
			expr_set_missing(out);
		else if (a.type == WEIR_XV_ARRAY)
			expr_set_bool(out, weir__expr_contains_elem(e, &a, &b));
		else if (a.type == WEIR_XV_STR && b.type == WEIR_XV_STR)
			expr_set_bool(out, b.n == 0 ||
			    memmem(a.s, a.n, b.s, b.n));
		else
			expr_set_missing(out);
		return;
	case F_STARTS_WITH:
	case F_ENDS_WITH:
		if (a.type != WEIR_XV_STR || b.type != WEIR_XV_STR)
			expr_set_missing(out);
		else if (b.n > a.n)
			expr_set_bool(out, 0);
		else
			expr_set_bool(out, b.n == 0 ||
			    memcmp(n->fn == F_STARTS_WITH ? a.s : a.s + a.n - b.n,
			    b.s, b.n) == 0);
		return;
	case F_MATCHES: {
		int rc;
		if (a.type != WEIR_XV_STR) {
			expr_set_missing(out);
			return;
		}
		/* past a limit: the evaluation fails (weir_expr_error) */
		rc = weir_re_match(n->re, a.s, a.n, e->errmsg,
		    sizeof(e->errmsg));
		if (rc < 0) {
			*(rc == WEIR_FAIL_NOMEM ? &e->oom : &e->failed) = 1;
			expr_set_missing(out);
		} else
			expr_set_bool(out, rc);
		return;
	}
	case F_NUMBER:
		weir__expr_number(e, &a, out);
		return;
	case F_STRING:
		fn_string(e, &a, out);
		return;
	case F_NOW:
		if (c->now_ms)
			expr_set_num(out, (double)c->now_ms);
		else {
			if (!e->now)
				e->now = weir_now_ms();
			expr_set_num(out, (double)e->now);
		}
		return;
	case F_TS:
		if (r && (r->flags & WEIR_R_TS))
			expr_set_num(out, (double)r->ts);
		else
			expr_set_missing(out);
		return;
	case F_KEY:
		if (r && (r->flags & WEIR_R_KEY) &&
		    weir_utf8_valid(r->key, r->key_len))
			expr_set_str(out, r->key ? r->key : (const uint8_t *)"",
			    r->key_len);
		else
			expr_set_missing(out);
		return;
	case F_FORMAT_TIME:
	case F_PARSE_TIME:
		fn_time(e, n, &a, &b, out);
		return;
	}
	expr_set_missing(out);
}
