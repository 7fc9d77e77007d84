/*
 * rules.c - weir-check's rules: the model and what both ways of writing
 * rules share (numbers, bounds, types, ids, descriptions).  The YAML
 * rules file is rules_yaml.c, the one-liner flags rules_flags.c.
 */
#include "rules_impl.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>

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

void
weir_rules_init(weir_rules *rs)
{
	memset(rs, 0, sizeof(*rs));
}

void
weir_rule_clear(weir_rule *r)
{
	size_t i;

	free(r->id);
	free(r->field);
	weir_path_free(&r->path);
	for (i = 0; i < r->nvals; i++)
		free(r->vals[i].s);
	free(r->vals);
	free(r->pattern);
	weir_re_free(r->re);
	if (r->expr)
		weir_expr_free(r->expr);
	free(r->text);
}

void
weir_rules_free(weir_rules *rs)
{
	size_t i;

	for (i = 0; i < rs->n; i++)
		weir_rule_clear(&rs->v[i]);
	free(rs->v);
	free(rs->suite);
	free(rs->file);
	memset(rs, 0, sizeof(*rs));
}

weir_rule *
weir_rules_push(weir_rules *rs, int kind)
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
int
weir_rules_num(const char *s, size_t n, double *v)
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
	if (r->has_lo && weir_rules_num(s, (size_t)(dots - s), &r->lo) < 0)
		return -1;
	if (r->has_hi && weir_rules_num(dots + 2, strlen(dots + 2), &r->hi) < 0)
		return -1;
	if (!r->has_lo && !r->has_hi)
		return -1;
	if (r->has_lo && r->has_hi && r->lo > r->hi)
		return -1;
	return 0;
}

int
weir_rules_types(const char *s, size_t n, unsigned *bits)
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
int
weir_rule_describe(weir_rule *r)
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
int
weir_rules_ids(weir_rules *rs, size_t from)
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

/* A character a bare (unquoted) path key may hold: what weir-expr's
 * lexer (lib/expr_lex.c) takes as part of a path. */
static int
path_char(int ch)
{
	return (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') ||
	    (ch >= '0' && ch <= '9') || ch == '_' || ch == '$' || ch == '@' ||
	    ch == '.' || ch == '[' || ch == ']' || ch == '-';
}

int
weir_rules_path(weir_path *p, const char *s, char *err, size_t errsz)
{
	char e2[WEIR_ERRSZ];
	size_t i;

	if (weir_path_parse(p, s, e2, sizeof(e2)) < 0) {
		weir_seterr(err, errsz, "bad field path '%s': %s", s, e2);
		return -1;
	}
	/* weir_path_parse takes any byte in a bare key; weir-filter's lexer
	 * ends the path there, so '.a,.b' or '.a b' is not one path */
	for (i = 0; s[i]; i++) {
		if (s[i] == '"') {
			for (i++; s[i] && s[i] != '"'; i++)
				if (s[i] == '\\' && s[i + 1])
					i++;
			if (!s[i])
				break;
			continue;
		}
		if (!path_char((unsigned char)s[i])) {
			weir_seterr(err, errsz, "bad field path '%s': '%c' is "
			    "not part of a path (quote odd keys: .[\"a b\"]%s)",
			    s, s[i], s[i] == ',' ? "; for several fields "
			    "write a list [.a, .b] where the rule takes one" :
			    "");
			weir_path_free(p);
			return -1;
		}
	}
	return 0;
}

int
weir_rule_regex(weir_rule *r, const char *pat, char *err, size_t errsz)
{
	if (!(r->pattern = strdup(pat))) {
		weir_seterr(err, errsz, "out of memory");
		return -1;
	}
	r->re = weir_re_new(pat, strlen(pat), err, errsz);
	return r->re ? 0 : -1;
}

int
weir_rule_expr(weir_rule *r, const char *src, char *err, size_t errsz, int *col)
{
	*col = 0;
	r->expr = weir_expr_compile(src, err, errsz, col);
	return r->expr ? 0 : -1;
}
