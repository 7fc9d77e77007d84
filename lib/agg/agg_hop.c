/*
 * agg_hop.c - HOP records (frame.h): one record in several hopping
 * windows, added to each of them exactly as weir_agg_add adds one copy per
 * window, in the same order, so that results, group order and checkpoints
 * are those of the copies.
 *
 * What it saves is the looking up: the records of one pane (the same set
 * of windows) share a small table from group key to the group's index in
 * each of the pane's windows, so a record costs one lookup rather than one
 * per window.  A few recent panes are kept (records arrive somewhat out
 * of order); a pane is dropped once its first window closed, since closed
 * windows are recycled.  The tables are derived state, never saved.
 */
#include "agg_int.h"

#include <stdlib.h>

#include "hash.h"

#define NPANES 4
#define PANE_SEED 0x9a9eULL

struct pane {
	int64_t ws, we, adv;	/* the first window and the advance */
	uint32_t n;		/* windows; 0 when the slot is unused */
	uint64_t used;		/* for replacing the least recently used */
	struct win **w;		/* the n windows, oldest first */
	uint32_t *ents;		/* per group: hash, key offset, key length,
				 * then its index in each window */
	uint32_t nent, ecap;
	uint32_t *slot;		/* entry + 1, 0 empty; open addressing */
	uint32_t scap;
	weir_buf keys;
};

struct weir__agg_hop {
	struct pane p[NPANES];
	uint64_t clock;
};

void
weir__agg_hop_free(struct weir__agg_hop *h)
{
	int i;

	if (!h)
		return;
	for (i = 0; i < NPANES; i++) {
		free(h->p[i].w);
		free(h->p[i].ents);
		free(h->p[i].slot);
		weir_buf_free(&h->p[i].keys);
	}
	free(h);
}

static inline uint32_t *
ent(struct pane *p, uint32_t i)
{
	return p->ents + (size_t)i * (3 + p->n);
}

/* The pane of r (its windows all open), set up afresh if not kept;
 * NULL out of memory. */
static struct pane *
pane_of(weir_agg *a, const weir_record *r)
{
	struct weir__agg_hop *h = a->hop;
	struct pane *p, *victim = NULL;
	uint32_t j, n = r->hop_count;
	int i;

	if (!h && !(h = a->hop = calloc(1, sizeof(*h))))
		return NULL;
	h->clock++;
	for (i = 0; i < NPANES; i++) {
		p = &h->p[i];
		if (p->n && p->we <= a->closed_wm)
			p->n = 0;	/* its windows are closing */
		if (p->n == n && p->ws == r->win_start && p->we == r->win_end &&
		    p->adv == r->hop_advance) {
			p->used = h->clock;
			return p;
		}
		if (!victim || (victim->n && (!p->n || p->used < victim->used)))
			victim = p;
	}
	p = victim;
	p->n = 0;
	free(p->w);
	if (!(p->w = malloc(n * sizeof(*p->w))))
		return NULL;
	for (j = 0; j < n; j++) {
		int64_t d = (int64_t)j * r->hop_advance;
		if (!(p->w[j] = weir__agg_win(a, r->win_start + d,
		    r->win_end + d)))
			return NULL;
	}
	p->nent = 0;
	p->keys.len = 0;
	if (p->slot)
		memset(p->slot, 0, p->scap * sizeof(*p->slot));
	p->ws = r->win_start;
	p->we = r->win_end;
	p->adv = r->hop_advance;
	p->n = n;
	p->used = h->clock;
	return p;
}

static int
slots_grow(struct pane *p)
{
	uint32_t cap = p->scap ? p->scap * 2 : 64, i, k, mask = cap - 1;
	uint32_t *s = calloc(cap, sizeof(*s));

	if (!s)
		return -1;
	for (i = 0; i < p->nent; i++) {
		for (k = ent(p, i)[0] & mask; s[k]; k = (k + 1) & mask)
			;
		s[k] = i + 1;
	}
	free(p->slot);
	p->slot = s;
	p->scap = cap;
	return 0;
}

/* The entry of a->gk in p, made (with its group in every window) when
 * new; NULL out of memory. */
static uint32_t *
pane_group(weir_agg *a, struct pane *p)
{
	uint64_t h = weir_hash(a->gk.p, a->gk.len, PANE_SEED);
	uint32_t i, mask, j, *e;
	size_t cap, stride = 3 + (size_t)p->n;
	int64_t gi;

	if (p->scap) {
		mask = p->scap - 1;
		for (i = (uint32_t)h & mask; p->slot[i]; i = (i + 1) & mask) {
			e = ent(p, p->slot[i] - 1);
			if (e[0] == (uint32_t)h && e[2] == a->gk.len &&
			    memcmp(p->keys.p + e[1], a->gk.p, a->gk.len) == 0)
				return e;
		}
	}
	if ((p->nent + 1) * 2 > p->scap && slots_grow(p) < 0)
		return NULL;
	cap = p->ecap;
	if (weir_grow(&p->ents, &cap, ((size_t)p->nent + 1) * stride,
	    sizeof(*p->ents), UINT32_MAX) < 0)
		return NULL;
	p->ecap = (uint32_t)cap;
	if (a->gk.len > UINT32_MAX || p->keys.len + a->gk.len > UINT32_MAX ||
	    weir_buf_put(&p->keys, a->gk.p, a->gk.len) < 0)
		return NULL;
	e = ent(p, p->nent);
	e[0] = (uint32_t)h;
	e[1] = (uint32_t)(p->keys.len - a->gk.len);
	e[2] = (uint32_t)a->gk.len;
	for (j = 0; j < p->n; j++) {
		if ((gi = weir__agg_group(a, p->w[j])) < 0)
			return NULL;
		e[3 + j] = (uint32_t)gi;
	}
	mask = p->scap - 1;
	for (i = (uint32_t)h & mask; p->slot[i]; i = (i + 1) & mask)
		;
	p->slot[i] = ++p->nent;
	return e;
}

int
weir_agg_add_hop(weir_agg *a, const weir_record *r, uint32_t *late,
    char *err, size_t errsz)
{
	uint32_t n = r->hop_count, k, *e;
	struct pane *p;
	struct win *w;
	int64_t d, gi;
	int rc;

	*late = 0;
	if (!(r->flags & WEIR_R_HOP))
		return (rc = weir_agg_add(a, r, NULL, err, errsz)) == 1 ?
		    (*late = 1, 0) : rc;
	/* the windows closed already are the oldest */
	for (k = 0; k < n && r->win_end + (int64_t)k * r->hop_advance <=
	    a->closed_wm; k++)
		;
	*late = k;
	if (k == n)
		return 0;
	if ((rc = weir__agg_key(a, r, err, errsz)) < 0)
		return rc;
	if (k == 0) {		/* a whole pane: through its table */
		if (!(p = pane_of(a, r)) || !(e = pane_group(a, p)))
			goto nomem;
		for (; k < n; k++)
			if (weir__agg_add_at(a, p->w[k], e[3 + k], r) < 0)
				goto nomem;
		return 0;
	}
	for (; k < n; k++) {
		d = (int64_t)k * r->hop_advance;
		if (!(w = weir__agg_win(a, r->win_start + d, r->win_end + d)) ||
		    (gi = weir__agg_group(a, w)) < 0 ||
		    weir__agg_add_at(a, w, (uint32_t)gi, r) < 0)
			goto nomem;
	}
	return 0;
nomem:
	weir_seterr(err, errsz, "out of memory");
	return WEIR_FAIL_NOMEM;
}
