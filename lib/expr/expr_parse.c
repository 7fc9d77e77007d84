/*
 * expr_parse.c - the recursive descent parser of weir expressions: builds
 * the node tree in e->nodes (expr_int.h), turning path-vs-literal
 * comparisons into their fast node kinds.
 */
#include "expr_int.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>

static int
new_node(parser *p, int op, size_t at)
{
	weir_expr *e = p->e;
	node *n;

	if (e->nnodes >= MAX_NODES)
		return weir__expr_fail(p, at, "expression too long%s", "");
	if (e->nnodes == e->capnodes) {
		int nc = e->capnodes ? e->capnodes * 2 : 16;
		node *nn = realloc(e->nodes, sizeof(*nn) * (size_t)nc);
		if (!nn)
			return weir__expr_nomem(p, at);
		e->nodes = nn;
		e->capnodes = nc;
	}
	n = &e->nodes[e->nnodes];
	memset(n, 0, sizeof(*n));
	n->op = op;
	n->a = n->b = -1;
	n->depth = 1;
	expr_set_missing(&n->lit);
	return e->nnodes++;
}

static int
add_arg(parser *p, int idx, size_t at)
{
	weir_expr *e = p->e;

	if (e->nargs == e->capargs) {
		int nc = e->capargs ? e->capargs * 2 : 16;
		int *na = realloc(e->args, sizeof(*na) * (size_t)nc);
		if (!na)
			return weir__expr_nomem(p, at);
		e->args = na;
		e->capargs = nc;
	}
	e->args[e->nargs++] = idx;
	return 0;
}

static int
set_depth(parser *p, int i, size_t at)
{
	node *n = &p->e->nodes[i];
	int d = 0;

	if (n->a >= 0 && p->e->nodes[n->a].depth > d)
		d = p->e->nodes[n->a].depth;
	if (n->b >= 0 && p->e->nodes[n->b].depth > d)
		d = p->e->nodes[n->b].depth;
	n->depth = d + 1;
	if (n->depth > MAX_DEPTH)
		return weir__expr_fail(p, at, "expression nests too deeply%s",
		    "");
	return i;
}

static int binary(parser *p, int op, int a, int b, size_t at);

static int
parse_string_lit(parser *p, int i)
{
	weir_buf b = {0};
	node *n;
	uint8_t *copy;
	int rc;

	rc = weir_json_unescape(&b, (const uint8_t *)p->s + p->tpos + 1,
	    p->tlen - 2);
	if (rc == WEIR_FAIL_NOMEM) {
		weir_buf_free(&b);
		return weir__expr_nomem(p, p->tpos);
	}
	if (rc < 0 || !weir_utf8_valid(b.p, b.len)) {
		weir_buf_free(&b);
		return weir__expr_fail(p, p->tpos, "bad escape in string%s",
		    "");
	}
	copy = malloc(b.len + 1);
	if (!copy) {
		weir_buf_free(&b);
		return weir__expr_nomem(p, p->tpos);
	}
	if (b.len)
		memcpy(copy, b.p, b.len);
	copy[b.len] = 0;
	n = &p->e->nodes[i];
	n->op = N_LIT;
	expr_set_str(&n->lit, copy, b.len);
	weir_buf_free(&b);
	return i;
}

static int
parse_call(parser *p, size_t at, size_t nlen)
{
	const struct expr_fn *f;
	int i, args[16], na = 0, k;	/* >= every function's max */

	for (f = weir__expr_fns; f->name; f++)
		if (strlen(f->name) == nlen && memcmp(f->name, p->s + at, nlen) == 0)
			break;
	if (!f->name) {
		char name[48];
		snprintf(name, sizeof(name), "%.*s", (int)(nlen > 40 ? 40 : nlen),
		    p->s + at);
		return weir__expr_fail(p, at, "unknown function '%s'", name);
	}
	weir__expr_next(p);		/* past ( */
	if (p->tok != T_RP) {
		for (;;) {
			int a;
			size_t apos = p->tpos;
			if (na == f->max)
				return weir__expr_fail(p, apos,
				    "too many arguments "
				    "to %s()", f->name);
			a = weir__expr_parse_or(p);
			if (a < 0)
				return -1;
			if ((f->id == F_MATCHES || f->id == F_REGEXP_EXTRACT) &&
			    na == 1 &&
			    (p->e->nodes[a].op != N_LIT ||
			    p->e->nodes[a].lit.type != WEIR_XV_STR))
				return weir__expr_fail(p, apos,
				    "the pattern of "
				    "%s() must be a string literal", f->name);
			args[na++] = a;
			if (p->tok == T_COMMA) {
				weir__expr_next(p);
				continue;
			}
			if (p->tok != T_RP)
				return weir__expr_unexpected(p, "',' or ')'");
			break;
		}
	}
	if (na < f->min || na > f->max) {
		char msg[96];
		snprintf(msg, sizeof(msg), "%s() takes %d argument%s", f->name,
		    f->min, f->min == 1 ? "" : "s");
		return weir__expr_fail(p, at, "%s", msg);
	}
	weir__expr_next(p);		/* past ) */
	i = new_node(p, N_CALL, at);
	if (i < 0)
		return -1;
	p->e->nodes[i].fn = f->id;
	p->e->nodes[i].arg0 = p->e->nargs;
	p->e->nodes[i].nargs = na;
	for (k = 0; k < na; k++) {
		if (add_arg(p, args[k], at) < 0)
			return -1;
		if (p->e->nodes[args[k]].depth + 1 > p->e->nodes[i].depth)
			p->e->nodes[i].depth = p->e->nodes[args[k]].depth + 1;
	}
	if (p->e->nodes[i].depth > MAX_DEPTH)
		return weir__expr_fail(p, at, "expression nests too deeply%s",
		    "");
	if (f->id == F_IF && !(na & 1))
		return weir__expr_fail(p, at,
		    "if() takes conditions and values in "
		    "pairs, then the value otherwise: an odd number of "
		    "arguments%s", "");
	if (f->id == F_MATCHES || f->id == F_REGEXP_EXTRACT) {
		node *n = &p->e->nodes[i];
		const node *pat = &p->e->nodes[args[1]];
		char msg[WEIR_ERRSZ];
		int rc;
		if (memchr(pat->lit.s, 0, pat->lit.n))
			return weir__expr_fail(p, at, "regex has a NUL byte%s",
			    "");
		rc = weir_re_open(&n->re, (const char *)pat->lit.s, pat->lit.n,
		    msg, sizeof(msg));
		if (rc == WEIR_FAIL_NOMEM)
			return weir__expr_nomem(p, at);
		if (rc < 0)
			return weir__expr_fail(p, at, "bad %s", msg);
	}
	return i;
}

static int
parse_primary(parser *p)
{
	size_t at = p->tpos;
	int i, rc;

	if (p->failed)
		return -1;
	if (++p->depth > MAX_NEST)
		return weir__expr_fail(p, at, "expression nests too deeply%s",
		    "");
	switch (p->tok) {
	case T_NUM: {
		double d = strtod(p->s + at, NULL);
		size_t k;
		i = new_node(p, N_LIT, at);
		if (i < 0)
			return -1;
		expr_set_num(&p->e->nodes[i].lit, d);
		{
			/* digits[.digits] of up to 18 digits: an exact decimal */
			int64_t m = 0;
			int nd = 0, sc = -1;
			for (k = 0; k < p->tlen; k++) {
				char ch = p->s[at + k];
				if (ch == '.' && sc < 0)
					sc = 0;
				else if (ch >= '0' && ch <= '9') {
					if (++nd > 18)
						break;	/* before m overflows */
					m = m * 10 + (ch - '0');
					if (sc >= 0)
						sc++;
				} else
					break;
			}
			if (k == p->tlen)
				weir__expr_set_exact(&p->e->nodes[i].lit, m,
				    sc < 0 ? 0 : sc);
		}
		if (!isfinite(d))
			return weir__expr_fail(p, at, "number out of range%s",
			    "");
		weir__expr_next(p);
		break;
	}
	case T_STR:
		i = new_node(p, N_LIT, at);
		if (i < 0 || parse_string_lit(p, i) < 0)
			return -1;
		weir__expr_next(p);
		break;
	case T_PATH: {
		char *text = strndup(p->s + at, p->tlen);
		char perr[WEIR_ERRSZ];
		if (!text)
			return weir__expr_nomem(p, at);
		i = new_node(p, N_PATH, at);
		if (i < 0) {
			free(text);
			return -1;
		}
		rc = weir_path_parse(&p->e->nodes[i].path, text, perr,
		    sizeof(perr));
		if (rc < 0) {
			free(text);
			p->e->nodes[i].op = N_LIT;
			if (rc == WEIR_FAIL_NOMEM)
				return weir__expr_nomem(p, at);
			return weir__expr_fail(p, at, "%s", perr);
		}
		free(text);
		weir__expr_next(p);
		break;
	}
	case T_LP:
		weir__expr_next(p);
		i = weir__expr_parse_or(p);
		if (i < 0)
			return -1;
		if (p->tok != T_RP)
			return weir__expr_unexpected(p, "')'");
		weir__expr_next(p);
		break;
	case T_IDENT:
		if (weir__expr_is_word(p, "true") || weir__expr_is_word(p,
		    "false")) {
			int b = weir__expr_is_word(p, "true");
			i = new_node(p, N_LIT, at);
			if (i < 0)
				return -1;
			expr_set_bool(&p->e->nodes[i].lit, b);
			weir__expr_next(p);
			break;
		}
		if (weir__expr_is_word(p, "null")) {
			i = new_node(p, N_LIT, at);
			if (i < 0)
				return -1;
			p->e->nodes[i].lit.type = WEIR_XV_NULL;
			weir__expr_next(p);
			break;
		}
		if (weir__expr_is_word(p, "and") || weir__expr_is_word(p,
		    "or") ||
		    weir__expr_is_word(p, "in") || weir__expr_is_word(p, "not"))
			return weir__expr_unexpected(p, "an operand");
		{
			size_t nlen = p->tlen;
			weir__expr_next(p);
			if (p->tok != T_LP) {
				char name[48];
				snprintf(name, sizeof(name), "%.*s",
				    (int)(nlen > 40 ? 40 : nlen), p->s + at);
				return weir__expr_fail(p, at,
				    "unknown word '%s' "
				    "(paths start with '.', strings need double "
				    "quotes)", name);
			}
			i = parse_call(p, at, nlen);
		}
		break;
	default:
		return weir__expr_unexpected(p, "an operand");
	}
	p->depth--;
	return i;
}

static int
parse_unary(parser *p)
{
	size_t at = p->tpos;
	int a, i;

	if (p->tok != T_MINUS)
		return parse_primary(p);
	if (++p->depth > MAX_NEST)
		return weir__expr_fail(p, at, "expression nests too deeply%s",
		    "");
	weir__expr_next(p);
	a = parse_unary(p);
	p->depth--;
	if (a < 0)
		return -1;
	if (p->e->nodes[a].op == N_LIT && p->e->nodes[a].lit.type == WEIR_XV_NUM) {
		/* fold -5 into a literal */
		weir_xv *l = &p->e->nodes[a].lit;
		l->num = -l->num;
		l->pv.i = -l->pv.i;
		return a;
	}
	i = new_node(p, N_NEG, at);
	if (i < 0)
		return -1;
	p->e->nodes[i].a = a;
	return set_depth(p, i, at);
}

static int
parse_mul(parser *p)
{
	int a = parse_unary(p);

	while (a >= 0 && (p->tok == T_STAR || p->tok == T_SLASH ||
	    p->tok == T_PCT)) {
		int op = p->tok == T_STAR ? N_MUL : p->tok == T_SLASH ? N_DIV :
		    N_MOD;
		size_t at = p->tpos;
		weir__expr_next(p);
		a = binary(p, op, a, parse_unary(p), at);
	}
	return a;
}

static int
parse_add(parser *p)
{
	int a = parse_mul(p);

	while (a >= 0 && (p->tok == T_PLUS || p->tok == T_MINUS)) {
		int op = p->tok == T_PLUS ? N_ADD : N_SUB;
		size_t at = p->tpos;
		weir__expr_next(p);
		a = binary(p, op, a, parse_mul(p), at);
	}
	return a;
}

static int
cmp_op(int tok)
{
	switch (tok) {
	case T_EQ: return N_EQ;
	case T_NE: return N_NE;
	case T_LT: return N_LT;
	case T_LE: return N_LE;
	case T_GT: return N_GT;
	case T_GE: return N_GE;
	}
	return -1;
}

/* Mirror a comparison for swapped operands (5 < .x is .x > 5). */
static int
mirror(int op)
{
	switch (op) {
	case N_LT: return N_GT;
	case N_LE: return N_GE;
	case N_GT: return N_LT;
	case N_GE: return N_LE;
	}
	return op;
}

/* Turn path-vs-literal comparisons into their fast node kinds. */
static void
specialize(weir_expr *e, int i)
{
	node *n = &e->nodes[i];
	node *pa = &e->nodes[n->a], *lb = &e->nodes[n->b];
	int op = n->op;

	if (pa->op != N_PATH) {
		node *t = pa;
		pa = lb;
		lb = t;
		op = mirror(op);
	}
	if (pa->op != N_PATH || lb->op != N_LIT)
		return;
	if (lb->lit.type == WEIR_XV_NUM ||
	    (lb->lit.type == WEIR_XV_STR && (op == N_EQ || op == N_NE))) {
		n->op = lb->lit.type == WEIR_XV_NUM ? N_PCMP_NUM : N_PCMP_STR;
		n->cmp = op;
		n->path = pa->path;	/* the path moves to this node */
		memset(&pa->path, 0, sizeof(pa->path));
		pa->op = N_LIT;
		expr_set_missing(&pa->lit);
		n->lit = lb->lit;	/* and so does the literal */
		expr_set_missing(&lb->lit);
	}
}

static int
parse_in_list(parser *p, int a, size_t at)
{
	int items[64], nitems = 0, i, k, arg0;
	weir_expr *e = p->e;
	int *more = NULL, nmore = 0;

	weir__expr_next(p);		/* past [ */
	arg0 = -1;
	if (p->tok != T_RB) {
		for (;;) {
			int it = weir__expr_parse_or(p);
			if (it < 0) {
				free(more);
				return -1;
			}
			if (nitems < 64)
				items[nitems++] = it;
			else {
				int *nm = realloc(more, sizeof(*nm) *
				    (size_t)(nmore + 1));
				if (!nm) {
					free(more);
					return weir__expr_nomem(p, at);
				}
				more = nm;
				more[nmore++] = it;
			}
			if (p->tok == T_COMMA) {
				weir__expr_next(p);
				continue;
			}
			if (p->tok != T_RB) {
				free(more);
				return weir__expr_unexpected(p, "',' or ']'");
			}
			break;
		}
	}
	weir__expr_next(p);		/* past ] */
	i = new_node(p, N_IN, at);
	if (i < 0) {
		free(more);
		return -1;
	}
	arg0 = e->nargs;
	e->nodes[i].a = a;
	e->nodes[i].depth = e->nodes[a].depth + 1;
	for (k = 0; k < nitems + nmore; k++) {
		int it = k < nitems ? items[k] : more[k - nitems];
		if (add_arg(p, it, at) < 0) {
			free(more);
			return -1;
		}
		if (e->nodes[it].depth + 1 > e->nodes[i].depth)
			e->nodes[i].depth = e->nodes[it].depth + 1;
	}
	free(more);
	e->nodes[i].arg0 = arg0;
	e->nodes[i].nargs = nitems + nmore;
	if (e->nodes[i].depth > MAX_DEPTH)
		return weir__expr_fail(p, at, "expression nests too deeply%s",
		    "");
	return i;
}

static int
parse_cmp(parser *p)
{
	int a = parse_add(p), op;
	size_t at;

	if (a < 0)
		return -1;
	at = p->tpos;
	if (weir__expr_is_word(p, "in")) {
		weir__expr_next(p);
		if (p->tok == T_LB)
			a = parse_in_list(p, a, at);
		else {
			int b = parse_add(p);
			a = b < 0 ? -1 : binary(p, N_INVAL, a, b, at);
		}
	} else if ((op = cmp_op(p->tok)) >= 0) {
		weir__expr_next(p);
		a = binary(p, op, a, parse_add(p), at);
		if (a >= 0)
			specialize(p->e, a);
	} else
		return a;
	if (a >= 0 && (cmp_op(p->tok) >= 0 || weir__expr_is_word(p, "in")))
		return weir__expr_fail(p, p->tpos,
		    "comparisons do not chain (use and)%s", "");
	return a;
}

static int
parse_not(parser *p)
{
	size_t at = p->tpos;
	int a, i;

	if (!weir__expr_is_word(p, "not"))
		return parse_cmp(p);
	if (++p->depth > MAX_NEST)
		return weir__expr_fail(p, at, "expression nests too deeply%s",
		    "");
	weir__expr_next(p);
	a = parse_not(p);
	p->depth--;
	if (a < 0)
		return -1;
	i = new_node(p, N_NOT, at);
	if (i < 0)
		return -1;
	p->e->nodes[i].a = a;
	return set_depth(p, i, at);
}

static int
parse_and(parser *p)
{
	int a = parse_not(p);

	while (a >= 0 && weir__expr_is_word(p, "and")) {
		size_t at = p->tpos;
		weir__expr_next(p);
		a = binary(p, N_AND, a, parse_not(p), at);
	}
	return a;
}

int
weir__expr_parse_or(parser *p)
{
	int a;

	if (++p->depth > MAX_NEST)
		return weir__expr_fail(p, p->tpos,
		    "expression nests too deeply%s",
		    "");
	a = parse_and(p);
	while (a >= 0 && weir__expr_is_word(p, "or")) {
		size_t at = p->tpos;
		weir__expr_next(p);
		a = binary(p, N_OR, a, parse_and(p), at);
	}
	p->depth--;
	return a;
}

static int
binary(parser *p, int op, int a, int b, size_t at)
{
	int i;

	if (a < 0 || b < 0)
		return -1;
	i = new_node(p, op, at);
	if (i < 0)
		return -1;
	p->e->nodes[i].a = a;
	p->e->nodes[i].b = b;
	return set_depth(p, i, at);
}
