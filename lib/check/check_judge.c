/*
 * check_judge.c - weir-check's verdicts: each rule judged in each scope
 * as it closes (at a watermark, or at the end: count, freshness and the
 * aggregates once per scope, per-value rules against mostly or their
 * thresholds), tumbling windows with no records, and the final status.
 */
#include "check_impl.h"

#include <math.h>
#include <stdarg.h>
#include <stdio.h>

#include "dur.h"
#include "timefmt.h"

/* The allowed number of failures among n under the mostly share. */
static uint64_t
allowed(uint64_t n, double mostly)
{
	return (uint64_t)floor((1.0 - mostly) * (double)n + 1e-9);
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
			weir__check_sample_add(res, NULL, s, what,
			    strlen(what));
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
		weir__check_sample_add(res, NULL, &gap, "no records", 10);
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
		weir__check_scope_free(c, s);
	}
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
		if (!weir__check_scope_get(c, 0, 0, 0))
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
