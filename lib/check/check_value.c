/*
 * check_value.c - weir-check's per-value rules on one record (not_null,
 * unique, in, range, regex, type, freshness, expr, schema, composite
 * keys, and the numbers avg/min/max/sum add up), and the failure samples
 * they keep.
 */
#include "check_impl.h"

#include <math.h>
#include <stdio.h>

#include "record.h"
#include "timefmt.h"

void
weir__check_sample_add(weir_check_result *res, const weir_check_pos *pos,
    const scope *s, const char *what, size_t wlen)
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

/* Rule i's value failed in scope s: counted, and what c->scratch holds
 * kept as a sample; 1. */
static int
failed_scratch(weir_check *c, size_t i, scope *s, const weir_check_pos *pos)
{
	s->st[i].failed++;
	weir__check_sample_add(&c->res[i], pos, s, (const char *)c->scratch.p,
	    c->scratch.len);
	return 1;
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
int
weir__check_pre(weir_check *c, const weir_record *rec, const weir_pv *root)
{
	size_t i;
	weir_pv v;
	int rc;

	for (i = 0; i < c->rs->n; i++) {
		const weir_rule *r = &c->rs->v[i];
		weir_expr_ctx x = { 0 };

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
	    &c->ckey) : weir__check_ref_probe(c, i, rec);
	if (fail <= 0)
		return fail;
	return failed_scratch(c, i, s, pos);
}

/* Check one per-value rule; 1 if the value failed. */
int
weir__check_value(weir_check *c, size_t i, scope *s, const weir_record *rec,
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
		c->scratch.len = 0;
		if (root->type != WEIR_PV_MISSING)
			weir_pv_to_json(&c->scratch, root);
		return failed_scratch(c, i, s, pos);
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
		return failed_scratch(c, i, s, pos);
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
		weir__check_sample_add(res, pos, s, have ? "null" : "missing",
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
		if ((fail = weir__check_ref_probe(c, i, rec)) < 0)
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
	c->scratch.len = 0;
	if (weir_pv_to_json(&c->scratch, &v) < 0)
		return -1;
	return failed_scratch(c, i, s, pos);
}
