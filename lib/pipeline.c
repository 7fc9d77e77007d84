/* pipeline.c - parse and validate weir-run pipeline files (YAML). */
#include "pipeline.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>
#include <yaml.h>

#include "dur.h"

#define MAX_NODES_VISITED 200000
#define MAX_STAGES 1000
#define MAX_FD 255

typedef struct ctx {
	weir_pipeline *pl;
	yaml_document_t doc;
	const weir_pl_opts *o;
	char **stage_env;	/* the stage being parsed (its env first) */
	size_t visits;
	int oom;
	struct dpos {
		int line, col;
		size_t off, len;
	} *dp;			/* where each diagnostic is, to sort them */
	int ndp;
} ctx;

static const char *top_keys[] = { "name", "description", "env", "restart",
	"stages", NULL };
static const char *stage_keys[] = { "name", "description", "run", "input",
	"inputs", "env", NULL };
static const char *restart_keys[] = { "policy", "backoff", "max", "period",
	NULL };

static void diag(ctx *c, const yaml_node_t *n, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static int
dpos_cmp(const void *a, const void *b)
{
	const struct dpos *x = a, *y = b;

	if (x->line != y->line)
		return x->line < y->line ? -1 : 1;
	if (x->col != y->col)
		return x->col < y->col ? -1 : 1;
	return x->off < y->off ? -1 : x->off > y->off;
}

/* Put the diagnostics in file order (they are found in parse order). */
static void
sort_diags(ctx *c)
{
	weir_buf out = { 0 };
	int i;

	if (c->ndp < 2)
		return;
	qsort(c->dp, (size_t)c->ndp, sizeof(*c->dp), dpos_cmp);
	for (i = 0; i < c->ndp; i++)
		if (weir_buf_put(&out, c->pl->diag.p + c->dp[i].off,
		    c->dp[i].len) < 0) {
			weir_buf_free(&out);
			return;
		}
	weir_buf_free(&c->pl->diag);
	c->pl->diag = out;
}

static void
diag_at(ctx *c, int line, int col, const char *fmt, va_list ap)
{
	weir_buf *b = &c->pl->diag;
	char msg[1024];

	size_t off = b->len;
	struct dpos *dp;

	char *q;

	vsnprintf(msg, sizeof(msg), fmt, ap);
	/* one line per problem: names from the file may hold anything */
	for (q = msg; *q; q++)
		if ((unsigned char)*q < 0x20 || *q == 0x7f)
			*q = '?';
	if (weir_buf_printf(b, "%s:%d:%d: %s\n", c->pl->file, line, col,
	    msg) < 0 || !(dp = realloc(c->dp, sizeof(*dp) *
	    (size_t)(c->ndp + 1)))) {
		c->oom = 1;
		return;
	}
	c->dp = dp;
	dp[c->ndp++] = (struct dpos){ line, col, off, b->len - off };
	c->pl->ndiag++;
}

static void
diag(ctx *c, const yaml_node_t *n, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	diag_at(c, n ? (int)n->start_mark.line + 1 : 1,
	    n ? (int)n->start_mark.column + 1 : 1, fmt, ap);
	va_end(ap);
}

static void
diag_lc(ctx *c, int line, int col, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

static void
diag_lc(ctx *c, int line, int col, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	diag_at(c, line, col, fmt, ap);
	va_end(ap);
}

static yaml_node_t *
node(ctx *c, int id)
{
	if (++c->visits > MAX_NODES_VISITED)
		return NULL;
	return yaml_document_get_node(&c->doc, id);
}

static const char *
kind(const yaml_node_t *n)
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

static const char *
sval(const yaml_node_t *n)
{
	return (const char *)n->data.scalar.value;
}

static int
is_null(const yaml_node_t *n)
{
	const char *s;

	if (n->type != YAML_SCALAR_NODE ||
	    n->data.scalar.style != YAML_PLAIN_SCALAR_STYLE)
		return 0;
	s = sval(n);
	return !*s || !strcmp(s, "~") || !strcmp(s, "null") ||
	    !strcmp(s, "Null") || !strcmp(s, "NULL");
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

/* The closest of words to s, if close enough to be a likely typo. */
static const char *
suggest(const char *s, const char *const *words, size_t n)
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

/*
 * Check a mapping's keys: all strings, none unknown, none repeated.
 * Returns 0 if it is a mapping (even with bad keys), -1 otherwise.
 */
static int
check_keys(ctx *c, const yaml_node_t *m, const char *what,
    const char *const *allowed)
{
	yaml_node_pair_t *p, *q;
	yaml_node_t *k, *k2;
	const char *s;
	char list[256];

	if (m->type != YAML_MAPPING_NODE) {
		diag(c, m, "%s must be a mapping, not %s", what, kind(m));
		return -1;
	}
	for (p = m->data.mapping.pairs.start; p < m->data.mapping.pairs.top;
	    p++) {
		k = node(c, p->key);
		if (!k)
			return -1;
		if (k->type != YAML_SCALAR_NODE) {
			diag(c, k, "%s: keys must be strings, not %s", what,
			    kind(k));
			continue;
		}
		for (q = m->data.mapping.pairs.start; q < p; q++) {
			k2 = node(c, q->key);
			if (k2 && k2->type == YAML_SCALAR_NODE &&
			    !strcmp(sval(k2), sval(k))) {
				diag(c, k, "duplicate key '%s' (first at line "
				    "%d)", sval(k), (int)k2->start_mark.line + 1);
				break;
			}
		}
		if (!allowed)
			continue;
		size_t i;
		for (i = 0; allowed[i]; i++)
			if (!strcmp(allowed[i], sval(k)))
				break;
		if (allowed[i])
			continue;
		s = suggest(sval(k), allowed, SIZE_MAX);
		if (s)
			diag(c, k, "unknown key '%s' in %s; did you mean '%s'?",
			    sval(k), what, s);
		else {
			list_words(list, sizeof(list), allowed);
			diag(c, k, "unknown key '%s' in %s (known keys: %s)",
			    sval(k), what, list);
		}
	}
	return 0;
}

/* The value node for key in mapping m (first occurrence), or NULL. */
static yaml_node_t *
get(ctx *c, const yaml_node_t *m, const char *key)
{
	yaml_node_pair_t *p;
	yaml_node_t *k;

	if (m->type != YAML_MAPPING_NODE)
		return NULL;
	for (p = m->data.mapping.pairs.start; p < m->data.mapping.pairs.top;
	    p++) {
		k = node(c, p->key);
		if (k && k->type == YAML_SCALAR_NODE && !strcmp(sval(k), key))
			return node(c, p->value);
	}
	return NULL;
}

static const char *
env_find(char **env, const char *name)
{
	size_t n = strlen(name);
	const char *v = NULL;

	for (; env && *env; env++)
		if (!strncmp(*env, name, n) && (*env)[n] == '=')
			v = *env + n + 1;	/* the last one wins */
	return v;
}

static const char *
lookup(const char *name, void *arg)
{
	ctx *c = arg;
	const char *v;

	if ((v = env_find(c->stage_env, name)))
		return v;
	if ((v = env_find(c->pl->env, name)))
		return v;
	return c->o->getenv ? c->o->getenv(name) : getenv(name);
}

/* The '}' closing the "${" at s[i], or SIZE_MAX with err set. */
static size_t
close_brace(const char *s, size_t i, size_t n, char *err, size_t errsz)
{
	size_t j;
	int level;

	for (j = i + 2, level = 1; j < n; j++) {
		if (s[j] == '{' && s[j - 1] == '$')
			level++;
		else if (s[j] == '}' && --level == 0)
			return j;
	}
	weir_seterr(err, errsz, "unterminated '${' (missing '}')");
	return SIZE_MAX;
}

int
weir_pl_expand(const char *s, size_t n, weir_buf *out,
    const char *(*look)(const char *, void *), void *arg, char *err,
    size_t errsz)
{
	static int depth;
	size_t i = 0, j, name0, namelen, def0 = 0, deflen = 0;
	int hasdef, rc = 0;
	const char *v;
	char name[128];

	if (depth > 8) {
		weir_seterr(err, errsz, "${...} nested too deeply");
		return -1;
	}
	while (i < n) {
		if (s[i] != '$' || i + 1 >= n || (s[i + 1] != '$' &&
		    s[i + 1] != '{')) {
			if (weir_buf_putc(out, s[i++]) < 0)
				goto oom;
			continue;
		}
		if (s[i + 1] == '$') {
			if (weir_buf_putc(out, '$') < 0)
				goto oom;
			i += 2;
			continue;
		}
		/* ${NAME} or ${NAME:-default}; defaults may nest ${...} */
		if ((j = close_brace(s, i, n, err, errsz)) == SIZE_MAX)
			return -1;
		name0 = i + 2;
		for (namelen = 0; name0 + namelen < j &&
		    (s[name0 + namelen] == '_' ||
		    (s[name0 + namelen] >= 'A' && s[name0 + namelen] <= 'Z') ||
		    (s[name0 + namelen] >= 'a' && s[name0 + namelen] <= 'z') ||
		    (namelen && s[name0 + namelen] >= '0' &&
		    s[name0 + namelen] <= '9')); namelen++)
			;
		hasdef = 0;
		if (name0 + namelen + 1 < j + 1 && name0 + namelen + 2 <= j &&
		    s[name0 + namelen] == ':' && s[name0 + namelen + 1] == '-') {
			hasdef = 1;
			def0 = name0 + namelen + 2;
			deflen = j - def0;
		} else if (name0 + namelen != j) {
			weir_seterr(err, errsz, "bad variable reference '%.*s' "
			    "(write ${NAME} or ${NAME:-default})",
			    (int)(j + 1 - i > 60 ? 60 : j + 1 - i), s + i);
			return -1;
		}
		if (!namelen || namelen >= sizeof(name)) {
			weir_seterr(err, errsz, "bad variable name in '%.*s'",
			    (int)(j + 1 - i > 60 ? 60 : j + 1 - i), s + i);
			return -1;
		}
		memcpy(name, s + name0, namelen);
		name[namelen] = 0;
		v = look(name, arg);
		if (v && *v) {
			if (weir_buf_puts(out, v) < 0)
				goto oom;
		} else if (hasdef) {
			depth++;
			rc = weir_pl_expand(s + def0, deflen, out, look, arg, err,
			    errsz);
			depth--;
			if (rc < 0)
				return -1;
		} else if (!v) {
			weir_seterr(err, errsz, "undefined variable '%s' (set it, "
			    "or write ${%s:-default})", name, name);
			return -1;
		}
		i = j + 1;
	}
	return 0;
oom:
	weir_seterr(err, errsz, "out of memory");
	return -1;
}

static char *
buf_str(weir_buf *b)
{
	char *s = malloc(b->len + 1);

	if (s) {
		if (b->len)
			memcpy(s, b->p, b->len);
		s[b->len] = 0;
	}
	return s;
}

static int
argv_push(char ***argv, int *argc, char *s)
{
	char **v = realloc(*argv, sizeof(char *) * (size_t)(*argc + 2));

	if (!v) {
		free(s);
		return -1;
	}
	*argv = v;
	v[(*argc)++] = s;
	v[*argc] = NULL;
	return 0;
}

void
weir_pl_argv_free(char **argv)
{
	char **p;

	for (p = argv; p && *p; p++)
		free(*p);
	free(argv);
}

char **
weir_pl_split(const char *s, const char *(*look)(const char *, void *),
    void *arg, int *argcp, char *err, size_t errsz)
{
	weir_buf w = { 0 };
	char **argv = NULL;
	int argc = 0, inword = 0;
	char q = 0;
	size_t i = 0, n = strlen(s), j;

	argv = calloc(1, sizeof(char *));
	if (!argv)
		goto oom;
	while (i <= n) {
		char ch = i < n ? s[i] : 0;
		if (!q && (i == n || ch == ' ' || ch == '\t' || ch == '\n' ||
		    ch == '\r')) {
			if (inword) {
				char *word = buf_str(&w);
				if (!word || argv_push(&argv, &argc, word) < 0)
					goto oom;
				w.len = 0;
				inword = 0;
			}
			i++;
			continue;
		}
		inword = 1;
		if (q == '\'') {
			if (ch == '\'')
				q = 0;
			else if (weir_buf_putc(&w, ch) < 0)
				goto oom;
			i++;
			continue;
		}
		if (ch == '\\') {
			if (i + 1 >= n) {
				weir_seterr(err, errsz, "trailing backslash");
				goto fail;
			}
			if (weir_buf_putc(&w, s[i + 1]) < 0)
				goto oom;
			i += 2;
			continue;
		}
		if (ch == '"' && q == '"') {
			q = 0;
			i++;
			continue;
		}
		if (!q && (ch == '"' || ch == '\'')) {
			q = ch;
			i++;
			continue;
		}
		if (ch == '$' && look && i + 1 < n && s[i + 1] == '{') {
			if ((j = close_brace(s, i, n, err, errsz)) == SIZE_MAX)
				goto fail;
			if (weir_pl_expand(s + i, j + 1 - i, &w, look, arg, err,
			    errsz) < 0)
				goto fail;
			i = j + 1;
			continue;
		}
		if (ch == '$' && look && i + 1 < n && s[i + 1] == '$') {
			if (weir_buf_putc(&w, '$') < 0)
				goto oom;
			i += 2;
			continue;
		}
		if (weir_buf_putc(&w, ch) < 0)
			goto oom;
		i++;
	}
	if (q) {
		weir_seterr(err, errsz, "unterminated %s quote",
		    q == '"' ? "double" : "single");
		goto fail;
	}
	weir_buf_free(&w);
	*argcp = argc;
	return argv;
oom:
	weir_seterr(err, errsz, "out of memory");
fail:
	weir_buf_free(&w);
	weir_pl_argv_free(argv);
	return NULL;
}

/* Expand a scalar node into a new string; NULL (and a diagnostic). */
static char *
expand_node(ctx *c, const yaml_node_t *n, const char *what)
{
	weir_buf b = { 0 };
	char err[WEIR_ERRSZ];
	char *s;

	if (n->type != YAML_SCALAR_NODE) {
		diag(c, n, "%s must be a string, not %s", what, kind(n));
		return NULL;
	}
	if (n->data.scalar.style == YAML_SINGLE_QUOTED_SCALAR_STYLE)
		err[0] = 0, s = strdup(sval(n));
	else if (weir_pl_expand(sval(n), n->data.scalar.length, &b, lookup, c,
	    err, sizeof(err)) < 0) {
		diag(c, n, "%s: %s", what, err);
		weir_buf_free(&b);
		return NULL;
	} else
		s = buf_str(&b);
	weir_buf_free(&b);
	if (!s)
		c->oom = 1;
	return s;
}

static int
valid_name(const char *s, int env)
{
	const char *p;

	if (!*s || (env && *s >= '0' && *s <= '9'))
		return 0;
	for (p = s; *p; p++)
		if (!((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') ||
		    (*p >= '0' && *p <= '9') || *p == '_' ||
		    (!env && (*p == '-' || *p == '.'))))
			return 0;
	return 1;
}

/* env: {NAME: value, ...} appended to *env as NAME=VALUE. */
static void
parse_env(ctx *c, const yaml_node_t *m, char ***env, const char *what)
{
	yaml_node_pair_t *p;
	yaml_node_t *k, *v;
	char *val, *kv;
	int n = 0;

	if (check_keys(c, m, what, NULL) < 0)
		return;
	for (char **e = *env; e && *e; e++)
		n++;
	for (p = m->data.mapping.pairs.start; p < m->data.mapping.pairs.top;
	    p++) {
		k = node(c, p->key);
		v = node(c, p->value);
		if (!k || !v || k->type != YAML_SCALAR_NODE)
			continue;
		if (!valid_name(sval(k), 1)) {
			diag(c, k, "%s: '%s' is not a variable name (letters, "
			    "digits and _, not starting with a digit)", what,
			    sval(k));
			continue;
		}
		if (v->type != YAML_SCALAR_NODE) {
			diag(c, v, "%s: %s must be a string, not %s", what,
			    sval(k), kind(v));
			continue;
		}
		if (!(val = expand_node(c, v, sval(k))))
			continue;
		if (asprintf(&kv, "%s=%s", sval(k), val) < 0) {
			free(val);
			c->oom = 1;
			return;
		}
		free(val);
		if (argv_push(env, &n, kv) < 0)
			c->oom = 1;
	}
}

static int
parse_dur(ctx *c, const yaml_node_t *n, const char *what, int64_t *ms)
{
	char err[WEIR_ERRSZ];
	char *s = expand_node(c, n, what);
	int rc;

	if (!s)
		return -1;
	rc = weir_dur_parse(s, ms, err, sizeof(err));
	if (rc < 0)
		diag(c, n, "%s: %s", what, err);
	free(s);
	return rc;
}

static void
parse_restart(ctx *c, const yaml_node_t *m)
{
	weir_pipeline *pl = c->pl;
	yaml_node_t *v, *a, *b;
	char *s, *end;
	long long x;

	if (check_keys(c, m, "restart", restart_keys) < 0)
		return;
	if ((v = get(c, m, "policy"))) {
		if ((s = expand_node(c, v, "restart.policy"))) {
			if (!strcmp(s, "on-failure"))
				pl->restart_policy = WEIR_RESTART_ON_FAILURE;
			else if (!strcmp(s, "always"))
				pl->restart_policy = WEIR_RESTART_ALWAYS;
			else if (!strcmp(s, "never") || !strcmp(s, "no"))
				pl->restart_policy = WEIR_RESTART_NEVER;
			else {
				static const char *pols[] = { "on-failure",
					"always", "never", NULL };
				const char *sug = suggest(s, pols, SIZE_MAX);
				diag(c, v, "restart.policy: unknown policy '%s'"
				    "%s%s%s (on-failure, always or never)", s,
				    sug ? "; did you mean '" : "", sug ? sug : "",
				    sug ? "'?" : "");
			}
			free(s);
		}
	}
	if ((v = get(c, m, "backoff"))) {
		if (v->type == YAML_SCALAR_NODE) {
			if (parse_dur(c, v, "restart.backoff",
			    &pl->backoff_min) == 0 &&
			    pl->backoff_max < pl->backoff_min)
				pl->backoff_max = pl->backoff_min;
		} else if (v->type == YAML_SEQUENCE_NODE &&
		    v->data.sequence.items.top - v->data.sequence.items.start
		    == 2 && (a = node(c, v->data.sequence.items.start[0])) &&
		    (b = node(c, v->data.sequence.items.start[1]))) {
			if (parse_dur(c, a, "restart.backoff", &pl->backoff_min)
			    == 0 && parse_dur(c, b, "restart.backoff",
			    &pl->backoff_max) == 0 &&
			    pl->backoff_max < pl->backoff_min)
				diag(c, b, "restart.backoff: the maximum is "
				    "below the minimum");
		} else
			diag(c, v, "restart.backoff must be a duration or a list "
			    "[MIN, MAX], not %s", kind(v));
	}
	if ((v = get(c, m, "max")) && (s = expand_node(c, v, "restart.max"))) {
		errno = 0;
		x = strtoll(s, &end, 10);
		if (errno || end == s || *end || x < 0 || x > 1000000)
			diag(c, v, "restart.max: '%s' is not a number from 0 to "
			    "1000000", s);
		else
			pl->restart_max = (int)x;
		free(s);
	}
	if ((v = get(c, m, "period")))
		(void)parse_dur(c, v, "restart.period", &pl->restart_period);
}

static int
executable(const char *path)
{
	struct stat st;

	return stat(path, &st) == 0 && S_ISREG(st.st_mode) &&
	    access(path, X_OK) == 0;
}

/* Where argv0 would run from: beside weir-run, then on PATH. */
static char *
resolve(ctx *c, const char *prog)
{
	const char *path, *p, *e;
	char *cand;

	if (strchr(prog, '/'))
		return executable(prog) ? strdup(prog) : NULL;
	if (c->o->selfdir) {
		if (asprintf(&cand, "%s/%s", c->o->selfdir, prog) < 0)
			return NULL;
		if (executable(cand))
			return cand;
		free(cand);
	}
	path = c->o->getenv ? c->o->getenv("PATH") : getenv("PATH");
	if (!path)
		path = "/usr/local/bin:/usr/bin:/bin";
	for (p = path; ; p = e + 1) {
		e = strchr(p, ':');
		if (!e)
			e = p + strlen(p);
		if (asprintf(&cand, "%.*s/%s", (int)(e - p), e == p ? "." : p,
		    prog) < 0)
			return NULL;
		if (executable(cand))
			return cand;
		free(cand);
		if (!*e)
			break;
	}
	return NULL;
}

static void
parse_run(ctx *c, weir_pl_stage *st, const yaml_node_t *v)
{
	char err[WEIR_ERRSZ];
	yaml_node_item_t *it;
	yaml_node_t *x;
	char *s;

	st->argv = calloc(1, sizeof(char *));
	if (!st->argv) {
		c->oom = 1;
		return;
	}
	if (v->type == YAML_SCALAR_NODE) {
		/* a single-quoted YAML string is split but not expanded */
		char **argv = weir_pl_split(sval(v), v->data.scalar.style ==
		    YAML_SINGLE_QUOTED_SCALAR_STYLE ? NULL : lookup, c,
		    &st->argc, err, sizeof(err));
		if (!argv) {
			diag(c, v, "stage '%s': run: %s", st->name, err);
			return;
		}
		free(st->argv);
		st->argv = argv;
	} else if (v->type == YAML_SEQUENCE_NODE) {
		for (it = v->data.sequence.items.start;
		    it < v->data.sequence.items.top; it++) {
			if (!(x = node(c, *it)))
				return;
			if (x->type != YAML_SCALAR_NODE) {
				diag(c, x, "stage '%s': run: each argument must be "
				    "a string, not %s", st->name, kind(x));
				continue;
			}
			if ((s = expand_node(c, x, "run")) &&
			    argv_push(&st->argv, &st->argc, s) < 0)
				c->oom = 1;
		}
	} else {
		diag(c, v, "stage '%s': run must be a command string or a list "
		    "of arguments, not %s", st->name, kind(v));
		return;
	}
	if (!st->argc) {
		diag(c, v, "stage '%s': run is empty", st->name);
		return;
	}
	if (c->o->no_lookup)
		return;
	st->path = resolve(c, st->argv[0]);
	if (!st->path)
		diag(c, v, "stage '%s': program '%s' not found%s", st->name,
		    st->argv[0], strchr(st->argv[0], '/') ? " or not executable" :
		    " beside weir-run or on PATH");
}

static int
add_edge(weir_pipeline *pl, int from, int to, int fd, const yaml_node_t *at)
{
	weir_pl_edge *e = realloc(pl->edges, sizeof(*e) *
	    (size_t)(pl->nedges + 1));

	if (!e)
		return -1;
	pl->edges = e;
	e += pl->nedges++;
	e->from = from;
	e->to = to;
	e->fd = fd;
	e->line = at ? (int)at->start_mark.line + 1 : 0;
	e->col = at ? (int)at->start_mark.column + 1 : 0;
	return 0;
}

/* Resolve a stage reference; -1 and a diagnostic if unknown. */
static int
ref(ctx *c, const yaml_node_t *v, const char *who, const char *what)
{
	weir_pipeline *pl = c->pl;
	const char *names[MAX_STAGES + 1], *s;
	int i;

	if (v->type != YAML_SCALAR_NODE) {
		diag(c, v, "stage '%s': %s must be a stage name, not %s", who,
		    what, kind(v));
		return -1;
	}
	i = weir_pipeline_find(pl, sval(v));
	if (i >= 0)
		return i;
	for (i = 0; i < pl->nstages; i++)
		names[i] = pl->stages[i].name ? pl->stages[i].name : "";
	names[i] = NULL;
	s = suggest(sval(v), names, (size_t)pl->nstages);
	diag(c, v, "stage '%s': %s: unknown stage '%s'%s%s%s", who, what,
	    sval(v), s ? "; did you mean '" : "", s ? s : "", s ? "'?" : "");
	return -1;
}

/* Depth-first search for a cycle through stage i; 1 if one was reported. */
static int
cycle_from(ctx *c, int i, int *state, int *stack, int depth)
{
	weir_pipeline *pl = c->pl;
	int e, k;

	state[i] = 1;
	stack[depth] = i;
	for (e = 0; e < pl->nedges; e++) {
		weir_pl_edge *ed = &pl->edges[e];
		if (ed->from != i)
			continue;
		if (state[ed->to] == 1) {
			weir_buf path = { 0 };
			for (k = 0; k <= depth && stack[k] != ed->to; k++)
				;
			for (; k <= depth; k++)
				(void)weir_buf_printf(&path, "%s -> ",
				    pl->stages[stack[k]].name);
			(void)weir_buf_printf(&path, "%s",
			    pl->stages[ed->to].name);
			(void)weir_buf_putc(&path, 0);
			diag_lc(c, ed->line ? ed->line :
			    pl->stages[ed->to].line, ed->line ? ed->col :
			    pl->stages[ed->to].col, "stage '%s': input cycle: %s",
			    pl->stages[ed->to].name,
			    path.p ? (char *)path.p : "?");
			weir_buf_free(&path);
			return 1;
		}
		if (!state[ed->to] && cycle_from(c, ed->to, state, stack,
		    depth + 1))
			return 1;
	}
	state[i] = 2;
	return 0;
}

static void
wire(ctx *c, yaml_node_t **inp, yaml_node_t **inps)
{
	weir_pipeline *pl = c->pl;
	yaml_node_pair_t *p;
	yaml_node_t *k, *v;
	int i, j, from, fd, *state, *stack, changed;
	char *end;
	long x;

	/* side stages: named in some inputs map */
	for (i = 0; i < pl->nstages; i++) {
		if (!inps[i])
			continue;
		if (inps[i]->type != YAML_MAPPING_NODE) {
			diag(c, inps[i], "stage '%s': inputs must be a mapping "
			    "{FD: STAGE}, not %s", pl->stages[i].name,
			    kind(inps[i]));
			inps[i] = NULL;
			continue;
		}
		(void)check_keys(c, inps[i], "inputs", NULL);
		for (p = inps[i]->data.mapping.pairs.start;
		    p < inps[i]->data.mapping.pairs.top; p++) {
			v = node(c, p->value);
			if (v && v->type == YAML_SCALAR_NODE &&
			    (j = weir_pipeline_find(pl, sval(v))) >= 0)
				pl->stages[j].side = 1;
		}
	}
	/* ... and, up a side branch, the stages side stages name in input */
	for (changed = 1; changed; ) {
		changed = 0;
		for (i = 0; i < pl->nstages; i++)
			if (pl->stages[i].side && inp[i] &&
			    inp[i]->type == YAML_SCALAR_NODE &&
			    (j = weir_pipeline_find(pl, sval(inp[i]))) >= 0 &&
			    !pl->stages[j].side)
				pl->stages[j].side = changed = 1;
	}
	for (i = 0; i < pl->nstages; i++) {
		weir_pl_stage *st = &pl->stages[i];
		if (inp[i]) {
			if ((from = ref(c, inp[i], st->name, "input")) >= 0) {
				st->in_from = from;
				if (add_edge(pl, from, i, 0, inp[i]) < 0)
					c->oom = 1;
			} else
				st->in_from = WEIR_PL_NULL;
		} else if (st->side)
			st->in_from = WEIR_PL_NULL;
		else {
			for (j = i - 1; j >= 0 && pl->stages[j].side; j--)
				;
			st->in_from = j >= 0 ? j : WEIR_PL_STDIN;
			if (j >= 0 && add_edge(pl, j, i, 0, NULL) < 0)
				c->oom = 1;
		}
		if (!inps[i])
			continue;
		for (p = inps[i]->data.mapping.pairs.start;
		    p < inps[i]->data.mapping.pairs.top; p++) {
			k = node(c, p->key);
			v = node(c, p->value);
			if (!k || !v || k->type != YAML_SCALAR_NODE)
				continue;
			errno = 0;
			x = strtol(sval(k), &end, 10);
			if (errno || end == sval(k) || *end || x < 3 ||
			    x > MAX_FD) {
				diag(c, k, "stage '%s': inputs: '%s' is not a "
				    "descriptor number from 3 to %d (0, 1 and 2 "
				    "are stdin, stdout and stderr)", st->name,
				    sval(k), MAX_FD);
				continue;
			}
			fd = (int)x;
			if ((from = ref(c, v, st->name, "inputs")) < 0)
				continue;
			if (add_edge(pl, from, i, fd, v) < 0)
				c->oom = 1;
		}
	}
	state = calloc((size_t)pl->nstages + 1, sizeof(int));
	stack = calloc((size_t)pl->nstages + 1, sizeof(int));
	if (!state || !stack)
		c->oom = 1;
	else
		for (i = 0; i < pl->nstages; i++)
			if (!state[i] && cycle_from(c, i, state, stack, 0))
				break;
	free(state);
	free(stack);
	for (i = 0; i < pl->nedges; i++)
		pl->stages[pl->edges[i].from].nout++;
}

static void
parse_stages(ctx *c, const yaml_node_t *seq)
{
	weir_pipeline *pl = c->pl;
	yaml_node_item_t *it;
	yaml_node_t *m, *v, **inp, **inps;
	int n, i;

	if (seq->type != YAML_SEQUENCE_NODE) {
		diag(c, seq, "stages must be a list, not %s", kind(seq));
		return;
	}
	n = (int)(seq->data.sequence.items.top - seq->data.sequence.items.start);
	if (n == 0) {
		diag(c, seq, "stages: the list is empty");
		return;
	}
	if (n > MAX_STAGES) {
		diag(c, seq, "stages: more than %d stages", MAX_STAGES);
		return;
	}
	pl->stages = calloc((size_t)n, sizeof(*pl->stages));
	inp = calloc((size_t)n, sizeof(*inp));
	inps = calloc((size_t)n, sizeof(*inps));
	if (!pl->stages || !inp || !inps) {
		free(inp);
		free(inps);
		c->oom = 1;
		return;
	}
	for (it = seq->data.sequence.items.start, i = 0;
	    it < seq->data.sequence.items.top; it++) {
		weir_pl_stage *st;
		char what[64];
		if (!(m = node(c, *it)))
			break;
		v = m->type == YAML_MAPPING_NODE ? get(c, m, "name") : NULL;
		if (v && v->type == YAML_SCALAR_NODE)
			snprintf(what, sizeof(what), "stage '%.40s'", sval(v));
		else
			snprintf(what, sizeof(what), "stage %d", i + 1);
		if (check_keys(c, m, what, stage_keys) < 0)
			continue;
		st = &pl->stages[i];
		st->line = (int)m->start_mark.line + 1;
		st->col = (int)m->start_mark.column + 1;
		st->in_from = WEIR_PL_NULL;
		v = get(c, m, "name");
		if (!v) {
			diag(c, m, "%s has no name", what);
			snprintf(what, sizeof(what), "#%d", i + 1);
			st->name = strdup(what);
		} else if (v->type != YAML_SCALAR_NODE) {
			diag(c, v, "%s: name must be a string, not %s", what,
			    kind(v));
			snprintf(what, sizeof(what), "#%d", i + 1);
			st->name = strdup(what);
		} else {
			st->name = strdup(sval(v));
			if (!valid_name(sval(v), 0))
				diag(c, v, "%s: bad name '%s' (letters, digits, "
				    "'_', '-' and '.')", what, sval(v));
			else {
				int j = weir_pipeline_find(pl, sval(v));
				if (j >= 0 && j < i)
					diag(c, v, "duplicate stage name '%s' "
					    "(first at line %d)", sval(v),
					    pl->stages[j].line);
			}
		}
		pl->nstages = i + 1;
		if (!st->name) {
			c->oom = 1;
			break;
		}
		c->stage_env = NULL;
		if ((v = get(c, m, "env")))
			parse_env(c, v, &st->env, "env");
		c->stage_env = st->env;
		if ((v = get(c, m, "run")))
			parse_run(c, st, v);
		else
			diag(c, m, "stage '%s' has no run (the command to run)",
			    st->name);
		c->stage_env = NULL;
		inp[i] = get(c, m, "input");
		inps[i] = get(c, m, "inputs");
		if (inps[i] && is_null(inps[i]))
			inps[i] = NULL;
		i++;
	}
	pl->nstages = i;
	if (!c->oom && c->visits <= MAX_NODES_VISITED)
		wire(c, inp, inps);
	free(inp);
	free(inps);
}

weir_pipeline *
weir_pipeline_parse(const char *file, const char *text, size_t len,
    const weir_pl_opts *opts)
{
	static const weir_pl_opts defopts;
	weir_pipeline *pl = calloc(1, sizeof(*pl));
	yaml_parser_t parser;
	yaml_node_t *root, *v;
	ctx c;

	if (!pl)
		return NULL;
	memset(&c, 0, sizeof(c));
	c.pl = pl;
	c.o = opts ? opts : &defopts;
	pl->file = strdup(file ? file : "-");
	pl->restart_policy = WEIR_RESTART_ON_FAILURE;
	pl->backoff_min = 1000;
	pl->backoff_max = 60000;
	pl->restart_max = 5;
	pl->restart_period = 60000;
	if (!pl->file) {
		free(pl);
		return NULL;
	}
	if (!yaml_parser_initialize(&parser)) {
		weir_pipeline_free(pl);
		return NULL;
	}
	yaml_parser_set_input_string(&parser, (const unsigned char *)text, len);
	if (!yaml_parser_load(&parser, &c.doc)) {
		diag_lc(&c, (int)parser.problem_mark.line + 1,
		    (int)parser.problem_mark.column + 1, "YAML: %s%s%s",
		    parser.problem ? parser.problem : "syntax error",
		    parser.context ? " " : "", parser.context ?
		    parser.context : "");
		yaml_parser_delete(&parser);
		free(c.dp);
		return pl;
	}
	yaml_parser_delete(&parser);
	root = yaml_document_get_root_node(&c.doc);
	if (!root || is_null(root))
		diag_lc(&c, 1, 1, "empty pipeline (it needs at least 'stages')");
	else if (check_keys(&c, root, "the pipeline", top_keys) == 0) {
		if ((v = get(&c, root, "env")))
			parse_env(&c, v, &pl->env, "env");
		if ((v = get(&c, root, "name")))
			pl->name = expand_node(&c, v, "name");
		if ((v = get(&c, root, "description")) &&
		    v->type != YAML_SCALAR_NODE)
			diag(&c, v, "description must be a string, not %s",
			    kind(v));
		if ((v = get(&c, root, "restart")))
			parse_restart(&c, v);
		if ((v = get(&c, root, "stages")))
			parse_stages(&c, v);
		else
			diag(&c, root, "the pipeline has no stages");
	}
	if (c.visits > MAX_NODES_VISITED)
		diag_lc(&c, 1, 1, "the document is too large or has too many "
		    "aliases");
	if (c.oom)
		diag_lc(&c, 1, 1, "out of memory");
	sort_diags(&c);
	free(c.dp);
	yaml_document_delete(&c.doc);
	return pl;
}

weir_pipeline *
weir_pipeline_load(const char *file, const weir_pl_opts *opts, char *err,
    size_t errsz)
{
	weir_buf b = { 0 };
	weir_pipeline *pl;
	ssize_t n;
	int fd;

	fd = strcmp(file, "-") ? open(file, O_RDONLY | O_CLOEXEC) : 0;
	if (fd < 0) {
		weir_seterr(err, errsz, "%s: %s", file, strerror(errno));
		return NULL;
	}
	for (;;) {
		if (weir_buf_reserve(&b, 65536) < 0) {
			weir_seterr(err, errsz, "%s: out of memory", file);
			goto fail;
		}
		n = read(fd, b.p + b.len, b.cap - b.len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			weir_seterr(err, errsz, "%s: %s", file, strerror(errno));
			goto fail;
		}
		if (n == 0)
			break;
		b.len += (size_t)n;
		if (b.len > 16u * 1024 * 1024) {
			weir_seterr(err, errsz, "%s: larger than 16 MB", file);
			goto fail;
		}
	}
	if (fd)
		close(fd);
	pl = weir_pipeline_parse(file, b.p ? (char *)b.p : "", b.len, opts);
	weir_buf_free(&b);
	if (!pl)
		weir_seterr(err, errsz, "out of memory");
	return pl;
fail:
	if (fd)
		close(fd);
	weir_buf_free(&b);
	return NULL;
}

void
weir_pipeline_free(weir_pipeline *pl)
{
	int i;

	if (!pl)
		return;
	for (i = 0; i < pl->nstages; i++) {
		free(pl->stages[i].name);
		weir_pl_argv_free(pl->stages[i].argv);
		free(pl->stages[i].path);
		weir_pl_argv_free(pl->stages[i].env);
	}
	free(pl->stages);
	free(pl->edges);
	weir_pl_argv_free(pl->env);
	weir_buf_free(&pl->diag);
	free(pl->file);
	free(pl->name);
	free(pl);
}

int
weir_pipeline_find(const weir_pipeline *pl, const char *name)
{
	int i;

	for (i = 0; i < pl->nstages; i++)
		if (pl->stages[i].name && !strcmp(pl->stages[i].name, name))
			return i;
	return -1;
}

int
weir_pipeline_is_source(const weir_pipeline *pl, int i)
{
	int e;

	for (e = 0; e < pl->nedges; e++)
		if (pl->edges[e].to == i)
			return 0;
	return 1;
}

static int
dot_str(weir_buf *out, const char *s)
{
	int rc = weir_buf_putc(out, '"');

	for (; *s && !rc; s++) {
		if (*s == '"' || *s == '\\')
			rc = weir_buf_putc(out, '\\');
		if (!rc)
			rc = *s == '\n' ? weir_buf_puts(out, "\\n") :
			    weir_buf_putc(out, *s);
	}
	return rc ? rc : weir_buf_putc(out, '"');
}

int
weir_pipeline_dot(const weir_pipeline *pl, weir_buf *out)
{
	int i, rc = 0;
	char **a;

	rc |= weir_buf_puts(out, "digraph ");
	rc |= dot_str(out, pl->name ? pl->name : "pipeline");
	rc |= weir_buf_puts(out, " {\n\trankdir=LR;\n\tnode [shape=box];\n");
	for (i = 0; i < pl->nstages && !rc; i++) {
		weir_buf lab = { 0 };
		const weir_pl_stage *st = &pl->stages[i];
		rc |= weir_buf_printf(&lab, "%s\n", st->name);
		for (a = st->argv; a && *a; a++)
			rc |= weir_buf_printf(&lab, "%s%s", a == st->argv ? "" :
			    " ", *a);
		rc |= weir_buf_putc(&lab, 0);
		rc |= weir_buf_putc(out, '\t');
		rc |= dot_str(out, st->name);
		rc |= weir_buf_puts(out, " [label=");
		rc |= dot_str(out, lab.p ? (char *)lab.p : st->name);
		rc |= weir_buf_puts(out, "];\n");
		weir_buf_free(&lab);
		if (st->in_from == WEIR_PL_STDIN) {
			rc |= weir_buf_puts(out, "\tstdin [shape=plaintext];\n"
			    "\tstdin -> ");
			rc |= dot_str(out, st->name);
			rc |= weir_buf_puts(out, ";\n");
		}
		if (!st->nout) {
			rc |= weir_buf_puts(out, "\tstdout [shape=plaintext];\n"
			    "\t");
			rc |= dot_str(out, st->name);
			rc |= weir_buf_puts(out, " -> stdout;\n");
		}
	}
	for (i = 0; i < pl->nedges && !rc; i++) {
		const weir_pl_edge *e = &pl->edges[i];
		rc |= weir_buf_putc(out, '\t');
		rc |= dot_str(out, pl->stages[e->from].name);
		rc |= weir_buf_puts(out, " -> ");
		rc |= dot_str(out, pl->stages[e->to].name);
		if (e->fd)
			rc |= weir_buf_printf(out, " [label=\"fd %d\"]", e->fd);
		rc |= weir_buf_puts(out, ";\n");
	}
	rc |= weir_buf_puts(out, "}\n");
	return rc ? -1 : 0;
}
