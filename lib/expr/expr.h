/*
 * expr.h - the weir expression language (man/weir-expr.7), shared by
 * weir-filter, weir-map and weir-check's `expr` rule.
 *
 *   .amount > 50 and .page == "/p/7"
 *   lower(.user) in ["ann", "bob"] or matches(.email, "@example\\.com$")
 *   .amount * 100
 *
 * An expression is compiled once (weir_expr_compile: parse, resolve paths
 * with lib/path.h, compile every matches() pattern with lib/re.h), then evaluated
 * against one record at a time with no allocation per record: values that
 * need new bytes (string(), lower(), "a" + "b", unescaped strings) go into
 * scratch blocks owned by the expression, reused from one evaluation to the
 * next.  A compiled expression is not thread-safe (one evaluation at a
 * time); the value an evaluation returns is valid until the next
 * evaluation of the same expression, or until the record's bytes move.
 *
 * Missing values (the rule, in full in weir-expr(7)): a path that does not
 * exist, or ts()/key() of a record without one, is MISSING (not null).
 * Any comparison (== != < <= > >= in) with a missing operand is false.
 * Arithmetic and functions given a missing argument give missing, except
 * exists(), is_null() and type(), which are made to ask about it.  In a
 * boolean context (and, or, not, weir-filter) missing, null and false are
 * false; every other value is true.
 */
#ifndef WEIR_EXPR_H
#define WEIR_EXPR_H

#include "frame.h"
#include "pack.h"
#include "record.h"

/* Value types an expression produces. */
enum {
	WEIR_XV_MISSING = 0,	/* no value (see the rule above) */
	WEIR_XV_NULL,
	WEIR_XV_BOOL,		/* b */
	WEIR_XV_NUM,		/* num; pv too when taken from the record */
	WEIR_XV_STR,		/* s, n: UTF-8 bytes, unescaped, not NUL-ended */
	WEIR_XV_ARRAY,		/* pv */
	WEIR_XV_OBJECT		/* pv */
};

typedef struct weir_xv {
	int type;		/* WEIR_XV_* */
	int b;			/* BOOL */
	double num;		/* NUM */
	const uint8_t *s;	/* STR */
	size_t n;
	weir_pv pv;		/* the packed value when the value is one of the
				 * record's own (pv.type != WEIR_PV_MISSING):
				 * lets callers copy it exactly (big integers,
				 * number text) with weir_pack_raw */
} weir_xv;

typedef struct weir_expr weir_expr;

/* What one evaluation looks at.  rec may be NULL (ts() and key() are then
 * missing); root is the record's value as packed JSON (type MISSING when
 * the value is null or not JSON: every path is then missing).  now_ms is
 * what now() returns; 0 means "read the clock at most once per
 * evaluation". */
/* A top-level member of root the caller has found already. */
typedef struct weir_expr_member {
	const char *key;
	size_t klen;
	const uint8_t *v;	/* the first member of that name's value in
				 * root's bytes, or NULL: root has none */
} weir_expr_member;

typedef struct weir_expr_ctx {
	const weir_record *rec;
	const weir_pv *root;
	int64_t now_ms;
	/* optional: paths whose first step names one of these start there
	 * instead of searching root (root must be an object) */
	const weir_expr_member *members;
	size_t nmembers;
} weir_expr_ctx;

/*
 * Compile src into *out: 0, or WEIR_FAIL_NOMEM ("out of memory"), or
 * WEIR_FAIL_USAGE for a bad expression, with a one-line message in err
 * ("column 9: expected an operand after 'and'") and the 1-based column of
 * the problem in *col (when col is not NULL).  *out is NULL on failure.
 */
int weir_expr_compile(weir_expr **out, const char *src, char *err,
    size_t errsz, int *col);
void weir_expr_free(weir_expr *e);
/* The source text it was compiled from. */
const char *weir_expr_text(const weir_expr *e);
/* 1 if evaluating it may read the record's value (it has a path), 0 if
 * it reads at most the record's time and key. */
int weir_expr_reads_value(const weir_expr *e);
/* The k-th path (from 0) that evaluating it may look up, or NULL past the
 * last: the parts of the value it may read. */
const weir_path *weir_expr_path(const weir_expr *e, size_t k);

/* Evaluate: fills *out (see weir_xv for lifetimes).  Returns 0,
 * WEIR_FAIL_NOMEM, or WEIR_FAIL_DATA when a matches() hit its regex match
 * limit (weir_expr_error says which pattern; the record is bad, for
 * --on-error); out is then MISSING. */
int weir_expr_eval(weir_expr *e, const weir_expr_ctx *ctx, weir_xv *out);

/* Evaluate as a condition: 1 true, 0 false (missing, null, false),
 * WEIR_FAIL_DATA when a matches() hit its regex match limit
 * (weir_expr_error), WEIR_FAIL_NOMEM. */
int weir_expr_test(weir_expr *e, const weir_expr_ctx *ctx);

/* Why the last evaluation failed ("" if it did not). */
const char *weir_expr_error(const weir_expr *e);

/* 1 if v is true in a boolean context. */
int weir_xv_truthy(const weir_xv *v);

/* Append v as packed JSON (the record's own bytes when v.pv is set;
 * integral numbers as integers).  MISSING appends nothing and returns 1;
 * 0 on success; -1 on ENOMEM or a string that is not UTF-8. */
/* The JSON text of v, an exact integer or decimal, into out as weir_xv_pack
 * then weir_pv_json_at would write it: 0, 1 when v is not one (nothing
 * written), or -1 out of memory. */
int weir_xv_json_num(weir_buf *out, const weir_xv *v);
int weir_xv_pack(weir_buf *out, const weir_xv *v);

/* Append v as text: a string's own characters, a number's shortest form,
 * true/false/null, containers as compact JSON.  MISSING appends nothing
 * and returns 1. */
int weir_xv_text(weir_buf *out, const weir_xv *v);

/* Name of v's type as type() returns it: "missing", "null", "boolean",
 * "number", "string", "array", "object". */
const char *weir_xv_type_name(const weir_xv *v);

/*
 * A two-line diagnostic for a compile error, to print under the message:
 *     .amount > > 5
 *               ^
 * (tabs in src are kept so the caret lines up).  Appends to out.
 */
int weir_expr_caret(weir_buf *out, const char *src, int col);

/*
 * The value an expression sees for a record: its JSON as packed JSON
 * (weir_record_json); a value that is bytes but not JSON (lines, raw,
 * Kafka payloads) is seen as a string if it is UTF-8, so '.' can be
 * matched like a line of text.  Null values and other bytes are MISSING.
 * scratch holds any parsed copy; it is reset by this call.  0, or
 * WEIR_FAIL_NOMEM (root is then MISSING).
 */
int weir_expr_root(const weir_record *r, weir_buf *scratch, weir_pv *root);

/*
 * Compile as weir_expr_compile, and for a bad expression append the whole
 * diagnostic to diag for a program to print: "column N: message\n" then
 * the caret lines (nothing for WEIR_FAIL_NOMEM).
 */
int weir_expr_compile_diag(weir_expr **out, const char *src,
    weir_buf *diag);

#endif
