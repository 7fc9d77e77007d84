/*
 * changelog.c - aggregating a table's changelog with retractions (see
 * changelog.h): the last row of every key, and per group the state of
 * each function in a form that can take a row back.
 *
 * A row is kept as its group key (as weir_agg_add makes it) and the
 * values its functions read, so retracting it needs neither the record
 * nor its JSON.  Per group: sums keep an exact decimal sum with a count
 * of values per number of decimal places (so the scale is the largest of
 * the rows there now) and a compensated sum of the other numbers; min,
 * max and distinct keep counted values, min and max caching their
 * extreme until it is retracted.
 */
#include "changelog.h"

#include <math.h>
#include <stdlib.h>

#include "agg_int.h"
#include "hash.h"
#include "json.h"
#include "record.h"

#define NONE UINT32_MAX
#define COMPACT_MIN 4096

/* --- counted maps: bytes -> count and bytes ------------------------------ */

struct cent {
	uint64_t hash, count;
	uint32_t off, klen;	/* key, then value, at off in the arena */
	uint32_t vlen, cap;	/* klen NONE: free, off the next free + 1 */
	void *p;
};

struct cmap {
	uint32_t *slot;		/* entry + 1; 0 empty (linear probing) */
	uint32_t scap;
	struct cent *e;
	uint32_t ne, ecap, nlive, freel;
	weir_buf arena;
	size_t garbage;
};

static void
cm_free(struct cmap *m)
{
	free(m->slot);
	free(m->e);
	weir_buf_free(&m->arena);
	memset(m, 0, sizeof(*m));
}

static inline const uint8_t *
cm_key(const struct cmap *m, uint32_t id)
{
	return m->arena.p + m->e[id].off;
}

static inline const uint8_t *
cm_val(const struct cmap *m, uint32_t id)
{
	return m->arena.p + m->e[id].off + m->e[id].klen;
}

/* The slot holding key k, or the empty one where it goes. */
static uint32_t
cm_slot(const struct cmap *m, const uint8_t *k, size_t n, uint64_t h)
{
	uint32_t mask = m->scap - 1, i, id;
	const struct cent *e;

	for (i = (uint32_t)h & mask; (id = m->slot[i]); i = (i + 1) & mask) {
		e = &m->e[id - 1];
		if (e->hash == h && e->klen == n &&
		    memcmp(m->arena.p + e->off, k, n) == 0)
			break;
	}
	return i;
}

static uint32_t
cm_find(const struct cmap *m, const uint8_t *k, size_t n, uint64_t h)
{
	if (!m->scap)
		return NONE;
	return m->slot[cm_slot(m, k, n, h)] - 1;
}

static int
cm_rehash(struct cmap *m)
{
	uint32_t cap = m->scap ? m->scap * 2 : 16, mask = cap - 1, id, i;
	uint32_t *s = calloc(cap, sizeof(*s));

	if (!s)
		return -1;
	for (id = 0; id < m->ne; id++) {
		if (m->e[id].klen == NONE)
			continue;
		for (i = (uint32_t)m->e[id].hash & mask; s[i];
		    i = (i + 1) & mask)
			;
		s[i] = id + 1;
	}
	free(m->slot);
	m->slot = s;
	m->scap = cap;
	return 0;
}

/* Drop the arena's garbage when it is most of it (ids stay). */
static void
cm_compact(struct cmap *m)
{
	weir_buf nb = {0};
	uint32_t id;
	struct cent *e;

	if (m->garbage < COMPACT_MIN || m->garbage < m->arena.len / 2 ||
	    weir_buf_reserve(&nb, m->arena.len - m->garbage + 1) < 0)
		return;		/* keep the garbage rather than fail */
	for (id = 0; id < m->ne; id++) {
		e = &m->e[id];
		if (e->klen == NONE)
			continue;
		memcpy(nb.p + nb.len, m->arena.p + e->off, e->klen + e->vlen);
		e->off = (uint32_t)nb.len;
		e->cap = e->klen + e->vlen;
		nb.len += e->cap;
	}
	weir_buf_free(&m->arena);
	m->arena = nb;
	m->garbage = 0;
}

/* Key k with value v: its entry, made (count 0, p NULL) when new, its
 * value replaced otherwise.  NONE when out of memory.  k and v must not
 * point into this map. */
static uint32_t
cm_put(struct cmap *m, const uint8_t *k, size_t n, uint64_t h,
    const uint8_t *v, size_t vn)
{
	uint32_t s, id, old = 0;
	struct cent *e;

	if (n + vn >= UINT32_MAX / 2 || m->arena.len + n + vn >= NONE)
		return NONE;
	if ((m->nlive + 1) * 2 > m->scap && cm_rehash(m) < 0)
		return NONE;
	s = cm_slot(m, k, n, h);
	if (m->slot[s]) {
		e = &m->e[id = m->slot[s] - 1];
		if (n + vn <= e->cap) {
			if (vn)
				memcpy(m->arena.p + e->off + n, v, vn);
			e->vlen = (uint32_t)vn;
			return id;
		}
		old = e->cap;
	} else {
		if (m->freel) {
			id = m->freel - 1;
			m->freel = m->e[id].off;
		} else {
			if (m->ne == m->ecap) {
				uint32_t cap = m->ecap ? m->ecap * 2 : 8;
				struct cent *ne = realloc(m->e, cap *
				    sizeof(*ne));
				if (!ne)
					return NONE;
				m->e = ne;
				m->ecap = cap;
			}
			id = m->ne++;
		}
		e = &m->e[id];
		memset(e, 0, sizeof(*e));
		e->hash = h;
		e->klen = NONE;		/* free until its bytes are in */
		m->slot[s] = id + 1;
		m->nlive++;
	}
	/* the bytes go at the end: the old ones become garbage */
	if (weir_buf_reserve(&m->arena, n + vn) < 0) {
		if (e->klen == NONE) {	/* a new entry: undo it */
			m->slot[s] = 0;
			e->off = m->freel;
			m->freel = id + 1;
			m->nlive--;
		}
		return NONE;
	}
	m->garbage += old;
	e->off = (uint32_t)m->arena.len;
	e->klen = (uint32_t)n;
	e->vlen = (uint32_t)vn;
	e->cap = (uint32_t)(n + vn);
	weir_buf_put(&m->arena, k, n);
	if (vn)
		weir_buf_put(&m->arena, v, vn);
	cm_compact(m);
	return id;
}

static void
cm_del(struct cmap *m, uint32_t id)
{
	uint32_t mask = m->scap - 1, i, j, k;
	struct cent *e = &m->e[id];

	for (i = (uint32_t)e->hash & mask; m->slot[i] != id + 1;
	    i = (i + 1) & mask)
		;
	/* backward shift: what follows moves up unless it is at home */
	m->slot[i] = 0;
	for (j = (i + 1) & mask; m->slot[j]; j = (j + 1) & mask) {
		k = (uint32_t)m->e[m->slot[j] - 1].hash & mask;
		if (i <= j ? (k <= i || k > j) : (k <= i && k > j)) {
			m->slot[i] = m->slot[j];
			m->slot[j] = 0;
			i = j;
		}
	}
	m->garbage += e->cap;
	e->klen = NONE;
	e->p = NULL;
	e->off = m->freel;
	m->freel = id + 1;
	m->nlive--;
}

/* --- group state -------------------------------------------------------- */

static const int64_t pow10i[WEIR_EXACT_DIGITS + 1] = {
	1, 10, 100, 1000, 10000, 100000, 1000000, 10000000, 100000000,
	1000000000, 10000000000LL, 100000000000LL, 1000000000000LL,
	10000000000000LL, 100000000000000LL, 1000000000000000LL,
	10000000000000000LL, 100000000000000000LL, 1000000000000000000LL
};

struct mom {			/* sum, avg */
	uint64_t n, nin;	/* numbers; those not exact */
	uint64_t sc[WEIR_EXACT_DIGITS + 1];	/* exact ones per scale */
	__int128 isum;		/* the exact ones: isum / 10^scale */
	int scale, ovf;		/* ovf: isum is lost until the group empties */
	double in, inc;		/* Neumaier sum of the inexact numbers */
	double all, allc;	/* and of every number (for ovf) */
};

struct vals {			/* min, max, distinct: counted values */
	struct cmap m;		/* canonical value -> count, text (min/max) */
	uint32_t min, max;	/* their entries; NONE: to find again */
};

union cst {
	struct mom mom;
	struct vals vals;
};

struct grp {
	uint64_t n;		/* rows */
	union cst st[];		/* one per a->st */
};

static void
neumaier(double *s, double *c, double x)
{
	double t = *s + x;

	if (fabs(*s) >= fabs(x))
		*c += (*s - t) + x;
	else
		*c += (x - t) + *s;
	*s = t;
}

static void
mom_apply(struct mom *m, const weir_pv *num, double x, int sign)
{
	int64_t i;
	int sc, s;
	__int128 t;

	m->n += sign > 0 ? 1 : -1;
	neumaier(&m->all, &m->allc, sign * x);
	if (!weir_pv_exact(num, &i, &sc)) {
		m->nin += sign > 0 ? 1 : -1;
		neumaier(&m->in, &m->inc, sign * x);
		if (!m->nin)
			m->in = m->inc = 0;
	} else {
		if (sign > 0) {
			m->sc[sc]++;
			if (sc > m->scale) {
				if (__builtin_mul_overflow(m->isum,
				    pow10i[sc - m->scale], &m->isum))
					m->ovf = 1;
				m->scale = sc;
			}
		} else
			m->sc[sc]--;
		t = (__int128)i * pow10i[m->scale - sc];
		if (__builtin_add_overflow(m->isum, sign > 0 ? t : -t,
		    &m->isum))
			m->ovf = 1;
		if (sign < 0 && sc == m->scale && !m->sc[sc]) {
			/* the last value at this scale went: the sum is a
			 * multiple of 10^(scale - s) for the next scale s */
			for (s = sc; s > 0 && !m->sc[s]; s--)
				;
			m->isum /= pow10i[sc - s];
			m->scale = s;
		}
	}
	if (!m->n)
		memset(m, 0, sizeof(*m));
}

static double
mom_sum(const struct mom *m)
{
	if (m->ovf)
		return m->all + m->allc;
	return (double)m->isum / (double)pow10i[m->scale] + (m->in + m->inc);
}

static int
pack_sum(weir_buf *b, weir_buf *t, const struct mom *m)
{
	int64_t v = (int64_t)m->isum;

	if (!m->n)
		return weir_pack_null(b);
	if (m->nin || m->ovf || (__int128)v != m->isum)
		return weir_pack_double(b, mom_sum(m));
	if (m->scale == 0)
		return weir_pack_int(b, v);
	t->len = 0;
	if (weir_json_put_dec(t, v, m->scale) < 0)
		return -1;
	return weir_pack_numtext(b, (const char *)t->p, t->len);
}

/* Count value k (canonical) in or out; text is what min and max show
 * (none for distinct: tn 0). */
static int
vals_apply(struct vals *vs, const uint8_t *k, size_t kn,
    const uint8_t *text, size_t tn, int sign)
{
	struct cmap *m = &vs->m;
	uint64_t h = weir_hash(k, kn, SEED ^ 3);
	uint32_t id = cm_find(m, k, kn, h);

	if (sign < 0) {
		if (id == NONE)		/* cannot happen: it was added */
			return 0;
		if (--m->e[id].count == 0) {
			if (id == vs->min)
				vs->min = NONE;
			if (id == vs->max)
				vs->max = NONE;
			cm_del(m, id);
		}
		return 0;
	}
	if (id == NONE) {
		if ((id = cm_put(m, k, kn, h, text, tn)) == NONE)
			return -1;
		if (!tn)
			;		/* distinct: no order kept */
		else if (m->nlive == 1)
			vs->min = vs->max = id;
		else {
			if (vs->min != NONE && weir__agg_vcmp(cm_val(m, id), tn,
			    cm_val(m, vs->min), m->e[vs->min].vlen) < 0)
				vs->min = id;
			if (vs->max != NONE && weir__agg_vcmp(cm_val(m, id), tn,
			    cm_val(m, vs->max), m->e[vs->max].vlen) > 0)
				vs->max = id;
		}
	}
	m->e[id].count++;
	return 0;
}

/* The smallest (dir < 0) or largest entry, found again when the cached
 * one was retracted. */
static uint32_t
vals_extreme(struct vals *vs, int dir)
{
	struct cmap *m = &vs->m;
	uint32_t *best = dir < 0 ? &vs->min : &vs->max, id;
	int c;

	if (*best != NONE || !m->nlive)
		return *best;
	for (id = 0; id < m->ne; id++) {
		if (m->e[id].klen == NONE)
			continue;
		if (*best != NONE) {
			c = weir__agg_vcmp(cm_val(m, id), m->e[id].vlen,
			    cm_val(m, *best), m->e[*best].vlen);
			if (dir < 0 ? c >= 0 : c <= 0)
				continue;
		}
		*best = id;
	}
	return *best;
}

static int
pack_extreme(weir_buf *b, struct vals *vs, int dir)
{
	uint32_t id = vals_extreme(vs, dir);
	weir_pv v;

	if (id == NONE)
		return weir_pack_null(b);
	weir_pv_of(cm_val(&vs->m, id), vs->m.e[id].vlen, &v);
	return weir_pack_raw(b, &v);
}

static int
topk_cmp(const void *x, const void *y, void *arg)
{
	const struct cmap *m = arg;
	const struct cent *a = &m->e[*(const uint32_t *)x];
	const struct cent *b = &m->e[*(const uint32_t *)y];

	if (a->count != b->count)
		return a->count > b->count ? -1 : 1;
	return weir__agg_vcmp(m->arena.p + a->off, a->klen,
	    m->arena.p + b->off, b->klen);
}

/* topk: the k values with the most rows, as weir_agg packs it. */
static int
pack_topk(weir_buf *b, weir_buf *order, const struct vals *vs, uint32_t k)
{
	const struct cmap *m = &vs->m;
	size_t mark = weir_pack_open(b, WEIR_PK_ARR), o;
	uint32_t id, n = 0, *ids, i;
	weir_pv v;

	order->len = 0;
	if (weir_buf_reserve(order, (size_t)m->nlive * sizeof(*ids) + 1) < 0)
		return -1;
	ids = (uint32_t *)(void *)order->p;
	for (id = 0; id < m->ne; id++)
		if (m->e[id].klen != NONE)
			ids[n++] = id;
	qsort_r(ids, n, sizeof(*ids), topk_cmp, (void *)m);
	for (i = 0; i < n && i < k; i++) {
		weir_pv_of(cm_key(m, ids[i]), m->e[ids[i]].klen, &v);
		o = weir_pack_open(b, WEIR_PK_OBJ);
		if (pack_name(b, "value") < 0 || weir_pack_raw(b, &v) < 0 ||
		    pack_name(b, "count") < 0 ||
		    weir_pack_int(b, (int64_t)m->e[ids[i]].count) < 0 ||
		    weir_pack_close(b, o) < 0)
			return -1;
	}
	return weir_pack_close(b, mark);
}

/* --- the aggregator ------------------------------------------------------- */

struct weir_aggcl {
	weir_agg *a;
	struct cmap rows;	/* record key -> group key and values */
	struct cmap groups;	/* group key -> struct grp */
	size_t gsize;
	weir_pv *pv, *opv;	/* a row's values (new, old) */
	int *have, *ohave;
	weir_buf root, gk, row, num, canon, out, tmp;
};

int
weir_aggcl_open(weir_aggcl **out, weir_agg *a, char *err, size_t errsz)
{
	weir_aggcl *c;
	const char *why;
	size_t i;

	for (i = 0; i < a->nf; i++) {
		switch (a->f[i].kind) {
		case WEIR_AGG_COUNT:
		case WEIR_AGG_SUM:
		case WEIR_AGG_AVG:
		case WEIR_AGG_MIN:
		case WEIR_AGG_MAX:
		case WEIR_AGG_DISTINCT:
		case WEIR_AGG_TOPK:
			continue;
		case WEIR_AGG_FIRST:
		case WEIR_AGG_LAST:
			why = "the rows of a table have no order";
			break;
		case WEIR_AGG_APPROX_DISTINCT:
		case WEIR_AGG_QUANTILE:
			why = "a sketch cannot take a value back";
			break;
		default:
			why = "it cannot take a row back";
			break;
		}
		weir_seterr(err, errsz, "--changelog: %s: %s (count, sum, avg, "
		    "min, max, distinct and topk can)", a->f[i].name, why);
		return WEIR_FAIL_USAGE;
	}
	weir_seterr(err, errsz, "out of memory");
	if (!(c = calloc(1, sizeof(*c))))
		return WEIR_FAIL_NOMEM;
	c->a = a;
	c->gsize = sizeof(struct grp) + a->nst * sizeof(union cst);
	c->pv = calloc(a->npaths + 1, sizeof(*c->pv));
	c->opv = calloc(a->npaths + 1, sizeof(*c->opv));
	c->have = calloc(a->npaths + 1, sizeof(*c->have));
	c->ohave = calloc(a->npaths + 1, sizeof(*c->ohave));
	if (!c->pv || !c->opv || !c->have || !c->ohave) {
		weir_aggcl_free(c);
		return WEIR_FAIL_NOMEM;
	}
	*out = c;
	return 0;
}

static void
grp_free(weir_aggcl *c, struct grp *g)
{
	size_t i;

	if (!g)
		return;
	for (i = 0; i < c->a->nst; i++)
		if (c->a->st[i].kind != ST_MOM)
			cm_free(&g->st[i].vals.m);
	free(g);
}

void
weir_aggcl_free(weir_aggcl *c)
{
	uint32_t id;

	if (!c)
		return;
	for (id = 0; id < c->groups.ne; id++)
		if (c->groups.e[id].klen != NONE)
			grp_free(c, c->groups.e[id].p);
	cm_free(&c->rows);
	cm_free(&c->groups);
	free(c->pv);
	free(c->opv);
	free(c->have);
	free(c->ohave);
	weir_buf_free(&c->root);
	weir_buf_free(&c->gk);
	weir_buf_free(&c->row);
	weir_buf_free(&c->num);
	weir_buf_free(&c->canon);
	weir_buf_free(&c->out);
	weir_buf_free(&c->tmp);
	free(c);
}

/* The group with key k, made when new; NONE when out of memory. */
static uint32_t
grp_get(weir_aggcl *c, const uint8_t *k, size_t n)
{
	uint32_t id = cm_put(&c->groups, k, n, weir_hash(k, n, SEED), NULL, 0);
	struct grp *g;
	size_t i;

	if (id == NONE || c->groups.e[id].p)
		return id;
	if (!(g = calloc(1, c->gsize))) {
		cm_del(&c->groups, id);
		return NONE;
	}
	for (i = 0; i < c->a->nst; i++)
		if (c->a->st[i].kind != ST_MOM)
			g->st[i].vals.min = g->st[i].vals.max = NONE;
	c->groups.e[id].p = g;
	return id;
}

/* Add (sign 1) or retract (-1) a row's values to or from group g. */
static int
grp_apply(weir_aggcl *c, struct grp *g, const weir_pv *pv, const int *have,
    int sign)
{
	const weir_agg *a = c->a;
	const weir_pv *v;
	weir_pv num, t;
	double x;
	size_t i;
	int isnum;

	g->n += sign > 0 ? 1 : -1;
	for (i = 0; i < a->nst; i++) {
		if (!have[a->st[i].path])
			continue;
		v = &pv[a->st[i].path];
		c->num.len = 0;
		switch (a->st[i].kind) {
		case ST_MOM:
			if ((isnum = weir_pv_as_num(v, &c->num, &num)) < 0)
				return -1;
			if (!isnum || !isfinite(x = weir_pv_num(&num)))
				break;
			mom_apply(&g->st[i].mom, &num, x, sign);
			break;
		case ST_MINMAX:
		case ST_SET:
			/* min, max: numbers (by the number rule) and strings;
			 * distinct: any value but null */
			if (a->st[i].kind == ST_SET)
				t = *v;
			else if ((isnum = weir_pv_as_num(v, &c->num,
			    &num)) < 0)
				return -1;
			else if (isnum)
				t = num;
			else
				t = *v;
			if (t.type == WEIR_PV_NULL ||
			    (a->st[i].kind == ST_MINMAX &&
			    !weir_pv_is_num(&t) && t.type != WEIR_PV_STRING))
				break;
			c->canon.len = 0;
			if (weir_pv_canon(&c->canon, &t) < 0 ||
			    vals_apply(&g->st[i].vals, c->canon.p,
			    c->canon.len, t.tag, a->st[i].kind == ST_SET ? 0 :
			    (size_t)(t.end - t.tag), sign) < 0)
				return -1;
			break;
		}
	}
	return 0;
}

/* A stored row: its group key into *gk, its values into pv and have. */
static void
row_read(weir_aggcl *c, uint32_t id, const uint8_t **gk, size_t *gkn,
    weir_pv *pv, int *have)
{
	weir_rd rd;
	const uint8_t *p;
	size_t i, n;

	weir_rd_init(&rd, cm_val(&c->rows, id), c->rows.e[id].vlen);
	*gk = weir_rd_bytes(&rd, gkn);
	for (i = 0; i < c->a->npaths; i++)
		if ((have[i] = (int)weir_rd_u64(&rd))) {
			p = weir_rd_bytes(&rd, &n);
			weir_pv_read(p, p + n, &pv[i]);
		}
}

/* A new row's group key (c->gk) and stored form (c->row). */
static int
row_make(weir_aggcl *c, const weir_record *r, const weir_pv *root)
{
	const weir_agg *a = c->a;
	weir_pv v;
	size_t i;

	c->gk.len = c->row.len = 0;
	for (i = 0; i < a->ng; i++)
		if (!weir_path_get(&a->g[i].path, root, &v)) {
			if (weir_buf_putc(&c->gk, WEIR_PK_NULL) < 0)
				return -1;
		} else if (weir_pv_canon(&c->gk, &v) < 0)
			return -1;
	if (!a->ng && (weir_buf_putc(&c->gk, 1) < 0 ||
	    weir_buf_put(&c->gk, r->key, r->key_len) < 0))
		return -1;
	if (weir_sw_bytes(&c->row, c->gk.p, c->gk.len) < 0)
		return -1;
	for (i = 0; i < a->npaths; i++) {
		int have = weir_path_get(&a->paths[i], root, &v);
		if (weir_sw_u64(&c->row, have != 0) < 0 || (have &&
		    weir_sw_bytes(&c->row, v.tag, (size_t)(v.end - v.tag)) < 0))
			return -1;
	}
	return 0;
}

/* Row id into its group; the group's id, NONE when out of memory. */
static uint32_t
row_add(weir_aggcl *c, uint32_t id)
{
	const uint8_t *gk;
	size_t gkn;
	uint32_t gid;

	row_read(c, id, &gk, &gkn, c->pv, c->have);
	if ((gid = grp_get(c, gk, gkn)) == NONE ||
	    grp_apply(c, c->groups.e[gid].p, c->pv, c->have, 1) < 0)
		return NONE;
	return gid;
}

/* The result of group g (NULL: a delete of group key gk), stamped with
 * the time of the change that made it. */
static int
emit(weir_aggcl *c, const uint8_t *gk, size_t n, struct grp *g,
    const weir_record *chg, weir_agg_emit_fn fn, void *arg)
{
	weir_agg *a = c->a;
	weir_buf *b = &c->out;
	weir_record r;
	size_t mark, i;
	const struct func *f;
	void *st;

	memset(&r, 0, sizeof(r));
	if (chg->flags & WEIR_R_TS) {
		r.flags |= WEIR_R_TS;
		r.ts = chg->ts;
	}
	b->len = 0;
	mark = weir_pack_open(b, WEIR_PK_OBJ);
	if (weir__agg_pack_group(a, gk, n, b, &r) < 0)
		return WEIR_FAIL_NOMEM;
	if (!g) {
		r.enc = WEIR_ENC_NULL;
		return fn(arg, &r);
	}
	for (i = 0; i < a->nf; i++) {
		f = &a->f[i];
		st = f->st >= 0 ? &g->st[f->st] : NULL;
		if (pack_name(b, f->name) < 0)
			return WEIR_FAIL_NOMEM;
		switch (f->kind) {
		case WEIR_AGG_COUNT:
			if (weir_pack_int(b, (int64_t)g->n) < 0)
				return WEIR_FAIL_NOMEM;
			break;
		case WEIR_AGG_SUM:
			if (pack_sum(b, &c->tmp, st) < 0)
				return WEIR_FAIL_NOMEM;
			break;
		case WEIR_AGG_AVG: {
			const struct mom *m = st;
			if ((m->n ? weir_pack_double(b, mom_sum(m) /
			    (double)m->n) : weir_pack_null(b)) < 0)
				return WEIR_FAIL_NOMEM;
			break;
		}
		case WEIR_AGG_MIN:
		case WEIR_AGG_MAX:
			if (pack_extreme(b, st, f->kind == WEIR_AGG_MIN ?
			    -1 : 1) < 0)
				return WEIR_FAIL_NOMEM;
			break;
		case WEIR_AGG_DISTINCT:
			if (weir_pack_int(b,
			    ((struct vals *)st)->m.nlive) < 0)
				return WEIR_FAIL_NOMEM;
			break;
		case WEIR_AGG_TOPK:
			if (pack_topk(b, &c->tmp, st, f->k) < 0)
				return WEIR_FAIL_NOMEM;
			break;
		}
	}
	if (weir_pack_close(b, mark) < 0)
		return WEIR_FAIL_NOMEM;
	weir_record_set_packed(&r, b);
	return fn(arg, &r);
}

static void
grp_drop(weir_aggcl *c, uint32_t gid)
{
	grp_free(c, c->groups.e[gid].p);
	cm_del(&c->groups, gid);
}

int
weir_aggcl_apply(weir_aggcl *c, const weir_record *r, weir_agg_emit_fn fn,
    void *arg, char *err, size_t errsz)
{
	weir_pv root;
	const uint8_t *ogk;
	size_t ogkn;
	uint64_t h;
	uint32_t id, gid;
	struct grp *g;
	int del = 0, same = 0, rc;

	if (r->flags & WEIR_R_WINDOW) {
		weir_seterr(err, errsz, "a windowed record: --changelog "
		    "aggregates a table, not windows");
		return WEIR_FAIL_DATA;
	}
	if (!(r->flags & WEIR_R_KEY)) {
		weir_seterr(err, errsz, "a change without a key (--changelog "
		    "needs the key of the row it upserts or deletes)");
		return WEIR_FAIL_DATA;
	}
	if (r->enc == WEIR_ENC_NULL)
		del = 1;
	else if ((rc = weir_record_json(r, &c->root, &root)) <= 0) {
		if (rc == WEIR_FAIL_NOMEM)
			goto nomem;
		weir_seterr(err, errsz, "record value is not JSON");
		return WEIR_FAIL_DATA;
	} else if (root.type == WEIR_PV_NULL)
		del = 1;
	if (!del && row_make(c, r, &root) < 0)
		goto nomem;
	h = weir_hash(r->key, r->key_len, SEED);
	if ((id = cm_find(&c->rows, r->key, r->key_len, h)) != NONE) {
		/* retract the key's row from its group first */
		row_read(c, id, &ogk, &ogkn, c->opv, c->ohave);
		gid = cm_find(&c->groups, ogk, ogkn,
		    weir_hash(ogk, ogkn, SEED));
		g = c->groups.e[gid].p;
		if (grp_apply(c, g, c->opv, c->ohave, -1) < 0)
			goto nomem;
		same = !del && ogkn == c->gk.len &&
		    memcmp(ogk, c->gk.p, ogkn) == 0;
		if (!same) {
			rc = emit(c, ogk, ogkn, g->n ? g : NULL, r, fn, arg);
			if (!g->n)
				grp_drop(c, gid);
			if (rc < 0)
				return rc;
		}
		if (del) {
			cm_del(&c->rows, id);
			return 0;
		}
	} else if (del)
		return 0;	/* no such row */
	if ((id = cm_put(&c->rows, r->key, r->key_len, h, c->row.p,
	    c->row.len)) == NONE || (gid = row_add(c, id)) == NONE)
		goto nomem;
	return emit(c, cm_key(&c->groups, gid), c->groups.e[gid].klen,
	    c->groups.e[gid].p, r, fn, arg);
nomem:
	weir_seterr(err, errsz, "out of memory");
	return WEIR_FAIL_NOMEM;
}

/* --- checkpoints ---------------------------------------------------------- */

int
weir_aggcl_save(const weir_aggcl *c, weir_buf *out)
{
	const struct cmap *m = &c->rows;
	uint32_t id;

	if (weir_sw_u64(out, m->nlive) < 0)
		return WEIR_FAIL_NOMEM;
	for (id = 0; id < m->ne; id++)
		if (m->e[id].klen != NONE &&
		    (weir_sw_bytes(out, cm_key(m, id), m->e[id].klen) < 0 ||
		    weir_sw_bytes(out, cm_val(m, id), m->e[id].vlen) < 0))
			return WEIR_FAIL_NOMEM;
	return 0;
}

/* A stored row as row_make makes it: a group key of the group paths'
 * values (or 1 and the record key), then each path's value or none. */
static int
row_ok(const weir_aggcl *c, const uint8_t *p, size_t n)
{
	const weir_agg *a = c->a;
	const uint8_t *k, *end, *q;
	weir_pv v;
	weir_rd rd;
	size_t i, kn;

	weir_rd_init(&rd, p, n);
	k = weir_rd_bytes(&rd, &kn);
	if (rd.bad || (!a->ng && (kn < 1 || k[0] != 1)))
		return 0;
	for (i = 0, end = k + kn; i < a->ng; i++, k = q)
		if (!(q = weir_pv_read(k, end, &v)) ||
		    weir_pack_validate(k, (size_t)(q - k), NULL, 0) < 0)
			return 0;
	if (a->ng && k != end)
		return 0;
	for (i = 0; i < a->npaths && !rd.bad; i++) {
		uint64_t have = weir_rd_u64(&rd);
		if (have > 1)
			return 0;
		if (have && ((k = weir_rd_bytes(&rd, &kn)) == NULL ||
		    rd.bad || weir_pack_validate(k, kn, NULL, 0) < 0))
			return 0;
	}
	return !rd.bad && rd.p == rd.end;
}

int
weir_aggcl_load(weir_aggcl *c, weir_rd *rd, char *err, size_t errsz)
{
	uint64_t n = weir_rd_count(rd, 2), i;
	const uint8_t *k, *p;
	size_t kn, pn;
	uint64_t h;

	if (c->rows.nlive) {
		weir_seterr(err, errsz, "changelog state loaded twice");
		return WEIR_FAIL_DATA;
	}
	for (i = 0; i < n && !rd->bad; i++) {
		k = weir_rd_bytes(rd, &kn);
		p = weir_rd_bytes(rd, &pn);
		if (rd->bad || !row_ok(c, p, pn))
			break;
		h = weir_hash(k, kn, SEED);
		if (cm_find(&c->rows, k, kn, h) != NONE) {
			weir_seterr(err, errsz, "a row is saved twice");
			return WEIR_FAIL_DATA;
		}
		if (cm_put(&c->rows, k, kn, h, p, pn) == NONE ||
		    row_add(c, cm_find(&c->rows, k, kn, h)) == NONE) {
			weir_seterr(err, errsz, "out of memory");
			return WEIR_FAIL_NOMEM;
		}
	}
	if (i < n || rd->bad) {
		weir_seterr(err, errsz, "malformed changelog state");
		return WEIR_FAIL_DATA;
	}
	return 0;
}

uint64_t
weir_aggcl_rows(const weir_aggcl *c)
{
	return c->rows.nlive;
}

uint64_t
weir_aggcl_groups(const weir_aggcl *c)
{
	return c->groups.nlive;
}
