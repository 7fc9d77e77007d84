/* pv.c - views of packed values: decode, look up, iterate, write. */
#include "pack.h"

#include <math.h>
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
		if (weir_varint_dec(&p, end, &u) < 0 || u > (uint64_t)(end - p))
			return NULL;
		v->s = p;
		v->n = (size_t)u;
		v->type = t == WEIR_PK_NUM ? WEIR_PV_NUMTEXT :
		    t == WEIR_PK_ARR ? WEIR_PV_ARRAY :
		    t == WEIR_PK_OBJ ? WEIR_PV_OBJECT : WEIR_PV_STRING;
		v->escaped = t == WEIR_PK_ESTR;
		return v->end = p + u;
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
		p = weir_pv_read(p, end, out);
		if (!p)
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

/* Write the value at p as JSON; returns its end, or NULL if malformed. */
static const uint8_t *
jwrite(weir_buf *out, const uint8_t *p, const uint8_t *end, int depth)
{
	const uint8_t *e;
	uint64_t u;
	uint8_t t;
	size_t n;
	int first;

	if (p >= end || depth > WEIR_PACK_MAX_DEPTH)
		return NULL;
	t = *p++;
	if ((t & 0xe0) == WEIR_PK_SSTR) {
		n = t & 0x1f;
		goto str;
	}
	switch (t) {
	case WEIR_PK_NULL:
		return weir_buf_put(out, "null", 4) < 0 ? NULL : p;
	case WEIR_PK_FALSE:
		return weir_buf_put(out, "false", 5) < 0 ? NULL : p;
	case WEIR_PK_TRUE:
		return weir_buf_put(out, "true", 4) < 0 ? NULL : p;
	case WEIR_PK_INT:
		if (weir_varint_dec(&p, end, &u) < 0 ||
		    weir_json_put_i64(out, weir_zz_dec(u)) < 0)
			return NULL;
		return p;
	case WEIR_PK_DEC:
		if (weir_varint_dec(&p, end, &u) < 0 || p >= end || *p < 1 ||
		    *p > 15 || weir_json_put_dec(out, weir_zz_dec(u), *p) < 0)
			return NULL;
		return p + 1;
	case WEIR_PK_NUM:
	case WEIR_PK_STR:
	case WEIR_PK_ESTR:
	case WEIR_PK_ARR:
	case WEIR_PK_OBJ:
		if (weir_varint_dec(&p, end, &u) < 0 || u > (uint64_t)(end - p))
			return NULL;
		n = (size_t)u;
		break;
	default:
		return NULL;
	}
	if (t == WEIR_PK_NUM)
		return weir_buf_put(out, p, n) < 0 ? NULL : p + n;
	if (t == WEIR_PK_STR || t == WEIR_PK_ESTR)
		goto str;
	/* containers */
	e = p + n;
	if (weir_buf_putc(out, t == WEIR_PK_OBJ ? '{' : '[') < 0)
		return NULL;
	for (first = 1; p < e; first = 0) {
		if (!first && weir_buf_putc(out, ',') < 0)
			return NULL;
		if (t == WEIR_PK_OBJ) {
			if (!(p = jwrite(out, p, e, depth + 1)) ||
			    weir_buf_putc(out, ':') < 0)
				return NULL;
		}
		if (!(p = jwrite(out, p, e, depth + 1)))
			return NULL;
	}
	if (p != e)
		return NULL;
	return weir_buf_putc(out, t == WEIR_PK_OBJ ? '}' : ']') < 0 ? NULL : e;
str:
	if ((size_t)(end - p) < n || weir_buf_reserve(out, n + 2) < 0)
		return NULL;
	out->p[out->len++] = '"';
	memcpy(out->p + out->len, p, n);
	out->len += n;
	out->p[out->len++] = '"';
	return p + n;
}

int
weir_pv_to_json(weir_buf *out, const weir_pv *v)
{
	if (v->type == WEIR_PV_MISSING)
		return -1;
	return jwrite(out, v->tag, v->end, 0) == v->end ? 0 : -1;
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
