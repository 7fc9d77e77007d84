/*
 * check_state.c - weir-check's checkpoints: the checker's state (open
 * scopes with their counters and unique sets, results with their
 * samples) saved to and loaded from a snapshot (snap.h).
 */
#include "check_impl.h"

#include <stdlib.h>

#include "snap.h"

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
		if (!(s = weir__check_scope_new(c))) {
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
