/*
 * join.c - stream-table and stream-stream join state (see join.h): setup,
 * the dispatch of records to the table (join_table.c) or the interval and
 * window buffers (join_interval.c), watermarks and checkpoints.  Keys and
 * merging, which both kinds use, are in join_rec.c.
 */
#include "join_int.h"

#include <stdio.h>

#include "record.h"
#include "snap.h"

static int
map_init(jmap *m, size_t cap)
{
	m->slot = calloc(cap, sizeof(*m->slot));
	m->mask = cap - 1;
	m->n = 0;
	return m->slot ? 0 : -1;
}

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
	weir__join_queue_free(j);
	free(j->bounds);
	free(j);
}

int
weir_join_record(weir_join *j, int side, const weir_record *r, char *err,
    size_t errsz)
{
	if (j->sp.mode == WEIR_JOIN_TABLE)
		return side ? weir__join_table_update(j, r, err, errsz) :
		    weir__join_table_probe(j, r, err, errsz);
	return weir__join_stream_record(j, side, r, err, errsz);
}

static int
update_wc(weir_join *j)
{
	int64_t wc = j->wm[0] < j->wm[1] ? j->wm[0] : j->wm[1];

	if (wc <= j->wc)
		return 0;
	j->wc = wc;
	return weir__join_stream_advance(j, wc);
}

int
weir_join_watermark(weir_join *j, int side, int64_t wm)
{
	if (j->ended[side] || wm <= j->wm[side])
		return 0;
	j->wm[side] = wm;
	if (j->sp.mode == WEIR_JOIN_TABLE)
		return 0;
	return update_wc(j) < 0 ? WEIR_FAIL_NOMEM : 0;
}

int
weir_join_end(weir_join *j, int side)
{
	j->ended[side] = 1;
	j->wm[side] = INT64_MAX;
	if (j->sp.mode == WEIR_JOIN_TABLE)
		return 0;
	return update_wc(j) < 0 ? WEIR_FAIL_NOMEM : 0;
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
	    j->capgroups * sizeof(jgroup) + weir__join_queue_bytes(j);
}

/* ---- checkpoints ---- */

int
weir_join_save(const weir_join *j, weir_buf *out)
{
	if (weir_sw_u64(out, (uint64_t)j->sp.mode | (j->sp.mode ==
	    WEIR_JOIN_TABLE ? 0 : JOIN_SNAP_ORDERED)) < 0 ||
	    weir_sw_i64(out, j->wm[0]) < 0 || weir_sw_i64(out, j->wm[1]) < 0 ||
	    weir_sw_i64(out, j->wc) < 0 ||
	    weir_sw_u64(out, (uint64_t)j->ended[0]) < 0 ||
	    weir_sw_u64(out, (uint64_t)j->ended[1]) < 0 ||
	    weir_sw_u64(out, (uint64_t)j->clash_told) < 0 ||
	    weir_sw_u64(out, j->st.late) < 0 ||
	    weir_sw_u64(out, j->st.nokey) < 0 ||
	    weir_sw_u64(out, j->st.max_buffered) < 0)
		return WEIR_FAIL_NOMEM;
	if ((j->sp.mode == WEIR_JOIN_TABLE ? weir__join_table_save(j, out) :
	    weir__join_stream_save(j, out)) < 0)
		return WEIR_FAIL_NOMEM;
	return 0;
}

int
weir_join_load(weir_join *j, weir_rd *rd, char *err, size_t errsz)
{
	uint64_t mode, e0, e1, told;
	int rc, ordered;

	if (j->nrows || j->nrecs || j->ngroups) {
		weir_seterr(err, errsz, "join state: loaded into a used join");
		return -1;
	}
	mode = weir_rd_u64(rd);
	j->wm[0] = weir_rd_i64(rd);
	j->wm[1] = weir_rd_i64(rd);
	j->wc = weir_rd_i64(rd);
	e0 = weir_rd_u64(rd);
	e1 = weir_rd_u64(rd);
	told = weir_rd_u64(rd);
	j->st.late = weir_rd_u64(rd);
	j->st.nokey = weir_rd_u64(rd);
	j->st.max_buffered = weir_rd_u64(rd);
	if (rd->bad) {
		weir_seterr(err, errsz, "join state: truncated");
		return -1;
	}
	ordered = j->sp.mode != WEIR_JOIN_TABLE &&
	    (mode & JOIN_SNAP_ORDERED) != 0;
	if (ordered)
		mode &= ~(uint64_t)JOIN_SNAP_ORDERED;
	if (mode != (uint64_t)j->sp.mode || e0 > 1 || e1 > 1 || told > 1 ||
	    (e0 && j->wm[0] != INT64_MAX) || (e1 && j->wm[1] != INT64_MAX)) {
		weir_seterr(err, errsz, "join state: of another kind of join, "
		    "or malformed");
		return -1;
	}
	j->ended[0] = (int)e0;
	j->ended[1] = (int)e1;
	j->clash_told = (int)told;
	rc = j->sp.mode == WEIR_JOIN_TABLE ?
	    weir__join_table_load(j, rd, err, errsz) :
	    weir__join_stream_load(j, rd, ordered, err, errsz);
	if (rc == 0 && j->st.buffered > j->st.max_buffered)
		j->st.max_buffered = j->st.buffered;
	return rc;
}
