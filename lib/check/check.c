/* check.c - evaluating weir-check rules over a record stream. */
#include "check.h"

#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>

#include <fcntl.h>
#include <unistd.h>

#include "dur.h"
#include "input.h"
#include "join.h"
#include "record.h"
#include "snap.h"
#include "timefmt.h"

typedef struct rstate {
	uint64_t checked, failed, skipped;
	double sum, mn, mx;	/* avg/min/max/sum over the checked values */
	weir_uniq u;
	int have_u;
	int64_t newest;
	int have_newest;
} rstate;

typedef struct scope {
	int has_win;
	int64_t start, end;
	uint64_t records;
	rstate *st;
	struct scope *next;
} scope;

struct weir_check {
	const weir_rules *rs;
	weir_check_opts o;
	weir_check_result *res;
	scope *open;		/* open scopes, newest first */
	scope *last;		/* the scope of the last record */
	int64_t closed_end;	/* end of the last tumbling window judged */
	int have_closed;
	uint64_t records;
	weir_buf json;		/* the record's value, parsed (root) */
	weir_buf scratch, str, key, ckey, notes;
	signed char *pre;	/* regex and expr verdicts of this record */
	weir_join **joins;	/* relationships: the reference tables */
	int hit;		/* a probe found its row */
	char err[WEIR_ERRSZ];	/* why the last record was bad */
	int oom;
	char **names;		/* sample file names read from a snapshot */
	size_t nnames;
};

weir_check *
weir_check_new(const weir_rules *rs, const weir_check_opts *o)
{
	weir_check *c = calloc(1, sizeof(*c));

	if (!c)
		return NULL;
	c->rs = rs;
	if (o)
		c->o = *o;
	if (!c->o.unique_limit)
		c->o.unique_limit = WEIR_UNIQ_LIMIT_DEFAULT;
	c->res = calloc(rs->n ? rs->n : 1, sizeof(*c->res));
	c->pre = calloc(rs->n ? rs->n : 1, 1);
	c->joins = calloc(rs->n ? rs->n : 1, sizeof(*c->joins));
	if (!c->res || !c->pre || !c->joins) {
		free(c->res);
		free(c->pre);
		free(c->joins);
		free(c);
		return NULL;
	}
	return c;
}

static void
scope_free(const weir_check *c, scope *s)
{
	size_t i;

	for (i = 0; i < c->rs->n; i++)
		if (s->st[i].have_u)
			weir_uniq_free(&s->st[i].u);
	free(s->st);
	free(s);
}

void
weir_check_free(weir_check *c)
{
	scope *s, *n;
	size_t i;

	if (!c)
		return;
	for (s = c->open; s; s = n) {
		n = s->next;
		scope_free(c, s);
	}
	free(c->res);
	while (c->nnames)
		free(c->names[--c->nnames]);
	free(c->names);
	free(c->pre);
	for (i = 0; i < c->rs->n; i++)
		weir_join_free(c->joins[i]);
	free(c->joins);
	weir_buf_free(&c->json);
	weir_buf_free(&c->scratch);
	weir_buf_free(&c->str);
	weir_buf_free(&c->key);
	weir_buf_free(&c->ckey);
	weir_buf_free(&c->notes);
	free(c);
}

const weir_check_result *
weir_check_results(const weir_check *c)
{
	return c->res;
}

const char *
weir_check_error(const weir_check *c)
{
	return c->err;
}

uint64_t
weir_check_records(const weir_check *c)
{
	return c->records;
}

weir_buf *
weir_check_notes(weir_check *c)
{
	return &c->notes;
}

int
weir_check_ok(const weir_check *c)
{
	size_t i;

	for (i = 0; i < c->rs->n; i++)
		if (c->res[i].status == WEIR_CHECK_FAIL)
			return 0;
	return 1;
}

static void
ref_hit(void *arg, const weir_record *r)
{
	(void)r;
	*(int *)arg = 1;
}

/* Read rule i's reference table into a stream-table join's table (the
 * loader weir-join uses); its probes tell whether a row exists. */
static int
load_ref(weir_check *c, size_t i, char *err, size_t errsz)
{
	const weir_rule *r = &c->rs->v[i];
	weir_join_spec sp;
	weir_input *in;
	weir_event ev;
	char e2[WEIR_ERRSZ];
	uint64_t recno = 0;
	int fd, rc = 0;

	memset(&sp, 0, sizeof(sp));
	sp.mode = WEIR_JOIN_TABLE;
	sp.type = WEIR_JOIN_INNER;
	sp.nkeys = r->nref_paths;
	sp.lpaths = r->npaths ? r->paths : &r->path;
	sp.rpaths = r->ref_paths;
	sp.as = "ref";		/* any value may be a row */
	sp.emit = ref_hit;
	sp.arg = &c->hit;
	if (!(c->joins[i] = weir_join_new(&sp, err, errsz)))
		return WEIR_FAIL_IO;
	if ((fd = open(r->ref_file, O_RDONLY | O_CLOEXEC)) < 0) {
		weir_seterr(err, errsz, "rule %s: %s: %s", r->id, r->ref_file,
		    strerror(errno));
		return WEIR_FAIL_USAGE;
	}
	if (!(in = weir_input_open(fd, WEIR_FMT_AUTO, r->ref_file))) {
		close(fd);
		weir_seterr(err, errsz, "out of memory");
		return WEIR_FAIL_NOMEM;
	}
	while (!rc) {
		switch (weir_input_next(in, &ev, 1)) {
		case WEIR_EV_RECORD:
			recno++;
			rc = weir_join_record(c->joins[i], 1, &ev.rec, e2,
			    sizeof(e2));
			if (rc == -1) {
				weir_seterr(err, errsz, "rule %s: %s record "
				    "%llu: %s", r->id, r->ref_file,
				    (unsigned long long)recno, e2);
				rc = WEIR_FAIL_DATA;
			} else if (rc < 0) {
				weir_seterr(err, errsz, "out of memory");
				rc = WEIR_FAIL_NOMEM;
			}
			break;
		case WEIR_EV_BAD:
			weir_seterr(err, errsz, "rule %s: %s", r->id,
			    weir_input_error(in));
			rc = WEIR_FAIL_DATA;
			break;
		case WEIR_EV_END:
		case WEIR_EV_EOF:
			rc = 1;
			break;
		case WEIR_EV_WATERMARK:
		case WEIR_EV_BARRIER:
		case WEIR_EV_AGAIN:
		case WEIR_EV_STOP:
			break;
		default:
			weir_seterr(err, errsz, "rule %s: %s", r->id,
			    weir_input_error(in));
			rc = WEIR_FAIL_IO;
		}
	}
	weir_input_close(in);
	close(fd);
	return rc < 0 ? rc : 0;
}

int
weir_check_load(weir_check *c, char *err, size_t errsz)
{
	size_t i;
	int rc;

	for (i = 0; i < c->rs->n; i++)
		if (c->rs->v[i].kind == WEIR_RULE_RELATIONSHIPS &&
		    (rc = load_ref(c, i, err, errsz)) < 0)
			return rc;
	return 0;
}

static scope *
scope_get(weir_check *c, int has_win, int64_t start, int64_t end)
{
	scope *s;

	if (c->last && c->last->has_win == has_win &&
	    (!has_win || (c->last->start == start && c->last->end == end)))
		return c->last;
	for (s = c->open; s; s = s->next)
		if (s->has_win == has_win &&
		    (!has_win || (s->start == start && s->end == end)))
			return c->last = s;
	if (!(s = calloc(1, sizeof(*s))) ||
	    !(s->st = calloc(c->rs->n ? c->rs->n : 1, sizeof(*s->st)))) {
		free(s);
		return NULL;
	}
	s->has_win = has_win;
	s->start = start;
	s->end = end;
	s->next = c->open;
	c->open = s;
	return c->last = s;
}

/* The allowed number of failures among n under the mostly share. */
static uint64_t
allowed(uint64_t n, double mostly)
{
	return (uint64_t)floor((1.0 - mostly) * (double)n + 1e-9);
}

static void
sample_add(weir_check_result *res, const weir_check_pos *pos, const scope *s,
    const char *what, size_t wlen)
{
	weir_check_sample *sm;

	if (res->nsamples >= WEIR_CHECK_SAMPLES)
		return;
	sm = &res->samples[res->nsamples++];
	memset(sm, 0, sizeof(*sm));
	if (pos) {
		sm->file = pos->file;
		sm->line = pos->line;
		sm->recno = pos->recno;
	}
	if (s && s->has_win) {
		sm->has_win = 1;
		sm->win_start = s->start;
		sm->win_end = s->end;
	}
	if (wlen >= sizeof(sm->what)) {
		memcpy(sm->what, what, sizeof(sm->what) - 4);
		/* do not cut a UTF-8 sequence in half */
		wlen = sizeof(sm->what) - 4;
		while (wlen > 0 && (sm->what[wlen] & 0xc0) == 0x80)
			wlen--;
		memcpy(sm->what + wlen, "...", 4);
	} else {
		memcpy(sm->what, what, wlen);
		sm->what[wlen] = 0;
	}
}

/* The bytes a value is unique by: its canonical form. */
static int
unique_key(weir_check *c, const weir_pv *v)
{
	c->key.len = 0;
	return weir_pv_canon(&c->key, v);
}

static int
value_in(const weir_rule *r, const weir_pv *v)
{
	size_t i;
	double d;

	for (i = 0; i < r->nvals; i++) {
		const weir_rule_val *rv = &r->vals[i];
		switch (rv->type) {
		case WEIR_RV_STR:
			if (v->type == WEIR_PV_STRING &&
			    weir_pv_str_eq(v, rv->s, rv->n))
				return 1;
			break;
		case WEIR_RV_NUM:
			if (weir_pv_is_num(v) && (d = weir_pv_num(v)) == rv->num)
				return 1;
			break;
		case WEIR_RV_BOOL:
			if ((v->type == WEIR_PV_TRUE && rv->b) ||
			    (v->type == WEIR_PV_FALSE && !rv->b))
				return 1;
			break;
		default:
			if (v->type == WEIR_PV_NULL)
				return 1;
			break;
		}
	}
	return 0;
}

static unsigned
type_bits(const weir_pv *v)
{
	double d;

	switch (v->type) {
	case WEIR_PV_NULL:
		return WEIR_TY_NULL;
	case WEIR_PV_TRUE:
	case WEIR_PV_FALSE:
		return WEIR_TY_BOOLEAN;
	case WEIR_PV_INT:
		return WEIR_TY_NUMBER | WEIR_TY_INTEGER;
	case WEIR_PV_DEC:
	case WEIR_PV_NUMTEXT:
		d = weir_pv_num(v);
		return WEIR_TY_NUMBER |
		    (isfinite(d) && d == floor(d) ? WEIR_TY_INTEGER : 0);
	case WEIR_PV_STRING:
		return WEIR_TY_STRING;
	case WEIR_PV_ARRAY:
		return WEIR_TY_ARRAY;
	case WEIR_PV_OBJECT:
		return WEIR_TY_OBJECT;
	default:
		return 0;
	}
}

/* 1 match, 0 not, -1 a match limit hit (m says) or no memory. */
static int
regex_match(weir_check *c, const weir_rule *r, const weir_pv *v, char *m,
    size_t msz)
{
	const uint8_t *s;
	size_t n;

	c->str.len = 0;
	if (v->type == WEIR_PV_STRING) {
		if (weir_pv_str(v, &c->str, &s, &n) < 0)
			goto nomem;
	} else {
		if (weir_pv_to_text(&c->str, v) < 0)
			goto nomem;
		s = c->str.p;
		n = c->str.len;
	}
	return weir_re_match(r->re, s, n, m, msz);
nomem:
	c->oom = 1;
	return -1;
}

/*
 * The verdicts that can fail to come (a regex past its match limit): taken
 * before the record touches any state, so a bad record is not counted at
 * all.  pre[i]: 1 the rule's value failed, 0 it passed or was not looked
 * at.  -1 when the record is bad (c->err says why).
 */
static int
pre_check(weir_check *c, const weir_record *rec, const weir_pv *root)
{
	size_t i;
	weir_pv v;
	int rc;

	for (i = 0; i < c->rs->n; i++) {
		const weir_rule *r = &c->rs->v[i];
		weir_expr_ctx x;

		c->pre[i] = 0;
		if (r->kind == WEIR_RULE_EXPR) {
			x.rec = rec;
			x.root = root;
			x.now_ms = c->o.now_ms;
			if ((rc = weir_expr_test(r->expr, &x)) < 0) {
				if (rc == WEIR_FAIL_NOMEM)
					c->oom = 1;
				weir_seterr(c->err, sizeof(c->err), "rule %s: %s",
				    r->id, weir_expr_error(r->expr));
				return -1;
			}
			c->pre[i] = !rc;
		} else if (r->kind == WEIR_RULE_REGEX &&
		    weir_path_get(&r->path, root, &v) &&
		    v.type != WEIR_PV_NULL) {
			char m[WEIR_ERRSZ];
			if ((rc = regex_match(c, r, &v, m, sizeof(m))) < 0) {
				weir_seterr(c->err, sizeof(c->err), "rule %s: %s",
				    r->id, m);
				return -1;
			}
			c->pre[i] = !rc;
		}
	}
	return 0;
}

/* The time a freshness rule reads from a value: 0, or -1 if not a time. */
static int
value_time(const weir_rule *r, const weir_pv *v, int64_t *ms)
{
	if (v->type == WEIR_PV_STRING)
		return weir_time_from_pv(v, WEIR_TIME_ISO8601, ms);
	return weir_time_from_pv(v, r->timefmt, ms);
}

static void
note(weir_check *c, const weir_rule *r, const char *fmt, double a, double b)
{
	char m[256];

	snprintf(m, sizeof(m), fmt, a, b);
	if (weir_buf_printf(&c->notes, "%s: %s\n", r->id, m) < 0)
		c->oom = 1;
}

/* Add a unique rule's key to the scope's set: 1 a duplicate, 0 not, -1
 * no memory. */
static int
unique_add(weir_check *c, const weir_rule *r, rstate *st,
    weir_check_result *res, const weir_buf *key)
{
	int rc;

	if (!st->have_u) {
		if (weir_uniq_init(&st->u, c->o.unique_limit, r->approx) < 0)
			return -1;
		st->have_u = 1;
	}
	rc = weir_uniq_add(&st->u, key->p, key->len);
	if (rc < 0)
		return -1;
	if (rc == WEIR_UNIQ_DUP)
		return 1;
	if (rc == WEIR_UNIQ_SWITCHED) {
		res->approx = 1;
		note(c, r, "exact set reached its memory limit (%.0f "
		    "bytes) after %.0f distinct values; counting "
		    "duplicates with HyperLogLog from here on",
		    (double)c->o.unique_limit, (double)st->u.values - 1);
	} else if (rc == WEIR_UNIQ_FULL && !res->stopped) {
		res->stopped = 1;
		note(c, r, "exact set reached its memory limit (%.0f "
		    "bytes) after %.0f values; the rule cannot be "
		    "checked exactly (set approx: true, or raise "
		    "--unique-memory)",
		    (double)c->o.unique_limit, (double)st->u.values - 1);
	}
	return 0;
}

/* relationships: 1 if the record's key has no row in the reference
 * table, 0 if it has one, -1 no memory. */
static int
ref_probe(weir_check *c, size_t i, const weir_record *rec)
{
	char e2[WEIR_ERRSZ];
	int rc;

	if (!c->joins[i])	/* weir_check_load was not called */
		return 1;
	c->hit = 0;
	rc = weir_join_record(c->joins[i], 0, rec, e2, sizeof(e2));
	if (rc == WEIR_FAIL_NOMEM)
		return -1;
	return !c->hit;
}

/* schema: required fields present, no field outside allowed; 1 if the
 * record failed (what is in c->scratch). */
static int
schema_check(weir_check *c, const weir_rule *r, const weir_pv *root)
{
	weir_pv_iter it;
	weir_pv k, v;
	const uint8_t *s;
	size_t i, n;
	int rc = 0;

	c->scratch.len = 0;
	if (root->type != WEIR_PV_OBJECT) {
		rc |= weir_buf_puts(&c->scratch, "not a JSON object");
		return rc ? -1 : 1;
	}
	for (i = 0; i < r->npaths; i++)
		if (!weir_path_get(&r->paths[i], root, &v))
			rc |= weir_buf_printf(&c->scratch, "%smissing %s",
			    c->scratch.len ? ", " : "", r->paths[i].text);
	if (r->nallowed) {
		weir_pv_iter_init(&it, root);
		while (weir_pv_iter_next(&it, &k, &v)) {
			c->str.len = 0;
			if (weir_pv_str(&k, &c->str, &s, &n) < 0)
				return -1;
			for (i = 0; i < r->nallowed; i++)
				if (r->allowed[i].steps[0].key_len == n &&
				    !memcmp(r->allowed[i].steps[0].key, s, n))
					break;
			if (i == r->nallowed)
				rc |= weir_buf_printf(&c->scratch, "%sunexpected "
				    "field '%.*s'", c->scratch.len ? ", " : "",
				    (int)(n > 60 ? 60 : n), (const char *)s);
		}
	}
	if (rc)
		return -1;
	return c->scratch.len > 0;
}

/* A composite unique or relationships key: every part present and not
 * null, or the record is skipped.  1 if the value failed. */
static int
check_keys(weir_check *c, size_t i, scope *s, const weir_record *rec,
    const weir_pv *root, const weir_check_pos *pos)
{
	const weir_rule *r = &c->rs->v[i];
	rstate *st = &s->st[i];
	weir_check_result *res = &c->res[i];
	weir_pv v;
	size_t k;
	int nul = 0, fail, rc = 0;

	c->ckey.len = 0;
	c->scratch.len = 0;
	for (k = 0; k < r->npaths; k++) {
		if (!weir_path_get(&r->paths[k], root, &v))
			break;
		nul |= v.type == WEIR_PV_NULL;
		/* the key: each part length-prefixed, so parts cannot blur */
		if (unique_key(c, &v) < 0 ||
		    weir_buf_put_varint(&c->ckey, c->key.len) < 0 ||
		    weir_buf_put(&c->ckey, c->key.p, c->key.len) < 0)
			return -1;
		rc |= weir_buf_putc(&c->scratch, k ? ',' : '[');
		rc |= weir_pv_to_json(&c->scratch, &v);
	}
	if (rc || weir_buf_putc(&c->scratch, ']') < 0)
		return -1;
	if (k < r->npaths || nul) {
		res->matched += k == r->npaths;
		st->skipped++;
		return 0;
	}
	res->matched++;
	st->checked++;
	fail = r->kind == WEIR_RULE_UNIQUE ? unique_add(c, r, st, res,
	    &c->ckey) : ref_probe(c, i, rec);
	if (fail <= 0)
		return fail;
	st->failed++;
	sample_add(res, pos, s, (const char *)c->scratch.p, c->scratch.len);
	return 1;
}

/* Check one per-value rule; 1 if the value failed. */
static int
check_value(weir_check *c, size_t i, scope *s, const weir_record *rec,
    const weir_pv *root, const weir_check_pos *pos)
{
	const weir_rule *r = &c->rs->v[i];
	rstate *st = &s->st[i];
	weir_check_result *res = &c->res[i];
	weir_pv v;
	int have, fail = 0;
	int64_t t;

	if (r->kind == WEIR_RULE_COUNT)
		return 0;
	if (r->kind == WEIR_RULE_EXPR) {
		st->checked++;
		if (!c->pre[i])
			return 0;
		st->failed++;
		c->scratch.len = 0;
		if (root->type != WEIR_PV_MISSING)
			weir_pv_to_json(&c->scratch, root);
		sample_add(res, pos, s, (const char *)c->scratch.p,
		    c->scratch.len);
		return 1;
	}
	if (r->kind == WEIR_RULE_FRESHNESS && !r->field) {
		if (!(rec->flags & WEIR_R_TS)) {
			st->skipped++;
			return 0;
		}
		st->checked++;
		if (!st->have_newest || rec->ts > st->newest)
			st->newest = rec->ts;
		st->have_newest = 1;
		return 0;
	}
	if (r->kind == WEIR_RULE_SCHEMA) {
		st->checked++;
		if ((fail = schema_check(c, r, root)) <= 0)
			return fail;
		st->failed++;
		sample_add(res, pos, s, (const char *)c->scratch.p,
		    c->scratch.len);
		return 1;
	}
	if (r->npaths)		/* a composite key */
		return check_keys(c, i, s, rec, root, pos);
	have = root->type != WEIR_PV_MISSING &&
	    weir_path_get(&r->path, root, &v);
	res->matched += have;
	if (r->kind == WEIR_RULE_NOT_NULL) {
		st->checked++;
		if (have && v.type != WEIR_PV_NULL)
			return 0;
		st->failed++;
		sample_add(res, pos, s, have ? "null" : "missing",
		    have ? 4 : 7);
		return 1;
	}
	if (!have || (v.type == WEIR_PV_NULL && r->kind != WEIR_RULE_TYPE) ||
	    (weir_rule_is_stat(r->kind) && (!weir_pv_is_num(&v) ||
	    isnan(weir_pv_num(&v))))) {
		st->skipped++;
		return 0;
	}
	st->checked++;
	if (weir_rule_is_stat(r->kind)) {
		double d = weir_pv_num(&v);
		st->sum += d;
		if (st->checked == 1 || d < st->mn)
			st->mn = d;
		if (st->checked == 1 || d > st->mx)
			st->mx = d;
		return 0;
	}
	switch (r->kind) {
	case WEIR_RULE_UNIQUE:
		if (unique_key(c, &v) < 0 ||
		    (fail = unique_add(c, r, st, res, &c->key)) < 0)
			return -1;
		break;
	case WEIR_RULE_RELATIONSHIPS:
		if ((fail = ref_probe(c, i, rec)) < 0)
			return -1;
		break;
	case WEIR_RULE_IN:
		fail = !value_in(r, &v);
		break;
	case WEIR_RULE_RANGE:
		if (!weir_pv_is_num(&v))
			fail = 1;
		else {
			double d = weir_pv_num(&v);
			fail = isnan(d) || (r->has_lo && d < r->lo) ||
			    (r->has_hi && d > r->hi);
		}
		break;
	case WEIR_RULE_REGEX:
		fail = c->pre[i];
		break;
	case WEIR_RULE_TYPE:
		fail = !(type_bits(&v) & r->types);
		break;
	case WEIR_RULE_FRESHNESS:
		if (value_time(r, &v, &t) < 0)
			fail = 1;
		else if (!st->have_newest || t > st->newest) {
			st->newest = t;
			st->have_newest = 1;
		}
		break;
	default:
		break;
	}
	if (!fail)
		return 0;
	st->failed++;
	c->scratch.len = 0;
	if (weir_pv_to_json(&c->scratch, &v) < 0)
		return -1;
	sample_add(res, pos, s, (const char *)c->scratch.p, c->scratch.len);
	return 1;
}

static void
win_text(char *buf, size_t sz, const scope *s)
{
	char a[40], b[40];

	weir_iso8601_fmt(a, sizeof(a), s->start);
	weir_iso8601_fmt(b, sizeof(b), s->end);
	snprintf(buf, sz, "window [%s, %s): ", a, b);
}

static void
set_detail(weir_check_result *res, const scope *s, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static void
set_detail(weir_check_result *res, const scope *s, const char *fmt, ...)
{
	va_list ap;
	size_t n = 0;

	if (res->detail[0])
		return;		/* keep the first failing scope's */
	if (s && s->has_win) {
		win_text(res->detail, sizeof(res->detail), s);
		n = strlen(res->detail);
	}
	va_start(ap, fmt);	/* the message after the window, truncated */
	vsnprintf(res->detail + n, sizeof(res->detail) - n, fmt, ap);
	va_end(ap);
}

/* The level failed of checked reach: 2 error, 1 warn, 0 none; mostly,
 * or dbt's error_if and warn_if (both "!= 0" unless given; a warn rule
 * has no error_if). */
static int
level(const weir_rule *r, uint64_t failed, uint64_t checked)
{
	static const weir_rule_thr nonzero = { 1, WEIR_THR_NE, 0, 0, "!=0" };

	if (!r->warn_if.set && !r->error_if.set)
		return failed > allowed(checked, r->mostly) ? 2 : 0;
	if (r->severity == WEIR_SEV_ERROR && weir_rules_thr_hit(r->error_if.set ?
	    &r->error_if : &nonzero, failed, checked))
		return 2;
	return weir_rules_thr_hit(r->warn_if.set ? &r->warn_if : &nonzero,
	    failed, checked) ? 1 : 0;
}

static const char *
level_why(const weir_rule *r, int lvl)
{
	if (lvl == 2 && r->error_if.set)
		return r->error_if.text;
	if (lvl == 1 && r->warn_if.set)
		return r->warn_if.text;
	return "!=0";
}

/* avg/min/max/sum of a scope; 0, or -1 when it saw no number. */
static int
stat_of(const weir_rule *r, const rstate *st, double *v)
{
	if (!st->checked)
		return r->kind == WEIR_RULE_SUM ? (*v = 0, 0) : -1;
	switch (r->kind) {
	case WEIR_RULE_AVG:
		*v = st->sum / (double)st->checked;
		break;
	case WEIR_RULE_MIN:
		*v = st->mn;
		break;
	case WEIR_RULE_MAX:
		*v = st->mx;
		break;
	default:
		*v = st->sum;
	}
	return 0;
}

static int
out_of_bounds(const weir_rule *r, double v)
{
	return (r->has_lo && v < r->lo) || (r->has_hi && v > r->hi);
}

/* Judge one rule in one closed scope. */
static void
judge(weir_check *c, size_t i, scope *s, int64_t now)
{
	const weir_rule *r = &c->rs->v[i];
	rstate *st = &s->st[i];
	weir_check_result *res = &c->res[i];
	char what[160], a[40];
	int fail = 0, lvl;

	res->scopes++;
	if (weir_rule_is_aggregate(r)) {
		res->checked++;
		res->skipped += st->skipped;
		if (weir_rule_is_stat(r->kind)) {
			double v;
			if (stat_of(r, st, &v) < 0) {
				fail = 1;
				snprintf(what, sizeof(what), "no numbers at %s",
				    r->field);
			} else {
				res->stat = v;
				res->has_stat = 1;
				weir_fmt_double(a, sizeof(a), v);
				if ((fail = out_of_bounds(r, v)))
					snprintf(what, sizeof(what), "%s %s, "
					    "expected %.*s", weir_rule_kind_name(
					    r->kind), a, r->ntext, r->text);
			}
		} else if (r->kind == WEIR_RULE_COUNT) {
			double n = (double)s->records;
			if ((r->has_lo && n < r->lo) || (r->has_hi && n > r->hi)) {
				fail = 1;
				snprintf(what, sizeof(what), "%llu record%s, "
				    "expected %.*s", (unsigned long long)s->records,
				    s->records == 1 ? "" : "s", r->ntext, r->text);
			}
		} else {
			int64_t ref = s->has_win ? s->end : now;
			if (!st->have_newest) {
				fail = 1;
				snprintf(what, sizeof(what), "no %s values%s",
				    r->field ? "time" : "event time",
				    st->failed ? " that parse as times" : "");
			} else if ((res->stat = (double)(ref - st->newest),
			    res->has_stat = 1, ref - st->newest > r->max_age)) {
				char age[40];
				fail = 1;
				weir_iso8601_fmt(a, sizeof(a), st->newest);
				weir_dur_human(age, sizeof(age),
				    ref - st->newest);
				snprintf(what, sizeof(what), "newest %s is %s, "
				    "%s old (limit %.*s)", r->field ? r->field :
				    "event time", a, age, r->ntext, r->text);
			}
		}
		if (fail) {
			res->failed++;
			res->scopes_failed++;
			set_detail(res, s, "%s", what);
			sample_add(res, NULL, s, what, strlen(what));
		}
		return;
	}
	res->checked += st->checked;
	res->failed += st->failed;
	res->skipped += st->skipped;
	if (r->kind == WEIR_RULE_UNIQUE && st->have_u &&
	    st->u.mode == WEIR_UNIQ_APPROX) {
		double dups = weir_uniq_dups(&st->u);
		double err = weir_uniq_error(&st->u) * 3 *
		    weir_uniq_distinct(&st->u);
		/* exact duplicates seen before the switch are in st->failed */
		if (dups > (double)allowed(st->checked, r->mostly) + err) {
			res->scopes_failed++;
			set_detail(res, s, "about %.0f duplicate values among "
			    "%llu (HyperLogLog estimate, +-%.0f)", dups,
			    (unsigned long long)st->checked, err);
		}
		if (st->failed < (uint64_t)dups)
			res->failed += (uint64_t)dups - st->failed;
		return;
	}
	if (r->kind == WEIR_RULE_UNIQUE && st->have_u &&
	    st->u.mode == WEIR_UNIQ_STOPPED) {
		res->scopes_failed++;
		set_detail(res, s, "not checked past %.0f values: the exact set "
		    "reached its memory limit (set approx: true or raise "
		    "--unique-memory)", (double)st->u.values_exact);
		return;
	}
	if ((lvl = level(r, st->failed, st->checked)) == 1 ||
	    (lvl == 2 && (r->warn_if.set || r->error_if.set))) {
		if (lvl == 2)
			res->scopes_failed++;
		else
			res->scopes_warned++;
		set_detail(res, s, "%llu of %llu values failed (%s %s)",
		    (unsigned long long)st->failed,
		    (unsigned long long)st->checked,
		    lvl == 2 ? "error_if" : "warn_if", level_why(r, lvl));
	} else if (lvl == 2) {
		res->scopes_failed++;
		if (r->mostly < 1)
			set_detail(res, s, "%llu of %llu values failed (%.3g%%; "
			    "mostly %.4g%% allows %llu)",
			    (unsigned long long)st->failed,
			    (unsigned long long)st->checked,
			    100.0 * (double)st->failed / (double)st->checked,
			    100.0 * r->mostly, (unsigned long long)
			    allowed(st->checked, r->mostly));
		else
			set_detail(res, s, "%llu of %llu values failed",
			    (unsigned long long)st->failed,
			    (unsigned long long)st->checked);
	}
}

static void
close_scope(weir_check *c, scope *s, int64_t now)
{
	size_t i;

	for (i = 0; i < c->rs->n; i++)
		judge(c, i, s, now);
}

/* Tumbling windows with no records between two judged ones: count and
 * freshness fail there (no records, no fresh values). */
static void
judge_gap(weir_check *c, int64_t from, int64_t to)
{
	size_t i;
	uint64_t n;

	if (to <= from)
		return;
	n = (uint64_t)((to - from) / c->o.window);
	for (i = 0; i < c->rs->n; i++) {
		const weir_rule *r = &c->rs->v[i];
		weir_check_result *res = &c->res[i];
		scope gap;
		int fail;

		if (!weir_rule_is_aggregate(r)) {
			res->scopes += n;
			continue;
		}
		/* no values: count and sum see 0, the others nothing */
		fail = r->kind == WEIR_RULE_COUNT || r->kind == WEIR_RULE_SUM ?
		    out_of_bounds(r, 0) : 1;
		res->scopes += n;
		res->checked += n;
		if (!fail)
			continue;
		res->failed += n;
		res->scopes_failed += n;
		memset(&gap, 0, sizeof(gap));
		gap.has_win = 1;
		gap.start = from;
		gap.end = from + c->o.window;
		set_detail(res, &gap, "no records%s",
		    n > 1 ? " (and in the windows after it, up to the next "
		    "record)" : "");
		sample_add(res, NULL, &gap, "no records", 10);
	}
}

/* Judge and drop scopes, oldest first; all of them, or those ending at or
 * before wm. */
static void
close_scopes(weir_check *c, int all, int64_t wm, int64_t now)
{
	for (;;) {
		scope **pp, **best = NULL, *s;

		for (pp = &c->open; *pp; pp = &(*pp)->next) {
			s = *pp;
			if (!all && (!s->has_win || s->end > wm))
				continue;
			if (!best || (s->has_win && (!(*best)->has_win ||
			    s->start < (*best)->start)))
				best = pp;
		}
		if (!best)
			return;
		s = *best;
		*best = s->next;
		if (c->last == s)
			c->last = NULL;
		if (s->has_win && c->o.window &&
		    s->end - s->start == c->o.window) {
			if (c->have_closed && s->start > c->closed_end)
				judge_gap(c, c->closed_end, s->start);
			if (!c->have_closed || s->end > c->closed_end)
				c->closed_end = s->end;
			c->have_closed = 1;
		}
		close_scope(c, s, now);
		scope_free(c, s);
	}
}

int
weir_check_record(weir_check *c, const weir_record *r,
    const weir_check_pos *pos)
{
	weir_pv root;
	scope *s;
	size_t i;
	int bad = 0, rc;

	if ((rc = weir_record_json(r, &c->json, &root)) == WEIR_FAIL_NOMEM)
		return rc;
	if (rc == 0)
		root.type = WEIR_PV_MISSING;
	if (pre_check(c, r, &root) < 0)
		return c->oom ? WEIR_FAIL_NOMEM : WEIR_FAIL_DATA;
	c->records++;
	if (c->o.window && (r->flags & WEIR_R_WINDOW))
		s = scope_get(c, 1, r->win_start, r->win_end);
	else if (c->o.window && (r->flags & WEIR_R_TS)) {
		int64_t st = r->ts - ((r->ts % c->o.window) + c->o.window) %
		    c->o.window;
		s = scope_get(c, 1, st, st + c->o.window);
	} else
		s = scope_get(c, 0, 0, 0);
	if (!s)
		return WEIR_FAIL_NOMEM;
	s->records++;
	for (i = 0; i < c->rs->n; i++) {
		rc = check_value(c, i, s, r, &root, pos);
		if (rc < 0)
			return WEIR_FAIL_NOMEM;
		bad |= rc;
	}
	return c->oom ? WEIR_FAIL_NOMEM : bad;
}

int
weir_check_watermark(weir_check *c, int64_t wm)
{
	if (wm == INT64_MIN)
		return 0;
	close_scopes(c, 0, wm, 0);
	return c->oom ? WEIR_FAIL_NOMEM : 0;
}

/* A rule whose path was in no record: a typo passes nothing by accident
 * (unless the rule allows it). */
static int
no_match(weir_check_result *res, const weir_rule *r, uint64_t records)
{
	if (r->allow_missing)
		snprintf(res->detail, sizeof(res->detail), "path %s matched "
		    "no record (allowed)", r->field);
	else
		snprintf(res->detail, sizeof(res->detail), "path %s matched "
		    "no record of %llu (a typo? allow_missing: true or "
		    "--allow-missing accepts it)", r->field,
		    (unsigned long long)records);
	res->no_match = 1;
	return r->allow_missing ? 0 : 2;
}

int
weir_check_finish(weir_check *c)
{
	int64_t now = c->o.now_ms ? c->o.now_ms : weir_now_ms();
	size_t i;

	if (!c->open)	/* no records at all: judge an empty input */
		if (!scope_get(c, 0, 0, 0))
			return -1;
	close_scopes(c, 1, 0, now);
	for (i = 0; i < c->rs->n; i++) {
		weir_check_result *res = &c->res[i];
		const weir_rule *r = &c->rs->v[i];
		int lvl;
		if (weir_rule_is_aggregate(r))
			lvl = level(r, res->failed, res->checked);
		else
			lvl = res->scopes_failed ? 2 : res->scopes_warned ? 1 : 0;
		if (r->field && !res->matched && c->records &&
		    no_match(res, r, c->records) > lvl)
			lvl = 2;
		if (lvl == 2 && r->severity == WEIR_SEV_WARN)
			lvl = 1;
		res->status = lvl == 2 ? WEIR_CHECK_FAIL : lvl == 1 ?
		    WEIR_CHECK_WARN : WEIR_CHECK_PASS;
		res->passed = lvl == 0;
	}
	return c->oom ? WEIR_FAIL_NOMEM : 0;
}

/* ---- checkpoints ---- */

static int
save_result(const weir_check_result *res, weir_buf *out)
{
	size_t i;

	if (weir_sw_u64(out, res->checked) < 0 ||
	    weir_sw_u64(out, res->failed) < 0 ||
	    weir_sw_u64(out, res->skipped) < 0 ||
	    weir_sw_u64(out, res->matched) < 0 ||
	    weir_sw_u64(out, res->scopes) < 0 ||
	    weir_sw_u64(out, res->scopes_failed) < 0 ||
	    weir_sw_u64(out, res->scopes_warned) < 0 ||
	    weir_sw_u64(out, (uint64_t)res->status) < 0 ||
	    weir_sw_f64(out, res->stat) < 0 ||
	    weir_sw_u64(out, (uint64_t)(res->passed != 0) |
	    (uint64_t)(res->approx != 0) << 1 |
	    (uint64_t)(res->stopped != 0) << 2 |
	    (uint64_t)(res->no_match != 0) << 3 |
	    (uint64_t)(res->has_stat != 0) << 4) < 0 ||
	    weir_sw_str(out, res->detail) < 0 ||
	    weir_sw_u64(out, res->nsamples) < 0)
		return -1;
	for (i = 0; i < res->nsamples; i++) {
		const weir_check_sample *sm = &res->samples[i];
		if (weir_sw_u64(out, sm->file != NULL) < 0 ||
		    weir_sw_str(out, sm->file) < 0 ||
		    weir_sw_u64(out, sm->line) < 0 ||
		    weir_sw_u64(out, sm->recno) < 0 ||
		    weir_sw_u64(out, (uint64_t)(sm->has_win != 0)) < 0 ||
		    weir_sw_i64(out, sm->win_start) < 0 ||
		    weir_sw_i64(out, sm->win_end) < 0 ||
		    weir_sw_str(out, sm->what) < 0)
			return -1;
	}
	return 0;
}

static int
save_rstate(const rstate *st, weir_buf *out)
{
	if (weir_sw_u64(out, st->checked) < 0 ||
	    weir_sw_u64(out, st->failed) < 0 ||
	    weir_sw_u64(out, st->skipped) < 0 ||
	    weir_sw_f64(out, st->sum) < 0 ||
	    weir_sw_f64(out, st->mn) < 0 ||
	    weir_sw_f64(out, st->mx) < 0 ||
	    weir_sw_i64(out, st->newest) < 0 ||
	    weir_sw_u64(out, (uint64_t)(st->have_newest != 0)) < 0 ||
	    weir_sw_u64(out, (uint64_t)(st->have_u != 0)) < 0)
		return -1;
	return st->have_u ? weir_uniq_save(&st->u, out) : 0;
}

int
weir_check_state_save(const weir_check *c, weir_buf *out)
{
	const scope *s;
	uint64_t nscopes = 0;
	size_t i;

	if (weir_sw_u64(out, c->rs->n) < 0)
		return WEIR_FAIL_NOMEM;
	for (i = 0; i < c->rs->n; i++)
		if (weir_sw_u64(out, (uint64_t)c->rs->v[i].kind) < 0 ||
		    weir_sw_str(out, c->rs->v[i].id) < 0)
			return WEIR_FAIL_NOMEM;
	for (s = c->open; s; s = s->next)
		nscopes++;
	if (weir_sw_u64(out, c->records) < 0 ||
	    weir_sw_i64(out, c->closed_end) < 0 ||
	    weir_sw_u64(out, (uint64_t)(c->have_closed != 0)) < 0 ||
	    weir_sw_u64(out, nscopes) < 0)
		return WEIR_FAIL_NOMEM;
	for (i = 0; i < c->rs->n; i++)
		if (save_result(&c->res[i], out) < 0)
			return WEIR_FAIL_NOMEM;
	for (s = c->open; s; s = s->next) {	/* newest first, kept so */
		if (weir_sw_u64(out, (uint64_t)(s->has_win != 0)) < 0 ||
		    weir_sw_i64(out, s->start) < 0 ||
		    weir_sw_i64(out, s->end) < 0 ||
		    weir_sw_u64(out, s->records) < 0)
			return WEIR_FAIL_NOMEM;
		for (i = 0; i < c->rs->n; i++)
			if (save_rstate(&s->st[i], out) < 0)
				return WEIR_FAIL_NOMEM;
	}
	return 0;
}

/* A string of at most sz - 1 bytes into buf: 0, or -1 if longer. */
static int
load_str(weir_rd *rd, char *buf, size_t sz)
{
	size_t n;
	const uint8_t *p = weir_rd_bytes(rd, &n);

	if (rd->bad || n >= sz || memchr(p, 0, n))
		return -1;
	memcpy(buf, p, n);
	buf[n] = 0;
	return 0;
}

/* A sample's file name, kept by the checker (one copy per name). */
static const char *
load_name(weir_check *c, weir_rd *rd)
{
	size_t n, i;
	const uint8_t *p = weir_rd_bytes(rd, &n);
	char **nn, *s;

	if (rd->bad || memchr(p, 0, n))
		return NULL;
	for (i = 0; i < c->nnames; i++)
		if (strlen(c->names[i]) == n && !memcmp(c->names[i], p, n))
			return c->names[i];
	if (!(nn = realloc(c->names, (c->nnames + 1) * sizeof(*nn))))
		return NULL;
	c->names = nn;
	if (!(s = malloc(n + 1)))
		return NULL;
	memcpy(s, p, n);
	s[n] = 0;
	return c->names[c->nnames++] = s;
}

static int
load_result(weir_check *c, weir_check_result *res, weir_rd *rd)
{
	uint64_t flags, i, status;

	res->checked = weir_rd_u64(rd);
	res->failed = weir_rd_u64(rd);
	res->skipped = weir_rd_u64(rd);
	res->matched = weir_rd_u64(rd);
	res->scopes = weir_rd_u64(rd);
	res->scopes_failed = weir_rd_u64(rd);
	res->scopes_warned = weir_rd_u64(rd);
	status = weir_rd_u64(rd);
	res->stat = weir_rd_f64(rd);
	flags = weir_rd_u64(rd);
	res->status = (int)status;
	res->passed = (flags & 1) != 0;
	res->approx = (flags & 2) != 0;
	res->stopped = (flags & 4) != 0;
	res->no_match = (flags & 8) != 0;
	res->has_stat = (flags & 16) != 0;
	if (flags > 31 || status > WEIR_CHECK_FAIL ||
	    load_str(rd, res->detail, sizeof(res->detail)) < 0)
		return -1;
	res->nsamples = (size_t)weir_rd_u64(rd);
	if (rd->bad || res->nsamples > WEIR_CHECK_SAMPLES)
		return -1;
	for (i = 0; i < res->nsamples; i++) {
		weir_check_sample *sm = &res->samples[i];
		uint64_t has_file = weir_rd_u64(rd), has_win;
		memset(sm, 0, sizeof(*sm));
		if (has_file > 1)
			return -1;
		if (has_file) {
			if (!(sm->file = load_name(c, rd)))
				return -1;
		} else
			weir_rd_bytes(rd, &(size_t){0});
		sm->line = weir_rd_u64(rd);
		sm->recno = weir_rd_u64(rd);
		has_win = weir_rd_u64(rd);
		sm->win_start = weir_rd_i64(rd);
		sm->win_end = weir_rd_i64(rd);
		sm->has_win = has_win == 1;
		if (has_win > 1 || load_str(rd, sm->what, sizeof(sm->what)) < 0)
			return -1;
	}
	return rd->bad ? -1 : 0;
}

static int
load_rstate(weir_check *c, const weir_rule *r, rstate *st, weir_rd *rd,
    char *err, size_t errsz)
{
	uint64_t hn, hu;

	st->checked = weir_rd_u64(rd);
	st->failed = weir_rd_u64(rd);
	st->skipped = weir_rd_u64(rd);
	st->sum = weir_rd_f64(rd);
	st->mn = weir_rd_f64(rd);
	st->mx = weir_rd_f64(rd);
	st->newest = weir_rd_i64(rd);
	hn = weir_rd_u64(rd);
	hu = weir_rd_u64(rd);
	if (rd->bad || hn > 1 || hu > 1 ||
	    (hu && r->kind != WEIR_RULE_UNIQUE))
		return -1;
	st->have_newest = (int)hn;
	if (!hu)
		return 0;
	if (weir_uniq_init(&st->u, c->o.unique_limit, r->approx) < 0) {
		weir_seterr(err, errsz, "out of memory");
		return WEIR_FAIL_NOMEM;
	}
	st->have_u = 1;
	return weir_uniq_load(&st->u, rd, err, errsz);
}

int
weir_check_state_load(weir_check *c, weir_rd *rd, char *err, size_t errsz)
{
	uint64_t n = weir_rd_u64(rd), nscopes, i, hw, hc;
	scope *s, **tail = &c->open;
	size_t k, idn;
	const uint8_t *id;
	int rc;

	if (c->open || c->records) {
		weir_seterr(err, errsz, "check state: loaded into a used checker");
		return -1;
	}
	if (rd->bad || n != c->rs->n)
		goto other;
	for (k = 0; k < c->rs->n; k++) {
		uint64_t kind = weir_rd_u64(rd);
		id = weir_rd_bytes(rd, &idn);
		if (rd->bad || kind != (uint64_t)c->rs->v[k].kind ||
		    idn != strlen(c->rs->v[k].id) ||
		    memcmp(id, c->rs->v[k].id, idn))
			goto other;
	}
	c->records = weir_rd_u64(rd);
	c->closed_end = weir_rd_i64(rd);
	hc = weir_rd_u64(rd);
	nscopes = weir_rd_count(rd, 4 + 6 * c->rs->n);
	if (rd->bad || hc > 1)
		goto bad;
	c->have_closed = (int)hc;
	for (k = 0; k < c->rs->n; k++)
		if (load_result(c, &c->res[k], rd) < 0)
			goto bad;
	for (i = 0; i < nscopes; i++) {
		if (!(s = calloc(1, sizeof(*s))) ||
		    !(s->st = calloc(c->rs->n ? c->rs->n : 1, sizeof(*s->st)))) {
			free(s);
			weir_seterr(err, errsz, "out of memory");
			return WEIR_FAIL_NOMEM;
		}
		*tail = s;	/* linked first, so weir_check_free frees it */
		tail = &s->next;
		hw = weir_rd_u64(rd);
		s->start = weir_rd_i64(rd);
		s->end = weir_rd_i64(rd);
		s->records = weir_rd_u64(rd);
		if (rd->bad || hw > 1)
			goto bad;
		s->has_win = (int)hw;
		for (k = 0; k < c->rs->n; k++) {
			rc = load_rstate(c, &c->rs->v[k], &s->st[k], rd, err,
			    errsz);
			if (rc == WEIR_FAIL_DATA)
				goto bad;
			if (rc < 0)	/* with its message */
				return rc;
		}
	}
	return 0;
other:
	weir_seterr(err, errsz, "check state: saved for other rules");
	return -1;
bad:
	weir_seterr(err, errsz, "check state: truncated or malformed");
	return -1;
}
