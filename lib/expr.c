/*
 * expr.c - compile and evaluate weir expressions (expr.h, weir-expr(7)).
 *
 * The parser is recursive descent over the source text and builds a tree
 * of nodes in one array.  Evaluation walks the tree; comparisons of a path
 * with a literal (the shape of almost every filter) have their own node
 * kinds that look the field up and compare it in place, without turning it
 * into a weir_xv first.  Bytes an evaluation makes go into scratch blocks
 * kept from one evaluation to the next, so a warm expression allocates
 * nothing.
 */
#include "expr.h"

#include <math.h>
#include <regex.h>
#include <stdio.h>
#include <stdlib.h>

#include "path.h"

#define MAX_DEPTH 1000		/* tree depth (evaluation recursion) */
#define MAX_NEST 256		/* parentheses and prefix operators */
#define MAX_NODES 100000

enum {
	N_LIT, N_PATH, N_NEG, N_NOT, N_AND, N_OR,
	N_ADD, N_SUB, N_MUL, N_DIV, N_MOD,
	N_EQ, N_NE, N_LT, N_LE, N_GT, N_GE,	/* keep this order: cmp ops */
	N_IN, N_INVAL, N_CALL,
	N_PCMP_NUM,		/* path OP number literal */
	N_PCMP_STR		/* path ==/!= string literal */
};

enum {
	F_EXISTS, F_IS_NULL, F_TYPE, F_LEN, F_LOWER, F_UPPER, F_CONTAINS,
	F_STARTS_WITH, F_ENDS_WITH, F_MATCHES, F_NUMBER, F_STRING, F_NOW,
	F_TS, F_KEY
};

static const struct fn {
	const char *name;
	int id, min, max;
} fns[] = {
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
	{ NULL, 0, 0, 0 }
};

typedef struct node {
	int op;
	int cmp;		/* PCMP_*: the comparison (N_EQ...) */
	int fn;			/* CALL */
	int a, b;		/* children; -1 if none */
	int arg0, nargs;	/* CALL, IN: indices into e->args */
	int depth;
	int has_re;
	weir_path path;		/* PATH, PCMP_* */
	weir_xv lit;		/* LIT, PCMP_* */
	regex_t re;		/* CALL matches */
} node;

typedef struct block {
	uint8_t *p;
	size_t cap;
} block;

struct weir_expr {
	char *src;
	node *nodes;
	int nnodes, capnodes;
	int *args;
	int nargs, capargs;
	int root;
	/* scratch */
	block *blocks;
	int nblocks, cur;
	size_t used;
	weir_buf tmp;
	int64_t now;
	int oom;
};

/* ---------- scratch ---------- */

static uint8_t *
scratch(weir_expr *e, size_t n)
{
	block *nb;
	size_t cap;

	if (n == 0)
		n = 1;
	while (e->cur < e->nblocks) {
		block *b = &e->blocks[e->cur];
		if (b->cap - e->used >= n) {
			uint8_t *p = b->p + e->used;
			e->used += n;
			return p;
		}
		e->cur++;
		e->used = 0;
	}
	cap = (size_t)4096 << (e->nblocks < 16 ? e->nblocks : 16);
	if (cap < n)
		cap = n;
	nb = realloc(e->blocks, sizeof(*nb) * (size_t)(e->nblocks + 1));
	if (!nb)
		goto oom;
	e->blocks = nb;
	nb[e->nblocks].p = malloc(cap);
	if (!nb[e->nblocks].p)
		goto oom;
	nb[e->nblocks].cap = cap;
	e->cur = e->nblocks++;
	e->used = n;
	return nb[e->cur].p;
oom:
	e->oom = 1;
	return NULL;
}

static void
set_missing(weir_xv *v)
{
	v->type = WEIR_XV_MISSING;
	v->pv.type = WEIR_PV_MISSING;
}

static void
set_bool(weir_xv *v, int b)
{
	v->type = WEIR_XV_BOOL;
	v->b = b != 0;
	v->pv.type = WEIR_PV_MISSING;
}

static void
set_num(weir_xv *v, double d)
{
	v->type = WEIR_XV_NUM;
	v->num = d;
	v->pv.type = WEIR_PV_MISSING;
}

static void
set_str(weir_xv *v, const uint8_t *s, size_t n)
{
	v->type = WEIR_XV_STR;
	v->s = s;
	v->n = n;
	v->pv.type = WEIR_PV_MISSING;
}

/* Copy e->tmp into scratch as a string value. */
static void
set_tmp_str(weir_expr *e, weir_xv *v)
{
	uint8_t *p = scratch(e, e->tmp.len);

	if (!p) {
		set_missing(v);
		return;
	}
	if (e->tmp.len)
		memcpy(p, e->tmp.p, e->tmp.len);
	set_str(v, p, e->tmp.len);
}

/* A record's packed value as an expression value. */
static void
from_pv(weir_expr *e, const weir_pv *pv, weir_xv *v)
{
	v->pv = *pv;
	switch (pv->type) {
	case WEIR_PV_NULL:
		v->type = WEIR_XV_NULL;
		break;
	case WEIR_PV_FALSE:
	case WEIR_PV_TRUE:
		v->type = WEIR_XV_BOOL;
		v->b = pv->type == WEIR_PV_TRUE;
		break;
	case WEIR_PV_INT:
		v->type = WEIR_XV_NUM;
		v->num = (double)pv->i;
		break;
	case WEIR_PV_DEC:
	case WEIR_PV_NUMTEXT:
		v->type = WEIR_XV_NUM;
		v->num = weir_pv_num(pv);
		break;
	case WEIR_PV_STRING:
		v->type = WEIR_XV_STR;
		if (!pv->escaped) {
			v->s = pv->s;
			v->n = pv->n;
			break;
		}
		e->tmp.len = 0;
		if (weir_json_unescape(&e->tmp, pv->s, pv->n) < 0) {
			set_missing(v);
			break;
		}
		set_tmp_str(e, v);
		v->pv = *pv;
		break;
	case WEIR_PV_ARRAY:
		v->type = WEIR_XV_ARRAY;
		break;
	case WEIR_PV_OBJECT:
		v->type = WEIR_XV_OBJECT;
		break;
	default:
		set_missing(v);
	}
}

/* ---------- value semantics ---------- */

/* The value is one of the record's own, with its encoded bytes. */
static int
has_raw(const weir_xv *v)
{
	return v->pv.type != WEIR_PV_MISSING && v->pv.tag != NULL;
}

int
weir_xv_truthy(const weir_xv *v)
{
	switch (v->type) {
	case WEIR_XV_MISSING:
	case WEIR_XV_NULL:
		return 0;
	case WEIR_XV_BOOL:
		return v->b;
	default:
		return 1;
	}
}

const char *
weir_xv_type_name(const weir_xv *v)
{
	static const char *names[] = { "missing", "null", "boolean", "number",
	    "string", "array", "object" };

	if (v->type < 0 || v->type > WEIR_XV_OBJECT)
		return "missing";
	return names[v->type];
}

/*
 * Exact decimals.  A number that is an integer or a short decimal (from
 * the record, a literal, or exact arithmetic on those) also carries its
 * value as mantissa / 10^scale in pv.i and pv.scale (pv.type INT or DEC),
 * so 68.35 * 100 is 6835, and 0.1 + 0.2 == 0.3, as people expect; num
 * always holds the nearest double.
 */
#define MAX_SCALE 18

static const int64_t p10[MAX_SCALE + 1] = {
	1LL, 10LL, 100LL, 1000LL, 10000LL, 100000LL, 1000000LL, 10000000LL,
	100000000LL, 1000000000LL, 10000000000LL, 100000000000LL,
	1000000000000LL, 10000000000000LL, 100000000000000LL,
	1000000000000000LL, 10000000000000000LL, 100000000000000000LL,
	1000000000000000000LL
};

static int
exact(const weir_xv *v, int64_t *m, int *sc)
{
	if (v->type != WEIR_XV_NUM)
		return 0;
	if (v->pv.type == WEIR_PV_INT) {
		*m = v->pv.i;
		*sc = 0;
		return 1;
	}
	if (v->pv.type == WEIR_PV_DEC && v->pv.scale >= 0 &&
	    v->pv.scale <= MAX_SCALE) {
		*m = v->pv.i;
		*sc = v->pv.scale;
		return 1;
	}
	return 0;
}

static void
set_exact(weir_xv *v, int64_t m, int sc)
{
	while (sc > 0 && m % 10 == 0) {
		m /= 10;
		sc--;
	}
	v->type = WEIR_XV_NUM;
	v->num = sc ? (double)m / (double)p10[sc] : (double)m;
	memset(&v->pv, 0, sizeof(v->pv));
	v->pv.type = sc ? WEIR_PV_DEC : WEIR_PV_INT;
	v->pv.i = m;
	v->pv.scale = sc;
}

/* Bring two decimals to one scale; 0 if that overflows. */
static int
align(int64_t *a, int sa, int64_t *b, int sb, int *sc)
{
	if (sa < sb) {
		if (__builtin_mul_overflow(*a, p10[sb - sa], a))
			return 0;
		*sc = sb;
	} else {
		if (__builtin_mul_overflow(*b, p10[sa - sb], b))
			return 0;
		*sc = sa;
	}
	return 1;
}

/* Exact + - * %: 1 and *out, or 0 to fall back to doubles. */
static int
exact_arith(int op, const weir_xv *x, const weir_xv *y, weir_xv *out)
{
	int64_t a, b, r;
	int sa, sb, sc;

	if (!exact(x, &a, &sa) || !exact(y, &b, &sb))
		return 0;
	switch (op) {
	case N_ADD:
	case N_SUB:
		if (!align(&a, sa, &b, sb, &sc))
			return 0;
		if (op == N_ADD ? __builtin_add_overflow(a, b, &r) :
		    __builtin_sub_overflow(a, b, &r))
			return 0;
		break;
	case N_MUL:
		sc = sa + sb;
		if (sc > MAX_SCALE || __builtin_mul_overflow(a, b, &r))
			return 0;
		break;
	case N_MOD:
		if (!align(&a, sa, &b, sb, &sc) || b == 0 ||
		    (b == -1 && a == INT64_MIN))
			return 0;
		r = a % b;
		break;
	default:
		return 0;
	}
	set_exact(out, r, sc);
	return 1;
}

/* Compare two numbers: <0, 0, >0; exactly when both are decimals. */
static int
num_order(const weir_xv *x, const weir_xv *y, int *c)
{
	int64_t a, b;
	int sa, sb, sc;

	if (exact(x, &a, &sa) && exact(y, &b, &sb) &&
	    align(&a, sa, &b, sb, &sc)) {
		*c = (a > b) - (a < b);
		return 1;
	}
	if (x->num != x->num || y->num != y->num)
		return 0;	/* NaN: unordered */
	*c = (x->num > y->num) - (x->num < y->num);
	return 1;
}

static int
num_eq(const weir_xv *a, const weir_xv *b)
{
	int c;

	return num_order(a, b, &c) && c == 0;
}

/* Decimal text of mantissa / 10^scale. */
static int
fmt_exact(char *buf, size_t sz, int64_t m, int sc)
{
	char dig[24];
	uint64_t u = m < 0 ? -(uint64_t)m : (uint64_t)m;
	int n = 0, k = 0;

	do {
		dig[n++] = (char)('0' + u % 10);
		u /= 10;
	} while (u);
	while (n <= sc)
		dig[n++] = '0';
	if (sz < (size_t)n + 3)
		return -1;
	if (m < 0)
		buf[k++] = '-';
	while (n > 0) {
		buf[k++] = dig[--n];
		if (n == sc && sc > 0)
			buf[k++] = '.';
	}
	buf[k] = 0;
	return k;
}

/* Equality of two present values (different types are unequal). */
static int
xv_eq(const weir_xv *a, const weir_xv *b)
{
	if (a->type != b->type)
		return 0;
	switch (a->type) {
	case WEIR_XV_NULL:
		return 1;
	case WEIR_XV_BOOL:
		return a->b == b->b;
	case WEIR_XV_NUM:
		return num_eq(a, b);
	case WEIR_XV_STR:
		return a->n == b->n && (a->n == 0 || memcmp(a->s, b->s, a->n) == 0);
	case WEIR_XV_ARRAY:
	case WEIR_XV_OBJECT:
		return a->pv.end - a->pv.tag == b->pv.end - b->pv.tag &&
		    memcmp(a->pv.tag, b->pv.tag,
		    (size_t)(a->pv.end - a->pv.tag)) == 0;
	}
	return 0;
}

static int
bytes_cmp(const uint8_t *a, size_t an, const uint8_t *b, size_t bn)
{
	size_t n = an < bn ? an : bn;
	int c = n ? memcmp(a, b, n) : 0;

	if (c)
		return c;
	return an < bn ? -1 : an > bn;
}

/* Apply comparison op to an ordering result c (<0, 0, >0). */
static int
cmp_result(int op, int c)
{
	switch (op) {
	case N_EQ: return c == 0;
	case N_NE: return c != 0;
	case N_LT: return c < 0;
	case N_LE: return c <= 0;
	case N_GT: return c > 0;
	default: return c >= 0;
	}
}

static int
num_cmp(int op, double a, double b)
{
	switch (op) {
	case N_EQ: return a == b;
	case N_NE: return a != b;
	case N_LT: return a < b;
	case N_LE: return a <= b;
	case N_GT: return a > b;
	default: return a >= b;
	}
}

/* The comparison rule: missing on either side is false; == and != work on
 * any two values; ordering only between two numbers or two strings. */
static int
compare(int op, const weir_xv *a, const weir_xv *b)
{
	if (a->type == WEIR_XV_MISSING || b->type == WEIR_XV_MISSING)
		return 0;
	if (op == N_EQ)
		return xv_eq(a, b);
	if (op == N_NE)
		return !xv_eq(a, b);
	if (a->type == WEIR_XV_NUM && b->type == WEIR_XV_NUM) {
		int c;
		return num_order(a, b, &c) && cmp_result(op, c);
	}
	if (a->type == WEIR_XV_STR && b->type == WEIR_XV_STR)
		return cmp_result(op, bytes_cmp(a->s, a->n, b->s, b->n));
	return 0;
}

/* ---------- evaluation ---------- */

static void eval(weir_expr *e, int i, const weir_expr_ctx *c, weir_xv *out);

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
	eval(e, i, c, &v);
	return weir_xv_truthy(&v);
}

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
		set_missing(out);
		return;
	}
	p = scratch(e, a->n);
	if (!p) {
		set_missing(out);
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
	set_str(out, p, a->n);
}

static int
contains_elem(weir_expr *e, const weir_xv *arr, const weir_xv *x)
{
	weir_pv_iter it;
	weir_pv pv;
	weir_xv el;

	weir_pv_iter_init(&it, &arr->pv);
	while (weir_pv_iter_next(&it, NULL, &pv)) {
		from_pv(e, &pv, &el);
		if (xv_eq(&el, x))
			return 1;
	}
	return 0;
}

/* number(): a number as is; a string holding a number (spaces around it
 * allowed, no hex, inf or nan); anything else is missing. */
static void
fn_number(const weir_xv *a, weir_xv *out)
{
	char buf[64], *end;
	size_t i = 0, n;
	double d;

	if (a->type == WEIR_XV_NUM) {
		*out = *a;
		return;
	}
	set_missing(out);
	if (a->type != WEIR_XV_STR)
		return;
	n = a->n;
	while (i < n && (a->s[i] == ' ' || a->s[i] == '\t'))
		i++;
	while (n > i && (a->s[n - 1] == ' ' || a->s[n - 1] == '\t'))
		n--;
	if (n == i || n - i >= sizeof(buf))
		return;
	memcpy(buf, a->s + i, n - i);
	buf[n - i] = 0;
	if (strpbrk(buf, "xXnNiI"))
		return;
	if (!(buf[0] == '-' || buf[0] == '+' || buf[0] == '.' ||
	    (buf[0] >= '0' && buf[0] <= '9')))
		return;
	d = strtod(buf, &end);
	if (*end || !isfinite(d))
		return;
	set_num(out, d);
}

static int
num_text(char *buf, size_t sz, double d)
{
	if (d == floor(d) && fabs(d) < 9007199254740992.0)
		return snprintf(buf, sz, "%lld", (long long)d);
	return weir_fmt_double(buf, sz, d);
}

int
weir_xv_text(weir_buf *out, const weir_xv *v)
{
	char buf[64];

	switch (v->type) {
	case WEIR_XV_MISSING:
		return 1;
	case WEIR_XV_NULL:
		return weir_buf_puts(out, "null");
	case WEIR_XV_BOOL:
		return weir_buf_puts(out, v->b ? "true" : "false");
	case WEIR_XV_NUM:
		if (has_raw(v))
			return weir_pv_to_text(out, &v->pv);
		if (v->pv.type == WEIR_PV_INT || v->pv.type == WEIR_PV_DEC) {
			fmt_exact(buf, sizeof(buf), v->pv.i, v->pv.scale);
			return weir_buf_puts(out, buf);
		}
		if (!isfinite(v->num))
			return weir_buf_puts(out, "null");
		num_text(buf, sizeof(buf), v->num);
		return weir_buf_puts(out, buf);
	case WEIR_XV_STR:
		return weir_buf_put(out, v->s, v->n);
	default:
		return weir_pv_to_json(out, &v->pv);
	}
}

int
weir_xv_pack(weir_buf *out, const weir_xv *v)
{
	char buf[32];

	switch (v->type) {
	case WEIR_XV_MISSING:
		return 1;
	case WEIR_XV_NULL:
		return weir_pack_null(out);
	case WEIR_XV_BOOL:
		return weir_pack_bool(out, v->b);
	case WEIR_XV_NUM:
		if (has_raw(v))
			return weir_pack_raw(out, &v->pv);
		if (v->pv.type == WEIR_PV_INT)
			return weir_pack_int(out, v->pv.i);
		if (v->pv.type == WEIR_PV_DEC) {
			int n = fmt_exact(buf, sizeof(buf), v->pv.i, v->pv.scale);
			return weir_pack_numtext(out, buf, (size_t)n);
		}
		if (v->num == floor(v->num) && fabs(v->num) < 9007199254740992.0)
			return weir_pack_int(out, (int64_t)v->num);
		return weir_pack_double(out, v->num);
	case WEIR_XV_STR:
		if (has_raw(v) && v->pv.type == WEIR_PV_STRING)
			return weir_pack_raw(out, &v->pv);
		return weir_pack_str(out, (const char *)v->s, v->n);
	default:
		return weir_pack_raw(out, &v->pv);
	}
}

static void
fn_string(weir_expr *e, const weir_xv *a, weir_xv *out)
{
	switch (a->type) {
	case WEIR_XV_MISSING:
		set_missing(out);
		return;
	case WEIR_XV_STR:
		*out = *a;
		return;
	case WEIR_XV_NULL:
		set_str(out, (const uint8_t *)"null", 4);
		return;
	case WEIR_XV_BOOL:
		if (a->b)
			set_str(out, (const uint8_t *)"true", 4);
		else
			set_str(out, (const uint8_t *)"false", 5);
		return;
	}
	e->tmp.len = 0;
	if (weir_xv_text(&e->tmp, a) < 0) {
		e->oom = 1;
		set_missing(out);
		return;
	}
	set_tmp_str(e, out);
}

static void
fn_call(weir_expr *e, const node *n, const weir_expr_ctx *c, weir_xv *out)
{
	weir_xv a, b;
	const weir_record *r = c->rec;

	if (n->nargs > 0)
		eval(e, e->args[n->arg0], c, &a);
	if (n->nargs > 1)
		eval(e, e->args[n->arg0 + 1], c, &b);
	switch (n->fn) {
	case F_EXISTS:
		set_bool(out, a.type != WEIR_XV_MISSING);
		return;
	case F_IS_NULL:
		set_bool(out, a.type == WEIR_XV_MISSING || a.type == WEIR_XV_NULL);
		return;
	case F_TYPE: {
		const char *t = weir_xv_type_name(&a);
		set_str(out, (const uint8_t *)t, strlen(t));
		return;
	}
	case F_LEN:
		if (a.type == WEIR_XV_STR)
			set_num(out, (double)utf8_len(a.s, a.n));
		else if (a.type == WEIR_XV_NULL)
			set_num(out, 0);
		else if (a.type == WEIR_XV_ARRAY || a.type == WEIR_XV_OBJECT) {
			weir_pv_iter it;
			weir_pv k, v;
			size_t cnt = 0;
			weir_pv_iter_init(&it, &a.pv);
			while (weir_pv_iter_next(&it, &k, &v))
				cnt++;
			set_num(out, (double)cnt);
		} else
			set_missing(out);
		return;
	case F_LOWER:
	case F_UPPER:
		fn_case(e, &a, n->fn == F_UPPER, out);
		return;
	case F_CONTAINS:
		if (a.type == WEIR_XV_MISSING || b.type == WEIR_XV_MISSING)
			set_missing(out);
		else if (a.type == WEIR_XV_ARRAY)
			set_bool(out, contains_elem(e, &a, &b));
		else if (a.type == WEIR_XV_STR && b.type == WEIR_XV_STR)
			set_bool(out, b.n == 0 || memmem(a.s, a.n, b.s, b.n));
		else
			set_missing(out);
		return;
	case F_STARTS_WITH:
	case F_ENDS_WITH:
		if (a.type != WEIR_XV_STR || b.type != WEIR_XV_STR)
			set_missing(out);
		else if (b.n > a.n)
			set_bool(out, 0);
		else
			set_bool(out, b.n == 0 || memcmp(n->fn == F_STARTS_WITH ?
			    a.s : a.s + a.n - b.n, b.s, b.n) == 0);
		return;
	case F_MATCHES: {
		regmatch_t m[1];
		if (a.type != WEIR_XV_STR) {
			set_missing(out);
			return;
		}
		/* regexec wants a C string: copy it, NUL-ended; REG_STARTEND
		 * still sees the whole string if it holds a NUL */
		e->tmp.len = 0;
		if (weir_buf_put(&e->tmp, a.s, a.n) < 0 ||
		    weir_buf_putc(&e->tmp, 0) < 0) {
			e->oom = 1;
			set_missing(out);
			return;
		}
		m[0].rm_so = 0;
		m[0].rm_eo = (regoff_t)a.n;
		set_bool(out, regexec(&n->re, (const char *)e->tmp.p, 1, m,
		    REG_STARTEND) == 0);
		return;
	}
	case F_NUMBER:
		fn_number(&a, out);
		return;
	case F_STRING:
		fn_string(e, &a, out);
		return;
	case F_NOW:
		if (c->now_ms)
			set_num(out, (double)c->now_ms);
		else {
			if (!e->now)
				e->now = weir_now_ms();
			set_num(out, (double)e->now);
		}
		return;
	case F_TS:
		if (r && (r->flags & WEIR_R_TS))
			set_num(out, (double)r->ts);
		else
			set_missing(out);
		return;
	case F_KEY:
		if (r && (r->flags & WEIR_R_KEY) &&
		    weir_utf8_valid(r->key, r->key_len))
			set_str(out, r->key ? r->key : (const uint8_t *)"",
			    r->key_len);
		else
			set_missing(out);
		return;
	}
	set_missing(out);
}

static void
arith(weir_expr *e, int op, const weir_xv *a, const weir_xv *b, weir_xv *out)
{
	double x, y;

	if (op == N_ADD && a->type == WEIR_XV_STR && b->type == WEIR_XV_STR) {
		uint8_t *p = scratch(e, a->n + b->n);
		if (!p) {
			set_missing(out);
			return;
		}
		if (a->n)
			memcpy(p, a->s, a->n);
		if (b->n)
			memcpy(p + a->n, b->s, b->n);
		set_str(out, p, a->n + b->n);
		return;
	}
	if (a->type != WEIR_XV_NUM || b->type != WEIR_XV_NUM) {
		set_missing(out);
		return;
	}
	if (exact_arith(op, a, b, out))
		return;
	x = a->num;
	y = b->num;
	switch (op) {
	case N_ADD: x += y; break;
	case N_SUB: x -= y; break;
	case N_MUL: x *= y; break;
	case N_DIV:
		if (y == 0) {
			set_missing(out);
			return;
		}
		x /= y;
		break;
	default:
		if (y == 0) {
			set_missing(out);
			return;
		}
		x = fmod(x, y);
		break;
	}
	if (!isfinite(x))
		set_missing(out);
	else
		set_num(out, x);
}

/*
 * Field lookup for the hot path: object members with short plain keys
 * (nearly all keys) are compared and skipped without decoding each value
 * into a weir_pv; anything else goes to weir_pv_member, which gives the
 * same answer.
 */
static inline const uint8_t *
skip_value(const uint8_t *p, const uint8_t *end)
{
	uint64_t u;
	uint8_t t = *p++;

	if ((t & 0xe0) == WEIR_PK_SSTR)
		return (size_t)(end - p) >= (size_t)(t & 0x1f) ? p + (t & 0x1f) :
		    NULL;
	switch (t) {
	case WEIR_PK_NULL:
	case WEIR_PK_FALSE:
	case WEIR_PK_TRUE:
		return p;
	case WEIR_PK_INT:
		return weir_varint_dec(&p, end, &u) < 0 ? NULL : p;
	case WEIR_PK_DEC:
		return weir_varint_dec(&p, end, &u) < 0 || p >= end ? NULL :
		    p + 1;
	case WEIR_PK_NUM:
	case WEIR_PK_STR:
	case WEIR_PK_ESTR:
	case WEIR_PK_ARR:
	case WEIR_PK_OBJ:
		if (weir_varint_dec(&p, end, &u) < 0 ||
		    u > (uint64_t)(end - p))
			return NULL;
		return p + u;
	}
	return NULL;
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
		    memcmp(p + 1, key, kl) == 0)))
			return weir_pv_read(p + 1 + kl, end, out) != NULL;
		p += 1 + kl;
		if (p >= end || !(p = skip_value(p, end)))
			return 0;
	}
	return 0;
}

static int
lookup(const weir_path *path, const weir_pv *root, weir_pv *out)
{
	weir_pv cur = *root;
	size_t i;

	if (root->type == WEIR_PV_MISSING)
		return 0;
	for (i = 0; i < path->nsteps; i++) {
		const weir_path_step *st = &path->steps[i];
		if (st->is_index ? !weir_pv_index(&cur, st->index, out) :
		    !member(&cur, st->key, st->key_len, out))
			return 0;
		cur = *out;
	}
	*out = cur;
	return 1;
}

/* path OP number: the field compared in place. */
static int
pcmp_num(const node *n, const weir_expr_ctx *c)
{
	weir_pv pv;

	if (!lookup(&n->path, c->root, &pv))
		return 0;
	if (pv.type == WEIR_PV_INT) {
		if (n->lit.pv.type == WEIR_PV_INT)
			return cmp_result(n->cmp, (pv.i > n->lit.pv.i) -
			    (pv.i < n->lit.pv.i));
		return num_cmp(n->cmp, (double)pv.i, n->lit.num);
	}
	if (pv.type == WEIR_PV_DEC || pv.type == WEIR_PV_NUMTEXT)
		return num_cmp(n->cmp, weir_pv_num(&pv), n->lit.num);
	/* not a number: only != holds (missing was handled above) */
	return n->cmp == N_NE;
}

/* path ==/!= string. */
static int
pcmp_str(weir_expr *e, const node *n, const weir_expr_ctx *c)
{
	weir_pv pv;
	int eq;

	if (!lookup(&n->path, c->root, &pv))
		return 0;
	if (pv.type != WEIR_PV_STRING)
		eq = 0;
	else if (!pv.escaped)
		eq = pv.n == n->lit.n && memcmp(pv.s, n->lit.s, pv.n) == 0;
	else {
		weir_xv v;
		from_pv(e, &pv, &v);
		eq = v.type == WEIR_XV_STR && v.n == n->lit.n &&
		    memcmp(v.s, n->lit.s, v.n) == 0;
	}
	return n->cmp == N_EQ ? eq : !eq;
}

static void
eval(weir_expr *e, int i, const weir_expr_ctx *c, weir_xv *out)
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
		if (lookup(&n->path, c->root, &pv))
			from_pv(e, &pv, out);
		else
			set_missing(out);
		return;
	case N_PCMP_NUM:
		set_bool(out, pcmp_num(n, c));
		return;
	case N_PCMP_STR:
		set_bool(out, pcmp_str(e, n, c));
		return;
	case N_NOT:
		set_bool(out, !test(e, n->a, c));
		return;
	case N_AND:
		set_bool(out, test(e, n->a, c) && test(e, n->b, c));
		return;
	case N_OR:
		set_bool(out, test(e, n->a, c) || test(e, n->b, c));
		return;
	case N_NEG:
		eval(e, n->a, c, &a);
		if (a.type == WEIR_XV_NUM) {
			int64_t m;
			int sc;
			if (exact(&a, &m, &sc) && m != INT64_MIN)
				set_exact(out, -m, sc);
			else
				set_num(out, -a.num);
		} else
			set_missing(out);
		return;
	case N_ADD: case N_SUB: case N_MUL: case N_DIV: case N_MOD:
		eval(e, n->a, c, &a);
		eval(e, n->b, c, &b);
		arith(e, n->op, &a, &b, out);
		return;
	case N_EQ: case N_NE: case N_LT: case N_LE: case N_GT: case N_GE:
		eval(e, n->a, c, &a);
		eval(e, n->b, c, &b);
		set_bool(out, compare(n->op, &a, &b));
		return;
	case N_IN:
		eval(e, n->a, c, &a);
		if (a.type == WEIR_XV_MISSING) {
			set_bool(out, 0);
			return;
		}
		for (k = 0; k < n->nargs; k++) {
			eval(e, e->args[n->arg0 + k], c, &b);
			if (b.type != WEIR_XV_MISSING && xv_eq(&a, &b)) {
				set_bool(out, 1);
				return;
			}
		}
		set_bool(out, 0);
		return;
	case N_INVAL:
		eval(e, n->a, c, &a);
		eval(e, n->b, c, &b);
		set_bool(out, a.type != WEIR_XV_MISSING &&
		    b.type == WEIR_XV_ARRAY && contains_elem(e, &b, &a));
		return;
	case N_CALL:
		fn_call(e, n, c, out);
		return;
	}
	set_missing(out);
}

static void
eval_begin(weir_expr *e)
{
	e->cur = 0;
	e->used = 0;
	e->now = 0;
	e->oom = 0;
}

static const weir_pv missing_pv = { .type = WEIR_PV_MISSING };

int
weir_expr_eval(weir_expr *e, const weir_expr_ctx *ctx, weir_xv *out)
{
	weir_expr_ctx c = *ctx;

	if (!c.root)
		c.root = &missing_pv;
	eval_begin(e);
	eval(e, e->root, &c, out);
	if (e->oom) {
		set_missing(out);
		return -1;
	}
	return 0;
}

int
weir_expr_test(weir_expr *e, const weir_expr_ctx *ctx)
{
	const node *n = &e->nodes[e->root];
	weir_expr_ctx c = *ctx;

	if (!c.root)
		c.root = &missing_pv;
	/* the common shape, straight to its comparison */
	if (n->op == N_PCMP_NUM)
		return pcmp_num(n, &c);
	eval_begin(e);
	return test(e, e->root, &c);
}

/* ---------- lexer ---------- */

enum {
	T_EOF, T_NUM, T_STR, T_PATH, T_IDENT, T_LP, T_RP, T_LB, T_RB, T_COMMA,
	T_EQ, T_NE, T_LT, T_LE, T_GT, T_GE, T_PLUS, T_MINUS, T_STAR, T_SLASH,
	T_PCT, T_BAD
};

typedef struct parser {
	weir_expr *e;
	const char *s;
	size_t pos;		/* next unread byte */
	int tok;
	size_t tpos, tlen;	/* the current token */
	char *err;
	size_t errsz;
	size_t errpos;
	int failed;
	int depth;
} parser;

static int
fail(parser *p, size_t at, const char *fmt, const char *arg)
{
	char msg[256];

	if (p->failed)
		return -1;
	p->failed = 1;
	p->errpos = at;
	snprintf(msg, sizeof(msg), fmt, arg);
	weir_seterr(p->err, p->errsz, "%s", msg);
	return -1;
}

static int
ident_char(int ch)
{
	return (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') ||
	    (ch >= '0' && ch <= '9') || ch == '_' || ch == '$' || ch == '@';
}

/* Scan a JSON-style string body from s[i] (just after the quote); returns
 * the index of the closing quote, or 0 if unterminated. */
static size_t
scan_string(const char *s, size_t i)
{
	while (s[i] && s[i] != '"') {
		if (s[i] == '\\' && s[i + 1])
			i++;
		i++;
	}
	return s[i] == '"' ? i : 0;
}

static void
next(parser *p)
{
	const char *s = p->s;
	size_t i = p->pos;
	int ch;

	while (s[i] == ' ' || s[i] == '\t' || s[i] == '\n' || s[i] == '\r')
		i++;
	p->tpos = i;
	ch = (unsigned char)s[i];
	if (!ch) {
		p->tok = T_EOF;
		p->tlen = 0;
		p->pos = i;
		return;
	}
	if (ch == '.') {
		size_t j = i + 1;
		for (;;) {
			if (ident_char((unsigned char)s[j])) {
				while (ident_char((unsigned char)s[j]))
					j++;
			} else if (s[j] == '"') {
				size_t q = scan_string(s, j + 1);
				if (!q)
					break;
				j = q + 1;
			} else if (s[j] == '[') {
				size_t k = j + 1;
				if (s[k] == '"') {
					size_t q = scan_string(s, k + 1);
					if (!q)
						break;
					k = q + 1;
				} else {
					if (s[k] == '-')
						k++;
					while (s[k] >= '0' && s[k] <= '9')
						k++;
				}
				if (s[k] != ']')
					break;
				j = k + 1;
				continue;
			} else
				break;
			if (s[j] == '.' && (ident_char((unsigned char)s[j + 1]) ||
			    s[j + 1] == '"' || s[j + 1] == '['))
				j++;
		}
		p->tok = T_PATH;
		p->tlen = j - i;
		p->pos = j;
		return;
	}
	if (ch >= '0' && ch <= '9') {
		size_t j = i;
		while (s[j] >= '0' && s[j] <= '9')
			j++;
		if (s[j] == '.' && s[j + 1] >= '0' && s[j + 1] <= '9') {
			j++;
			while (s[j] >= '0' && s[j] <= '9')
				j++;
		}
		if ((s[j] == 'e' || s[j] == 'E') && ((s[j + 1] >= '0' &&
		    s[j + 1] <= '9') || ((s[j + 1] == '+' || s[j + 1] == '-') &&
		    s[j + 2] >= '0' && s[j + 2] <= '9'))) {
			j += 2;
			while (s[j] >= '0' && s[j] <= '9')
				j++;
		}
		p->tok = ident_char((unsigned char)s[j]) ? T_BAD : T_NUM;
		p->tlen = j - i;
		p->pos = j;
		return;
	}
	if (ident_char(ch)) {
		size_t j = i;
		while (ident_char((unsigned char)s[j]))
			j++;
		p->tok = T_IDENT;
		p->tlen = j - i;
		p->pos = j;
		return;
	}
	if (ch == '"') {
		size_t q = scan_string(s, i + 1);
		if (!q) {
			p->tok = T_BAD;
			p->tlen = 1;
			p->pos = i + 1;
			fail(p, i, "unterminated string%s", "");
			return;
		}
		p->tok = T_STR;
		p->tlen = q + 1 - i;
		p->pos = q + 1;
		return;
	}
	p->tlen = 1;
	switch (ch) {
	case '(': p->tok = T_LP; break;
	case ')': p->tok = T_RP; break;
	case '[': p->tok = T_LB; break;
	case ']': p->tok = T_RB; break;
	case ',': p->tok = T_COMMA; break;
	case '+': p->tok = T_PLUS; break;
	case '-': p->tok = T_MINUS; break;
	case '*': p->tok = T_STAR; break;
	case '/': p->tok = T_SLASH; break;
	case '%': p->tok = T_PCT; break;
	case '=':
		if (s[i + 1] == '=') {
			p->tok = T_EQ;
			p->tlen = 2;
		} else
			p->tok = T_BAD;
		break;
	case '!':
		if (s[i + 1] == '=') {
			p->tok = T_NE;
			p->tlen = 2;
		} else
			p->tok = T_BAD;
		break;
	case '<':
		if (s[i + 1] == '=') {
			p->tok = T_LE;
			p->tlen = 2;
		} else
			p->tok = T_LT;
		break;
	case '>':
		if (s[i + 1] == '=') {
			p->tok = T_GE;
			p->tlen = 2;
		} else
			p->tok = T_GT;
		break;
	default:
		p->tok = T_BAD;
	}
	p->pos = i + p->tlen;
}

static int
is_word(const parser *p, const char *w)
{
	return p->tok == T_IDENT && strlen(w) == p->tlen &&
	    memcmp(p->s + p->tpos, w, p->tlen) == 0;
}

/* A message naming the current token. */
static int
unexpected(parser *p, const char *what)
{
	char tok[48], msg[128];

	if (p->failed)
		return -1;
	if (p->tok == T_EOF)
		snprintf(tok, sizeof(tok), "the end");
	else if (p->tok == T_BAD && p->s[p->tpos] == '=')
		return fail(p, p->tpos, "'=' is not an operator (use == to "
		    "compare)%s", "");
	else if (p->tok == T_BAD && p->s[p->tpos] == '!')
		return fail(p, p->tpos, "'!' is not an operator (use not, or != "
		    "to compare)%s", "");
	else if (p->tok == T_BAD && p->s[p->tpos] == '&')
		return fail(p, p->tpos, "'&' is not an operator (use and)%s", "");
	else if (p->tok == T_BAD && p->s[p->tpos] == '|')
		return fail(p, p->tpos, "'|' is not an operator (use or)%s", "");
	else
		snprintf(tok, sizeof(tok), "'%.*s'", (int)(p->tlen > 20 ? 20 :
		    p->tlen), p->s + p->tpos);
	snprintf(msg, sizeof(msg), "expected %s, found %s", what, tok);
	return fail(p, p->tpos, "%s", msg);
}

/* ---------- parser ---------- */

static int
new_node(parser *p, int op, size_t at)
{
	weir_expr *e = p->e;
	node *n;

	if (e->nnodes >= MAX_NODES)
		return fail(p, at, "expression too long%s", "");
	if (e->nnodes == e->capnodes) {
		int nc = e->capnodes ? e->capnodes * 2 : 16;
		node *nn = realloc(e->nodes, sizeof(*nn) * (size_t)nc);
		if (!nn)
			return fail(p, at, "out of memory%s", "");
		e->nodes = nn;
		e->capnodes = nc;
	}
	n = &e->nodes[e->nnodes];
	memset(n, 0, sizeof(*n));
	n->op = op;
	n->a = n->b = -1;
	n->depth = 1;
	set_missing(&n->lit);
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
			return fail(p, at, "out of memory%s", "");
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
		return fail(p, at, "expression nests too deeply%s", "");
	return i;
}

static int binary(parser *p, int op, int a, int b, size_t at);
static int parse_or(parser *p);

static int
parse_string_lit(parser *p, int i)
{
	weir_buf b = {0};
	node *n;
	uint8_t *copy;

	if (weir_json_unescape(&b, (const uint8_t *)p->s + p->tpos + 1,
	    p->tlen - 2) < 0 || !weir_utf8_valid(b.p, b.len)) {
		weir_buf_free(&b);
		return fail(p, p->tpos, "bad escape in string%s", "");
	}
	copy = malloc(b.len + 1);
	if (!copy) {
		weir_buf_free(&b);
		return fail(p, p->tpos, "out of memory%s", "");
	}
	if (b.len)
		memcpy(copy, b.p, b.len);
	copy[b.len] = 0;
	n = &p->e->nodes[i];
	n->op = N_LIT;
	set_str(&n->lit, copy, b.len);
	n->has_re = 0;
	weir_buf_free(&b);
	return i;
}

static int
parse_call(parser *p, size_t at, size_t nlen)
{
	const struct fn *f;
	int i, args[2], na = 0, k;

	for (f = fns; f->name; f++)
		if (strlen(f->name) == nlen && memcmp(f->name, p->s + at, nlen) == 0)
			break;
	if (!f->name) {
		char name[48];
		snprintf(name, sizeof(name), "%.*s", (int)(nlen > 40 ? 40 : nlen),
		    p->s + at);
		return fail(p, at, "unknown function '%s'", name);
	}
	next(p);		/* past ( */
	if (p->tok != T_RP) {
		for (;;) {
			int a;
			size_t apos = p->tpos;
			if (na == f->max)
				return fail(p, apos, "too many arguments to %s()",
				    f->name);
			a = parse_or(p);
			if (a < 0)
				return -1;
			if (f->id == F_MATCHES && na == 1 &&
			    (p->e->nodes[a].op != N_LIT ||
			    p->e->nodes[a].lit.type != WEIR_XV_STR))
				return fail(p, apos, "the pattern of matches() must "
				    "be a string literal%s", "");
			args[na++] = a;
			if (p->tok == T_COMMA) {
				next(p);
				continue;
			}
			if (p->tok != T_RP)
				return unexpected(p, "',' or ')'");
			break;
		}
	}
	if (na < f->min || na > f->max) {
		char msg[96];
		snprintf(msg, sizeof(msg), "%s() takes %d argument%s", f->name,
		    f->min, f->min == 1 ? "" : "s");
		return fail(p, at, "%s", msg);
	}
	next(p);		/* past ) */
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
		return fail(p, at, "expression nests too deeply%s", "");
	if (f->id == F_MATCHES) {
		node *n = &p->e->nodes[i];
		const node *pat = &p->e->nodes[args[1]];
		char *re = (char *)pat->lit.s;
		int rc;
		if (strlen(re) != pat->lit.n)
			return fail(p, at, "regex has a NUL byte%s", "");
		rc = regcomp(&n->re, re, REG_EXTENDED | REG_NOSUB);
		if (rc) {
			char msg[160];
			regerror(rc, &n->re, msg, sizeof(msg));
			return fail(p, at, "bad regex: %s", msg);
		}
		n->has_re = 1;
	}
	return i;
}

static int
parse_primary(parser *p)
{
	size_t at = p->tpos;
	int i;

	if (p->failed)
		return -1;
	if (++p->depth > MAX_NEST)
		return fail(p, at, "expression nests too deeply%s", "");
	switch (p->tok) {
	case T_NUM: {
		double d = strtod(p->s + at, NULL);
		size_t k;
		i = new_node(p, N_LIT, at);
		if (i < 0)
			return -1;
		set_num(&p->e->nodes[i].lit, d);
		{
			/* digits[.digits] of up to 18 digits: an exact decimal */
			int64_t m = 0;
			int nd = 0, sc = -1;
			for (k = 0; k < p->tlen; k++) {
				char ch = p->s[at + k];
				if (ch == '.' && sc < 0)
					sc = 0;
				else if (ch >= '0' && ch <= '9') {
					m = m * 10 + (ch - '0');
					if (sc >= 0)
						sc++;
					if (++nd > 18)
						break;
				} else
					break;
			}
			if (k == p->tlen)
				set_exact(&p->e->nodes[i].lit, m, sc < 0 ? 0 : sc);
		}
		if (!isfinite(d))
			return fail(p, at, "number out of range%s", "");
		next(p);
		break;
	}
	case T_STR:
		i = new_node(p, N_LIT, at);
		if (i < 0 || parse_string_lit(p, i) < 0)
			return -1;
		next(p);
		break;
	case T_PATH: {
		char *text = strndup(p->s + at, p->tlen);
		char perr[WEIR_ERRSZ];
		if (!text)
			return fail(p, at, "out of memory%s", "");
		i = new_node(p, N_PATH, at);
		if (i < 0) {
			free(text);
			return -1;
		}
		if (weir_path_parse(&p->e->nodes[i].path, text, perr,
		    sizeof(perr)) < 0) {
			free(text);
			p->e->nodes[i].op = N_LIT;
			return fail(p, at, "%s", perr);
		}
		free(text);
		next(p);
		break;
	}
	case T_LP:
		next(p);
		i = parse_or(p);
		if (i < 0)
			return -1;
		if (p->tok != T_RP)
			return unexpected(p, "')'");
		next(p);
		break;
	case T_IDENT:
		if (is_word(p, "true") || is_word(p, "false")) {
			int b = is_word(p, "true");
			i = new_node(p, N_LIT, at);
			if (i < 0)
				return -1;
			set_bool(&p->e->nodes[i].lit, b);
			next(p);
			break;
		}
		if (is_word(p, "null")) {
			i = new_node(p, N_LIT, at);
			if (i < 0)
				return -1;
			p->e->nodes[i].lit.type = WEIR_XV_NULL;
			next(p);
			break;
		}
		if (is_word(p, "and") || is_word(p, "or") || is_word(p, "in") ||
		    is_word(p, "not"))
			return unexpected(p, "an operand");
		{
			size_t nlen = p->tlen;
			next(p);
			if (p->tok != T_LP) {
				char name[48];
				snprintf(name, sizeof(name), "%.*s",
				    (int)(nlen > 40 ? 40 : nlen), p->s + at);
				return fail(p, at, "unknown word '%s' (paths start "
				    "with '.', strings need double quotes)", name);
			}
			i = parse_call(p, at, nlen);
		}
		break;
	default:
		return unexpected(p, "an operand");
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
		return fail(p, at, "expression nests too deeply%s", "");
	next(p);
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
		next(p);
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
		next(p);
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
		set_missing(&pa->lit);
		n->lit = lb->lit;	/* and so does the literal */
		set_missing(&lb->lit);
	}
}

static int
parse_in_list(parser *p, int a, size_t at)
{
	int items[64], nitems = 0, i, k, arg0;
	weir_expr *e = p->e;
	int *more = NULL, nmore = 0;

	next(p);		/* past [ */
	arg0 = -1;
	if (p->tok != T_RB) {
		for (;;) {
			int it = parse_or(p);
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
					return fail(p, at, "out of memory%s", "");
				}
				more = nm;
				more[nmore++] = it;
			}
			if (p->tok == T_COMMA) {
				next(p);
				continue;
			}
			if (p->tok != T_RB) {
				free(more);
				return unexpected(p, "',' or ']'");
			}
			break;
		}
	}
	next(p);		/* past ] */
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
		return fail(p, at, "expression nests too deeply%s", "");
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
	if (is_word(p, "in")) {
		next(p);
		if (p->tok == T_LB)
			a = parse_in_list(p, a, at);
		else {
			int b = parse_add(p);
			a = b < 0 ? -1 : binary(p, N_INVAL, a, b, at);
		}
	} else if ((op = cmp_op(p->tok)) >= 0) {
		next(p);
		a = binary(p, op, a, parse_add(p), at);
		if (a >= 0)
			specialize(p->e, a);
	} else
		return a;
	if (a >= 0 && (cmp_op(p->tok) >= 0 || is_word(p, "in")))
		return fail(p, p->tpos, "comparisons do not chain (use and)%s",
		    "");
	return a;
}

static int
parse_not(parser *p)
{
	size_t at = p->tpos;
	int a, i;

	if (!is_word(p, "not"))
		return parse_cmp(p);
	if (++p->depth > MAX_NEST)
		return fail(p, at, "expression nests too deeply%s", "");
	next(p);
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

	while (a >= 0 && is_word(p, "and")) {
		size_t at = p->tpos;
		next(p);
		a = binary(p, N_AND, a, parse_not(p), at);
	}
	return a;
}

static int
parse_or(parser *p)
{
	int a;

	if (++p->depth > MAX_NEST)
		return fail(p, p->tpos, "expression nests too deeply%s", "");
	a = parse_and(p);
	while (a >= 0 && is_word(p, "or")) {
		size_t at = p->tpos;
		next(p);
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

/* ---------- public ---------- */

static int
column(const char *s, size_t pos)
{
	size_t i;
	int col = 1;

	for (i = 0; i < pos && s[i]; i++)
		if (((unsigned char)s[i] & 0xc0) != 0x80)
			col++;
	return col;
}

weir_expr *
weir_expr_compile(const char *src, char *err, size_t errsz, int *col)
{
	weir_expr *e = calloc(1, sizeof(*e));
	parser p;

	if (col)
		*col = 0;
	if (!e || !(e->src = strdup(src))) {
		free(e);
		weir_seterr(err, errsz, "out of memory");
		return NULL;
	}
	memset(&p, 0, sizeof(p));
	p.e = e;
	p.s = e->src;
	p.err = err;
	p.errsz = errsz;
	next(&p);
	if (p.tok == T_EOF)
		fail(&p, p.tpos, "empty expression%s", "");
	else {
		e->root = parse_or(&p);
		if (e->root >= 0 && p.tok != T_EOF)
			unexpected(&p, "an operator or the end");
	}
	if (p.failed) {
		char msg[WEIR_ERRSZ];
		int c = column(src, p.errpos);
		snprintf(msg, sizeof(msg), "%s", err && errsz ? err : "");
		weir_seterr(err, errsz, "column %d: %s", c, msg);
		if (col)
			*col = c;
		weir_expr_free(e);
		return NULL;
	}
	return e;
}

void
weir_expr_free(weir_expr *e)
{
	int i;

	if (!e)
		return;
	for (i = 0; i < e->nnodes; i++) {
		node *n = &e->nodes[i];
		if (n->op == N_PATH || n->op == N_PCMP_NUM || n->op == N_PCMP_STR)
			weir_path_free(&n->path);
		if ((n->op == N_LIT || n->op == N_PCMP_STR) &&
		    n->lit.type == WEIR_XV_STR)
			free((void *)n->lit.s);
		if (n->op == N_CALL && n->has_re)
			regfree(&n->re);
	}
	for (i = 0; i < e->nblocks; i++)
		free(e->blocks[i].p);
	free(e->blocks);
	free(e->nodes);
	free(e->args);
	weir_buf_free(&e->tmp);
	free(e->src);
	free(e);
}

const char *
weir_expr_text(const weir_expr *e)
{
	return e->src;
}

int
weir_expr_caret(weir_buf *out, const char *src, int col)
{
	const unsigned char *s = (const unsigned char *)src;
	int c = 1;
	size_t i;

	for (i = 0; s[i]; i++)
		if (weir_buf_putc(out, s[i] == '\n' ? ' ' : s[i]) < 0)
			return -1;
	if (weir_buf_putc(out, '\n') < 0)
		return -1;
	for (i = 0; s[i] && c < col; i++) {
		if ((s[i] & 0xc0) == 0x80)
			continue;
		if (weir_buf_putc(out, s[i] == '\t' ? '\t' : ' ') < 0)
			return -1;
		c++;
	}
	for (; c < col; c++)
		if (weir_buf_putc(out, ' ') < 0)
			return -1;
	return weir_buf_puts(out, "^\n");
}

weir_expr *
weir_expr_compile_diag(const char *src, weir_buf *diag)
{
	char err[WEIR_ERRSZ];
	weir_expr *e;
	int col;

	e = weir_expr_compile(src, err, sizeof(err), &col);
	if (e)
		return e;
	weir_buf_puts(diag, err);
	weir_buf_putc(diag, '\n');
	if (col > 0)
		weir_expr_caret(diag, src, col);
	return NULL;
}

void
weir_expr_root(const weir_record *r, weir_buf *scratch, weir_pv *root)
{
	if (weir_record_json(r, scratch, root))
		return;
	root->type = WEIR_PV_MISSING;
	if (r->enc != WEIR_ENC_BYTES && r->enc != WEIR_ENC_JSON)
		return;
	scratch->len = 0;
	if (weir_pack_str(scratch, (const char *)(r->value ? r->value :
	    (const uint8_t *)""), r->value_len) == 0)
		weir_pv_of(scratch->p, scratch->len, root);
}
