/* edit.c - reshaping a record's value, key and time (see edit.h). */
#include "edit.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dur.h"
#include "json.h"
#include "path.h"

/*
 * The edits form a tree of object keys.  A node is kept whole (keep),
 * deleted (drop, or the old side of a rename), or set from an expression;
 * inner nodes just lead to edits further down.
 */
typedef struct enode {
	char *key;
	size_t klen;
	int keep, del, set;	/* set: index into exprs, or -1 */
	int wanted;		/* the subtree holds a keep or a set */
	int done;		/* per record: set already written */
	size_t lenbytes;	/* the length bytes of the last object made */
	uint64_t *cand;		/* kid lookup (make_cand), or NULL */
	uint64_t kw, kmask;	/* the key's first 8 bytes, and which are */
	uint64_t kw2, kmask2;	/* its bytes 8 to 15 */
	size_t ncand;		/* the number of kids it was made for */
	struct enode *kids;
	size_t nkids;
} enode;

/* The top-level members some expressions read: their names (the keys of
 * the paths' first steps, in the expressions), or all of the value. */
typedef struct rkey {
	const char *k;
	size_t kl;
	uint64_t w[2], m[2];	/* its first 16 bytes, and which are */
} rkey;

typedef struct rset {
	rkey *k;
	weir_expr_member *at;	/* where each is in the record walked */
	size_t n;
	int all;
} rset;

struct weir_edit {
	enode root;
	int keep_mode;
	int lazy;		/* packed values come unchecked (weir_edit_io) */
	int text;		/* the new value as JSON text (weir_edit_io) */
	rset rd;		/* read by the expressions */
	/* per record */
	int chk;		/* check what is read or written out */
	int whole;		/* the whole value was checked */
	const char *bad;	/* why the value is corrupt, or NULL */
	const uint8_t *lim;	/* the end of the value's bytes */
	weir_expr **exprs;
	weir_xv *vals;
	size_t nexprs;
	weir_expr **wheres;	/* --where: all must be true */
	size_t nwheres;
	long key_ei, time_ei;	/* -1: none */
	int oom;		/* while rebuilding */
	weir_buf out, kscratch, scratch, keybuf, diag, xs;
};

weir_edit *
weir_edit_new(void)
{
	weir_edit *ed = calloc(1, sizeof(*ed));

	if (!ed)
		return NULL;
	ed->root.set = -1;
	ed->key_ei = ed->time_ei = -1;
	return ed;
}

static void
free_nodes(enode *n)
{
	size_t i;

	for (i = 0; i < n->nkids; i++) {
		free_nodes(&n->kids[i]);
		free(n->kids[i].key);
	}
	free(n->kids);
	free(n->cand);
}

void
weir_edit_free(weir_edit *ed)
{
	size_t k;

	if (!ed)
		return;
	for (k = 0; k < ed->nexprs; k++)
		weir_expr_free(ed->exprs[k]);
	free(ed->exprs);
	for (k = 0; k < ed->nwheres; k++)
		weir_expr_free(ed->wheres[k]);
	free(ed->wheres);
	free(ed->vals);
	free_nodes(&ed->root);
	free(ed->rd.k);
	free(ed->rd.at);
	weir_buf_free(&ed->xs);
	weir_buf_free(&ed->out);
	weir_buf_free(&ed->kscratch);
	weir_buf_free(&ed->scratch);
	weir_buf_free(&ed->keybuf);
	weir_buf_free(&ed->diag);
	free(ed);
}

const weir_buf *
weir_edit_diag(const weir_edit *ed)
{
	return &ed->diag;
}

/* Compile src (for the option or field what) into *e: 0, or a failure
 * (its diagnostic in ed->diag). */
static int
compile(weir_edit *ed, const char *src, const char *what, weir_expr **e,
    char *err, size_t errsz)
{
	int rc;

	ed->diag.len = 0;
	if ((rc = weir_expr_compile_diag(e, src, &ed->diag)) < 0) {
		if (rc == WEIR_FAIL_NOMEM)
			weir_seterr(err, errsz, "out of memory");
		else
			weir_seterr(err, errsz, "bad expression in %s", what);
	}
	return rc;
}

/* Compile src (for the option or field what): its index, or a failure. */
static long
add_expr(weir_edit *ed, const char *src, const char *what, char *err,
    size_t errsz)
{
	weir_expr **ne;
	weir_xv *nv;
	weir_expr *e;
	int rc;

	if (!(ne = realloc(ed->exprs, sizeof(*ne) * (ed->nexprs + 1))))
		return WEIR_FAIL_NOMEM;
	ed->exprs = ne;
	if (!(nv = realloc(ed->vals, sizeof(*nv) * (ed->nexprs + 1))))
		return WEIR_FAIL_NOMEM;
	ed->vals = nv;
	if ((rc = compile(ed, src, what, &e, err, errsz)) < 0)
		return rc;
	ed->exprs[ed->nexprs] = e;
	return (long)ed->nexprs++;
}

int
weir_edit_where(weir_edit *ed, const char *src, char *err, size_t errsz)
{
	weir_expr **nw;
	int rc;

	if (!(nw = realloc(ed->wheres, sizeof(*nw) * (ed->nwheres + 1)))) {
		weir_seterr(err, errsz, "out of memory");
		return WEIR_FAIL_NOMEM;
	}
	ed->wheres = nw;
	if ((rc = compile(ed, src, "--where", &nw[ed->nwheres], err,
	    errsz)) < 0)
		return rc;
	ed->nwheres++;
	return 0;
}

static enode *
child(enode *n, const char *k, size_t kl)
{
	enode *nk;
	size_t i;

	for (i = 0; i < n->nkids; i++)
		if (n->kids[i].klen == kl && memcmp(n->kids[i].key, k, kl) == 0)
			return &n->kids[i];
	if (!(nk = realloc(n->kids, sizeof(*nk) * (n->nkids + 1))))
		return NULL;
	n->kids = nk;
	nk = &n->kids[n->nkids];
	memset(nk, 0, sizeof(*nk));
	nk->set = -1;
	if (!(nk->key = malloc(kl ? kl : 1)))
		return NULL;
	n->nkids++;
	memcpy(nk->key, k, kl);
	nk->klen = kl;
	return nk;
}

/* The node for a field name or path (.a.b); object keys only.  *rc is
 * the failure when it returns NULL. */
static enode *
node_for(weir_edit *ed, const char *name, const char *opt, int *rc,
    char *err, size_t errsz)
{
	char perr[WEIR_ERRSZ];
	weir_path p;
	enode *n = &ed->root;
	size_t i;

	*rc = WEIR_FAIL_USAGE;
	if (name[0] != '.') {
		/* a bare name: one key, as written */
		if (!*name) {
			weir_seterr(err, errsz, "%s: empty field name", opt);
			return NULL;
		}
		if (!(n = child(&ed->root, name, strlen(name))))
			*rc = WEIR_FAIL_NOMEM;
		return n;
	}
	if ((*rc = weir_path_parse(&p, name, perr, sizeof(perr))) < 0) {
		weir_seterr(err, errsz, "%s: %s", opt, perr);
		return NULL;
	}
	*rc = WEIR_FAIL_USAGE;
	if (p.nsteps == 0)
		weir_seterr(err, errsz, "%s: '.' is the whole value, not a "
		    "field", opt);
	for (i = 0; i < p.nsteps && n; i++) {
		if (p.steps[i].is_index) {
			weir_seterr(err, errsz, "%s: '%s': weir-map edits "
			    "object fields; array elements ([N]) cannot be "
			    "set, kept or dropped", opt, name);
			n = NULL;
			break;
		}
		if (!(n = child(n, p.steps[i].key, p.steps[i].key_len)))
			*rc = WEIR_FAIL_NOMEM;
	}
	if (p.nsteps == 0)
		n = NULL;
	weir_path_free(&p);
	return n;
}

/* Split NAME=EXPR at the first '=' that is not part of ==, != <=, >=, and
 * not inside a quoted key. */
static const char *
split_assign(const char *arg)
{
	const char *s;
	int q = 0;

	for (s = arg; *s; s++) {
		if (*s == '"' && (s == arg || s[-1] != '\\'))
			q = !q;
		if (q || *s != '=')
			continue;
		if (s[1] == '=' || (s > arg && strchr("!<>=", s[-1])))
			break;	/* an operator: there was no NAME= */
		return s;
	}
	return NULL;
}

int
weir_edit_assign(weir_edit *ed, const char *arg, char *err, size_t errsz)
{
	const char *eq = split_assign(arg), *name = arg, *end;
	char *nm;
	enode *n;
	long ei;
	int rc;

	if (!eq || eq == arg) {
		weir_seterr(err, errsz, "'%s' is not NAME=EXPR (like "
		    "'cents=.amount * 100')", arg);
		return WEIR_FAIL_USAGE;
	}
	while (*name == ' ')
		name++;
	for (end = eq; end > name && end[-1] == ' '; end--)
		;	/* 'cents = .amount' works too */
	if (end == name) {
		weir_seterr(err, errsz, "'%.*s=%s' has no NAME before '='",
		    (int)(eq - arg), arg, eq + 1);
		return WEIR_FAIL_USAGE;
	}
	if (!(nm = strndup(name, (size_t)(end - name))))
		return WEIR_FAIL_NOMEM;
	if (!(n = node_for(ed, nm, nm, &rc, err, errsz)) ||
	    (ei = add_expr(ed, eq + 1, nm, err, errsz)) < 0) {
		if (n)
			rc = (int)ei;
		free(nm);
		return rc;
	}
	n->set = (int)ei;
	free(nm);
	return 0;
}

int
weir_edit_list(weir_edit *ed, const char *list, int del, const char *opt,
    char *err, size_t errsz)
{
	char perr[WEIR_ERRSZ], **items;
	size_t i, nitems;
	enode *n;
	int rc = 0;

	if ((rc = weir_path_list(&items, &nitems, list, perr,
	    sizeof(perr))) < 0) {
		weir_seterr(err, errsz, "%s: %s", opt, perr);
		return rc;
	}
	for (i = 0; i < nitems; i++) {
		if (!(n = node_for(ed, items[i], opt, &rc, err, errsz)))
			break;
		if (del)
			n->del = 1;
		else {
			n->keep = 1;
			ed->keep_mode = 1;
		}
	}
	free(items);
	return i < nitems ? rc : 0;
}

/* An expression that reads field NAME (a path, or a bare name). */
static long
path_expr(weir_edit *ed, const char *name, const char *what, char *err,
    size_t errsz)
{
	weir_buf b = { 0 };
	long ei;

	if (name[0] == '.')
		return add_expr(ed, name, what, err, errsz);
	if (weir_buf_puts(&b, ".[") < 0 ||
	    weir_json_str(&b, (const uint8_t *)name, strlen(name)) < 0 ||
	    weir_buf_puts(&b, "]") < 0 || weir_buf_putc(&b, 0) < 0) {
		weir_buf_free(&b);
		return WEIR_FAIL_NOMEM;
	}
	ei = add_expr(ed, (const char *)b.p, what, err, errsz);
	weir_buf_free(&b);
	return ei;
}

int
weir_edit_rename(weir_edit *ed, const char *spec, char *err, size_t errsz)
{
	const char *eq = strchr(spec, '=');
	enode *n;
	char *old;
	long ei;
	int rc;

	if (!eq || eq == spec || !eq[1]) {
		weir_seterr(err, errsz, "--rename wants OLD=NEW, not '%s'",
		    spec);
		return WEIR_FAIL_USAGE;
	}
	if (!(old = strndup(spec, (size_t)(eq - spec))))
		return WEIR_FAIL_NOMEM;
	rc = 0;
	if (!(n = node_for(ed, old, "--rename", &rc, err, errsz)))
		goto out;
	n->del = 1;
	if (!(n = node_for(ed, eq + 1, "--rename", &rc, err, errsz)))
		goto out;
	if ((ei = path_expr(ed, old, "--rename", err, errsz)) < 0) {
		rc = (int)ei;
		goto out;
	}
	n->set = (int)ei;
	rc = 0;
out:
	free(old);
	return rc;
}

/* An expression for what (--key, --time), its index into *slot. */
static int
add_slot(weir_edit *ed, const char *expr, const char *what, long *slot,
    char *err, size_t errsz)
{
	long ei = add_expr(ed, expr, what, err, errsz);

	if (ei < 0)
		return (int)ei;
	*slot = ei;
	return 0;
}

int
weir_edit_key(weir_edit *ed, const char *expr, char *err, size_t errsz)
{
	return add_slot(ed, expr, "--key", &ed->key_ei, err, errsz);
}

int
weir_edit_time(weir_edit *ed, const char *expr, char *err, size_t errsz)
{
	return add_slot(ed, expr, "--time", &ed->time_ei, err, errsz);
}

/*
 * The kid lookup of a node of 1 to 64 kids: bit i of cand[min(len, 31)]
 * and of cand[32 + first byte] are set when kid i's key has that length
 * and first byte (an empty key: byte 0), so a key that names no kid,
 * most of a record's members under --keep, is one test.
 */
#define CAND_LEN 32
static void
make_cand(enode *n)
{
	size_t i, k;
	enode *c;

	free(n->cand);
	n->cand = NULL;
	n->ncand = n->nkids;
	if (n->nkids == 0 || n->nkids > 64 ||
	    !(n->cand = calloc(CAND_LEN + 256, sizeof(*n->cand))))
		return;	/* the kids are compared one by one */
	static const uint8_t ones[16] = { 255, 255, 255, 255, 255, 255, 255,
		255 };

	for (i = 0; i < n->nkids; i++) {
		c = &n->kids[i];
		k = c->klen < 8 ? c->klen : 8;
		c->kw = 0;
		memcpy(&c->kw, c->key, k);
		memcpy(&c->kmask, ones + 8 - k, 8);
		k = c->klen > 8 ? (c->klen < 16 ? c->klen : 16) - 8 : 0;
		c->kw2 = 0;
		memcpy(&c->kw2, c->key + 8, k);
		memcpy(&c->kmask2, ones + 8 - k, 8);
		n->cand[c->klen < CAND_LEN ? c->klen : CAND_LEN - 1] |=
		    UINT64_C(1) << i;
		n->cand[CAND_LEN + (c->klen ? (uint8_t)c->key[0] : 0)] |=
		    UINT64_C(1) << i;
	}
}

/* Mark subtrees that hold a keep or a set; refuse a set inside a set. */
static int
settle(enode *n, int under_set, char *err, size_t errsz)
{
	size_t i;
	int w = n->keep || n->set >= 0, k;

	for (i = 0; i < n->nkids; i++) {
		if (n->kids[i].set >= 0 && (under_set || n->set >= 0)) {
			weir_seterr(err, errsz, "field '%.*s' is set inside a "
			    "field that is set too: set one or the other",
			    (int)n->kids[i].klen, n->kids[i].key);
			return -1;
		}
		if ((k = settle(&n->kids[i], under_set || n->set >= 0, err,
		    errsz)) < 0)
			return -1;
		w |= k;
	}
	n->wanted = w;
	make_cand(n);
	return w;
}

/* 1 if r holds the name k[0..kl). */
static int
rset_has(const rset *r, const char *k, size_t kl)
{
	size_t i;

	for (i = 0; i < r->n; i++)
		if (r->k[i].kl == kl && memcmp(r->k[i].k, k, kl) == 0)
			return 1;
	return 0;
}

/* Add to r the top-level names e's paths read; more than 64, or the
 * whole value: all. */
static int
rset_add(rset *r, const weir_expr *e)
{
	const weir_path *p;
	weir_expr_member *at;
	rkey *nk;
	size_t i, j;

	for (i = 0; (p = weir_expr_path(e, i)); i++) {
		if (p->nsteps == 0 || r->n == 64) {
			r->all = 1;
			continue;
		}
		if (p->steps[0].is_index)	/* nothing in an object */
			continue;
		if (rset_has(r, p->steps[0].key, p->steps[0].key_len))
			continue;
		if (!(nk = realloc(r->k, sizeof(*nk) * (r->n + 1))))
			return -1;
		r->k = nk;
		if (!(at = realloc(r->at, sizeof(*at) * (r->n + 1))))
			return -1;
		r->at = at;
		at[r->n].key = p->steps[0].key;
		at[r->n].klen = p->steps[0].key_len;
		at[r->n].v = NULL;
		nk += r->n++;
		memset(nk, 0, sizeof(*nk));
		nk->k = p->steps[0].key;
		nk->kl = p->steps[0].key_len;
		for (j = 0; j < nk->kl && j < 16; j++) {
			nk->w[j / 8] |= (uint64_t)(uint8_t)nk->k[j] << j % 8 * 8;
			nk->m[j / 8] |= (uint64_t)0xff << j % 8 * 8;
		}
	}
	return 0;
}

int
weir_edit_ready(weir_edit *ed, char *err, size_t errsz)
{
	size_t k;

	if (settle(&ed->root, 0, err, errsz) < 0)
		return WEIR_FAIL_USAGE;
	for (k = 0; k < ed->nwheres; k++)
		if (rset_add(&ed->rd, ed->wheres[k]) < 0)
			goto nomem;
	for (k = 0; k < ed->nexprs; k++)
		if (rset_add(&ed->rd, ed->exprs[k]) < 0)
			goto nomem;
	return 0;
nomem:
	weir_seterr(err, errsz, "out of memory");
	return WEIR_FAIL_NOMEM;
}

void
weir_edit_io(weir_edit *ed, int lazy, int text)
{
	ed->lazy = lazy;
	ed->text = text;
}

/* Remember a failed pack (out of memory, or a string that is not UTF-8). */
static void
pk(weir_edit *ed, int rc)
{
	if (rc < 0)
		ed->oom = 1;
}

/* 1 if some set under n (n included) has a value for this record. */
static int
has_sets(const weir_edit *ed, const enode *n)
{
	size_t i;

	if (n->set >= 0)
		return ed->vals[n->set].type != WEIR_XV_MISSING;
	for (i = 0; i < n->nkids; i++)
		if (has_sets(ed, &n->kids[i]))
			return 1;
	return 0;
}

/* The kid of n named by the key ks[0..kn), or NULL; the bytes up to end
 * may be read. */
static enode *
kid(enode *n, const uint8_t *ks, size_t kn, const uint8_t *end)
{
	enode *c = n->kids, *e = c + n->nkids;
	uint64_t m, w;
	size_t j;

	if (n->cand && n->ncand == n->nkids) {
		m = n->cand[kn < CAND_LEN ? kn : CAND_LEN - 1] &
		    n->cand[CAND_LEN + (kn ? ks[0] : 0)];
		for (; m; m &= m - 1) {
			c = &n->kids[__builtin_ctzll(m)];
			if (c->klen != kn)
				continue;
			if (end - ks >= 8) {	/* a word at a time */
				memcpy(&w, ks, 8);
				if ((w & c->kmask) != c->kw)
					continue;
				if (kn <= 8)
					return c;
				if (kn <= 16 && end - ks >= 16) {
					memcpy(&w, ks + 8, 8);
					if ((w & c->kmask2) == c->kw2)
						return c;
					continue;
				}
				if (memcmp(c->key + 8, ks + 8, kn - 8) == 0)
					return c;
				continue;
			}
			for (j = 0; j < kn && (uint8_t)c->key[j] == ks[j]; j++)
				;
			if (j == kn)
				return c;
		}
		return NULL;
	}
	for (; c < e; c++) {
		if (c->klen != kn)
			continue;
		/* keys are short: no call to memcmp */
		for (j = 0; j < kn && (uint8_t)c->key[j] == ks[j]; j++)
			;
		if (j == kn)
			return c;
	}
	return NULL;
}

/*
 * An object's length is written before its body, so the body is written
 * after room for a length of as many bytes as the last one of this node
 * had, and moved only when this one needs another count (weir_pack_close
 * moves every body of 128 bytes or more).  As text: its brace.
 */
static size_t
obj_open(weir_edit *ed, enode *n)
{
	size_t k = n->lenbytes ? n->lenbytes : 1, mark;

	if (weir_buf_reserve(&ed->out, 1 + k) < 0) {
		ed->oom = 1;
		return (size_t)-1;
	}
	if (ed->text) {
		ed->out.p[ed->out.len++] = '{';
		return ed->out.len;
	}
	ed->out.p[ed->out.len++] = WEIR_PK_OBJ;
	mark = ed->out.len;
	ed->out.len += k;
	n->lenbytes = k;
	return mark;
}

static void
obj_close(weir_edit *ed, enode *n, size_t mark)
{
	weir_buf *b = &ed->out;
	size_t k = n->lenbytes, body, need;

	if (mark == (size_t)-1)
		return;
	if (ed->text) {
		pk(ed, weir_buf_putc(b, '}'));
		return;
	}
	body = b->len - mark - k;
	need = weir_varint_size(body);
	if (need != k) {
		if (need > k && weir_buf_reserve(b, need - k) < 0) {
			ed->oom = 1;
			return;
		}
		memmove(b->p + mark + need, b->p + mark + k, body);
		b->len = b->len - k + need;
		n->lenbytes = need;
	}
	weir_varint_enc(b->p + mark, body);
}

/* The end of the value at p, as weir_pv_skip finds it, with the short
 * strings and integers most members hold stepped over here. */
static inline const uint8_t *
step(const uint8_t *p, const uint8_t *end)
{
	const uint8_t *q;

	if (p < end && (*p & 0xe0) == WEIR_PK_SSTR)
		return (size_t)(end - p - 1) >= (size_t)(*p & 0x1f) ?
		    p + 1 + (*p & 0x1f) : NULL;
	if (p < end && *p == WEIR_PK_INT) {
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
		uint64_t w, m;
		if (end - p > 8) {	/* the first byte that ends it */
			memcpy(&w, p + 1, 8);
			if ((m = ~w & UINT64_C(0x8080808080808080)))
				return p + 2 + (__builtin_ctzll(m) >> 3);
		}
#endif
		for (q = p + 1; q < end && q < p + 1 + 9; q++)
			if (!(*q & 0x80))
				return q + 1;
	}
	return weir_pv_skip(p, end);
}

/* A corrupt value (read unchecked): the first reason is kept.  -1. */
static int
corrupt(weir_edit *ed, const char *why)
{
	if (!ed->bad)
		ed->bad = why ? why : "malformed value";
	return -1;
}

/* The characters of the key at p (not a short plain one, which callers
 * read themselves) into *ks, *kn, and the end of the bytes there that may
 * be read into *kend: the end of the key, or NULL (ed->bad or ed->oom). */
static const uint8_t *
key_chars(weir_edit *ed, const uint8_t *p, const uint8_t *end,
    const uint8_t **ks, size_t *kn, const uint8_t **kend)
{
	const uint8_t *vt;
	weir_pv k;
	int rc;

	if (*p != WEIR_PK_STR && *p != WEIR_PK_ESTR) {
		corrupt(ed, "object key is not a string");
		return NULL;
	}
	if (!(vt = weir_pv_read(p, end, &k))) {
		corrupt(ed, "malformed value");
		return NULL;
	}
	*ks = k.s;
	*kn = k.n;
	*kend = end;
	if (!k.escaped)
		return vt;
	/* an escaped key is unescaped into kscratch */
	ed->kscratch.len = 0;
	if ((rc = weir_json_unescape(&ed->kscratch, k.s, k.n)) < 0) {
		if (rc == WEIR_FAIL_NOMEM)
			ed->oom = 1;
		else
			corrupt(ed, "bad escaped string");
		return NULL;
	}
	*ks = ed->kscratch.p ? ed->kscratch.p : (const uint8_t *)"";
	*kn = ed->kscratch.len;
	*kend = *ks + *kn;
	return vt;
}

/* As text, the comma before each member of an object but its first. */
static inline void
put_sep(weir_edit *ed, size_t mark)
{
	if (ed->text && ed->out.len > mark)
		pk(ed, weir_buf_putc(&ed->out, ','));
}

/* The key [kt, vt) of a member of the input, written out as it is or as
 * JSON text (then a colon, after a comma but before the first member of
 * the object at mark), checked first when the values come unchecked.
 * 0, or -1 (ed->bad or ed->oom). */
static int
put_key(weir_edit *ed, size_t mark, const uint8_t *kt, const uint8_t *vt)
{
	const char *why = NULL;

	if (!ed->text) {
		if (ed->chk && (((*kt & 0xe0) != WEIR_PK_SSTR &&
		    *kt != WEIR_PK_STR && *kt != WEIR_PK_ESTR) ||
		    weir_pack_check(kt, vt, ed->lim, 1, &why) != vt))
			return corrupt(ed, why ? why :
			    "object key is not a string");
		pk(ed, weir_buf_put(&ed->out, kt, (size_t)(vt - kt)));
		return 0;
	}
	if (weir_pack_key_json(&ed->out, kt, vt, ed->lim, ed->chk,
	    ed->out.len > mark, &why) == 0)
		return 0;
	if (why)
		return corrupt(ed, why);
	ed->oom = 1;
	return -1;
}

/* A member [kt, e) of the input, its value at vt, copied. */
static inline __attribute__((always_inline)) void
put_member(weir_edit *ed, size_t mark, const uint8_t *kt, const uint8_t *vt,
    const uint8_t *e, int depth)
{
	const char *why = NULL;

	if (ed->text) {
		if (weir_pack_member_json(&ed->out, kt, vt, e, ed->lim, depth,
		    ed->chk, ed->out.len > mark, &why) < 0) {
			if (why)
				corrupt(ed, why);
			else
				ed->oom = 1;
		}
		return;
	}
	if (ed->chk && (put_key(ed, mark, kt, vt) < 0 ||
	    weir_pack_check(vt, e, ed->lim, depth, &why) != e)) {
		corrupt(ed, why);
		return;
	}
	pk(ed, weir_buf_put(&ed->out, ed->chk ? vt : kt,
	    (size_t)(e - (ed->chk ? vt : kt))));
}

/* A value an expression gave; as text, packed into xs first. */
static void
put_xv(weir_edit *ed, const weir_xv *v)
{
	const uint8_t *e;
	const char *why;
	int rc;

	if (!ed->text) {
		pk(ed, weir_xv_pack(&ed->out, v));
		return;
	}
	if ((rc = weir_xv_json_num(&ed->out, v)) <= 0) {
		ed->oom |= rc < 0;
		return;
	}
	ed->xs.len = 0;
	if (weir_xv_pack(&ed->xs, v) < 0) {
		ed->oom = 1;
		return;
	}
	e = ed->xs.p + ed->xs.len;
	if (weir_pv_json_at(&ed->out, ed->xs.p, e, e, 1, 0, &why) != e)
		ed->oom = 1;
}

/* A key of the edits (one the input did not have). */
static void
put_newkey(weir_edit *ed, size_t mark, const enode *c)
{
	weir_pv pv;

	put_sep(ed, mark);
	if (!ed->text) {
		pk(ed, weir_pack_str(&ed->out, c->key, c->klen));
		return;
	}
	ed->xs.len = 0;
	if (weir_pack_str(&ed->xs, c->key, c->klen) < 0) {
		ed->oom = 1;
		return;
	}
	weir_pv_of(ed->xs.p, ed->xs.len, &pv);
	pk(ed, weir_pv_to_json(&ed->out, &pv));
	pk(ed, weir_buf_putc(&ed->out, ':'));
}

/*
 * Write the object for node n, built from obj (which may be missing or
 * not an object: then only what is set is written), at nesting depth
 * depth.  kept: an ancestor (or n) was named by a keep.  The members are
 * walked over their packed bytes: a member copied as it is (key and
 * value) is one copy, and a value is decoded only to go into it.  Values
 * that come unchecked (ed->chk) are checked as they are written out; the
 * others are only stepped over (within bounds).  As text, the members go
 * out as JSON.
 */
static void
rebuild(weir_edit *ed, const weir_pv *obj, enode *n, int kept, int depth)
{
	size_t mark = obj_open(ed, n), i, kn;
	const uint8_t *p, *end, *kt, *ks, *vt, *kend;
	int copy_other = !ed->keep_mode || kept;
	weir_pv v, kv;

	for (i = 0; i < n->nkids; i++)
		n->kids[i].done = 0;
	p = obj->type == WEIR_PV_OBJECT ? obj->s : NULL;
	end = p ? obj->s + obj->n : NULL;
	while (p && p < end && !ed->bad) {
		enode *c;
		int ckept;
		kt = p;
		if ((*p & 0xe0) == WEIR_PK_SSTR) {	/* a short plain key */
			kn = *p & 0x1f;
			ks = p + 1;
			if ((size_t)(end - ks) < kn) {
				corrupt(ed, "malformed value");
				break;
			}
			vt = ks + kn;
			kend = end;
		} else if (!(vt = key_chars(ed, p, end, &ks, &kn, &kend)))
			break;
		if (!(p = step(vt, end))) {
			corrupt(ed, "malformed value");
			break;
		}
		if (!(c = kid(n, ks, kn, kend))) {
			if (copy_other)
				put_member(ed, mark, kt, vt, p, depth + 1);
			continue;
		}
		if (c->done && c->set >= 0)
			continue;	/* a duplicate key */
		c->done = 1;
		if (c->set >= 0) {
			if (ed->vals[c->set].type != WEIR_XV_MISSING &&
			    put_key(ed, mark, kt, vt) == 0)
				put_xv(ed, &ed->vals[c->set]);
			continue;
		}
		if (c->del)
			continue;
		ckept = kept || c->keep;
		if (ed->keep_mode && !ckept && !c->wanted)
			continue;
		if (c->nkids == 0 || (*vt != WEIR_PK_OBJ && !has_sets(ed, c))) {
			if (!ed->keep_mode || ckept)
				put_member(ed, mark, kt, vt, p, depth + 1);
			continue;
		}
		if (put_key(ed, mark, kt, vt) < 0)
			break;
		if (!weir_pv_read(vt, end, &v))
			v.type = WEIR_PV_MISSING;	/* not after a skip */
		rebuild(ed, &v, c, ckept, depth + 1);
	}
	/* what the input did not have */
	kv.type = WEIR_PV_MISSING;
	for (i = 0; i < n->nkids && !ed->bad; i++) {
		enode *c = &n->kids[i];
		if (c->done || !has_sets(ed, c))
			continue;
		put_newkey(ed, mark, c);
		if (c->set >= 0)
			put_xv(ed, &ed->vals[c->set]);
		else
			rebuild(ed, &kv, c, kept || c->keep, depth + 1);
	}
	obj_close(ed, n, mark);
}

/* The key s[0..k->kl) is k's (up to end may be read): short keys a word
 * at a time. */
static inline int
rkey_is(const rkey *k, const uint8_t *s, const uint8_t *end)
{
	uint64_t a, b;
	size_t i;

#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
	if (k->kl <= 16 && end - s >= 16) {
		memcpy(&a, s, 8);
		memcpy(&b, s + 8, 8);
		return ((a & k->m[0]) ^ k->w[0]) == 0 &&
		    ((b & k->m[1]) ^ k->w[1]) == 0;
	}
#endif
	for (i = 0; i < k->kl && (uint8_t)k->k[i] == s[i]; i++)
		;
	return i == k->kl;
}

/* Check the whole value of in (unchecked).  0, or -1 with ed->bad. */
static int
check_whole(weir_edit *ed, const weir_record *in)
{
	const char *why = NULL;
	const uint8_t *e;

	if (ed->whole)
		return 0;
	ed->whole = 1;
	if (!in->value_len)
		return corrupt(ed, "empty packed value");
	if (!(e = weir_pack_check(in->value, in->value + in->value_len,
	    in->value + in->value_len, 0, &why)))
		return corrupt(ed, why);
	return e == in->value + in->value_len ? 0 :
	    corrupt(ed, "trailing bytes");
}

/*
 * Check, in the unchecked object root, the members the expressions of r
 * read: the first of each name (the one their paths find); the members
 * before them are stepped over within bounds.  1 when it walked the
 * members (r->at then says where each is), 0 when it had nothing to walk,
 * or -1 (ed->bad or ed->oom).
 */
static int
check_reads(weir_edit *ed, const weir_record *in, const weir_pv *root,
    const rset *r)
{
	const uint8_t *p, *end, *ks, *vt, *kend;
	uint64_t found = 0, all;
	const char *why = NULL;
	size_t kn, j;

	if (r->all)
		return check_whole(ed, in);
	if (r->n == 0 || ed->whole)
		return 0;
	all = r->n == 64 ? ~(uint64_t)0 : ((uint64_t)1 << r->n) - 1;
	for (j = 0; j < r->n; j++)
		r->at[j].v = NULL;
	p = root->s;
	end = p + root->n;
	while (p < end && found != all) {
		if ((*p & 0xe0) == WEIR_PK_SSTR) {
			kn = *p & 0x1f;
			ks = p + 1;
			if ((size_t)(end - ks) < kn)
				return corrupt(ed, "malformed value");
			vt = ks + kn;
		} else if (!(vt = key_chars(ed, p, end, &ks, &kn, &kend)))
			return -1;
		for (j = 0; j < r->n; j++)
			if (r->k[j].kl == kn && !(found >> j & 1) &&
			    rkey_is(&r->k[j], ks, end))
				break;
		if (j < r->n) {
			found |= (uint64_t)1 << j;
			r->at[j].v = vt;
			/* an integer is well-formed when it ends */
			p = vt < end && *vt == WEIR_PK_INT ? step(vt, end) :
			    weir_pack_check(vt, end, ed->lim, 1, &why);
		} else
			p = step(vt, end);
		if (!p)
			return corrupt(ed, why);
	}
	return 1;
}

/* weir_edit_apply's answer for a corrupt value. */
static int
corrupt_rc(weir_edit *ed, char *why, size_t whysz)
{
	if (ed->oom)
		return WEIR_FAIL_NOMEM;
	weir_seterr(why, whysz, "corrupt packed value: %s", ed->bad);
	return WEIR_FAIL_IO;
}

/* What weir_edit_apply returns for an evaluation of e that failed. */
static int
failed(const weir_expr *e, int rc, char *why, size_t whysz)
{
	if (rc == WEIR_FAIL_NOMEM)
		return WEIR_FAIL_NOMEM;
	weir_seterr(why, whysz, "%s", weir_expr_error(e));
	return WEIR_FAIL_DATA;
}

int
weir_edit_apply(weir_edit *ed, const weir_record *in, weir_record *out,
    char *why, size_t whysz)
{
	weir_expr_ctx ctx;
	weir_pv root;
	size_t k;
	int rc;

	if ((rc = weir_expr_root(in, &ed->scratch, &root)) < 0)
		return rc;
	/* an unchecked value: what is read is checked first (a value that
	 * is not an object, whole), what is written out as it goes out */
	ed->chk = ed->lazy && in->enc == WEIR_ENC_PACKED;
	ed->whole = ed->oom = 0;
	ed->bad = NULL;
	ed->lim = root.type != WEIR_PV_MISSING ? root.end : NULL;
	memset(&ctx, 0, sizeof(ctx));
	if (ed->chk && ((root.type != WEIR_PV_OBJECT &&
	    check_whole(ed, in) < 0) ||
	    (rc = check_reads(ed, in, &root, &ed->rd)) < 0))
		return corrupt_rc(ed, why, whysz);
	if (ed->chk && rc == 1 && root.type == WEIR_PV_OBJECT) {
		/* the expressions' paths start where the walk found them */
		ctx.members = ed->rd.at;
		ctx.nmembers = ed->rd.n;
	}
	ctx.root = &root;
	ctx.rec = in;
	for (k = 0; k < ed->nwheres; k++)
		if ((rc = weir_expr_test(ed->wheres[k], &ctx)) <= 0)
			/* not kept (2): nothing else evaluated */
			return rc == 0 ? 2 : failed(ed->wheres[k], rc, why,
			    whysz);
	for (k = 0; k < ed->nexprs; k++)
		if ((rc = weir_expr_eval(ed->exprs[k], &ctx,
		    &ed->vals[k])) < 0)
			return failed(ed->exprs[k], rc, why, whysz);
	*out = *in;
	if (ed->root.nkids && (root.type == WEIR_PV_OBJECT ||
	    has_sets(ed, &ed->root))) {
		ed->out.len = 0;
		rebuild(ed, &root, &ed->root, 0, 0);
		if (ed->oom || ed->bad)
			return corrupt_rc(ed, why, whysz);
		weir_record_set_packed(out, &ed->out);
		if (ed->text)
			out->enc = WEIR_ENC_JSON;
	} else if (ed->chk && check_whole(ed, in) < 0)	/* out as it came */
		return corrupt_rc(ed, why, whysz);
	if (ed->key_ei >= 0) {
		const weir_xv *kv = &ed->vals[ed->key_ei];
		ed->keybuf.len = 0;
		if (weir_xv_text(&ed->keybuf, kv) < 0)
			return WEIR_FAIL_NOMEM;
		if (kv->type == WEIR_XV_MISSING)
			out->flags &= ~(unsigned)WEIR_R_KEY;
		else {
			out->flags |= WEIR_R_KEY;
			out->key = ed->keybuf.p ? ed->keybuf.p :
			    (const uint8_t *)"";
			out->key_len = ed->keybuf.len;
		}
	}
	if (ed->time_ei >= 0) {
		const weir_xv *t = &ed->vals[ed->time_ei];
		int64_t ms;
		if (t->type == WEIR_XV_NUM && isfinite(t->num) &&
		    fabs(t->num) < 9.2e18)
			ms = (int64_t)llround(t->num);
		else if (t->type != WEIR_XV_STR ||
		    weir_iso8601_parse((const char *)t->s, t->n, &ms) < 0) {
			weir_seterr(why, whysz, "--time gave %s, not a time "
			    "(ms since the epoch or ISO 8601)",
			    weir_xv_type_name(t));
			return 1;
		}
		out->flags |= WEIR_R_TS;
		out->ts = ms;
	}
	return 0;
}
