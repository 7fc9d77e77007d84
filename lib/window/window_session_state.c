/*
 * window_session_state.c - checkpoints of the session windows
 * (window.h): their groups, open sessions with their held records, and
 * the queue of session ends, saved and loaded.
 */
#include "window_session_impl.h"

#include <stdlib.h>

#include "hash.h"

/*
 * State: the groups, each with its open sessions in order of start
 * (start, last, record count, record frames), then the queue of session
 * ends in order of end (a sorted array: the binary heap that older
 * versions saved as laid out, and still load), each entry naming its
 * session by position in the saved order (1-based), or 0 for a session
 * that was merged away since.  Which of two sessions with the same end
 * closes first depends on the sessions alone (weir__sess_end_tie), not
 * on the queue's layout.
 */

/* A session's held records as self-contained RECORD frames, into out
 * (reset).  -1: out of memory (or a corrupt buffer). */
static int
held_frames(weir_buf *out, const struct sess *x)
{
	const uint8_t *p = x->recs.p, *end = p + x->recs.len;
	weir_fenc enc;
	weir_record r;

	out->len = 0;
	while (p < end) {
		if (!(p = weir__sess_held_get(p, end, &r)))
			return -1;
		memset(&enc, 0, sizeof(enc));
		if (weir_frame_put_record(&enc, out, &r) < 0)
			return -1;
	}
	return 0;
}

static int
cmp_ent(const void *a, const void *b, void *arg)
{
	const weir__endq_ent *x = a, *y = b;

	if (x->end != y->end)
		return x->end < y->end ? -1 : 1;
	return weir__sess_end_tie(arg, x, y);
}

int
weir_window_sessions_save(const weir_window_sessions *s, weir_buf *out)
{
	uint32_t *ord = NULL, gi, k, n = 0;
	weir__endq_ent *hv = NULL;
	weir_buf fr = { 0 };
	size_t i, nh;
	int rc = WEIR_FAIL_NOMEM;

	if (s->nsess && !(ord = calloc(s->nsess, sizeof(*ord))))
		return WEIR_FAIL_NOMEM;
	if (weir_sw_u64(out, s->tused - s->idle) < 0)
		goto out;
	for (gi = 0; gi < s->ngrp; gi++) {
		struct group *g = &s->grp[gi];
		const uint32_t *ids = gids(g);
		if (!g->used || !g->n)
			continue;	/* a free slot, or an idle group */
		if (weir_sw_bytes(out, gkey(g), g->klen) < 0 ||
		    weir_sw_u64(out, g->n) < 0)
			goto out;
		for (k = 0; k < g->n; k++) {
			const struct sess *x = &s->sess[ids[k]];
			ord[ids[k]] = ++n;
			if (weir_sw_i64(out, x->start) < 0 ||
			    weir_sw_i64(out, x->last) < 0 ||
			    weir_sw_u64(out, x->nrecs) < 0 ||
			    held_frames(&fr, x) < 0 ||
			    weir_sw_bytes(out, fr.p, fr.len) < 0)
				goto out;
		}
	}
	nh = s->ends.n;
	if (nh && !(hv = malloc(nh * sizeof(*hv))))
		goto out;
	if (nh) {
		memcpy(hv, s->ends.v, nh * sizeof(*hv));
		qsort_r(hv, nh, sizeof(*hv), cmp_ent, (void *)s);
	}
	if (weir_sw_u64(out, nh) < 0)
		goto out;
	for (i = 0; i < nh; i++) {
		const weir__endq_ent *h = &hv[i];
		const struct sess *x = &s->sess[h->id];
		if (weir_sw_i64(out, h->end) < 0 || weir_sw_u64(out,
		    x->live && x->gen == h->gen ? ord[h->id] : 0) < 0)
			goto out;
	}
	rc = 0;
out:
	weir_buf_free(&fr);
	free(ord);
	free(hv);
	return rc;
}

/* A session's saved record frames, checked (nrecs self-contained records
 * with event times inside [start, last]) and held into b: -1 if they are
 * not that, -2 out of memory. */
static int
load_recs(weir_buf *b, const uint8_t *p, size_t len, uint64_t nrecs,
    int64_t start, int64_t last)
{
	size_t off = 0;
	uint64_t n = 0;
	weir_fdec dec;
	weir_frame f;
	long used;

	while (off < len) {
		memset(&dec, 0, sizeof(dec));
		used = weir_frame_parse(&dec, p + off, len - off, SIZE_MAX, &f,
		    NULL, NULL, 0);
		if (used <= 0 || f.type != WEIR_F_RECORD ||
		    (f.rec.flags & WEIR_R_HOP) ||
		    !(f.rec.flags & WEIR_R_TS) || f.rec.ts < start ||
		    f.rec.ts > last)
			return -1;
		if (weir__sess_held_put(b, &f.rec) < 0)
			return -2;
		off += (size_t)used;
		n++;
	}
	return n == nrecs && n > 0 ? 0 : -1;
}

int
weir_window_sessions_load(weir_window_sessions *s, weir_rd *rd, char *err,
    size_t errsz)
{
	uint32_t *sids = NULL, *refs = NULL, gid, sid;
	weir__endq_ent *hv = NULL;
	uint64_t ngrp, nsess, nheap, total = 0, i, j, ref;
	const char *why = "malformed session state";
	struct group *g;
	struct sess *x;
	const uint8_t *key, *recs;
	size_t klen, rlen;
	int64_t start, last, prev = 0, e;
	uint64_t nrecs, h;
	int rc = WEIR_FAIL_DATA, stale = 0, lr;

	if (s->open || s->ends.n) {
		weir_seterr(err, errsz, "session state loaded twice");
		return WEIR_FAIL_DATA;
	}
	ngrp = weir_rd_count(rd, 2);
	for (i = 0; i < ngrp && !rd->bad; i++) {
		key = weir_rd_bytes(rd, &klen);
		nsess = weir_rd_count(rd, 4);
		if (rd->bad || !nsess)
			goto bad;
		h = weir_hash(key, klen, GROUP_SEED);
		if (s->table[weir__sess_slot_of(s, h, key, klen)] != NONE) {
			why = "a group is saved twice";
			goto bad;
		}
		if (weir__sess_reserve_free(s) < 0 ||
		    weir__sess_group_new(s, h, key, klen, &gid) < 0)
			goto nomem;
		g = &s->grp[gid];
		if (weir__sess_gids_reserve(g, nsess) < 0)
			goto nomem;
		for (j = 0; j < nsess; j++) {
			start = weir_rd_i64(rd);
			last = weir_rd_i64(rd);
			nrecs = weir_rd_u64(rd);
			recs = weir_rd_bytes(rd, &rlen);
			if (rd->bad || start > last ||
			    __builtin_add_overflow(last, s->gap, &e) ||
			    __builtin_sub_overflow(start, s->gap, &e) ||
			    (j && (__builtin_add_overflow(prev, s->gap, &e) ||
			    e >= start)) || nrecs > UINT32_MAX)
				goto bad;
			prev = last;
			if (weir__sess_reserve_free(s) < 0 ||
			    weir__sess_new(s, &sid) < 0)
				goto nomem;
			g = &s->grp[gid];
			gids(g)[g->n++] = sid;
			x = &s->sess[sid];
			x->unsorted = 1;	/* not known: sort when it closes */
			x->start = start;
			x->last = last;
			x->group = gid;
			x->nrecs = (uint32_t)nrecs;
			s->records += nrecs;
			if ((lr = load_recs(&x->recs, recs, rlen, nrecs, start,
			    last)) == -2)
				goto nomem;
			if (lr < 0)
				goto bad;
			if (total % 64 == 0) {
				uint32_t *p = realloc(sids, (total + 64) *
				    sizeof(*p));
				if (!p)
					goto nomem;
				sids = p;
			}
			sids[total++] = sid;
		}
	}
	nheap = weir_rd_count(rd, 2);
	if (rd->bad)
		goto bad;
	if (total && !(refs = calloc(total, sizeof(*refs))))
		goto nomem;
	if (nheap && !(hv = malloc(nheap * sizeof(*hv))))
		goto nomem;
	for (i = 0; i < nheap; i++) {
		e = weir_rd_i64(rd);
		ref = weir_rd_u64(rd);
		if (rd->bad || ref > total || (i && hv[(i - 1) / 2].end > e))
			goto bad;
		if (ref) {
			x = &s->sess[sids[ref - 1]];
			if (refs[ref - 1]++ || e > x->last + s->gap) {
				why = "bad queue of session ends";
				goto bad;
			}
			hv[i] = (weir__endq_ent){ e, sids[ref - 1], x->gen };
		} else {
			hv[i] = (weir__endq_ent){ e, NONE, 0 };
			stale = 1;
		}
	}
	for (i = 0; i < total; i++)
		if (!refs[i]) {
			why = "a session is missing from the queue of ends";
			goto bad;
		}
	if (stale) {
		/* merged-away entries must never match a live session: an
		 * older generation of slot 0 (a freed one if there is none) */
		if (!s->nsess) {
			if (weir__sess_reserve_free(s) < 0 ||
			    weir__sess_new(s, &sid) < 0)
				goto nomem;
			weir__sess_free(s, sid);
		}
		for (i = 0; i < nheap; i++)
			if (hv[i].id == NONE)
				hv[i] = (weir__endq_ent){ hv[i].end, 0,
				    s->sess[0].gen - 1 };
	}
	if (weir__endq_reserve(&s->ends, nheap) < 0)
		goto nomem;
	for (i = 0; i < nheap; i++)
		(void)weir__endq_push(&s->ends, hv[i]);	/* room made */
	rc = 0;
	goto out;
bad:
	weir_seterr(err, errsz, "%s", why);
	goto fail;
nomem:
	weir_seterr(err, errsz, "out of memory for session windows");
	rc = WEIR_FAIL_NOMEM;
fail:
	s->ends.n = 0;	/* no half-made entries: free it, do not close it */
out:
	free(sids);
	free(refs);
	free(hv);
	return rc;
}
