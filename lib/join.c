/* join.c - stream-table and stream-stream join state (see join.h). */
#include "join.h"

#include <stdio.h>
#include <stdlib.h>

#include "hash.h"
#include "pack.h"
#include "record.h"

#define NONE UINT32_MAX
#define CHUNK (1u << 20)
#define COMPACT_MIN (1u << 20)

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

static int
map_init(jmap *m, size_t cap)
{
	m->slot = calloc(cap, sizeof(*m->slot));
	m->mask = cap - 1;
	m->n = 0;
	return m->slot ? 0 : -1;
}

/* The slot holding a matching id (*id set) or the empty slot ending the
 * probe (*id = NONE). */
static size_t
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
static int
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

static void
map_set(jmap *m, size_t pos, uint64_t h, uint32_t id)
{
	m->slot[pos] = (uint64_t)map_tag(h) << 32 | (id + 1);
	m->n++;
}

static void
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

static void
map_delete_id(jmap *m, uint64_t h, uint32_t id)
{
	size_t i = map_tag(h) & m->mask;

	while (m->slot[i] && (uint32_t)m->slot[i] != id + 1)
		i = (i + 1) & m->mask;
	if (m->slot[i])
		map_delete_at(m, i);
}

/* Grow a vector to hold at least need elements. */
static int
vgrow(void *pp, size_t *cap, size_t need, size_t elsz)
{
	void **p = pp;
	size_t nc = *cap ? *cap : 64;
	void *np;

	if (need <= *cap)
		return 0;
	while (nc < need)
		nc *= 2;
	np = realloc(*p, nc * elsz);
	if (!np)
		return -1;
	*p = np;
	*cap = nc;
	return 0;
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
	jheap *heap;
	size_t nheap, capheap;
	int64_t wm[2], wc;
	int ended[2];
	int clash_told;
	int prefix_plain;	/* --prefix needs no JSON escaping */
	weir_join_stats st;
};

weir_join *
weir_join_new(const weir_join_spec *spec, char *err, size_t errsz)
{
	weir_join *j = calloc(1, sizeof(*j));

	if (!j || map_init(&j->map, 1024) < 0) {
		free(j);
		weir_seterr(err, errsz, "out of memory");
		return NULL;
	}
	j->sp = *spec;
	if (spec->prefix) {
		const char *c;
		j->prefix_plain = weir_utf8_valid((const uint8_t *)spec->prefix,
		    strlen(spec->prefix));
		for (c = spec->prefix; *c; c++)
			if ((unsigned char)*c < 0x20 || *c == '"' || *c == '\\')
				j->prefix_plain = 0;
	}
	j->rowfree = j->recfree = j->groupfree = j->cur = NONE;
	j->wm[0] = j->wm[1] = j->wc = INT64_MIN;
	return j;
}

void
weir_join_free(weir_join *j)
{
	size_t i;

	if (!j)
		return;
	weir_buf_free(&j->key);
	weir_buf_free(&j->tmp);
	weir_buf_free(&j->name);
	weir_buf_free(&j->json);
	weir_buf_free(&j->mem);
	weir_buf_free(&j->out);
	weir_buf_free(&j->arena);
	free(j->map.slot);
	free(j->rows);
	free(j->recs);
	free(j->groups);
	for (i = 0; i < j->nchunks; i++)
		free(j->chunks[i].p);
	free(j->chunks);
	free(j->chfree);
	free(j->heap);
	free(j);
}

/* ---- keys and values ---- */

/* The join key of a record into b: 1, or 0 when it has none (no record
 * key, a missing or null field), -1 out of memory. */
static int
join_key(weir_join *j, int side, const weir_record *r, const weir_pv *root,
    weir_buf *b)
{
	const weir_path *paths = side ? j->sp.rpaths : j->sp.lpaths;
	weir_pv v;
	size_t i;

	b->len = 0;
	if (!j->sp.nkeys) {
		if (!(r->flags & WEIR_R_KEY))
			return 0;
		return weir_buf_put(b, r->key, r->key_len) < 0 ? -1 : 1;
	}
	for (i = 0; i < j->sp.nkeys; i++) {
		if (!root || !weir_path_get(&paths[i], root, &v) ||
		    v.type == WEIR_PV_NULL)
			return 0;
		if (j->sp.nkeys == 1)
			return weir_key_from_pv(b, &v) < 0 ? -1 : 1;
		/* composite: each part length-prefixed, so parts cannot blur */
		j->tmp.len = 0;
		if (weir_key_from_pv(&j->tmp, &v) < 0 ||
		    weir_buf_put_varint(b, j->tmp.len) < 0 ||
		    weir_buf_put(b, j->tmp.p, j->tmp.len) < 0)
			return -1;
	}
	return 1;
}

/* The right value as output members (key, value pairs) into b. */
static int
right_members(weir_join *j, const weir_pv *v, weir_buf *b, char *err,
    size_t errsz)
{
	weir_pv_iter it;
	weir_pv k, val;
	const uint8_t *s;
	size_t n;

	if (j->sp.as) {
		if (weir_pack_str(b, j->sp.as, strlen(j->sp.as)) < 0 ||
		    weir_pack_raw(b, v) < 0)
			goto nomem;
		return 0;
	}
	if (v->type != WEIR_PV_OBJECT) {
		weir_seterr(err, errsz, "right value is not a JSON object "
		    "(use --as NAME to nest any value)");
		return -1;
	}
	if (!j->sp.prefix)
		return weir_buf_put(b, v->s, v->n) < 0 ? -2 : 0;
	weir_pv_iter_init(&it, v);
	while (weir_pv_iter_next(&it, &k, &val)) {
		if (j->prefix_plain && !k.escaped) {
			/* plain + plain is plain: write the string directly */
			size_t pl = strlen(j->sp.prefix), l = pl + k.n;
			if (weir_buf_reserve(b, l + 11) < 0)
				goto nomem;
			if (l < 32)
				b->p[b->len++] = (uint8_t)(WEIR_PK_SSTR | l);
			else {
				b->p[b->len++] = WEIR_PK_STR;
				b->len = (size_t)(weir_varint_enc(b->p + b->len, l) -
				    b->p);
			}
			memcpy(b->p + b->len, j->sp.prefix, pl);
			memcpy(b->p + b->len + pl, k.s, k.n);
			b->len += l;
			if (weir_pack_raw(b, &val) < 0)
				goto nomem;
			continue;
		}
		j->tmp.len = 0;
		if (weir_pv_str(&k, &j->tmp, &s, &n) < 0)
			goto nomem;
		j->name.len = 0;
		if (weir_buf_puts(&j->name, j->sp.prefix) < 0 ||
		    weir_buf_put(&j->name, s, n) < 0 ||
		    weir_pack_str(b, (const char *)j->name.p, j->name.len) < 0 ||
		    weir_pack_raw(b, &val) < 0)
			goto nomem;
	}
	return 0;
nomem:
	weir_seterr(err, errsz, "out of memory");
	return -2;
}

/* A member name of a left value, for the clash check. */
typedef struct jname {
	const uint8_t *s;
	size_t n;
} jname;

#define MAXNAMES 64

static void
clash(weir_join *j, const uint8_t *s, size_t n)
{
	char msg[256];
	const weir_path *l, *r;
	size_t i;

	if (j->clash_told || !j->sp.notice)
		return;
	/* the join field itself, named alike on both sides, is no clash */
	for (i = 0; i < j->sp.nkeys; i++) {
		l = &j->sp.lpaths[i];
		r = &j->sp.rpaths[i];
		if (l->nsteps == 1 && r->nsteps == 1 && !l->steps[0].is_index &&
		    !r->steps[0].is_index && l->steps[0].key_len == n &&
		    r->steps[0].key_len == n && !memcmp(l->steps[0].key, s, n) &&
		    !memcmp(r->steps[0].key, s, n))
			return;
	}
	j->clash_told = 1;
	snprintf(msg, sizeof(msg), "field '%.*s' is on both sides: the left "
	    "value wins (use --prefix or --as to keep both)",
	    (int)(n > 100 ? 100 : n), (const char *)s);
	j->sp.notice(j->sp.arg, msg);
}

/*
 * A packed object into out: the left members, then the right members
 * whose names the left does not have (left wins; the first clash is
 * reported once).  The left names are listed in one pass, so each right
 * name costs a few short compares.
 */
static int
merge(weir_join *j, const weir_pv *left, const uint8_t *mem, size_t n)
{
	weir_buf *out = &j->out;
	weir_pv_iter it;
	weir_pv body, k, v, dummy;
	jname names[MAXNAMES];
	size_t nn = 0, i, mark;
	int slow = 0, dup;

	out->len = 0;
	mark = weir_pack_open(out, WEIR_PK_OBJ);
	if (left && left->n) {
		if (weir_buf_put(out, left->s, left->n) < 0)
			return -1;
		weir_pv_iter_init(&it, left);
		while (weir_pv_iter_next(&it, &k, &v)) {
			if (k.escaped || nn == MAXNAMES) {
				slow = 1;
				break;
			}
			names[nn].s = k.s;
			names[nn++].n = k.n;
		}
	}
	memset(&body, 0, sizeof(body));
	body.type = WEIR_PV_OBJECT;
	body.s = mem;
	body.n = n;
	weir_pv_iter_init(&it, &body);
	while (weir_pv_iter_next(&it, &k, &v)) {
		dup = 0;
		if (slow || (k.escaped && nn)) {
			const uint8_t *s;
			size_t kn;
			j->tmp.len = 0;
			if (weir_pv_str(&k, &j->tmp, &s, &kn) < 0)
				return -1;
			if (weir_pv_member(left, (const char *)s, kn, &dummy)) {
				clash(j, s, kn);
				dup = 1;
			}
		} else
			for (i = 0; i < nn; i++)
				if (names[i].n == k.n &&
				    !memcmp(names[i].s, k.s, k.n)) {
					clash(j, k.s, k.n);
					dup = 1;
					break;
				}
		if (!dup && weir_buf_put(out, k.tag, (size_t)(v.end - k.tag)) < 0)
			return -1;
	}
	return weir_pack_close(out, mark);
}

/* ---- stream-table ---- */

typedef struct keyctx {
	weir_join *j;
	const uint8_t *k;
	size_t n;
	int64_t ws, we;
} keyctx;

static int
row_eq(void *ctx, uint32_t id)
{
	keyctx *c = ctx;
	const jrow *r = &c->j->rows[id];

	return r->klen == c->n && !memcmp(c->j->arena.p + r->off, c->k, c->n);
}

static void
table_compact(weir_join *j)
{
	weir_buf nb = {0};
	size_t i;

	if (weir_buf_reserve(&nb, j->arena.len - j->garbage + 1) < 0)
		return;		/* keep the garbage rather than fail */
	for (i = 0; i < j->nrows; i++) {
		jrow *r = &j->rows[i];
		if (r->klen == NONE)
			continue;
		memcpy(nb.p + nb.len, j->arena.p + r->off, r->klen + r->vlen);
		r->off = nb.len;
		r->cap = r->klen + r->vlen;
		nb.len += r->cap;
	}
	weir_buf_free(&j->arena);
	j->arena = nb;
	j->garbage = 0;
}

static void
table_delete(weir_join *j, const uint8_t *k, size_t n, uint64_t h)
{
	keyctx c = { j, k, n, 0, 0 };
	uint32_t id;
	size_t pos = map_probe(&j->map, h, row_eq, &c, &id);

	if (id == NONE)
		return;
	map_delete_at(&j->map, pos);
	j->garbage += j->rows[id].cap;
	j->rows[id].klen = NONE;
	j->rows[id].off = j->rowfree;
	j->rowfree = id;
	j->st.rows--;
}

static int
table_put(weir_join *j, const uint8_t *k, size_t n, const uint8_t *v,
    size_t vn)
{
	keyctx c = { j, k, n, 0, 0 };
	uint64_t h = weir_hash(k, n, 0);
	uint32_t id;
	size_t pos;
	jrow *r;

	if (n + vn > UINT32_MAX - 1)
		return -1;
	if (map_reserve(&j->map) < 0)
		return -1;
	pos = map_probe(&j->map, h, row_eq, &c, &id);
	if (id != NONE) {
		r = &j->rows[id];
		if (n + vn <= r->cap) {
			memcpy(j->arena.p + r->off + n, v, vn);
			r->vlen = (uint32_t)vn;
			return 0;
		}
		j->garbage += r->cap;
	} else {
		if (j->rowfree != NONE) {
			id = j->rowfree;
			j->rowfree = (uint32_t)j->rows[id].off;
		} else {
			if (vgrow(&j->rows, &j->caprows, j->nrows + 1,
			    sizeof(*j->rows)) < 0)
				return -1;
			id = (uint32_t)j->nrows++;
		}
		map_set(&j->map, pos, h, id);
		j->st.rows++;
	}
	r = &j->rows[id];
	if (weir_buf_reserve(&j->arena, n + vn) < 0)
		return -1;
	r->off = j->arena.len;
	r->klen = (uint32_t)n;
	r->vlen = (uint32_t)vn;
	r->cap = (uint32_t)(n + vn);
	weir_buf_put(&j->arena, k, n);
	weir_buf_put(&j->arena, v, vn);
	if (j->garbage > COMPACT_MIN && j->garbage > j->arena.len / 2)
		table_compact(j);
	return 0;
}

static int
table_update(weir_join *j, const weir_record *r, char *err, size_t errsz)
{
	weir_pv v;
	int have = 0, rc;

	if (r->enc != WEIR_ENC_NULL)
		have = weir_record_json(r, &j->json, &v);
	if (!have && r->enc != WEIR_ENC_NULL) {
		weir_seterr(err, errsz, "table record value is not JSON");
		return -1;
	}
	if (!have || v.type == WEIR_PV_NULL) {
		/* a delete: the record key names the row */
		if (j->sp.nkeys > 1) {
			weir_seterr(err, errsz, "a delete (null value) cannot "
			    "name a composite key");
			return -1;
		}
		if (!(r->flags & WEIR_R_KEY)) {
			weir_seterr(err, errsz, "a delete (null value) needs "
			    "a record key");
			return -1;
		}
		table_delete(j, r->key, r->key_len,
		    weir_hash(r->key, r->key_len, 0));
		return 0;
	}
	rc = join_key(j, 1, r, &v, &j->key);
	if (rc < 0)
		goto nomem;
	if (rc == 0) {
		j->st.nokey++;
		weir_seterr(err, errsz, "table record has no join key");
		return -1;
	}
	j->mem.len = 0;
	rc = right_members(j, &v, &j->mem, err, errsz);
	if (rc < 0)
		return rc;
	if (table_put(j, j->key.p, j->key.len, j->mem.p, j->mem.len) < 0)
		goto nomem;
	return 0;
nomem:
	weir_seterr(err, errsz, "out of memory");
	return -2;
}

static int
table_probe(weir_join *j, const weir_record *r, char *err, size_t errsz)
{
	weir_pv v;
	weir_record o;
	keyctx c;
	uint32_t id = NONE;
	int have, rc;
	jrow *row;

	have = weir_record_json(r, &j->json, &v);
	rc = join_key(j, 0, r, have ? &v : NULL, &j->key);
	if (rc < 0)
		goto nomem;
	if (rc == 0)
		j->st.nokey++;
	else {
		c.j = j;
		c.k = j->key.p;
		c.n = j->key.len;
		map_probe(&j->map, weir_hash(c.k, c.n, 0), row_eq, &c, &id);
	}
	if (id == NONE) {
		if (j->sp.type != WEIR_JOIN_INNER)
			j->sp.emit(j->sp.arg, r);
		return 0;
	}
	if (!have || v.type != WEIR_PV_OBJECT) {
		weir_seterr(err, errsz, "left value is not a JSON object");
		return -1;
	}
	row = &j->rows[id];
	if (merge(j, &v, j->arena.p + row->off + row->klen, row->vlen) < 0)
		goto nomem;
	o = *r;
	weir_record_set_packed(&o, &j->out);
	j->sp.emit(j->sp.arg, &o);
	return 0;
nomem:
	weir_seterr(err, errsz, "out of memory");
	return -2;
}

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

static int64_t
sat_add(int64_t a, int64_t b)
{
	if (b > 0 && a > INT64_MAX - b)
		return INT64_MAX;
	if (b < 0 && a < INT64_MIN - b)
		return INT64_MIN;
	return a + b;
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
	if (merge(j, &lv, r->p + r->jklen + r->rklen, r->vlen) < 0)
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
	} else if (merge(j, NULL, v, x->vlen) < 0)
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
static int
advance(weir_join *j, int64_t wc)
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

static int
stream_record(weir_join *j, int side, const weir_record *r, char *err,
    size_t errsz)
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
	haskey = join_key(j, side, r, &v, &j->key);
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
	} else if ((rc = right_members(j, &v, &j->mem, err, errsz)) < 0)
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

int
weir_join_record(weir_join *j, int side, const weir_record *r, char *err,
    size_t errsz)
{
	if (j->sp.mode == WEIR_JOIN_TABLE)
		return side ? table_update(j, r, err, errsz) :
		    table_probe(j, r, err, errsz);
	return stream_record(j, side, r, err, errsz);
}

static int
update_wc(weir_join *j)
{
	int64_t wc = j->wm[0] < j->wm[1] ? j->wm[0] : j->wm[1];

	if (wc <= j->wc)
		return 0;
	j->wc = wc;
	return advance(j, wc);
}

int
weir_join_watermark(weir_join *j, int side, int64_t wm)
{
	if (j->ended[side] || wm <= j->wm[side])
		return 0;
	j->wm[side] = wm;
	if (j->sp.mode == WEIR_JOIN_TABLE)
		return 0;
	return update_wc(j);
}

int
weir_join_end(weir_join *j, int side)
{
	j->ended[side] = 1;
	j->wm[side] = INT64_MAX;
	if (j->sp.mode == WEIR_JOIN_TABLE)
		return 0;
	return update_wc(j);
}

int64_t
weir_join_out_watermark(const weir_join *j)
{
	int64_t hold = 0;

	if (j->sp.mode == WEIR_JOIN_TABLE)
		return j->wm[0];
	if (j->wc == INT64_MIN || j->wc == INT64_MAX ||
	    j->sp.mode == WEIR_JOIN_WINDOW)
		return j->wc;	/* none yet; or both ended: END says it all */
	/* an unmatched record still buffered may come out with its own
	 * time, at least wc - after (left) or wc - before (right) */
	if (j->sp.type != WEIR_JOIN_INNER)
		hold = j->sp.after;
	if (j->sp.type == WEIR_JOIN_OUTER && j->sp.before > hold)
		hold = j->sp.before;
	return sat_add(j->wc, -hold);
}

void
weir_join_get_stats(const weir_join *j, weir_join_stats *st)
{
	*st = j->st;
	st->data = j->arena.len - j->garbage;
	st->bytes += j->arena.cap + j->caprows * sizeof(jrow) +
	    (j->map.mask + 1) * sizeof(uint64_t) + j->caprecs * sizeof(jrec) +
	    j->capgroups * sizeof(jgroup) + j->capheap * sizeof(jheap);
}
