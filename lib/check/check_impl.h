/*
 * check_impl.h - what the parts of the checker share (private to
 * lib/check/check*.c):
 *   check.c        the checker, its scopes, one record through every rule;
 *   check_value.c  the per-value rules on one record, failure samples;
 *   check_ref.c    relationships' reference tables;
 *   check_judge.c  verdicts per scope and at the end (watermark, finish);
 *   check_state.c  checkpoints: saving and loading the state.
 */
#ifndef WEIR_CHECK_IMPL_H
#define WEIR_CHECK_IMPL_H

#include "check.h"
#include "join.h"

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

/* A new scope with a state per rule, not linked in; NULL: no memory. */
scope *weir__check_scope_new(const weir_check *c);
/* The open scope of a window [start, end) (or the whole input: has_win
 * 0), opened if need be; NULL: no memory. */
scope *weir__check_scope_get(weir_check *c, int has_win, int64_t start,
    int64_t end);
void weir__check_scope_free(const weir_check *c, scope *s);

/* Keep a failure sample (pos NULL: a whole scope's) while there is room;
 * what (wlen bytes) is cut to fit. */
void weir__check_sample_add(weir_check_result *res,
    const weir_check_pos *pos, const scope *s, const char *what,
    size_t wlen);
/* The record's regex and expr verdicts into c->pre; -1 for a bad record
 * (c->err says why). */
int weir__check_pre(weir_check *c, const weir_record *rec,
    const weir_pv *root);
/* Rule i on the record in scope s: 1 the value failed, 0 not, -1 no
 * memory. */
int weir__check_value(weir_check *c, size_t i, scope *s,
    const weir_record *rec, const weir_pv *root, const weir_check_pos *pos);

/* relationships: 1 if the record's key has no row in rule i's reference
 * table, 0 if it has one, -1 no memory. */
int weir__check_ref_probe(weir_check *c, size_t i, const weir_record *rec);

#endif
