/*
 * agg_look.c - the fields a record's group key and aggregates read, found
 * in one pass over the record's object when every path is one plain key
 * (-g .user sum:.amount, the usual case), instead of one scan of the
 * object per path and a canonical copy made through the general code.
 *
 * The result is exactly that of weir_path_get per path (the first member
 * of that name) and weir_pv_canon per group value: anything else (a path
 * of several steps or an index, a key that is not a short plain string,
 * a value that is not an object) goes the general way.
 *
 * It reads unchecked packed values safely (weir_agg_check_reads): every
 * step stays inside the value, keys are only compared with the wanted
 * ones, the values of other members are stepped over (weir_pv_skip) and
 * each value found is validated before anything reads it.
 */
#include "agg_int.h"

#include <stdlib.h>

struct want {
	const char *k;
	size_t kl;
	size_t to;		/* value path index; group i is npaths + i */
};

struct weir__agg_look {
	struct want *w;
	size_t n;
	weir_pv *v;		/* what was found, per want */
};

void
weir__agg_look_free(struct weir__agg_look *l)
{
	if (!l)
		return;
	free(l->w);
	free(l->v);
	free(l);
}

static int
one_key(const weir_path *p)
{
	return p->nsteps == 1 && !p->steps[0].is_index &&
	    p->steps[0].key_len < 32;
}

int
weir__agg_look_init(weir_agg *a)
{
	struct weir__agg_look *l;
	size_t i, n = a->npaths + a->ng;

	if (n == 0 || n > 64)
		return 0;
	for (i = 0; i < a->npaths; i++)
		if (!one_key(&a->paths[i]))
			return 0;
	for (i = 0; i < a->ng; i++)
		if (!one_key(&a->g[i].path))
			return 0;
	if (!(l = calloc(1, sizeof(*l))) ||
	    !(l->w = calloc(n, sizeof(*l->w))) ||
	    !(l->v = calloc(n, sizeof(*l->v)))) {
		weir__agg_look_free(l);
		return -1;
	}
	for (i = 0; i < n; i++) {
		const weir_path *p = i < a->npaths ? &a->paths[i] :
		    &a->g[i - a->npaths].path;
		l->w[i].k = p->steps[0].key;
		l->w[i].kl = p->steps[0].key_len;
		l->w[i].to = i;
	}
	l->n = n;
	a->look = l;
	return 0;
}

int
weir__agg_look(weir_agg *a, const weir_pv *root, char *err, size_t errsz)
{
	struct weir__agg_look *l = a->look;
	const uint8_t *p, *end, *kp;
	uint64_t found = 0, all;
	size_t j, kl;
	weir_pv *v;

	if (!l || root->type != WEIR_PV_OBJECT)
		return 0;
	all = l->n == 64 ? ~(uint64_t)0 : ((uint64_t)1 << l->n) - 1;
	p = root->s;
	end = p + root->n;
	while (p < end && found != all) {
		if ((*p & 0xe0) != WEIR_PK_SSTR)
			return 0;
		kl = *p & 0x1f;
		kp = p + 1;
		if ((size_t)(end - kp) < kl)
			return 0;
		p = kp + kl;
		v = NULL;
		for (j = 0; j < l->n; j++) {
			if ((found >> j & 1) || l->w[j].kl != kl ||
			    memcmp(l->w[j].k, kp, kl) != 0)
				continue;
			if (!v) {
				v = &l->v[j];
				if (!weir_pv_read(p, end, v))
					return 0;
				/* unchecked bytes: what is read, checked */
				if (a->lazy && weir_pack_validate(v->tag,
				    (size_t)(v->end - v->tag), err, errsz) < 0)
					return WEIR_FAIL_IO;
			} else
				l->v[j] = *v;
			found |= (uint64_t)1 << j;
		}
		if (!(p = v ? v->end : weir_pv_skip(p, end)))
			return 0;
	}
	for (j = 0; j < a->npaths; j++)
		if ((a->have[j] = (int)(found >> j & 1)))
			a->pv[j] = l->v[j];
	for (j = a->npaths; j < l->n; j++) {
		v = &l->v[j];
		if (!(found >> j & 1)) {
			if (weir_buf_putc(&a->gk, WEIR_PK_NULL) < 0)
				return WEIR_FAIL_NOMEM;
		} else if ((*v->tag & 0xe0) == WEIR_PK_SSTR) {
			/* a short plain string is its own canonical form */
			if (weir_buf_put(&a->gk, v->tag,
			    (size_t)(v->end - v->tag)) < 0)
				return WEIR_FAIL_NOMEM;
		} else if (weir_pv_canon(&a->gk, v) < 0)
			return WEIR_FAIL_NOMEM;
	}
	return 1;
}
