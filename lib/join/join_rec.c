/*
 * join_rec.c - what every kind of join does to a record (see join.h):
 * its join key, the right side's members, and the joined value.  Below
 * join_table.c and join_interval.c, which call it; join.c dispatches.
 */
#include "join_int.h"

#include <stdio.h>

#include "record.h"

/* ---- keys and values ---- */

/* The join key of a record into b: 1, or 0 when it has none (no record
 * key, a missing or null field), -1 out of memory. */
int
weir__join_key(weir_join *j, int side, const weir_record *r,
    const weir_pv *root, weir_buf *b)
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
		/* key text by value: 1.0 and 1 match (weir(7), Values) */
		if (j->sp.nkeys == 1)
			return weir_pv_key_text(b, &v) < 0 ? -1 : 1;
		/* composite: each part length-prefixed, so parts cannot blur */
		j->tmp.len = 0;
		if (weir_pv_key_text(&j->tmp, &v) < 0 ||
		    weir_buf_put_varint(b, j->tmp.len) < 0 ||
		    weir_buf_put(b, j->tmp.p, j->tmp.len) < 0)
			return -1;
	}
	return 1;
}

/* The right value as output members (key, value pairs) into b. */
int
weir__join_right_members(weir_join *j, const weir_pv *v, weir_buf *b,
    char *err, size_t errsz)
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
		return weir_buf_put(b, v->s, v->n) < 0 ? WEIR_FAIL_NOMEM : 0;
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
	return WEIR_FAIL_NOMEM;
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
int
weir__join_merge(weir_join *j, const weir_pv *left, const uint8_t *mem,
    size_t n)
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

int
weir__join_members_ok(weir_join *j, const uint8_t *mem, size_t n)
{
	char err[8];
	size_t mark;

	j->tmp.len = 0;
	mark = weir_pack_open(&j->tmp, WEIR_PK_OBJ);
	if (weir_buf_put(&j->tmp, mem, n) < 0 ||
	    weir_pack_close(&j->tmp, mark) < 0)
		return 0;
	return weir_pack_validate(j->tmp.p, j->tmp.len, err, sizeof(err)) == 0;
}
