/*
 * agg.c - grouped, windowed aggregation (see agg.h): setup, the windows
 * and their groups, results.  What each function keeps per group is in
 * agg_state.c.
 */
#include "agg_int.h"

#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>

#include "hash.h"
#include "record.h"

#define MAX_FREE_WINS 8

/* --- setup -------------------------------------------------------------- */

weir_agg *
weir_agg_new(void)
{
	weir_agg *a = calloc(1, sizeof(*a));

	if (!a)
		return NULL;
	a->closed_wm = INT64_MIN;
	a->min_end = INT64_MAX;
	return a;
}

static void
win_free_states(weir_agg *a, struct win *w)
{
	uint32_t i;

	for (i = 0; i < w->n; i++)
		weir__agg_state_free(a, w->ents + (size_t)i * a->stride +
		    sizeof(struct gent));
	a->ngroups -= w->n;
	w->n = 0;
	w->keys.len = 0;
	if (w->slot)
		memset(w->slot, 0, w->scap * sizeof(*w->slot));
}

static void
win_destroy(weir_agg *a, struct win *w)
{
	win_free_states(a, w);
	free(w->slot);
	free(w->ents);
	free(w->mts);
	weir_buf_free(&w->keys);
	free(w);
}

void
weir_agg_free(weir_agg *a)
{
	size_t i;
	struct win *w;

	if (!a)
		return;
	for (i = 0; i < a->nwins; i++)
		win_destroy(a, a->wins[i]);
	if (a->nowin)
		win_destroy(a, a->nowin);
	while ((w = a->freelist)) {
		a->freelist = w->next;
		win_destroy(a, w);
	}
	for (i = 0; i < a->ng; i++) {
		weir_path_free(&a->g[i].path);
		free(a->g[i].name);
	}
	for (i = 0; i < a->npaths; i++)
		weir_path_free(&a->paths[i]);
	for (i = 0; i < a->nf; i++)
		free(a->f[i].name);
	free(a->g);
	free(a->paths);
	free(a->f);
	free(a->st);
	free(a->wins);
	free(a->wtab);
	free(a->pv);
	free(a->have);
	free(a->order);
	weir_buf_free(&a->gk);
	weir_buf_free(&a->root);
	weir_buf_free(&a->lastv);
	free(a->pvoff);
	weir_buf_free(&a->out);
	weir_buf_free(&a->key);
	weir_buf_free(&a->tmp);
	weir_buf_free(&a->canon);
	weir__agg_hop_free(a->hop);
	weir__agg_look_free(a->look);
	free(a);
}

/* A field name: letters, digits, '_', '-', '.'; not empty. */
static int
valid_name(const char *s, size_t n)
{
	size_t i;

	if (n == 0)
		return 0;
	for (i = 0; i < n; i++)
		if (!isalnum((unsigned char)s[i]) && s[i] != '_' &&
		    s[i] != '-' && s[i] != '.')
			return 0;
	return 1;
}

/* "NAME=REST": split off a name when one is there (paths start with '.'
 * and function names have no '=', so "x=..." is always a name). */
static int
split_name(const char *s, const char **rest, char **name, char *err,
    size_t errsz)
{
	const char *eq = strchr(s, '=');

	*name = NULL;
	*rest = s;
	if (!eq || s[0] == '.' || memchr(s, ':', (size_t)(eq - s)))
		return 0;
	if (!valid_name(s, (size_t)(eq - s))) {
		weir_seterr(err, errsz, "bad output name '%.*s' (letters, "
		    "digits, _ - . only)", (int)(eq - s), s);
		return WEIR_FAIL_USAGE;
	}
	*name = strndup(s, (size_t)(eq - s));
	if (!*name) {
		weir_seterr(err, errsz, "out of memory");
		return WEIR_FAIL_NOMEM;
	}
	*rest = eq + 1;
	return 0;
}

int
weir_agg_add_groups(weir_agg *a, const char *spec, char *err, size_t errsz)
{
	char **list, *tok, *name;
	const char *p;
	size_t cap = a->ng, nlen, n, k;
	const char *nm;
	int rc = WEIR_FAIL_NOMEM;

	if (!*spec) {
		weir_seterr(err, errsz, "empty group list");
		return WEIR_FAIL_USAGE;
	}
	if ((rc = weir_path_list(&list, &n, spec, err, errsz)) < 0)
		return rc;
	for (k = 0; k < n; k++) {
		struct gpath *g;
		tok = list[k];
		if (weir_grow(&a->g, &cap, a->ng + 1,
		    sizeof(*a->g), SIZE_MAX) < 0) {
			weir_seterr(err, errsz, "out of memory");
			rc = WEIR_FAIL_NOMEM;
			goto out;
		}
		if ((rc = split_name(tok, &p, &name, err, errsz)) < 0)
			goto out;
		g = &a->g[a->ng];
		memset(g, 0, sizeof(*g));
		if ((rc = weir_path_parse(&g->path, p, err, errsz)) < 0) {
			free(name);
			goto out;
		}
		if (!name) {
			nm = weir_path_name(&g->path, &nlen);
			name = strndup(nm, nlen);
		}
		g->name = name;
		a->ng++;
		if (!name) {
			weir_seterr(err, errsz, "out of memory");
			rc = WEIR_FAIL_NOMEM;
			goto out;
		}
	}
	rc = 0;
out:
	free(list);
	return rc;
}

static const struct {
	const char *name;
	int kind;
} fnames[] = {
	{ "count", WEIR_AGG_COUNT }, { "sum", WEIR_AGG_SUM },
	{ "avg", WEIR_AGG_AVG }, { "min", WEIR_AGG_MIN },
	{ "max", WEIR_AGG_MAX }, { "first", WEIR_AGG_FIRST },
	{ "last", WEIR_AGG_LAST }, { "distinct", WEIR_AGG_DISTINCT },
	{ "approx_distinct", WEIR_AGG_APPROX_DISTINCT },
	{ "topk", WEIR_AGG_TOPK }, { "stddev", WEIR_AGG_STDDEV },
	{ "max_by", WEIR_AGG_MAX_BY }, { "min_by", WEIR_AGG_MIN_BY },
	{ "top", WEIR_AGG_TOP },
};

/* pNN: "p" then a number of percent, 0..100 ("p99.9"). */
static int
parse_quantile(const char *s, size_t n, double *q)
{
	char buf[32], *end;
	double v;

	if (n < 2 || n >= sizeof(buf) || s[0] != 'p' ||
	    !isdigit((unsigned char)s[1]))
		return 0;
	memcpy(buf, s + 1, n - 1);
	buf[n - 1] = 0;
	errno = 0;
	v = strtod(buf, &end);
	if (*end || errno || !(v >= 0 && v <= 100))
		return 0;
	*q = v / 100;
	return 1;
}

static int
find_path(weir_agg *a, const char *text, char *err, size_t errsz)
{
	size_t i, cap = a->npaths;
	int rc;

	for (i = 0; i < a->npaths; i++)
		if (strcmp(a->paths[i].text, text) == 0)
			return (int)i;
	if (weir_grow(&a->paths, &cap, a->npaths + 1,
	    sizeof(*a->paths), SIZE_MAX) < 0) {
		weir_seterr(err, errsz, "out of memory");
		return WEIR_FAIL_NOMEM;
	}
	if ((rc = weir_path_parse(&a->paths[a->npaths], text, err, errsz)) < 0)
		return rc;
	return (int)a->npaths++;
}

static int
find_state(weir_agg *a, int kind, size_t path, char *err, size_t errsz)
{
	size_t i, cap = a->nst;

	for (i = 0; i < a->nst; i++)
		if (a->st[i].kind == kind && a->st[i].path == path)
			return (int)i;
	if (weir_grow(&a->st, &cap, a->nst + 1, sizeof(*a->st), SIZE_MAX) < 0) {
		weir_seterr(err, errsz, "out of memory");
		return WEIR_FAIL_NOMEM;
	}
	memset(&a->st[a->nst], 0, sizeof(*a->st));
	a->st[a->nst].kind = kind;
	a->st[a->nst].path = path;
	return (int)a->nst++;
}

int
weir_agg_add_func(weir_agg *a, const char *spec, char *err, size_t errsz)
{
	struct func fn = { .st = -1 };
	const char *s, *colon, *ptext = NULL;
	char *name = NULL, nbuf[256];
	size_t i, flen, cap = a->nf, plen;
	const char *pname;
	int p, rc = WEIR_FAIL_USAGE;

	if ((rc = split_name(spec, &s, &name, err, errsz)) < 0)
		return rc;
	rc = WEIR_FAIL_USAGE;
	colon = strchr(s, ':');
	flen = colon ? (size_t)(colon - s) : strlen(s);
	fn.kind = -1;
	for (i = 0; i < sizeof(fnames) / sizeof(fnames[0]); i++)
		if (strlen(fnames[i].name) == flen &&
		    memcmp(fnames[i].name, s, flen) == 0)
			fn.kind = fnames[i].kind;
	if (fn.kind < 0 && parse_quantile(s, flen, &fn.q))
		fn.kind = WEIR_AGG_QUANTILE;
	if (fn.kind < 0) {
		weir_seterr(err, errsz, "unknown function '%.*s' in '%s' (count, "
		    "sum, avg, min, max, first, last, distinct, approx_distinct, "
		    "pNN, topk, stddev, max_by, min_by, top)", (int)flen, s,
		    spec);
		goto fail;
	}
	if (fn.kind == WEIR_AGG_COUNT) {
		if (colon) {
			weir_seterr(err, errsz, "count takes no path: '%s'", spec);
			goto fail;
		}
	} else {
		if (!colon || !colon[1]) {
			weir_seterr(err, errsz, "%.*s needs a path: %.*s:.field",
			    (int)flen, s, (int)flen, s);
			goto fail;
		}
		ptext = colon + 1;
		if (fn.kind == WEIR_AGG_TOPK || fn.kind == WEIR_AGG_TOP) {
			char *end;
			long k;
			errno = 0;
			k = strtol(ptext, &end, 10);
			if (end == ptext || *end != ':' || errno || k < 1 ||
			    k > 100000) {
				weir_seterr(err, errsz, "%.*s needs a count 1.."
				    "100000 and a path: %.*s:10:.field",
				    (int)flen, s, (int)flen, s);
				goto fail;
			}
			fn.k = (uint32_t)k;
			ptext = end + 1;
		}
		if ((p = find_path(a, ptext, err, errsz)) < 0) {
			rc = p;
			goto fail;
		}
		fn.st = find_state(a, weir__agg_state_kind(fn.kind), (size_t)p,
		    err, errsz);
		if (fn.st < 0) {
			rc = fn.st;
			goto fail;
		}
		if (fn.kind == WEIR_AGG_STDDEV)
			a->st[fn.st].welford = 1;
		if (a->st[fn.st].k < (fn.k ? fn.k : 1))	/* max_by, top */
			a->st[fn.st].k = fn.k ? fn.k : 1;
	}
	if (!name) {
		if (fn.kind == WEIR_AGG_COUNT)
			snprintf(nbuf, sizeof(nbuf), "count");
		else {
			pname = weir_path_name(&a->paths[a->st[fn.st].path],
			    &plen);
			snprintf(nbuf, sizeof(nbuf), "%.*s_%.*s", (int)flen, s,
			    (int)plen, pname);
			for (i = 0; i < flen; i++)	/* p99.9 -> p99_9 */
				if (nbuf[i] == '.')
					nbuf[i] = '_';
		}
		if (!(name = strdup(nbuf))) {
			weir_seterr(err, errsz, "out of memory");
			return WEIR_FAIL_NOMEM;
		}
	}
	fn.name = name;
	if (weir_grow(&a->f, &cap, a->nf + 1, sizeof(*a->f), SIZE_MAX) < 0) {
		weir_seterr(err, errsz, "out of memory");
		rc = WEIR_FAIL_NOMEM;
		goto fail;
	}
	a->f[a->nf++] = fn;
	return 0;
fail:
	free(name);
	return rc;
}

int
weir_agg_ready(weir_agg *a, char *err, size_t errsz)
{
	size_t i, j, off = sizeof(struct gent);
	const char *names[2 + 1024];
	size_t nn = 0;
	int rc;

	if (a->nf == 0 && (rc = weir_agg_add_func(a, "count", err, errsz)) < 0)
		return rc;
	names[nn++] = "window_start";
	names[nn++] = "window_end";
	if (a->ng == 0)
		names[nn++] = "key";
	if (a->ng + a->nf > 1000) {
		weir_seterr(err, errsz, "too many groups and functions");
		return WEIR_FAIL_USAGE;
	}
	for (i = 0; i < a->ng; i++)
		names[nn++] = a->g[i].name;
	for (i = 0; i < a->nf; i++)
		names[nn++] = a->f[i].name;
	for (i = 0; i < nn; i++)
		for (j = i + 1; j < nn; j++)
			if (strcmp(names[i], names[j]) == 0) {
				weir_seterr(err, errsz, "two output fields are "
				    "named '%s': name one with NAME=", names[j]);
				return WEIR_FAIL_USAGE;
			}
	for (i = 0; i < a->nst; i++) {
		a->st[i].off = off - sizeof(struct gent);
		off += (weir__agg_state_bytes(&a->st[i]) + 7) & ~(size_t)7;
	}
	a->stride = off;
	a->pv = calloc(a->npaths + 1, sizeof(*a->pv));
	a->have = calloc(a->npaths + 1, sizeof(*a->have));
	if (!a->pv || !a->have || weir__agg_look_init(a) < 0) {
		weir_seterr(err, errsz, "out of memory");
		return WEIR_FAIL_NOMEM;
	}
	a->ready = 1;
	return 0;
}

/* --- windows and groups ------------------------------------------------- */

static inline uint64_t
win_hash(int64_t s, int64_t e)
{
	return weir_hash_u64((uint64_t)s * 0x9e3779b97f4a7c15ULL ^ (uint64_t)e);
}

static int
wtab_insert(weir_agg *a, struct win *w)
{
	size_t i, mask;

	if ((a->nwins + 1) * 2 > a->wtcap) {
		size_t cap = a->wtcap ? a->wtcap * 2 : 16, k;
		struct win **t = calloc(cap, sizeof(*t));
		if (!t)
			return -1;
		free(a->wtab);
		a->wtab = t;
		a->wtcap = cap;
		for (k = 0; k < a->nwins; k++)
			if (a->wins[k] != w && wtab_insert(a, a->wins[k]) < 0)
				return -1;
	}
	mask = a->wtcap - 1;
	for (i = win_hash(w->s, w->e) & mask; a->wtab[i]; i = (i + 1) & mask)
		;
	a->wtab[i] = w;
	return 0;
}

static struct win *
win_new(weir_agg *a, int64_t s, int64_t e, int windowed)
{
	struct win *w = a->freelist;

	if (w) {
		a->freelist = w->next;
		a->nfree--;
	} else if (!(w = calloc(1, sizeof(*w))))
		return NULL;
	w->s = s;
	w->e = e;
	w->windowed = windowed;
	w->next = NULL;
	return w;
}

static struct win *
win_get(weir_agg *a, int64_t s, int64_t e)
{
	struct win *w;
	size_t i, mask;

	if (a->last && a->last->s == s && a->last->e == e)
		return a->last;
	if (a->wtcap) {
		mask = a->wtcap - 1;
		for (i = win_hash(s, e) & mask; (w = a->wtab[i]);
		    i = (i + 1) & mask)
			if (w->s == s && w->e == e)
				return a->last = w;
	}
	if (weir_grow(&a->wins, &a->wcap, a->nwins + 1,
	    sizeof(*a->wins), SIZE_MAX) < 0 ||
	    !(w = win_new(a, s, e, 1)))
		return NULL;
	a->wins[a->nwins] = w;
	if (wtab_insert(a, w) < 0) {
		w->next = a->freelist;
		a->freelist = w;
		a->nfree++;
		return NULL;
	}
	a->nwins++;
	if (e < a->min_end)
		a->min_end = e;
	return a->last = w;
}

static inline struct gent *
ent_at(const weir_agg *a, const struct win *w, uint32_t i)
{
	return (struct gent *)(w->ents + (size_t)i * a->stride);
}

static int
slots_grow(weir_agg *a, struct win *w)
{
	uint32_t cap = w->scap ? w->scap * 2 : 64, i, j, mask = cap - 1;
	uint32_t *s = calloc(cap, sizeof(*s));

	if (!s)
		return -1;
	for (i = 0; i < w->n; i++) {
		for (j = (uint32_t)ent_at(a, w, i)->hash & mask; s[j];
		    j = (j + 1) & mask)
			;
		s[j] = i + 1;
	}
	free(w->slot);
	w->slot = s;
	w->scap = cap;
	return 0;
}

/* The group with key bytes k[0..n) in w, created when new; -1 on ENOMEM. */
static int64_t
group_get(weir_agg *a, struct win *w, const uint8_t *k, size_t n)
{
	uint64_t h = weir_hash(k, n, SEED);
	uint32_t i, mask, idx;
	struct gent *g;
	const uint8_t *gk;
	size_t gn, koff;

	if (w->scap) {
		mask = w->scap - 1;
		for (i = (uint32_t)h & mask; w->slot[i]; i = (i + 1) & mask) {
			g = ent_at(a, w, w->slot[i] - 1);
			if (g->hash != (uint32_t)h)
				continue;
			gk = weir__agg_gkey(w, g, &gn);
			if (gn == n && memcmp(gk, k, n) == 0)
				return w->slot[i] - 1;
		}
	}
	if ((w->n + 1) * 2 > w->scap && slots_grow(a, w) < 0)
		return -1;
	if (w->n == w->ecap) {
		uint32_t cap = w->ecap ? w->ecap * 2 : 32;
		uint8_t *e = realloc(w->ents, (size_t)cap * a->stride);
		if (!e)
			return -1;
		w->ents = e;
		if (w->mts) {
			int64_t *t = realloc(w->mts, (size_t)cap *
			    sizeof(*t));
			if (!t)
				return -1;
			w->mts = t;
		}
		w->ecap = cap;
	}
	koff = w->keys.len;
	if (n > UINT32_MAX || koff + n + 10 > UINT32_MAX ||
	    weir_buf_put_varint(&w->keys, n) < 0 ||
	    weir_buf_put(&w->keys, k, n) < 0) {
		w->keys.len = koff;
		return -1;
	}
	idx = w->n++;
	g = ent_at(a, w, idx);
	memset(g, 0, a->stride);
	g->hash = (uint32_t)h;
	g->koff = (uint32_t)koff;
	weir__agg_state_init(a, (uint8_t *)(g + 1));
	mask = w->scap - 1;
	for (i = (uint32_t)h & mask; w->slot[i]; i = (i + 1) & mask)
		;
	w->slot[i] = idx + 1;
	a->ngroups++;
	return idx;
}

/* 1 if r's packed value has the bytes of the last one looked up: pv[]
 * are moved onto r's bytes, gk_vlen still holds. */
static int
same_value(weir_agg *a, const weir_record *r)
{
	uintptr_t base = (uintptr_t)r->value;
	size_t i;

	if (!a->lastv_ok || r->enc != WEIR_ENC_PACKED ||
	    r->value_len != a->lastv.len ||
	    memcmp(r->value, a->lastv.p, r->value_len) != 0) {
		a->lastv_miss += a->lastv_miss < UINT32_MAX;
		return 0;
	}
	a->lastv_miss = 0;
	for (i = 0; i < a->npaths; i++) {
		if (!a->have[i])
			continue;
		a->pv[i].s = (const uint8_t *)(base + a->pvoff[3 * i]);
		a->pv[i].tag = (const uint8_t *)(base + a->pvoff[3 * i + 1]);
		a->pv[i].end = (const uint8_t *)(base + a->pvoff[3 * i + 2]);
	}
	return 1;
}

/* After looking r up: keep what same_value needs (packed values of up to
 * 256 bytes; others are looked up each time). */
static int
remember_value(weir_agg *a, const weir_record *r)
{
	uintptr_t base = (uintptr_t)r->value;
	size_t i;

	a->lastv_ok = 0;
	if (r->enc != WEIR_ENC_PACKED || r->value_len > 256)
		return 0;
	/* values that do not come again (tumbling windows, HOP records):
	 * after 16 misses in a row, one value in 64 is kept, to see */
	if (a->lastv_miss >= 16 && (a->lastv_miss & 63) != 0)
		return 0;
	if (!a->pvoff && !(a->pvoff = calloc(3 * (a->npaths + 1),
	    sizeof(*a->pvoff))))
		return -1;
	a->lastv.len = 0;
	if (weir_buf_put(&a->lastv, r->value, r->value_len) < 0)
		return -1;
	for (i = 0; i < a->npaths; i++) {
		if (!a->have[i])
			continue;
		a->pvoff[3 * i] = (uintptr_t)a->pv[i].s - base;
		a->pvoff[3 * i + 1] = (uintptr_t)a->pv[i].tag - base;
		a->pvoff[3 * i + 2] = (uintptr_t)a->pv[i].end - base;
	}
	a->gk_vlen = a->gk.len;
	a->lastv_ok = 1;
	return 0;
}

int
weir_agg_check_reads(weir_agg *a)
{
	size_t i;

	for (i = 0; i < a->nst; i++)
		if (a->st[i].kind == ST_BYMAX || a->st[i].kind == ST_BYMIN)
			return 0;
	a->lazy = 1;
	return 1;
}

/* An unchecked packed value (weir_agg_check_reads) that the one-pass
 * lookup does not read field by field: the whole of it checked now.  0 or
 * WEIR_FAIL_IO. */
static int
check_whole(weir_agg *a, const weir_record *r, char *err, size_t errsz)
{
	if (!a->lazy || r->enc != WEIR_ENC_PACKED ||
	    weir_pack_validate(r->value, r->value_len, err, errsz) == 0)
		return 0;
	return WEIR_FAIL_IO;
}

/* This record's group key into a->gk and its values into a->pv (a
 * WEIR_FAIL_* with a message). */
static int
record_key(weir_agg *a, const weir_record *r, char *err, size_t errsz)
{
	weir_pv root;
	size_t i;
	int rc;

	if ((a->ng || a->npaths) && same_value(a, r)) {
		a->gk.len = a->gk_vlen;
	} else if (a->ng || a->npaths) {
		a->gk.len = 0;
		/* unchecked bytes: weir_pv_of reads the root's tag and length
		 * within the value; the lookup checks what it reads */
		if ((rc = weir_record_json(r, &a->root, &root)) <= 0) {
			if (rc == WEIR_FAIL_NOMEM)
				goto nomem;
			if ((rc = check_whole(a, r, err, errsz)) < 0)
				return rc;
			weir_seterr(err, errsz, r->enc == WEIR_ENC_NULL ?
			    "record has no value (a tombstone)" :
			    "record value is not JSON");
			return -1;
		}
		if ((rc = weir__agg_look(a, &root, err, errsz)) ==
		    WEIR_FAIL_NOMEM)
			goto nomem;
		if (rc < 0)
			return rc;
		if (!rc && (rc = check_whole(a, r, err, errsz)) < 0)
			return rc;
		for (i = 0; !rc && i < a->npaths; i++)
			a->have[i] = weir_path_get(&a->paths[i], &root,
			    &a->pv[i]);
		for (i = 0; !rc && i < a->ng; i++) {
			weir_pv v;
			/* canonical: one group per value (weir_pv_canon) */
			if (weir_path_get(&a->g[i].path, &root, &v)) {
				if (weir_pv_canon(&a->gk, &v) < 0)
					goto nomem;
			} else if (weir_buf_putc(&a->gk, WEIR_PK_NULL) < 0)
				goto nomem;
		}
		if (remember_value(a, r) < 0)
			goto nomem;
	} else
		a->gk.len = 0;
	if (!a->ng) {
		int has = (r->flags & WEIR_R_KEY) != 0;
		if (weir_buf_putc(&a->gk, has) < 0 ||
		    (has && weir_buf_put(&a->gk, r->key, r->key_len) < 0))
			goto nomem;
	}
	return 0;
nomem:
	weir_seterr(err, errsz, "out of memory");
	return WEIR_FAIL_NOMEM;
}

/* Add the record whose key record_key made to group idx of w. */
int
weir__agg_add_at(weir_agg *a, struct win *w, uint32_t idx,
    const weir_record *r)
{
	struct gent *g = ent_at(a, w, idx);

	if (g->count < WEIR__AGG_MAX_COUNT)
		g->count++;
	g->dirty = 1;
	a->cur = r;
	/* the latest event time: only unwindowed results carry it */
	if ((r->flags & WEIR_R_TS) && !w->windowed) {
		if (!w->mts && !(w->mts = malloc((size_t)w->ecap *
		    sizeof(*w->mts))))
			return WEIR_FAIL_NOMEM;
		if (!g->hasts || r->ts > w->mts[idx]) {
			w->mts[idx] = r->ts;
			g->hasts = 1;
		}
	}
	return weir__agg_state_update(a, (uint8_t *)(g + 1)) < 0 ?
	    WEIR_FAIL_NOMEM : 0;
}

/* ... to its group in w, which is made when new. */
static int
add_to(weir_agg *a, struct win *w, const weir_record *r, weir_agg_ref *ref)
{
	int64_t gi;

	if ((gi = group_get(a, w, a->gk.p, a->gk.len)) < 0 ||
	    weir__agg_add_at(a, w, (uint32_t)gi, r) < 0)
		return WEIR_FAIL_NOMEM;
	if (ref) {
		ref->win = w;
		ref->idx = (uint32_t)gi;
	}
	return 0;
}

int
weir_agg_add(weir_agg *a, const weir_record *r, weir_agg_ref *ref,
    char *err, size_t errsz)
{
	struct win *w;
	int rc;

	if (r->flags & WEIR_R_WINDOW) {
		if (r->win_end <= a->closed_wm)
			return 1;
		w = win_get(a, r->win_start, r->win_end);
	} else {
		if (!a->nowin)
			a->nowin = win_new(a, 0, 0, 0);
		w = a->nowin;
	}
	if (!w)
		goto nomem;
	if ((rc = record_key(a, r, err, errsz)) < 0)
		return rc;
	if (add_to(a, w, r, ref) < 0)
		goto nomem;
	return 0;
nomem:
	weir_seterr(err, errsz, "out of memory");
	return WEIR_FAIL_NOMEM;
}

/* For agg_hop.c (agg_int.h). */
struct win *
weir__agg_win(weir_agg *a, int64_t s, int64_t e)
{
	return win_get(a, s, e);
}

int64_t
weir__agg_group(weir_agg *a, struct win *w)
{
	return group_get(a, w, a->gk.p, a->gk.len);
}

int
weir__agg_key(weir_agg *a, const weir_record *r, char *err, size_t errsz)
{
	return record_key(a, r, err, errsz);
}

/* --- results ------------------------------------------------------------ */

/* A group's fields and the result's key (agg_int.h). */
int
weir__agg_pack_group(weir_agg *a, const uint8_t *k, size_t n, weir_buf *b,
    weir_record *r)
{
	const uint8_t *kend = k + n;
	weir_pv v;
	size_t i;

	a->key.len = 0;
	if (a->ng == 0) {
		/* by record key: a "key" field unless the records had none */
		if (*k) {
			r->flags |= WEIR_R_KEY;
			r->key = k + 1;
			r->key_len = n - 1;
			if (pack_name(b, "key") < 0)
				return WEIR_FAIL_NOMEM;
			if (weir_pack_str(b, (const char *)r->key,
			    r->key_len) < 0) {
				/* not UTF-8: base64 */
				a->tmp.len = 0;
				if (weir_b64_enc(&a->tmp, r->key,
				    r->key_len) < 0 ||
				    weir_pack_str(b, (const char *)a->tmp.p,
				    a->tmp.len) < 0)
					return WEIR_FAIL_NOMEM;
			}
		}
	} else {
		if (a->ng > 1 && weir_buf_putc(&a->key, '[') < 0)
			return WEIR_FAIL_NOMEM;
		for (i = 0; i < a->ng; i++) {
			if (!(k = weir_pv_read(k, kend, &v)))
				return -1;
			if (pack_name(b, a->g[i].name) < 0 ||
			    weir_pack_raw(b, &v) < 0)
				return WEIR_FAIL_NOMEM;
			if (a->ng == 1) {
				if (weir_key_from_pv(&a->key, &v) < 0)
					return WEIR_FAIL_NOMEM;
			} else if ((i && weir_buf_putc(&a->key, ',') < 0) ||
			    weir_pv_to_json(&a->key, &v) < 0)
				return WEIR_FAIL_NOMEM;
		}
		if (a->ng > 1 && weir_buf_putc(&a->key, ']') < 0)
			return WEIR_FAIL_NOMEM;
		r->flags |= WEIR_R_KEY;
		r->key = a->key.p ? a->key.p : (const uint8_t *)"";
		r->key_len = a->key.len;
	}
	return 0;
}

static int
emit_one(weir_agg *a, struct win *w, struct gent *g, weir_agg_emit_fn fn,
    void *arg)
{
	weir_buf *b = &a->out;
	size_t mark, i, kn;
	const uint8_t *k = weir__agg_gkey(w, g, &kn);
	weir_record r;
	int rc;

	memset(&r, 0, sizeof(r));
	b->len = 0;
	mark = weir_pack_open(b, WEIR_PK_OBJ);
	if (w->windowed) {
		if (pack_name(b, "window_start") < 0 ||
		    weir_pack_int(b, w->s) < 0 ||
		    pack_name(b, "window_end") < 0 ||
		    weir_pack_int(b, w->e) < 0)
			return WEIR_FAIL_NOMEM;
		r.flags |= WEIR_R_TS | WEIR_R_WINDOW;
		r.ts = w->e - 1;
		r.win_start = w->s;
		r.win_end = w->e;
	} else if (g->hasts) {
		r.flags |= WEIR_R_TS;
		r.ts = w->mts[((uint8_t *)g - w->ents) / a->stride];
	}
	if ((rc = weir__agg_pack_group(a, k, kn, b, &r)) < 0)
		return rc;
	for (i = 0; i < a->nf; i++)
		if (pack_name(b, a->f[i].name) < 0 ||
		    weir__agg_pack_func(a, b, &a->f[i], g) < 0)
			return WEIR_FAIL_NOMEM;
	if (weir_pack_close(b, mark) < 0)
		return WEIR_FAIL_NOMEM;
	weir_record_set_packed(&r, b);
	g->dirty = 0;
	return fn(arg, &r);
}

int
weir_agg_emit_group(weir_agg *a, const weir_agg_ref *ref,
    weir_agg_emit_fn fn, void *arg)
{
	struct win *w = ref->win;

	return emit_one(a, w, ent_at(a, w, ref->idx), fn, arg);
}

static int
emit_win(weir_agg *a, struct win *w, int emit, weir_agg_emit_fn fn,
    void *arg)
{
	uint32_t i, *o;
	int rc;

	if (!emit)
		return 0;
	/* in the order of the group values (agg_order.c); the window is
	 * closing: its lookup table holds that order now */
	if ((rc = weir__agg_order(a, w, &o)) < 0)
		return rc;
	for (i = 0; i < w->n; i++)
		if ((rc = emit_one(a, w, ent_at(a, w, o[i]), fn, arg)) < 0)
			return rc;
	return 0;
}

static void
win_recycle(weir_agg *a, struct win *w)
{
	if (a->nfree >= MAX_FREE_WINS) {
		win_destroy(a, w);
		return;
	}
	win_free_states(a, w);
	w->next = a->freelist;
	a->freelist = w;
	a->nfree++;
}

static int
win_order(const void *x, const void *y)
{
	const struct win *a = *(struct win *const *)x;
	const struct win *b = *(struct win *const *)y;

	if (a->e != b->e)
		return a->e < b->e ? -1 : 1;
	return (a->s > b->s) - (a->s < b->s);
}

int
weir_agg_close(weir_agg *a, int64_t wm, int emit, weir_agg_emit_fn fn,
    void *arg)
{
	size_t i, n, keep;
	int rc = 0;

	if (wm > a->closed_wm)
		a->closed_wm = wm;
	if (!a->nwins || a->min_end > wm)
		return 0;
	/* Closing windows first, sorted, then the ones staying open. */
	qsort(a->wins, a->nwins, sizeof(*a->wins), win_order);
	for (n = 0; n < a->nwins && a->wins[n]->e <= wm; n++)
		;
	for (i = 0; i < n && rc >= 0; i++)
		rc = emit_win(a, a->wins[i], emit, fn, arg);
	for (i = 0; i < n; i++)
		win_recycle(a, a->wins[i]);
	keep = a->nwins - n;
	memmove(a->wins, a->wins + n, keep * sizeof(*a->wins));
	a->nwins = 0;
	a->last = NULL;
	a->min_end = keep ? a->wins[0]->e : INT64_MAX;
	if (a->wtab)
		memset(a->wtab, 0, a->wtcap * sizeof(*a->wtab));
	for (i = 0; i < keep; i++) {
		if (wtab_insert(a, a->wins[i]) < 0 && rc >= 0)
			rc = WEIR_FAIL_NOMEM;
		a->nwins++;
	}
	return rc;
}

int
weir_agg_close_all(weir_agg *a, int emit, weir_agg_emit_fn fn, void *arg)
{
	int rc = weir_agg_close(a, INT64_MAX, emit, fn, arg);

	if (rc >= 0 && a->nowin) {
		rc = emit_win(a, a->nowin, emit, fn, arg);
		win_free_states(a, a->nowin);
	}
	return rc;
}

int
weir_agg_snapshot(weir_agg *a, weir_agg_emit_fn fn, void *arg)
{
	size_t i;
	uint32_t j;
	int rc;

	if (a->nwins)
		qsort(a->wins, a->nwins, sizeof(*a->wins), win_order);
	for (i = 0; i <= a->nwins; i++) {
		struct win *w = i < a->nwins ? a->wins[i] : a->nowin;
		if (!w)
			continue;
		for (j = 0; j < w->n; j++)
			if (ent_at(a, w, j)->dirty &&
			    (rc = emit_one(a, w, ent_at(a, w, j), fn, arg)) < 0)
				return rc;
	}
	return 0;
}

size_t
weir_agg_open_windows(const weir_agg *a)
{
	return a->nwins + (a->nowin && a->nowin->n ? 1 : 0);
}

uint64_t
weir_agg_open_groups(const weir_agg *a)
{
	return a->ngroups;
}

/* --- checkpoints ---------------------------------------------------------- */

/* A window's groups in the order they are emitted (as created), each with
 * its key, counters and function states. */
static int
win_save(const weir_agg *a, const struct win *w, weir_buf *out)
{
	uint32_t i;

	if (weir_sw_u64(out, w->n) < 0)
		return WEIR_FAIL_NOMEM;
	for (i = 0; i < w->n; i++) {
		const struct gent *g = ent_at(a, w, i);
		size_t kn;
		const uint8_t *k = weir__agg_gkey(w, g, &kn);
		if (weir_sw_bytes(out, k, kn) < 0 ||
		    weir_sw_u64(out, g->count) < 0 ||
		    weir_sw_u64(out, g->dirty) < 0 ||
		    weir_sw_u64(out, g->hasts) < 0 ||
		    weir_sw_i64(out, g->hasts ? w->mts[i] : 0) < 0 ||
		    weir__agg_state_save(a, (const uint8_t *)(g + 1), out) < 0)
			return WEIR_FAIL_NOMEM;
	}
	return 0;
}

int
weir_agg_save(const weir_agg *a, weir_buf *out)
{
	size_t i;

	if (weir_sw_i64(out, a->closed_wm) < 0 ||
	    weir_sw_u64(out, a->nwins) < 0)
		return WEIR_FAIL_NOMEM;
	for (i = 0; i < a->nwins; i++)
		if (weir_sw_i64(out, a->wins[i]->s) < 0 ||
		    weir_sw_i64(out, a->wins[i]->e) < 0 ||
		    win_save(a, a->wins[i], out) < 0)
			return WEIR_FAIL_NOMEM;
	if (weir_sw_u64(out, a->nowin != NULL) < 0)
		return WEIR_FAIL_NOMEM;
	return a->nowin ? win_save(a, a->nowin, out) : 0;
}

/* A group key as weir_agg_add makes it: the values of the group paths, or
 * a has-key byte and the record key. */
static int
key_ok(const weir_agg *a, const uint8_t *k, size_t n)
{
	const uint8_t *end = k + n, *q;
	weir_pv v;
	size_t i;

	if (!a->ng)
		return n >= 1 && (k[0] == 1 || (k[0] == 0 && n == 1));
	for (i = 0; i < a->ng; i++) {
		if (!(q = weir_pv_read(k, end, &v)) ||
		    weir_pack_validate(k, (size_t)(q - k), NULL, 0) < 0)
			return 0;
		k = q;
	}
	return k == end;
}

static int
win_load(weir_agg *a, struct win *w, weir_rd *rd, const char **why)
{
	uint64_t n = weir_rd_count(rd, 6), i, flag;
	const uint8_t *k;
	size_t klen;
	int64_t gi, ts;
	struct gent *g;
	int rc;

	for (i = 0; i < n && !rd->bad; i++) {
		k = weir_rd_bytes(rd, &klen);
		if (rd->bad || !key_ok(a, k, klen)) {
			*why = "bad group key";
			return WEIR_SNAP_EBAD;
		}
		if ((gi = group_get(a, w, k, klen)) < 0)
			return WEIR_FAIL_NOMEM;
		if ((uint64_t)gi != i) {
			*why = "a group is saved twice";
			return WEIR_SNAP_EBAD;
		}
		g = ent_at(a, w, (uint32_t)gi);
		if ((flag = weir_rd_u64(rd)) > WEIR__AGG_MAX_COUNT)
			rd->bad = 1;
		g->count = flag;
		if ((flag = weir_rd_u64(rd)) > 1)
			rd->bad = 1;
		g->dirty = flag;
		if ((flag = weir_rd_u64(rd)) > 1)
			rd->bad = 1;
		ts = weir_rd_i64(rd);
		/* the latest event time: kept for unwindowed groups only */
		if (flag && !w->windowed) {
			if (!w->mts && !(w->mts = malloc((size_t)w->ecap *
			    sizeof(*w->mts))))
				return WEIR_FAIL_NOMEM;
			w->mts[gi] = ts;
			g->hasts = 1;
		}
		if ((rc = weir__agg_state_load(a, (uint8_t *)(g + 1), rd)) < 0)
			return rc;
	}
	return rd->bad ? WEIR_SNAP_EBAD : 0;
}

int
weir_agg_load(weir_agg *a, weir_rd *rd, char *err, size_t errsz)
{
	const char *why = "malformed aggregation state";
	uint64_t nw, i;
	int64_t s, e;
	struct win *w;
	int rc = 0;

	if (!a->ready || a->nwins || (a->nowin && a->nowin->n)) {
		weir_seterr(err, errsz, "aggregation state loaded twice");
		return WEIR_SNAP_EBAD;
	}
	a->closed_wm = weir_rd_i64(rd);
	nw = weir_rd_count(rd, 3);
	for (i = 0; i < nw && rc == 0 && !rd->bad; i++) {
		s = weir_rd_i64(rd);
		e = weir_rd_i64(rd);
		if (rd->bad || e <= a->closed_wm) {
			/* open windows end after the watermark */
			rc = WEIR_SNAP_EBAD;
			break;
		}
		if (!(w = win_get(a, s, e)))
			rc = WEIR_FAIL_NOMEM;
		else if (a->nwins != i + 1) {
			why = "a window is saved twice";
			rc = WEIR_SNAP_EBAD;
		} else
			rc = win_load(a, w, rd, &why);
	}
	if (rc == 0 && (nw = weir_rd_u64(rd)) > 1)
		rd->bad = 1;
	if (rc == 0 && nw == 1 && !rd->bad) {
		if (!a->nowin && !(a->nowin = win_new(a, 0, 0, 0)))
			rc = WEIR_FAIL_NOMEM;
		else
			rc = win_load(a, a->nowin, rd, &why);
	}
	if (rc == 0 && rd->bad)
		rc = WEIR_SNAP_EBAD;
	if (rc == WEIR_FAIL_NOMEM)
		weir_seterr(err, errsz, "out of memory");
	else if (rc < 0)
		weir_seterr(err, errsz, "%s", why);
	return rc < 0 ? rc : 0;
}
