/*
 * rules_yaml.c - weir-check's YAML rules files: rules keyed by field
 * (fields:) and record rules (records:), each kept with its line and
 * column; every problem found is reported, in the file's own terms.
 */
#include "rules_impl.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>

#include "dur.h"
#include "yamldoc.h"

static int
kind_needs_field(int kind)
{
	return kind == WEIR_RULE_NOT_NULL || kind == WEIR_RULE_IN ||
	    kind == WEIR_RULE_RANGE || kind == WEIR_RULE_REGEX ||
	    kind == WEIR_RULE_TYPE;
}

static int
kind_allows_field(int kind)
{
	return kind != WEIR_RULE_COUNT && kind != WEIR_RULE_EXPR &&
	    kind != WEIR_RULE_SCHEMA;
}

#define RULE_NAMES "not_null, unique, in, range, regex, type, freshness, " \
	"count, expr, relationships, schema, avg, min, max or sum"

typedef struct ctx {
	weir_rules *rs;
	weir_yaml y;		/* the document, and the problems found */
} ctx;

/* A problem at node n (column moved right by dcol). */
#define prob(c, n, dcol, ...) \
	weir_yaml_diag(&(c)->y, (n), (dcol), __VA_ARGS__)

/* 1 when a rules.c helper returned a failure (out of memory is noted:
 * the file is then not judged), 0 on success. */
static int
failed(ctx *c, int rc)
{
	if (rc == WEIR_FAIL_NOMEM)
		c->y.oom = 1;
	return rc < 0;
}

static const char *
sval(const yaml_node_t *n)
{
	return weir_yaml_str(n);
}

static int
is_plain(const yaml_node_t *n)
{
	return weir_yaml_is_plain(n);
}

static int
is_null(const yaml_node_t *n)
{
	return weir_yaml_is_null(n);
}

/* 1 true, 0 false, -1 not a boolean */
static int
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

static int
is_num(const yaml_node_t *n, double *v)
{
	if (!is_plain(n))
		return 0;
	return weir__rules_num(sval(n), n->data.scalar.length, v) == 0;
}

static const char *
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

static yaml_node_t *
node(ctx *c, int id)
{
	return weir_yaml_node(&c->y, id);
}

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

static yaml_node_t *
arg_get(ctx *c, yaml_node_t *arg, const char *key)
{
	yaml_node_pair_t *p;

	for (p = arg->data.mapping.pairs.start; p < arg->data.mapping.pairs.top;
	    p++) {
		yaml_node_t *k = node(c, p->key);
		if (k->type == YAML_SCALAR_NODE && !strcmp(sval(k), key))
			return node(c, p->value);
	}
	return NULL;
}

/* The path of a record rule that reads a field: path: in its mapping. */
static int
arg_path(ctx *c, weir_rule *r, const char *kn, yaml_node_t *arg, int list)
{
	yaml_node_t *p = arg_get(c, arg, "path");
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
	lo = arg_get(c, arg, "min");
	hi = arg_get(c, arg, "max");
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
	to = arg_get(c, arg, "to");
	if (!to || to->type != YAML_SCALAR_NODE || is_null(to) || !*sval(to)) {
		prob(c, to ? to : arg, 0, "relationships: to: expected the "
		    "reference table's file");
		return -1;
	}
	if (!(r->ref_file = strdup(sval(to)))) {
		c->y.oom = 1;
		return -1;
	}
	if (!(f = arg_get(c, arg, "field"))) {
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
	req = arg_get(c, arg, "required");
	al = arg_get(c, arg, "allowed");
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

static int
arg_node(ctx *c, weir_rule *r, yaml_node_t *arg)
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

static int
id_taken(const weir_rules *rs, const char *id)
{
	size_t i;

	for (i = 0; i < rs->n; i++)
		if (rs->v[i].id && strcmp(rs->v[i].id, id) == 0)
			return 1;
	return 0;
}

/* Modifiers of a rule item. */
static void
modifier(ctx *c, weir_rule *r, const char *key, yaml_node_t *k,
    yaml_node_t *v)
{
	int b;

	if (strcmp(key, "mostly") == 0) {
		if (v->type != YAML_SCALAR_NODE ||
		    weir_rules_share(sval(v), &r->mostly) < 0)
			prob(c, v, 0, "mostly: expected a share like 99.9%% "
			    "or 0.999");
		else if (r->mostly < 1 && (r->warn_if.set || r->error_if.set))
			prob(c, k, 0, "mostly: give either mostly or warn_if/"
			    "error_if, not both");
	} else if (strcmp(key, "severity") == 0) {
		if (v->type == YAML_SCALAR_NODE && !strcmp(sval(v), "error"))
			r->severity = WEIR_SEV_ERROR;
		else if (v->type == YAML_SCALAR_NODE &&
		    (!strcmp(sval(v), "warn") || !strcmp(sval(v), "warning")))
			r->severity = WEIR_SEV_WARN;
		else
			prob(c, v, 0, "severity: expected error or warn");
	} else if (strcmp(key, "id") == 0) {
		if (v->type != YAML_SCALAR_NODE || !*sval(v) || is_null(v))
			prob(c, v, 0, "id: expected a name");
		else if (id_taken(c->rs, sval(v)))
			prob(c, v, 0, "id: '%s' is already used by another "
			    "rule", sval(v));
		else {
			free(r->id);
			if (!(r->id = strdup(sval(v))))
				c->y.oom = 1;
		}
	} else if (strcmp(key, "approx") == 0) {
		if (r->kind != WEIR_RULE_UNIQUE)
			prob(c, k, 0, "approx: only the unique rule takes it");
		else if ((b = is_bool(v)) < 0)
			prob(c, v, 0, "approx: expected true or false");
		else
			r->approx = b;
	} else if (strcmp(key, "warn_if") == 0 || strcmp(key, "error_if") == 0) {
		weir_rule_thr *t = key[0] == 'w' ? &r->warn_if : &r->error_if;
		if (v->type != YAML_SCALAR_NODE ||
		    weir_rules_thr_parse(sval(v), t) < 0)
			prob(c, v, 0, "%s: expected a condition on the failures "
			    "like '>10', '>=1%%' or '!=0'", key);
		else if (r->mostly < 1)
			prob(c, k, 0, "%s: give either mostly or warn_if/"
			    "error_if, not both", key);
	} else if (strcmp(key, "allow_missing") == 0) {
		if (!r->field)
			prob(c, k, 0, "allow_missing: only a rule on a field "
			    "takes it");
		else if ((b = is_bool(v)) < 0)
			prob(c, v, 0, "allow_missing: expected true or false");
		else
			r->allow_missing = b;
	} else if (strcmp(key, "unit") == 0) {
		int f = v->type == YAML_SCALAR_NODE ?
		    weir_timefmt_parse(sval(v)) : -1;
		if (r->kind != WEIR_RULE_FRESHNESS)
			prob(c, k, 0, "unit: only the freshness rule takes it");
		else if (f < 0 || f == WEIR_TIME_ISO8601)
			prob(c, v, 0, "unit: expected ms, s or us (ISO 8601 "
			    "strings are recognised by themselves)");
		else
			r->timefmt = f;
	} else
		prob(c, k, 0, "unknown key '%s' (a rule: not_null, unique, "
		    "in, range, regex, type, freshness, count, expr, "
		    "relationships, schema, avg, min, max, sum; or a "
		    "modifier: mostly, severity, id, approx, unit, allow_missing, "
		    "warn_if, error_if)", key);
}

static int
is_modifier(const char *s)
{
	return !strcmp(s, "mostly") || !strcmp(s, "severity") ||
	    !strcmp(s, "id") || !strcmp(s, "approx") || !strcmp(s, "unit") ||
	    !strcmp(s, "allow_missing") || !strcmp(s, "warn_if") ||
	    !strcmp(s, "error_if");
}

static void
rule_item(ctx *c, yaml_node_t *item, const char *field, yaml_node_t *fnode)
{
	yaml_node_t *kn = NULL, *arg = NULL;
	yaml_node_pair_t *p, *q;
	weir_rule *r;
	char err[WEIR_ERRSZ];
	int kind = -1, bad = 0;

	if (item->type == YAML_SCALAR_NODE) {
		kind = weir_rule_kind_parse(sval(item));
		kn = item;
		if (kind < 0) {
			prob(c, item, 0, "unknown rule '%s' (expected "
			    RULE_NAMES ")", sval(item));
			return;
		}
		if (kind != WEIR_RULE_NOT_NULL && (kind != WEIR_RULE_UNIQUE ||
		    !field)) {
			prob(c, item, 0, "%s needs an argument: {%s: ...}",
			    sval(item), sval(item));
			return;
		}
	} else if (item->type == YAML_MAPPING_NODE) {
		for (p = item->data.mapping.pairs.start;
		    p < item->data.mapping.pairs.top; p++) {
			yaml_node_t *k = node(c, p->key);
			int kk;
			if (k->type != YAML_SCALAR_NODE) {
				prob(c, k, 0, "expected a rule name or modifier "
				    "as key, not %s", node_what(k));
				bad = 1;
				continue;
			}
			for (q = item->data.mapping.pairs.start; q < p; q++) {
				yaml_node_t *k2 = node(c, q->key);
				if (k2->type == YAML_SCALAR_NODE &&
				    !strcmp(sval(k2), sval(k))) {
					prob(c, k, 0, "duplicate key '%s'",
					    sval(k));
					bad = 1;
				}
			}
			if (is_modifier(sval(k)))
				continue;
			kk = weir_rule_kind_parse(sval(k));
			if (kk < 0) {
				modifier(c, NULL, sval(k), k, node(c, p->value));
				bad = 1;
			} else if (kind >= 0) {
				prob(c, k, 0, "two rules in one item ('%s' and "
				    "'%s'): give each its own item",
				    weir_rule_kind_name(kind), sval(k));
				bad = 1;
			} else {
				kind = kk;
				kn = k;
				arg = node(c, p->value);
			}
		}
		if (kind < 0 && !bad) {
			prob(c, item, 0, "no rule in this item (expected one of "
			    RULE_NAMES ")");
			return;
		}
		if (kind < 0)
			return;
	} else {
		prob(c, item, 0, "expected a rule name or {rule: argument}, "
		    "not %s", node_what(item));
		return;
	}
	if (field && !kind_allows_field(kind)) {
		prob(c, kn, 0, "'%s' is a record rule: put it under records:, "
		    "not under a field", weir_rule_kind_name(kind));
		return;
	}
	if (!field && kind_needs_field(kind)) {
		prob(c, kn, 0, "'%s' checks a field: put it under fields:",
		    weir_rule_kind_name(kind));
		return;
	}
	if (!(r = weir__rules_push(c->rs, kind))) {
		c->y.oom = 1;
		return;
	}
	r->line = (int)kn->start_mark.line + 1;
	r->col = (int)kn->start_mark.column + 1;
	if (field) {
		if (!(r->field = strdup(field)) ||
		    weir_path_parse(&r->path, field, err, sizeof(err)) < 0) {
			/* reported once by the caller */
			(void)fnode;
		}
	}
	if (arg && arg_node(c, r, arg) < 0)
		bad = 1;
	else if (!arg && item->type == YAML_MAPPING_NODE)
		bad = 1;
	if (item->type == YAML_MAPPING_NODE) {
		for (p = item->data.mapping.pairs.start;
		    p < item->data.mapping.pairs.top; p++) {
			yaml_node_t *k = node(c, p->key);
			if (k->type == YAML_SCALAR_NODE && is_modifier(sval(k)))
				modifier(c, r, sval(k), k, node(c, p->value));
		}
	}
	if (!bad && weir__rule_describe(r) < 0)
		c->y.oom = 1;
}

static void
rule_list(ctx *c, yaml_node_t *list, const char *field, yaml_node_t *fnode)
{
	yaml_node_item_t *it;

	if (list->type != YAML_SEQUENCE_NODE) {
		if (field && list->type != YAML_SEQUENCE_NODE && !is_null(list)) {
			rule_item(c, list, field, fnode);
			return;
		}
		prob(c, list, 0, "expected a list of rules");
		return;
	}
	for (it = list->data.sequence.items.start;
	    it < list->data.sequence.items.top; it++)
		rule_item(c, node(c, *it), field, fnode);
}

static void
fields_node(ctx *c, yaml_node_t *m)
{
	yaml_node_pair_t *p, *q;
	char err[WEIR_ERRSZ];

	if (m->type != YAML_MAPPING_NODE) {
		prob(c, m, 0, "fields: expected a mapping of field paths to "
		    "lists of rules");
		return;
	}
	for (p = m->data.mapping.pairs.start; p < m->data.mapping.pairs.top;
	    p++) {
		yaml_node_t *k = node(c, p->key), *v = node(c, p->value);
		weir_path path;
		int dup = 0;

		if (k->type != YAML_SCALAR_NODE) {
			prob(c, k, 0, "expected a field path like .user, not %s",
			    node_what(k));
			continue;
		}
		for (q = m->data.mapping.pairs.start; q < p; q++) {
			yaml_node_t *k2 = node(c, q->key);
			if (k2->type == YAML_SCALAR_NODE &&
			    !strcmp(sval(k2), sval(k)))
				dup = 1;
		}
		if (dup) {
			prob(c, k, 0, "field '%s' appears twice (list all its "
			    "rules under one key)", sval(k));
			continue;
		}
		if (failed(c, weir__rules_path(&path, sval(k), err,
		    sizeof(err)))) {
			prob(c, k, 0, "%s", err);
			continue;
		}
		weir_path_free(&path);
		rule_list(c, v, sval(k), k);
	}
}

static void
root_node(ctx *c, yaml_node_t *root)
{
	yaml_node_pair_t *p, *q;

	if (root->type != YAML_MAPPING_NODE) {
		prob(c, root, 0, "expected a mapping with suite, fields and "
		    "records");
		return;
	}
	for (p = root->data.mapping.pairs.start;
	    p < root->data.mapping.pairs.top; p++) {
		yaml_node_t *k = node(c, p->key), *v = node(c, p->value);
		const char *ks;
		int dup = 0;

		if (k->type != YAML_SCALAR_NODE) {
			prob(c, k, 0, "expected suite, fields or records, not %s",
			    node_what(k));
			continue;
		}
		ks = sval(k);
		for (q = root->data.mapping.pairs.start; q < p; q++) {
			yaml_node_t *k2 = node(c, q->key);
			if (k2->type == YAML_SCALAR_NODE && !strcmp(sval(k2), ks))
				dup = 1;
		}
		if (dup) {
			prob(c, k, 0, "duplicate key '%s'", ks);
			continue;
		}
		if (strcmp(ks, "suite") == 0) {
			if (v->type != YAML_SCALAR_NODE || is_null(v))
				prob(c, v, 0, "suite: expected a name");
			else {
				free(c->rs->suite);
				if (!(c->rs->suite = strdup(sval(v))))
					c->y.oom = 1;
			}
		} else if (strcmp(ks, "description") == 0) {
			if (v->type != YAML_SCALAR_NODE)
				prob(c, v, 0, "description: expected text");
		} else if (strcmp(ks, "fields") == 0)
			fields_node(c, v);
		else if (strcmp(ks, "records") == 0) {
			if (is_null(v))
				continue;
			rule_list(c, v, NULL, NULL);
		} else
			prob(c, k, 0, "unknown key '%s' (expected suite, "
			    "description, fields or records)", ks);
	}
}

int
weir_rules_parse(weir_rules *rs, const char *name, const char *text,
    size_t len, weir_buf *errs)
{
	yaml_node_t *root;
	ctx c;
	size_t first = rs->n;
	int rc;

	memset(&c, 0, sizeof(c));
	c.rs = rs;
	weir_yaml_init(&c.y, name, errs, WEIR_ERRSZ);
	if ((rc = weir_yaml_load(&c.y, text, len)) != 0) {
		/* a syntax error, reported (1), or out of memory */
		weir_yaml_free(&c.y);
		return rc < 0 || c.y.oom ? WEIR_FAIL_NOMEM : c.y.ndiag;
	}
	root = weir_yaml_root(&c.y);
	if (!root)
		prob(&c, NULL, 0, "empty rules file (expected suite, fields "
		    "and records)");
	else
		root_node(&c, root);
	if (c.y.ndiag == 0 && rs->n == first)
		prob(&c, root, 0, "no rules: give fields: or records:");
	if (!rs->file && !(rs->file = strdup(name)))
		c.y.oom = 1;
	if (!c.y.oom && weir__rules_ids(rs, first) < 0)
		c.y.oom = 1;
	weir_yaml_free(&c.y);
	return c.y.oom ? WEIR_FAIL_NOMEM : c.y.ndiag;
}
