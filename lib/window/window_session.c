/*
 * window_session.c - per-key session windows (window.h): sessions that
 * grow and merge as records arrive and close when the cutoff passes their
 * end (their checkpoints: window_session_state.c).
 */
#include "window_session_impl.h"

#include <stdlib.h>

#include "hash.h"
#include "record.h"

/* weir_grow for the arrays of sessions and groups, kept line-aligned. */
static int
grow_lines(void *pp, size_t *cap, size_t need, size_t elsz)
{
	void **p = pp, *np;
	size_t nc = *cap ? *cap : 8;

	if (need <= *cap)
		return 0;
	if (need > UINT32_MAX)
		return -1;
	while (nc < need)
		nc *= 2;
	if (nc > UINT32_MAX)
		nc = UINT32_MAX;
	if (posix_memalign(&np, LINE, nc * elsz))
		return -1;
	if (*cap)
		memcpy(np, *p, *cap * elsz);
	free(*p);
	*p = np;
	*cap = nc;
	return 0;
}

/* Room for need session ids in g. */
int
weir__sess_gids_reserve(struct group *g, size_t need)
{
	size_t nc = g->cap ? g->cap : 4;
	uint32_t *p;

	if (need <= (g->cap ? g->cap : 1))
		return 0;
	if (need > UINT32_MAX)
		return -1;
	while (nc < need)
		nc = nc * 2 > UINT32_MAX ? need : nc * 2;
	if (!(p = realloc(g->ids, nc * sizeof(*p))))
		return -1;
	if (!g->cap && g->n)
		p[0] = g->one;
	g->ids = p;
	g->cap = (uint32_t)nc;
	return 0;
}

weir_window_sessions *
weir_window_sessions_new(int64_t gap)
{
	weir_window_sessions *s = calloc(1, sizeof(*s));
	size_t i;

	if (!s)
		return NULL;
	s->gap = gap;
	s->tcap = 64;
	s->table = malloc(s->tcap * sizeof(*s->table));
	if (!s->table) {
		free(s);
		return NULL;
	}
	for (i = 0; i < s->tcap; i++)
		s->table[i] = NONE;
	weir__endq_init(&s->ends, weir__sess_end_tie, s);
	return s;
}

void
weir_window_sessions_free(weir_window_sessions *s)
{
	uint32_t i;

	if (!s)
		return;
	for (i = 0; i < s->nsess; i++)
		weir_buf_free(&s->sess[i].recs);
	for (i = 0; i < s->ngrp; i++) {
		if (s->grp[i].klen > KEY_IN)
			free(s->grp[i].key);
		free(s->grp[i].ids);
	}
	free(s->sess);
	free(s->sfree);
	free(s->grp);
	free(s->gfree);
	free(s->table);
	weir__endq_free(&s->ends);
	for (i = 0; i < AHEAD; i++) {
		weir_buf_free(&s->ahead[i].data);
		weir_buf_free(&s->ahead[i].key);
	}
	free(s->sortv);
	free(s);
}

size_t
weir_window_sessions_open(const weir_window_sessions *s)
{
	return s->open;
}

size_t
weir_window_sessions_records(const weir_window_sessions *s)
{
	return s->records;
}

/* Hash table of groups. */

size_t
weir__sess_slot_of(const weir_window_sessions *s, uint64_t h,
    const uint8_t *key, size_t klen)
{
	size_t mask = s->tcap - 1, i = (size_t)h & mask;

	for (;; i = (i + 1) & mask) {
		uint32_t g = s->table[i];
		if (g == NONE)
			return i;
		if (s->grp[g].hash == h && s->grp[g].klen == klen &&
		    (!klen || !memcmp(gkey(&s->grp[g]), key, klen)))
			return i;
	}
}

static int
table_grow(weir_window_sessions *s)
{
	size_t ncap = s->tcap * 2, i, mask = ncap - 1;
	uint32_t *nt = malloc(ncap * sizeof(*nt));

	if (!nt)
		return -1;
	for (i = 0; i < ncap; i++)
		nt[i] = NONE;
	for (i = 0; i < s->tcap; i++) {
		uint32_t g = s->table[i];
		size_t j;
		if (g == NONE)
			continue;
		for (j = (size_t)s->grp[g].hash & mask; nt[j] != NONE;
		    j = (j + 1) & mask)
			;
		nt[j] = g;
	}
	free(s->table);
	s->table = nt;
	s->tcap = ncap;
	return 0;
}

/* Remove the entry at slot i, shifting later entries of the probe run
 * back so that no tombstones are needed. */
static void
table_del(weir_window_sessions *s, size_t i)
{
	size_t mask = s->tcap - 1, j = i;

	for (;;) {
		size_t home;
		j = (j + 1) & mask;
		if (s->table[j] == NONE)
			break;
		home = (size_t)s->grp[s->table[j]].hash & mask;
		/* move j to i unless its home lies cyclically in (i, j] */
		if (i <= j ? (i < home && home <= j) : (i < home || home <= j))
			continue;
		s->table[i] = s->table[j];
		i = j;
	}
	s->table[i] = NONE;
	s->tused--;
}

int
weir__sess_group_new(weir_window_sessions *s, uint64_t h, const uint8_t *key,
    size_t klen, uint32_t *gid)
{
	struct group *g;
	uint32_t id;
	size_t slot;

	if ((s->tused + 1) * 2 > s->tcap && table_grow(s) < 0)
		return -1;
	if (s->ngfree)
		id = s->gfree[--s->ngfree];
	else {
		if (grow_lines(&s->grp, &s->capgrp, (size_t)s->ngrp + 1,
		    sizeof(*s->grp)) < 0)
			return -1;
		id = s->ngrp++;
		memset(&s->grp[id], 0, sizeof(s->grp[id]));
	}
	g = &s->grp[id];
	if (klen > UINT32_MAX - 1)
		goto fail;
	g->hash = h;
	g->n = 0;
	if (klen > KEY_IN && !(g->key = malloc(klen)))
		goto fail;
	g->klen = (uint32_t)klen;
	g->used = 1;
	if (klen)
		memcpy(klen > KEY_IN ? g->key : g->kin, key, klen);
	slot = weir__sess_slot_of(s, h, key, klen);
	s->table[slot] = id;
	s->tused++;
	*gid = id;
	return 0;
fail:
	g->klen = 0;
	s->gfree[s->ngfree++] = id;	/* room: it came from there or is new */
	return -1;
}

static void
group_free(weir_window_sessions *s, uint32_t id)
{
	struct group *g = &s->grp[id];

	table_del(s, weir__sess_slot_of(s, g->hash, gkey(g), g->klen));
	if (g->klen > KEY_IN)
		free(g->key);
	g->key = NULL;
	g->klen = 0;
	g->used = 0;
	/* keep g->ids for reuse; gfree has room for every group id */
	s->gfree[s->ngfree++] = id;
}

/* Session slots. */

int
weir__sess_new(weir_window_sessions *s, uint32_t *sid)
{
	uint32_t id;

	if (s->nsfree)
		id = s->sfree[--s->nsfree];
	else {
		if (grow_lines(&s->sess, &s->capsess, (size_t)s->nsess + 1,
		    sizeof(*s->sess)) < 0)
			return -1;
		id = s->nsess++;
		memset(&s->sess[id], 0, sizeof(s->sess[id]));
	}
	s->sess[id].live = 1;
	s->sess[id].unsorted = 0;
	s->sess[id].nrecs = 0;
	s->sess[id].recs.len = 0;
	s->open++;
	*sid = id;
	return 0;
}

/* A freed slot keeps a small buffer for its next session: most sessions
 * are short, and a malloc and a few reallocs per session cost more than
 * the records' copies. */
#define RECS_KEEP 512

void
weir__sess_free(weir_window_sessions *s, uint32_t id)
{
	struct sess *x = &s->sess[id];

	s->records -= x->nrecs;
	if (x->recs.cap > RECS_KEEP)
		weir_buf_free(&x->recs);
	x->recs.len = 0;
	x->nrecs = 0;
	x->live = 0;
	x->gen++;
	s->sfree[s->nsfree++] = id;
	s->open--;
}

/*
 * The queue of session ends holds a lower bound of each open session's
 * end, pushed when the session starts; a session that grew since is
 * queued again at its end when the bound comes up.  Sessions close in
 * order of their end, and those that end at the same time in order of
 * their group's key (its bytes): a group has one session ending at a
 * time, and the key of a live session's entry never changes, so the
 * order is that of the sessions alone (endq.h).  Entries of sessions
 * merged away (stale) come first among those with their end: they only
 * ever move ahead when they go stale, which keeps the heap in order for
 * the live ones.
 */
static inline int
entry_live(const weir_window_sessions *s, const weir__endq_ent *e)
{
	const struct sess *x = &s->sess[e->id];

	return x->live && x->gen == e->gen;
}

int
weir__sess_end_tie(void *arg, const weir__endq_ent *a, const weir__endq_ent *b)
{
	const weir_window_sessions *s = arg;
	int la = entry_live(s, a), lb = entry_live(s, b), c;

	if (la != lb)
		return la ? 1 : -1;
	if (la) {
		const struct group *g = &s->grp[s->sess[a->id].group];
		const struct group *h = &s->grp[s->sess[b->id].group];
		size_t n = g->klen < h->klen ? g->klen : h->klen;
		if (n && (c = memcmp(gkey(g), gkey(h), n)))
			return c;
		if (g->klen != h->klen)
			return g->klen < h->klen ? -1 : 1;
	}
	if (a->id != b->id)
		return a->id < b->id ? -1 : 1;
	return a->gen < b->gen ? -1 : a->gen > b->gen;
}

/* The free lists must hold every slot: keep them as large as the pools
 * (their own sizes are kept, so that a failed realloc is retried). */
int
weir__sess_reserve_free(weir_window_sessions *s)
{
	uint32_t *p;

	if (s->nsess < s->capsess && s->ngrp < s->capgrp &&
	    s->capsfree == s->capsess && s->capgfree == s->capgrp)
		return 0;
	if (grow_lines(&s->sess, &s->capsess, (size_t)s->nsess + 1,
	    sizeof(*s->sess)) < 0 ||
	    grow_lines(&s->grp, &s->capgrp, (size_t)s->ngrp + 1,
	    sizeof(*s->grp)) < 0)
		return -1;
	if (s->capsfree != s->capsess) {
		if (!(p = realloc(s->sfree, s->capsess * sizeof(*p))))
			return -1;
		s->sfree = p;
		s->capsfree = s->capsess;
	}
	if (s->capgfree != s->capgrp) {
		if (!(p = realloc(s->gfree, s->capgrp * sizeof(*p))))
			return -1;
		s->gfree = p;
		s->capgfree = s->capgrp;
	}
	return 0;
}

/*
 * A session's records are held in its buffer not as frames but in a form
 * that goes out without decoding varint deltas or re-checking anything:
 * the event time (8 bytes, host order); a byte of the record's TS, KEY,
 * HEADERS and POS flags and its encoding, laid out as a RECORD's flags;
 * with KEY, a varint length and the key; a varint length and the value;
 * with HEADERS, varints of the header count and length and the encoded
 * headers; with POS, a varint topic length, the topic and zigzag
 * varints of the partition and offset.  Checkpoints hold frames
 * (weir-format(5)): held records are converted when saved and loaded.
 */
#define HELD_FLAGS (WEIR_R_TS | WEIR_R_KEY | WEIR_R_HEADERS | WEIR_R_POS)
#define HELD_ENC (3u << WEIR_R_ENC_SHIFT)

int
weir__sess_held_put(weir_buf *b, const weir_record *r)
{
	size_t klen = (r->flags & WEIR_R_KEY) ? r->key_len : 0;
	size_t vlen = r->enc == WEIR_ENC_NULL ? 0 : r->value_len;
	size_t need = 8 + 1 + 20 + klen + vlen;
	uint8_t *p;

	if (r->flags & (WEIR_R_HEADERS | WEIR_R_POS))
		need += 50 + r->hdrs_len + r->topic_len;
	if (weir_buf_reserve(b, need) < 0)
		return -1;
	p = b->p + b->len;
	memcpy(p, &r->ts, 8);
	p += 8;
	*p++ = (uint8_t)((r->flags & HELD_FLAGS) |
	    ((unsigned)r->enc << WEIR_R_ENC_SHIFT));
	if (r->flags & WEIR_R_KEY) {
		p = weir_varint_enc(p, klen);
		if (klen)
			memcpy(p, r->key, klen);
		p += klen;
	}
	p = weir_varint_enc(p, vlen);
	if (vlen)
		memcpy(p, r->value, vlen);
	p += vlen;
	if (r->flags & WEIR_R_HEADERS) {
		p = weir_varint_enc(p, r->nhdrs);
		p = weir_varint_enc(p, r->hdrs_len);
		memcpy(p, r->hdrs, r->hdrs_len);
		p += r->hdrs_len;
	}
	if (r->flags & WEIR_R_POS) {
		p = weir_varint_enc(p, r->topic_len);
		memcpy(p, r->topic, r->topic_len);
		p += r->topic_len;
		p = weir_varint_enc(p, weir_zz_enc(r->partition));
		p = weir_varint_enc(p, weir_zz_enc(r->offset));
	}
	b->len = (size_t)(p - b->p);
	return 0;
}

/* A varint length and that many bytes at *pp (before end) into *s, *n. */
static int
held_span(const uint8_t **pp, const uint8_t *end, const uint8_t **s,
    size_t *n)
{
	uint64_t u;

	if (weir_varint_dec(pp, end, &u) < 0 || u > (uint64_t)(end - *pp))
		return -1;
	*s = *pp;
	*n = (size_t)u;
	*pp += u;
	return 0;
}

/* The held record at p (before end) into r; the byte after it, or NULL
 * if it is cut short or malformed. */
const uint8_t *
weir__sess_held_get(const uint8_t *p, const uint8_t *end, weir_record *r)
{
	const uint8_t *topic;
	uint64_t k, v;
	unsigned fl;

	if (end - p < 9)
		return NULL;
	memcpy(&r->ts, p, 8);
	p += 8;
	fl = *p++;
	if (fl & ~(unsigned)(HELD_FLAGS | HELD_ENC))
		return NULL;
	r->flags = fl & HELD_FLAGS;
	r->enc = (int)(fl >> WEIR_R_ENC_SHIFT);
	r->key = NULL;
	r->key_len = 0;
	if (((fl & WEIR_R_KEY) && held_span(&p, end, &r->key, &r->key_len) < 0) ||
	    held_span(&p, end, &r->value, &r->value_len) < 0)
		return NULL;
	r->hdrs = NULL;
	r->hdrs_len = 0;
	r->nhdrs = 0;
	if (fl & WEIR_R_HEADERS) {
		if (weir_varint_dec(&p, end, &k) < 0 || k > UINT32_MAX ||
		    held_span(&p, end, &r->hdrs, &r->hdrs_len) < 0)
			return NULL;
		r->nhdrs = (uint32_t)k;
	}
	r->topic = NULL;
	r->topic_len = 0;
	r->partition = 0;
	r->offset = 0;
	if (fl & WEIR_R_POS) {
		if (held_span(&p, end, &topic, &r->topic_len) < 0 ||
		    weir_varint_dec(&p, end, &k) < 0 ||
		    weir_varint_dec(&p, end, &v) < 0)
			return NULL;
		r->topic = (const char *)topic;
		r->partition = (int32_t)weir_zz_dec(k);
		r->offset = weir_zz_dec(v);
	}
	r->win_start = r->win_end = 0;
	r->hop_advance = 0;
	r->hop_count = 0;
	return p;
}

static int
append_record(weir_window_sessions *s, struct sess *x, const weir_record *r)
{
	if (weir__sess_held_put(&x->recs, r) < 0)
		return -1;
	x->nrecs++;
	s->records++;
	return 0;
}

static int add_h(weir_window_sessions *s, uint64_t h, const uint8_t *key,
    size_t klen, const weir_record *r, int64_t cutoff, int64_t *start,
    int64_t *end, char *err, size_t errsz);

int
weir_window_sessions_add(weir_window_sessions *s, const uint8_t *key,
    size_t klen, const weir_record *r, int64_t cutoff, int64_t *start,
    int64_t *end, char *err, size_t errsz)
{
	return add_h(s, weir_hash(key, klen, GROUP_SEED), key, klen, r, cutoff,
	    start, end, err, errsz);
}

static int
add_h(weir_window_sessions *s, uint64_t h, const uint8_t *key, size_t klen,
    const weir_record *r, int64_t cutoff, int64_t *start, int64_t *end,
    char *err, size_t errsz)
{
	int64_t ts = r->ts, e, b4;
	uint32_t gid = NONE, sid, lo, hi, i, *ids;
	struct group *g = NULL;
	struct sess *x;
	int back;

	if (!(r->flags & WEIR_R_TS)) {
		weir_seterr(err, errsz, "record has no event time");
		return WEIR_FAIL_DATA;
	}
	if (__builtin_add_overflow(ts, s->gap, &e) ||
	    __builtin_sub_overflow(ts, s->gap, &b4)) {
		weir_seterr(err, errsz, "event time %lld is out of range for "
		    "session windows", (long long)ts);
		return WEIR_FAIL_DATA;
	}
	if (weir__sess_reserve_free(s) < 0)
		goto nomem;
	{
		uint32_t t = s->table[weir__sess_slot_of(s, h, key, klen)];
		if (t != NONE) {
			gid = t;
			g = &s->grp[gid];
		}
	}
	/* sessions joinable: last + gap >= ts and start - gap <= ts */
	lo = hi = 0;
	if (g) {
		uint32_t a = 0, b = g->n;
		ids = gids(g);
		while (a < b) {
			uint32_t m = a + (b - a) / 2;
			if (s->sess[ids[m]].last + s->gap >= ts)
				b = m;
			else
				a = m + 1;
		}
		lo = hi = a;
		while (hi < g->n && s->sess[ids[hi]].start - s->gap <= ts)
			hi++;
	}
	if (lo == hi) {		/* joins nothing: a session of its own */
		if (e <= cutoff) {
			*start = ts;
			*end = e;
			return 1;
		}
		back = g && !g->n;
		if (!g) {
			if (weir__sess_group_new(s, h, key, klen, &gid) < 0)
				goto nomem;
			g = &s->grp[gid];
		}
		if (weir__sess_gids_reserve(g, (size_t)g->n + 1) < 0 ||
		    weir__sess_new(s, &sid) < 0)
			goto nomem;
		x = &s->sess[sid];
		x->start = x->last = ts;
		x->group = gid;
		if (weir__endq_push(&s->ends, (weir__endq_ent){ e, sid,
		    x->gen }) < 0)
			goto nomem;
		ids = gids(g);
		memmove(ids + lo + 1, ids + lo, (g->n - lo) * sizeof(*ids));
		ids[lo] = sid;
		g->n++;
		if (back)
			s->idle--;	/* an idle group comes back */
	} else {		/* join ids[lo], merging ids[lo+1 .. hi) in */
		ids = gids(g);
		sid = ids[lo];
		x = &s->sess[sid];
		for (i = lo + 1; i < hi; i++) {
			/* later sessions: in order after x's records */
			struct sess *y = &s->sess[ids[i]];
			if (weir_buf_put(&x->recs, y->recs.p, y->recs.len) < 0)
				goto nomem;
			x->nrecs += y->nrecs;
			s->records += y->nrecs;
			x->unsorted |= y->unsorted;
			if (y->last > x->last)
				x->last = y->last;
			weir__sess_free(s, ids[i]);
		}
		memmove(ids + lo + 1, ids + hi, (g->n - hi) * sizeof(*ids));
		g->n -= hi - lo - 1;
		if (ts < x->last)
			x->unsorted = 1;
		if (ts < x->start)
			x->start = ts;
		if (ts > x->last)
			x->last = ts;
	}
	if (append_record(s, x, r) < 0)
		goto nomem;
	return 0;
nomem:
	weir_seterr(err, errsz, "out of memory for session windows");
	return WEIR_FAIL_NOMEM;
}

/*
 * Records put are added AHEAD records later, so that the lines their
 * adding touches -- the table slot, the group, its array of session ids
 * (when it had several), its newest session, the end of that session's
 * records -- are fetched one step per record
 * before, while other records are being added: the misses of a record
 * overlap the work on others instead of following one another.  A hint
 * reads the set as it is then (any state is safe: it only prefetches);
 * the add itself looks everything up again.
 */
static void
hint(const weir_window_sessions *s, struct ahead *a, unsigned step)
{
	const struct group *g;
	const struct sess *x;

	switch (step) {
	case 0:
		__builtin_prefetch(&s->table[(size_t)a->h & (s->tcap - 1)]);
		break;
	case 1:
		if ((a->gid = s->table[(size_t)a->h & (s->tcap - 1)]) != NONE)
			__builtin_prefetch(&s->grp[a->gid]);
		break;
	case 2:
		/* ids are never out of range: the pools do not shrink */
		if (a->gid != NONE && (g = &s->grp[a->gid])->n && g->cap)
			__builtin_prefetch(&g->ids[g->n - 1]);
		break;
	case 3:
		a->sid = NONE;
		if (a->gid == NONE || !(g = &s->grp[a->gid])->n)
			break;
		a->sid = (g->cap ? g->ids : &g->one)[g->n - 1];
		__builtin_prefetch(&s->sess[a->sid]);
		break;
	default:
		if (a->sid != NONE && (x = &s->sess[a->sid])->recs.p)
			__builtin_prefetch(x->recs.p + x->recs.len, 1);
		break;
	}
}

/* Add the oldest record put; late ones go to late(). */
static int
ahead_add(weir_window_sessions *s, weir_window_late_fn late, void *arg,
    char *err, size_t errsz)
{
	struct ahead *a = &s->ahead[s->ahead0];
	int64_t start, end;
	int rc;

	s->ahead0 = (s->ahead0 + 1) % AHEAD;
	s->nahead--;
	rc = add_h(s, a->h, a->key.p, a->key.len, &a->r, a->cutoff, &start,
	    &end, err, errsz);
	if (rc == 1)
		return late(arg, &a->r, start, end);
	return rc;
}

int
weir_window_sessions_flush(weir_window_sessions *s, weir_window_late_fn late,
    void *arg, char *err, size_t errsz)
{
	int rc;

	while (s->nahead)
		if ((rc = ahead_add(s, late, arg, err, errsz)) < 0)
			return rc;
	return 0;
}

/* A copy of r into a (its bytes in a->data). */
static int
ahead_copy(struct ahead *a, const weir_record *r)
{
	size_t klen = (r->flags & WEIR_R_KEY) ? r->key_len : 0;
	size_t vlen = r->enc == WEIR_ENC_NULL ? 0 : r->value_len;
	size_t hlen = (r->flags & WEIR_R_HEADERS) ? r->hdrs_len : 0;
	size_t tlen = (r->flags & WEIR_R_POS) ? r->topic_len : 0;
	uint8_t *p;

	a->data.len = 0;
	if (weir_buf_reserve(&a->data, klen + vlen + hlen + tlen + 1) < 0)
		return -1;
	a->r = *r;
	p = a->data.p;
	if (klen)
		memcpy(p, r->key, klen);
	a->r.key = (r->flags & WEIR_R_KEY) ? p : NULL;
	p += klen;
	if (vlen)
		memcpy(p, r->value, vlen);
	a->r.value = p;
	p += vlen;
	if (hlen)
		memcpy(p, r->hdrs, hlen);
	a->r.hdrs = hlen ? p : NULL;
	p += hlen;
	if (tlen)
		memcpy(p, r->topic, tlen);
	a->r.topic = tlen ? (const char *)p : NULL;
	return 0;
}

int
weir_window_sessions_put(weir_window_sessions *s, const weir_buf *key,
    const weir_record *r, int64_t cutoff, weir_window_late_fn late,
    void *arg, char *err, size_t errsz)
{
	struct ahead *a;
	int64_t x;
	unsigned i;
	int rc;

	if (!(r->flags & WEIR_R_TS) ||
	    __builtin_add_overflow(r->ts, s->gap, &x) ||
	    __builtin_sub_overflow(r->ts, s->gap, &x)) {
		/* refused now, after the records before it */
		if ((rc = weir_window_sessions_flush(s, late, arg, err,
		    errsz)) < 0)
			return rc;
		return weir_window_sessions_add(s, key->p, key->len, r, cutoff,
		    &x, &x, err, errsz);
	}
	if (s->nahead == AHEAD &&
	    (rc = ahead_add(s, late, arg, err, errsz)) < 0)
		return rc;
	/* the records waiting come one step nearer: their next lines */
	for (i = 0; i < s->nahead; i++) {
		a = &s->ahead[(s->ahead0 + i) % AHEAD];
		hint(s, a, s->nahead - i);
	}
	a = &s->ahead[(s->ahead0 + s->nahead) % AHEAD];
	a->key.len = 0;
	if (ahead_copy(a, r) < 0 ||
	    weir_buf_put(&a->key, key->p, key->len) < 0) {
		weir_seterr(err, errsz, "out of memory for session windows");
		return WEIR_FAIL_NOMEM;
	}
	a->h = weir_hash(key->p, key->len, GROUP_SEED);
	a->cutoff = cutoff;
	s->nahead++;
	hint(s, a, 0);
	return 0;
}

static int
cmp_sortent(const void *a, const void *b)
{
	const struct sortent *x = a, *y = b;

	if (x->ts != y->ts)
		return x->ts < y->ts ? -1 : 1;
	return x->seq < y->seq ? -1 : x->seq > y->seq;
}

static int
emit_session(weir_window_sessions *s, uint32_t sid, weir_window_emit_fn emit,
    void *arg, char *err, size_t errsz)
{
	struct sess *x = &s->sess[sid];
	const uint8_t *p = x->recs.p, *end = p + x->recs.len, *q;
	size_t n = 0, i;
	weir_record r;
	int rc;

	if (!x->unsorted) {	/* in order already: one pass */
		while (p < end && n < x->nrecs) {
			if (!(q = weir__sess_held_get(p, end, &r)))
				goto corrupt;
			n++;
			p = q;
			r.flags |= WEIR_R_WINDOW;
			r.win_start = x->start;
			r.win_end = x->last + s->gap;
			if ((rc = emit(arg, &r)) != 0)
				return rc;
		}
		if (n != x->nrecs || p != end)
			goto corrupt;
		return 0;
	}
	if (x->nrecs > s->capsort) {
		struct sortent *ps = realloc(s->sortv, x->nrecs * sizeof(*ps));
		if (!ps) {
			weir_seterr(err, errsz, "out of memory for session windows");
			return WEIR_FAIL_NOMEM;
		}
		s->sortv = ps;
		s->capsort = x->nrecs;
	}
	while (p < end && n < x->nrecs) {
		if (!(q = weir__sess_held_get(p, end, &r)))
			goto corrupt;
		s->sortv[n].ts = r.ts;
		s->sortv[n].off = (size_t)(p - x->recs.p);
		s->sortv[n].seq = (uint32_t)n;
		n++;
		p = q;
	}
	if (n != x->nrecs || p != end)
		goto corrupt;
	qsort(s->sortv, n, sizeof(*s->sortv), cmp_sortent);
	for (i = 0; i < n; i++) {
		if (!weir__sess_held_get(x->recs.p + s->sortv[i].off, end, &r))
			goto corrupt;
		r.flags |= WEIR_R_WINDOW;
		r.win_start = x->start;
		r.win_end = x->last + s->gap;
		if ((rc = emit(arg, &r)) != 0)
			return rc;
	}
	return 0;
corrupt:
	weir_seterr(err, errsz, "session buffer is corrupt");
	return WEIR_FAIL_DATA;
}

#define IDLE_KEEP 1024

int
weir_window_sessions_close(weir_window_sessions *s, int64_t cutoff,
    weir_window_emit_fn emit, void *arg, char *err, size_t errsz)
{
	while (s->ends.n && s->ends.v[0].end <= cutoff) {
		weir__endq_ent h = s->ends.v[0];
		struct sess *x = &s->sess[h.id];
		struct group *g;
		int64_t end;
		uint32_t a, b, *ids;
		int rc;

		if (!x->live || x->gen != h.gen) {
			weir__endq_pop(&s->ends);
			continue;	/* merged into another session */
		}
		end = x->last + s->gap;
		if (end != h.end) {	/* it grew: queue it by its real end */
			weir__endq_retime_top(&s->ends, end);
			continue;
		}
		weir__endq_pop(&s->ends);
		/* the lines used next: this session's group, the next one's
		 * slot (fetched while this one's records go out) */
		__builtin_prefetch(&s->grp[x->group]);
		if (s->ends.n)
			__builtin_prefetch(&s->sess[s->ends.v[0].id]);
		if ((rc = emit_session(s, h.id, emit, arg, err, errsz)) != 0)
			return rc;
		/* drop it from its group (found by start) */
		g = &s->grp[x->group];
		ids = gids(g);
		a = 0;
		b = g->n;
		while (a < b) {
			uint32_t m = a + (b - a) / 2;
			if (s->sess[ids[m]].start < x->start)
				a = m + 1;
			else
				b = m;
		}
		if (a < g->n && ids[a] == h.id) {
			memmove(ids + a, ids + a + 1,
			    (g->n - a - 1) * sizeof(*ids));
			g->n--;
		}
		/* a group whose last session closed stays (its key comes
		 * back soon, as a user's next session) while idle groups
		 * are fewer than open sessions (and a margin) */
		if (!g->n) {
			if (s->idle < s->open + IDLE_KEEP)
				s->idle++;
			else
				group_free(s, x->group);
		}
		weir__sess_free(s, h.id);
	}
	return 0;
}
