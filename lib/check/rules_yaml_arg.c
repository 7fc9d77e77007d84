/*
 * rules_yaml_arg.c - a rule's argument in a weir-check YAML rules file:
 * bounds, accepted values, types, paths and lists of them, and the
 * mappings of the record rules (relationships, schema, avg/min/max/sum);
 * every problem reported at its node.
 */
#include "rules_yaml_impl.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>

#include "dur.h"

/* Number or null bounds from [LO, HI] or "LO..HI". */
static int
bounds_node(ctx *c, weir_rule *r, yaml_node_t *arg, int ints)
{
	const char *kn = weir_rule_kind_name(r->kind);
	yaml_node_t *lo, *hi;
	double v;

	if (arg->type == YAML_SCALAR_NODE && r->kind == WEIR_RULE_COUNT &&
	    is_num(arg, &v)) {
		if (v < 0 || v != floor(v)) {
			prob(c, arg, 0, "count: expected a whole number >= 0");
			return -1;
		}
		r->has_lo = r->has_hi = 1;
		r->lo = r->hi = v;
		return 0;
	}
	if (arg->type == YAML_SCALAR_NODE) {
		if (weir_rules_bounds(sval(arg), r) < 0) {
			prob(c, arg, 0, "%s: expected [LO, HI] or 'LO..HI' "
			    "with LO <= HI, got '%s'", kn, sval(arg));
			return -1;
		}
		return 0;
	}
	if (arg->type != YAML_SEQUENCE_NODE ||
	    arg->data.sequence.items.top - arg->data.sequence.items.start != 2) {
		prob(c, arg, 0, "%s: expected a list of two bounds [LO, HI] "
		    "(null for no bound)", kn);
		return -1;
	}
	lo = node(c, arg->data.sequence.items.start[0]);
	hi = node(c, arg->data.sequence.items.start[1]);
	if (!is_null(lo)) {
		if (!is_num(lo, &r->lo) || (ints && (r->lo < 0 ||
		    r->lo != floor(r->lo)))) {
			prob(c, lo, 0, "%s: lower bound must be %s or null", kn,
			    ints ? "a whole number >= 0" : "a number");
			return -1;
		}
		r->has_lo = 1;
	}
	if (!is_null(hi)) {
		if (!is_num(hi, &r->hi) || (ints && (r->hi < 0 ||
		    r->hi != floor(r->hi)))) {
			prob(c, hi, 0, "%s: upper bound must be %s or null", kn,
			    ints ? "a whole number >= 0" : "a number");
			return -1;
		}
		r->has_hi = 1;
	}
	if (!r->has_lo && !r->has_hi) {
		prob(c, arg, 0, "%s: give at least one bound", kn);
		return -1;
	}
	if (r->has_lo && r->has_hi && r->lo > r->hi) {
		prob(c, arg, 0, "%s: lower bound is above the upper bound", kn);
		return -1;
	}
	return 0;
}

static int
in_node(ctx *c, weir_rule *r, yaml_node_t *arg)
{
	yaml_node_item_t *it;
	int bad = 0;

	if (arg->type != YAML_SEQUENCE_NODE ||
	    arg->data.sequence.items.top == arg->data.sequence.items.start) {
		prob(c, arg, 0, "in: expected a non-empty list of accepted "
		    "values");
		return -1;
	}
	r->vals = calloc((size_t)(arg->data.sequence.items.top -
	    arg->data.sequence.items.start), sizeof(*r->vals));
	if (!r->vals) {
		c->y.oom = 1;
		return -1;
	}
	for (it = arg->data.sequence.items.start;
	    it < arg->data.sequence.items.top; it++) {
		yaml_node_t *v = node(c, *it);
		weir_rule_val *rv = &r->vals[r->nvals];
		int b;

		if (v->type != YAML_SCALAR_NODE) {
			prob(c, v, 0, "in: accepted values must be scalars, "
			    "not %s", node_what(v));
			bad = 1;
			continue;
		}
		if (is_null(v))
			rv->type = WEIR_RV_NULL;
		else if ((b = is_bool(v)) >= 0) {
			rv->type = WEIR_RV_BOOL;
			rv->b = b;
		} else if (is_num(v, &rv->num))
			rv->type = WEIR_RV_NUM;
		else {
			rv->type = WEIR_RV_STR;
			rv->n = v->data.scalar.length;
			rv->s = malloc(rv->n + 1);
			if (!rv->s) {
				c->y.oom = 1;
				return -1;
			}
			memcpy(rv->s, sval(v), rv->n + 1);
		}
		r->nvals++;
	}
	return bad ? -1 : 0;
}

/* Column offset of a scalar's text inside its node (past a quote). */
static int
scalar_dcol(const yaml_node_t *n)
{
	switch (n->data.scalar.style) {
	case YAML_SINGLE_QUOTED_SCALAR_STYLE:
	case YAML_DOUBLE_QUOTED_SCALAR_STYLE:
		return 1;
	default:
		return 0;
	}
}

/* A path, or a list of paths, into *v; with text, the list as written
 * ("[.a, .b]") goes to *text.  -1 after reporting. */
static int
paths_node(ctx *c, const char *what, yaml_node_t *n, weir_path **v,
    size_t *nv, char **text)
{
	char err[WEIR_ERRSZ];
	yaml_node_item_t *it;
	weir_buf b = {0};
	int bad = 0;

	if (n->type == YAML_SCALAR_NODE && !is_null(n)) {
		if (failed(c, weir__rules_paths_add(v, nv, sval(n), err,
		    sizeof(err)))) {
			prob(c, n, 0, "%s: %s", what, err);
			return -1;
		}
		if (text && !(*text = strdup(sval(n))))
			c->y.oom = 1;
		return 0;
	}
	if (n->type != YAML_SEQUENCE_NODE ||
	    n->data.sequence.items.top == n->data.sequence.items.start) {
		prob(c, n, 0, "%s: expected a path like .id or a list of them",
		    what);
		return -1;
	}
	for (it = n->data.sequence.items.start;
	    it < n->data.sequence.items.top; it++) {
		yaml_node_t *p = node(c, *it);
		if (p->type != YAML_SCALAR_NODE) {
			prob(c, p, 0, "%s: expected a path, not %s", what,
			    node_what(p));
			bad = 1;
		} else if (failed(c, weir__rules_paths_add(v, nv, sval(p), err,
		    sizeof(err)))) {
			prob(c, p, 0, "%s: %s", what, err);
			bad = 1;
		} else if (weir_buf_printf(&b, "%s%s", b.len ? ", " : "[",
		    sval(p)) < 0)
			c->y.oom = 1;
	}
	if (!bad && text) {
		if (weir_buf_puts(&b, "]") < 0 || weir_buf_putc(&b, 0) < 0)
			c->y.oom = 1;
		else {
			*text = (char *)b.p;
			return 0;
		}
	}
	weir_buf_free(&b);
	return bad ? -1 : 0;
}

/* The keys of a mapping argument: each must be one of names (a
 * space-separated list); -1 after reporting an unknown one. */
static int
arg_keys(ctx *c, const char *kn, yaml_node_t *arg, const char *names)
{
	yaml_node_pair_t *p;
	int bad = 0;

	for (p = arg->data.mapping.pairs.start; p < arg->data.mapping.pairs.top;
	    p++) {
		yaml_node_t *k = node(c, p->key);
		const char *s = k->type == YAML_SCALAR_NODE ? sval(k) : "";
		const char *f = *s ? strstr(names, s) : NULL;
		size_t l = strlen(s);
		if (!f || (f != names && f[-1] != ' ') || (f[l] && f[l] != ' ')) {
			prob(c, k, 0, "%s: unknown key '%s' (expected %s)", kn,
			    s, names);
			bad = 1;
		}
	}
	return bad ? -1 : 0;
}

/* The path of a record rule that reads a field: path: in its mapping. */
static int
arg_path(ctx *c, weir_rule *r, const char *kn, yaml_node_t *arg, int list)
{
	yaml_node_t *p = weir_yaml_get(&c->y, arg, "path");
	char err[WEIR_ERRSZ];

	if (r->field) {
		if (p) {
			prob(c, p, 0, "%s: path: is the field's own path under "
			    "fields:", kn);
			return -1;
		}
		return 0;
	}
	if (!p) {
		prob(c, arg, 0, "%s: give the field as path:", kn);
		return -1;
	}
	if (list && p->type == YAML_SEQUENCE_NODE)
		return paths_node(c, kn, p, &r->paths, &r->npaths, &r->field);
	if (p->type != YAML_SCALAR_NODE || is_null(p)) {
		prob(c, p, 0, "%s: path: expected a path like .id", kn);
		return -1;
	}
	if (!(r->field = strdup(sval(p)))) {
		c->y.oom = 1;
		return -1;
	}
	if (failed(c, weir__rules_path(&r->path, r->field, err,
	    sizeof(err)))) {
		prob(c, p, 0, "%s: %s", kn, err);
		return -1;
	}
	return 0;
}

/* avg/min/max/sum: [LO, HI], "LO..HI", or {path:, min:, max:}. */
static int
stat_node(ctx *c, weir_rule *r, yaml_node_t *arg)
{
	const char *kn = weir_rule_kind_name(r->kind);
	yaml_node_t *lo, *hi;

	if (arg->type != YAML_MAPPING_NODE) {
		if (!r->field) {
			prob(c, arg, 0, "%s: expected {path: .x, min: LO, max: "
			    "HI}", kn);
			return -1;
		}
		return bounds_node(c, r, arg, 0);
	}
	if (arg_keys(c, kn, arg, "path min max") < 0 ||
	    arg_path(c, r, kn, arg, 0) < 0)
		return -1;
	lo = weir_yaml_get(&c->y, arg, "min");
	hi = weir_yaml_get(&c->y, arg, "max");
	if ((lo && !is_null(lo) && !is_num(lo, &r->lo)) ||
	    (hi && !is_null(hi) && !is_num(hi, &r->hi))) {
		prob(c, lo && !is_num(lo, &r->lo) ? lo : hi, 0, "%s: min and "
		    "max must be numbers", kn);
		return -1;
	}
	r->has_lo = lo && !is_null(lo);
	r->has_hi = hi && !is_null(hi);
	if (!r->has_lo && !r->has_hi) {
		prob(c, arg, 0, "%s: give min:, max: or both", kn);
		return -1;
	}
	if (r->has_lo && r->has_hi && r->lo > r->hi) {
		prob(c, arg, 0, "%s: min is above max", kn);
		return -1;
	}
	return 0;
}

/* relationships: {path: .user, to: FILE, field: .id} */
static int
ref_node(ctx *c, weir_rule *r, yaml_node_t *arg)
{
	const char *kn = "relationships";
	yaml_node_t *to, *f;

	if (arg->type != YAML_MAPPING_NODE) {
		prob(c, arg, 0, "relationships: expected {%sto: FILE, field: "
		    ".id}", r->field ? "" : "path: .x, ");
		return -1;
	}
	if (arg_keys(c, kn, arg, "path to field") < 0 ||
	    arg_path(c, r, kn, arg, 1) < 0)
		return -1;
	to = weir_yaml_get(&c->y, arg, "to");
	if (!to || to->type != YAML_SCALAR_NODE || is_null(to) || !*sval(to)) {
		prob(c, to ? to : arg, 0, "relationships: to: expected the "
		    "reference table's file");
		return -1;
	}
	if (!(r->ref_file = strdup(sval(to)))) {
		c->y.oom = 1;
		return -1;
	}
	if (!(f = weir_yaml_get(&c->y, arg, "field"))) {
		/* the same path (or list) on both sides */
		char err[WEIR_ERRSZ];
		if (!(r->ref_field = strdup(r->field))) {
			c->y.oom = 1;
			return -1;
		}
		if (failed(c, weir__rules_path_list(r->ref_field,
		    &r->ref_paths, &r->nref_paths, err, sizeof(err)))) {
			prob(c, arg, 0, "relationships: %s", err);
			return -1;
		}
	} else if (paths_node(c, "relationships: field", f, &r->ref_paths,
	    &r->nref_paths, &r->ref_field) < 0)
		return -1;
	if (r->nref_paths != (r->npaths ? r->npaths : 1)) {
		prob(c, f ? f : arg, 0, "relationships: field: gives %zu "
		    "path%s for %zu", r->nref_paths, r->nref_paths == 1 ? "" :
		    "s", r->npaths ? r->npaths : 1);
		return -1;
	}
	return 0;
}

/* schema: {required: [.a, .b], allowed: [.a, .b, .c]} */
static int
schema_node(ctx *c, weir_rule *r, yaml_node_t *arg)
{
	yaml_node_t *req, *al;
	char err[WEIR_ERRSZ];

	if (arg->type != YAML_MAPPING_NODE) {
		prob(c, arg, 0, "schema: expected {required: [...], allowed: "
		    "[...]}");
		return -1;
	}
	if (arg_keys(c, "schema", arg, "required allowed") < 0)
		return -1;
	req = weir_yaml_get(&c->y, arg, "required");
	al = weir_yaml_get(&c->y, arg, "allowed");
	if (!req && !al) {
		prob(c, arg, 0, "schema: give required:, allowed: or both");
		return -1;
	}
	if (req && paths_node(c, "schema: required", req, &r->paths,
	    &r->npaths, NULL) < 0)
		return -1;
	if (al && paths_node(c, "schema: allowed", al, &r->allowed,
	    &r->nallowed, NULL) < 0)
		return -1;
	if (weir__rules_schema_allowed(r, err, sizeof(err)) < 0) {
		prob(c, al, 0, "schema: %s", err);
		return -1;
	}
	return 0;
}

int
weir__rules_yaml_arg(ctx *c, weir_rule *r, yaml_node_t *arg)
{
	const char *kn = weir_rule_kind_name(r->kind);
	char err[WEIR_ERRSZ];
	yaml_node_item_t *it;
	int col, b;

	switch (r->kind) {
	case WEIR_RULE_UNIQUE:
		if (r->field)
			goto noarg;
		/* a record rule: the composite key's paths */
		if (arg->type != YAML_SEQUENCE_NODE) {
			prob(c, arg, 0, "unique: under records: expected a list "
			    "of paths [.a, .b] (a composite key)");
			return -1;
		}
		return paths_node(c, "unique", arg, &r->paths, &r->npaths,
		    &r->field);
	case WEIR_RULE_RELATIONSHIPS:
		return ref_node(c, r, arg);
	case WEIR_RULE_SCHEMA:
		return schema_node(c, r, arg);
	case WEIR_RULE_AVG:
	case WEIR_RULE_MIN:
	case WEIR_RULE_MAX:
	case WEIR_RULE_SUM:
		return stat_node(c, r, arg);
	case WEIR_RULE_NOT_NULL:
	noarg:
		if (!is_null(arg) && is_bool(arg) != 1) {
			prob(c, arg, 0, "%s takes no argument (write it as a "
			    "bare name, or %s: true)", kn, kn);
			return -1;
		}
		return 0;
	case WEIR_RULE_IN:
		return in_node(c, r, arg);
	case WEIR_RULE_RANGE:
		return bounds_node(c, r, arg, 0);
	case WEIR_RULE_COUNT:
		return bounds_node(c, r, arg, 1);
	case WEIR_RULE_TYPE:
		if (arg->type == YAML_SCALAR_NODE) {
			if (weir__rules_types(sval(arg),
			    arg->data.scalar.length,
			    &r->types) < 0)
				goto badtype;
			return 0;
		}
		if (arg->type != YAML_SEQUENCE_NODE ||
		    arg->data.sequence.items.top ==
		    arg->data.sequence.items.start) {
			prob(c, arg, 0, "type: expected a type name or a list "
			    "of them");
			return -1;
		}
		for (it = arg->data.sequence.items.start;
		    it < arg->data.sequence.items.top; it++) {
			yaml_node_t *t = node(c, *it);
			if (t->type != YAML_SCALAR_NODE ||
			    weir__rules_types(sval(t), t->data.scalar.length,
			    &r->types) < 0) {
				arg = t;
				goto badtype;
			}
		}
		return 0;
	badtype:
		prob(c, arg, 0, "type: unknown type %s%s%s (expected null, "
		    "boolean, number, integer, string, array or object)",
		    arg->type == YAML_SCALAR_NODE ? "'" : "",
		    arg->type == YAML_SCALAR_NODE ? sval(arg) : node_what(arg),
		    arg->type == YAML_SCALAR_NODE ? "'" : "");
		return -1;
	default:
		break;
	}
	/* the rest take one string */
	if (arg->type != YAML_SCALAR_NODE || is_null(arg)) {
		prob(c, arg, 0, "%s: expected %s", kn,
		    r->kind == WEIR_RULE_FRESHNESS ? "a duration like 15m" :
		    r->kind == WEIR_RULE_REGEX ? "a regular expression" :
		    "an expression");
		return -1;
	}
	switch (r->kind) {
	case WEIR_RULE_REGEX:
		if (failed(c, weir__rule_regex(r, sval(arg), err,
		    sizeof(err)))) {
			prob(c, arg, 0, "%s", err);
			return -1;
		}
		return 0;
	case WEIR_RULE_FRESHNESS:
		if (weir_dur_parse(sval(arg), &r->max_age, err,
		    sizeof(err)) < 0 || r->max_age <= 0) {
			prob(c, arg, 0, "freshness: expected a duration like "
			    "15m, got '%s'", sval(arg));
			return -1;
		}
		return 0;
	case WEIR_RULE_EXPR:
		if (failed(c, weir__rule_expr(r, sval(arg), err, sizeof(err),
		    &col))) {
			b = col > 0 && !strchr(sval(arg), '\n') ? col - 1 : 0;
			prob(c, arg, scalar_dcol(arg) + b, "expr: %s", err);
			return -1;
		}
		return 0;
	default:
		return 0;
	}
}
