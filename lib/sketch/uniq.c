/* uniq.c - exact distinct set with a memory bound, HyperLogLog after it. */
#include "uniq.h"

#include <math.h>
#include <stdlib.h>

#include "hash.h"
#include "snap.h"

#define OFF_BITS 40
#define OFF_MASK ((UINT64_C(1) << OFF_BITS) - 1)
#define UNIQ_SEED 0x7765697275ULL

int
weir_uniq_init(weir_uniq *u, size_t limit, int approx_ok)
{
	memset(u, 0, sizeof(*u));
	u->limit = limit;
	u->approx_ok = approx_ok;
	u->mask = 1023;
	u->slot = calloc(u->mask + 1, sizeof(*u->slot));
	return u->slot ? 0 : -1;
}

static void
uniq_drop_exact(weir_uniq *u)
{
	free(u->slot);
	u->slot = NULL;
	u->mask = u->used = 0;
	weir_buf_free(&u->arena);
}

void
weir_uniq_free(weir_uniq *u)
{
	uniq_drop_exact(u);
	weir_hll_free(&u->hll);
}

size_t
weir_uniq_bytes(const weir_uniq *u)
{
	size_t b = u->arena.cap;

	if (u->slot)
		b += (u->mask + 1) * sizeof(*u->slot);
	if (u->hll.reg)
		b += (size_t)1 << u->hll.p;
	return b;
}

/* The arena entry at off: its bytes and their length. */
static const uint8_t *
entry_at(const weir_uniq *u, uint64_t off, size_t *n)
{
	const uint8_t *p = u->arena.p + off, *end = u->arena.p + u->arena.len;
	uint64_t len;

	if (weir_varint_dec(&p, end, &len) < 0)
		len = 0;
	*n = (size_t)len;
	return p;
}

static uint64_t
entry_hash(const weir_uniq *u, uint64_t off)
{
	size_t n;
	const uint8_t *p = entry_at(u, off, &n);

	return weir_hash(p, n, UNIQ_SEED);
}

static void
slot_insert(uint64_t *slot, size_t mask, uint64_t h, uint64_t s)
{
	size_t i = (size_t)h & mask;

	while (slot[i])
		i = (i + 1) & mask;
	slot[i] = s;
}

static int
uniq_rehash(weir_uniq *u, size_t nmask)
{
	uint64_t *ns = calloc(nmask + 1, sizeof(*ns));
	size_t i;

	if (!ns)
		return -1;
	for (i = 0; i <= u->mask; i++) {
		if (u->slot[i]) {
			uint64_t h = entry_hash(u, (u->slot[i] & OFF_MASK) - 1);
			slot_insert(ns, nmask, h, u->slot[i]);
		}
	}
	free(u->slot);
	u->slot = ns;
	u->mask = nmask;
	return 0;
}

/* Feed every exact entry to a new sketch and drop the exact set. */
static int
uniq_switch(weir_uniq *u)
{
	size_t i;

	if (weir_hll_init(&u->hll, WEIR_UNIQ_HLL_P) < 0)
		return -1;
	for (i = 0; i <= u->mask; i++)
		if (u->slot[i])
			weir_hll_add(&u->hll,
			    entry_hash(u, (u->slot[i] & OFF_MASK) - 1));
	uniq_drop_exact(u);
	u->mode = WEIR_UNIQ_APPROX;
	return 0;
}

/* Would growing to this many table and arena bytes pass the limit? */
static int
over_limit(const weir_uniq *u, size_t table, size_t arena)
{
	if (!u->limit)
		return 0;
	return table + arena > u->limit;
}

static int
uniq_limit_hit(weir_uniq *u, uint64_t h)
{
	if (!u->approx_ok) {
		uniq_drop_exact(u);
		u->mode = WEIR_UNIQ_STOPPED;
		return WEIR_UNIQ_FULL;
	}
	if (uniq_switch(u) < 0)
		return WEIR_FAIL_NOMEM;
	weir_hll_add(&u->hll, h);
	return WEIR_UNIQ_SWITCHED;
}

/* Is the value with hash h in the exact set? */
static inline int
uniq_find(const weir_uniq *u, const void *p, size_t n, uint64_t h)
{
	uint64_t tag = h >> OFF_BITS;
	size_t i, en;
	const uint8_t *e;

	for (i = (size_t)h & u->mask; u->slot[i]; i = (i + 1) & u->mask) {
		if ((u->slot[i] >> OFF_BITS) != tag)
			continue;
		e = entry_at(u, (u->slot[i] & OFF_MASK) - 1, &en);
		if (en == n && memcmp(e, p, n) == 0)
			return 1;
	}
	return 0;
}

int
weir_uniq_add(weir_uniq *u, const void *p, size_t n)
{
	uint64_t h = weir_hash(p, n, UNIQ_SEED), tag = h >> OFF_BITS, off;
	size_t need, tbytes;

	u->values++;
	if (u->mode == WEIR_UNIQ_APPROX) {
		weir_hll_add(&u->hll, h);
		return WEIR_UNIQ_NEW;
	}
	if (u->mode == WEIR_UNIQ_STOPPED)
		return WEIR_UNIQ_FULL;
	u->values_exact++;
	if (uniq_find(u, p, n, h)) {
		u->dups++;
		return WEIR_UNIQ_DUP;
	}
	/* A new value: make room within the limit, or give up exactness. */
	tbytes = (u->mask + 1) * sizeof(*u->slot);
	need = weir_varint_size(n) + n;
	if (u->arena.cap - u->arena.len < need) {
		size_t cap = u->arena.cap ? u->arena.cap : 256;
		while (cap < u->arena.len + need)
			cap *= 2;
		if (over_limit(u, tbytes, cap) ||
		    u->arena.len + need > OFF_MASK - 1)
			return uniq_limit_hit(u, h);
	}
	if ((u->used + 1) * 4 > (u->mask + 1) * 3) {
		/* old and new table live together while rehashing */
		if (over_limit(u, tbytes * 3, u->arena.cap))
			return uniq_limit_hit(u, h);
		if (uniq_rehash(u, u->mask * 2 + 1) < 0)
			return WEIR_FAIL_NOMEM;
	}
	off = u->arena.len;
	if (weir_buf_put_varint(&u->arena, n) < 0 ||
	    weir_buf_put(&u->arena, p, n) < 0)
		return WEIR_FAIL_NOMEM;
	slot_insert(u->slot, u->mask, h, (tag << OFF_BITS) | (off + 1));
	u->used++;
	return WEIR_UNIQ_NEW;
}

double
weir_uniq_distinct(const weir_uniq *u)
{
	if (u->mode == WEIR_UNIQ_APPROX)
		return weir_hll_count(&u->hll);
	return (double)u->used;
}

double
weir_uniq_dups(const weir_uniq *u)
{
	double d;

	if (u->mode != WEIR_UNIQ_APPROX)
		return (double)u->dups;
	d = (double)u->values - weir_hll_count(&u->hll);
	return d > 0 ? d : 0;
}

double
weir_uniq_error(const weir_uniq *u)
{
	if (u->mode != WEIR_UNIQ_APPROX)
		return 0;
	return 1.04 / sqrt((double)((size_t)1 << u->hll.p));
}

/* ---- checkpoints ---- */

int
weir_uniq_save(const weir_uniq *u, weir_buf *out)
{
	if (weir_sw_u64(out, (uint64_t)u->mode) < 0 ||
	    weir_sw_u64(out, u->values) < 0 || weir_sw_u64(out, u->dups) < 0 ||
	    weir_sw_u64(out, u->values_exact) < 0)
		return WEIR_FAIL_NOMEM;
	if (u->mode == WEIR_UNIQ_APPROX)
		return weir_sw_bytes(out, u->hll.reg, (size_t)1 << u->hll.p);
	if (u->mode != WEIR_UNIQ_EXACT)
		return 0;
	if (weir_sw_u64(out, u->mask) < 0 || weir_sw_u64(out, u->used) < 0 ||
	    weir_sw_u64(out, u->arena.cap) < 0)
		return WEIR_FAIL_NOMEM;
	return weir_sw_bytes(out, u->arena.p, u->arena.len);
}

/* The exact set from its arena: the table rebuilt, every entry once. */
static int
uniq_load_exact(weir_uniq *u, weir_rd *rd)
{
	uint64_t mask = weir_rd_u64(rd), used = weir_rd_u64(rd),
	    cap = weir_rd_u64(rd), n = 0, len, h;
	const uint8_t *a, *p, *end;
	size_t alen;

	a = weir_rd_bytes(rd, &alen);
	if (rd->bad || mask < 1023 || (mask & (mask + 1)) || used > alen ||
	    (mask + 1) / 4 > used + 256 || (used + 1) * 4 > (mask + 1) * 3 + 4 ||
	    cap < alen || cap > 2 * (uint64_t)alen + 512 ||
	    alen > OFF_MASK - 1)
		return WEIR_SNAP_EBAD;
	free(u->slot);
	u->mask = (size_t)mask;
	if (!(u->slot = calloc(u->mask + 1, sizeof(*u->slot))))
		return WEIR_FAIL_NOMEM;
	weir_buf_free(&u->arena);
	if (cap && !(u->arena.p = malloc((size_t)cap)))
		return WEIR_FAIL_NOMEM;
	u->arena.cap = (size_t)cap;
	if (alen)
		memcpy(u->arena.p, a, alen);
	u->arena.len = alen;
	for (p = u->arena.p, end = p + alen; p < end; p += len, n++) {
		uint64_t off = (uint64_t)(p - u->arena.p);
		if (weir_varint_dec(&p, end, &len) < 0 ||
		    len > (uint64_t)(end - p) || n >= used)
			return WEIR_SNAP_EBAD;
		h = weir_hash(p, (size_t)len, UNIQ_SEED);
		if (uniq_find(u, p, (size_t)len, h))
			return WEIR_SNAP_EBAD;	/* there twice */
		slot_insert(u->slot, u->mask, h, (h >> OFF_BITS << OFF_BITS) |
		    (off + 1));
	}
	if (n != used)
		return WEIR_SNAP_EBAD;
	u->used = (size_t)used;
	return 0;
}

int
weir_uniq_load(weir_uniq *u, weir_rd *rd, char *err, size_t errsz)
{
	uint64_t mode = weir_rd_u64(rd);
	const uint8_t *reg;
	size_t n, i;
	int rc = WEIR_SNAP_EBAD;

	u->values = weir_rd_u64(rd);
	u->dups = weir_rd_u64(rd);
	u->values_exact = weir_rd_u64(rd);
	if (rd->bad || u->values_exact > u->values || u->dups >
	    u->values_exact)
		goto bad;
	if (mode == WEIR_UNIQ_EXACT)
		rc = uniq_load_exact(u, rd);
	else if (mode == WEIR_UNIQ_APPROX && u->approx_ok) {
		reg = weir_rd_bytes(rd, &n);
		if (rd->bad || n != (size_t)1 << WEIR_UNIQ_HLL_P)
			goto bad;
		for (i = 0; i < n; i++)
			if (reg[i] > 64 - WEIR_UNIQ_HLL_P + 1)
				goto bad;
		uniq_drop_exact(u);
		if (weir_hll_init(&u->hll, WEIR_UNIQ_HLL_P) < 0)
			rc = WEIR_FAIL_NOMEM;
		else {
			memcpy(u->hll.reg, reg, n);
			rc = 0;
		}
	} else if (mode == WEIR_UNIQ_STOPPED && !u->approx_ok) {
		uniq_drop_exact(u);
		rc = 0;
	}
	if (rc == 0) {
		u->mode = (int)mode;
		return 0;
	}
	if (rc == WEIR_FAIL_NOMEM) {
		weir_seterr(err, errsz, "out of memory");
		return WEIR_FAIL_NOMEM;
	}
bad:
	weir_seterr(err, errsz, "unique set: malformed state");
	return WEIR_SNAP_EBAD;
}
