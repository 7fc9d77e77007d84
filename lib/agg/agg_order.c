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
	size_t pn, qn, i;
	const uint8_t *p = weir__agg_gkey(c->w, g, &pn), *pe = p + pn;
	const uint8_t *q = weir__agg_gkey(c->w, h, &qn), *qe = q + qn;
	weir_pv x, y;
	int r;

	if (!a->ng)
		return bytecmp(p, pn, q, qn);
	for (i = 0; i < a->ng; i++) {
		/* the common case, short plain strings: no decoding */
		if ((*p & 0xe0) == WEIR_PK_SSTR && (*q & 0xe0) == WEIR_PK_SSTR) {
			size_t sn = *p & 0x1f, tn = *q & 0x1f;
			if ((r = bytecmp(p + 1, sn, q + 1, tn)) != 0)
				return r;
			p += 1 + sn;
			q += 1 + tn;
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

/* o[0..n) sorted in place (qsort would take a copy of the index array:
 * 4 MB more at a million groups): quicksort, median of three, the
 * smaller part first, insertion sort for short runs. */
static void
sort_idx(uint32_t *o, size_t n, struct octx *c)
{
	size_t i, j, m;
	uint32_t t, pv;

	while (n > 12) {
		m = n / 2;
		/* o[0] <= o[m] <= o[n - 1] */
		if (keycmp(&o[m], &o[0], c) < 0) {
			t = o[m]; o[m] = o[0]; o[0] = t;
		}
		if (keycmp(&o[n - 1], &o[m], c) < 0) {
			t = o[m]; o[m] = o[n - 1]; o[n - 1] = t;
			if (keycmp(&o[m], &o[0], c) < 0) {
				t = o[m]; o[m] = o[0]; o[0] = t;
			}
		}
		pv = o[m];
		i = 0;
		j = n - 1;
		for (;;) {	/* Hoare: o[0] and o[n-1] are sentinels */
			do
				i++;
			while (keycmp(&o[i], &pv, c) < 0);
			do
				j--;
			while (keycmp(&pv, &o[j], c) < 0);
			if (i >= j)
				break;
			t = o[i]; o[i] = o[j]; o[j] = t;
		}
		/* [0, j] <= pv <= [j + 1, n) */
		if (j + 1 < n - j - 1) {
			sort_idx(o, j + 1, c);
			o += j + 1;
			n -= j + 1;
		} else {
			sort_idx(o + j + 1, n - j - 1, c);
			n = j + 1;
		}
	}
	for (i = 1; i < n; i++) {
		t = o[i];
		for (j = i; j > 0 && keycmp(&t, &o[j - 1], c) < 0; j--)
			o[j] = o[j - 1];
		o[j] = t;
	}
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
		size_t kn;
		weir__agg_gkey(w, (const struct gent *)(w->ents +
		    (size_t)i * a->stride), &kn);
		o[i] = i;
		if (kn > maxk)
			maxk = kn;
	}
	a->tmp.len = a->canon.len = 0;
	if (weir_buf_reserve(&a->tmp, maxk) < 0 ||
	    weir_buf_reserve(&a->canon, maxk) < 0)
		return WEIR_FAIL_NOMEM;
	sort_idx(o, w->n, &c);
	*order = o;
	return 0;
}
