/*
 * expr_int.h - internals shared by the modules of the expression language:
 * expr.c (public API, compile driver), expr_lex.c (lexer), expr_parse.c
 * (parser: the node tree), expr_value.c (value semantics, scratch),
 * expr_eval.c (evaluation) and expr_fn.c (built-in functions).
 * Not part of the public API (expr.h).
 */
#ifndef WEIR_EXPR_INT_H
#define WEIR_EXPR_INT_H


#include "expr.h"
#include "path.h"
#include "re.h"

#define MAX_DEPTH 1000		/* tree depth (evaluation recursion) */
#define MAX_NEST 256		/* parentheses and prefix operators */
#define MAX_NODES 100000

enum {
	N_LIT, N_PATH, N_NEG, N_NOT, N_AND, N_OR,
	N_ADD, N_SUB, N_MUL, N_DIV, N_MOD,
	N_EQ, N_NE, N_LT, N_LE, N_GT, N_GE,	/* keep this order: cmp ops */
	N_IN, N_INVAL, N_CALL,
	N_PCMP_NUM,		/* path OP number literal */
	N_PCMP_STR		/* path ==/!= string literal */
};

enum {
	F_EXISTS, F_IS_NULL, F_TYPE, F_LEN, F_LOWER, F_UPPER, F_CONTAINS,
	F_STARTS_WITH, F_ENDS_WITH, F_MATCHES, F_NUMBER, F_STRING, F_NOW,
	F_TS, F_KEY,
	F_IF, F_HOUR, F_COUNT_SUBSTR, F_REGEXP_EXTRACT, F_SPLIT_INDEX	/* expr_fn_more.c */
};

#define EXPR_MAXARGS 16	/* the most arguments a call takes */

struct expr_fn {
	const char *name;
	int id, min, max;
};
extern const struct expr_fn weir__expr_fns[];	/* ends with name NULL */

typedef struct node {
	int op;
	int cmp;		/* PCMP_*: the comparison (N_EQ...) */
	int fn;			/* CALL */
	int a, b;		/* children; -1 if none */
	int arg0, nargs;	/* CALL, IN: indices into e->args */
	int depth;
	weir_path path;		/* PATH, PCMP_* */
	weir_xv lit;		/* LIT, PCMP_* */
	weir_re *re;		/* CALL matches, regexp_extract */
} node;

typedef struct block {
	uint8_t *p;
	size_t cap;
} block;

struct weir_expr {
	char *src;
	node *nodes;
	int nnodes, capnodes;
	int *args;
	int nargs, capargs;
	int root;
	/* scratch */
	block *blocks;
	int nblocks, cur;
	size_t used;
	weir_buf tmp;
	int64_t now;
	int oom;
	int failed;		/* a matches() hit a limit: errmsg says */
	char errmsg[WEIR_ERRSZ];
};

/* ---------- values (the small setters are inline: hot path) ---------- */

static inline void
expr_set_missing(weir_xv *v)
{
	v->type = WEIR_XV_MISSING;
	v->pv.type = WEIR_PV_MISSING;
}

static inline void
expr_set_bool(weir_xv *v, int b)
{
	v->type = WEIR_XV_BOOL;
	v->b = b != 0;
	v->pv.type = WEIR_PV_MISSING;
}

static inline void
expr_set_num(weir_xv *v, double d)
{
	v->type = WEIR_XV_NUM;
	v->num = d;
	v->pv.type = WEIR_PV_MISSING;
}

static inline void
expr_set_str(weir_xv *v, const uint8_t *s, size_t n)
{
	v->type = WEIR_XV_STR;
	v->s = s;
	v->n = n;
	v->pv.type = WEIR_PV_MISSING;
}

/* Apply comparison op to an ordering result c (<0, 0, >0). */
static inline int
expr_cmp_result(int op, int c)
{
	switch (op) {
	case N_EQ: return c == 0;
	case N_NE: return c != 0;
	case N_LT: return c < 0;
	case N_LE: return c <= 0;
	case N_GT: return c > 0;
	default: return c >= 0;
	}
}

static inline int
expr_num_cmp(int op, double a, double b)
{
	switch (op) {
	case N_EQ: return a == b;
	case N_NE: return a != b;
	case N_LT: return a < b;
	case N_LE: return a <= b;
	case N_GT: return a > b;
	default: return a >= b;
	}
}

/* ---------- lexer (expr_lex.c) ---------- */

enum {
	T_EOF, T_NUM, T_STR, T_PATH, T_IDENT, T_LP, T_RP, T_LB, T_RB, T_COMMA,
	T_EQ, T_NE, T_LT, T_LE, T_GT, T_GE, T_PLUS, T_MINUS, T_STAR, T_SLASH,
	T_PCT, T_BAD
};

typedef struct parser {
	weir_expr *e;
	const char *s;
	size_t pos;		/* next unread byte */
	int tok;
	size_t tpos, tlen;	/* the current token */
	char *err;
	size_t errsz;
	size_t errpos;
	int failed;
	int oom;		/* failed for want of memory */
	int depth;
} parser;

int weir__expr_fail(parser *p, size_t at, const char *fmt, const char *arg);
int weir__expr_nomem(parser *p, size_t at);	/* "out of memory" */
void weir__expr_next(parser *p);
int weir__expr_is_word(const parser *p, const char *w);
int weir__expr_unexpected(parser *p, const char *what);

/* ---------- parser (expr_parse.c) ---------- */

int weir__expr_parse_or(parser *p);

/* ---------- value semantics (expr_value.c) ---------- */

uint8_t *weir__expr_scratch(weir_expr *e, size_t n);
void weir__expr_set_tmp_str(weir_expr *e, weir_xv *v);
void weir__expr_from_pv(weir_expr *e, const weir_pv *pv, weir_xv *v);
int weir__expr_exact(const weir_xv *v, int64_t *m, int *sc);
int weir__expr_pv_num_cmp(int op, const weir_pv *pv, const weir_xv *lit);
void weir__expr_number(weir_expr *e, const weir_xv *a, weir_xv *out);
void weir__expr_set_exact(weir_xv *v, int64_t m, int sc);
int weir__expr_xv_eq(const weir_xv *a, const weir_xv *b);
int weir__expr_compare(int op, const weir_xv *a, const weir_xv *b);
void weir__expr_arith(weir_expr *e, int op, const weir_xv *a, const weir_xv *b,
    weir_xv *out);

/* ---------- evaluation (expr_eval.c) ---------- */

void weir__expr_eval(weir_expr *e, int i, const weir_expr_ctx *c, weir_xv *out);

/* ---------- built-in functions (expr_fn.c) ---------- */

int weir__expr_contains_elem(weir_expr *e, const weir_xv *arr,
    const weir_xv *x);
/* A builtin applied to its arguments' values av[0..n->nargs-1] (the
 * evaluator evaluates them; av has EXPR_MAXARGS slots, the unused ones
 * missing), as jq's builtins receive values.  c gives what a builtin may
 * read besides its arguments: the record's time and key, the clock. */
void weir__expr_fn_call(weir_expr *e, const node *n, const weir_xv *av,
    const weir_expr_ctx *c, weir_xv *out);
/* expr_fn_more.c: the functions F_HOUR to F_SPLIT_INDEX (if() is lazy:
 * the evaluator runs it, evaluating only the branch taken) */
void weir__expr_fn_more(weir_expr *e, const node *n, const weir_xv *av,
    weir_xv *out);

#endif
