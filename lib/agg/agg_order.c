/*
 * agg_order.c - the order in which the groups of a closing window are
 * emitted (weir-agg(1), Output): by the group values, path by path, so
 * that results do not depend on the order records came in, nor on a
 * restart from a checkpoint.
 *
 * Values order as null, false, true, numbers (by exact value), strings
 * (by their characters' UTF-8 bytes), arrays, objects (those two by their
 * canonical packed bytes); grouping by record key, keys order bytewise,
 * records without a key first.  Keys are the canonical packed values
 * weir_agg_add made (agg.c record_key), so equal values never meet here:
 * the order is total.
 */
#include "agg_int.h"

#include <stdlib.h>

struct octx {
	weir_agg *a;
	const struct win *w;
};

static int
rank(const weir_pv *v)
{
	switch (v->type) {
	case WEIR_PV_FALSE:
		return 1;
	case WEIR_PV_TRUE:
		return 2;
	case WEIR_PV_INT:
	case WEIR_PV_DEC:
	case WEIR_PV_NUMTEXT:
		return 3;
	case WEIR_PV_STRING:
		return 4;
	case WEIR_PV_ARRAY:
		return 5;
	case WEIR_PV_OBJECT:
		return 6;
	}
	return 0;
}

static int
bytecmp(const uint8_t *p, size_t pn, const uint8_t *q, size_t qn)
{
	int c = memcmp(p, q, pn < qn ? pn : qn);

	return c ? c : (pn > qn) - (pn < qn);
}

/* A string's characters: escaped ones unescaped into b, which was made
 * large enough beforehand (unescaping never lengthens), so this cannot
 * fail on memory. */
static void
chars(const weir_pv *v, weir_buf *b, const uint8_t **s, size_t *n)
{
	*s = v->s;
	*n = v->n;
	if (!v->escaped)
		return;
	b->len = 0;
	if (weir_json_unescape(b, v->s, v->n) == 0) {
		*s = b->p;
		*n = b->len;
	}
}

/* Two canonical values: <0, 0, >0. */
static int
valcmp(weir_agg *a, const weir_pv *x, const weir_pv *y)
{
	const uint8_t *s, *t;
	size_t sn, tn;
	int rx = rank(x), ry = rank(y);

	if (rx != ry)
		return rx - ry;
	switch (rx) {
	case 3:
		return weir_pv_numcmp(x, y);
	case 4:
		chars(x, &a->tmp, &s, &sn);
		chars(y, &a->canon, &t, &tn);
		return bytecmp(s, sn, t, tn);
	case 5:
	case 6:
		return bytecmp(x->tag, (size_t)(x->end - x->tag), y->tag,
		    (size_t)(y->end - y->tag));
	}
	return 0;
}

static int
keycmp(const void *xp, const void *yp, void *arg)
{
	const struct octx *c = arg;
	weir_agg *a = c->a;
	const struct gent *g = (const struct gent *)(c->w->ents +
	    (size_t)*(const uint32_t *)xp * a->stride);
	const struct gent *h = (const struct gent *)(c->w->ents +
	    (size_t)*(const uint32_t *)yp * a->stride);
	const uint8_t *p = c->w->keys.p + g->koff, *pe = p + g->klen;
	const uint8_t *q = c->w->keys.p + h->koff, *qe = q + h->klen;
	weir_pv x, y;
	size_t i;
	int r;

	if (!a->ng)
		return bytecmp(p, g->klen, q, h->klen);
	for (i = 0; i < a->ng; i++) {
		/* the common case, short plain strings: no decoding */
		if ((*p & 0xe0) == WEIR_PK_SSTR && (*q & 0xe0) == WEIR_PK_SSTR) {
			size_t pn = *p & 0x1f, qn = *q & 0x1f;
			if ((r = bytecmp(p + 1, pn, q + 1, qn)) != 0)
				return r;
			p += 1 + pn;
			q += 1 + qn;
			continue;
		}
		/* keys were checked when made or loaded */
		p = weir_pv_read(p, pe, &x);
		q = weir_pv_read(q, qe, &y);
		if (!p || !q)
			return !p - !q;
		if ((r = valcmp(a, &x, &y)) != 0)
			return r;
	}
	return 0;
}

int
weir__agg_order(weir_agg *a, struct win *w, uint32_t **order)
{
	struct octx c = { a, w };
	size_t maxk = 0;
	uint32_t i, *o;

	*order = NULL;
	if (w->n == 0)
		return 0;
	/* the lookup table is not needed any more: it holds the order */
	o = w->slot;
	for (i = 0; i < w->n; i++) {
		const struct gent *g = (const struct gent *)(w->ents +
		    (size_t)i * a->stride);
		o[i] = i;
		if (g->klen > maxk)
			maxk = g->klen;
	}
	a->tmp.len = a->canon.len = 0;
	if (weir_buf_reserve(&a->tmp, maxk) < 0 ||
	    weir_buf_reserve(&a->canon, maxk) < 0)
		return WEIR_FAIL_NOMEM;
	qsort_r(o, w->n, sizeof(*o), keycmp, &c);
	*order = o;
	return 0;
}
