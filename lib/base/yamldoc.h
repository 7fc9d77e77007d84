/*
 * yamldoc.h - YAML configuration files (weir-run pipelines, weir-check
 * rules) loaded with libyaml, the line and column of every node kept, and
 * problems reported as "FILE:LINE:COL: message\n" lines.
 *
 * Loaders never stop at the first problem: each one is appended to a
 * caller's buffer and counted, so a user sees them all at once.
 */
#ifndef WEIR_YAMLDOC_H
#define WEIR_YAMLDOC_H

#include <yaml.h>

#include "util.h"

typedef struct weir_yaml {
	yaml_document_t doc;
	int loaded;		/* doc holds a document (free it) */
	const char *file;	/* the name in messages */
	weir_buf *out;		/* the problems, one line each */
	int ndiag;		/* how many */
	int oom;		/* memory ran out somewhere */
	size_t msgmax;		/* longest message text + 1 */
	size_t visits;		/* nodes visited with weir_yaml_node */
	size_t maxvisits;	/* bound on them, 0: none (aliases multiply) */
	struct weir_yaml_dpos *dp;	/* where each problem is, to sort */
	int ndp;
} weir_yaml;

/* Start reporting to out (which must outlive y) under the name file;
 * messages are cut at msgmax - 1 bytes, at most 1023. */
void weir_yaml_init(weir_yaml *y, const char *file, weir_buf *out,
    size_t msgmax);
/*
 * Load the first document of text.  0: loaded; 1: a YAML syntax error,
 * reported; -1: out of memory (nothing reported).
 */
int weir_yaml_load(weir_yaml *y, const char *text, size_t len);
/* Free the document and the bookkeeping (not out). */
void weir_yaml_free(weir_yaml *y);

/* A problem at node n (line 1, column 1 if n is NULL), its column moved
 * right by dcol; control characters in the message become '?'. */
void weir_yaml_diag(weir_yaml *y, const yaml_node_t *n, int dcol,
    const char *fmt, ...) __attribute__((format(printf, 4, 5)));
/* A problem at a line and column. */
void weir_yaml_diag_lc(weir_yaml *y, int line, int col, const char *fmt,
    ...) __attribute__((format(printf, 4, 5)));
/* Put the problems in file order (they are found in parse order); for a
 * buffer that held nothing before weir_yaml_init. */
void weir_yaml_sort(weir_yaml *y);

/* The root node, or NULL for an empty file. */
yaml_node_t *weir_yaml_root(weir_yaml *y);
/* Node id, counted against maxvisits: NULL when past it. */
yaml_node_t *weir_yaml_node(weir_yaml *y, int id);
/* The mapping m's value for key (its first occurrence), or NULL. */
yaml_node_t *weir_yaml_get(weir_yaml *y, const yaml_node_t *m,
    const char *key);

/* A scalar's text. */
const char *weir_yaml_str(const yaml_node_t *n);
/* 1 for a plain (unquoted) scalar. */
int weir_yaml_is_plain(const yaml_node_t *n);
/* 1 for a plain null: empty, ~, null, Null, NULL. */
int weir_yaml_is_null(const yaml_node_t *n);
/* "a string", "a list", "a mapping" or "nothing", for messages. */
const char *weir_yaml_kind(const yaml_node_t *n);
/* A node's line and column, from 1. */
int weir_yaml_line(const yaml_node_t *n);
int weir_yaml_col(const yaml_node_t *n);

/* The closest of words (NULL-terminated, at most n looked at) to s if it
 * is close enough to be a likely typo, else NULL. */
const char *weir_yaml_suggest(const char *s, const char *const *words,
    size_t n);
/*
 * Check a mapping's keys: all strings, none repeated, none outside
 * allowed (a NULL-terminated list; NULL: any key).  Returns 0 if m is a
 * mapping (even with bad keys), -1 otherwise; what names it in messages.
 */
int weir_yaml_check_keys(weir_yaml *y, const yaml_node_t *m,
    const char *what, const char *const *allowed);

#endif
