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
	"count", "expr", "relationships", "schema", "avg", "min", "max", "sum"
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
	return r->kind == WEIR_RULE_COUNT || r->kind == WEIR_RULE_FRESHNESS ||
	    weir_rule_is_stat(r->kind);
}

int
weir_rule_is_stat(int kind)
{
	return kind == WEIR_RULE_AVG || kind == WEIR_RULE_MIN ||
	    kind == WEIR_RULE_MAX || kind == WEIR_RULE_SUM;
}

static void
paths_free(weir_path *v, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		weir_path_free(&v[i]);
	free(v);
}

int
weir__rules_paths_add(weir_path **v, size_t *n, const char *s, char *err,
    size_t errsz)
{
	weir_path *nv = realloc(*v, (*n + 1) * sizeof(**v));

	int rc;

	if (!nv) {
		weir_seterr(err, errsz, "out of memory");
		return WEIR_FAIL_NOMEM;
	}
	*v = nv;
	if ((rc = weir__rules_path(&nv[*n], s, err, errsz)) < 0)
		return rc;
	(*n)++;
	return 0;
}

int
weir__rules_path_list(const char *s, weir_path **v, size_t *n, char *err,
    size_t errsz)
{
	const char *p, *e;
	char *one;
	int q, rc;

	while (*s == ' ')
		s++;
	if (*s != '[')
		return weir__rules_paths_add(v, n, s, err, errsz);
	e = s + strlen(s);
	while (e > s && e[-1] == ' ')
		e--;
	if (e - s < 2 || e[-1] != ']') {
		weir_seterr(err, errsz, "expected a list like [.a, .b], got "
		    "'%s'", s);
		return WEIR_FAIL_USAGE;
	}
	for (p = s + 1; p < e - 1;) {
		const char *a, *b;
		while (*p == ' ')
			p++;
		/* a comma inside a quoted key is part of the key */
		for (a = p, q = 0; p < e - 1 && (q || *p != ','); p++) {
			if (*p == '\\' && q && p + 1 < e - 1)
				p++;
			else if (*p == '"')
				q = !q;
		}
		for (b = p; b > a && b[-1] == ' '; b--)
			;
		if (!(one = strndup(a, (size_t)(b - a)))) {
			weir_seterr(err, errsz, "out of memory");
			return WEIR_FAIL_NOMEM;
		}
		rc = weir__rules_paths_add(v, n, one, err, errsz);
		free(one);
		if (rc < 0)
			return rc;
		if (p < e - 1)
			p++;	/* the comma */
	}
	if (!*n) {
		weir_seterr(err, errsz, "expected at least one path in '%s'", s);
		return WEIR_FAIL_USAGE;
	}
	return 0;
}

int
weir__rules_schema_allowed(const weir_rule *r, char *err, size_t errsz)
{
	size_t i;

	for (i = 0; i < r->nallowed; i++) {
		if (r->allowed[i].nsteps != 1 || r->allowed[i].steps[0].is_index) {
			weir_seterr(err, errsz, "allowed: '%s' is not a "
			    "top-level field (like .id)", r->allowed[i].text);
			return WEIR_FAIL_USAGE;
		}
	}
	return 0;
}

int
weir_rules_thr_parse(const char *s, weir_rule_thr *t)
{
	static const struct {
		const char *op;
		int v;
	} ops[] = {
		{ ">=", WEIR_THR_GE }, { "<=", WEIR_THR_LE }, { "==", WEIR_THR_EQ },
		{ "!=", WEIR_THR_NE }, { ">", WEIR_THR_GT }, { "<", WEIR_THR_LT },
		{ "=", WEIR_THR_EQ }
	};
	const char *p = s;
	char *end;
	size_t i;

	memset(t, 0, sizeof(*t));
	while (*p == ' ')
		p++;
	for (i = 0; i < sizeof(ops) / sizeof(ops[0]); i++)
		if (!strncmp(p, ops[i].op, strlen(ops[i].op)))
			break;
	if (i == sizeof(ops) / sizeof(ops[0]))
		return -1;
	t->op = ops[i].v;
	p += strlen(ops[i].op);
	while (*p == ' ')
		p++;
	if (!(*p >= '0' && *p <= '9') && *p != '.')
		return -1;
	errno = 0;
	t->v = strtod(p, &end);
	if (end == p || errno || !isfinite(t->v))
		return -1;
	if (*end == '%') {
		t->pct = 1;
		t->v /= 100;
		end++;
		if (t->v > 1)
			return -1;
	}
	while (*end == ' ')
		end++;
	if (*end || strlen(s) >= sizeof(t->text))
		return -1;
	strcpy(t->text, s);
	t->set = 1;
	return 0;
}

int
weir_rules_thr_hit(const weir_rule_thr *t, uint64_t failed, uint64_t checked)
{
	double x = (double)failed;

	if (t->pct)
		x = checked ? x / (double)checked : 0;
	switch (t->op) {
	case WEIR_THR_GT: return x > t->v;
	case WEIR_THR_GE: return x >= t->v;
	case WEIR_THR_LT: return x < t->v;
	case WEIR_THR_LE: return x <= t->v;
	case WEIR_THR_EQ: return x == t->v;
	default: return x != t->v;
	}
}

void
weir_rules_init(weir_rules *rs)
{
	memset(rs, 0, sizeof(*rs));
}

void
weir__rule_clear(weir_rule *r)
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
	paths_free(r->paths, r->npaths);
	paths_free(r->allowed, r->nallowed);
	paths_free(r->ref_paths, r->nref_paths);
	free(r->ref_file);
	free(r->ref_field);
	if (r->expr)
		weir_expr_free(r->expr);
	free(r->text);
}

void
weir_rules_free(weir_rules *rs)
{
	size_t i;

	for (i = 0; i < rs->n; i++)
		weir__rule_clear(&rs->v[i]);
	free(rs->v);
	free(rs->suite);
	free(rs->file);
	memset(rs, 0, sizeof(*rs));
}

weir_rule *
weir__rules_push(weir_rules *rs, int kind)
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
weir__rules_num(const char *s, size_t n, double *v)
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
	if (r->has_lo && weir__rules_num(s, (size_t)(dots - s), &r->lo) < 0)
		return -1;
	if (r->has_hi && weir__rules_num(dots + 2, strlen(dots + 2),
	    &r->hi) < 0)
		return -1;
	if (!r->has_lo && !r->has_hi)
		return -1;
	if (r->has_lo && r->has_hi && r->lo > r->hi)
		return -1;
	return 0;
}

int
weir__rules_types(const char *s, size_t n, unsigned *bits)
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

/* "required [.a, .b]" for a description; 0 or -1 (no memory). */
static int
paths_text(weir_buf *b, const char *what, const weir_path *v, size_t n)
{
	size_t i;
	int rc = 0;

	if (!n)
		return 0;
	rc |= weir_buf_printf(b, "%s%s [", b->len ? " " : "", what);
	for (i = 0; i < n; i++)
		rc |= weir_buf_printf(b, "%s%s", i ? ", " : "", v[i].text);
	rc |= weir_buf_putc(b, ']');
	return rc ? -1 : 0;
}

/* A human description of the rule's parameters ("[0, 100000]"). */
int
weir__rule_describe(weir_rule *r)
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
	case WEIR_RULE_AVG:
	case WEIR_RULE_MIN:
	case WEIR_RULE_MAX:
	case WEIR_RULE_SUM:
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
	case WEIR_RULE_RELATIONSHIPS:
		rc |= weir_buf_printf(&b, "to %s %s", r->ref_file,
		    r->ref_field ? r->ref_field : r->field);
		break;
	case WEIR_RULE_SCHEMA:
		rc |= paths_text(&b, "required", r->paths, r->npaths);
		rc |= paths_text(&b, "allowed", r->allowed, r->nallowed);
		break;
	default:
		break;
	}
	r->ntext = (int)b.len;
	if (r->error_if.set)
		rc |= weir_buf_printf(&b, "%serror_if %s", b.len ? " " : "",
		    r->error_if.text);
	if (r->warn_if.set)
		rc |= weir_buf_printf(&b, "%swarn_if %s", b.len ? " " : "",
		    r->warn_if.text);
	rc |= weir_buf_putc(&b, 0);
	if (rc) {
		weir_buf_free(&b);
		return WEIR_FAIL_NOMEM;
	}
	r->text = (char *)b.p;
	return 0;
}

/* Give every rule without one an id ("FIELD:kind", "kind"), unique. */
int
weir__rules_ids(weir_rules *rs, size_t from)
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
				return WEIR_FAIL_NOMEM;
		} else if (!(base = strdup(kind_names[r->kind])))
			return WEIR_FAIL_NOMEM;
		for (k = 1;; k++) {
			char *id;
			if (k == 1)
				id = strdup(base);
			else if (asprintf(&id, "%s#%d", base, k) < 0)
				id = NULL;
			if (!id) {
				free(base);
				return WEIR_FAIL_NOMEM;
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
weir__rules_path(weir_path *p, const char *s, char *err, size_t errsz)
{
	char e2[WEIR_ERRSZ];
	size_t i;
	int rc;

	if ((rc = weir_path_parse(p, s, e2, sizeof(e2))) < 0) {
		weir_seterr(err, errsz, "bad field path '%s': %s", s, e2);
		return rc;
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
			return WEIR_FAIL_USAGE;
		}
	}
	return 0;
}

int
weir__rule_regex(weir_rule *r, const char *pat, char *err, size_t errsz)
{
	if (!(r->pattern = strdup(pat))) {
		weir_seterr(err, errsz, "out of memory");
		return WEIR_FAIL_NOMEM;
	}
	return weir_re_open(&r->re, pat, strlen(pat), err, errsz);
}

int
weir__rule_expr(weir_rule *r, const char *src, char *err, size_t errsz,
    int *col)
{
	*col = 0;
	return weir_expr_compile(&r->expr, src, err, errsz, col);
}
