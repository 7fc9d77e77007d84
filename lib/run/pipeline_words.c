/*
 * pipeline_words.c - weir-run's command strings: split into words like a
 * shell would (without one), ${VAR}, ${VAR:-default} and ${VAR:+word}
 * expanded.
 */
#include "pipeline_impl.h"

#include <stdlib.h>

/* The longest value ${...} may expand to: one argument or environment
 * string, NUL included, is at most MAX_ARG_STRLEN (128 KiB) for execve. */
#define MAX_VALUE (128 * 1024)

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

static int
toolong(char *err, size_t errsz)
{
	weir_seterr(err, errsz, "%d KiB or longer once ${...} is expanded "
	    "(more than one argument or environment string can hold)",
	    MAX_VALUE / 1024);
	return WEIR_FAIL_USAGE;
}

int
weir_pl_expand(const char *s, size_t n, weir_buf *out,
    const char *(*look)(const char *, void *), void *arg, char *err,
    size_t errsz)
{
	static int depth;
	size_t i = 0, j, name0, namelen, def0 = 0, deflen = 0;
	int hasdef, alt, rc = 0;
	const char *v;
	char name[128];

	if (depth > 8) {
		weir_seterr(err, errsz, "${...} nested too deeply");
		return WEIR_FAIL_USAGE;
	}
	while (i < n) {
		if (out->len >= MAX_VALUE)
			return toolong(err, errsz);
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
		/* ${NAME}, ${NAME:-default} or ${NAME:+word}; defaults and
		 * words may nest ${...} */
		if ((j = close_brace(s, i, n, err, errsz)) == SIZE_MAX)
			return WEIR_FAIL_USAGE;
		name0 = i + 2;
		for (namelen = 0; name0 + namelen < j &&
		    (s[name0 + namelen] == '_' ||
		    (s[name0 + namelen] >= 'A' && s[name0 + namelen] <= 'Z') ||
		    (s[name0 + namelen] >= 'a' && s[name0 + namelen] <= 'z') ||
		    (namelen && s[name0 + namelen] >= '0' &&
		    s[name0 + namelen] <= '9')); namelen++)
			;
		hasdef = alt = 0;
		if (name0 + namelen + 1 < j + 1 && name0 + namelen + 2 <= j &&
		    s[name0 + namelen] == ':' && (s[name0 + namelen + 1] == '-' ||
		    s[name0 + namelen + 1] == '+')) {
			hasdef = 1;
			alt = s[name0 + namelen + 1] == '+';
			def0 = name0 + namelen + 2;
			deflen = j - def0;
		} else if (name0 + namelen != j) {
			weir_seterr(err, errsz, "bad variable reference '%.*s' "
			    "(write ${NAME} or ${NAME:-default})",
			    (int)(j + 1 - i > 60 ? 60 : j + 1 - i), s + i);
			return WEIR_FAIL_USAGE;
		}
		if (!namelen || namelen >= sizeof(name)) {
			weir_seterr(err, errsz, "bad variable name in '%.*s'",
			    (int)(j + 1 - i > 60 ? 60 : j + 1 - i), s + i);
			return WEIR_FAIL_USAGE;
		}
		memcpy(name, s + name0, namelen);
		name[namelen] = 0;
		v = look(name, arg);
		if (alt) {	/* the word if set and not empty, else nothing */
			if (v && *v) {
				depth++;
				rc = weir_pl_expand(s + def0, deflen, out, look,
				    arg, err, errsz);
				depth--;
				if (rc < 0)
					return rc;
			}
		} else if (v && *v) {
			if (strlen(v) >= MAX_VALUE - out->len)
				return toolong(err, errsz);
			if (weir_buf_puts(out, v) < 0)
				goto oom;
		} else if (hasdef) {
			depth++;
			rc = weir_pl_expand(s + def0, deflen, out, look, arg, err,
			    errsz);
			depth--;
			if (rc < 0)
				return rc;
		} else if (!v) {
			weir_seterr(err, errsz, "undefined variable '%s' (set it, "
			    "or write ${%s:-default})", name, name);
			return WEIR_FAIL_USAGE;
		}
		i = j + 1;
	}
	return out->len >= MAX_VALUE ? toolong(err, errsz) : 0;
oom:
	weir_seterr(err, errsz, "out of memory");
	return WEIR_FAIL_NOMEM;
}

char *
weir__pl_buf_str(weir_buf *b)
{
	char *s = malloc(b->len + 1);

	if (s) {
		if (b->len)
			memcpy(s, b->p, b->len);
		s[b->len] = 0;
	}
	return s;
}

int
weir__pl_argv_push(char ***argv, int *argc, char *s)
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

int
weir_pl_split(char ***out, const char *s, const char *(*look)(const char *,
    void *), void *arg, int *argcp, char *err, size_t errsz)
{
	weir_buf w = { 0 };
	char **argv = NULL;
	int argc = 0, inword = 0, rc = WEIR_FAIL_USAGE, e;
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
				char *word = weir__pl_buf_str(&w);
				if (!word ||
				    weir__pl_argv_push(&argv, &argc, word) < 0)
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
			if ((e = weir_pl_expand(s + i, j + 1 - i, &w, look, arg,
			    err, errsz)) < 0) {
				rc = e;
				goto fail;
			}
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
	*out = argv;
	return 0;
oom:
	weir_seterr(err, errsz, "out of memory");
	rc = WEIR_FAIL_NOMEM;
fail:
	weir_buf_free(&w);
	weir_pl_argv_free(argv);
	*out = NULL;
	return rc;
}
