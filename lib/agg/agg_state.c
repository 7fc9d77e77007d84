/*
 * agg_state.c - the per-function state of an aggregation group: moments
 * (sum, avg, stddev, with the exact decimal sum), min/max, first/last,
 * distinct and topk value sets, approx_distinct and quantile sketches;
 * updating them and packing their results (see agg_int.h).
 */
#include "agg_int.h"

#include <math.h>
#include <stddef.h>
#include <stdlib.h>

#include "ddsketch.h"
#include "hash.h"
#include "hll.h"

static const int64_t pow10i[] = {
	1, 10, 100, 1000, 10000, 100000, 1000000, 10000000, 100000000,
	1000000000, 10000000000LL, 100000000000LL, 1000000000000LL,
	10000000000000LL, 100000000000000LL, 1000000000000000LL,
	10000000000000000LL, 100000000000000000LL, 1000000000000000000LL
};

struct mom {			/* sum, avg, stddev: 32 bytes without stddev */
	uint64_t n : 56;
	uint64_t scale : 7;	/* isum's: the sum is isum / 10^scale */
	uint64_t notint : 1;
	double sum, comp;	/* Neumaier-compensated sum */
	int64_t isum;		/* exact while every value is an integer or a
				 * short decimal */
	double mean, m2;	/* Welford, when stddev asks for it: only then
				 * are they in the group block */
};

/* Add an integer or a decimal of up to 18 digits to the exact sum,
 * rescaling it to the larger scale; -1 (fall back to doubles) on overflow
 * or other numbers. */
static int
exact_add(struct mom *m, const weir_pv *v)
{
	int64_t x, i;
	int sc;

	if (!weir_pv_exact(v, &i, &sc))
		return -1;
	if (sc > m->scale) {
		if (__builtin_mul_overflow(m->isum, pow10i[sc - m->scale],
		    &m->isum))
			return -1;
		m->scale = sc;
	}
	if (__builtin_mul_overflow(i, pow10i[m->scale - sc], &x) ||
	    __builtin_add_overflow(m->isum, x, &m->isum))
		return -1;
	return 0;
}

static int
pack_exact(weir_buf *b, const struct mom *m)
{
	weir_buf t = {0};
	int rc;

	if (m->scale == 0)
		return weir_pack_int(b, m->isum);
	rc = weir_json_put_dec(&t, m->isum, m->scale);
	if (rc == 0)
		rc = weir_pack_numtext(b, (const char *)t.p, t.len);
	weir_buf_free(&t);
	return rc;
}

struct vbuf {			/* first, last: a packed value */
	uint8_t *p;
	uint32_t len, cap;
};

/* min, max: numbers, and strings (which sort after numbers, as in SQL).
 * The numbers are kept as they came (packed), compared exactly; min and
 * max hold their doubles, so most values are settled without that. */
struct minmax {
	uint64_t n;
	double min, max;
	struct vbuf nmin, nmax;
	struct vbuf smin, smax;
};

/* approx_distinct: exact hashes while there are few, then HyperLogLog
 * registers (16 KiB), so a group with a handful of values stays small. */
#define HLL_SMALL 32
struct hllst {
	weir_hll h;		/* h.reg NULL while small */
	uint64_t *small;
	uint32_t n;
};

struct vent {			/* one distinct value */
	uint64_t hash, count;
	uint32_t off, len;	/* in vset.vals */
};

struct vset {			/* distinct, topk: exact value counts */
	struct vent *e;
	uint32_t n, cap;	/* cap: power of two, open addressing */
	weir_buf vals;
};

static const int st_of[] = {
	[WEIR_AGG_SUM] = ST_MOM, [WEIR_AGG_AVG] = ST_MOM,
	[WEIR_AGG_STDDEV] = ST_MOM, [WEIR_AGG_MIN] = ST_MINMAX,
	[WEIR_AGG_MAX] = ST_MINMAX, [WEIR_AGG_FIRST] = ST_FIRST,
	[WEIR_AGG_LAST] = ST_LAST, [WEIR_AGG_DISTINCT] = ST_SET,
	[WEIR_AGG_TOPK] = ST_SET, [WEIR_AGG_APPROX_DISTINCT] = ST_HLL,
	[WEIR_AGG_QUANTILE] = ST_DDS, [WEIR_AGG_MAX_BY] = ST_BYMAX,
	[WEIR_AGG_TOP] = ST_BYMAX, [WEIR_AGG_MIN_BY] = ST_BYMIN,
};

static const size_t st_size[] = {
	[ST_MOM] = sizeof(struct mom), [ST_MINMAX] = sizeof(struct minmax),
	[ST_FIRST] = sizeof(struct vbuf), [ST_LAST] = sizeof(struct vbuf),
	[ST_SET] = sizeof(struct vset *), [ST_HLL] = sizeof(struct hllst),
	[ST_DDS] = sizeof(weir_dds),
};

size_t
weir__agg_state_bytes(const struct state *st)
{
	if (st->kind == ST_MOM && !st->welford)
		return offsetof(struct mom, mean);
	if (st->kind == ST_BYMAX || st->kind == ST_BYMIN)
		return weir__agg_by_size();
	return st_size[st->kind];
}

int
weir__agg_state_kind(int fkind)
{
	return st_of[fkind];
}

/* --- values ------------------------------------------------------------- */

/* A number by the one number rule (weir_pv_as_num: JSON numbers, and
 * strings that hold one, as CSV input does) into *num, and its double:
 * 1, 0 (not a number), or WEIR_FAIL_NOMEM. */
static int
num_of(weir_agg *a, const weir_pv *v, weir_pv *num, double *x)
{
	int rc;

	a->canon.len = 0;
	if ((rc = weir_pv_as_num(v, &a->canon, num)) <= 0)
		return rc;
	*x = weir_pv_num(num);
	return 1;
}

/* The identity of a value for distinct counting: its canonical form
 * (weir_pv_canon: 1 and 1.0 are one value, "\u00e9" and "é" too). */
static int
canon(weir_agg *a, const weir_pv *v, const uint8_t **p, size_t *n)
{
	if ((*v->tag & 0xe0) == WEIR_PK_SSTR) {
		/* a short plain string is its own canonical form */
		*p = v->tag;
		*n = (size_t)(v->end - v->tag);
		return 0;
	}
	a->canon.len = 0;
	if (weir_pv_canon(&a->canon, v) < 0)
		return -1;
	*p = a->canon.p;
	*n = a->canon.len;
	return 0;
}

static int
vbuf_set(struct vbuf *b, const weir_pv *v)
{
	size_t n = (size_t)(v->end - v->tag);

	if (n > b->cap) {
		uint32_t cap = b->cap ? b->cap : 16;
		uint8_t *p;
		while (cap < n)
			cap *= 2;
		if (!(p = realloc(b->p, cap)))
			return -1;
		b->p = p;
		b->cap = cap;
	}
	memcpy(b->p, v->tag, n);
	b->len = (uint32_t)n;
	return 0;
}

static int
vset_add(struct vset **pvs, const uint8_t *k, size_t n)
{
	struct vset *vs = *pvs;
	uint64_t h = weir_hash(k, n, SEED ^ 1);
	uint32_t i, mask;
	struct vent *e;

	if (!vs) {
		if (!(vs = calloc(1, sizeof(*vs))))
			return -1;
		*pvs = vs;
	}
	if ((vs->n + 1) * 2 > vs->cap) {
		uint32_t cap = vs->cap ? vs->cap * 2 : 16, j;
		struct vent *ne = calloc(cap, sizeof(*ne));
		if (!ne)
			return -1;
		for (j = 0; j < vs->cap; j++) {
			if (!vs->e[j].count)
				continue;
			for (i = (uint32_t)vs->e[j].hash & (cap - 1); ne[i].count;
			    i = (i + 1) & (cap - 1))
				;
			ne[i] = vs->e[j];
		}
		free(vs->e);
		vs->e = ne;
		vs->cap = cap;
	}
	mask = vs->cap - 1;
	for (i = (uint32_t)h & mask; (e = &vs->e[i])->count; i = (i + 1) & mask)
		if (e->hash == h && e->len == n &&
		    memcmp(vs->vals.p + e->off, k, n) == 0) {
			e->count++;
			return 0;
		}
	if (vs->vals.len + n > UINT32_MAX || weir_buf_put(&vs->vals, k, n) < 0)
		return -1;
	e->hash = h;
	e->count = 1;
	e->off = (uint32_t)(vs->vals.len - n);
	e->len = (uint32_t)n;
	vs->n++;
	return 0;
}

static int vcmp(const uint8_t *, size_t, const uint8_t *, size_t);

static int
str_minmax(struct minmax *m, const weir_pv *v)
{
	size_t n = (size_t)(v->end - v->tag);

	if ((!m->smin.p || vcmp(v->tag, n, m->smin.p, m->smin.len) < 0) &&
	    vbuf_set(&m->smin, v) < 0)
		return -1;
	if ((!m->smax.p || vcmp(v->tag, n, m->smax.p, m->smax.len) > 0) &&
	    vbuf_set(&m->smax, v) < 0)
		return -1;
	return 0;
}

/* A number into min and max: exactly, the doubles only as a first test. */
static int
num_minmax(struct minmax *m, const weir_pv *v, double x)
{
	weir_pv cur;

	if (!m->n || x < m->min || (x == m->min &&
	    (weir_pv_of(m->nmin.p, m->nmin.len, &cur),
	    weir_pv_numcmp(v, &cur) < 0))) {
		if (vbuf_set(&m->nmin, v) < 0)
			return -1;
		m->min = x;
	}
	if (!m->n || x > m->max || (x == m->max &&
	    (weir_pv_of(m->nmax.p, m->nmax.len, &cur),
	    weir_pv_numcmp(v, &cur) > 0))) {
		if (vbuf_set(&m->nmax, v) < 0)
			return -1;
		m->max = x;
	}
	m->n++;
	return 0;
}

static int
hll_add(struct hllst *s, uint64_t h)
{
	uint32_t i;

	if (s->h.reg) {
		weir_hll_add(&s->h, h);
		return 0;
	}
	for (i = 0; i < s->n; i++)
		if (s->small[i] == h)
			return 0;
	if (s->n < HLL_SMALL) {
		if (!s->small &&
		    !(s->small = malloc(HLL_SMALL * sizeof(*s->small))))
			return -1;
		s->small[s->n++] = h;
		return 0;
	}
	if (weir_hll_init(&s->h, WEIR_HLL_P_DEFAULT) < 0)
		return -1;
	for (i = 0; i < s->n; i++)
		weir_hll_add(&s->h, s->small[i]);
	weir_hll_add(&s->h, h);
	free(s->small);
	s->small = NULL;
	return 0;
}

void
weir__agg_state_init(weir_agg *a, uint8_t *blk)
{
	size_t st;

	for (st = 0; st < a->nst; st++)
		if (a->st[st].kind == ST_DDS)
			weir_dds_init((weir_dds *)(blk + a->st[st].off));
}

void
weir__agg_state_free(weir_agg *a, uint8_t *blk)
{
	size_t k;

	for (k = 0; k < a->nst; k++) {
		void *p = blk + a->st[k].off;
		switch (a->st[k].kind) {
		case ST_FIRST:
		case ST_LAST:
			free(((struct vbuf *)p)->p);
			break;
		case ST_MINMAX:
			free(((struct minmax *)p)->nmin.p);
			free(((struct minmax *)p)->nmax.p);
			free(((struct minmax *)p)->smin.p);
			free(((struct minmax *)p)->smax.p);
			break;
		case ST_SET: {
			struct vset *vs = *(struct vset **)p;
			if (vs) {
				free(vs->e);
				weir_buf_free(&vs->vals);
				free(vs);
			}
			break;
		}
		case ST_HLL:
			weir_hll_free(&((struct hllst *)p)->h);
			free(((struct hllst *)p)->small);
			break;
		case ST_DDS:
			weir_dds_free(p);
			break;
		case ST_BYMAX:
		case ST_BYMIN:
			weir__agg_by_free(p);
			break;
		}
	}
}

int
weir__agg_state_update(weir_agg *a, uint8_t *blk)
{
	size_t i;
	double x;
	const uint8_t *k;
	size_t kn;
	weir_pv num;
	int isnum;

	for (i = 0; i < a->nst; i++) {
		const struct state *st = &a->st[i];
		const weir_pv *v = &a->pv[st->path];
		void *p = blk + st->off;

		if (!a->have[st->path])
			continue;
		switch (st->kind) {
		case ST_MOM: {
			struct mom *m = p;
			double t;
			if ((isnum = num_of(a, v, &num, &x)) < 0)
				return -1;
			if (!isnum || !isfinite(x))
				break;
			m->n++;
			if (!m->notint && exact_add(m, &num) < 0)
				m->notint = 1;
			t = m->sum + x;
			if (fabs(m->sum) >= fabs(x))
				m->comp += (m->sum - t) + x;
			else
				m->comp += (x - t) + m->sum;
			m->sum = t;
			if (st->welford) {
				double d = x - m->mean;
				m->mean += d / (double)m->n;
				m->m2 += d * (x - m->mean);
			}
			break;
		}
		case ST_MINMAX: {
			struct minmax *m = p;
			if ((isnum = num_of(a, v, &num, &x)) < 0)
				return -1;
			if (!isnum) {
				if (v->type == WEIR_PV_STRING && str_minmax(m, v) < 0)
					return -1;
				break;
			}
			if (num_minmax(m, &num, x) < 0)
				return -1;
			break;
		}
		case ST_FIRST:
			if (!((struct vbuf *)p)->p && vbuf_set(p, v) < 0)
				return -1;
			break;
		case ST_LAST:
			if (vbuf_set(p, v) < 0)
				return -1;
			break;
		case ST_SET:
			if (v->type == WEIR_PV_NULL)
				break;
			if (canon(a, v, &k, &kn) < 0 || vset_add(p, k, kn) < 0)
				return -1;
			break;
		case ST_HLL:
			if (v->type == WEIR_PV_NULL)
				break;
			if (canon(a, v, &k, &kn) < 0 ||
			    hll_add(p, weir_hash(k, kn, SEED ^ 2)) < 0)
				return -1;
			break;
		case ST_DDS:
			if ((isnum = num_of(a, v, &num, &x)) < 0 ||
			    (isnum && isfinite(x) && weir_dds_add(p, x) < 0))
				return -1;
			break;
		case ST_BYMAX:
		case ST_BYMIN:
			if (weir__agg_by_update(a, st, p, v) < 0)
				return -1;
			break;
		}
	}
	return 0;
}

/* --- results ------------------------------------------------------------ */

static int
pack_num_or_null(weir_buf *b, int have, double x)
{
	return have ? weir_pack_double(b, x) : weir_pack_null(b);
}

/* Order of topk ties: by value, strings bytewise, numbers numerically. */
static int
vcmp(const uint8_t *p, size_t pn, const uint8_t *q, size_t qn)
{
	weir_pv a, b;
	size_t n;
	int c;

	weir_pv_read(p, p + pn, &a);
	weir_pv_read(q, q + qn, &b);
	if (a.type == WEIR_PV_STRING && b.type == WEIR_PV_STRING) {
		n = a.n < b.n ? a.n : b.n;
		c = memcmp(a.s, b.s, n);
		return c ? c : (a.n > b.n) - (a.n < b.n);
	}
	if (weir_pv_is_num(&a) && weir_pv_is_num(&b))
		return weir_pv_numcmp(&a, &b);
	if (a.type != b.type)
		return a.type - b.type;
	n = pn < qn ? pn : qn;
	c = memcmp(p, q, n);
	return c ? c : (pn > qn) - (pn < qn);
}

static int
topk_cmp(const void *x, const void *y, void *arg)
{
	const struct vset *vs = arg;
	const struct vent *a = &vs->e[*(const uint32_t *)x];
	const struct vent *b = &vs->e[*(const uint32_t *)y];

	if (a->count != b->count)
		return a->count > b->count ? -1 : 1;
	return vcmp(vs->vals.p + a->off, a->len, vs->vals.p + b->off, b->len);
}

static int
pack_topk(weir_agg *a, weir_buf *b, const struct vset *vs, uint32_t k)
{
	size_t mark = weir_pack_open(b, WEIR_PK_ARR), m;
	uint32_t i, n = 0;
	weir_pv v;

	if (vs && vs->n) {
		if (a->ordcap < vs->n) {
			uint32_t *o = realloc(a->order, vs->n * sizeof(*o));
			if (!o)
				return -1;
			a->order = o;
			a->ordcap = vs->n;
		}
		for (i = 0; i < vs->cap; i++)
			if (vs->e[i].count)
				a->order[n++] = i;
		qsort_r(a->order, n, sizeof(*a->order), topk_cmp, (void *)vs);
		for (i = 0; i < n && i < k; i++) {
			const struct vent *e = &vs->e[a->order[i]];
			m = weir_pack_open(b, WEIR_PK_OBJ);
			weir_pv_read(vs->vals.p + e->off, vs->vals.p + e->off +
			    e->len, &v);
			if (pack_name(b, "value") < 0 || weir_pack_raw(b, &v) < 0 ||
			    pack_name(b, "count") < 0 ||
			    weir_pack_int(b, (int64_t)e->count) < 0 ||
			    weir_pack_close(b, m) < 0)
				return -1;
		}
	}
	return weir_pack_close(b, mark);
}

static int
pack_vbuf(weir_buf *b, const struct vbuf *vb)
{
	weir_pv v;

	if (!vb->p)
		return weir_pack_null(b);
	weir_pv_read(vb->p, vb->p + vb->len, &v);
	return weir_pack_raw(b, &v);
}

int
weir__agg_pack_func(weir_agg *a, weir_buf *b, const struct func *f,
    struct gent *g)
{
	void *p = f->st >= 0 ? (uint8_t *)(g + 1) + a->st[f->st].off : NULL;
	const struct mom *m = p;
	const struct minmax *mm = p;
	const struct vbuf *vb = p;

	switch (f->kind) {
	case WEIR_AGG_COUNT:
		return weir_pack_int(b, (int64_t)g->count);
	case WEIR_AGG_SUM:
		if (m->n && !m->notint)	/* integers and decimals: exact */
			return pack_exact(b, m);
		return pack_num_or_null(b, m->n > 0, m->sum + m->comp);
	case WEIR_AGG_AVG:
		return pack_num_or_null(b, m->n > 0, (m->n && !m->notint ?
		    (double)m->isum / pow10i[m->scale] : m->sum + m->comp) /
		    (double)m->n);
	case WEIR_AGG_STDDEV:
		return pack_num_or_null(b, m->n > 1,
		    sqrt(m->m2 / (double)(m->n - 1)));
	case WEIR_AGG_MIN:
		return pack_vbuf(b, mm->n ? &mm->nmin : &mm->smin);
	case WEIR_AGG_MAX:
		return pack_vbuf(b, mm->smax.p ? &mm->smax : &mm->nmax);
	case WEIR_AGG_FIRST:
	case WEIR_AGG_LAST:
		return pack_vbuf(b, vb);
	case WEIR_AGG_DISTINCT: {
		const struct vset *vs = *(struct vset **)p;
		return weir_pack_int(b, vs ? (int64_t)vs->n : 0);
	}
	case WEIR_AGG_APPROX_DISTINCT: {
		const struct hllst *h = p;
		return weir_pack_int(b, h->h.reg ?
		    (int64_t)llround(weir_hll_count(&h->h)) : h->n);
	}
	case WEIR_AGG_QUANTILE: {
		const weir_dds *d = p;
		return pack_num_or_null(b, d->count > 0,
		    weir_dds_quantile(d, f->q));
	}
	case WEIR_AGG_TOPK:
		return pack_topk(a, b, *(struct vset **)p, f->k);
	case WEIR_AGG_MAX_BY:
	case WEIR_AGG_MIN_BY:
	case WEIR_AGG_TOP:
		return weir__agg_by_pack(b, f, p);
	}
	return -1;
}

/* --- checkpoints ---------------------------------------------------------- */

static int
vbuf_save(weir_buf *out, const struct vbuf *vb)
{
	if (!vb->p)
		return weir_sw_u64(out, 0);
	if (weir_sw_u64(out, 1) < 0)
		return -1;
	return weir_sw_bytes(out, vb->p, vb->len);
}

/* One well-formed packed value of rd (*n bytes), or NULL. */
static const uint8_t *
rd_value(weir_rd *rd, size_t *n)
{
	const uint8_t *p = weir_rd_bytes(rd, n);

	if (rd->bad || !*n || *n > UINT32_MAX ||
	    weir_pack_validate(p, *n, NULL, 0) < 0) {
		rd->bad = 1;
		return NULL;
	}
	return p;
}

/* A saved flag: 0 or 1, anything else is malformed. */
static int
rd_flag(weir_rd *rd)
{
	uint64_t v = weir_rd_u64(rd);

	if (v > 1)
		rd->bad = 1;
	return v == 1 && !rd->bad;
}

static int
vbuf_load(weir_rd *rd, struct vbuf *vb)
{
	const uint8_t *p;
	size_t n;

	if (!rd_flag(rd))
		return rd->bad ? WEIR_SNAP_EBAD : 0;
	if (!(p = rd_value(rd, &n)))
		return WEIR_SNAP_EBAD;
	if (!(vb->p = malloc(n)))
		return WEIR_FAIL_NOMEM;
	memcpy(vb->p, p, n);
	vb->len = vb->cap = (uint32_t)n;
	return 0;
}

/* A value set as its table: the entries with their slots, so that a load
 * has the same layout (topk orders ties by the table's order). */
static int
vset_save(weir_buf *out, const struct vset *vs)
{
	uint32_t i;

	if (!vs)
		return weir_sw_u64(out, 0);
	if (weir_sw_u64(out, 1) < 0 || weir_sw_u64(out, vs->cap) < 0 ||
	    weir_sw_u64(out, vs->n) < 0)
		return -1;
	for (i = 0; i < vs->cap; i++) {
		const struct vent *e = &vs->e[i];
		if (!e->count)
			continue;
		if (weir_sw_u64(out, i) < 0 || weir_sw_u64(out, e->hash) < 0 ||
		    weir_sw_u64(out, e->count) < 0 ||
		    weir_sw_bytes(out, vs->vals.p + e->off, e->len) < 0)
			return -1;
	}
	return 0;
}

static int
vset_load(weir_rd *rd, struct vset **pvs)
{
	uint64_t cap, n, i, at;
	struct vset *vs;
	struct vent *e;
	const uint8_t *p;
	size_t len;

	if (!rd_flag(rd))
		return rd->bad ? WEIR_SNAP_EBAD : 0;
	cap = weir_rd_u64(rd);
	n = weir_rd_count(rd, 4);
	/* as vset_add leaves it: a power of two at least twice n, at most
	 * doubled once past that */
	if (rd->bad || (cap & (cap - 1)) || n * 2 > cap ||
	    (cap > 16 && cap > 4 * n + 4) || (cap && cap < 16) ||
	    cap > (1u << 31))
		return WEIR_SNAP_EBAD;
	if (!(vs = calloc(1, sizeof(*vs))))
		return WEIR_FAIL_NOMEM;
	*pvs = vs;
	if (cap && !(vs->e = calloc(cap, sizeof(*vs->e))))
		return WEIR_FAIL_NOMEM;
	vs->cap = (uint32_t)cap;
	for (i = 0; i < n; i++) {
		at = weir_rd_u64(rd);
		if (rd->bad || at >= cap || vs->e[at].count)
			return WEIR_SNAP_EBAD;
		e = &vs->e[at];
		e->hash = weir_rd_u64(rd);
		e->count = weir_rd_u64(rd);
		if (!(p = rd_value(rd, &len)) || !e->count ||
		    vs->vals.len + len > UINT32_MAX) {
			e->count = 0;
			return WEIR_SNAP_EBAD;
		}
		if (weir_buf_put(&vs->vals, p, len) < 0) {
			e->count = 0;
			return WEIR_FAIL_NOMEM;
		}
		e->off = (uint32_t)(vs->vals.len - len);
		e->len = (uint32_t)len;
		vs->n++;
	}
	return 0;
}

int
weir__agg_state_save(const weir_agg *a, const uint8_t *blk, weir_buf *out)
{
	size_t i;

	for (i = 0; i < a->nst; i++) {
		const void *p = blk + a->st[i].off;
		switch (a->st[i].kind) {
		case ST_MOM: {
			const struct mom *m = p;
			if (weir_sw_u64(out, m->n) < 0 ||
			    weir_sw_f64(out, m->sum) < 0 ||
			    weir_sw_f64(out, m->comp) < 0 ||
			    weir_sw_f64(out, a->st[i].welford ? m->mean : 0) < 0 ||
			    weir_sw_f64(out, a->st[i].welford ? m->m2 : 0) < 0 ||
			    weir_sw_i64(out, m->isum) < 0 ||
			    weir_sw_u64(out, (uint64_t)m->scale) < 0 ||
			    weir_sw_u64(out, (uint64_t)m->notint) < 0)
				return -1;
			break;
		}
		case ST_MINMAX: {
			const struct minmax *m = p;
			if (weir_sw_u64(out, m->n) < 0 ||
			    weir_sw_f64(out, m->min) < 0 ||
			    weir_sw_f64(out, m->max) < 0 ||
			    vbuf_save(out, &m->nmin) < 0 ||
			    vbuf_save(out, &m->nmax) < 0 ||
			    vbuf_save(out, &m->smin) < 0 ||
			    vbuf_save(out, &m->smax) < 0)
				return -1;
			break;
		}
		case ST_FIRST:
		case ST_LAST:
			if (vbuf_save(out, p) < 0)
				return -1;
			break;
		case ST_SET:
			if (vset_save(out, *(struct vset *const *)p) < 0)
				return -1;
			break;
		case ST_HLL: {
			const struct hllst *h = p;
			uint32_t k;
			if (h->h.reg) {
				if (weir_sw_u64(out, 1) < 0 ||
				    weir_hll_save(&h->h, out) < 0)
					return -1;
				break;
			}
			if (weir_sw_u64(out, 0) < 0 ||
			    weir_sw_u64(out, h->n) < 0)
				return -1;
			for (k = 0; k < h->n; k++)
				if (weir_sw_u64(out, h->small[k]) < 0)
					return -1;
			break;
		}
		case ST_DDS:
			if (weir_dds_save(p, out) < 0)
				return -1;
			break;
		case ST_BYMAX:
		case ST_BYMIN:
			if (weir__agg_by_save(p, out) < 0)
				return -1;
			break;
		}
	}
	return 0;
}

int
weir__agg_state_load(weir_agg *a, uint8_t *blk, weir_rd *rd)
{
	size_t i;
	int rc = 0;

	for (i = 0; i < a->nst && rc == 0 && !rd->bad; i++) {
		void *p = blk + a->st[i].off;
		switch (a->st[i].kind) {
		case ST_MOM: {
			struct mom *m = p;
			uint64_t sc, ni;
			double mean, m2;
			if ((sc = weir_rd_u64(rd)) >> 56)
				rc = WEIR_SNAP_EBAD;
			m->n = sc;
			m->sum = weir_rd_f64(rd);
			m->comp = weir_rd_f64(rd);
			mean = weir_rd_f64(rd);
			m2 = weir_rd_f64(rd);
			if (a->st[i].welford) {
				m->mean = mean;
				m->m2 = m2;
			}
			m->isum = weir_rd_i64(rd);
			sc = weir_rd_u64(rd);
			ni = weir_rd_u64(rd);
			if (sc >= sizeof(pow10i) / sizeof(pow10i[0]) || ni > 1)
				rc = WEIR_SNAP_EBAD;
			m->scale = rc ? 0 : sc;
			m->notint = ni;
			break;
		}
		case ST_MINMAX: {
			struct minmax *m = p;
			m->n = weir_rd_u64(rd);
			m->min = weir_rd_f64(rd);
			m->max = weir_rd_f64(rd);
			if ((rc = vbuf_load(rd, &m->nmin)) == 0 &&
			    (rc = vbuf_load(rd, &m->nmax)) == 0 &&
			    (rc = vbuf_load(rd, &m->smin)) == 0)
				rc = vbuf_load(rd, &m->smax);
			break;
		}
		case ST_FIRST:
		case ST_LAST:
			rc = vbuf_load(rd, p);
			break;
		case ST_SET:
			rc = vset_load(rd, p);
			break;
		case ST_HLL: {
			struct hllst *h = p;
			uint64_t n, k;
			if (rd_flag(rd)) {
				rc = weir_hll_load(&h->h, WEIR_HLL_P_DEFAULT, rd);
				break;
			}
			n = weir_rd_count(rd, 1);
			if (rd->bad || n > HLL_SMALL) {
				rc = WEIR_SNAP_EBAD;
				break;
			}
			if (n && !(h->small = malloc(HLL_SMALL *
			    sizeof(*h->small)))) {
				rc = WEIR_FAIL_NOMEM;
				break;
			}
			for (k = 0; k < n; k++)
				h->small[h->n++] = weir_rd_u64(rd);
			break;
		}
		case ST_DDS:
			rc = weir_dds_load(p, rd);
			break;
		case ST_BYMAX:
		case ST_BYMIN:
			rc = weir__agg_by_load(a, &a->st[i], p, rd);
			break;
		}
	}
	if (rc == 0 && rd->bad)
		rc = WEIR_SNAP_EBAD;
	return rc;
}

/* The order of min and max (strings bytewise after numbers by value), for
 * changelog.c. */
int
weir__agg_vcmp(const uint8_t *p, size_t pn, const uint8_t *q, size_t qn)
{
	return vcmp(p, pn, q, qn);
}
