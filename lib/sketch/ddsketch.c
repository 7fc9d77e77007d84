/* ddsketch.c - relative-error quantile sketch (see ddsketch.h). */
#include "ddsketch.h"

#include <float.h>
#include <math.h>
#include <stdlib.h>

#define GAMMA ((1 + WEIR_DDS_ALPHA) / (1 - WEIR_DDS_ALPHA))

static double ln_gamma;		/* log(GAMMA), set on first use */

static inline double
lg(void)
{
	if (ln_gamma == 0)
		ln_gamma = log(GAMMA);
	return ln_gamma;
}

void
weir_dds_init(weir_dds *d)
{
	memset(d, 0, sizeof(*d));
	d->min = INFINITY;
	d->max = -INFINITY;
}

void
weir_dds_free(weir_dds *d)
{
	free(d->pos.c);
	free(d->neg.c);
	weir_dds_init(d);
}

/* Bucket index of a positive normal value: gamma^(i-1) < x <= gamma^i. */
static inline int32_t
bucket(double x)
{
	return (int32_t)ceil(log(x) / lg());
}

/* The value that stands for bucket i: within ALPHA of all its members. */
static inline double
bucket_value(int32_t i)
{
	return 2 * pow(GAMMA, i) / (GAMMA + 1);
}

/* Make room for index i; collapse the lowest buckets past MAX_BINS. */
static int
store_fit(weir_dds_store *s, int32_t *i)
{
	int32_t lo, hi;
	uint32_t need, cap;
	uint64_t *c;

	if (s->n == 0) {
		if (s->cap == 0) {
			s->c = calloc(64, sizeof(*s->c));
			if (!s->c)
				return -1;
			s->cap = 64;
		}
		s->off = *i - 16;	/* some room below */
		s->n = 32;
		memset(s->c, 0, s->cap * sizeof(*s->c));
		return 0;
	}
	if (*i >= s->off && *i < s->off + (int32_t)s->n)
		return 0;
	lo = *i < s->off ? *i : s->off;
	hi = *i >= s->off + (int32_t)s->n ? *i : s->off + (int32_t)s->n - 1;
	if ((int64_t)hi - lo + 1 > WEIR_DDS_MAX_BINS) {
		/* Keep the top MAX_BINS buckets; fold the rest into the lowest. */
		int32_t nlo = hi - WEIR_DDS_MAX_BINS + 1;
		if (*i < nlo) {
			*i = nlo;	/* a tiny value joins the lowest bucket */
			if (nlo >= s->off && hi < s->off + (int32_t)s->n)
				return 0;
		}
		if (nlo > s->off) {
			uint64_t fold = 0;
			int32_t k, drop = nlo - s->off;
			if ((uint32_t)drop > s->n)
				drop = (int32_t)s->n;
			for (k = 0; k < drop; k++)
				fold += s->c[k];
			memmove(s->c, s->c + drop, (s->n - (uint32_t)drop) *
			    sizeof(*s->c));
			memset(s->c + s->n - drop, 0, (size_t)drop * sizeof(*s->c));
			s->c[0] += fold;
			s->off += drop;
			s->n -= (uint32_t)drop;
			if (s->n == 0) {
				s->off = nlo;
				s->n = 1;
			}
		}
		lo = *i < s->off ? *i : s->off;
	}
	need = (uint32_t)(hi - lo + 1);
	if (need > s->cap) {
		cap = s->cap;
		while (cap < need)
			cap *= 2;
		c = realloc(s->c, cap * sizeof(*c));
		if (!c)
			return -1;
		memset(c + s->cap, 0, (cap - s->cap) * sizeof(*c));
		s->c = c;
		s->cap = cap;
	}
	if (lo < s->off) {
		uint32_t sh = (uint32_t)(s->off - lo);
		memmove(s->c + sh, s->c, s->n * sizeof(*s->c));
		memset(s->c, 0, sh * sizeof(*s->c));
		s->off = lo;
	}
	s->n = need;
	return 0;
}

static int
store_add(weir_dds_store *s, int32_t i, uint64_t n)
{
	if (store_fit(s, &i) < 0)
		return -1;
	s->c[i - s->off] += n;
	return 0;
}

int
weir_dds_add(weir_dds *d, double x)
{
	if (!isfinite(x))
		return 0;
	if (fabs(x) < DBL_MIN)
		d->zero++;
	else if (store_add(x > 0 ? &d->pos : &d->neg, bucket(fabs(x)), 1) < 0)
		return WEIR_FAIL_NOMEM;
	d->count++;
	if (x < d->min)
		d->min = x;
	if (x > d->max)
		d->max = x;
	return 0;
}

static int
store_merge(weir_dds_store *dst, const weir_dds_store *src)
{
	uint32_t k;

	for (k = 0; k < src->n; k++)
		if (src->c[k] && store_add(dst, src->off + (int32_t)k,
		    src->c[k]) < 0)
			return -1;
	return 0;
}

int
weir_dds_merge(weir_dds *dst, const weir_dds *src)
{
	if (store_merge(&dst->pos, &src->pos) < 0 ||
	    store_merge(&dst->neg, &src->neg) < 0)
		return WEIR_FAIL_NOMEM;
	dst->zero += src->zero;
	dst->count += src->count;
	if (src->min < dst->min)
		dst->min = src->min;
	if (src->max > dst->max)
		dst->max = src->max;
	return 0;
}

uint64_t
weir_dds_rank(double q, uint64_t n)
{
	double r = ceil(q * (double)n - 1e-9);

	if (r < 1)
		return 1;
	return r > (double)n ? n : (uint64_t)r;
}

double
weir_dds_quantile(const weir_dds *d, double q)
{
	double v = NAN;
	uint64_t cum = 0, rank;
	uint32_t k;

	if (d->count == 0 || !(q >= 0 && q <= 1))
		return NAN;
	rank = weir_dds_rank(q, d->count);
	/* Most negative first: the negative store from its top down. */
	for (k = d->neg.n; k-- > 0;) {
		cum += d->neg.c[k];
		if (cum >= rank) {
			v = -bucket_value(d->neg.off + (int32_t)k);
			goto out;
		}
	}
	cum += d->zero;
	if (cum >= rank) {
		v = 0;
		goto out;
	}
	for (k = 0; k < d->pos.n; k++) {
		cum += d->pos.c[k];
		if (cum >= rank) {
			v = bucket_value(d->pos.off + (int32_t)k);
			goto out;
		}
	}
	v = d->max;
out:
	if (v < d->min)
		v = d->min;
	if (v > d->max)
		v = d->max;
	return v;
}

/* --- checkpoints ---------------------------------------------------------- */

static int
store_save(const weir_dds_store *s, weir_buf *out)
{
	uint32_t k;

	if (weir_sw_i64(out, s->off) < 0 || weir_sw_u64(out, s->n) < 0)
		return -1;
	for (k = 0; k < s->n; k++)
		if (weir_sw_u64(out, s->c[k]) < 0)
			return -1;
	return 0;
}

int
weir_dds_save(const weir_dds *d, weir_buf *out)
{
	if (weir_sw_u64(out, d->count) < 0 || weir_sw_u64(out, d->zero) < 0 ||
	    weir_sw_f64(out, d->min) < 0 || weir_sw_f64(out, d->max) < 0)
		return WEIR_FAIL_NOMEM;
	return store_save(&d->pos, out) < 0 || store_save(&d->neg, out) < 0 ?
	    WEIR_FAIL_NOMEM : 0;
}

/* Bucket indexes of finite doubles stay far inside this. */
#define MAX_INDEX (1 << 20)

/* A store, adding its counts to *sum (-1 when it would overflow). */
static int
store_load(weir_dds_store *s, weir_rd *rd, uint64_t *sum)
{
	int64_t off = weir_rd_i64(rd);
	uint64_t n = weir_rd_count(rd, 1), k;
	uint32_t cap = 64;

	if (rd->bad || n > WEIR_DDS_MAX_BINS || off < -MAX_INDEX ||
	    off > MAX_INDEX)
		return WEIR_SNAP_EBAD;
	if (!n)
		return 0;
	while (cap < n)
		cap *= 2;
	if (!(s->c = calloc(cap, sizeof(*s->c))))
		return WEIR_FAIL_NOMEM;
	s->cap = cap;
	s->n = (uint32_t)n;
	s->off = (int32_t)off;
	for (k = 0; k < n; k++) {
		s->c[k] = weir_rd_u64(rd);
		if (__builtin_add_overflow(*sum, s->c[k], sum))
			return WEIR_SNAP_EBAD;
	}
	return rd->bad ? -1 : 0;
}

int
weir_dds_load(weir_dds *d, weir_rd *rd)
{
	uint64_t sum;
	int rc;

	d->count = weir_rd_u64(rd);
	sum = d->zero = weir_rd_u64(rd);
	d->min = weir_rd_f64(rd);
	d->max = weir_rd_f64(rd);
	if ((rc = store_load(&d->pos, rd, &sum)) < 0 ||
	    (rc = store_load(&d->neg, rd, &sum)) < 0)
		return rc;
	/* every value is counted once, and min <= max when there are some */
	if (rd->bad || sum != d->count || (d->count && !(d->min <= d->max)))
		return WEIR_SNAP_EBAD;
	return 0;
}
