/*
 * rules.h - weir-check's data-quality rules: the model, the YAML rules
 * file (keyed by field, with the line and column of every node kept for
 * messages), and the one-liner flags.  Evaluation is lib/check.h.
 *
 *   suite: orders
 *   fields:
 *     .order_id: [not_null, unique]
 *     .amount:   [not_null, {range: [0, 100000], mostly: 99.9%}]
 *   records:
 *     - {count: [1, 5000000]}
 *     - {expr: '.amount >= 0 or .refund == true', id: refunds}
 *
 * Loading never stops at the first problem: every problem found is
 * appended to an error buffer as "file:line:col: message\n".
 */
#ifndef WEIR_RULES_H
#define WEIR_RULES_H

#include "expr.h"
#include "path.h"
#include "re.h"
#include "util.h"

enum {
	WEIR_RULE_NOT_NULL,
	WEIR_RULE_UNIQUE,
	WEIR_RULE_IN,
	WEIR_RULE_RANGE,
	WEIR_RULE_REGEX,
	WEIR_RULE_TYPE,
	WEIR_RULE_FRESHNESS,
	WEIR_RULE_COUNT,
	WEIR_RULE_EXPR,
	WEIR_RULE_RELATIONSHIPS,	/* values present in a reference table */
	WEIR_RULE_SCHEMA,	/* required and allowed fields */
	WEIR_RULE_AVG,		/* aggregates of a field, per scope */
	WEIR_RULE_MIN,
	WEIR_RULE_MAX,
	WEIR_RULE_SUM,
	WEIR_RULE_NKINDS
};

enum { WEIR_SEV_ERROR, WEIR_SEV_WARN };

/* type rule: allowed JSON types */
enum {
	WEIR_TY_NULL = 1 << 0,
	WEIR_TY_BOOLEAN = 1 << 1,
	WEIR_TY_NUMBER = 1 << 2,
	WEIR_TY_INTEGER = 1 << 3,
	WEIR_TY_STRING = 1 << 4,
	WEIR_TY_ARRAY = 1 << 5,
	WEIR_TY_OBJECT = 1 << 6
};

/* An accepted value of an `in` rule. */
enum { WEIR_RV_NULL, WEIR_RV_BOOL, WEIR_RV_NUM, WEIR_RV_STR };
typedef struct weir_rule_val {
	int type;
	int b;
	double num;
	char *s;
	size_t n;
} weir_rule_val;

/* A dbt-style threshold on a rule's failures: "> 10", ">= 1%", "!= 0". */
enum { WEIR_THR_GT, WEIR_THR_GE, WEIR_THR_LT, WEIR_THR_LE, WEIR_THR_EQ,
    WEIR_THR_NE };
typedef struct weir_rule_thr {
	int set;
	int op;			/* WEIR_THR_* */
	double v;		/* a count, or a share 0..1 with pct */
	int pct;
	char text[48];		/* as written */
} weir_rule_thr;

typedef struct weir_rule {
	int kind;		/* WEIR_RULE_* */
	char *id;		/* unique within the rule set */
	char *field;		/* path text (or a list "[.a, .b]" for a composite
				 * unique or relationships); NULL for a record
				 * rule */
	weir_path path;		/* the path, when not a list */
	weir_path *paths;	/* a list: composite unique or relationships
				 * keys; schema: required fields */
	size_t npaths;
	weir_path *allowed;	/* schema: the fields a record may have */
	size_t nallowed;
	char *ref_file;		/* relationships: the reference table */
	char *ref_field;	/* ... and its key path (or list) as written */
	weir_path *ref_paths;
	size_t nref_paths;
	int line, col;		/* where it is defined (0: a flag) */
	int severity;		/* WEIR_SEV_* */
	double mostly;		/* share of checked values that must pass */
	/* parameters, by kind */
	weir_rule_val *vals;	/* in */
	size_t nvals;
	int has_lo, has_hi;	/* range, count: bounds (inclusive) */
	double lo, hi;
	char *pattern;		/* regex */
	weir_re *re;
	unsigned types;		/* type: WEIR_TY_* bits */
	int64_t max_age;	/* freshness, ms */
	int timefmt;		/* freshness: WEIR_TIME_* for numbers */
	int approx;		/* unique: may turn into HyperLogLog */
	int allow_missing;	/* pass even if the path matched no record */
	weir_rule_thr warn_if, error_if;	/* dbt-style thresholds */
	weir_expr *expr;	/* expr */
	char *text;		/* the rule's parameters as written, for reports */
	int ntext;		/* ... its length before the thresholds */
} weir_rule;

typedef struct weir_rules {
	char *suite;
	char *file;		/* the rules file, NULL for flags only */
	weir_rule *v;
	size_t n, cap;
} weir_rules;

void weir_rules_init(weir_rules *rs);
void weir_rules_free(weir_rules *rs);

/*
 * Load rules from YAML text (name is the file name used in messages).
 * Returns the number of problems found (each appended to errs as
 * "name:line:col: message\n"), 0 when the file is valid, or
 * WEIR_FAIL_NOMEM when memory ran out (not a problem of the file's).
 * Rules are added to rs even when there are problems; callers must not
 * use rs then.
 */
int weir_rules_parse(weir_rules *rs, const char *name, const char *text,
    size_t len, weir_buf *errs);

/*
 * One rule from a command-line flag: kind is the rule name (not_null,
 * unique, in, range, regex, type, freshness, count, expr, relationships,
 * required, allowed, avg, min, max, sum) and arg its argument:
 *   not_null/unique/unique_approx PATH;  in PATH=A,B,C;  range PATH=LO..HI (either side
 *   may be empty);  regex PATH=RE;  type PATH=T[,T];  freshness PATH=DUR
 *   or DUR (the records' event time);  count MIN..MAX;  expr EXPR;
 *   unique [PATH, PATH] (composite);  relationships PATH=FILE[:FIELD];
 *   required / allowed PATH or [PATH, ...] (a schema rule);
 *   avg/min/max/sum PATH=LO..HI.
 * 0, or with a message WEIR_FAIL_USAGE for a bad argument, WEIR_FAIL_NOMEM.
 */
int weir_rules_add_flag(weir_rules *rs, const char *kind, const char *arg,
    char *err, size_t errsz);

/* Set threshold t from text like ">10", ">= 1%" or "!=0"; -1 if bad. */
int weir_rules_thr_parse(const char *s, weir_rule_thr *t);
/* 1 if the threshold holds for failed of checked. */
int weir_rules_thr_hit(const weir_rule_thr *t, uint64_t failed,
    uint64_t checked);

/* A flag rule's thresholds (either may be NULL): 0, or with err set
 * WEIR_FAIL_USAGE or WEIR_FAIL_NOMEM. */
int weir_rules_flag_thresholds(weir_rule *r, const char *warn_if,
    const char *error_if, char *err, size_t errsz);

const char *weir_rule_kind_name(int kind);
int weir_rule_kind_parse(const char *s);	/* -1 if unknown */
/* 1 for rules judged once per scope (count, freshness, avg, min, max,
 * sum), not per value. */
int weir_rule_is_aggregate(const weir_rule *r);
/* 1 for avg, min, max, sum. */
int weir_rule_is_stat(int kind);
/* Parse "99.9%" or "0.999" into a share 0..1; -1 when out of range. */
int weir_rules_share(const char *s, double *share);
/* Parse "A..B" (either side may be empty) into bounds; -1 if malformed. */
int weir_rules_bounds(const char *s, weir_rule *r);

#endif
