/*
 * agg_rows.c - count-based windows per group (weir-agg --rows N): each
 * record's result is its group's over the group's last N records, this one
 * included, as SQL's ROWS BETWEEN N-1 PRECEDING AND CURRENT ROW (see
 * agg.h).
 *
 * A group keeps a ring of copies of its last N records (key, value, event
 * time); a record replaces the oldest, then the group's state is made
 * anew from the ring, so every function works over the rows as it does
 * over a window.  That costs N additions a record, no allocation once a
 * ring's slots have grown to their records' sizes.  Records are added
 * unwindowed: the groups live in the aggregator's unwindowed bucket, whose
 * group indexes never change, and index the rings.  A checkpoint holds
 * each ring's records, oldest first; a restart adds them again.
 */
#include "agg_int.h"

#include <stdlib.h>

struct slot {
	weir_buf b;		/* key, then value */
	size_t klen;
	int64_t ts;
	unsigned flags;
	int enc;
};

struct ring {
	struct slot *s;		/* n of them, NULL until the first record */
	uint32_t head, used;
};

struct weir_agg_rows {
	weir_agg *a;
	uint32_t n;
	struct ring *r;
	size_t nr, capr;
};

weir_agg_rows *
weir_agg_rows_new(weir_agg *a, uint32_t n)
{
	weir_agg_rows *w;

	if (n < 1 || !(w = calloc(1, sizeof(*w))))
		return NULL;
	w->a = a;
	w->n = n;
	return w;
}

void
weir_agg_rows_free(weir_agg_rows *w)
{
	size_t i;
	uint32_t k;

	if (!w)
		return;
	for (i = 0; i < w->nr; i++)
		if (w->r[i].s) {
			for (k = 0; k < w->n; k++)
				weir_buf_free(&w->r[i].s[k].b);
			free(w->r[i].s);
		}
	free(w->r);
	free(w);
}

/* The record in slot s, unwindowed. */
static void
slot_record(const struct slot *s, weir_record *r)
{
	memset(r, 0, sizeof(*r));
	r->flags = s->flags;
	r->enc = s->enc;
	r->ts = s->ts;
	r->partition = -1;
	r->key = s->b.p;
	r->key_len = s->klen;
	r->value = s->b.p + s->klen;
	r->value_len = s->b.len - s->klen;
}

static int
slot_set(struct slot *s, const weir_record *r)
{
	s->b.len = 0;
	s->klen = (r->flags & WEIR_R_KEY) ? r->key_len : 0;
	if (weir_buf_put(&s->b, r->key, s->klen) < 0 ||
	    weir_buf_put(&s->b, r->value, r->value_len) < 0)
		return WEIR_FAIL_NOMEM;
	/* the bytes only: no headers, no source position */
	s->flags = r->flags & (WEIR_R_KEY | WEIR_R_TS);
	s->ts = r->ts;
	s->enc = r->enc;
	return 0;
}

int
weir_agg_rows_add(weir_agg_rows *w, const weir_record *r, weir_agg_ref *ref,
    char *err, size_t errsz)
{
	weir_agg *a = w->a;
	weir_record u = *r, x;
	struct gent *g;
	struct ring *rg;
	uint32_t k;
	int rc;

	u.flags &= ~WEIR_R_WINDOW;
	if ((rc = weir_agg_add(a, &u, ref, err, errsz)) != 0)
		return rc;	/* a bad record changes nothing */
	weir_seterr(err, errsz, "out of memory");
	if (weir_grow(&w->r, &w->capr, (size_t)ref->idx + 1, sizeof(*w->r),
	    SIZE_MAX) < 0)
		return WEIR_FAIL_NOMEM;
	for (; w->nr <= ref->idx; w->nr++)
		memset(&w->r[w->nr], 0, sizeof(*w->r));
	rg = &w->r[ref->idx];
	if (!rg->s && !(rg->s = calloc(w->n, sizeof(*rg->s))))
		return WEIR_FAIL_NOMEM;
	/* the record replaces the oldest */
	k = (rg->head + rg->used) % w->n;
	if (rg->used == w->n)
		rg->head = (rg->head + 1) % w->n;
	else
		rg->used++;
	if (slot_set(&rg->s[k], &u) < 0)
		return WEIR_FAIL_NOMEM;
	/* the group anew from its rows, oldest first */
	g = (struct gent *)(((struct win *)ref->win)->ents +
	    (size_t)ref->idx * a->stride);
	weir__agg_state_free(a, (uint8_t *)(g + 1));
	memset(g + 1, 0, a->stride - sizeof(*g));
	weir__agg_state_init(a, (uint8_t *)(g + 1));
	g->count = 0;
	g->hasts = 0;	/* the rows' latest time, made again below */
	for (k = 0; k < rg->used; k++) {
		slot_record(&rg->s[(rg->head + k) % w->n], &x);
		if (weir_agg_add(a, &x, NULL, err, errsz) != 0)
			return WEIR_FAIL_NOMEM;	/* it was added before */
	}
	return 0;
}

/* Checkpoints: the rings, each its records oldest first (flags, encoding,
 * time, key, value). */
int
weir_agg_rows_save(const weir_agg_rows *w, weir_buf *out)
{
	const struct ring *rg;
	const struct slot *sl;
	size_t i;
	uint32_t k;

	if (weir_sw_u64(out, w->nr) < 0)
		return -1;
	for (i = 0; i < w->nr; i++) {
		rg = &w->r[i];
		if (weir_sw_u64(out, rg->s ? rg->used : 0) < 0)
			return -1;
		for (k = 0; rg->s && k < rg->used; k++) {
			sl = &rg->s[(rg->head + k) % w->n];
			if (weir_sw_u64(out, sl->flags) < 0 ||
			    weir_sw_u64(out, (uint64_t)sl->enc) < 0 ||
			    weir_sw_i64(out, sl->ts) < 0 ||
			    weir_sw_bytes(out, sl->b.p, sl->klen) < 0 ||
			    weir_sw_bytes(out, sl->b.p + sl->klen,
			    sl->b.len - sl->klen) < 0)
				return -1;
		}
	}
	return 0;
}

int
weir_agg_rows_load(weir_agg_rows *w, weir_rd *rd, char *err, size_t errsz)
{
	uint64_t nr, used, i, k;
	weir_record r;
	weir_agg_ref ref;
	size_t n;
	int rc;

	nr = weir_rd_count(rd, 1);
	for (i = 0; i < nr && !rd->bad; i++) {
		used = weir_rd_count(rd, 5);
		if (used > w->n) {
			weir_seterr(err, errsz, "--rows: a group of %llu rows "
			    "in the checkpoint, more than %u",
			    (unsigned long long)used, (unsigned)w->n);
			return WEIR_FAIL_DATA;
		}
		for (k = 0; k < used && !rd->bad; k++) {
			memset(&r, 0, sizeof(r));
			r.partition = -1;
			r.flags = (unsigned)weir_rd_u64(rd) &
			    (WEIR_R_KEY | WEIR_R_TS);
			r.enc = (int)weir_rd_u64(rd);
			r.ts = weir_rd_i64(rd);
			r.key = weir_rd_bytes(rd, &n);
			r.key_len = n;
			r.value = weir_rd_bytes(rd, &n);
			r.value_len = n;
			if (rd->bad)
				break;
			/* rows were added once: they add again */
			if ((rc = weir_agg_rows_add(w, &r, &ref, err,
			    errsz)) != 0)
				return rc < 0 ? rc : WEIR_FAIL_DATA;
		}
	}
	return 0;
}
