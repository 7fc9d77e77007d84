/*
 * rules_flags.c - weir-check's one-liner rules: one rule from a
 * command-line flag (--not-null .id, --range .amount=0..100, ...).
 */
#include "rules_impl.h"

#include <stdlib.h>

#include "dur.h"

static int
flag_field(weir_rule *r, const char *path, size_t n, char *err, size_t errsz)
{
	if (!(r->field = strndup(path, n))) {
		weir_seterr(err, errsz, "out of memory");
		return WEIR_FAIL_NOMEM;
	}
	return weir__rules_path(&r->path, r->field, err, errsz);
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
		return WEIR_FAIL_NOMEM;
	}
	for (p = s;;) {
		const char *e = strchr(p, ',');
		size_t len = e ? (size_t)(e - p) : strlen(p);
		weir_rule_val *v = &r->vals[r->nvals++];

		if (weir__rules_num(p, len, &v->num) == 0)
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
				return WEIR_FAIL_NOMEM;
			}
		}
		if (!e)
			break;
		p = e + 1;
	}
	return 0;
}

/* relationships PATH=FILE[:FIELD]: FIELD (a path or a list after the
 * last ':' that a '.' or '[' follows) defaults to PATH. */
static int
flag_ref(weir_rule *r, const char *rest, char *err, size_t errsz)
{
	const char *c = NULL, *p;
	int rc;

	for (p = rest; (p = strchr(p, ':')); p++)
		if (p[1] == '.' || p[1] == '[')
			c = p;
	if (!(r->ref_file = c ? strndup(rest, (size_t)(c - rest)) :
	    strdup(rest)) || !(r->ref_field = strdup(c ? c + 1 : r->field))) {
		weir_seterr(err, errsz, "out of memory");
		return WEIR_FAIL_NOMEM;
	}
	if (!*r->ref_file) {
		weir_seterr(err, errsz, "expected PATH=FILE[:FIELD], got no "
		    "FILE");
		return WEIR_FAIL_USAGE;
	}
	if ((rc = weir__rules_path_list(r->ref_field, &r->ref_paths,
	    &r->nref_paths, err, errsz)) < 0)
		return rc;
	if (r->nref_paths != (r->npaths ? r->npaths : 1)) {
		weir_seterr(err, errsz, "FIELD gives %zu path%s for %zu",
		    r->nref_paths, r->nref_paths == 1 ? "" : "s",
		    r->npaths ? r->npaths : 1);
		return WEIR_FAIL_USAGE;
	}
	return 0;
}

/* unique or relationships on PATH, or on a list [PATH, ...] */
static int
flag_keys(weir_rule *r, const char *s, size_t n, char *err, size_t errsz)
{
	while (n && *s == ' ')
		s++, n--;
	if (!n || *s != '[')
		return flag_field(r, s, n, err, errsz);
	if (!(r->field = strndup(s, n))) {
		weir_seterr(err, errsz, "out of memory");
		return WEIR_FAIL_NOMEM;
	}
	return weir__rules_path_list(r->field, &r->paths, &r->npaths, err,
	    errsz);
}

int
weir_rules_flag_thresholds(weir_rule *r, const char *warn_if,
    const char *error_if, char *err, size_t errsz)
{
	const char *bad = NULL;

	if (warn_if && weir_rules_thr_parse(warn_if, &r->warn_if) < 0)
		bad = warn_if;
	else if (error_if && weir_rules_thr_parse(error_if, &r->error_if) < 0)
		bad = error_if;
	if (bad) {
		weir_seterr(err, errsz, "expected a condition on the failures "
		    "like '>10', '>=1%%' or '!=0', got '%s'", bad);
		return WEIR_FAIL_USAGE;
	}
	free(r->text);
	r->text = NULL;
	if (weir__rule_describe(r) < 0) {
		weir_seterr(err, errsz, "out of memory");
		return WEIR_FAIL_NOMEM;
	}
	return 0;
}

int
weir_rules_add_flag(weir_rules *rs, const char *kname, const char *arg,
    char *err, size_t errsz)
{
	int approx = strcmp(kname, "unique_approx") == 0;
	int required = strcmp(kname, "required") == 0;
	int kind = approx ? WEIR_RULE_UNIQUE : required ||
	    !strcmp(kname, "allowed") ? WEIR_RULE_SCHEMA :
	    weir_rule_kind_parse(kname), col;
	const char *eq = NULL, *rest = arg;
	weir_rule *r;
	size_t first = rs->n;
	int rc = WEIR_FAIL_USAGE;

	if (kind < 0) {
		weir_seterr(err, errsz, "unknown rule '%s'", kname);
		return WEIR_FAIL_USAGE;
	}
	if (!(r = weir__rules_push(rs, kind))) {
		weir_seterr(err, errsz, "out of memory");
		return WEIR_FAIL_NOMEM;
	}
	r->approx = approx;
	switch (kind) {
	case WEIR_RULE_NOT_NULL:
		if ((rc = flag_field(r, arg, strlen(arg), err, errsz)) < 0)
			goto fail;
		break;
	case WEIR_RULE_UNIQUE:
		if ((rc = flag_keys(r, arg, strlen(arg), err, errsz)) < 0)
			goto fail;
		break;
	case WEIR_RULE_SCHEMA:
		if ((rc = weir__rules_path_list(arg, required ? &r->paths :
		    &r->allowed, required ? &r->npaths : &r->nallowed, err,
		    errsz)) < 0 || (!required &&
		    (rc = weir__rules_schema_allowed(r, err, errsz)) < 0))
			goto fail;
		break;
	case WEIR_RULE_RELATIONSHIPS:
		if (!(eq = strchr(arg, '='))) {
			weir_seterr(err, errsz, "expected PATH=FILE[:FIELD], "
			    "got '%s'", arg);
			goto fail;
		}
		if ((rc = flag_keys(r, arg, (size_t)(eq - arg), err,
		    errsz)) < 0 || (rc = flag_ref(r, eq + 1, err, errsz)) < 0)
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
		if ((rc = weir__rule_expr(r, arg, err, errsz, &col)) < 0)
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
			    kind == WEIR_RULE_REGEX ? "REGEX" :
			    kind == WEIR_RULE_TYPE ? "TYPE[,TYPE]" : "LO..HI",
			    arg);
			goto fail;
		}
		if (eq) {
			if ((rc = flag_field(r, arg, (size_t)(eq - arg), err,
			    errsz)) < 0)
				goto fail;
			rest = eq + 1;
		}
		if (kind == WEIR_RULE_IN) {
			if ((rc = flag_vals(r, rest, err, errsz)) < 0)
				goto fail;
		} else if (kind == WEIR_RULE_RANGE || weir_rule_is_stat(kind)) {
			if (weir_rules_bounds(rest, r) < 0) {
				weir_seterr(err, errsz, "expected "
				    "PATH=LO..HI with LO <= HI, got '%s'", arg);
				goto fail;
			}
		} else if (kind == WEIR_RULE_REGEX) {
			if ((rc = weir__rule_regex(r, rest, err, errsz)) < 0)
				goto fail;
		} else if (kind == WEIR_RULE_TYPE) {
			const char *p = rest;
			for (;;) {
				const char *e = strchr(p, ',');
				size_t n = e ? (size_t)(e - p) : strlen(p);
				if (weir__rules_types(p, n, &r->types) < 0) {
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
	if (weir__rule_describe(r) < 0 || weir__rules_ids(rs, first) < 0) {
		weir_seterr(err, errsz, "out of memory");
		rc = WEIR_FAIL_NOMEM;
		goto fail;
	}
	return 0;
fail:
	weir__rule_clear(r);
	rs->n--;
	return rc < 0 ? rc : WEIR_FAIL_USAGE;	/* plain goto fail: bad */
}
