/*
 * check.c - evaluating weir-check rules over a record stream: the
 * checker, its scopes, and one record through every rule (the parts:
 * check_impl.h).
 */
#include "check_impl.h"

#include <stdlib.h>

#include "record.h"

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

void
weir__check_scope_free(const weir_check *c, scope *s)
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
		weir__check_scope_free(c, s);
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

scope *
weir__check_scope_new(const weir_check *c)
{
	scope *s = calloc(1, sizeof(*s));

	if (s && !(s->st = calloc(c->rs->n ? c->rs->n : 1, sizeof(*s->st)))) {
		free(s);
		return NULL;
	}
	return s;
}

scope *
weir__check_scope_get(weir_check *c, int has_win, int64_t start,
    int64_t end)
{
	scope *s;

	if (c->last && c->last->has_win == has_win &&
	    (!has_win || (c->last->start == start && c->last->end == end)))
		return c->last;
	for (s = c->open; s; s = s->next)
		if (s->has_win == has_win &&
		    (!has_win || (s->start == start && s->end == end)))
			return c->last = s;
	if (!(s = weir__check_scope_new(c)))
		return NULL;
	s->has_win = has_win;
	s->start = start;
	s->end = end;
	s->next = c->open;
	c->open = s;
	return c->last = s;
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
	if (weir__check_pre(c, r, &root) < 0)
		return c->oom ? WEIR_FAIL_NOMEM : WEIR_FAIL_DATA;
	c->records++;
	if (c->o.window && (r->flags & WEIR_R_WINDOW))
		s = weir__check_scope_get(c, 1, r->win_start, r->win_end);
	else if (c->o.window && (r->flags & WEIR_R_TS)) {
		int64_t st = r->ts - ((r->ts % c->o.window) + c->o.window) %
		    c->o.window;
		s = weir__check_scope_get(c, 1, st, st + c->o.window);
	} else
		s = weir__check_scope_get(c, 0, 0, 0);
	if (!s)
		return WEIR_FAIL_NOMEM;
	s->records++;
	for (i = 0; i < c->rs->n; i++) {
		rc = weir__check_value(c, i, s, r, &root, pos);
		if (rc < 0)
			return WEIR_FAIL_NOMEM;
		bad |= rc;
	}
	return c->oom ? WEIR_FAIL_NOMEM : bad;
}
