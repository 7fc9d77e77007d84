/*
 * rules_yaml.c - weir-check's YAML rules files: rules keyed by field
 * (fields:) and record rules (records:), each kept with its line and
 * column; every problem found is reported, in the file's own terms.
 */
#include "rules_yaml_impl.h"

#include <stdio.h>
#include <stdlib.h>

#include "timefmt.h"

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
	if (arg && weir__rules_yaml_arg(c, r, arg) < 0)
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
