/*
 * agg_by.c - the records-by-value functions of an aggregation group:
 * max_by and min_by (the whole record with the largest or smallest value
 * of a path) and top (the N records with the largest values), see
 * agg_int.h.
 *
 * A group keeps its best k records (k the largest N asked of the path,
 * 1 for max_by and min_by) in order, best first: each entry holds the
 * packed value it is ranked by and the packed record.  Of records with
 * equal values the one with the earlier event time ranks first, then the
 * one that came first (a new record never passes an equal one), so the
 * result does not depend on how records with equal values interleave in
 * time.  Only a record that enters the k copies its bytes; an entry's
 * buffer is reused by the record that replaces it.
 */
#include "agg_int.h"

#include <math.h>
#include <stdlib.h>

#include "record.h"
#include "snap.h"

struct byent {
	double x;		/* the value as a double: a first test */
	int64_t ts;
	int hasts;
	uint32_t vlen, rlen;	/* value bytes, then record bytes, in p */
	uint32_t cap;
	uint8_t *p;
};

struct bystate {
	uint32_t n, k;
	struct byent e[];	/* k of them, n used, best first */
};

size_t
weir__agg_by_size(void)
{
	return sizeof(struct bystate *);
}

void
weir__agg_by_free(void *p)
{
	struct bystate *bs = *(struct bystate **)p;
	uint32_t i;

	if (!bs)
		return;
	for (i = 0; i < bs->k; i++)
		free(bs->e[i].p);
	free(bs);
	*(struct bystate **)p = NULL;
}

static struct bystate *
by_get(void *p, uint32_t k)
{
	struct bystate *bs = *(struct bystate **)p;

	if (bs)
		return bs;
	if (!(bs = calloc(1, sizeof(*bs) + (size_t)k * sizeof(bs->e[0]))))
		return NULL;
	bs->k = k;
	*(struct bystate **)p = bs;
	return bs;
}

/* > 0 when (v, x, ts) ranks before entry e: a larger value (smaller for
 * min_by), else an earlier event time. */
static int
ranks_before(int kind, const weir_pv *v, double x, int hasts, int64_t ts,
    const struct byent *e)
{
	weir_pv cur;
	int c;

	if (x != e->x)
		c = x > e->x ? 1 : -1;
	else {
		weir_pv_of(e->p, e->vlen, &cur);
		c = weir_pv_numcmp(v, &cur);
	}
	if (kind == ST_BYMIN)
		c = -c;
	if (c)
		return c > 0;
	return hasts && e->hasts && ts < e->ts;
}

static int
ent_set(struct byent *e, const weir_pv *v, double x, const uint8_t *rec,
    size_t rlen, int hasts, int64_t ts)
{
	size_t vlen = (size_t)(v->end - v->tag), n = vlen + rlen;

	if (n > UINT32_MAX)
		return WEIR_FAIL_NOMEM;
	if (n > e->cap) {
		uint8_t *np = realloc(e->p, n);
		if (!np)
			return WEIR_FAIL_NOMEM;
		e->p = np;
		e->cap = (uint32_t)n;
	}
	memcpy(e->p, v->tag, vlen);
	memcpy(e->p + vlen, rec, rlen);
	e->vlen = (uint32_t)vlen;
	e->rlen = (uint32_t)rlen;
	e->x = x;
	e->hasts = hasts;
	e->ts = ts;
	return 0;
}

int
weir__agg_by_update(weir_agg *a, const struct state *st, void *p,
    const weir_pv *v)
{
	const weir_record *r = a->cur;
	struct bystate *bs;
	struct byent tmp;
	weir_pv num;
	double x;
	int rc;
	uint32_t pos;
	int hasts = (r->flags & WEIR_R_TS) != 0;
	const uint8_t *rec;
	size_t rlen;

	a->canon.len = 0;
	if ((rc = weir_pv_as_num(v, &a->canon, &num)) <= 0)
		return rc;
	x = weir_pv_num(&num);
	if (isnan(x))
		return 0;
	if (!(bs = by_get(p, st->k)))
		return WEIR_FAIL_NOMEM;
	pos = bs->n;
	while (pos > 0 && ranks_before(st->kind, &num, x, hasts, r->ts,
	    &bs->e[pos - 1]))
		pos--;
	if (pos == bs->k)
		return 0;
	/* the record: its packed value (weir_agg_add made a->root the
	 * packed form of a record that came as text) */
	if (r->enc == WEIR_ENC_PACKED) {
		rec = r->value;
		rlen = r->value_len;
	} else {
		rec = a->root.p;
		rlen = a->root.len;
	}
	/* the last entry's buffer (or an unused one) moves to pos */
	tmp = bs->e[bs->n < bs->k ? bs->n : bs->k - 1];
	memmove(&bs->e[pos + 1], &bs->e[pos],
	    ((bs->n < bs->k ? bs->n : bs->k - 1) - pos) * sizeof(bs->e[0]));
	bs->e[pos] = tmp;
	if (bs->n < bs->k)
		bs->n++;
	if (ent_set(&bs->e[pos], &num, x, rec, rlen, hasts, r->ts) < 0) {
		/* the entry keeps its buffer but holds nothing valid */
		memmove(&bs->e[pos], &bs->e[pos + 1],
		    (bs->n - pos - 1) * sizeof(bs->e[0]));
		bs->e[--bs->n] = tmp;
		bs->e[bs->n].vlen = bs->e[bs->n].rlen = 0;
		return WEIR_FAIL_NOMEM;
	}
	return 0;
}

static int
pack_rec(weir_buf *b, const struct byent *e)
{
	weir_pv v;

	weir_pv_of(e->p + e->vlen, e->rlen, &v);
	return weir_pack_raw(b, &v);
}

/* max_by, min_by: the best record or null; top: an array of the best n
 * records, best first. */
int
weir__agg_by_pack(weir_buf *b, const struct func *f, const void *p)
{
	const struct bystate *bs = *(struct bystate *const *)p;
	size_t mark;
	uint32_t i;

	if (f->kind != WEIR_AGG_TOP)
		return bs && bs->n ? pack_rec(b, &bs->e[0]) : weir_pack_null(b);
	mark = weir_pack_open(b, WEIR_PK_ARR);
	for (i = 0; bs && i < bs->n && i < f->k; i++)
		if (pack_rec(b, &bs->e[i]) < 0)
			return -1;
	return weir_pack_close(b, mark);
}

/* Checkpoints: the entries in order, each with its event time, the value
 * and the record. */
int
weir__agg_by_save(const void *p, weir_buf *out)
{
	const struct bystate *bs = *(struct bystate *const *)p;
	uint32_t i;

	if (weir_sw_u64(out, bs ? bs->n : 0) < 0)
		return -1;
	for (i = 0; bs && i < bs->n; i++) {
		const struct byent *e = &bs->e[i];
		if (weir_sw_u64(out, (uint64_t)e->hasts) < 0 ||
		    weir_sw_i64(out, e->ts) < 0 ||
		    weir_sw_bytes(out, e->p, e->vlen) < 0 ||
		    weir_sw_bytes(out, e->p + e->vlen, e->rlen) < 0)
			return -1;
	}
	return 0;
}

/* 0, WEIR_SNAP_EBAD malformed, WEIR_FAIL_NOMEM (as weir__agg_state_load). */
int
weir__agg_by_load(weir_agg *a, const struct state *st, void *p, weir_rd *rd)
{
	uint64_t n = weir_rd_count(rd, 4), i, hasts;
	struct bystate *bs;
	const uint8_t *vp, *rp;
	size_t vn, rn;
	weir_pv v;
	double x;
	int64_t ts;

	if (rd->bad || n > st->k)
		return WEIR_SNAP_EBAD;
	if (!n)
		return 0;
	if (!(bs = by_get(p, st->k)))
		return WEIR_FAIL_NOMEM;
	for (i = 0; i < n; i++) {
		hasts = weir_rd_u64(rd);
		ts = weir_rd_i64(rd);
		vp = weir_rd_bytes(rd, &vn);
		rp = weir_rd_bytes(rd, &rn);
		if (rd->bad || hasts > 1 || !vn || !rn ||
		    weir_pack_validate(vp, vn, NULL, 0) < 0 ||
		    weir_pack_validate(rp, rn, NULL, 0) < 0)
			return WEIR_SNAP_EBAD;
		weir_pv_of(vp, vn, &v);
		x = weir_pv_num(&v);
		if (!weir_pv_is_num(&v) || isnan(x) || (i && ranks_before(st->kind, &v, x, (int)hasts, ts,
		    &bs->e[i - 1])))
			return WEIR_SNAP_EBAD;
		if (ent_set(&bs->e[i], &v, x, rp, rn, (int)hasts, ts) < 0)
			return WEIR_FAIL_NOMEM;
		bs->n++;
	}
	(void)a;
	return 0;
}
