/*
 * agg_explode.c - one record per element of an aggregate's array (weir-agg
 * --explode): the rows of top:N, or of max_by as a one-row list (see
 * agg.h).
 */
#include "agg.h"

#include <stdio.h>

#include "pack.h"
#include "record.h"

/* 1 when the member key k of the result is also a field of element e
 * (the element's value wins). */
static int
shadowed(const weir_pv *e, const weir_pv *k, weir_buf *tmp)
{
	const uint8_t *s;
	size_t n;
	weir_pv v;

	if (e->type != WEIR_PV_OBJECT || weir_pv_str(k, tmp, &s, &n) < 0)
		return 0;
	return weir_pv_member(e, (const char *)s, n, &v);
}

static int
put_name(weir_buf *b, const char *s)
{
	return weir_pack_str(b, s, strlen(s));
}

/* One output record: the result's fields but name, then the element's
 * (an object's fields, else the field name), then the rank. */
static int
one_row(const weir_record *r, const weir_pv *root, const weir_pv *e,
    int64_t rank, const weir_agg_explode_spec *x, weir_buf *out,
    weir_buf *tmp, weir_agg_emit_fn fn, void *arg)
{
	weir_pv_iter it;
	weir_pv k, v;
	weir_record o;
	size_t mark;

	out->len = 0;
	mark = weir_pack_open(out, WEIR_PK_OBJ);
	weir_pv_iter_init(&it, root);
	while (weir_pv_iter_next(&it, &k, &v)) {
		if (weir_pv_str_eq(&k, x->name, strlen(x->name)) ||
		    shadowed(e, &k, tmp) ||
		    weir_pv_str_eq(&k, x->rank, strlen(x->rank)))
			continue;
		if (weir_pack_raw(out, &k) < 0 || weir_pack_raw(out, &v) < 0)
			return WEIR_FAIL_NOMEM;
	}
	if (e->type == WEIR_PV_OBJECT) {
		weir_pv_iter_init(&it, e);
		while (weir_pv_iter_next(&it, &k, &v))
			if (!weir_pv_str_eq(&k, x->rank, strlen(x->rank)) &&
			    (weir_pack_raw(out, &k) < 0 ||
			    weir_pack_raw(out, &v) < 0))
				return WEIR_FAIL_NOMEM;
	} else if (put_name(out, x->name) < 0 || weir_pack_raw(out, e) < 0)
		return WEIR_FAIL_NOMEM;
	if (put_name(out, x->rank) < 0 || weir_pack_int(out, rank) < 0 ||
	    weir_pack_close(out, mark) < 0)
		return WEIR_FAIL_NOMEM;
	o = *r;
	weir_record_set_packed(&o, out);
	return fn(arg, &o);
}

int
weir_agg_explode(const weir_agg_explode_spec *x, const weir_record *r,
    weir_buf *out, weir_buf *tmp, weir_agg_emit_fn fn, void *arg, char *err,
    size_t errsz)
{
	weir_pv root, v, e;
	weir_pv_iter it;
	int64_t rank = 0;
	int rc;

	weir_pv_of(r->value, r->value_len, &root);
	if (root.type != WEIR_PV_OBJECT ||
	    !weir_pv_member(&root, x->name, strlen(x->name), &v)) {
		weir_seterr(err, errsz, "--explode %s: no aggregate is named "
		    "'%s'", x->name, x->name);
		return WEIR_FAIL_USAGE;
	}
	if (v.type == WEIR_PV_NULL)	/* max_by of no number: no row */
		return 0;
	if (v.type != WEIR_PV_ARRAY)	/* max_by: one row */
		return one_row(r, &root, &v, 1, x, out, tmp, fn, arg);
	weir_pv_iter_init(&it, &v);
	while (weir_pv_iter_next(&it, NULL, &e))
		if ((rc = one_row(r, &root, &e, ++rank, x, out, tmp, fn,
		    arg)) < 0)
			return rc;
	return 0;
}
