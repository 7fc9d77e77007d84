/* pv.c - views of packed values: decode, look up, iterate, write. */
#include "pack.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>

const uint8_t *
weir_pv_read(const uint8_t *p, const uint8_t *end, weir_pv *v)
{
	uint64_t u;
	uint8_t t;

	if (p >= end)
		return NULL;
	v->tag = p;
	t = *p++;
	v->escaped = 0;
	if ((t & 0xe0) == WEIR_PK_SSTR) {
		v->type = WEIR_PV_STRING;
		v->n = t & 0x1f;
		v->s = p;
		if ((size_t)(end - p) < v->n)
			return NULL;
		return v->end = p + v->n;
	}
	switch (t) {
	case WEIR_PK_NULL:
		v->type = WEIR_PV_NULL;
		return v->end = p;
	case WEIR_PK_FALSE:
		v->type = WEIR_PV_FALSE;
		return v->end = p;
	case WEIR_PK_TRUE:
		v->type = WEIR_PV_TRUE;
		return v->end = p;
	case WEIR_PK_INT:
		if (weir_varint_dec(&p, end, &u) < 0)
			return NULL;
		v->type = WEIR_PV_INT;
		v->i = weir_zz_dec(u);
		return v->end = p;
	case WEIR_PK_DEC:
		if (weir_varint_dec(&p, end, &u) < 0 || p >= end)
			return NULL;
		v->type = WEIR_PV_DEC;
		v->i = weir_zz_dec(u);
		v->scale = *p++;
		if (v->scale < 1 || v->scale > 15 || v->i == 0 ||
		    v->i > (INT64_C(1) << 53) || v->i < -(INT64_C(1) << 53))
			return NULL;
		return v->end = p;
	case WEIR_PK_NUM:
	case WEIR_PK_STR:
	case WEIR_PK_ESTR:
	case WEIR_PK_ARR:
	case WEIR_PK_OBJ:
		if (weir_pk_body(&p, end, &v->n) < 0)
			return NULL;
		v->s = p;
		v->type = t == WEIR_PK_NUM ? WEIR_PV_NUMTEXT :
		    t == WEIR_PK_ARR ? WEIR_PV_ARRAY :
		    t == WEIR_PK_OBJ ? WEIR_PV_OBJECT : WEIR_PV_STRING;
		v->escaped = t == WEIR_PK_ESTR;
		return v->end = p + v->n;
	default:
		return NULL;
	}
}

void
weir_pv_of(const uint8_t *p, size_t n, weir_pv *v)
{
	if (!p || !n || weir_pv_read(p, p + n, v) != p + n)
		v->type = WEIR_PV_MISSING;
}

void
weir_pv_iter_init(weir_pv_iter *it, const weir_pv *c)
{
	if (c->type == WEIR_PV_OBJECT || c->type == WEIR_PV_ARRAY) {
		it->p = c->s;
		it->end = c->s + c->n;
		it->obj = c->type == WEIR_PV_OBJECT;
	} else {
		it->p = it->end = NULL;
		it->obj = 0;
	}
}

int
weir_pv_iter_next(weir_pv_iter *it, weir_pv *key, weir_pv *val)
{
	weir_pv k;
	const uint8_t *p = it->p;

	if (!p || p >= it->end)
		return 0;
	if (it->obj) {
		p = weir_pv_read(p, it->end, key ? key : &k);
		if (!p)
			return 0;
	}
	p = weir_pv_read(p, it->end, val);
	if (!p)
		return 0;
	it->p = p;
	return 1;
}

int
weir_pv_str_eq(const weir_pv *v, const char *s, size_t n)
{
	weir_buf tmp = {0};
	int eq;

	if (v->type != WEIR_PV_STRING)
		return 0;
	if (!v->escaped)
		return v->n == n && memcmp(v->s, s, n) == 0;
	if (weir_json_unescape(&tmp, v->s, v->n) < 0)
		return 0;
	eq = tmp.len == n && memcmp(tmp.p, s, n) == 0;
	weir_buf_free(&tmp);
	return eq;
}

int
weir_pv_member(const weir_pv *obj, const char *key, size_t klen, weir_pv *out)
{
	const uint8_t *p, *end;
	weir_pv k;

	if (obj->type != WEIR_PV_OBJECT)
		return 0;
	p = obj->s;
	end = p + obj->n;
	while (p < end) {
		/* fast path: short plain key */
		if ((*p & 0xe0) == WEIR_PK_SSTR) {
			size_t kl = *p & 0x1f;
			if (kl == klen && (size_t)(end - p - 1) >= kl &&
			    (!kl || p[1] == (uint8_t)key[0]) &&
			    memcmp(p + 1, key, kl) == 0) {
				p += 1 + kl;
				return weir_pv_read(p, end, out) != NULL;
			}
			p += 1 + kl;
			if (p > end)
				return 0;
		} else {
			p = weir_pv_read(p, end, &k);
			if (!p)
				return 0;
			if (weir_pv_str_eq(&k, key, klen))
				return weir_pv_read(p, end, out) != NULL;
		}
		if (p >= end || !(p = weir_pv_skip(p, end)))
			return 0;
	}
	return 0;
}

int
weir_pv_index(const weir_pv *arr, int64_t i, weir_pv *out)
{
	weir_pv_iter it;
	int64_t n = 0;

	if (arr->type != WEIR_PV_ARRAY)
		return 0;
	if (i < 0) {
		weir_pv_iter_init(&it, arr);
		while (weir_pv_iter_next(&it, NULL, out))
			n++;
		i += n;
		if (i < 0)
			return 0;
	}
	weir_pv_iter_init(&it, arr);
	while (weir_pv_iter_next(&it, NULL, out))
		if (i-- == 0)
			return 1;
	return 0;
}

static const double pow10tab[] = {
	1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11, 1e12,
	1e13, 1e14, 1e15
};

double
weir_pv_num(const weir_pv *v)
{
	char tmp[64];

	switch (v->type) {
	case WEIR_PV_INT:
		return (double)v->i;
	case WEIR_PV_DEC:
		/* both operands exact, so this is correctly rounded */
		return (double)v->i / pow10tab[v->scale];
	case WEIR_PV_NUMTEXT:
		if (v->n < sizeof(tmp)) {
			memcpy(tmp, v->s, v->n);
			tmp[v->n] = 0;
			return strtod(tmp, NULL);
		} else {
			char *t = malloc(v->n + 1);
			double d;
			if (!t)
				return NAN;
			memcpy(t, v->s, v->n);
			t[v->n] = 0;
			d = strtod(t, NULL);
			free(t);
			return d;
		}
	default:
		return NAN;
	}
}

int
weir_pv_str(const weir_pv *v, weir_buf *scratch, const uint8_t **s, size_t *n)
{
	size_t start;

	if (v->type != WEIR_PV_STRING)
		return -1;
	if (!v->escaped) {
		*s = v->s;
		*n = v->n;
		return 0;
	}
	start = scratch->len;
	if (weir_json_unescape(scratch, v->s, v->n) < 0)
		return -1;
	*s = scratch->p + start;
	*n = scratch->len - start;
	return 0;
}

/*
 * The JSON writer.  jw_value writes without bounds checks into room the
 * caller made: JSON text is at most 7 bytes per packed byte ("false," for
 * one tag byte; a DEC of 3 bytes is at most 18 characters and a comma),
 * and a short string is copied 32 bytes at once, so 8 per packed byte and
 * 32 more always suffice.  Values over JW_SMALL bytes get that room per
 * member instead (jwrite), and long strings only their own length.
 */
#define JW_SMALL 65536
#define JW_ROOM(n) (8 * (n) + 32)

typedef struct jw {
	uint8_t *w;		/* where the text goes next; NULL: malformed */
	const uint8_t *p;	/* the packed value's end */
} jw;

static jw jw_value(uint8_t *w, const uint8_t *p, const uint8_t *end,
    int depth);

/* A string body of n bytes at p (not past end), quoted. */
static inline uint8_t *
jw_str(uint8_t *w, const uint8_t *p, const uint8_t *end, size_t n)
{
	*w++ = '"';
	if (n <= 32 && end - p >= 32)
		memcpy(w, p, 32);	/* one fixed-size copy */
	else
		memcpy(w, p, n);
	w += n;
	*w++ = '"';
	return w;
}

/* One member value or key: short strings and integers here, else
 * jw_value. */
static inline jw
jw_member(uint8_t *w, const uint8_t *p, const uint8_t *end, int depth)
{
	jw r;
	uint64_t u;
	size_t n;

	if ((*p & 0xe0) == WEIR_PK_SSTR) {
		n = *p++ & 0x1f;
		if ((size_t)(end - p) < n) {
			r.w = NULL;
			return r;
		}
		r.w = jw_str(w, p, end, n);
		r.p = p + n;
		return r;
	}
	if (*p == WEIR_PK_INT) {
		r.p = p + 1;
		if (weir_varint_dec(&r.p, end, &u) < 0)
			r.w = NULL;
		else
			r.w = w + weir_json_i64_text(w, weir_zz_dec(u));
		return r;
	}
	return jw_value(w, p, end, depth);
}

static jw
jw_value(uint8_t *w, const uint8_t *p, const uint8_t *end, int depth)
{
	jw r = { NULL, NULL };
	const uint8_t *e;
	uint64_t u;
	size_t n;
	uint8_t t;
	int obj;

	if (p >= end || depth > WEIR_PACK_MAX_DEPTH)
		return r;
	t = *p++;
	if ((t & 0xe0) == WEIR_PK_SSTR) {
		n = t & 0x1f;
		if ((size_t)(end - p) < n)
			return r;
		r.w = jw_str(w, p, end, n);
		r.p = p + n;
		return r;
	}
	switch (t) {
	case WEIR_PK_NULL:
		memcpy(w, "null", 4);
		r.w = w + 4;
		r.p = p;
		return r;
	case WEIR_PK_FALSE:
		memcpy(w, "false", 5);
		r.w = w + 5;
		r.p = p;
		return r;
	case WEIR_PK_TRUE:
		memcpy(w, "true", 4);
		r.w = w + 4;
		r.p = p;
		return r;
	case WEIR_PK_INT:
		if (weir_varint_dec(&p, end, &u) < 0)
			return r;
		r.w = w + weir_json_i64_text(w, weir_zz_dec(u));
		r.p = p;
		return r;
	case WEIR_PK_DEC:
		if (weir_varint_dec(&p, end, &u) < 0 || p >= end || *p < 1 ||
		    *p > 15)
			return r;
		r.w = w + weir_json_dec_text(w, weir_zz_dec(u), *p);
		r.p = p + 1;
		return r;
	case WEIR_PK_NUM:
	case WEIR_PK_STR:
	case WEIR_PK_ESTR:
	case WEIR_PK_ARR:
	case WEIR_PK_OBJ:
		if (weir_pk_body(&p, end, &n) < 0)
			return r;
		break;
	default:
		return r;
	}
	if (t == WEIR_PK_NUM) {
		memcpy(w, p, n);
		r.w = w + n;
		r.p = p + n;
		return r;
	}
	if (t == WEIR_PK_STR || t == WEIR_PK_ESTR) {
		r.w = jw_str(w, p, end, n);
		r.p = p + n;
		return r;
	}
	/* containers: members at depth + 1 */
	e = p + n;
	obj = t == WEIR_PK_OBJ;
	*w++ = obj ? '{' : '[';
	if (p < e && depth + 1 > WEIR_PACK_MAX_DEPTH)
		return r;
	while (p < e) {
		if (obj) {
			r = jw_member(w, p, e, depth + 1);
			if (!r.w || r.p >= e)
				return r.w = NULL, r;
			w = r.w;
			p = r.p;
			*w++ = ':';
		}
		r = jw_member(w, p, e, depth + 1);
		if (!r.w)
			return r;
		w = r.w;
		p = r.p;
		if (p < e)
			*w++ = ',';
	}
	*w++ = obj ? '}' : ']';
	r.w = w;
	r.p = e;
	return r;
}

/* Write the value at p (not past end) as JSON: its end, or NULL if
 * malformed.  A small value in one go; a large container member by
 * member, with room made for each. */
static const uint8_t *
jwrite(weir_buf *out, const uint8_t *p, const uint8_t *end, int depth)
{
	const uint8_t *q = p, *e, *m;
	size_t n;
	jw r;
	int obj, first;

	if (p >= end || depth > WEIR_PACK_MAX_DEPTH ||
	    !(e = weir_pv_skip(p, end)))
		return NULL;
	n = (size_t)(e - p);
	if ((*p != WEIR_PK_ARR && *p != WEIR_PK_OBJ) || n <= JW_SMALL) {
		if (weir_buf_reserve(out, n <= JW_SMALL ? JW_ROOM(n) : n + 32) < 0)
			return NULL;
		r = jw_value(out->p + out->len, p, e, depth);
		if (!r.w)
			return NULL;
		out->len = (size_t)(r.w - out->p);
		return r.p;
	}
	obj = *q++ == WEIR_PK_OBJ;
	if (weir_pk_body(&q, e, &n) < 0 || weir_buf_putc(out, obj ? '{' : '[') < 0)
		return NULL;
	for (first = 1; q < e; first = 0) {
		if (!first && weir_buf_putc(out, ',') < 0)
			return NULL;
		if (obj && (!(m = jwrite(out, q, e, depth + 1)) ||
		    weir_buf_putc(out, ':') < 0))
			return NULL;
		if (!(q = jwrite(out, obj ? m : q, e, depth + 1)))
			return NULL;
	}
	return weir_buf_putc(out, obj ? '}' : ']') < 0 ? NULL : e;
}

int
weir_pv_to_json(weir_buf *out, const weir_pv *v)
{
	if (v->type == WEIR_PV_MISSING)
		return -1;
	return jwrite(out, v->tag, v->end, 0) == v->end ? 0 : -1;
}

const uint8_t *
weir_pv_json_at(weir_buf *out, const uint8_t *p, const uint8_t *end,
    const uint8_t *lim, int depth, int check, const char **why)
{
	const uint8_t *e;
	uint64_t u;
	size_t n;

	*why = "malformed value";
	if (p >= end)
		return NULL;
	if (check && *p != WEIR_PK_INT &&
	    !(e = weir_pack_check(p, end, lim, depth, why)))
		return NULL;
	if ((*p & 0xe0) == WEIR_PK_SSTR) {	/* most keys and values */
		n = *p & 0x1f;
		if ((size_t)(end - p - 1) < n)
			return NULL;
		if (weir_buf_reserve(out, 34) < 0)
			goto nomem;
		out->len = (size_t)(jw_str(out->p + out->len, p + 1, end, n) -
		    out->p);
		return p + 1 + n;
	}
	if (*p == WEIR_PK_INT) {	/* checked as it is read */
		e = p + 1;
		if (weir_varint_dec(&e, end, &u) < 0)
			return NULL;
		if (weir_buf_reserve(out, 20) < 0)
			goto nomem;
		out->len += weir_json_i64_text(out->p + out->len, weir_zz_dec(u));
		return e;
	}
	if (*p == WEIR_PK_DEC) {	/* as weir_pv_skip checks it */
		int64_t m;
		e = p + 1;
		if (weir_varint_dec(&e, end, &u) < 0 || e >= end || *e < 1 ||
		    *e > 15 || (m = weir_zz_dec(u)) == 0 ||
		    m > (INT64_C(1) << 53) || m < -(INT64_C(1) << 53))
			return NULL;
		if (weir_buf_reserve(out, 40) < 0)
			goto nomem;
		out->len += weir_json_dec_text(out->p + out->len, m, *e);
		return e + 1;
	}
	if (!weir_pv_skip(p, end))
		return NULL;
	if ((e = jwrite(out, p, end, depth)))
		return e;
nomem:
	*why = NULL;
	return NULL;
}

int
weir_pv_to_text(weir_buf *out, const weir_pv *v)
{
	if (v->type == WEIR_PV_STRING) {
		if (!v->escaped)
			return weir_buf_put(out, v->s, v->n);
		return weir_json_unescape(out, v->s, v->n);
	}
	return weir_pv_to_json(out, v);
}

/* ---------- numbers, exactly ---------- */

/*
 * A number as sign, significant digits and exponent: the value is
 * 0.D1D2...Dn x 10^e with D1 and Dn not 0 (n == 0: the value is zero).
 * The digits are two runs of text (the integer and the fraction part);
 * INT and DEC values are written into buf first.
 */
typedef struct dnum {
	int neg;
	const char *a, *b;
	size_t na, nb;
	int64_t e;
	char buf[24];
} dnum;

#define DN_EMAX ((int64_t)1 << 40)	/* exponents saturate here */

static inline size_t
dn_n(const dnum *d)
{
	return d->na + d->nb;
}

static inline char
dn_dig(const dnum *d, size_t k)
{
	return k < d->na ? d->a[k] : d->b[k - d->na];
}

/* Digits ip[ni] . fp[nf] x 10^x: strip leading and trailing zeros. */
static void
dn_set(dnum *d, int neg, const char *ip, size_t ni, const char *fp,
    size_t nf, int64_t x)
{
	d->neg = neg;
	d->e = (int64_t)ni + x;
	while (ni && *ip == '0') {
		ip++;
		ni--;
		d->e--;
	}
	if (!ni)
		while (nf && *fp == '0') {
			fp++;
			nf--;
			d->e--;
		}
	while (nf && fp[nf - 1] == '0')
		nf--;
	if (!nf)
		while (ni && ip[ni - 1] == '0')
			ni--;
	d->a = ip;
	d->na = ni;
	d->b = fp;
	d->nb = nf;
	if (!ni && !nf) {
		d->neg = 0;
		d->e = 0;
	}
}

static void
dn_int(dnum *d, int64_t m, int scale)
{
	uint64_t u = m < 0 ? 0 - (uint64_t)m : (uint64_t)m;
	char *p = d->buf + sizeof(d->buf);

	do {
		*--p = (char)('0' + u % 10);
		u /= 10;
	} while (u);
	dn_set(d, m < 0, p, (size_t)(d->buf + sizeof(d->buf) - p), NULL, 0,
	    -(int64_t)scale);
}

/* JSON number text (already checked) as a dnum. */
static void
dn_text(dnum *d, const char *s, size_t n)
{
	size_t i = 0, ni, nf = 0;
	const char *ip, *fp = NULL;
	int64_t x = 0;
	int neg = 0, xneg = 0;

	if (i < n && s[i] == '-') {
		neg = 1;
		i++;
	}
	ip = s + i;
	while (i < n && s[i] >= '0' && s[i] <= '9')
		i++;
	ni = (size_t)(s + i - ip);
	if (i < n && s[i] == '.') {
		fp = s + ++i;
		while (i < n && s[i] >= '0' && s[i] <= '9')
			i++;
		nf = (size_t)(s + i - fp);
	}
	if (i < n && (s[i] == 'e' || s[i] == 'E')) {
		i++;
		if (i < n && (s[i] == '+' || s[i] == '-'))
			xneg = s[i++] == '-';
		for (; i < n && s[i] >= '0' && s[i] <= '9'; i++)
			if (x < DN_EMAX)
				x = x * 10 + (s[i] - '0');
	}
	dn_set(d, neg, ip, ni, fp, nf, xneg ? -x : x);
}

static int
dn_of(const weir_pv *v, dnum *d)
{
	switch (v->type) {
	case WEIR_PV_INT:
		dn_int(d, v->i, 0);
		return 0;
	case WEIR_PV_DEC:
		dn_int(d, v->i, v->scale);
		return 0;
	case WEIR_PV_NUMTEXT:
		dn_text(d, (const char *)v->s, v->n);
		return 0;
	default:
		return -1;
	}
}

static int
dn_cmp(const dnum *x, const dnum *y)
{
	size_t nx = dn_n(x), ny = dn_n(y), k;
	int s;

	if (!nx || !ny) {
		if (nx)
			return x->neg ? -1 : 1;
		if (ny)
			return y->neg ? 1 : -1;
		return 0;
	}
	if (x->neg != y->neg)
		return x->neg ? -1 : 1;
	s = x->neg ? -1 : 1;
	if (x->e != y->e)
		return x->e < y->e ? -s : s;
	for (k = 0; k < nx && k < ny; k++)
		if (dn_dig(x, k) != dn_dig(y, k))
			return dn_dig(x, k) < dn_dig(y, k) ? -s : s;
	return nx == ny ? 0 : nx < ny ? -s : s;
}

/* The value as m / 10^scale, scale 0..maxscale: 1, or 0 if it does not fit. */
static int
dn_exact(const dnum *d, int maxscale, int64_t *m, int *scale)
{
	size_t n = dn_n(d), k;
	int64_t sc = (int64_t)n - d->e;
	uint64_t u = 0;

	if (n > 19 || sc > maxscale || sc < -19)
		return 0;
	for (k = 0; k < n; k++)
		u = u * 10 + (uint64_t)(dn_dig(d, k) - '0');
	for (; sc < 0; sc++) {
		if (u > UINT64_MAX / 10)
			return 0;
		u *= 10;
	}
	if (u > (uint64_t)INT64_MAX + (uint64_t)d->neg)
		return 0;
	*m = d->neg ? (int64_t)(0 - u) : (int64_t)u;
	*scale = (int)sc;
	return 1;
}

int
weir_pv_exact(const weir_pv *v, int64_t *m, int *scale)
{
	dnum d;

	if (v->type == WEIR_PV_INT) {
		*m = v->i;
		*scale = 0;
		return 1;
	}
	if (v->type == WEIR_PV_DEC) {
		*m = v->i;
		*scale = v->scale;
		return 1;
	}
	if (v->type != WEIR_PV_NUMTEXT)
		return 0;
	dn_text(&d, (const char *)v->s, v->n);
	return dn_exact(&d, WEIR_EXACT_DIGITS, m, scale);
}

int
weir_pv_numcmp(const weir_pv *a, const weir_pv *b)
{
	dnum x, y;

	if (a->type == WEIR_PV_INT && b->type == WEIR_PV_INT)
		return (a->i > b->i) - (a->i < b->i);
	if (dn_of(a, &x) < 0 || dn_of(b, &y) < 0)
		return 0;
	return dn_cmp(&x, &y);
}

int
weir_num_text(const uint8_t *s, size_t n, weir_buf *scratch, weir_pv *num)
{
	size_t start;
	int rc;

	while (n && (*s == ' ' || *s == '\t')) {
		s++;
		n--;
	}
	while (n && (s[n - 1] == ' ' || s[n - 1] == '\t'))
		n--;
	if (!n || !(*s == '-' || (*s >= '0' && *s <= '9')))
		return 0;
	start = scratch->len;
	if ((rc = weir_pack_numtext(scratch, (const char *)s, n)) < 0) {
		scratch->len = start;
		return rc == WEIR_FAIL_NOMEM ? rc : 0;
	}
	weir_pv_of(scratch->p + start, scratch->len - start, num);
	return num->type != WEIR_PV_MISSING;
}

int
weir_pv_as_num(const weir_pv *v, weir_buf *scratch, weir_pv *num)
{
	size_t start = scratch->len, len;
	int rc;

	if (weir_pv_is_num(v)) {
		*num = *v;
		return 1;
	}
	if (v->type != WEIR_PV_STRING)
		return 0;
	if (!v->escaped)
		return weir_num_text(v->s, v->n, scratch, num);
	/* "\u0035" is "5": unescape, then put the number after the text */
	if (weir_json_unescape(scratch, v->s, v->n) < 0 ||
	    weir_buf_reserve(scratch, scratch->len - start + 16) < 0) {
		scratch->len = start;
		return WEIR_FAIL_NOMEM;
	}
	len = scratch->len - start;
	if ((rc = weir_num_text(scratch->p + start, len, scratch, num)) <= 0)
		scratch->len = start;
	return rc;
}

/* ---------- canonical form ---------- */

static int
put_hdr(weir_buf *out, int tag, size_t n)
{
	if (weir_buf_reserve(out, n + 11) < 0)
		return -1;
	if (tag == WEIR_PK_STR && n < 32)
		out->p[out->len++] = (uint8_t)(WEIR_PK_SSTR | n);
	else {
		out->p[out->len++] = (uint8_t)tag;
		out->len = (size_t)(weir_varint_enc(out->p + out->len, n) -
		    out->p);
	}
	return 0;
}

/* An escaped string body, unescaped and then escaped the one way
 * weir_pack_str does, so equal strings give equal bytes. */
static int
canon_estr(weir_buf *out, const uint8_t *s, size_t n)
{
	size_t at = out->len, body = at + 11, ulen, i, elen;
	int plain = 1;

	if (weir_buf_reserve(out, 11 + n) < 0)
		return -1;
	out->len = body;
	if (weir_json_unescape(out, s, n) < 0)
		goto bad;
	ulen = out->len - body;
	for (i = body; i < out->len; i++)
		if (out->p[i] < 0x20 || out->p[i] == '"' || out->p[i] == '\\') {
			plain = 0;
			break;
		}
	if (plain) {
		out->len = at;
		if (put_hdr(out, WEIR_PK_STR, ulen) < 0)
			goto bad;
		memmove(out->p + out->len, out->p + body, ulen);
		out->len += ulen;
		return 0;
	}
	/* escape after the unescaped text, then move it down */
	if (weir_buf_reserve(out, ulen * 6) < 0)
		goto bad;
	if (weir_json_escape(out, out->p + body, ulen) < 0)
		goto bad;
	elen = out->len - body - ulen;
	out->len = at;
	if (put_hdr(out, WEIR_PK_ESTR, elen) < 0)
		goto bad;
	memmove(out->p + out->len, out->p + body + ulen, elen);
	out->len += elen;
	return 0;
bad:
	out->len = at;
	return -1;
}

/* A number: an integer that fits in 64 bits as INT, a decimal of at most
 * 15 significant digits (and 15 after the point) as DEC, anything else as
 * text in one spelling: plain digits while the point is near, otherwise
 * D.DDDe+X. */
static int
canon_num(weir_buf *out, const weir_pv *v)
{
	dnum d;
	int64_t m;
	int sc;
	size_t n, k, need, at;
	int64_t e, z;
	uint8_t *p;

	if (v->type == WEIR_PV_INT)
		return weir_pack_int(out, v->i);
	dn_of(v, &d);
	n = dn_n(&d);
	if (dn_exact(&d, 15, &m, &sc)) {
		if (sc == 0)
			return weir_pack_int(out, m);
		if (n <= 15) {
			if (weir_buf_putc(out, WEIR_PK_DEC) < 0 ||
			    weir_buf_put_varint(out, weir_zz_enc(m)) < 0)
				return -1;
			return weir_buf_putc(out, (uint8_t)sc);
		}
	}
	e = d.e;
	need = n + 48 + (e > 0 && e <= 40 ? (size_t)e : 0) +
	    (e <= 0 && e > -7 ? (size_t)-e : 0);
	at = out->len;
	if (weir_buf_reserve(out, need + 11) < 0)
		return -1;
	p = out->p + at + 11;
	k = 0;
	if (d.neg)
		p[k++] = '-';
	if (e > 0 && e <= 40) {		/* ddd[.ddd] */
		for (z = 0; z < e; z++)
			p[k++] = (uint8_t)((size_t)z < n ? dn_dig(&d, (size_t)z) :
			    '0');
		if ((size_t)e < n) {
			p[k++] = '.';
			for (z = e; (size_t)z < n; z++)
				p[k++] = (uint8_t)dn_dig(&d, (size_t)z);
		}
	} else if (e <= 0 && e > -7) {	/* 0.000ddd */
		p[k++] = '0';
		p[k++] = '.';
		for (z = e; z < 0; z++)
			p[k++] = '0';
		for (z = 0; (size_t)z < n; z++)
			p[k++] = (uint8_t)dn_dig(&d, (size_t)z);
	} else {			/* d.ddde+X */
		p[k++] = (uint8_t)dn_dig(&d, 0);
		if (n > 1) {
			p[k++] = '.';
			for (z = 1; (size_t)z < n; z++)
				p[k++] = (uint8_t)dn_dig(&d, (size_t)z);
		}
		k += (size_t)snprintf((char *)p + k, 24, "e%+lld",
		    (long long)(e - 1));
	}
	out->p[out->len++] = WEIR_PK_NUM;
	out->len = (size_t)(weir_varint_enc(out->p + out->len, k) - out->p);
	memmove(out->p + out->len, p, k);
	out->len += k;
	return 0;
}

static int
canon(weir_buf *out, const weir_pv *v, int depth)
{
	weir_pv_iter it;
	weir_pv k, x;
	size_t mark;

	switch (v->type) {
	case WEIR_PV_STRING:
		if (v->escaped)
			return canon_estr(out, v->s, v->n);
		if (put_hdr(out, WEIR_PK_STR, v->n) < 0)
			return -1;
		memcpy(out->p + out->len, v->s, v->n);
		out->len += v->n;
		return 0;
	case WEIR_PV_INT:
	case WEIR_PV_DEC:
	case WEIR_PV_NUMTEXT:
		return canon_num(out, v);
	case WEIR_PV_ARRAY:
	case WEIR_PV_OBJECT:
		if (depth >= WEIR_PACK_MAX_DEPTH)
			return -1;
		mark = weir_pack_open(out, v->type == WEIR_PV_OBJECT ?
		    WEIR_PK_OBJ : WEIR_PK_ARR);
		weir_pv_iter_init(&it, v);
		while (weir_pv_iter_next(&it, &k, &x))
			if ((v->type == WEIR_PV_OBJECT &&
			    canon(out, &k, depth + 1) < 0) ||
			    canon(out, &x, depth + 1) < 0)
				return -1;
		return weir_pack_close(out, mark);
	case WEIR_PV_NULL:
		return weir_pack_null(out);
	case WEIR_PV_FALSE:
	case WEIR_PV_TRUE:
		return weir_pack_bool(out, v->type == WEIR_PV_TRUE);
	default:
		return -1;
	}
}

int
weir_pv_canon(weir_buf *out, const weir_pv *v)
{
	size_t at = out->len;

	if (canon(out, v, 0) < 0) {
		out->len = at;
		return -1;
	}
	return 0;
}

int
weir_pv_key_text(weir_buf *out, const weir_pv *v)
{
	weir_buf t = {0};
	weir_pv c;
	int64_t m;
	int sc, rc;

	switch (v->type) {
	case WEIR_PV_STRING:
		return weir_pv_to_text(out, v);
	case WEIR_PV_INT:
		return weir_json_put_i64(out, v->i);
	case WEIR_PV_DEC:
		for (m = v->i, sc = v->scale; sc && m % 10 == 0; sc--)
			m /= 10;
		return sc ? weir_json_put_dec(out, m, sc) :
		    weir_json_put_i64(out, m);
	default:
		/* long numbers and containers: rare, so a buffer of its own */
		rc = weir_pv_canon(&t, v);
		if (rc == 0) {
			weir_pv_of(t.p, t.len, &c);
			rc = weir_pv_to_json(out, &c);
		}
		weir_buf_free(&t);
		return rc;
	}
}
