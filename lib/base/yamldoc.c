/* yamldoc.c - YAML config documents with positions and diagnostics. */
#include "yamldoc.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>

struct weir_yaml_dpos {
	int line, col;
	size_t off, len;
};

void
weir_yaml_init(weir_yaml *y, const char *file, weir_buf *out, size_t msgmax)
{
	memset(y, 0, sizeof(*y));
	y->file = file;
	y->out = out;
	y->msgmax = msgmax;
}

int
weir_yaml_load(weir_yaml *y, const char *text, size_t len)
{
	yaml_parser_t parser;

	if (!yaml_parser_initialize(&parser)) {
		y->oom = 1;
		return -1;
	}
	yaml_parser_set_input_string(&parser, (const unsigned char *)text, len);
	if (!yaml_parser_load(&parser, &y->doc)) {
		/* libyaml leaves some failed allocations (its stacks in the
		 * loader) with no error set: no error is no memory too */
		if (parser.error == YAML_MEMORY_ERROR ||
		    parser.error == YAML_NO_ERROR) {
			yaml_parser_delete(&parser);
			y->oom = 1;
			return -1;
		}
		weir_yaml_diag_lc(y, (int)parser.problem_mark.line + 1,
		    (int)parser.problem_mark.column + 1, "YAML: %s%s%s",
		    parser.problem ? parser.problem : "syntax error",
		    parser.context ? " " : "", parser.context ?
		    parser.context : "");
		yaml_parser_delete(&parser);
		return 1;
	}
	yaml_parser_delete(&parser);
	y->loaded = 1;
	return 0;
}

void
weir_yaml_free(weir_yaml *y)
{
	if (y->loaded)
		yaml_document_delete(&y->doc);
	y->loaded = 0;
	free(y->dp);
	y->dp = NULL;
	y->ndp = 0;
}

static void
diag_at(weir_yaml *y, int line, int col, const char *fmt, va_list ap)
{
	weir_buf *b = y->out;
	size_t off = b->len;
	struct weir_yaml_dpos *dp;
	char msg[1024], *q;

	vsnprintf(msg, y->msgmax && y->msgmax < sizeof(msg) ? y->msgmax :
	    sizeof(msg), fmt, ap);
	/* one line per problem: text from the file may hold anything */
	for (q = msg; *q; q++)
		if ((unsigned char)*q < 0x20 || *q == 0x7f)
			*q = '?';
	y->ndiag++;
	if (weir_buf_printf(b, "%s:%d:%d: %s\n", y->file, line, col,
	    msg) < 0 || !(dp = realloc(y->dp, sizeof(*dp) *
	    (size_t)(y->ndp + 1)))) {
		y->oom = 1;
		return;
	}
	y->dp = dp;
	dp[y->ndp++] = (struct weir_yaml_dpos){ line, col, off, b->len - off };
}

void
weir_yaml_diag(weir_yaml *y, const yaml_node_t *n, int dcol,
    const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	diag_at(y, n ? weir_yaml_line(n) : 1, n ? weir_yaml_col(n) + dcol : 1,
	    fmt, ap);
	va_end(ap);
}

void
weir_yaml_diag_lc(weir_yaml *y, int line, int col, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	diag_at(y, line, col, fmt, ap);
	va_end(ap);
}

static int
dpos_cmp(const void *a, const void *b)
{
	const struct weir_yaml_dpos *x = a, *y = b;

	if (x->line != y->line)
		return x->line < y->line ? -1 : 1;
	if (x->col != y->col)
		return x->col < y->col ? -1 : 1;
	return x->off < y->off ? -1 : x->off > y->off;
}

void
weir_yaml_sort(weir_yaml *y)
{
	weir_buf out = { 0 };
	int i;

	if (y->ndp < 2)
		return;
	qsort(y->dp, (size_t)y->ndp, sizeof(*y->dp), dpos_cmp);
	for (i = 0; i < y->ndp; i++)
		if (weir_buf_put(&out, y->out->p + y->dp[i].off,
		    y->dp[i].len) < 0) {
			weir_buf_free(&out);
			return;
		}
	weir_buf_free(y->out);
	*y->out = out;
}

yaml_node_t *
weir_yaml_root(weir_yaml *y)
{
	return y->loaded ? yaml_document_get_root_node(&y->doc) : NULL;
}

yaml_node_t *
weir_yaml_node(weir_yaml *y, int id)
{
	if (y->maxvisits && ++y->visits > y->maxvisits)
		return NULL;
	return yaml_document_get_node(&y->doc, id);
}

yaml_node_t *
weir_yaml_get(weir_yaml *y, const yaml_node_t *m, const char *key)
{
	yaml_node_pair_t *p;
	yaml_node_t *k;

	if (m->type != YAML_MAPPING_NODE)
		return NULL;
	for (p = m->data.mapping.pairs.start; p < m->data.mapping.pairs.top;
	    p++) {
		k = weir_yaml_node(y, p->key);
		if (k && k->type == YAML_SCALAR_NODE &&
		    !strcmp(weir_yaml_str(k), key))
			return weir_yaml_node(y, p->value);
	}
	return NULL;
}

const char *
weir_yaml_str(const yaml_node_t *n)
{
	return (const char *)n->data.scalar.value;
}

int
weir_yaml_is_plain(const yaml_node_t *n)
{
	return n->type == YAML_SCALAR_NODE &&
	    n->data.scalar.style == YAML_PLAIN_SCALAR_STYLE;
}

int
weir_yaml_is_null(const yaml_node_t *n)
{
	const char *s;

	if (!weir_yaml_is_plain(n))
		return 0;
	s = weir_yaml_str(n);
	return !*s || !strcmp(s, "~") || !strcmp(s, "null") ||
	    !strcmp(s, "Null") || !strcmp(s, "NULL");
}

const char *
weir_yaml_kind(const yaml_node_t *n)
{
	switch (n->type) {
	case YAML_SCALAR_NODE:
		return "a string";
	case YAML_SEQUENCE_NODE:
		return "a list";
	case YAML_MAPPING_NODE:
		return "a mapping";
	default:
		return "nothing";
	}
}

int
weir_yaml_line(const yaml_node_t *n)
{
	return (int)n->start_mark.line + 1;
}

int
weir_yaml_col(const yaml_node_t *n)
{
	return (int)n->start_mark.column + 1;
}

/* Edit distance with transpositions (optimal string alignment). */
static size_t
edit_distance(const char *a, const char *b)
{
	size_t la = strlen(a), lb = strlen(b), i, j, v;
	static size_t d[62][62];

	if (la > 60 || lb > 60)
		return SIZE_MAX;
	for (i = 0; i <= la; i++)
		d[i][0] = i;
	for (j = 0; j <= lb; j++)
		d[0][j] = j;
	for (i = 1; i <= la; i++)
		for (j = 1; j <= lb; j++) {
			v = d[i - 1][j - 1] + (a[i - 1] != b[j - 1]);
			if (d[i - 1][j] + 1 < v)
				v = d[i - 1][j] + 1;
			if (d[i][j - 1] + 1 < v)
				v = d[i][j - 1] + 1;
			if (i > 1 && j > 1 && a[i - 1] == b[j - 2] &&
			    a[i - 2] == b[j - 1] && d[i - 2][j - 2] + 1 < v)
				v = d[i - 2][j - 2] + 1;
			d[i][j] = v;
		}
	return d[la][lb];
}

const char *
weir_yaml_suggest(const char *s, const char *const *words, size_t n)
{
	const char *best = NULL;
	size_t bd = SIZE_MAX, i, d, lim;

	for (i = 0; i < n && words[i]; i++) {
		d = edit_distance(s, words[i]);
		if (d < bd) {
			bd = d;
			best = words[i];
		}
	}
	lim = strlen(s) <= 2 ? 0 : strlen(s) <= 4 ? 1 : 2;
	return bd <= lim ? best : NULL;
}

static void
list_words(char *buf, size_t sz, const char *const *words)
{
	size_t i, n = 0;

	buf[0] = 0;
	for (i = 0; words[i] && n < sz; i++)
		n += (size_t)snprintf(buf + n, sz - n, "%s%s", i ? ", " : "",
		    words[i]);
}

int
weir_yaml_check_keys(weir_yaml *y, const yaml_node_t *m, const char *what,
    const char *const *allowed)
{
	yaml_node_pair_t *p, *q;
	yaml_node_t *k, *k2;
	const char *s;
	char list[256];
	size_t i;

	if (m->type != YAML_MAPPING_NODE) {
		weir_yaml_diag(y, m, 0, "%s must be a mapping, not %s", what,
		    weir_yaml_kind(m));
		return -1;
	}
	for (p = m->data.mapping.pairs.start; p < m->data.mapping.pairs.top;
	    p++) {
		k = weir_yaml_node(y, p->key);
		if (!k)
			return -1;
		if (k->type != YAML_SCALAR_NODE) {
			weir_yaml_diag(y, k, 0, "%s: keys must be strings, not "
			    "%s", what, weir_yaml_kind(k));
			continue;
		}
		s = weir_yaml_str(k);
		for (q = m->data.mapping.pairs.start; q < p; q++) {
			k2 = weir_yaml_node(y, q->key);
			if (k2 && k2->type == YAML_SCALAR_NODE &&
			    !strcmp(weir_yaml_str(k2), s)) {
				weir_yaml_diag(y, k, 0, "duplicate key '%s' "
				    "(first at line %d)", s,
				    weir_yaml_line(k2));
				break;
			}
		}
		if (!allowed)
			continue;
		for (i = 0; allowed[i]; i++)
			if (!strcmp(allowed[i], s))
				break;
		if (allowed[i])
			continue;
		if ((s = weir_yaml_suggest(weir_yaml_str(k), allowed,
		    SIZE_MAX)))
			weir_yaml_diag(y, k, 0, "unknown key '%s' in %s; did "
			    "you mean '%s'?", weir_yaml_str(k), what, s);
		else {
			list_words(list, sizeof(list), allowed);
			weir_yaml_diag(y, k, 0, "unknown key '%s' in %s (known "
			    "keys: %s)", weir_yaml_str(k), what, list);
		}
	}
	return 0;
}
