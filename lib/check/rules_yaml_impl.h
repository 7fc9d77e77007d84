/*
 * rules_yaml_impl.h - what the parts of the YAML rules file reader share
 * (private to lib/check/rules_yaml*.c):
 *   rules_yaml.c      the document: suite, fields, records, rule items
 *                     and their modifiers;
 *   rules_yaml_arg.c  a rule's argument (bounds, accepted values, paths,
 *                     the record rules' mappings).
 */
#ifndef WEIR_RULES_YAML_IMPL_H
#define WEIR_RULES_YAML_IMPL_H

#include "rules_impl.h"
#include "yamldoc.h"

typedef struct ctx {
	weir_rules *rs;
	weir_yaml y;		/* the document, and the problems found */
} ctx;

/* A problem at node n (column moved right by dcol). */
#define prob(c, n, dcol, ...) \
	weir_yaml_diag(&(c)->y, (n), (dcol), __VA_ARGS__)

/* 1 when a rules.c helper returned a failure (out of memory is noted:
 * the file is then not judged), 0 on success. */
static inline int
failed(ctx *c, int rc)
{
	if (rc == WEIR_FAIL_NOMEM)
		c->y.oom = 1;
	return rc < 0;
}

static inline const char *
sval(const yaml_node_t *n)
{
	return weir_yaml_str(n);
}

static inline int
is_plain(const yaml_node_t *n)
{
	return weir_yaml_is_plain(n);
}

static inline int
is_null(const yaml_node_t *n)
{
	return weir_yaml_is_null(n);
}

/* 1 true, 0 false, -1 not a boolean */
static inline int
is_bool(const yaml_node_t *n)
{
	const char *s;

	if (!is_plain(n))
		return -1;
	s = sval(n);
	if (!strcmp(s, "true") || !strcmp(s, "True") || !strcmp(s, "TRUE"))
		return 1;
	if (!strcmp(s, "false") || !strcmp(s, "False") || !strcmp(s, "FALSE"))
		return 0;
	return -1;
}

static inline int
is_num(const yaml_node_t *n, double *v)
{
	if (!is_plain(n))
		return 0;
	return weir__rules_num(sval(n), n->data.scalar.length, v) == 0;
}

static inline const char *
node_what(const yaml_node_t *n)
{
	switch (n->type) {
	case YAML_MAPPING_NODE:
		return "a mapping";
	case YAML_SEQUENCE_NODE:
		return "a list";
	default:
		return "a scalar";
	}
}

static inline yaml_node_t *
node(ctx *c, int id)
{
	return weir_yaml_node(&c->y, id);
}

/* Rule r's argument node arg, into r; -1 after reporting a problem (or
 * noting that memory ran out). */
int weir__rules_yaml_arg(ctx *c, weir_rule *r, yaml_node_t *arg);

#endif
