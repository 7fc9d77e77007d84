/* rules.c - weir-check rules: YAML rules files and one-liner flags. */
#include "rules.h"

#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <yaml.h>

#include "dur.h"

static const char *const kind_names[WEIR_RULE_NKINDS] = {
	"not_null", "unique", "in", "range", "regex", "type", "freshness",
	"count", "expr"
};

static const struct {
	const char *name;
	unsigned bit;
} type_names[] = {
	{ "null", WEIR_TY_NULL }, { "boolean", WEIR_TY_BOOLEAN },
	{ "bool", WEIR_TY_BOOLEAN }, { "number", WEIR_TY_NUMBER },
	{ "integer", WEIR_TY_INTEGER }, { "string", WEIR_TY_STRING },
	{ "array", WEIR_TY_ARRAY }, { "object", WEIR_TY_OBJECT }
};

const char *
weir_rule_kind_name(int kind)
{
	return kind >= 0 && kind < WEIR_RULE_NKINDS ? kind_names[kind] : "?";
}

int
weir_rule_kind_parse(const char *s)
{
	int k;

	for (k = 0; k < WEIR_RULE_NKINDS; k++)
		if (strcmp(s, kind_names[k]) == 0)
			return k;
	if (strcmp(s, "not-null") == 0)
		return WEIR_RULE_NOT_NULL;
	return -1;
}

int
weir_rule_is_aggregate(const weir_rule *r)
{
	return r->kind == WEIR_RULE_COUNT || r->kind == WEIR_RULE_FRESHNESS;
}

static int
kind_needs_field(int kind)
{
	return kind != WEIR_RULE_COUNT && kind != WEIR_RULE_EXPR &&
	    kind != WEIR_RULE_FRESHNESS;
}

static int
kind_allows_field(int kind)
{
	return kind != WEIR_RULE_COUNT && kind != WEIR_RULE_EXPR;
}

void
weir_rules_init(weir_rules *rs)
{
	memset(rs, 0, sizeof(*rs));
}

static void
rule_free(weir_rule *r)
{
	size_t i;

	free(r->id);
	free(r->field);
	weir_path_free(&r->path);
	for (i = 0; i < r->nvals; i++)
		free(r->vals[i].s);
	free(r->vals);
	free(r->pattern);
	if (r->re_ok)
		regfree(&r->re);
	if (r->expr)
		weir_expr_free(r->expr);
	free(r->text);
}

void
weir_rules_free(weir_rules *rs)
{
	size_t i;

	for (i = 0; i < rs->n; i++)
		rule_free(&rs->v[i]);
	free(rs->v);
	free(rs->suite);
	free(rs->file);
	memset(rs, 0, sizeof(*rs));
}

static weir_rule *
rules_add(weir_rules *rs, int kind)
{
	weir_rule *r;

	if (rs->n == rs->cap) {
		size_t cap = rs->cap ? rs->cap * 2 : 16;
		weir_rule *v = realloc(rs->v, cap * sizeof(*v));
		if (!v)
			return NULL;
		rs->v = v;
		rs->cap = cap;
	}
	r = &rs->v[rs->n++];
	memset(r, 0, sizeof(*r));
	r->kind = kind;
	r->mostly = 1.0;
	r->timefmt = WEIR_TIME_MS;
	return r;
}

int
weir_rules_share(const char *s, double *share)
{
	char *end;
	double v;

	errno = 0;
	v = strtod(s, &end);
	if (end == s || errno || !isfinite(v))
		return -1;
	if (*end == '%') {
		end++;
		v /= 100;
	} else if (v > 1)
		return -1;
	if (*end || v < 0 || v > 1)
		return -1;
	*share = v;
	return 0;
}

/* A number, all of s; 0 on success. */
static int
parse_num(const char *s, size_t n, double *v)
{
	char tmp[64], *end;

	if (n == 0 || n >= sizeof(tmp))
		return -1;
	memcpy(tmp, s, n);
	tmp[n] = 0;
	errno = 0;
	*v = strtod(tmp, &end);
	if (*end || errno || !isfinite(*v) || tmp[0] == ' ' ||
	    (tmp[0] != '-' && tmp[0] != '+' && tmp[0] != '.' &&
	    (tmp[0] < '0' || tmp[0] > '9')))
		return -1;
	return 0;
}

int
weir_rules_bounds(const char *s, weir_rule *r)
{
	const char *dots = strstr(s, "..");

	if (!dots)
		return -1;
	r->has_lo = dots > s;
	r->has_hi = dots[2] != 0;
	if (r->has_lo && parse_num(s, (size_t)(dots - s), &r->lo) < 0)
		return -1;
	if (r->has_hi && parse_num(dots + 2, strlen(dots + 2), &r->hi) < 0)
		return -1;
	if (!r->has_lo && !r->has_hi)
		return -1;
	if (r->has_lo && r->has_hi && r->lo > r->hi)
		return -1;
	return 0;
}

static int
types_parse(const char *s, size_t n, unsigned *bits)
{
	size_t i;

	for (i = 0; i < sizeof(type_names) / sizeof(type_names[0]); i++) {
		if (strlen(type_names[i].name) == n &&
		    memcmp(type_names[i].name, s, n) == 0) {
			*bits |= type_names[i].bit;
			return 0;
		}
	}
	return -1;
}

/* A human description of the rule's parameters ("[0, 100000]"). */
static int
rule_describe(weir_rule *r)
{
	weir_buf b = {0};
	char n1[40], n2[40];
	size_t i;
	int rc = 0;

	switch (r->kind) {
	case WEIR_RULE_IN:
		rc |= weir_buf_putc(&b, '[');
		for (i = 0; i < r->nvals; i++) {
			const weir_rule_val *v = &r->vals[i];
			if (i)
				rc |= weir_buf_puts(&b, ", ");
			if (v->type == WEIR_RV_STR)
				rc |= weir_buf_put(&b, v->s, v->n);
			else if (v->type == WEIR_RV_NUM) {
				weir_fmt_double(n1, sizeof(n1), v->num);
				rc |= weir_buf_puts(&b, n1);
			} else if (v->type == WEIR_RV_BOOL)
				rc |= weir_buf_puts(&b, v->b ? "true" : "false");
			else
				rc |= weir_buf_puts(&b, "null");
		}
		rc |= weir_buf_putc(&b, ']');
		break;
	case WEIR_RULE_RANGE:
	case WEIR_RULE_COUNT:
		if (r->has_lo)
			weir_fmt_double(n1, sizeof(n1), r->lo);
		if (r->has_hi)
			weir_fmt_double(n2, sizeof(n2), r->hi);
		rc |= weir_buf_printf(&b, "%s..%s", r->has_lo ? n1 : "",
		    r->has_hi ? n2 : "");
		break;
	case WEIR_RULE_REGEX:
		rc |= weir_buf_puts(&b, r->pattern);
		break;
	case WEIR_RULE_TYPE:
		for (i = 0; i < sizeof(type_names) / sizeof(type_names[0]); i++) {
			if ((r->types & type_names[i].bit) &&
			    strcmp(type_names[i].name, "bool") != 0) {
				if (b.len)
					rc |= weir_buf_putc(&b, '|');
				rc |= weir_buf_puts(&b, type_names[i].name);
			}
		}
		break;
	case WEIR_RULE_FRESHNESS:
		weir_dur_fmt(n1, sizeof(n1), r->max_age);
		rc |= weir_buf_puts(&b, n1);
		break;
	case WEIR_RULE_EXPR:
		rc |= weir_buf_puts(&b, weir_expr_text(r->expr));
		break;
	case WEIR_RULE_UNIQUE:
		if (r->approx)
			rc |= weir_buf_puts(&b, "approx");
		break;
	default:
		break;
	}
	rc |= weir_buf_putc(&b, 0);
	if (rc) {
		weir_buf_free(&b);
		return -1;
	}
	r->text = (char *)b.p;
	return 0;
}

/* Give every rule without one an id ("FIELD:kind", "kind"), unique. */
static int
rules_ids(weir_rules *rs, size_t from)
{
	size_t i, j;

	for (i = from; i < rs->n; i++) {
		weir_rule *r = &rs->v[i];
		char *base;
		int k;

		if (r->id)
			continue;
		if (r->field) {
			if (asprintf(&base, "%s:%s", r->field,
			    kind_names[r->kind]) < 0)
				return -1;
		} else if (!(base = strdup(kind_names[r->kind])))
			return -1;
		for (k = 1;; k++) {
			char *id;
			if (k == 1)
				id = strdup(base);
			else if (asprintf(&id, "%s#%d", base, k) < 0)
				id = NULL;
			if (!id) {
				free(base);
				return -1;
			}
			for (j = 0; j < rs->n; j++)
				if (rs->v[j].id && strcmp(rs->v[j].id, id) == 0)
					break;
			if (j == rs->n) {
				r->id = id;
				break;
			}
			free(id);
		}
		free(base);
	}
	return 0;
}

/* ---- YAML ---- */

typedef struct ctx {
	weir_rules *rs;
	const char *name;
	weir_buf *errs;
	yaml_document_t *doc;
	int nerr;
	int oom;
} ctx;

static void prob(ctx *c, const yaml_node_t *n, int dcol, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

static void
prob_at(ctx *c, int line, int col, const char *fmt, va_list ap)
{
	char msg[WEIR_ERRSZ];
	char *p;

	vsnprintf(msg, sizeof(msg), fmt, ap);
	/* one problem, one line: quoted user text may hold line breaks */
	for (p = msg; *p; p++)
		if ((unsigned char)*p < 0x20 || *p == 0x7f)
			*p = '?';
	if (weir_buf_printf(c->errs, "%s:%d:%d: %s\n", c->name, line, col,
	    msg) < 0)
		c->oom = 1;
	c->nerr++;
}

/* A problem at node n (column moved right by dcol). */
static void
prob(ctx *c, const yaml_node_t *n, int dcol, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	prob_at(c, n ? (int)n->start_mark.line + 1 : 1,
	    n ? (int)n->start_mark.column + 1 + dcol : 1, fmt, ap);
	va_end(ap);
}

static const char *
sval(const yaml_node_t *n)
{
	return (const char *)n->data.scalar.value;
}

static int
is_plain(const yaml_node_t *n)
{
	return n->type == YAML_SCALAR_NODE &&
	    n->data.scalar.style == YAML_PLAIN_SCALAR_STYLE;
}

static int
is_null(const yaml_node_t *n)
{
	const char *s;

	if (!is_plain(n))
		return 0;
	s = sval(n);
	return !*s || strcmp(s, "~") == 0 || strcmp(s, "null") == 0 ||
	    strcmp(s, "Null") == 0 || strcmp(s, "NULL") == 0;
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
	return parse_num(sval(n), n->data.scalar.length, v) == 0;
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
	return yaml_document_get_node(c->doc, id);
}

/* Number or null bounds from [LO, HI] or "LO..HI". */
static int
bounds_node(ctx *c, weir_rule *r, yaml_node_t *arg, int ints)
{
	const char *kn = kind_names[r->kind];
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
		c->oom = 1;
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
				c->oom = 1;
				return -1;
			}
			memcpy(rv->s, sval(v), rv->n + 1);
		}
		r->nvals++;
	}
	return bad ? -1 : 0;
}

static int
regex_set(weir_rule *r, const char *pat, char *err, size_t errsz)
{
	int rc;

	if (!(r->pattern = strdup(pat))) {
		weir_seterr(err, errsz, "out of memory");
		return -1;
	}
	rc = regcomp(&r->re, pat, REG_EXTENDED | REG_NOSUB);
	if (rc) {
		char m[256];
		regerror(rc, &r->re, m, sizeof(m));
		weir_seterr(err, errsz, "regex: %s", m);
		return -1;
	}
	r->re_ok = 1;
	return 0;
}

static int
expr_set(weir_rule *r, const char *src, char *err, size_t errsz, int *col)
{
	*col = 0;
	r->expr = weir_expr_compile(src, err, errsz, col);
	return r->expr ? 0 : -1;
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

static int
arg_node(ctx *c, weir_rule *r, yaml_node_t *arg)
{
	const char *kn = kind_names[r->kind];
	char err[WEIR_ERRSZ];
	yaml_node_item_t *it;
	int col, b;

	switch (r->kind) {
	case WEIR_RULE_NOT_NULL:
	case WEIR_RULE_UNIQUE:
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
			if (types_parse(sval(arg), arg->data.scalar.length,
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
			    types_parse(sval(t), t->data.scalar.length,
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
		if (regex_set(r, sval(arg), err, sizeof(err)) < 0) {
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
		if (expr_set(r, sval(arg), err, sizeof(err), &col) < 0) {
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
				c->oom = 1;
		}
	} else if (strcmp(key, "approx") == 0) {
		if (r->kind != WEIR_RULE_UNIQUE)
			prob(c, k, 0, "approx: only the unique rule takes it");
		else if ((b = is_bool(v)) < 0)
			prob(c, v, 0, "approx: expected true or false");
		else
			r->approx = b;
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
		    "in, range, regex, type, freshness, count, expr; or a "
		    "modifier: mostly, severity, id, approx, unit)", key);
}

static int
is_modifier(const char *s)
{
	return !strcmp(s, "mostly") || !strcmp(s, "severity") ||
	    !strcmp(s, "id") || !strcmp(s, "approx") || !strcmp(s, "unit");
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
			prob(c, item, 0, "unknown rule '%s' (expected not_null, "
			    "unique, in, range, regex, type, freshness, count "
			    "or expr)", sval(item));
			return;
		}
		if (kind != WEIR_RULE_NOT_NULL && kind != WEIR_RULE_UNIQUE) {
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
				    kind_names[kind], sval(k));
				bad = 1;
			} else {
				kind = kk;
				kn = k;
				arg = node(c, p->value);
			}
		}
		if (kind < 0 && !bad) {
			prob(c, item, 0, "no rule in this item (expected one of "
			    "not_null, unique, in, range, regex, type, "
			    "freshness, count, expr)");
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
		    "not under a field", kind_names[kind]);
		return;
	}
	if (!field && kind_needs_field(kind)) {
		prob(c, kn, 0, "'%s' checks a field: put it under fields:",
		    kind_names[kind]);
		return;
	}
	if (!(r = rules_add(c->rs, kind))) {
		c->oom = 1;
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
	if (!bad && rule_describe(r) < 0)
		c->oom = 1;
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
		if (weir_path_parse(&path, sval(k), err, sizeof(err)) < 0) {
			prob(c, k, 0, "bad field path '%s': %s", sval(k), err);
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
					c->oom = 1;
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
	yaml_parser_t parser;
	yaml_document_t doc;
	yaml_node_t *root;
	ctx c;
	size_t first = rs->n;

	memset(&c, 0, sizeof(c));
	c.rs = rs;
	c.name = name;
	c.errs = errs;
	c.doc = &doc;
	if (!yaml_parser_initialize(&parser))
		return -1;
	yaml_parser_set_input_string(&parser, (const unsigned char *)text, len);
	if (!yaml_parser_load(&parser, &doc)) {
		char m[WEIR_ERRSZ];
		int line = (int)parser.problem_mark.line + 1;
		int col = (int)parser.problem_mark.column + 1;
		if (parser.error == YAML_MEMORY_ERROR) {
			yaml_parser_delete(&parser);
			return -1;
		}
		if (parser.context)
			snprintf(m, sizeof(m), "YAML: %s %s",
			    parser.problem ? parser.problem : "error",
			    parser.context);
		else
			snprintf(m, sizeof(m), "YAML: %s",
			    parser.problem ? parser.problem : "error");
		if (weir_buf_printf(errs, "%s:%d:%d: %s\n", name, line, col,
		    m) < 0) {
			yaml_parser_delete(&parser);
			return -1;
		}
		yaml_parser_delete(&parser);
		return 1;
	}
	root = yaml_document_get_root_node(&doc);
	if (!root)
		prob(&c, NULL, 0, "empty rules file (expected suite, fields "
		    "and records)");
	else
		root_node(&c, root);
	if (c.nerr == 0 && rs->n == first)
		prob(&c, root, 0, "no rules: give fields: or records:");
	if (!rs->file && !(rs->file = strdup(name)))
		c.oom = 1;
	if (!c.oom && rules_ids(rs, first) < 0)
		c.oom = 1;
	yaml_document_delete(&doc);
	yaml_parser_delete(&parser);
	return c.oom ? -1 : c.nerr;
}

/* ---- flags ---- */

static int
flag_field(weir_rule *r, const char *path, size_t n, char *err, size_t errsz)
{
	char e2[WEIR_ERRSZ];

	if (!(r->field = strndup(path, n))) {
		weir_seterr(err, errsz, "out of memory");
		return -1;
	}
	if (weir_path_parse(&r->path, r->field, e2, sizeof(e2)) < 0) {
		weir_seterr(err, errsz, "bad field path '%s': %s", r->field, e2);
		return -1;
	}
	return 0;
}

static int
flag_vals(weir_rule *r, const char *s, char *err, size_t errsz)
{
	size_t n = 1;
	const char *p;

	for (p = s; *p; p++)
		n += *p == ',';
	if (!(r->vals = calloc(n, sizeof(*r->vals)))) {
		weir_seterr(err, errsz, "out of memory");
		return -1;
	}
	for (p = s;;) {
		const char *e = strchr(p, ',');
		size_t len = e ? (size_t)(e - p) : strlen(p);
		weir_rule_val *v = &r->vals[r->nvals++];

		if (parse_num(p, len, &v->num) == 0)
			v->type = WEIR_RV_NUM;
		else if (len == 4 && !memcmp(p, "null", 4))
			v->type = WEIR_RV_NULL;
		else if (len == 4 && !memcmp(p, "true", 4)) {
			v->type = WEIR_RV_BOOL;
			v->b = 1;
		} else if (len == 5 && !memcmp(p, "false", 5))
			v->type = WEIR_RV_BOOL;
		else {
			v->type = WEIR_RV_STR;
			v->n = len;
			if (!(v->s = strndup(p, len))) {
				weir_seterr(err, errsz, "out of memory");
				return -1;
			}
		}
		if (!e)
			break;
		p = e + 1;
	}
	return 0;
}

int
weir_rules_add_flag(weir_rules *rs, const char *kname, const char *arg,
    char *err, size_t errsz)
{
	int approx = strcmp(kname, "unique_approx") == 0;
	int kind = approx ? WEIR_RULE_UNIQUE : weir_rule_kind_parse(kname), col;
	const char *eq = NULL, *rest = arg;
	weir_rule *r;
	size_t first = rs->n;

	if (kind < 0) {
		weir_seterr(err, errsz, "unknown rule '%s'", kname);
		return -1;
	}
	if (!(r = rules_add(rs, kind))) {
		weir_seterr(err, errsz, "out of memory");
		return -1;
	}
	r->approx = approx;
	switch (kind) {
	case WEIR_RULE_NOT_NULL:
	case WEIR_RULE_UNIQUE:
		if (flag_field(r, arg, strlen(arg), err, errsz) < 0)
			goto fail;
		break;
	case WEIR_RULE_COUNT:
		if (weir_rules_bounds(arg, r) < 0 || (r->has_lo && r->lo < 0)) {
			weir_seterr(err, errsz, "expected MIN..MAX "
			    "(either may be left out), got '%s'", arg);
			goto fail;
		}
		break;
	case WEIR_RULE_EXPR:
		if (expr_set(r, arg, err, errsz, &col) < 0)
			goto fail;
		break;
	case WEIR_RULE_FRESHNESS:
		if (arg[0] == '.' && !(eq = strchr(arg, '='))) {
			weir_seterr(err, errsz, "expected PATH=DUR "
			    "or DUR, got '%s'", arg);
			goto fail;
		}
		/* FALLTHROUGH */
	default:
		if (kind != WEIR_RULE_FRESHNESS && !(eq = strchr(arg, '='))) {
			weir_seterr(err, errsz, "expected PATH=%s, got "
			    "'%s'", kind == WEIR_RULE_IN ? "A,B,..." :
			    kind == WEIR_RULE_RANGE ? "LO..HI" :
			    kind == WEIR_RULE_REGEX ? "REGEX" : "TYPE[,TYPE]",
			    arg);
			goto fail;
		}
		if (eq) {
			if (flag_field(r, arg, (size_t)(eq - arg), err,
			    errsz) < 0)
				goto fail;
			rest = eq + 1;
		}
		if (kind == WEIR_RULE_IN) {
			if (flag_vals(r, rest, err, errsz) < 0)
				goto fail;
		} else if (kind == WEIR_RULE_RANGE) {
			if (weir_rules_bounds(rest, r) < 0) {
				weir_seterr(err, errsz, "expected "
				    "PATH=LO..HI with LO <= HI, got '%s'", arg);
				goto fail;
			}
		} else if (kind == WEIR_RULE_REGEX) {
			if (regex_set(r, rest, err, errsz) < 0)
				goto fail;
		} else if (kind == WEIR_RULE_TYPE) {
			const char *p = rest;
			for (;;) {
				const char *e = strchr(p, ',');
				size_t n = e ? (size_t)(e - p) : strlen(p);
				if (types_parse(p, n, &r->types) < 0) {
					weir_seterr(err, errsz, "unknown "
					    "type '%.*s'", (int)n, p);
					goto fail;
				}
				if (!e)
					break;
				p = e + 1;
			}
		} else if (kind == WEIR_RULE_FRESHNESS) {
			char e2[WEIR_ERRSZ];
			if (weir_dur_parse(rest, &r->max_age, e2,
			    sizeof(e2)) < 0 || r->max_age <= 0) {
				weir_seterr(err, errsz, "bad "
				    "duration '%s'", rest);
				goto fail;
			}
		}
		break;
	}
	if (rule_describe(r) < 0 || rules_ids(rs, first) < 0) {
		weir_seterr(err, errsz, "out of memory");
		goto fail;
	}
	return 0;
fail:
	rule_free(r);
	rs->n--;
	return -1;
}
