/*
 * expr_fn_more.c - built-in functions of weir expressions for conditions,
 * times and text (weir-expr(7)): if(), hour(), count_substr(),
 * regexp_extract() and split_index().  expr_fn.c dispatches here for the
 * ids F_HOUR to F_SPLIT_INDEX; if() is the evaluator's (expr_eval.c), as
 * only the branch taken is evaluated.
 */
#include "expr_int.h"

#include <math.h>

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
fn_regexp_extract(weir_expr *e, const node *n, const weir_xv *a,
    const weir_xv *gv, weir_xv *out)
{
	weir_xv g = *gv;
	size_t off, len;
	int rc, group = 1;

	if (n->nargs > 2) {
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
		*(rc == WEIR_FAIL_NOMEM ? &e->oom : &e->failed) = 1;
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
weir__expr_fn_more(weir_expr *e, const node *n, const weir_xv *av, weir_xv *out)
{
	switch (n->fn) {
	case F_HOUR:
		fn_hour(&av[0], out);
		return;
	case F_COUNT_SUBSTR:
		fn_count_substr(&av[0], &av[1], out);
		return;
	case F_REGEXP_EXTRACT:
		fn_regexp_extract(e, n, &av[0], &av[2], out);
		return;
	case F_SPLIT_INDEX:
		fn_split_index(&av[0], &av[1], &av[2], out);
		return;
	}
	expr_set_missing(out);
}
