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
 *
 * Comparing packed values for every pair is slow (a million groups: some
 * 20 million comparisons), so the groups are sorted by sort keys instead:
 * each group's values, path by path, written as bytes whose plain
 * bytewise order is the order above (sortkey_put), looked at a few bytes
 * at a time.  A group's next bytes go into a 64-bit word above its index,
 * the words are sorted as integers, and only groups whose bytes so far
 * are equal are looked at further (a radix sort whose digits are chunks of
 * the keys).  Values that have no such bytes here (long numbers kept as
 * text, strings with escapes) leave the groups that share bytes with them
 * to the comparator, keycmp, which also says what the order is.
 */
#include <stdlib.h>

#include "agg_int.h"

struct octx {
	weir_agg *a;
	const struct win *w;
	unsigned ib;		/* index bits of a sort word */
	size_t cb;		/* key bytes in a sort word, above them */
	uint64_t mask;		/* (1 << ib) - 1 */
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

/* o[0..n) sorted in place with keycmp (qsort would take a copy of the index array:
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

/* --- sort keys ----------------------------------------------------------- */

/*
 * A group's sort key, the bytes E, value by value (in the order of rank):
 *	null 01, false 02, true 03;
 *	a number (an integer or a decimal of up to 15 places: every number
 *	but those kept as text) as its integer part i = floor(v) and
 *	fraction f = (v - i) * 10^15: one byte 10 + (8 - nb) when i < 0,
 *	19 + nb when i >= 0, where nb is the count of bytes of i (of ~i when
 *	negative) without its leading zero bytes, then those nb bytes of i
 *	big-endian, then 00 when f = 0, else 01 and f in 7 bytes;
 *	a string 30, its characters, 00 (a character 00 has no sort key:
 *	"a", 5 and "a\u0000", 3 would come in the wrong order);
 *	an array 40, an object 50, then its packed bytes.
 * Each value's bytes end where a reader knows it ends (none is the start
 * of another's), so the bytewise order of E is the order of the values
 * path by path.  Grouping by record key, E is the key's "has a key" byte
 * plus 1, the key's bytes, 00: there a key "a" has an E that is the start
 * of the E of the key "a", 00; which is why a group whose E ended and still
 * shares its bytes with others is left to the comparator (chunk).
 */
enum { SK_NULL = 0x01, SK_NUM = 0x10, SK_STR = 0x30, SK_ARR = 0x40,
    SK_OBJ = 0x50 };

/* The part [from, to) of E being looked at, into out[0..to - from). */
struct skwin {
	uint8_t *out;
	size_t from, to, pos;	/* pos: where in E the next bytes go */
	int hard;		/* a byte in the part has no sort key */
};

/* n bytes at p, the next of E (byte by byte: a part is a few bytes);
 * with chk, a byte 00 among those looked at has no sort key. */
static inline void
sk_bytes(struct skwin *e, const uint8_t *p, size_t n, int chk)
{
	size_t s = e->pos, x, y;

	e->pos = s + n;
	if (s + n <= e->from || s >= e->to)
		return;
	x = s > e->from ? s : e->from;
	y = s + n < e->to ? s + n : e->to;
	for (; x < y; x++) {
		if (chk && !p[x - s])
			e->hard = 1;
		e->out[x - e->from] = p[x - s];
	}
}

static inline void
sk_put(struct skwin *e, const uint8_t *p, size_t n)
{
	sk_bytes(e, p, n, 0);
}

static const int64_t p10[16] = { 1, 10, 100, 1000, 10000, 100000,
    1000000, 10000000, 100000000, 1000000000, 10000000000,
    100000000000, 1000000000000, 10000000000000, 100000000000000,
    1000000000000000 };

/* A number's bytes into b (up to 17): their count, 0 for a number that
 * has none (kept as text). */
static size_t
sk_num(const weir_pv *v, uint8_t *b)
{
	int64_t ip, r;
	uint64_t u, f = 0;
	size_t nb, k, n;

	if (v->type == WEIR_PV_INT)
		ip = v->i;
	else if (v->type == WEIR_PV_DEC && v->scale >= 1 && v->scale <= 15) {
		ip = v->i / p10[v->scale];
		r = v->i % p10[v->scale];
		if (r < 0) {
			ip--;
			r += p10[v->scale];
		}
		f = (uint64_t)r * (uint64_t)p10[15 - v->scale];
	} else
		return 0;
	u = ip < 0 ? ~(uint64_t)ip : (uint64_t)ip;
	for (nb = 0; nb < 8 && u >> (8 * nb); nb++)
		;
	b[0] = (uint8_t)(ip < 0 ? SK_NUM + (8 - nb) : SK_NUM + 9 + nb);
	for (k = 0; k < nb; k++)
		b[1 + k] = (uint8_t)((uint64_t)ip >> (8 * (nb - 1 - k)));
	n = 1 + nb;
	b[n++] = f != 0;
	if (f)
		for (k = 0; k < 7; k++)
			b[n++] = (uint8_t)(f >> (8 * (6 - k)));
	return n;
}

/* E of the group key k[0..kn) into e (the part e looks at). */
static void
sortkey_put(weir_agg *a, const uint8_t *p, size_t kn, struct skwin *e)
{
	static const uint8_t z;
	const uint8_t *pe = p + kn;
	uint8_t b[17], t;
	weir_pv v;
	size_t i, n;

	if (!a->ng) {
		if (!kn || *p > 1) {
			e->hard = 1;
			return;
		}
		t = (uint8_t)(*p + 1);
		sk_put(e, &t, 1);
		sk_put(e, p + 1, kn - 1);
		sk_put(e, &z, 1);
		return;
	}
	for (i = 0; i < a->ng && e->pos < e->to && !e->hard; i++) {
		if ((*p & 0xe0) == WEIR_PK_SSTR) {	/* short strings */
			n = *p & 0x1f;
			if (e->pos + n + 2 <= e->from) {
				e->pos += n + 2;
			} else {
				t = SK_STR;
				sk_put(e, &t, 1);
				sk_bytes(e, p + 1, n, 1);
				sk_put(e, &z, 1);
			}
			p += 1 + n;
			continue;
		}
		if (*p == WEIR_PK_INT) {	/* and integers */
			uint64_t u;
			p++;
			if (weir_varint_dec(&p, pe, &u) < 0) {
				e->hard = 1;
				return;
			}
			v.type = WEIR_PV_INT;
			v.i = weir_zz_dec(u);
			n = sk_num(&v, b);
			sk_put(e, b, n);
			continue;
		}
		if (!(p = weir_pv_read(p, pe, &v))) {
			e->hard = 1;
			return;
		}
		switch (v.type) {
		case WEIR_PV_NULL:
		case WEIR_PV_FALSE:
		case WEIR_PV_TRUE:
			t = (uint8_t)(SK_NULL + (v.type - WEIR_PV_NULL));
			sk_put(e, &t, 1);
			break;
		case WEIR_PV_INT:
		case WEIR_PV_DEC:
			if (!(n = sk_num(&v, b)))
				e->hard = 1;
			sk_put(e, b, n);
			break;
		case WEIR_PV_STRING:
			t = SK_STR;
			sk_put(e, &t, 1);
			if (v.escaped) {
				/* unescaping never lengthens: tmp is large
				 * enough (weir__agg_order) */
				a->tmp.len = 0;
				if (weir_json_unescape(&a->tmp, v.s, v.n) < 0) {
					e->hard = 1;
					break;
				}
				sk_bytes(e, a->tmp.p, a->tmp.len, 1);
			} else
				sk_bytes(e, v.s, v.n, 1);
			sk_put(e, &z, 1);
			break;
		case WEIR_PV_ARRAY:
		case WEIR_PV_OBJECT:
			t = v.type == WEIR_PV_ARRAY ? SK_ARR : SK_OBJ;
			sk_put(e, &t, 1);
			sk_put(e, v.tag, (size_t)(v.end - v.tag));
			break;
		default:
			e->hard = 1;
		}
	}
}

/* Bytes [d * cb, (d + 1) * cb) of group idx's E as a number: 1 and *k, or
 * 0 when the group needs the comparator there (its value there has no
 * sort key, or its E ended before: it cannot share bytes with another's). */
static int
chunk(const struct octx *c, uint32_t idx, size_t d, uint64_t *k)
{
	const struct gent *g = (const struct gent *)(c->w->ents +
	    (size_t)idx * c->a->stride);
	uint8_t buf[8] = { 0 };
	struct skwin e = { buf, d * c->cb, (d + 1) * c->cb, 0, 0 };
	const uint8_t *p;
	size_t kn;
	uint64_t u;

	p = weir__agg_gkey(c->w, g, &kn);
	sortkey_put(c->a, p, kn, &e);
	if (e.hard || e.pos <= e.from)
		return 0;
	u = (uint64_t)buf[0] << 56 | (uint64_t)buf[1] << 48 |
	    (uint64_t)buf[2] << 40 | (uint64_t)buf[3] << 32 |
	    (uint64_t)buf[4] << 24 | (uint64_t)buf[5] << 16 |
	    (uint64_t)buf[6] << 8 | buf[7];	/* a byte swap */
	*k = u >> (64 - 8 * c->cb);
	return 1;
}

/* --- sorting 64-bit words ------------------------------------------------ */

/* a[0..n) ascending by their bits above sh + 8, which are equal, and
 * the byte at sh and those below it down to the one at ib: in place, a
 * byte at a time (a radix sort from the top, counting each byte's values
 * and moving the words into their buckets in cycles), insertion sort for
 * short runs. */
static void
sort64(uint64_t *a, size_t n, unsigned sh, unsigned ib)
{
	uint32_t cnt[256], next[256];
	uint64_t t, u;
	size_t i, j, end;
	unsigned b, d;

	for (;;) {
		if (n <= 32) {
			for (i = 1; i < n; i++) {
				t = a[i];
				for (j = i; j > 0 && t < a[j - 1]; j--)
					a[j] = a[j - 1];
				a[j] = t;
			}
			return;
		}
		memset(cnt, 0, sizeof(cnt));
		for (i = 0; i < n; i++)
			cnt[a[i] >> sh & 0xff]++;
		if (cnt[a[0] >> sh & 0xff] != n)
			break;
		if (sh == ib)	/* all equal */
			return;
		sh -= 8;
	}
	for (b = 0, j = 0; b < 256; b++) {
		next[b] = (uint32_t)j;
		j += cnt[b];
	}
	for (b = 0, end = 0; b < 256; b++) {
		end += cnt[b];
		while (next[b] < end) {
			t = a[next[b]];
			while ((d = (unsigned)(t >> sh & 0xff)) != b) {
				u = a[next[d]];
				a[next[d]++] = t;
				t = u;
			}
			a[next[b]++] = t;
		}
	}
	if (sh == ib)
		return;
	for (b = 0, i = 0; b < 256; i += cnt[b++])
		if (cnt[b] > 1)
			sort64(a + i, cnt[b], sh - 8, ib);
}

/* Groups sharing their first 240 key bytes: the comparator. */
#define MAX_DEPTH 48

/* The run o[0..n) of sort words, whose groups' E agree on their first
 * d * cb bytes, sorted (by group only: the words' key bits are left
 * stale). */
static void
sort_run(struct octx *c, uint64_t *o, size_t n, size_t d)
{
	uint64_t k, k0 = 0;
	uint32_t *x;
	size_t i, j;
	int same, sorted;

again:
	if (n < 2)
		return;
	if (d >= MAX_DEPTH)
		goto slow;
	same = sorted = 1;
	for (i = 0; i < n; i++) {
		uint32_t idx = (uint32_t)(o[i] & c->mask);
		if (!chunk(c, idx, d, &k))
			goto slow;
		o[i] = k << c->ib | idx;
		if (i == 0)
			k0 = k;
		else {
			same &= k == k0;
			sorted &= o[i] > o[i - 1];
		}
	}
	if (same) {	/* nothing told apart yet: the next bytes */
		d++;
		goto again;
	}
	if (!sorted)
		sort64(o, n, c->ib + 8 * ((unsigned)c->cb - 1), c->ib);
	for (i = 0; i < n; i = j) {
		for (j = i + 1; j < n && o[j] >> c->ib == o[i] >> c->ib; j++)
			;
		if (j - i > 1)
			sort_run(c, o + i, j - i, d + 1);
	}
	return;
slow:
	/* the indexes as 32-bit words at the start of the run (each one is
	 * written below the word it is read from), sorted, and back */
	x = (uint32_t *)(void *)o;
	for (i = 0; i < n; i++)
		x[i] = (uint32_t)(o[i] & c->mask);
	sort_idx(x, n, c);
	for (i = n; i-- > 0;)
		o[i] = x[i];
}

int
weir__agg_order(weir_agg *a, struct win *w, uint32_t **order)
{
	struct octx c = { a, w, 1, 0, 0 };
	size_t maxk = 0, i;
	uint64_t *o;
	uint32_t *x;

	*order = NULL;
	if (w->n == 0)
		return 0;
	/* the lookup table is not needed any more: it holds the sort words
	 * (it has 2 slots or more per group), then the order */
	if ((size_t)w->scap < 2 * (size_t)w->n) {	/* not so far */
		uint32_t cap = 64, *s;
		while (cap < 2 * w->n)
			cap *= 2;
		if (!(s = calloc(cap, sizeof(*s))))
			return WEIR_FAIL_NOMEM;
		free(w->slot);
		w->slot = s;
		w->scap = cap;
	}
	o = (uint64_t *)(void *)w->slot;
	for (i = 0; i < w->n; i++) {
		size_t kn;
		weir__agg_gkey(w, (const struct gent *)(w->ents +
		    i * a->stride), &kn);
		o[i] = i;
		if (kn > maxk)
			maxk = kn;
	}
	a->tmp.len = a->canon.len = 0;
	if (weir_buf_reserve(&a->tmp, maxk) < 0 ||
	    weir_buf_reserve(&a->canon, maxk) < 0)
		return WEIR_FAIL_NOMEM;
	while (c.ib < 32 && (uint64_t)(w->n - 1) >> c.ib)
		c.ib++;
	c.cb = (64 - c.ib) / 8;
	c.mask = (UINT64_C(1) << c.ib) - 1;
	sort_run(&c, o, w->n, 0);
	x = w->slot;
	for (i = 0; i < w->n; i++)
		x[i] = (uint32_t)(o[i] & c.mask);
	*order = x;
	return 0;
}

int
weir__agg_keycmp(weir_agg *a, const struct win *w, uint32_t i, uint32_t j)
{
	struct octx c = { a, w, 0, 0, 0 };
	size_t kn, ln;

	weir__agg_gkey(w, (const struct gent *)(w->ents + (size_t)i *
	    a->stride), &kn);
	weir__agg_gkey(w, (const struct gent *)(w->ents + (size_t)j *
	    a->stride), &ln);
	a->tmp.len = a->canon.len = 0;
	if (weir_buf_reserve(&a->tmp, kn + ln) < 0 ||
	    weir_buf_reserve(&a->canon, kn + ln) < 0)
		return WEIR_FAIL_NOMEM;
	return keycmp(&i, &j, &c);
}
