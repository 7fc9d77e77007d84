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
	if (vgrow(&j->chfree, &j->capchfree, j->nchunks + 1,
	    sizeof(*j->chfree)) < 0)
		return NULL;
	if (j->nchfree)
		id = j->chfree[--j->nchfree];
	else {
		if (vgrow(&j->chunks, &j->capchunks, j->nchunks + 1,
		    sizeof(*j->chunks)) < 0)
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

static int
heap_push(weir_join *j, int64_t t, uint32_t id)
{
	size_t i, p;

	if (vgrow(&j->heap, &j->capheap, j->nheap + 1, sizeof(*j->heap)) < 0)
		return -1;
	i = j->nheap++;
	while (i > 0) {
		p = (i - 1) / 2;
		if (j->heap[p].t <= t)
			break;
		j->heap[i] = j->heap[p];
		i = p;
	}
	j->heap[i].t = t;
	j->heap[i].id = id;
	return 0;
}

static void
heap_pop(weir_join *j)
{
	jheap last = j->heap[--j->nheap];
	size_t i = 0, c, n = j->nheap;

	for (;;) {
		c = 2 * i + 1;
		if (c >= n)
			break;
		if (c + 1 < n && j->heap[c + 1].t < j->heap[c].t)
			c++;
		if (last.t <= j->heap[c].t)
			break;
		j->heap[i] = j->heap[c];
		i = c;
	}
	if (n)
		j->heap[i] = last;
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
	if (weir_join_merge(j, &lv, r->p + r->jklen + r->rklen, r->vlen) < 0)
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
	} else if (weir_join_merge(j, NULL, v, x->vlen) < 0)
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

/* Prune everything the watermark wc has closed. */
int
weir_join_stream_advance(weir_join *j, int64_t wc)
{
	while (j->nheap && j->heap[0].t <= wc) {
		uint32_t id = j->heap[0].id;
		heap_pop(j);
		if (j->sp.mode == WEIR_JOIN_WINDOW) {
			if (window_close(j, id) < 0)
				return -1;
			continue;
		}
		if (!j->recs[id].matched && wants_unmatched(j, j->recs[id].side) &&
		    emit_single(j, &j->recs[id], &j->groups[j->recs[id].group]) < 0)
			return -1;
		rec_unlink(j, id);
		rec_free(j, id);
	}
	return 0;
}

int
weir_join_stream_record(weir_join *j, int side, const weir_record *r,
    char *err, size_t errsz)
{
	weir_pv v;
	jrec x, *xp;
	jgroup *g;
	keyctx c;
	uint32_t id, gid, y;
	uint64_t h;
	size_t pos, vstart;
	int rc, haskey, win = j->sp.mode == WEIR_JOIN_WINDOW;
	int64_t lo, hi;

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
	if (!weir_record_json(r, &j->json, &v)) {
		weir_seterr(err, errsz, "value is not JSON");
		return -1;
	}
	if (side == 0 && v.type != WEIR_PV_OBJECT) {
		weir_seterr(err, errsz, "left value is not a JSON object");
		return -1;
	}
	/* late: the window is closed, or the record breaks its side's
	 * watermark (what it could have matched may be gone) */
	if (win ? r->win_end <= j->wc : r->ts < j->wm[side]) {
		j->st.late++;
		return 0;
	}
	haskey = weir_join_key(j, side, r, &v, &j->key);
	if (haskey < 0)
		goto nomem;
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
	} else if ((rc = weir_join_right_members(j, &v, &j->mem, err,
	    errsz)) < 0)
		return rc;
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
		return emit_single(j, &x, &ng) < 0 ? -2 : 0;
	}
	c.j = j;
	c.k = j->key.p;
	c.n = j->key.len;
	c.ws = win ? r->win_start : 0;
	c.we = win ? r->win_end : 0;
	h = weir_hash(c.k, c.n, win ? weir_hash_u64((uint64_t)c.ws) ^
	    (uint64_t)c.we : 0);
	if (map_reserve(&j->map) < 0)
		goto nomem;
	pos = map_probe(&j->map, h, group_eq, &c, &gid);
	/* interval: pair with every buffered record of the other side */
	if (!win && gid != NONE) {
		lo = side == 0 ? sat_add(x.ts, -j->sp.before) :
		    sat_add(x.ts, -j->sp.after);
		hi = side == 0 ? sat_add(x.ts, j->sp.after) :
		    sat_add(x.ts, j->sp.before);
		x.p = j->mem.p;
		for (y = j->groups[gid].head[!side]; y != NONE;
		    y = j->recs[y].next) {
			jrec *o = &j->recs[y];
			if (o->ts < lo || o->ts > hi)
				continue;
			if ((side == 0 ? emit_pair(j, &x, o, &j->groups[gid]) :
			    emit_pair(j, o, &x, &j->groups[gid])) < 0)
				goto nomem;
			x.matched = o->matched = 1;
		}
	}
	/* buffer it */
	if (j->recfree != NONE) {
		id = j->recfree;
		j->recfree = j->recs[id].next;
	} else {
		if (j->nrecs >= NONE - 1 || vgrow(&j->recs, &j->caprecs,
		    j->nrecs + 1, sizeof(*j->recs)) < 0)
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
			if (vgrow(&j->groups, &j->capgroups, j->ngroups + 1,
			    sizeof(*j->groups)) < 0)
				goto nomem;
			gid = (uint32_t)j->ngroups++;
		}
		g = &j->groups[gid];
		g->hash = h;
		g->ws = c.ws;
		g->we = c.we;
		g->head[0] = g->head[1] = g->tail[0] = g->tail[1] = NONE;
		map_set(&j->map, pos, h, gid);
		if (win && heap_push(j, c.we, gid) < 0)
			goto nomem;
	}
	g = &j->groups[gid];
	x.group = gid;
	x.prev = g->tail[side];
	j->recs[id] = x;
	xp = &j->recs[id];
	if (xp->prev != NONE)
		j->recs[xp->prev].next = id;
	else
		g->head[side] = id;
	g->tail[side] = id;
	if (!win && heap_push(j, sat_add(side == 0 ?
	    sat_add(x.ts, j->sp.after) : sat_add(x.ts, j->sp.before), 1),
	    id) < 0)
		goto nomem;
	if (++j->st.buffered > j->st.max_buffered)
		j->st.max_buffered = j->st.buffered;
	return 0;
nomem:
	weir_seterr(err, errsz, "out of memory");
	return -2;
}
