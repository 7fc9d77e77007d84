/*
 * rules_impl.h - what the parts of weir-check's rules share (private to
 * lib/rules*.c):
 *   rules.c        the model, numbers, bounds, types, ids, descriptions;
 *   rules_yaml.c   the YAML rules file (with rules_yaml_arg.c, sharing
 *                  rules_yaml_impl.h);
 *   rules_flags.c  one rule from a command-line flag.
 */
#ifndef WEIR_RULES_IMPL_H
#define WEIR_RULES_IMPL_H

#include "rules.h"

/* A new rule of kind at the end of rs (defaults set), or NULL. */
weir_rule *weir__rules_push(weir_rules *rs, int kind);
/* Free what rule r holds (not r). */
void weir__rule_clear(weir_rule *r);
/* A number, all of s (n bytes); 0 on success. */
int weir__rules_num(const char *s, size_t n, double *v);
/* Add type name s (n bytes) to *bits; -1 if unknown. */
int weir__rules_types(const char *s, size_t n, unsigned *bits);
/*
 * The functions below that take err return 0, or a WEIR_FAIL_* kind with a
 * message: WEIR_FAIL_USAGE for a bad rule, WEIR_FAIL_NOMEM.
 */
/* Set r->text, a human description of the rule's parameters (0 or
 * WEIR_FAIL_NOMEM). */
int weir__rule_describe(weir_rule *r);
/* Give every rule from index from on without one an id, unique (0 or
 * WEIR_FAIL_NOMEM). */
int weir__rules_ids(weir_rules *rs, size_t from);
/* Parse a field path s as weir-filter would (bare keys of letters,
 * digits, _ $ @ only); "bad field path ..." in err. */
int weir__rules_path(weir_path *p, const char *s, char *err, size_t errsz);
/* Append path s to the list *v (*n long). */
int weir__rules_paths_add(weir_path **v, size_t *n, const char *s, char *err,
    size_t errsz);
/* A path, or a list "[.a, .b]" (a comma in a quoted key is the key's),
 * appended to *v. */
int weir__rules_path_list(const char *s, weir_path **v, size_t *n, char *err,
    size_t errsz);
/* A schema rule's allowed list holds top-level fields only. */
int weir__rules_schema_allowed(const weir_rule *r, char *err, size_t errsz);
/* The regex rule's pattern, compiled. */
int weir__rule_regex(weir_rule *r, const char *pat, char *err, size_t errsz);
/* The expr rule's expression, compiled; *col the column of a problem in
 * src (0: unknown). */
int weir__rule_expr(weir_rule *r, const char *src, char *err, size_t errsz,
    int *col);

#endif
