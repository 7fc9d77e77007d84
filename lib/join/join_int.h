/*
 * join_int.h - internals of the join state, shared by join.c (keys,
 * values, merging, watermarks), join_table.c (the stream-table changelog
 * table) and join_interval.c (interval and window join buffers).  Not a
 * public header: use join.h.
 */
#ifndef WEIR_JOIN_INT_H
#define WEIR_JOIN_INT_H

#include <stdlib.h>
#include <string.h>

#include "join.h"
#include "pack.h"
#include "util.h"

#define NONE UINT32_MAX

/*
 * The index: open addressing with linear probing over 64-bit slots, the
 * high half the top 32 bits of the hash (its low bits pick the home slot,
 * so the table rehashes without the keys), the low half id + 1 (0 is an
 * empty slot).  Deletion shifts back, so there are no tombstones.
 */
typedef struct jmap {
	uint64_t *slot;
	size_t mask, n;
} jmap;

typedef int (*jmap_eq)(void *ctx, uint32_t id);

static inline uint32_t
map_tag(uint64_t h)
{
	return (uint32_t)(h >> 32);
}

/* The slot holding a matching id (*id set) or the empty slot ending the
 * probe (*id = NONE). */
static inline size_t
map_probe(const jmap *m, uint64_t h, jmap_eq eq, void *ctx, uint32_t *id)
{
	uint32_t tag = map_tag(h);
	size_t i = tag & m->mask;
	uint64_t s;

	for (;; i = (i + 1) & m->mask) {
		s = m->slot[i];
		if (!s) {
			*id = NONE;
			return i;
		}
		if ((uint32_t)(s >> 32) == tag && eq(ctx, (uint32_t)s - 1)) {
			*id = (uint32_t)s - 1;
			return i;
		}
	}
}

/* Make room for one more entry (call before probing for an insert). */
static inline int
map_reserve(jmap *m)
{
	uint64_t *old = m->slot, *ns;
	size_t oldcap = m->mask + 1, cap = oldcap * 2, i, k;

	if ((m->n + 1) * 10 <= oldcap * 7)
		return 0;
	ns = calloc(cap, sizeof(*ns));
	if (!ns)
		return -1;
	for (i = 0; i < oldcap; i++) {
		if (!old[i])
			continue;
		for (k = (old[i] >> 32) & (cap - 1); ns[k]; k = (k + 1) & (cap - 1))
			;
		ns[k] = old[i];
	}
	free(old);
	m->slot = ns;
	m->mask = cap - 1;
	return 0;
}

static inline void
map_set(jmap *m, size_t pos, uint64_t h, uint32_t id)
{
	m->slot[pos] = (uint64_t)map_tag(h) << 32 | (id + 1);
	m->n++;
}

static inline void
map_delete_at(jmap *m, size_t i)
{
	size_t j = i, k;

	m->slot[i] = 0;
	m->n--;
	for (;;) {
		j = (j + 1) & m->mask;
		if (!m->slot[j])
			return;
		k = (m->slot[j] >> 32) & m->mask;
		/* leave it if its home lies cyclically in (i, j] */
		if (i <= j ? (i < k && k <= j) : (i < k || k <= j))
			continue;
		m->slot[i] = m->slot[j];
		m->slot[j] = 0;
		i = j;
	}
}

static inline void
map_delete_id(jmap *m, uint64_t h, uint32_t id)
{
	size_t i = map_tag(h) & m->mask;

	while (m->slot[i] && (uint32_t)m->slot[i] != id + 1)
		i = (i + 1) & m->mask;
	if (m->slot[i])
		map_delete_at(m, i);
}

/* Table rows: [key][right members] at arena + off, cap bytes reserved. */
typedef struct jrow {
	uint64_t off;
	uint32_t klen, vlen, cap;
} jrow;

/* A buffered stream record: [join key][record key][value] at p (in a
 * chunk).  Left values are packed objects; right values are the output
 * members (key, value pairs) already renamed by --prefix or --as. */
typedef struct jrec {
	int64_t ts;
	uint8_t *p;
	uint32_t chunk, group, next, prev;
	uint32_t jklen, rklen, vlen;
	uint8_t side, matched, haskey;
} jrec;

/* The records of one key (interval) or one key and window (window). */
typedef struct jgroup {
	uint64_t hash;
	int64_t ws, we;
	uint32_t head[2], tail[2];
} jgroup;

typedef struct jchunk {
	uint8_t *p;
	size_t cap, used;
	uint32_t live;
} jchunk;

typedef struct jheap {
	int64_t t;		/* prune once the combined watermark >= t */
	uint32_t id;
} jheap;

/*
 * The prune queue: a radix heap.  The combined watermark only grows and
 * nothing is queued below it, so keys (times as unsigned, t ^ 1 << 63)
 * never fall below the last key taken; bucket b holds the keys whose
 * highest bit differing from it is b - 1 (bucket 0: equal to it).  Taking
 * from bucket 0 in order and moving a bucket's keys down in order keeps
 * equal times in the order they were queued.  Pushes append, and a key
 * moves down at most 64 times: no sift through a heap, no scattered
 * loads.
 */
#define RQ_BUCKETS 65

typedef struct jqent {
	uint64_t k;
	uint32_t id;
} jqent;

typedef struct jqbucket {
	jqent *e;
	size_t n, cap;
	uint64_t min;		/* when n > 0 */
} jqbucket;

/* weir_join_save's mode word for a stream join carries this flag when
 * the queue is saved in the order it is taken (older states saved a
 * binary heap's layout; they still load, in that heap's order). */
#define JOIN_SNAP_ORDERED 0x100

struct weir_join {
	weir_join_spec sp;
	weir_buf key, tmp, name, json, mem, out;
	jmap map;
	/* table */
	jrow *rows;
	size_t nrows, caprows;
	uint32_t rowfree;
	weir_buf arena;
	size_t garbage;
	/* streams */
	jrec *recs;
	size_t nrecs, caprecs;
	uint32_t recfree;
	jgroup *groups;
	size_t ngroups, capgroups;
	uint32_t groupfree;
	jchunk *chunks;
	size_t nchunks, capchunks;
	uint32_t cur;
	uint32_t *chfree;
	size_t nchfree, capchfree;
	jqbucket rq[RQ_BUCKETS];
	size_t rqhead, nrq;	/* bucket 0 is taken from rqhead on */
	uint64_t rqlast;
	int64_t wm[2], wc;
	int64_t *bounds;	/* --between: lo, hi of left record id */
	size_t capbounds;
	int ended[2];
	int clash_told;
	int prefix_plain;	/* --prefix needs no JSON escaping */
	weir_join_stats st;
};

/* What an index lookup compares with: a table key, or a stream group's
 * key and window. */
typedef struct keyctx {
	weir_join *j;
	const uint8_t *k;
	size_t n;
	int64_t ws, we;
} keyctx;

static inline int64_t
sat_add(int64_t a, int64_t b)
{
	if (b > 0 && a > INT64_MAX - b)
		return INT64_MAX;
	if (b < 0 && a < INT64_MIN - b)
		return INT64_MIN;
	return a + b;
}

/* join.c */
int weir__join_key(weir_join *j, int side, const weir_record *r,
    const weir_pv *root, weir_buf *b);
int weir__join_right_members(weir_join *j, const weir_pv *v, weir_buf *b,
    char *err, size_t errsz);
int weir__join_merge(weir_join *j, const weir_pv *left, const uint8_t *mem,
    size_t n);
/* Loaded right members (key, value pairs): 1 when well-formed. */
int weir__join_members_ok(weir_join *j, const uint8_t *mem, size_t n);

/* join_table.c: a right (table) record updates the table, a left one
 * probes it. */
int weir__join_table_update(weir_join *j, const weir_record *r, char *err,
    size_t errsz);
int weir__join_table_probe(weir_join *j, const weir_record *r, char *err,
    size_t errsz);

/* join_interval.c: a stream record (interval or window join) is buffered
 * and paired; advance prunes what the combined watermark wc has closed. */
int weir__join_stream_record(weir_join *j, int side, const weir_record *r,
    char *err, size_t errsz);
int weir__join_stream_advance(weir_join *j, int64_t wc);

/* join_bounds.c: --between.  A left record's bounds from its fields
 * (WEIR_FAIL_DATA with a message when one is not a time); room in
 * j->bounds for nrecs records (WEIR_FAIL_NOMEM). */
int weir__join_bounds_of(weir_join *j, const weir_pv *root, int64_t ts,
    int64_t *lo, int64_t *hi, char *err, size_t errsz);
int weir__join_bounds_reserve(weir_join *j, size_t nrecs);

/* Checkpoints of each kind's state (weir_join_save, weir_join_load). */
struct weir_rd;
int weir__join_table_save(const weir_join *j, weir_buf *out);
int weir__join_table_load(weir_join *j, struct weir_rd *rd, char *err,
    size_t errsz);
int weir__join_stream_save(const weir_join *j, weir_buf *out);
int weir__join_stream_load(weir_join *j, struct weir_rd *rd, int ordered,
    char *err, size_t errsz);
size_t weir__join_queue_bytes(const weir_join *j);
void weir__join_queue_free(weir_join *j);

#endif
