/* path.c - parse and evaluate field paths. */
#include "path.h"

#include <stdlib.h>

static int
add_step(weir_path *p, int is_index, int64_t idx, const char *k, size_t kl)
{
	weir_path_step *ns = realloc(p->steps, sizeof(*ns) * (p->nsteps + 1));
	weir_path_step *st;

	if (!ns)
		return -1;
	p->steps = ns;
	st = &p->steps[p->nsteps];
	memset(st, 0, sizeof(*st));
	st->is_index = is_index;
	st->index = idx;
	if (!is_index) {
		st->key = malloc(kl + 1);
		if (!st->key)
			return -1;
		memcpy(st->key, k, kl);
		st->key[kl] = 0;
		st->key_len = kl;
	}
	p->nsteps++;
	return 0;
}

static int
quoted(weir_path *p, const char *s, size_t *i)
{
	weir_buf b = {0};
	size_t j = *i + 1;
	int rc;

	while (s[j] && s[j] != '"') {
		if (s[j] == '\\' && s[j + 1])
			j++;
		j++;
	}
	if (s[j] != '"')
		return WEIR_FAIL_USAGE;
	rc = weir_json_unescape(&b, (const uint8_t *)s + *i + 1, j - *i - 1);
	if (rc < 0) {
		weir_buf_free(&b);
		return rc == WEIR_FAIL_NOMEM ? rc : WEIR_FAIL_USAGE;
	}
	rc = add_step(p, 0, 0, b.p ? (const char *)b.p : "", b.len);
	weir_buf_free(&b);
	*i = j + 1;
	return rc;
}

int
weir_path_parse(weir_path *p, const char *s, char *err, size_t errsz)
{
	size_t i = 0, n = strlen(s);
	int rc;

	memset(p, 0, sizeof(*p));
	p->text = strdup(s);
	if (!p->text)
		goto nomem;
	if (s[0] != '.') {
		weir_seterr(err, errsz, "path '%s' must start with '.' (like .user)", s);
		weir_path_free(p);
		return WEIR_FAIL_USAGE;
	}
	i = 1;
	if (n == 1)
		return 0;
	while (i < n) {
		if (s[i] == '[') {
			if (s[i + 1] == '"') {
				i++;
				if ((rc = quoted(p, s, &i)) == WEIR_FAIL_NOMEM)
					goto nomem;
				if (rc < 0 || s[i] != ']')
					goto bad;
				i++;
			} else {
				char *end;
				long long v = strtoll(s + i + 1, &end, 10);
				if (end == s + i + 1 || *end != ']')
					goto bad;
				if (add_step(p, 1, v, NULL, 0) < 0)
					goto nomem;
				i = (size_t)(end - s) + 1;
			}
		} else if (s[i] == '"') {
			if ((rc = quoted(p, s, &i)) == WEIR_FAIL_NOMEM)
				goto nomem;
			if (rc < 0)
				goto bad;
		} else {
			size_t j = i;
			while (j < n && s[j] != '.' && s[j] != '[')
				j++;
			if (j == i)
				goto bad;
			if (add_step(p, 0, 0, s + i, j - i) < 0)
				goto nomem;
			i = j;
		}
		if (i < n) {
			if (s[i] == '.') {
				i++;
				if (i >= n || s[i] == '.')
					goto bad;
			} else if (s[i] != '[')
				goto bad;
		}
	}
	return 0;
nomem:
	weir_seterr(err, errsz, "out of memory");
	weir_path_free(p);
	return WEIR_FAIL_NOMEM;
bad:
	weir_seterr(err, errsz, "bad path '%s' (paths look like .user, .a.b, "
	    ".items[0], .[\"a key\"])", s);
	weir_path_free(p);
	return WEIR_FAIL_USAGE;
}

/* The end of the list item at s: the first comma outside quotes and
 * brackets, or the NUL; NULL if a quote or bracket is left open. */
static const char *
item_end(const char *s)
{
	int depth = 0, quote = 0;

	for (;; s++) {
		if (!*s)
			return quote || depth ? NULL : s;
		if (quote) {
			if (*s == '\\' && s[1])
				s++;
			else if (*s == '"')
				quote = 0;
		} else if (*s == '"')
			quote = 1;
		else if (*s == '[')
			depth++;
		else if (*s == ']')
			depth--;
		else if (*s == ',' && depth <= 0)
			return s;
	}
}

int
weir_path_list(char ***out, size_t *n, const char *s, char *err, size_t errsz)
{
	const char *p, *e;
	size_t k = 0, len = strlen(s);
	char **v, *copy;

	for (p = s;; p = e + 1) {
		if (!(e = item_end(p))) {
			weir_seterr(err, errsz, "unclosed quote or bracket in "
			    "'%s'", s);
			return WEIR_FAIL_USAGE;
		}
		if (e == p) {
			weir_seterr(err, errsz, "empty item in the list '%s'", s);
			return WEIR_FAIL_USAGE;
		}
		k++;
		if (!*e)
			break;
	}
	if (!(v = malloc(k * sizeof(*v) + len + 1))) {
		weir_seterr(err, errsz, "out of memory");
		return WEIR_FAIL_NOMEM;
	}
	copy = (char *)(v + k);
	memcpy(copy, s, len + 1);
	for (k = 0, p = copy;; p = e + 1) {
		e = item_end(p);
		v[k++] = (char *)p;
		if (!*e)
			break;
		*(char *)e = 0;
	}
	*n = k;
	*out = v;
	return 0;
}

void
weir_path_free(weir_path *p)
{
	size_t i;

	for (i = 0; i < p->nsteps; i++)
		free(p->steps[i].key);
	free(p->steps);
	free(p->text);
	memset(p, 0, sizeof(*p));
}

const char *
weir_path_name(const weir_path *p, size_t *len)
{
	size_t i;

	for (i = p->nsteps; i > 0; i--)
		if (!p->steps[i - 1].is_index) {
			*len = p->steps[i - 1].key_len;
			return p->steps[i - 1].key;
		}
	*len = 5;
	return "value";
}

int
weir_path_get(const weir_path *p, const weir_pv *root, weir_pv *out)
{
	weir_pv tmp[2], *next;
	const weir_pv *cur = root;
	size_t i;

	if (root->type == WEIR_PV_MISSING)
		return 0;
	if (p->nsteps == 0) {
		*out = *root;
		return 1;
	}
	/* each step reads the one before in place and the last writes *out:
	 * a copy of a weir_pv just written field by field stalls on its
	 * loads (three copies were 70% of this function's time) */
	for (i = 0; i < p->nsteps; i++) {
		const weir_path_step *st = &p->steps[i];
		next = i + 1 == p->nsteps ? out : &tmp[i & 1];
		if (st->is_index) {
			if (!weir_pv_index(cur, st->index, next))
				return 0;
		} else if (!weir_pv_member(cur, st->key, st->key_len, next))
			return 0;
		cur = next;
	}
	return 1;
}
