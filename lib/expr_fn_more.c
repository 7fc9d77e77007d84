/*
 * expr_fn_more.c - built-in functions of weir expressions for conditions,
 * times and text (weir-expr(7)): if(), hour(), count_substr(),
 * regexp_extract() and split_index().  expr_fn.c dispatches here for the
 * ids F_IF to F_SPLIT_INDEX.
 */
#include "expr_int.h"

#include <math.h>

/* if(c1, v1, [c2, v2, ...,] else): lazily, the value of the first true
 * condition's branch, else the last argument. */
static void
fn_if(weir_expr *e, const node *n, const weir_expr_ctx *c, weir_xv *out)
{
	weir_xv v;
	int k;

	for (k = 0; k + 1 < n->nargs; k += 2) {
		expr_eval(e, e->args[n->arg0 + k], c, &v);
		if (weir_xv_truthy(&v)) {
			expr_eval(e, e->args[n->arg0 + k + 1], c, out);
			return;
		}
	}
	expr_eval(e, e->args[n->arg0 + n->nargs - 1], c, out);
}

/* hour(ms): the hour of the day, 0-23, of a time in epoch ms, in UTC. */
static void
fn_hour(const weir_xv *a, weir_xv *out)
{
	double h;

	if (a->type != WEIR_XV_NUM || !isfinite(a->num)) {
		expr_set_missing(out);
		return;
	}
	h = fmod(floor(a->num / 3600000.0), 24.0);
	expr_set_num(out, h < 0 ? h + 24 : h);
}

/* count_substr(s, sub): how many times sub occurs in s, not overlapping. */
static void
fn_count_substr(const weir_xv *a, const weir_xv *b, weir_xv *out)
{
	const uint8_t *p, *end, *q;
	double k = 0;

	if (a->type != WEIR_XV_STR || b->type != WEIR_XV_STR || b->n == 0) {
		expr_set_missing(out);
		return;
	}
	for (p = a->s, end = a->s + a->n; (size_t)(end - p) >= b->n &&
	    (q = memmem(p, (size_t)(end - p), b->s, b->n)); p = q + b->n)
		k++;
	expr_set_num(out, k);
}

/* regexp_extract(s, regex[, group]): the text group (default 1, 0 for
 * the whole match) of the first match; missing without one. */
static void
fn_regexp_extract(weir_expr *e, const node *n, const weir_expr_ctx *c,
    const weir_xv *a, weir_xv *out)
{
	weir_xv g;
	size_t off, len;
	int rc, group = 1;

	if (n->nargs > 2) {
		expr_eval(e, e->args[n->arg0 + 2], c, &g);
		if (g.type != WEIR_XV_NUM || g.num < 0 || g.num > 99 ||
		    g.num != floor(g.num)) {
			expr_set_missing(out);
			return;
		}
		group = (int)g.num;
	}
	if (a->type != WEIR_XV_STR) {
		expr_set_missing(out);
		return;
	}
	rc = weir_re_group(n->re, a->s, a->n, group, &off, &len, e->errmsg,
	    sizeof(e->errmsg));
	if (rc < 0)
		e->failed = 1;
	if (rc <= 0)
		expr_set_missing(out);
	else
		expr_set_str(out, a->s + off, len);
}

/* split_index(s, sep, i): the i-th (from 0) piece of s split at every
 * sep; missing past the last piece. */
static void
fn_split_index(const weir_xv *a, const weir_xv *b, const weir_xv *i,
    weir_xv *out)
{
	const uint8_t *p, *end, *q;
	double k;

	if (a->type != WEIR_XV_STR || b->type != WEIR_XV_STR || b->n == 0 ||
	    i->type != WEIR_XV_NUM || i->num < 0 || i->num != floor(i->num)) {
		expr_set_missing(out);
		return;
	}
	p = a->s;
	end = a->s + a->n;
	for (k = 0; ; k++) {
		q = (size_t)(end - p) >= b->n ? memmem(p, (size_t)(end - p), b->s,
		    b->n) : NULL;
		if (k == i->num) {
			expr_set_str(out, p, (size_t)((q ? q : end) - p));
			return;
		}
		if (!q)
			break;
		p = q + b->n;
	}
	expr_set_missing(out);
}

void
expr_fn_more(weir_expr *e, const node *n, const weir_expr_ctx *c,
    weir_xv *out)
{
	weir_xv a, b, x;

	if (n->fn == F_IF) {
		fn_if(e, n, c, out);
		return;
	}
	expr_eval(e, e->args[n->arg0], c, &a);
	if (n->nargs > 1)
		expr_eval(e, e->args[n->arg0 + 1], c, &b);
	switch (n->fn) {
	case F_HOUR:
		fn_hour(&a, out);
		return;
	case F_COUNT_SUBSTR:
		fn_count_substr(&a, &b, out);
		return;
	case F_REGEXP_EXTRACT:
		fn_regexp_extract(e, n, c, &a, out);
		return;
	case F_SPLIT_INDEX:
		expr_eval(e, e->args[n->arg0 + 2], c, &x);
		fn_split_index(&a, &b, &x, out);
		return;
	}
	expr_set_missing(out);
}
