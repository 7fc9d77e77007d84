/* test_fail2.c - the one error convention, by fault injection: each
 * allocation of a library call fails in turn, and the call must then
 * return WEIR_FAIL_NOMEM (or recover), never another kind: out of memory
 * is not bad data, nor a usage error. */
#include <avro/schema.h>	/* avro-c: counting its allocations */
#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <unistd.h>

#include "agg.h"
#include "avro.h"
#include "avro_dl.h"	/* avro-c is loaded, not linked */
#include "avrorec.h"
#include "broker.h"
#include "changelog.h"
#include "csv.h"
#include "dash.h"
#include "expr.h"
#include "kcatfmt.h"
#include "pack.h"
#include "pipeline.h"
#include "path.h"
#include "progress.h"
#include "record.h"
#include "rules.h"
#include "snap.h"
#include "unit.h"
#include "util.h"
#include "window.h"

/*
 * malloc, calloc and realloc replaced by ones that fail the fail_at-th
 * call (0-based; -1: none) and count the calls.  The sanitizers bring
 * their own allocator: no injection under them.
 */
#if defined(__SANITIZE_ADDRESS__)
#define INJECT 0
#else
#define INJECT 1
extern void *__libc_malloc(size_t);
extern void *__libc_calloc(size_t, size_t);
extern void *__libc_realloc(void *, size_t);

static long fail_at = -1, nalloc;

static int
inject(void)
{
	if (fail_at < 0 || nalloc++ != fail_at)
		return 0;
	errno = ENOMEM;
	return 1;
}

void *
malloc(size_t n)
{
	return inject() ? NULL : __libc_malloc(n);
}

void *
calloc(size_t n, size_t sz)
{
	return inject() ? NULL : __libc_calloc(n, sz);
}

void *
realloc(void *p, size_t n)
{
	return inject() ? NULL : __libc_realloc(p, n);
}
#endif

/*
 * Run fn(arg) with its k-th allocation failing, for k = 0, 1, ... until a
 * run makes no more than k allocations; every run must return 0 or
 * WEIR_FAIL_NOMEM (ok: what else it may return on success).  Returns 1
 * when every run did, 0 (with the first wrong kind printed) otherwise.
 */
static int
each_nomem(const char *what, int (*fn)(void *), void *arg, int ok)
{
#if INJECT
	long k;
	int rc;

	for (k = 0; k < 100000; k++) {
		fail_at = k;
		nalloc = 0;
		rc = fn(arg);
		fail_at = -1;
		if (nalloc <= k)
			return rc == ok || rc == 0;	/* no failure injected */
		if (rc != WEIR_FAIL_NOMEM && rc != ok && rc != 0) {
			printf("# %s: allocation %ld failed: returned %d, not "
			    "WEIR_FAIL_NOMEM\n", what, k, rc);
			return 0;
		}
	}
	return 0;
#else
	(void)what;
	return fn(arg) == ok;
#endif
}

/* weir-agg's set-up: groups and functions (arg: NULL for count alone),
 * then ready. */
static int
agg_setup(void *arg)
{
	weir_agg *a = weir_agg_new();
	char err[WEIR_ERRSZ];
	int rc = 0;

	if (!a)
		return WEIR_FAIL_NOMEM;
	if (arg && ((rc = weir_agg_add_groups(a, "g=.k,.a.b", err,
	    sizeof(err))) || (rc = weir_agg_add_func(a, "sum:.x", err,
	    sizeof(err))) || (rc = weir_agg_add_func(a, "n=p99.9:.y", err,
	    sizeof(err))) || (rc = weir_agg_add_func(a, "top:3:.z", err,
	    sizeof(err)))))
		goto out;
	rc = weir_agg_ready(a, err, sizeof(err));
out:
	weir_agg_free(a);
	return rc;
}

static void
agg_kinds(void)
{
	weir_agg *a = weir_agg_new();
	char err[WEIR_ERRSZ];

	CHECK(weir_agg_add_func(a, "nope:.x", err, sizeof(err)) ==
	    WEIR_FAIL_USAGE);
	CHECK(weir_agg_add_groups(a, "", err, sizeof(err)) ==
	    WEIR_FAIL_USAGE);
	CHECK(weir_agg_add_groups(a, ".a[", err, sizeof(err)) ==
	    WEIR_FAIL_USAGE);
	CHECK(weir_agg_add_func(a, "x=count", err, sizeof(err)) == 0);
	CHECK(weir_agg_add_func(a, "x=sum:.y", err, sizeof(err)) == 0);
	CHECK(weir_agg_ready(a, err, sizeof(err)) == WEIR_FAIL_USAGE);
	weir_agg_free(a);
	CHECK(each_nomem("agg set-up", agg_setup, "all", 0));
	CHECK(each_nomem("agg count", agg_setup, NULL, 0));
}

/* Session windows: sessions in three groups, records out of order. */
static int
sess_fill(weir_window_sessions *s)
{
	static const int ts[] = { 50, 10, 30, 20, 70, 60, 40 };
	char err[WEIR_ERRSZ], key[24];
	weir_record r;
	int64_t start, end;
	size_t i;
	int rc;

	for (i = 0; i < sizeof(ts) / sizeof(ts[0]) * 3; i++) {
		memset(&r, 0, sizeof(r));
		r.flags = WEIR_R_TS;
		r.enc = WEIR_ENC_JSON;
		r.ts = ts[i % 7];
		r.value = (const uint8_t *)"{\"a\":1}";
		r.value_len = 7;
		snprintf(key, sizeof(key), "g%zu", i / 7);
		rc = weir_window_sessions_add(s, (const uint8_t *)key,
		    strlen(key), &r, INT64_MIN, &start, &end, err, sizeof(err));
		if (rc < 0)
			return rc;
	}
	return 0;
}

static int
drop(void *arg, const weir_record *r)
{
	(void)arg;
	(void)r;
	return 0;
}

static int
sess_close(void *arg)
{
	weir_window_sessions *s = weir_window_sessions_new(100);
	char err[WEIR_ERRSZ];
	int rc;

	(void)arg;
	if (!s)
		return WEIR_FAIL_NOMEM;
	rc = sess_fill(s);
	if (!rc)
		rc = weir_window_sessions_close(s, INT64_MAX, drop, NULL, err,
		    sizeof(err));
	weir_window_sessions_free(s);
	return rc;
}

static int
sess_save(void *arg)
{
	weir_buf b = { 0 };
	int rc = weir_window_sessions_save(arg, &b);

	weir_buf_free(&b);
	return rc;
}

static int
sess_load(void *arg)
{
	weir_buf *snap = arg;
	weir_window_sessions *s = weir_window_sessions_new(100);
	char err[WEIR_ERRSZ];
	weir_rd rd;
	int rc;

	if (!s)
		return WEIR_FAIL_NOMEM;
	weir_rd_init(&rd, snap->p, snap->len);
	rc = weir_window_sessions_load(s, &rd, err, sizeof(err));
	weir_window_sessions_free(s);
	return rc;
}

static int
group_key(void *arg)
{
	weir_buf key = { 0 }, scratch = { 0 };
	char err[WEIR_ERRSZ];
	weir_record r;
	int rc;

	memset(&r, 0, sizeof(r));
	r.enc = WEIR_ENC_JSON;
	r.value = (const uint8_t *)"{\"k\":[1,\"two\"]}";
	r.value_len = strlen((const char *)r.value);
	rc = weir_window_group_key(&key, &r, arg, 1, &scratch, err,
	    sizeof(err));
	weir_buf_free(&key);
	weir_buf_free(&scratch);
	return rc;
}

static void
window_kinds(void)
{
	weir_window_sessions *s = weir_window_sessions_new(100);
	weir_buf snap = { 0 }, key = { 0 }, scratch = { 0 };
	char err[WEIR_ERRSZ];
	weir_path path;
	weir_record r;
	weir_rd rd;

	CHECK(sess_fill(s) == 0);
	CHECK(weir_window_sessions_save(s, &snap) == 0);
	CHECK(each_nomem("sessions save", sess_save, s, 0));
	CHECK(each_nomem("sessions load", sess_load, &snap, 0));
	CHECK(each_nomem("sessions close", sess_close, NULL, 0));
	/* a bad state is bad data (the stage says: a bad snapshot) */
	weir_rd_init(&rd, snap.p, snap.len - 1);
	weir_window_sessions_free(s);
	s = weir_window_sessions_new(100);
	CHECK(weir_window_sessions_load(s, &rd, err, sizeof(err)) ==
	    WEIR_FAIL_DATA);
	weir_window_sessions_free(s);
	CHECK(weir_path_parse(&path, ".k", err, sizeof(err)) == 0);
	CHECK(each_nomem("group key", group_key, &path, 0));
	memset(&r, 0, sizeof(r));
	r.enc = WEIR_ENC_JSON;
	r.value = (const uint8_t *)"{";
	r.value_len = 1;
	CHECK(weir_window_group_key(&key, &r, &path, 1, &scratch, err,
	    sizeof(err)) == WEIR_FAIL_DATA);
	weir_path_free(&path);
	weir_buf_free(&snap);
	weir_buf_free(&key);
	weir_buf_free(&scratch);
}

/* weir-check's rules: a YAML file (a count of problems, or
 * WEIR_FAIL_NOMEM) and flags (WEIR_FAIL_USAGE or WEIR_FAIL_NOMEM). */
static const char rules_yaml[] =
    "suite: orders\n"
    "fields:\n"
    "  .order_id: [not_null, unique]\n"
    "  .amount: [not_null, {range: [0, 100000], mostly: 99.9%}]\n"
    "  .state: [{in: [new, paid, null, 3]}, {regex: '^[a-z]+$'}]\n"
    "  .ts: [{freshness: 1h}, {type: [integer, string]}]\n"
    "records:\n"
    "  - {count: [1, 5000000], warn_if: '>10'}\n"
    "  - {expr: '.amount >= 0 or .refund == true', id: refunds}\n"
    "  - {avg: {path: .amount, min: 1, max: 10}}\n"
    "  - {unique: [.a, .b]}\n";

static int
rules_parse(void *arg)
{
	weir_rules rs;
	weir_buf errs = { 0 };
	int rc;

	weir_rules_init(&rs);
	rc = weir_rules_parse(&rs, "r.yaml", arg, strlen(arg), &errs);
	weir_rules_free(&rs);
	weir_buf_free(&errs);
	return rc;
}

static const char *const flags[][2] = {
	{ "not_null", ".a" }, { "unique", "[.a, .b]" },
	{ "in", ".s=x,y,3,null,true" }, { "range", ".n=1..9" },
	{ "regex", ".s=^a+$" }, { "type", ".t=integer,string" },
	{ "freshness", ".ts=1h" }, { "count", "1..10" },
	{ "expr", ".a > 1" }, { "relationships", ".k=ref.ndjson:.id" },
	{ "required", "[.a, .b]" }, { "allowed", ".a" }, { "avg", ".n=1..2" },
};

static int
rules_flags(void *arg)
{
	weir_rules rs;
	char err[WEIR_ERRSZ];
	size_t i;
	int rc = 0;

	(void)arg;
	weir_rules_init(&rs);
	for (i = 0; i < sizeof(flags) / sizeof(flags[0]) && !rc; i++)
		rc = weir_rules_add_flag(&rs, flags[i][0], flags[i][1], err,
		    sizeof(err));
	if (!rc)
		rc = weir_rules_flag_thresholds(&rs.v[0], ">1", "> 5%", err,
		    sizeof(err));
	weir_rules_free(&rs);
	return rc;
}

static void
rules_kinds(void)
{
	weir_rules rs;
	weir_buf errs = { 0 };
	char err[WEIR_ERRSZ];

	CHECK(rules_parse((void *)rules_yaml) == 0);
	CHECK(rules_parse("fields: {.a: [nope]}\n") == 1);
	CHECK(each_nomem("rules file", rules_parse, (void *)rules_yaml, 0));
	CHECK(each_nomem("rules file with a problem", rules_parse,
	    "fields: {.a: [nope, not_null]}\n", 1));
	CHECK(rules_flags(NULL) == 0);
	CHECK(each_nomem("rule flags", rules_flags, NULL, 0));
	weir_rules_init(&rs);
	CHECK(weir_rules_add_flag(&rs, "range", ".a=x..", err, sizeof(err)) ==
	    WEIR_FAIL_USAGE);
	CHECK(weir_rules_add_flag(&rs, "not_null", ".a[", err, sizeof(err)) ==
	    WEIR_FAIL_USAGE);
	CHECK(weir_rules_add_flag(&rs, "nope", ".a", err, sizeof(err)) ==
	    WEIR_FAIL_USAGE);
	CHECK(weir_rules_add_flag(&rs, "not_null", ".a", err, sizeof(err)) ==
	    0);
	CHECK(weir_rules_flag_thresholds(&rs.v[0], "~1", NULL, err,
	    sizeof(err)) == WEIR_FAIL_USAGE);
	weir_rules_free(&rs);
	weir_buf_free(&errs);
}

/* weir-run's pipeline files: a pipeline (1 if it has problems), or
 * WEIR_FAIL_NOMEM; a file that cannot be read WEIR_FAIL_USAGE (missing)
 * or WEIR_FAIL_IO. */
static const char pipeline_yaml[] =
    "name: clicks\n"
    "env:\n"
    "  IN: \"${IN:-in.ndjson}\"\n"
    "restart: {policy: on-failure, backoff: [1s, 60s], max: 5}\n"
    "checkpoint: {interval: 5s, dir: \"${STATE:-/tmp/st}\"}\n"
    "stages:\n"
    "  - name: src\n"
    "    run: [weir-source, \"${IN}\", --time, .ts]\n"
    "  - name: win\n"
    "    run: weir-window tumbling 1m --grace 10s\n"
    "  - name: agg\n"
    "    run: weir-agg -g .user count 'sum:.amount'\n";

static const char *
no_env(const char *name)
{
	(void)name;
	return NULL;
}

static int
pipeline_load(void *arg)
{
	weir_pl_opts o = { .no_lookup = 1, .getenv = no_env };
	weir_pipeline *pl = NULL;
	weir_buf dot = { 0 };
	char err[WEIR_ERRSZ];
	int rc;

	rc = weir_pipeline_load(&pl, arg, &o, err, sizeof(err));
	if (!rc && pl->ndiag)
		rc = 1;
	if (!rc)
		rc = weir_pipeline_dot(pl, &dot);
	weir_buf_free(&dot);
	weir_pipeline_free(pl);
	return rc;
}

static void
pipeline_kinds(void)
{
	char path[] = "/tmp/test_fail2.XXXXXX";
	int fd = mkstemp(path);

	CHECK(fd >= 0 && write(fd, pipeline_yaml, strlen(pipeline_yaml)) ==
	    (ssize_t)strlen(pipeline_yaml));
	close(fd);
	CHECK(pipeline_load(path) == 0);
	CHECK(each_nomem("pipeline file", pipeline_load, path, 0));
	unlink(path);
	CHECK(pipeline_load(path) == WEIR_FAIL_USAGE);
	CHECK(pipeline_load("/proc/self/mem") == WEIR_FAIL_IO);
}

/* kcat's formats: a bad delimiter or format is a usage error, a corrupt
 * value bad data; out of memory neither. */
static int
kcat_fmt(void *arg)
{
	weir_buf d = { 0 }, out = { 0 }, scratch = { 0 }, packed = { 0 };
	weir_kcatfmt f;
	weir_record r;
	char err[WEIR_ERRSZ];
	int rc;

	memset(&f, 0, sizeof(f));
	if ((rc = weir_kcat_delim("\\x3b\\n", &d, err, sizeof(err))) < 0 ||
	    (rc = weir_kcatfmt_parse(&f, arg, (const char *)d.p, NULL, 0, err,
	    sizeof(err))) < 0)
		goto out;
	rc = weir_pack_json(&packed, (const uint8_t *)"{\"a\":[1,\"x\"]}", 13,
	    err, sizeof(err));
	if (rc < 0) {
		rc = WEIR_FAIL_NOMEM;	/* not what is tested */
		goto out;
	}
	memset(&r, 0, sizeof(r));
	r.enc = WEIR_ENC_PACKED;
	r.value = packed.p;
	r.value_len = packed.len;
	r.flags = WEIR_R_KEY;
	r.key = (const uint8_t *)"k";
	r.key_len = 1;
	rc = weir_kcatfmt_put(&f, &out, &r, NULL, &scratch);
out:
	weir_kcatfmt_free(&f);
	weir_buf_free(&d);
	weir_buf_free(&out);
	weir_buf_free(&scratch);
	weir_buf_free(&packed);
	return rc;
}

static void
kcat_kinds(void)
{
	weir_buf d = { 0 }, out = { 0 }, scratch = { 0 };
	weir_kcatfmt f;
	weir_record r;
	char err[WEIR_ERRSZ];

	CHECK(kcat_fmt("%k %s %S\\n") == 0);
	CHECK(each_nomem("kcat -f", kcat_fmt, "%k %s %S\\n", 0));
	CHECK(each_nomem("kcat -f (default)", kcat_fmt, NULL, 0));
	CHECK(weir_kcat_delim("\\xzz", &d, err, sizeof(err)) ==
	    WEIR_FAIL_USAGE);
	CHECK(weir_kcatfmt_parse(&f, "%q", "\n", NULL, 0, err, sizeof(err)) ==
	    WEIR_FAIL_USAGE);
	weir_kcatfmt_free(&f);
	CHECK(weir_kcatfmt_parse(&f, "%s", "\n", NULL, 0, err, sizeof(err)) ==
	    0);
	memset(&r, 0, sizeof(r));
	r.enc = WEIR_ENC_PACKED;
	r.value = (const uint8_t *)"\xff\xff";	/* not a packed value */
	r.value_len = 2;
	CHECK(weir_kcatfmt_put(&f, &out, &r, NULL, &scratch) ==
	    WEIR_FAIL_DATA);
	weir_kcatfmt_free(&f);
	weir_buf_free(&d);
	weir_buf_free(&out);
	weir_buf_free(&scratch);
}

/* --committed-only: a progress record that is not one is bad data (the
 * program warns and goes on), out of memory is not. */
static int
eosf_progress(void *arg)
{
	weir_progress p = { 0 };
	weir_buf b = { 0 };
	weir_eosf *f = weir_eosf_new(1 << 20);
	char err[WEIR_ERRSZ];
	int rc;

	(void)arg;
	if (!f)
		return WEIR_FAIL_NOMEM;
	if (!(p.txid = strdup("t"))) {
		rc = WEIR_FAIL_NOMEM;
		goto out;
	}
	weir_progress_new_run(&p, 3);
	p.id = 7;
	if ((rc = weir_progress_add(&p, p.run, 5)) < 0 ||
	    (rc = weir_progress_add(&p, "1-abc", 2)) < 0 ||
	    (rc = weir_progress_encode(&p, &b)) < 0)
		goto out;
	rc = weir_eosf_progress(f, b.p, b.len, err, sizeof(err));
out:
	weir_progress_free(&p);
	weir_buf_free(&b);
	weir_eosf_free(f);
	return rc;
}

static void
progress_kinds(void)
{
	weir_eosf *f = weir_eosf_new(1 << 20);
	char err[WEIR_ERRSZ];

	CHECK(eosf_progress(NULL) == 0);
	CHECK(each_nomem("progress record", eosf_progress, NULL, 0));
	CHECK(weir_eosf_progress(f, (const uint8_t *)"{}", 2, err,
	    sizeof(err)) == WEIR_FAIL_DATA);
	weir_eosf_free(f);
}

/* weir-agg --changelog's state: loading it out of memory is not a bad
 * snapshot. */
static weir_agg *
cl_agg(void)
{
	char err[WEIR_ERRSZ];
	weir_agg *a = weir_agg_new();

	if (!a || weir_agg_add_groups(a, ".g", err, sizeof(err)) < 0 ||
	    weir_agg_add_func(a, "sum:.v", err, sizeof(err)) < 0 ||
	    weir_agg_add_func(a, "distinct:.v", err, sizeof(err)) < 0 ||
	    weir_agg_ready(a, err, sizeof(err)) < 0) {
		weir_agg_free(a);
		return NULL;
	}
	return a;
}

static int
cl_load(void *arg)
{
	weir_buf *snap = arg;
	weir_agg *a = cl_agg();
	weir_aggcl *c = NULL;
	char err[WEIR_ERRSZ];
	weir_rd rd;
	int rc;

	if (!a)
		return WEIR_FAIL_NOMEM;
	if ((rc = weir_aggcl_open(&c, a, err, sizeof(err))) == 0) {
		weir_rd_init(&rd, snap->p, snap->len);
		rc = weir_aggcl_load(c, &rd, err, sizeof(err));
	}
	weir_aggcl_free(c);
	weir_agg_free(a);
	return rc;
}

static void
changelog_kinds(void)
{
	weir_agg *a = cl_agg();
	weir_aggcl *c = NULL;
	weir_buf snap = { 0 };
	char err[WEIR_ERRSZ], key[16], js[64];
	weir_record r;
	weir_rd rd;
	int i;

	CHECK(a && weir_aggcl_open(&c, a, err, sizeof(err)) == 0);
	for (i = 0; c && i < 30; i++) {
		snprintf(key, sizeof(key), "k%d", i);
		snprintf(js, sizeof(js), "{\"g\":\"g%d\",\"v\":%d}", i % 4, i);
		memset(&r, 0, sizeof(r));
		r.flags = WEIR_R_KEY;
		r.key = (const uint8_t *)key;
		r.key_len = strlen(key);
		r.enc = WEIR_ENC_JSON;
		r.value = (const uint8_t *)js;
		r.value_len = strlen(js);
		if (weir_aggcl_apply(c, &r, drop, NULL, err, sizeof(err)))
			break;
	}
	CHECK(i == 30);
	CHECK(weir_aggcl_save(c, &snap) == 0);
	CHECK(cl_load(&snap) == 0);
	CHECK(each_nomem("changelog state", cl_load, &snap, 0));
	weir_aggcl_free(c);
	c = NULL;
	CHECK(weir_aggcl_open(&c, a, err, sizeof(err)) == 0);
	weir_rd_init(&rd, snap.p, snap.len - 1);
	CHECK(weir_aggcl_load(c, &rd, err, sizeof(err)) == WEIR_FAIL_DATA);
	weir_aggcl_free(c);
	weir_agg_free(a);
	weir_buf_free(&snap);
}

/* Numbers in strings ("5", as CSV gives): out of memory while reading
 * one is out of memory, not a value that is no number (which would leave
 * it out of the sum).  The last result's sum_v into *(double *)arg. */
static int
last_sum(void *arg, const weir_record *r)
{
	weir_pv v, m;

	weir_pv_of(r->value, r->value_len, &v);
	*(double *)arg = weir_pv_member(&v, "sum_v", 5, &m) ?
	    weir_pv_num(&m) : -1;
	return 0;
}

static void
strnum_record(weir_record *r, const char *key, const char *js)
{
	memset(r, 0, sizeof(*r));
	r->flags = WEIR_R_KEY;
	r->key = (const uint8_t *)key;
	r->key_len = strlen(key);
	r->enc = WEIR_ENC_JSON;
	r->value = (const uint8_t *)js;
	r->value_len = strlen(js);
}

static int
strnum(void *arg)
{
	static const char *js[] = { "{\"g\":\"a\",\"v\":\"5\"}",
	    "{\"g\":\"a\",\"v\":\" 7.5\"}" };
	weir_agg *a = weir_agg_new();
	weir_aggcl *c = NULL;
	char err[WEIR_ERRSZ];
	weir_record r;
	double sum = 0;
	int rc, i;

	if (!a)
		return WEIR_FAIL_NOMEM;
	if ((rc = weir_agg_add_groups(a, ".g", err, sizeof(err))) < 0 ||
	    (rc = weir_agg_add_func(a, "sum:.v", err, sizeof(err))) < 0 ||
	    (rc = weir_agg_add_func(a, "max:.v", err, sizeof(err))) < 0 ||
	    (rc = weir_agg_ready(a, err, sizeof(err))) < 0 ||
	    (arg && (rc = weir_aggcl_open(&c, a, err, sizeof(err))) < 0))
		goto out;
	for (i = 0; i < 2 && rc == 0; i++) {
		strnum_record(&r, i ? "k2" : "k1", js[i]);
		rc = c ? weir_aggcl_apply(c, &r, last_sum, &sum, err,
		    sizeof(err)) : weir_agg_add(a, &r, NULL, err, sizeof(err));
	}
	if (rc == 0 && !c)
		rc = weir_agg_close_all(a, 1, last_sum, &sum);
	if (rc == 0 && sum != 12.5)
		rc = WEIR_FAIL_DATA;	/* a number was left out */
out:
	weir_aggcl_free(c);
	weir_agg_free(a);
	return rc;
}

/* weir-sink -s avro: a record that does not fit the schema is bad data
 * (--on-error), out of memory is not. */
static const char avro_schema[] =
    "{\"type\":\"record\",\"name\":\"c\",\"fields\":["
    "{\"name\":\"user\",\"type\":\"string\"},"
    "{\"name\":\"n\",\"type\":\"long\"}]}";

/* A schema of every kind of node: out of memory while parsing it is
 * WEIR_FAIL_NOMEM (weir-source exits 3), not a bad schema (a usage error,
 * or a registry id taken as bad, its records sent to --on-error). */
static const char avro_parse_txt[] =
	    "{\"type\":\"record\",\"name\":\"r\",\"namespace\":\"n.s\","
	    "\"fields\":[{\"name\":\"e\",\"type\":{\"type\":\"enum\","
	    "\"name\":\"E\",\"symbols\":[\"A\",\"B\"]}},"
	    "{\"name\":\"a\",\"type\":{\"type\":\"array\",\"items\":\"E\"}},"
	    "{\"name\":\"m\",\"type\":{\"type\":\"map\",\"values\":"
	    "[\"null\",\"long\"]},\"default\":{}},"
	    "{\"name\":\"f\",\"type\":{\"type\":\"fixed\",\"name\":\"F\","
	    "\"size\":4}}]}";

static int
avro_parse(void *arg)
{
	weir_avro_schema *s = NULL;
	char err[WEIR_ERRSZ];
	int rc;

	(void)arg;
	rc = weir_avro_schema_parse(&s, avro_parse_txt,
	    strlen(avro_parse_txt), err, sizeof(err));
	if (rc == 0)
		weir_avro_schema_free(s);
	return rc;
}

/*
 * avro-c validates the schema first, and libavro itself crashes when some
 * of its allocations fail, so not every allocation can be failed in turn:
 * its first one (its JSON parser: out of memory only by errno), then each
 * of weir's own after avro-c's (counted by running avro-c alone).
 */
static int
avro_parse_nomem(void)
{
#if INJECT
	avro_schema_t as;
	long k, ours, all;
	int rc, ok = 1;

	if (weir_avro_load(NULL, 0) < 0)	/* before counting */
		return 0;
	fail_at = LONG_MAX;
	nalloc = 0;
	if (avro_schema_from_json_length(avro_parse_txt,
	    strlen(avro_parse_txt), &as) != 0)
		return 0;
	avro_schema_decref(as);
	ours = nalloc;
	nalloc = 0;
	rc = avro_parse(NULL);
	all = nalloc;
	fail_at = -1;
	if (rc != 0 || all <= ours)
		return 0;
	for (k = -1; k < all && ok; k = k < 0 ? ours : k + 1) {
		fail_at = k < 0 ? 0 : k;
		nalloc = 0;
		rc = avro_parse(NULL);
		fail_at = -1;
		if (rc != WEIR_FAIL_NOMEM) {
			printf("# weir_avro_schema_parse: allocation %ld failed: "
			    "returned %d, not WEIR_FAIL_NOMEM\n", k < 0 ? 0 : k,
			    rc);
			ok = 0;
		}
	}
	return ok;
#else
	return avro_parse(NULL) == 0;
#endif
}

static void
enc_bufs_free(weir_avro_enc *e)
{
	weir_buf_free(&e->val);
	weir_buf_free(&e->kbuf);
	weir_buf_free(&e->pk);
}

static int
avro_enc(void *arg)
{
	weir_avro_enc *e = arg;
	weir_buf scratch = { 0 };
	const uint8_t *key = NULL;
	size_t klen = 0;
	weir_record r;
	int rc;

	memset(&r, 0, sizeof(r));
	r.enc = WEIR_ENC_JSON;
	r.value = (const uint8_t *)"{\"user\":\"ann\",\"n\":3}";
	r.value_len = strlen((const char *)r.value);
	r.flags = WEIR_R_KEY;
	r.key = (const uint8_t *)"ann";
	r.key_len = 3;
	rc = weir_avro_enc_record(e, &r, &scratch, &key, &klen, NULL, 0);
	enc_bufs_free(e);
	weir_buf_free(&scratch);
	return rc;
}

/* weir_avro_encode alone: out of memory is not "does not fit". */
static int
avro_encode(void *arg)
{
	weir_avro_schema *s = arg;
	weir_buf in = { 0 }, out = { 0 };
	const char *txt = "{\"user\":\"ann\",\"n\":3}";
	weir_pv v;
	int rc;

	if (weir_pack_json(&in, (const uint8_t *)txt, strlen(txt), NULL,
	    0) < 0)
		return WEIR_FAIL_NOMEM;
	weir_pv_of(in.p, in.len, &v);
	rc = weir_avro_encode(s, &v, &out, NULL, 0);
	weir_buf_free(&in);
	weir_buf_free(&out);
	return rc;
}

static void
avro_kinds(void)
{
	weir_avro_enc e;
	weir_buf scratch = { 0 };
	const uint8_t *key = NULL;
	size_t klen = 0;
	char err[WEIR_ERRSZ];
	weir_record r;

	memset(&e, 0, sizeof(e));
	e.key = e.value = 1;
	(void)weir_avro_schema_parse(&e.vs, avro_schema, strlen(avro_schema),
	    err, sizeof(err));
	(void)weir_avro_schema_parse(&e.ks, "\"string\"", 8, err, sizeof(err));
	CHECK(e.vs && e.ks);
	if (!e.vs || !e.ks)
		return;
	CHECK(avro_enc(&e) == 0);
	CHECK(avro_encode(e.vs) == 0);
	CHECK(each_nomem("weir_avro_encode", avro_encode, e.vs, 0));
	CHECK(each_nomem("avro encode", avro_enc, &e, 0));
	memset(&r, 0, sizeof(r));
	r.enc = WEIR_ENC_JSON;
	r.value = (const uint8_t *)"{\"user\":3}";
	r.value_len = strlen((const char *)r.value);
	CHECK(weir_avro_enc_record(&e, &r, &scratch, &key, &klen, err,
	    sizeof(err)) == WEIR_FAIL_DATA);
	enc_bufs_free(&e);
	weir_buf_free(&scratch);
	weir_avro_schema_free(e.vs);
	weir_avro_schema_free(e.ks);
}

/* weir-broker --fail-request API:ERROR[:COUNT]: a bad one is a usage
 * error, out of memory is not. */
static int
fault_parse(void *arg)
{
	weir_broker_fault f;
	char err[WEIR_ERRSZ];

	return weir_broker_fault_parse(arg, &f, err, sizeof(err));
}

static void
broker_kinds(void)
{
	CHECK(fault_parse("Produce:NOT_LEADER_FOR_PARTITION:3") == 0);
	CHECK(each_nomem("--fail-request", fault_parse,
	    "Produce:NOT_LEADER_FOR_PARTITION:3", 0));
	CHECK(fault_parse("Produce") == WEIR_FAIL_USAGE);
	CHECK(fault_parse("Nope:NOT_LEADER_FOR_PARTITION") == WEIR_FAIL_USAGE);
}

/* A record's value as JSON or as bytes: out of memory is WEIR_FAIL_NOMEM,
 * not "not JSON" nor a corrupt value.  (arg: the encoding.) */
static int
rec_json(void *arg)
{
	static const char txt[] = "{\"user\":\"ann\",\"n\":[1,2,3]}";
	weir_buf scratch = { 0 };
	weir_record r;
	weir_pv pv;
	int rc;

	(void)arg;
	memset(&r, 0, sizeof(r));
	r.enc = WEIR_ENC_JSON;
	r.value = (const uint8_t *)txt;
	r.value_len = strlen(txt);
	rc = weir_record_json(&r, &scratch, &pv);
	weir_buf_free(&scratch);
	return rc == 1 ? 0 : rc == 0 ? WEIR_FAIL_DATA : rc;
}

static int
rec_bytes(void *arg)
{
	weir_buf scratch = { 0 };
	const uint8_t *p;
	size_t n;
	weir_record r;
	int rc;

	memset(&r, 0, sizeof(r));
	r.enc = WEIR_ENC_PACKED;
	r.value = ((weir_buf *)arg)->p;
	r.value_len = ((weir_buf *)arg)->len;
	rc = weir_record_bytes(&r, &scratch, &p, &n);
	weir_buf_free(&scratch);
	return rc;
}

static void
record_kinds(void)
{
	static const char txt[] = "{\"user\":\"ann\",\"n\":[1,2,3]}";
	weir_buf packed = { 0 }, scratch = { 0 };
	weir_record r;
	weir_pv pv;

	CHECK(rec_json(NULL) == 0);
	CHECK(each_nomem("weir_record_json", rec_json, NULL, 0));
	memset(&r, 0, sizeof(r));
	r.enc = WEIR_ENC_BYTES;
	r.value = (const uint8_t *)"not json";
	r.value_len = 8;
	CHECK(weir_record_json(&r, &scratch, &pv) == 0);
	CHECK(weir_pack_json(&packed, (const uint8_t *)txt, strlen(txt), NULL,
	    0) == 0);
	CHECK(rec_bytes(&packed) == 0);
	CHECK(each_nomem("weir_record_bytes", rec_bytes, &packed, 0));
	memset(&r, 0, sizeof(r));
	r.enc = WEIR_ENC_PACKED;
	r.value = (const uint8_t *)"\xff";
	r.value_len = 1;
	{
		const uint8_t *p;
		size_t n;

		CHECK(weir_record_bytes(&r, &scratch, &p, &n) ==
		    WEIR_FAIL_DATA);
	}
	weir_buf_free(&packed);
	weir_buf_free(&scratch);
}

/* -g, --keep, --fields lists: a bad list is a usage error, out of memory
 * is not. */
static int
path_list(void *arg)
{
	char err[WEIR_ERRSZ], **items = NULL;
	size_t n = 0;
	int rc;

	rc = weir_path_list(&items, &n, arg, err, sizeof(err));
	free(items);
	return rc;
}

static void
path_kinds(void)
{
	char err[WEIR_ERRSZ], **items = NULL;
	size_t n = 0;

	CHECK(weir_path_list(&items, &n, ".a,.[\"b,c\"],.d", err,
	    sizeof(err)) == 0 && n == 3 && strcmp(items[1], ".[\"b,c\"]") == 0);
	free(items);
	CHECK(each_nomem("weir_path_list", path_list, ".a,.[\"b,c\"],.d", 0));
	CHECK(path_list(".a,,.b") == WEIR_FAIL_USAGE);
	CHECK(path_list(".[\"a") == WEIR_FAIL_USAGE);
}

/* A CSV row whose cell is a number: out of memory is WEIR_FAIL_NOMEM,
 * never the number taken for a string (returned as WEIR_FAIL_DATA). */
static int
csv_num(void *arg)
{
	static const char txt[] = "a,b\n12345678901234567890.5e3,x\n";
	weir_csv c = { 0 };
	weir_buf out = { 0 };
	size_t used, off;
	uint64_t lines;
	char why[128];
	weir_pv root, a;
	long nc;
	int rc;

	(void)arg;
	if ((nc = weir_csv_split(&c, (const uint8_t *)txt, strlen(txt), 1,
	    &used, &lines)) < 0 || (rc = weir_csv_set_header(&c, nc)) < 0) {
		rc = nc < 0 ? (int)nc : rc;
		goto out;
	}
	off = used;
	if ((nc = weir_csv_split(&c, (const uint8_t *)txt + off,
	    strlen(txt) - off, 1, &used, &lines)) < 0) {
		rc = (int)nc;
		goto out;
	}
	if ((rc = weir_csv_row(&c, nc, &out, why, sizeof(why))) < 0)
		goto out;
	weir_pv_of(out.p, out.len, &root);
	if (!weir_pv_member(&root, "a", 1, &a) || !weir_pv_is_num(&a))
		rc = WEIR_FAIL_DATA;
out:
	weir_buf_free(&out);
	weir_csv_free(&c);
	return rc;
}

/* The number rule on a string ("\u0035" is "5"): out of memory is
 * WEIR_FAIL_NOMEM, not "not a number" (returned as WEIR_FAIL_DATA). */
static int
as_num(void *arg)
{
	static const char txt[] = "[\"\\u0035\", \"12345678901234567890.5\"]";
	weir_buf in = { 0 }, scratch = { 0 };
	weir_pv arr, v, num;
	int rc, i;

	(void)arg;
	if (weir_pack_json(&in, (const uint8_t *)txt, strlen(txt), NULL,
	    0) < 0)
		return WEIR_FAIL_NOMEM;
	weir_pv_of(in.p, in.len, &arr);
	for (i = 0, rc = 1; i < 2 && rc == 1; i++) {
		if (!weir_pv_index(&arr, i, &v))
			rc = 0;
		else
			rc = weir_pv_as_num(&v, &scratch, &num);
	}
	if (rc == 1)
		rc = weir_num_text((const uint8_t *)" 7.25 ", 6, &scratch,
		    &num);
	weir_buf_free(&in);
	weir_buf_free(&scratch);
	return rc == 1 ? 0 : rc == 0 ? WEIR_FAIL_DATA : rc;
}

/* The root an expression sees for a JSON line and for a plain line: out
 * of memory is WEIR_FAIL_NOMEM, not a missing value (which would make
 * weir-filter drop the record, or weir-map write it unchanged). */
static int
expr_root(void *arg)
{
	static const char *lines[] = { "{\"a\":[1,2,3]}", "plain line" };
	static const int want[] = { WEIR_PV_OBJECT, WEIR_PV_STRING };
	weir_buf scratch = { 0 };
	weir_record r;
	weir_pv root;
	int rc = 0, i;

	(void)arg;
	for (i = 0; i < 2 && rc == 0; i++) {
		memset(&r, 0, sizeof(r));
		r.enc = WEIR_ENC_BYTES;
		r.value = (const uint8_t *)lines[i];
		r.value_len = strlen(lines[i]);
		if ((rc = weir_expr_root(&r, &scratch, &root)) == 0 &&
		    root.type != want[i])
			rc = WEIR_FAIL_DATA;	/* the wrong root */
	}
	weir_buf_free(&scratch);
	return rc;
}

/* A row for weir-sink -f dashboard (grouped by .k): out of memory is
 * WEIR_FAIL_NOMEM, not a bare -1 (WEIR_FAIL_DATA: a bad record). */
static int
dash_row(void *arg)
{
	static const char txt[] = "{\"k\":\"a\",\"n\":[1,2,3]}";
	weir_record r;

	memset(&r, 0, sizeof(r));
	r.enc = WEIR_ENC_JSON;
	r.value = (const uint8_t *)txt;
	r.value_len = sizeof(txt) - 1;
	r.flags = WEIR_R_WINDOW;
	r.win_start = 0;
	r.win_end = 1000;
	return weir_dash_record(arg, &r);
}

static void
dash_kinds(void)
{
	weir_dash_opts o;
	weir_dash *d = NULL;
	char err[WEIR_ERRSZ];

	weir_dash_opts_init(&o);
	o.listen = "127.0.0.1:0";
	o.key = ".k";
	CHECK(weir_dash_open(&d, &o, err, sizeof(err)) == 0);
	if (!d)
		return;
	CHECK(each_nomem("weir_dash_record", dash_row, d, 0));
	weir_dash_close(d);
}

int
main(void)
{
	agg_kinds();
	window_kinds();
	rules_kinds();
	pipeline_kinds();
	kcat_kinds();
	progress_kinds();
	changelog_kinds();
	avro_kinds();
	broker_kinds();
	record_kinds();
	path_kinds();
	CHECK(csv_num(NULL) == 0);
	CHECK(each_nomem("CSV number cell", csv_num, NULL, 0));
	CHECK(as_num(NULL) == 0);
	CHECK(each_nomem("weir_pv_as_num", as_num, NULL, 0));
	dash_kinds();
	CHECK(avro_parse(NULL) == 0);
	CHECK(avro_parse_nomem());
	CHECK(expr_root(NULL) == 0);
	CHECK(each_nomem("weir_expr_root", expr_root, NULL, 0));
	CHECK(strnum(NULL) == 0);
	CHECK(each_nomem("weir-agg sum of numbers in strings", strnum, NULL,
	    0));
	CHECK(strnum("changelog") == 0);
	CHECK(each_nomem("weir-agg --changelog sum of numbers in strings",
	    strnum, "changelog", 0));
	UNIT_DONE();
}
