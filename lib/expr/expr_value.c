/*
 * expr_value.c - the values of weir expressions: scratch memory, values
 * from the record's packed JSON, exact decimals, equality, comparison,
 * arithmetic, and values as text or packed JSON (expr_int.h).
 */
#include "expr_int.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>

/* ---------- scratch ---------- */

uint8_t *
weir__expr_scratch(weir_expr *e, size_t n)
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

/* Copy e->tmp into scratch as a string value. */
void
weir__expr_set_tmp_str(weir_expr *e, weir_xv *v)
{
	uint8_t *p = weir__expr_scratch(e, e->tmp.len);

	if (!p) {
		expr_set_missing(v);
		return;
	}
	if (e->tmp.len)
		memcpy(p, e->tmp.p, e->tmp.len);
	expr_set_str(v, p, e->tmp.len);
}

/* A record's packed value as an expression value. */
void
weir__expr_from_pv(weir_expr *e, const weir_pv *pv, weir_xv *v)
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
			expr_set_missing(v);
			break;
		}
		weir__expr_set_tmp_str(e, v);
		v->pv = *pv;
		break;
	case WEIR_PV_ARRAY:
		v->type = WEIR_XV_ARRAY;
		break;
	case WEIR_PV_OBJECT:
		v->type = WEIR_XV_OBJECT;
		break;
	default:
		expr_set_missing(v);
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

int
weir__expr_exact(const weir_xv *v, int64_t *m, int *sc)
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
	/* a record's number of 16 to 18 digits, kept as text */
	if (v->pv.type == WEIR_PV_NUMTEXT && v->pv.tag)
		return weir_pv_exact(&v->pv, m, sc);
	return 0;
}

void
weir__expr_set_exact(weir_xv *v, int64_t m, int sc)
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

	if (!weir__expr_exact(x, &a, &sa) || !weir__expr_exact(y, &b, &sb))
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
	weir__expr_set_exact(out, r, sc);
	return 1;
}

/* Compare two numbers: <0, 0, >0; exactly when both are decimals. */
static int
num_order(const weir_xv *x, const weir_xv *y, int *c)
{
	int64_t a, b;
	int sa, sb, sc;

	if (weir__expr_exact(x, &a, &sa) && weir__expr_exact(y, &b, &sb) &&
	    align(&a, sa, &b, sb, &sc)) {
		*c = (a > b) - (a < b);
		return 1;
	}
	if (x->num != x->num || y->num != y->num)
		return 0;	/* NaN: unordered */
	*c = (x->num > y->num) - (x->num < y->num);
	return 1;
}

/* path OP number, with the record's number pv: exactly when both are. */
int
weir__expr_pv_num_cmp(int op, const weir_pv *pv, const weir_xv *lit)
{
	weir_xv x;
	int c;

	x.type = WEIR_XV_NUM;
	x.pv = *pv;
	x.num = weir_pv_num(pv);
	return num_order(&x, lit, &c) && expr_cmp_result(op, c);
}

/* number(): the one number rule of weir_pv_as_num (weir-expr(7)). */
void
weir__expr_number(weir_expr *e, const weir_xv *a, weir_xv *out)
{
	weir_pv pv;
	uint8_t *p;

	if (a->type == WEIR_XV_NUM) {
		*out = *a;
		return;
	}
	expr_set_missing(out);
	e->tmp.len = 0;
	if (a->type != WEIR_XV_STR)
		return;
	switch (weir_num_text(a->s, a->n, &e->tmp, &pv)) {
	case 1:
		break;
	case WEIR_FAIL_NOMEM:
		e->oom = 1;
		return;
	default:
		return;
	}
	/* the packed number into scratch: a value with its own text */
	if (!(p = weir__expr_scratch(e, e->tmp.len)))
		return;
	memcpy(p, e->tmp.p, e->tmp.len);
	weir_pv_of(p, e->tmp.len, &pv);
	weir__expr_from_pv(e, &pv, out);
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

/* Containers whose bytes differ may still be equal ([1.0] and [1]):
 * compare their canonical forms (weir_pv_canon; not a per-record path). */
static int
canon_eq(const weir_pv *a, const weir_pv *b)
{
	weir_buf x = {0}, y = {0};
	int eq;

	eq = weir_pv_canon(&x, a) == 0 && weir_pv_canon(&y, b) == 0 &&
	    x.len == y.len && memcmp(x.p, y.p, x.len) == 0;
	weir_buf_free(&x);
	weir_buf_free(&y);
	return eq;
}

/* Equality of two present values (different types are unequal). */
int
weir__expr_xv_eq(const weir_xv *a, const weir_xv *b)
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
		if (a->pv.end - a->pv.tag == b->pv.end - b->pv.tag &&
		    memcmp(a->pv.tag, b->pv.tag,
		    (size_t)(a->pv.end - a->pv.tag)) == 0)
			return 1;
		return canon_eq(&a->pv, &b->pv);
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

/* The comparison rule: missing on either side is false; == and != work on
 * any two values; ordering only between two numbers or two strings. */
int
weir__expr_compare(int op, const weir_xv *a, const weir_xv *b)
{
	if (a->type == WEIR_XV_MISSING || b->type == WEIR_XV_MISSING)
		return 0;
	if (op == N_EQ)
		return weir__expr_xv_eq(a, b);
	if (op == N_NE)
		return !weir__expr_xv_eq(a, b);
	if (a->type == WEIR_XV_NUM && b->type == WEIR_XV_NUM) {
		int c;
		return num_order(a, b, &c) && expr_cmp_result(op, c);
	}
	if (a->type == WEIR_XV_STR && b->type == WEIR_XV_STR)
		return expr_cmp_result(op, bytes_cmp(a->s, a->n, b->s, b->n));
	return 0;
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

/*
 * m / 10^sc packed as weir_pack_numtext packs its fmt_exact text, without
 * the text: a DEC when that text has at most 15 digits (a leading "0."
 * counted); 0, -1 out of memory, or 1 when it is not a DEC (the caller
 * packs the text).
 */
static int
pack_dec(weir_buf *out, int64_t m, int sc)
{
	uint64_t u = m < 0 ? 0 - (uint64_t)m : (uint64_t)m;

	/* the text's digits: max(digits of u, sc + 1) <= 15 */
	if (sc < 1 || sc > 14 || u == 0 || u >= UINT64_C(1000000000000000))
		return 1;
	if (weir_buf_putc(out, WEIR_PK_DEC) < 0 ||
	    weir_buf_put_varint(out, weir_zz_enc(m)) < 0 ||
	    weir_buf_putc(out, (uint8_t)sc) < 0)
		return -1;
	return 0;
}

int
weir_xv_json_num(weir_buf *out, const weir_xv *v)
{
	int64_t m = v->pv.i;
	uint64_t u = m < 0 ? 0 - (uint64_t)m : (uint64_t)m;

	if (v->type != WEIR_XV_NUM || has_raw(v))
		return 1;
	if (v->pv.type == WEIR_PV_INT) {
		if (weir_buf_reserve(out, 24) < 0)
			return -1;
		out->len += weir_json_i64_text(out->p + out->len, m);
		return 0;
	}
	/* what weir_xv_pack packs as a decimal (pack_dec), written as the
	 * packed decimal is written out */
	if (v->pv.type != WEIR_PV_DEC || v->pv.scale < 1 || v->pv.scale > 14 ||
	    u == 0 || u >= UINT64_C(1000000000000000))
		return 1;
	if (weir_buf_reserve(out, 40) < 0)
		return -1;
	out->len += weir_json_dec_text(out->p + out->len, m, v->pv.scale);
	return 0;
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
			int n = pack_dec(out, v->pv.i, v->pv.scale);
			if (n <= 0)
				return n;
			n = fmt_exact(buf, sizeof(buf), v->pv.i, v->pv.scale);
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

void
weir__expr_arith(weir_expr *e, int op, const weir_xv *a, const weir_xv *b,
    weir_xv *out)
{
	double x, y;

	if (op == N_ADD && a->type == WEIR_XV_STR && b->type == WEIR_XV_STR) {
		uint8_t *p = weir__expr_scratch(e, a->n + b->n);
		if (!p) {
			expr_set_missing(out);
			return;
		}
		if (a->n)
			memcpy(p, a->s, a->n);
		if (b->n)
			memcpy(p + a->n, b->s, b->n);
		expr_set_str(out, p, a->n + b->n);
		return;
	}
	if (a->type != WEIR_XV_NUM || b->type != WEIR_XV_NUM) {
		expr_set_missing(out);
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
			expr_set_missing(out);
			return;
		}
		x /= y;
		break;
	default:
		if (y == 0) {
			expr_set_missing(out);
			return;
		}
		x = fmod(x, y);
		break;
	}
	if (!isfinite(x))
		expr_set_missing(out);
	else
		expr_set_num(out, x);
}
