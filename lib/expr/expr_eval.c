/*
 * expr_eval.c - evaluation of a compiled weir expression: walks the node
 * tree; path-vs-literal comparisons look the field up and compare it in
 * place (expr_int.h).
 */
#include "expr_int.h"

static int pcmp_num(const node *n, const weir_expr_ctx *c);
static int pcmp_str(weir_expr *e, const node *n, const weir_expr_ctx *c);

/* A node as a condition: the boolean shapes without building values. */
static int
test(weir_expr *e, int i, const weir_expr_ctx *c)
{
	const node *n = &e->nodes[i];
	weir_xv v;

	switch (n->op) {
	case N_PCMP_NUM:
		return pcmp_num(n, c);
	case N_PCMP_STR:
		return pcmp_str(e, n, c);
	case N_AND:
		return test(e, n->a, c) && test(e, n->b, c);
	case N_OR:
		return test(e, n->a, c) || test(e, n->b, c);
	case N_NOT:
		return !test(e, n->a, c);
	}
	weir__expr_eval(e, i, c, &v);
	return weir_xv_truthy(&v);
}

/*
 * Field lookup for the hot path: object members with short plain keys
 * (nearly all keys) are compared and skipped without decoding each value
 * into a weir_pv; anything else goes to weir_pv_member, which gives the
 * same answer.
 */
/* The 4 or 8 bytes at p, as a number. */
static inline uint64_t
word_at(const void *p, size_t w)
{
	uint64_t x;
	uint32_t h;

	if (w == 8) {
		memcpy(&x, p, 8);
		return x;
	}
	memcpy(&h, p, 4);
	return h;
}

/* a[0..n) == b[0..n): a key of 4 to 16 bytes in two overlapping words
 * (both read inside the n bytes), not a call to memcmp. */
static inline int
key_eq(const uint8_t *a, const char *b, size_t n)
{
	size_t w = n >= 8 ? 8 : 4;

	if (n < 4 || n > 16)
		return memcmp(a, b, n) == 0;
	return ((word_at(a, w) ^ word_at(b, w)) |
	    (word_at(a + n - w, w) ^ word_at(b + n - w, w))) == 0;
}

static int
member(const weir_pv *obj, const char *key, size_t klen, weir_pv *out)
{
	const uint8_t *p, *end;

	if (obj->type != WEIR_PV_OBJECT)
		return 0;
	p = obj->s;
	end = p + obj->n;
	while (p < end) {
		size_t kl;
		if ((*p & 0xe0) != WEIR_PK_SSTR)
			return weir_pv_member(obj, key, klen, out);
		kl = *p & 0x1f;
		if ((size_t)(end - p - 1) < kl)
			return 0;
		if (kl == klen && (kl == 0 || (p[1] == (uint8_t)key[0] &&
		    key_eq(p + 1, key, kl))))
			return weir_pv_read(p + 1 + kl, end, out) != NULL;
		p += 1 + kl;
		if (p >= end || !(p = weir_pv_skip(p, end)))
			return 0;
	}
	return 0;
}

/* Each step reads the value before it and writes the next one into one
 * of two others (never the one it reads), the last into out: no copy of
 * a weir_pv per step. */
static int
lookup(const weir_path *path, const weir_expr_ctx *c, weir_pv *out)
{
	weir_pv tmp[2];
	const weir_pv *root = c->root, *cur = root;
	size_t i = 0, n = path->nsteps, j;

	if (root->type == WEIR_PV_MISSING)
		return 0;
	if (n == 0) {
		*out = *root;
		return 1;
	}
	/* a first member the caller found: the search is done */
	for (j = 0; j < c->nmembers && !path->steps[0].is_index &&
	    root->type == WEIR_PV_OBJECT; j++) {
		const weir_expr_member *m = &c->members[j];
		if (m->klen != path->steps[0].key_len ||
		    memcmp(m->key, path->steps[0].key, m->klen) != 0)
			continue;
		cur = n == 1 ? out : &tmp[0];
		if (!m->v || !weir_pv_read(m->v, root->s + root->n,
		    (weir_pv *)cur))
			return 0;
		i = 1;
		break;
	}
	for (; i < n; i++) {
		const weir_path_step *st = &path->steps[i];
		weir_pv *dst = i + 1 == n ? out : &tmp[i & 1];
		if (st->is_index ? !weir_pv_index(cur, st->index, dst) :
		    !member(cur, st->key, st->key_len, dst))
			return 0;
		cur = dst;
	}
	return 1;
}

/* path OP number: the field compared in place. */
static int
pcmp_num(const node *n, const weir_expr_ctx *c)
{
	weir_pv pv;

	if (!lookup(&n->path, c, &pv))
		return 0;
	if (pv.type == WEIR_PV_INT) {
		if (n->lit.pv.type == WEIR_PV_INT)
			return expr_cmp_result(n->cmp, (pv.i > n->lit.pv.i) -
			    (pv.i < n->lit.pv.i));
		return expr_num_cmp(n->cmp, (double)pv.i, n->lit.num);
	}
	if (pv.type == WEIR_PV_DEC || pv.type == WEIR_PV_NUMTEXT)
		return weir__expr_pv_num_cmp(n->cmp, &pv, &n->lit);
	/* not a number: only != holds (missing was handled above) */
	return n->cmp == N_NE;
}

/* path ==/!= string. */
static int
pcmp_str(weir_expr *e, const node *n, const weir_expr_ctx *c)
{
	weir_pv pv;
	int eq;

	if (!lookup(&n->path, c, &pv))
		return 0;
	if (pv.type != WEIR_PV_STRING)
		eq = 0;
	else if (!pv.escaped)
		eq = pv.n == n->lit.n && memcmp(pv.s, n->lit.s, pv.n) == 0;
	else {
		weir_xv v;
		weir__expr_from_pv(e, &pv, &v);
		eq = v.type == WEIR_XV_STR && v.n == n->lit.n &&
		    memcmp(v.s, n->lit.s, v.n) == 0;
	}
	return n->cmp == N_EQ ? eq : !eq;
}

void
weir__expr_eval(weir_expr *e, int i, const weir_expr_ctx *c, weir_xv *out)
{
	const node *n = &e->nodes[i];
	weir_xv a, b;
	weir_pv pv;
	int k;

	switch (n->op) {
	case N_LIT:
		*out = n->lit;
		return;
	case N_PATH:
		if (lookup(&n->path, c, &pv))
			weir__expr_from_pv(e, &pv, out);
		else
			expr_set_missing(out);
		return;
	case N_PCMP_NUM:
		expr_set_bool(out, pcmp_num(n, c));
		return;
	case N_PCMP_STR:
		expr_set_bool(out, pcmp_str(e, n, c));
		return;
	case N_NOT:
		expr_set_bool(out, !test(e, n->a, c));
		return;
	case N_AND:
		expr_set_bool(out, test(e, n->a, c) && test(e, n->b, c));
		return;
	case N_OR:
		expr_set_bool(out, test(e, n->a, c) || test(e, n->b, c));
		return;
	case N_NEG:
		weir__expr_eval(e, n->a, c, &a);
		if (a.type == WEIR_XV_NUM) {
			int64_t m;
			int sc;
			if (weir__expr_exact(&a, &m, &sc) && m != INT64_MIN)
				weir__expr_set_exact(out, -m, sc);
			else
				expr_set_num(out, -a.num);
		} else
			expr_set_missing(out);
		return;
	case N_ADD: case N_SUB: case N_MUL: case N_DIV: case N_MOD:
		weir__expr_eval(e, n->a, c, &a);
		weir__expr_eval(e, n->b, c, &b);
		weir__expr_arith(e, n->op, &a, &b, out);
		return;
	case N_EQ: case N_NE: case N_LT: case N_LE: case N_GT: case N_GE:
		weir__expr_eval(e, n->a, c, &a);
		weir__expr_eval(e, n->b, c, &b);
		expr_set_bool(out, weir__expr_compare(n->op, &a, &b));
		return;
	case N_IN:
		weir__expr_eval(e, n->a, c, &a);
		if (a.type == WEIR_XV_MISSING) {
			expr_set_bool(out, 0);
			return;
		}
		for (k = 0; k < n->nargs; k++) {
			weir__expr_eval(e, e->args[n->arg0 + k], c, &b);
			if (b.type != WEIR_XV_MISSING && weir__expr_xv_eq(&a,
			    &b)) {
				expr_set_bool(out, 1);
				return;
			}
		}
		expr_set_bool(out, 0);
		return;
	case N_INVAL:
		weir__expr_eval(e, n->a, c, &a);
		weir__expr_eval(e, n->b, c, &b);
		expr_set_bool(out, a.type != WEIR_XV_MISSING &&
		    b.type == WEIR_XV_ARRAY && weir__expr_contains_elem(e, &b,
		    &a));
		return;
	case N_CALL: {
		weir_xv av[EXPR_MAXARGS];
		int ai;
		if (n->fn == F_IF) {
			/* if(c1, v1, [c2, v2, ...,] else): only the branch
			 * taken is evaluated */
			for (ai = 0; ai + 1 < n->nargs; ai += 2) {
				weir__expr_eval(e, e->args[n->arg0 + ai], c,
				    &a);
				if (weir_xv_truthy(&a)) {
					weir__expr_eval(e,
					    e->args[n->arg0 + ai + 1], c,
					    out);
					return;
				}
			}
			weir__expr_eval(e, e->args[n->arg0 + n->nargs - 1], c,
			    out);
			return;
		}
		for (ai = 0; ai < EXPR_MAXARGS; ai++)
			if (ai < n->nargs)
				weir__expr_eval(e, e->args[n->arg0 + ai], c,
				    &av[ai]);
			else
				expr_set_missing(&av[ai]);
		weir__expr_fn_call(e, n, av, c, out);
		return;
	}
	}
	expr_set_missing(out);
}

static void
eval_begin(weir_expr *e)
{
	e->cur = 0;
	e->used = 0;
	e->now = 0;
	e->oom = 0;
	e->failed = 0;
}

static const weir_pv missing_pv = { .type = WEIR_PV_MISSING };

int
weir_expr_eval(weir_expr *e, const weir_expr_ctx *ctx, weir_xv *out)
{
	weir_expr_ctx c = *ctx;

	if (!c.root)
		c.root = &missing_pv;
	eval_begin(e);
	weir__expr_eval(e, e->root, &c, out);
	if (e->oom) {
		expr_set_missing(out);
		return WEIR_FAIL_NOMEM;
	}
	if (e->failed) {
		expr_set_missing(out);
		return WEIR_FAIL_DATA;
	}
	return 0;
}

int
weir_expr_test(weir_expr *e, const weir_expr_ctx *ctx)
{
	const node *n = &e->nodes[e->root];
	weir_expr_ctx c = *ctx;
	int rc;

	if (!c.root)
		c.root = &missing_pv;
	/* the common shape, straight to its comparison */
	if (n->op == N_PCMP_NUM)
		return pcmp_num(n, &c);
	eval_begin(e);
	rc = test(e, e->root, &c);
	return e->oom ? WEIR_FAIL_NOMEM : e->failed ? WEIR_FAIL_DATA : rc;
}

const char *
weir_expr_error(const weir_expr *e)
{
	return e->failed ? e->errmsg : "";
}
