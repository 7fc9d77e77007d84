/*
 * join_interval.c - the buffers of a stream-stream join: records kept
 * per key (interval join) or per key and window (window join) until the
 * combined watermark closes them, pairs emitted as they match (interval)
 * or when the window closes (window), then the unmatched (see
 * join_int.h).
 */
#include "join_int.h"

#include "hash.h"
#include "record.h"
#include "snap.h"

#define CHUNK (1u << 20)

/* ---- stream buffers ---- */

static uint8_t *
chunk_alloc(weir_join *j, size_t n, uint32_t *cid)
{
	jchunk *c;
	uint32_t id, old;
	size_t want = n > CHUNK ? n : CHUNK;

	if (j->cur != NONE) {
		c = &j->chunks[j->cur];
		if (c->live == 0)
			c->used = 0;
		if (c->cap - c->used >= n) {
			id = j->cur;
			goto take;
		}
	}
	/* the free list can hold every chunk, so releasing never fails */
	if (weir_grow(&j->chfree, &j->capchfree, j->nchunks + 1,
	    sizeof(*j->chfree), SIZE_MAX) < 0)
		return NULL;
	if (j->nchfree)
		id = j->chfree[--j->nchfree];
	else {
		if (weir_grow(&j->chunks, &j->capchunks, j->nchunks + 1,
		    sizeof(*j->chunks), SIZE_MAX) < 0)
			return NULL;
		id = (uint32_t)j->nchunks++;
		memset(&j->chunks[id], 0, sizeof(jchunk));
	}
	c = &j->chunks[id];
	if (c->p && c->cap != want) {
		free(c->p);
		j->st.bytes -= c->cap;
		c->p = NULL;
	}
	if (!c->p) {
		c->p = malloc(want);
		if (!c->p) {
			j->chfree[j->nchfree++] = id;
			return NULL;
		}
		c->cap = want;
		j->st.bytes += want;
	}
	c->used = 0;
	c->live = 0;
	if (n <= CHUNK) {
		/* a full current chunk goes back when its last record does */
		old = j->cur;
		j->cur = id;
		if (old != NONE && j->chunks[old].live == 0)
			j->chfree[j->nchfree++] = old;
	}
take:
	c = &j->chunks[id];
	c->live++;
	c->used += n;
	*cid = id;
	return c->p + c->used - n;
}

static void
chunk_release(weir_join *j, uint32_t id)
{
	jchunk *c = &j->chunks[id];

	if (--c->live || id == j->cur)
		return;
	if (c->cap != CHUNK) {
		free(c->p);
		j->st.bytes -= c->cap;
		c->p = NULL;
		c->cap = 0;
	}
	j->chfree[j->nchfree++] = id;
}

/* ---- the prune queue (join_int.h) ---- */

static inline uint64_t
qkey(int64_t t)
{
	return (uint64_t)t ^ UINT64_C(1) << 63;
}

static inline int64_t
qtime(uint64_t k)
{
	return (int64_t)(k ^ UINT64_C(1) << 63);
}

static inline unsigned
rq_bucket(uint64_t k, uint64_t last)
{
	return k == last ? 0 : 64 - (unsigned)__builtin_clzll(k ^ last);
}

static int
rq_put(jqbucket *b, uint64_t k, uint32_t id)
{
	if (b->n == b->cap && weir_grow(&b->e, &b->cap, b->n + 1,
	    sizeof(*b->e), SIZE_MAX) < 0)
		return -1;
	if (!b->n || k < b->min)
		b->min = k;
	b->e[b->n].k = k;
	b->e[b->n++].id = id;
	return 0;
}

/* Queue id to be pruned once the combined watermark reaches t (or at the
 * next advance when t is already behind the last key taken). */
static int
rq_push(weir_join *j, int64_t t, uint32_t id)
{
	uint64_t k = qkey(t);

	if (k < j->rqlast)
		k = j->rqlast;
	if (rq_put(&j->rq[rq_bucket(k, j->rqlast)], k, id) < 0)
		return -1;
	j->nrq++;
	return 0;
}

/* Take the next entry due at wc: 1, 0 when none is due, -1 out of memory
 * (moving a bucket down). */
static int
rq_pop(weir_join *j, int64_t wc, uint32_t *id)
{
	jqbucket *b0 = &j->rq[0], *b;
	uint64_t last;
	size_t k, n;
	unsigned i;

	if (j->rqhead == b0->n) {
		b0->n = j->rqhead = 0;
		for (i = 1; i < RQ_BUCKETS && !j->rq[i].n; i++)
			;
		if (i == RQ_BUCKETS || j->rq[i].min > qkey(wc))
			return 0;
		/* its keys all go to lower buckets, in order */
		b = &j->rq[i];
		last = j->rqlast = b->min;
		n = b->n;
		b->n = 0;
		for (k = 0; k < n; k++)
			if (rq_put(&j->rq[rq_bucket(b->e[k].k, last)], b->e[k].k,
			    b->e[k].id) < 0)
				return -1;
	}
	*id = b0->e[j->rqhead++].id;
	j->nrq--;
	return 1;
}

void
weir__join_queue_free(weir_join *j)
{
	unsigned i;

	for (i = 0; i < RQ_BUCKETS; i++)
		free(j->rq[i].e);
}

size_t
weir__join_queue_bytes(const weir_join *j)
{
	size_t n = 0;
	unsigned i;

	for (i = 0; i < RQ_BUCKETS; i++)
		n += j->rq[i].cap * sizeof(jqent);
	return n;
}

/* A binary heap's minimum off (states saved before the queue). */
static void
heap_pop(jheap *h, size_t *nh)
{
	jheap last = h[--*nh];
	size_t i = 0, c, n = *nh;

	for (;;) {
		c = 2 * i + 1;
		if (c >= n)
			break;
		if (c + 1 < n && h[c + 1].t < h[c].t)
			c++;
		if (last.t <= h[c].t)
			break;
		h[i] = h[c];
		i = c;
	}
	if (n)
		h[i] = last;
}

static int
group_eq(void *ctx, uint32_t id)
{
	keyctx *c = ctx;
	const jgroup *g = &c->j->groups[id];
	const jrec *r;

	if (g->ws != c->ws || g->we != c->we)
		return 0;
	r = &c->j->recs[g->head[0] != NONE ? g->head[0] : g->head[1]];
	return r->jklen == c->n && !memcmp(r->p, c->k, c->n);
}

static int
wants_unmatched(const weir_join *j, int side)
{
	return side == 0 ? j->sp.type != WEIR_JOIN_INNER :
	    j->sp.type == WEIR_JOIN_OUTER;
}

static void
out_init(weir_join *j, weir_record *o, const jrec *a, const jrec *b,
    const jgroup *g)
{
	memset(o, 0, sizeof(*o));
	o->partition = -1;
	o->flags = WEIR_R_TS;
	o->ts = b && b->ts > a->ts ? b->ts : a->ts;
	if (!a->haskey && b && b->haskey)
		a = b;
	if (a->haskey) {
		o->flags |= WEIR_R_KEY;
		o->key = a->p + a->jklen;
		o->key_len = a->rklen;
	}
	if (j->sp.mode == WEIR_JOIN_WINDOW) {
		o->flags |= WEIR_R_WINDOW;
		o->win_start = g->ws;
		o->win_end = g->we;
	}
	weir_record_set_packed(o, &j->out);
}

static int
emit_pair(weir_join *j, const jrec *l, const jrec *r, const jgroup *g)
{
	weir_pv lv;
	weir_record o;

	weir_pv_of(l->p + l->jklen + l->rklen, l->vlen, &lv);
	if (weir__join_merge(j, &lv, r->p + r->jklen + r->rklen, r->vlen) < 0)
		return -1;
	out_init(j, &o, l, r, g);
	j->sp.emit(j->sp.arg, &o);
	return 0;
}

static int
emit_single(weir_join *j, const jrec *x, const jgroup *g)
{
	weir_record o;
	const uint8_t *v = x->p + x->jklen + x->rklen;

	if (x->side == 0) {
		j->out.len = 0;
		if (weir_buf_put(&j->out, v, x->vlen) < 0)
			return -1;
	} else if (weir__join_merge(j, NULL, v, x->vlen) < 0)
		return -1;
	out_init(j, &o, x, NULL, g);
	j->sp.emit(j->sp.arg, &o);
	return 0;
}

static void
rec_free(weir_join *j, uint32_t id)
{
	jrec *x = &j->recs[id];

	chunk_release(j, x->chunk);
	x->next = j->recfree;
	j->recfree = id;
	j->st.buffered--;
}

/* Unlink a record from its group; drop the group when it empties. */
static void
rec_unlink(weir_join *j, uint32_t id)
{
	jrec *x = &j->recs[id];
	jgroup *g = &j->groups[x->group];
	uint32_t gid = x->group;

	if (x->prev != NONE)
		j->recs[x->prev].next = x->next;
	else
		g->head[x->side] = x->next;
	if (x->next != NONE)
		j->recs[x->next].prev = x->prev;
	else
		g->tail[x->side] = x->prev;
	if (g->head[0] == NONE && g->head[1] == NONE) {
		/* group_eq needs a record: delete by id, not by key */
		map_delete_id(&j->map, g->hash, gid);
		g->head[0] = j->groupfree;
		j->groupfree = gid;
	}
}

/* Store record x as id, at the tail of its side's list in group gid. */
static void
rec_append(weir_join *j, uint32_t id, jrec *x, uint32_t gid)
{
	jgroup *g = &j->groups[gid];

	x->group = gid;
	x->prev = g->tail[x->side];
	j->recs[id] = *x;
	if (x->prev != NONE)
		j->recs[x->prev].next = id;
	else
		g->head[x->side] = id;
	g->tail[x->side] = id;
}

/* Close one window group: every pair, then the unmatched. */
static int
window_close(weir_join *j, uint32_t gid)
{
	jgroup g = j->groups[gid];
	uint32_t a, b, next;
	int side;

	for (a = g.head[0]; a != NONE; a = j->recs[a].next)
		for (b = g.head[1]; b != NONE; b = j->recs[b].next) {
			if (emit_pair(j, &j->recs[a], &j->recs[b], &g) < 0)
				return -1;
			j->recs[a].matched = j->recs[b].matched = 1;
		}
	for (side = 0; side < 2; side++)
		for (a = g.head[side]; a != NONE; a = next) {
			next = j->recs[a].next;
			if (!j->recs[a].matched && wants_unmatched(j, side) &&
			    emit_single(j, &j->recs[a], &g) < 0)
				return -1;
			rec_free(j, a);
		}
	map_delete_id(&j->map, g.hash, gid);
	j->groups[gid].head[0] = j->groupfree;
	j->groupfree = gid;
	return 0;
}

#define BATCH 64

/*
 * Prune everything the watermark wc has closed.  Interval records go in
 * batches, in queue order: their records, then their groups, then the
 * index slots where the search for the group starts are fetched ahead, so
 * the cache misses of a batch overlap instead of following each other.
 */
int
weir__join_stream_advance(weir_join *j, int64_t wc)
{
	uint32_t ids[BATCH], n, k;
	int rc = 1;

	while (rc > 0) {
		for (n = 0; n < BATCH && (rc = rq_pop(j, wc, &ids[n])) > 0; n++)
			__builtin_prefetch(&j->recs[ids[n]]);
		if (rc < 0)
			return -1;
		if (j->sp.mode == WEIR_JOIN_WINDOW) {
			for (k = 0; k < n; k++)
				if (window_close(j, ids[k]) < 0)
					return -1;
			continue;
		}
		for (k = 0; k < n; k++)
			__builtin_prefetch(&j->groups[j->recs[ids[k]].group]);
		for (k = 0; k < n; k++)
			__builtin_prefetch(&j->map.slot[map_tag(
			    j->groups[j->recs[ids[k]].group].hash) & j->map.mask]);
		for (k = 0; k < n; k++) {
			jrec *x = &j->recs[ids[k]];
			if (!x->matched && wants_unmatched(j, x->side) &&
			    emit_single(j, x, &j->groups[x->group]) < 0)
				return -1;
			rec_unlink(j, ids[k]);
			rec_free(j, ids[k]);
		}
	}
	return 0;
}

int
weir__join_stream_record(weir_join *j, int side, const weir_record *r,
    char *err, size_t errsz)
{
	weir_pv v;
	jrec x;
	jgroup *g;
	keyctx c;
	uint32_t id, gid, y;
	uint64_t h = 0, cand = 0;
	size_t pos, vstart;
	int rc, haskey, hashed = 0, win = j->sp.mode == WEIR_JOIN_WINDOW;
	int between = !win && j->sp.from != NULL;
	int64_t lo, hi, blo = 0, bhi = 0;

	if (!win && !(r->flags & WEIR_R_TS)) {
		weir_seterr(err, errsz, "record has no event time (give it one "
		    "with weir-source --time)");
		return -1;
	}
	if (win && !(r->flags & WEIR_R_WINDOW)) {
		weir_seterr(err, errsz, "record has no window (--window joins "
		    "the output of weir-window)");
		return -1;
	}
	c.ws = win ? r->win_start : 0;
	c.we = win ? r->win_end : 0;
	if (!j->sp.nkeys && (r->flags & WEIR_R_KEY)) {
		/* the join key is the record key: hash it and fetch its
		 * index slot while the value is read */
		h = weir_hash(r->key, r->key_len, win ?
		    weir_hash_u64((uint64_t)c.ws) ^ (uint64_t)c.we : 0);
		__builtin_prefetch(&j->map.slot[map_tag(h) & j->map.mask]);
		hashed = 1;
	}
	if ((rc = weir_record_json(r, &j->json, &v)) <= 0) {
		if (rc == WEIR_FAIL_NOMEM)
			goto nomem;
		weir_seterr(err, errsz, "value is not JSON");
		return -1;
	}
	if (side == 0 && v.type != WEIR_PV_OBJECT) {
		weir_seterr(err, errsz, "left value is not a JSON object");
		return -1;
	}
	if (between && side == 0 && weir__join_bounds_of(j, &v, r->ts, &blo,
	    &bhi, err, errsz) < 0)
		return -1;
	/* late: the window is closed, or the record breaks its side's
	 * watermark (what it could have matched may be gone) */
	if (win ? r->win_end <= j->wc : r->ts < j->wm[side]) {
		j->st.late++;
		return 0;
	}
	haskey = weir__join_key(j, side, r, &v, &j->key);
	if (haskey < 0)
		goto nomem;
	if (haskey) {
		/* fetch the index slot, the group it names first and a free
		 * record ahead: the value is copied while they come */
		if (!hashed) {
			h = weir_hash(j->key.p, j->key.len, win ?
			    weir_hash_u64((uint64_t)c.ws) ^ (uint64_t)c.we : 0);
			__builtin_prefetch(&j->map.slot[map_tag(h) &
			    j->map.mask]);
		}
		cand = j->map.slot[map_tag(h) & j->map.mask];
		if (cand && (uint32_t)(cand >> 32) == map_tag(h))
			__builtin_prefetch(&j->groups[(uint32_t)cand - 1]);
		else
			cand = 0;
		if (j->recfree != NONE)
			__builtin_prefetch(&j->recs[j->recfree]);
	}
	/* the record as stored: join key, record key, value */
	j->mem.len = 0;
	if (weir_buf_put(&j->mem, j->key.p, j->key.len) < 0)
		goto nomem;
	if ((r->flags & WEIR_R_KEY) &&
	    weir_buf_put(&j->mem, r->key, r->key_len) < 0)
		goto nomem;
	vstart = j->mem.len;
	if (side == 0) {
		if (weir_pack_raw(&j->mem, &v) < 0)
			goto nomem;
	} else if ((rc = weir__join_right_members(j, &v, &j->mem, err,
	    errsz)) < 0)
		return rc;
	if (cand) {
		/* and the record group_eq compares with */
		g = &j->groups[(uint32_t)cand - 1];
		__builtin_prefetch(&j->recs[g->head[0] != NONE ? g->head[0] :
		    g->head[1]]);
	}
	memset(&x, 0, sizeof(x));
	x.ts = r->ts;
	x.side = (uint8_t)side;
	x.haskey = (r->flags & WEIR_R_KEY) != 0;
	x.jklen = (uint32_t)j->key.len;
	x.rklen = x.haskey ? (uint32_t)r->key_len : 0;
	x.vlen = (uint32_t)(j->mem.len - vstart);
	x.next = x.prev = NONE;
	if (!haskey) {
		/* no key: it can never match; emit it now if it is wanted */
		jgroup ng;
		j->st.nokey++;
		if (!wants_unmatched(j, side))
			return 0;
		x.p = j->mem.p;
		ng.ws = r->win_start;
		ng.we = r->win_end;
		return emit_single(j, &x, &ng) < 0 ? WEIR_FAIL_NOMEM : 0;
	}
	c.j = j;
	c.k = j->key.p;
	c.n = j->key.len;
	if (map_reserve(&j->map) < 0)
		goto nomem;
	pos = map_probe(&j->map, h, group_eq, &c, &gid);
	/* interval: pair with every buffered record of the other side */
	if (!win && gid != NONE) {
		lo = side == 0 ? sat_add(x.ts, -j->sp.before) :
		    sat_add(x.ts, -j->sp.after);
		hi = side == 0 ? sat_add(x.ts, j->sp.after) :
		    sat_add(x.ts, j->sp.before);
		if (between && side == 0) {
			lo = blo;
			hi = bhi;
		}
		x.p = j->mem.p;
		for (y = j->groups[gid].head[!side]; y != NONE;
		    y = j->recs[y].next) {
			jrec *o = &j->recs[y];
			if (between && side == 1 ? x.ts < j->bounds[2 * y] ||
			    x.ts > j->bounds[2 * y + 1] : o->ts < lo || o->ts > hi)
				continue;
			if ((side == 0 ? emit_pair(j, &x, o, &j->groups[gid]) :
			    emit_pair(j, o, &x, &j->groups[gid])) < 0)
				goto nomem;
			x.matched = o->matched = 1;
		}
	}
	/* buffer it */
	if (between && side == 0 &&
	    weir__join_bounds_reserve(j, j->nrecs + 1) < 0)
		goto nomem;
	if (j->recfree != NONE) {
		id = j->recfree;
		j->recfree = j->recs[id].next;
	} else {
		if (j->nrecs >= NONE - 1 || weir_grow(&j->recs, &j->caprecs,
		    j->nrecs + 1, sizeof(*j->recs), SIZE_MAX) < 0)
			goto nomem;
		id = (uint32_t)j->nrecs++;
	}
	x.p = chunk_alloc(j, j->mem.len, &x.chunk);
	if (!x.p) {
		j->recs[id].next = j->recfree;
		j->recfree = id;
		goto nomem;
	}
	memcpy(x.p, j->mem.p, j->mem.len);
	if (gid == NONE) {
		if (j->groupfree != NONE) {
			gid = j->groupfree;
			j->groupfree = j->groups[gid].head[0];
		} else {
			if (weir_grow(&j->groups, &j->capgroups, j->ngroups + 1,
			    sizeof(*j->groups), SIZE_MAX) < 0)
				goto nomem;
			gid = (uint32_t)j->ngroups++;
		}
		g = &j->groups[gid];
		g->hash = h;
		g->ws = c.ws;
		g->we = c.we;
		g->head[0] = g->head[1] = g->tail[0] = g->tail[1] = NONE;
		map_set(&j->map, pos, h, gid);
		if (win && rq_push(j, c.we, gid) < 0)
			goto nomem;
	}
	rec_append(j, id, &x, gid);
	if (between && side == 0) {
		j->bounds[2 * id] = blo;
		j->bounds[2 * id + 1] = bhi;
	}
	if (!win && rq_push(j, sat_add(side == 0 ? between ? bhi :
	    sat_add(x.ts, j->sp.after) : sat_add(x.ts, j->sp.before), 1),
	    id) < 0)
		goto nomem;
	if (++j->st.buffered > j->st.max_buffered)
		j->st.max_buffered = j->st.buffered;
	return 0;
nomem:
	weir_seterr(err, errsz, "out of memory");
	return WEIR_FAIL_NOMEM;
}

/* ---- checkpoints ----
 *
 * Groups in index order, each with its window, join key and the records
 * of both sides in list order (so pairs come out in the same order), then
 * the prune queue in the order it is taken (so equal times close in the
 * same order), naming records (interval) or groups (window) by their
 * saved position.  States saved before the queue (no JOIN_SNAP_ORDERED)
 * hold a binary heap's layout instead: it is taken off as that heap
 * would have been.
 */

typedef struct jqsort {
	uint64_t k;
	uint32_t id, seq;
} jqsort;

static int
qsort_cmp(const void *a, const void *b)
{
	const jqsort *x = a, *y = b;

	if (x->k != y->k)
		return x->k < y->k ? -1 : 1;
	return x->seq < y->seq ? -1 : x->seq > y->seq;
}

/* The queue in the order it is taken: the buckets in order (each one's
 * keys below the next one's), each sorted by key, equal keys in the order
 * they are in the bucket. */
static jqsort *
rq_sorted(const weir_join *j)
{
	jqsort *q = malloc((j->nrq ? j->nrq : 1) * sizeof(*q));
	size_t n = 0, k, from;
	unsigned i;

	if (!q)
		return NULL;
	for (i = 0; i < RQ_BUCKETS; i++) {
		from = n;
		for (k = i ? 0 : j->rqhead; k < j->rq[i].n; k++, n++) {
			q[n].k = j->rq[i].e[k].k;
			q[n].id = j->rq[i].e[k].id;
			q[n].seq = (uint32_t)n;
		}
		if (i)
			qsort(q + from, n - from, sizeof(*q), qsort_cmp);
	}
	return q;
}

static int
save_side(const weir_join *j, const jgroup *g, int side, weir_buf *out,
    uint32_t *recmap, uint32_t *nrec)
{
	uint32_t a;
	uint64_t n = 0;

	for (a = g->head[side]; a != NONE; a = j->recs[a].next)
		n++;
	if (weir_sw_u64(out, n) < 0)
		return -1;
	for (a = g->head[side]; a != NONE; a = j->recs[a].next) {
		const jrec *x = &j->recs[a];
		recmap[a] = (*nrec)++;
		if (weir_sw_i64(out, x->ts) < 0 ||
		    weir_sw_u64(out, (uint64_t)x->matched |
		    (uint64_t)x->haskey << 1) < 0 ||
		    weir_sw_bytes(out, x->p + x->jklen, x->rklen) < 0 ||
		    weir_sw_bytes(out, x->p + x->jklen + x->rklen, x->vlen) < 0)
			return -1;
	}
	return 0;
}

int
weir__join_stream_save(const weir_join *j, weir_buf *out)
{
	uint32_t *recmap, *groupmap, nrec = 0, ngroup = 0;
	jqsort *q = NULL;
	size_t i;
	int rc = -1, win = j->sp.mode == WEIR_JOIN_WINDOW;

	recmap = malloc((j->nrecs ? j->nrecs : 1) * sizeof(*recmap));
	groupmap = malloc((j->ngroups ? j->ngroups : 1) * sizeof(*groupmap));
	if (!recmap || !groupmap || weir_sw_u64(out, j->map.n) < 0)
		goto out;
	for (i = 0; i <= j->map.mask; i++) {
		uint32_t gid;
		const jgroup *g;
		const jrec *first;
		if (!j->map.slot[i])
			continue;
		gid = (uint32_t)j->map.slot[i] - 1;
		g = &j->groups[gid];
		groupmap[gid] = ngroup++;
		first = &j->recs[g->head[0] != NONE ? g->head[0] : g->head[1]];
		if (weir_sw_i64(out, g->ws) < 0 || weir_sw_i64(out, g->we) < 0 ||
		    weir_sw_bytes(out, first->p, first->jklen) < 0 ||
		    save_side(j, g, 0, out, recmap, &nrec) < 0 ||
		    save_side(j, g, 1, out, recmap, &nrec) < 0)
			goto out;
	}
	if (!(q = rq_sorted(j)) || weir_sw_u64(out, j->nrq) < 0)
		goto out;
	for (i = 0; i < j->nrq; i++)
		if (weir_sw_i64(out, qtime(q[i].k)) < 0 ||
		    weir_sw_u64(out, win ? groupmap[q[i].id] :
		    recmap[q[i].id]) < 0)
			goto out;
	rc = 0;
out:
	free(recmap);
	free(groupmap);
	free(q);
	return rc;
}

/* One loaded record, appended to group gid's list of side. */
static int
load_rec(weir_join *j, weir_rd *rd, uint32_t gid, int side,
    const uint8_t *key, size_t kn, char *err, size_t errsz)
{
	jrec x;
	const uint8_t *rk, *v;
	size_t rkn, vn;
	uint64_t flags;
	uint32_t id;
	weir_pv pv;

	memset(&x, 0, sizeof(x));
	x.ts = weir_rd_i64(rd);
	flags = weir_rd_u64(rd);
	rk = weir_rd_bytes(rd, &rkn);
	v = weir_rd_bytes(rd, &vn);
	if (rd->bad)
		return -1;
	if (side == 0 && weir_pack_validate(v, vn, err, errsz) == 0)
		weir_pv_of(v, vn, &pv);
	else
		pv.type = WEIR_PV_MISSING;
	if (flags > 3 || (!(flags & 2) && rkn) || (side == 0 ?
	    pv.type != WEIR_PV_OBJECT : !weir__join_members_ok(j, v, vn)) ||
	    kn + rkn + vn >= UINT32_MAX || j->nrecs >= NONE - 1) {
		weir_seterr(err, errsz, "join state: a buffered record is "
		    "malformed");
		return -1;
	}
	x.side = (uint8_t)side;
	x.matched = flags & 1;
	x.haskey = (flags & 2) != 0;
	x.jklen = (uint32_t)kn;
	x.rklen = (uint32_t)rkn;
	x.vlen = (uint32_t)vn;
	x.group = gid;
	x.next = NONE;
	if (weir_grow(&j->recs, &j->caprecs, j->nrecs + 1,
	    sizeof(*j->recs), SIZE_MAX) < 0 ||
	    !(x.p = chunk_alloc(j, kn + rkn + vn, &x.chunk)))
		goto nomem;
	memcpy(x.p, key, kn);
	memcpy(x.p + kn, rk, rkn);
	memcpy(x.p + kn + rkn, v, vn);
	if (j->sp.from && side == 0 && j->sp.mode == WEIR_JOIN_INTERVAL) {
		if (weir__join_bounds_reserve(j, j->nrecs + 1) < 0)
			goto nomem;
		if (weir__join_bounds_of(j, &pv, x.ts, &j->bounds[2 * j->nrecs],
		    &j->bounds[2 * j->nrecs + 1], err, errsz) < 0) {
			chunk_release(j, x.chunk);
			return -1;
		}
	}
	id = (uint32_t)j->nrecs++;
	rec_append(j, id, &x, gid);
	j->st.buffered++;
	return 0;
nomem:
	weir_seterr(err, errsz, "out of memory");
	return WEIR_FAIL_NOMEM;
}

int
weir__join_stream_load(weir_join *j, weir_rd *rd, int ordered, char *err,
    size_t errsz)
{
	uint64_t ng = weir_rd_count(rd, 5), nh, i, n, k, bound;
	int win = j->sp.mode == WEIR_JOIN_WINDOW, side, rc;
	uint8_t *seen = NULL;
	jheap *heap = NULL;
	size_t nheap = 0;
	const uint8_t *key;
	size_t kn, pos;
	keyctx c;
	uint32_t gid;
	jgroup *g;
	uint64_t h;

	for (i = 0; i < ng && !rd->bad; i++) {
		c.j = j;
		c.ws = weir_rd_i64(rd);
		c.we = weir_rd_i64(rd);
		key = weir_rd_bytes(rd, &kn);
		if (rd->bad)
			break;
		c.k = key;
		c.n = kn;
		if (!win && (c.ws || c.we)) {
			rd->bad = 1;
			break;
		}
		h = weir_hash(key, kn, win ? weir_hash_u64((uint64_t)c.ws) ^
		    (uint64_t)c.we : 0);
		if (map_reserve(&j->map) < 0 || weir_grow(&j->groups,
		    &j->capgroups, j->ngroups + 1, sizeof(*j->groups),
		    SIZE_MAX) < 0) {
			weir_seterr(err, errsz, "out of memory");
			return WEIR_FAIL_NOMEM;
		}
		pos = map_probe(&j->map, h, group_eq, &c, &gid);
		if (gid != NONE) {
			weir_seterr(err, errsz, "join state: a group is there "
			    "twice");
			return -1;
		}
		gid = (uint32_t)j->ngroups++;
		g = &j->groups[gid];
		g->hash = h;
		g->ws = c.ws;
		g->we = c.we;
		g->head[0] = g->head[1] = g->tail[0] = g->tail[1] = NONE;
		for (side = 0; side < 2; side++) {
			n = weir_rd_count(rd, 4);
			for (k = 0; k < n && !rd->bad; k++)
				if ((rc = load_rec(j, rd, gid, side, key, kn,
				    err, errsz)) < 0)
					return rc;
		}
		if (rd->bad)
			break;
		if (g->head[0] == NONE && g->head[1] == NONE) {
			weir_seterr(err, errsz, "join state: an empty group");
			return -1;
		}
		map_set(&j->map, pos, h, gid);
	}
	bound = win ? j->ngroups : j->nrecs;
	nh = weir_rd_count(rd, 2);
	if (rd->bad) {
		weir_seterr(err, errsz, "join state: truncated buffers");
		return -1;
	}
	if (nh != bound || !(heap = malloc((nh ? nh : 1) * sizeof(*heap))) ||
	    !(seen = calloc(nh ? nh : 1, 1))) {
		free(heap);
		weir_seterr(err, errsz, nh != bound ? "join state: the heap "
		    "does not hold every buffered item" : "out of memory");
		return nh != bound ? WEIR_FAIL_DATA : WEIR_FAIL_NOMEM;
	}
	/* ordered: times never fall; else a binary heap's layout */
	for (i = 0; i < nh; i++) {
		int64_t t = weir_rd_i64(rd);
		uint64_t id = weir_rd_u64(rd);
		if (rd->bad || id >= bound || seen[id] || (i && (ordered ?
		    heap[i - 1].t > t : heap[(i - 1) / 2].t > t)))
			break;
		seen[id] = 1;
		heap[i].t = t;
		heap[i].id = (uint32_t)id;
		nheap++;
	}
	free(seen);
	if (nheap != nh) {
		free(heap);
		weir_seterr(err, errsz, "join state: malformed heap");
		return -1;
	}
	for (i = 0; i < nh; i++) {
		jheap e = heap[ordered ? i : 0];
		if (!ordered)
			heap_pop(heap, &nheap);
		if (rq_push(j, e.t, e.id) < 0) {
			free(heap);
			weir_seterr(err, errsz, "out of memory");
			return WEIR_FAIL_NOMEM;
		}
	}
	free(heap);
	return 0;
}
