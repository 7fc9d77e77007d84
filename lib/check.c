/* check.c - evaluating weir-check rules over a record stream. */
#include "check.h"

#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>

#include "dur.h"
#include "record.h"

typedef struct rstate {
	uint64_t checked, failed, skipped;
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
	weir_buf scratch, str, key, notes;
	int oom;
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
	if (!c->res) {
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

	if (!c)
		return;
	for (s = c->open; s; s = n) {
		n = s->next;
		scope_free(c, s);
	}
	free(c->res);
	weir_buf_free(&c->scratch);
	weir_buf_free(&c->str);
	weir_buf_free(&c->key);
	weir_buf_free(&c->notes);
	free(c);
}

const weir_check_result *
weir_check_results(const weir_check *c)
{
	return c->res;
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
		if (!c->res[i].passed && c->rs->v[i].severity == WEIR_SEV_ERROR)
			return 0;
	return 1;
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

static int
regex_match(weir_check *c, const weir_rule *r, const weir_pv *v)
{
	const uint8_t *s;
	size_t n;
	regmatch_t m[1];

	c->str.len = 0;
	if (v->type == WEIR_PV_STRING) {
		if (weir_pv_str(v, &c->str, &s, &n) < 0)
			return 0;
		if (s != c->str.p && weir_buf_put(&c->str, s, n) < 0)
			return 0;
	} else if (weir_pv_to_text(&c->str, v) < 0)
		return 0;
	/* NUL-terminated for regexec (and sanitizers, which ignore
	 * REG_STARTEND); REG_STARTEND so a NUL inside is matched too */
	n = c->str.len;
	if (weir_buf_putc(&c->str, 0) < 0)
		return 0;
	m[0].rm_so = 0;
	m[0].rm_eo = (regoff_t)n;
	return regexec(&r->re, (const char *)c->str.p, 1, m,
	    REG_STARTEND) == 0;
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

/* Check one per-value rule; 1 if the value failed. */
static int
check_value(weir_check *c, size_t i, scope *s, const weir_record *rec,
    const weir_pv *root, const weir_check_pos *pos)
{
	const weir_rule *r = &c->rs->v[i];
	rstate *st = &s->st[i];
	weir_check_result *res = &c->res[i];
	weir_pv v;
	int have, fail = 0, rc;
	int64_t t;

	if (r->kind == WEIR_RULE_COUNT)
		return 0;
	if (r->kind == WEIR_RULE_EXPR) {
		weir_expr_ctx x;
		x.rec = rec;
		x.root = root;
		x.now_ms = c->o.now_ms;
		st->checked++;
		if (weir_expr_test(r->expr, &x))
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
	have = root->type != WEIR_PV_MISSING &&
	    weir_path_get(&r->path, root, &v);
	if (r->kind == WEIR_RULE_NOT_NULL) {
		st->checked++;
		if (have && v.type != WEIR_PV_NULL)
			return 0;
		st->failed++;
		sample_add(res, pos, s, have ? "null" : "missing",
		    have ? 4 : 7);
		return 1;
	}
	if (!have || (v.type == WEIR_PV_NULL && r->kind != WEIR_RULE_TYPE)) {
		st->skipped++;
		return 0;
	}
	st->checked++;
	switch (r->kind) {
	case WEIR_RULE_UNIQUE:
		if (!st->have_u) {
			if (weir_uniq_init(&st->u, c->o.unique_limit,
			    r->approx) < 0)
				return -1;
			st->have_u = 1;
		}
		if (unique_key(c, &v) < 0)
			return -1;
		rc = weir_uniq_add(&st->u, c->key.p, c->key.len);
		if (rc < 0)
			return -1;
		if (rc == WEIR_UNIQ_DUP)
			fail = 1;
		else if (rc == WEIR_UNIQ_SWITCHED) {
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
		fail = !regex_match(c, r, &v);
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

/* Judge one rule in one closed scope. */
static void
judge(weir_check *c, size_t i, scope *s, int64_t now)
{
	const weir_rule *r = &c->rs->v[i];
	rstate *st = &s->st[i];
	weir_check_result *res = &c->res[i];
	char what[160], a[40];
	int fail = 0;

	res->scopes++;
	if (r->kind == WEIR_RULE_COUNT || r->kind == WEIR_RULE_FRESHNESS) {
		res->checked++;
		res->skipped += st->skipped;
		if (r->kind == WEIR_RULE_COUNT) {
			double n = (double)s->records;
			if ((r->has_lo && n < r->lo) || (r->has_hi && n > r->hi)) {
				fail = 1;
				snprintf(what, sizeof(what), "%llu record%s, "
				    "expected %s", (unsigned long long)s->records,
				    s->records == 1 ? "" : "s", r->text);
			}
		} else {
			int64_t ref = s->has_win ? s->end : now;
			if (!st->have_newest) {
				fail = 1;
				snprintf(what, sizeof(what), "no %s values%s",
				    r->field ? "time" : "event time",
				    st->failed ? " that parse as times" : "");
			} else if (ref - st->newest > r->max_age) {
				char age[40];
				fail = 1;
				weir_iso8601_fmt(a, sizeof(a), st->newest);
				weir_dur_fmt(age, sizeof(age), ref - st->newest);
				snprintf(what, sizeof(what), "newest %s is %s, "
				    "%s old (limit %s)", r->field ? r->field :
				    "event time", a, age, r->text);
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
	if (st->failed > allowed(st->checked, r->mostly)) {
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

		if (r->kind != WEIR_RULE_COUNT &&
		    r->kind != WEIR_RULE_FRESHNESS) {
			res->scopes += n;
			continue;
		}
		fail = r->kind == WEIR_RULE_FRESHNESS ||
		    (r->has_lo && r->lo > 0);
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
		return -1;
	s->records++;
	if (!weir_record_json(r, &c->scratch, &root))
		root.type = WEIR_PV_MISSING;
	for (i = 0; i < c->rs->n; i++) {
		rc = check_value(c, i, s, r, &root, pos);
		if (rc < 0)
			return -1;
		bad |= rc;
	}
	return c->oom ? -1 : bad;
}

int
weir_check_watermark(weir_check *c, int64_t wm)
{
	if (wm == INT64_MIN)
		return 0;
	close_scopes(c, 0, wm, 0);
	return c->oom ? -1 : 0;
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
		if (weir_rule_is_aggregate(r))
			res->passed = res->failed <= allowed(res->checked,
			    r->mostly);
		else
			res->passed = res->scopes_failed == 0;
	}
	return c->oom ? -1 : 0;
}
