/*
 * join_table.c - the table of a stream-table join: the latest row per
 * key from the right changelog (a null value deletes), probed by each
 * left record (see join_int.h).
 */
#include "join_int.h"

#include "hash.h"
#include "record.h"
#include "snap.h"

#define COMPACT_MIN (1u << 20)

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
	/* the arena exists once a row does, even for empty keys and values:
	 * no arithmetic on a null pointer */
	if (map_reserve(&j->map) < 0 || weir_buf_reserve(&j->arena, 1) < 0)
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
			if (weir_grow(&j->rows, &j->caprows, j->nrows + 1,
			    sizeof(*j->rows), SIZE_MAX) < 0)
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

int
weir__join_table_update(weir_join *j, const weir_record *r, char *err,
    size_t errsz)
{
	weir_pv v;
	int have = 0, rc;

	if (r->enc != WEIR_ENC_NULL)
		have = weir_record_json(r, &j->json, &v);
	if (have == WEIR_FAIL_NOMEM)
		goto nomem;
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
	rc = weir__join_key(j, 1, r, &v, &j->key);
	if (rc < 0)
		goto nomem;
	if (rc == 0) {
		j->st.nokey++;
		weir_seterr(err, errsz, "table record has no join key");
		return -1;
	}
	j->mem.len = 0;
	rc = weir__join_right_members(j, &v, &j->mem, err, errsz);
	if (rc < 0)
		return rc;
	if (table_put(j, j->key.p, j->key.len, j->mem.p, j->mem.len) < 0)
		goto nomem;
	return 0;
nomem:
	weir_seterr(err, errsz, "out of memory");
	return WEIR_FAIL_NOMEM;
}

int
weir__join_table_probe(weir_join *j, const weir_record *r, char *err,
    size_t errsz)
{
	weir_pv v;
	weir_record o;
	keyctx c;
	uint32_t id = NONE;
	int have, rc;
	jrow *row;

	if ((have = weir_record_json(r, &j->json, &v)) == WEIR_FAIL_NOMEM)
		goto nomem;
	rc = weir__join_key(j, 0, r, have ? &v : NULL, &j->key);
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
	if (weir__join_merge(j, &v, j->arena.p + row->off + row->klen,
	    row->vlen) < 0)
		goto nomem;
	o = *r;
	weir_record_set_packed(&o, &j->out);
	j->sp.emit(j->sp.arg, &o);
	return 0;
nomem:
	weir_seterr(err, errsz, "out of memory");
	return WEIR_FAIL_NOMEM;
}

/* ---- checkpoints: the live rows, each its key and right members ---- */

int
weir__join_table_save(const weir_join *j, weir_buf *out)
{
	size_t i;

	if (weir_sw_u64(out, j->st.rows) < 0)
		return -1;
	for (i = 0; i < j->nrows; i++) {
		const jrow *r = &j->rows[i];
		if (r->klen == NONE)
			continue;
		if (weir_sw_bytes(out, j->arena.p + r->off, r->klen) < 0 ||
		    weir_sw_bytes(out, j->arena.p + r->off + r->klen,
		    r->vlen) < 0)
			return -1;
	}
	return 0;
}

int
weir__join_table_load(weir_join *j, weir_rd *rd, char *err, size_t errsz)
{
	uint64_t n = weir_rd_count(rd, 2), i;
	const uint8_t *k, *v;
	size_t kn, vn;

	for (i = 0; i < n && !rd->bad; i++) {
		k = weir_rd_bytes(rd, &kn);
		v = weir_rd_bytes(rd, &vn);
		if (rd->bad)
			break;
		if (!weir__join_members_ok(j, v, vn)) {
			weir_seterr(err, errsz, "join state: a table row is "
			    "malformed");
			return -1;
		}
		if (table_put(j, k, kn, v, vn) < 0) {
			weir_seterr(err, errsz, "out of memory");
			return WEIR_FAIL_NOMEM;
		}
	}
	if (rd->bad) {
		weir_seterr(err, errsz, "join state: truncated table");
		return -1;
	}
	if (j->st.rows != n) {
		weir_seterr(err, errsz, "join state: a table key is there twice");
		return -1;
	}
	return 0;
}
