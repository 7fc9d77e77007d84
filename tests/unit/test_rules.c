/* test_rules.c - rules parsing, flags, the unique set, and evaluation. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>

#include "check.h"
#include "rules.h"
#include "uniq.h"
#include "unit.h"


/* weir_re_open, as a value (NULL: a bad pattern) */
static weir_re *
re_new(const char *pat, size_t n, char *err, size_t errsz)
{
	weir_re *re;
	int rc = weir_re_open(&re, pat, n, err, errsz);

	CHECK(rc == 0 || rc == WEIR_FAIL_USAGE);
	return re;
}

static int
parse(weir_rules *rs, const char *yaml, weir_buf *errs)
{
	weir_rules_init(rs);
	errs->len = 0;
	return weir_rules_parse(rs, "t.yaml", yaml, strlen(yaml), errs);
}

static const char *
errstr(weir_buf *errs)
{
	if (weir_buf_putc(errs, 0) < 0)
		return "";
	errs->len--;
	return (const char *)errs->p;
}

static void
test_parse(void)
{
	weir_rules rs;
	weir_buf errs = {0};

	CHECK(parse(&rs, "suite: s\nfields:\n  .a: [not_null, {range: [1, "
	    "2], mostly: 90%, severity: warn, id: r}]\nrecords:\n  - {count: "
	    "[0, 5]}\n", &errs) == 0);
	CHECK(rs.n == 3);
	CHECK_STR(rs.suite, "s");
	CHECK_STR(rs.v[0].id, ".a:not_null");
	CHECK(rs.v[0].line == 3 && rs.v[0].col == 8);
	CHECK_STR(rs.v[1].id, "r");
	CHECK(rs.v[1].severity == WEIR_SEV_WARN);
	CHECK(fabs(rs.v[1].mostly - 0.9) < 1e-12);
	CHECK(rs.v[1].has_lo && rs.v[1].has_hi && rs.v[1].lo == 1 &&
	    rs.v[1].hi == 2);
	CHECK_STR(rs.v[2].id, "count");
	CHECK(rs.v[2].field == NULL);
	weir_rules_free(&rs);

	/* two problems, each on its own line with its position */
	CHECK(parse(&rs, "fields:\n  .a: [nope]\n  .b: [{range: [2, 1]}]\n",
	    &errs) == 2);
	CHECK_STR(errstr(&errs), "t.yaml:2:8: unknown rule 'nope' (expected "
	    "not_null, unique, in, range, regex, type, freshness, count, "
	    "expr, relationships, schema, avg, min, max or sum)\nt.yaml:3:16: range: lower bound is above the upper "
	    "bound\n");
	weir_rules_free(&rs);

	/* user text with line breaks stays on one message line */
	CHECK(parse(&rs, "fields:\n  .a: [\"x\\ny\"]\n", &errs) == 1);
	CHECK(strchr(errstr(&errs), '\n') == (char *)errs.p + errs.len - 1);
	weir_rules_free(&rs);

	/* a huge bound is described without undefined behaviour */
	CHECK(parse(&rs, "fields:\n  .a: [{range: [0, 5e20]}]\n", &errs) == 0);
	CHECK_STR(rs.v[0].text, "0..5e+20");
	weir_rules_free(&rs);
	weir_buf_free(&errs);
}

static void
test_flags(void)
{
	weir_rules rs;
	char err[WEIR_ERRSZ];

	weir_rules_init(&rs);
	CHECK(weir_rules_add_flag(&rs, "range", ".x=..10", err,
	    sizeof(err)) == 0);
	CHECK(!rs.v[0].has_lo && rs.v[0].has_hi && rs.v[0].hi == 10);
	CHECK(weir_rules_add_flag(&rs, "in", ".s=a,2,true,null", err,
	    sizeof(err)) == 0);
	CHECK(rs.v[1].nvals == 4 && rs.v[1].vals[1].type == WEIR_RV_NUM &&
	    rs.v[1].vals[2].type == WEIR_RV_BOOL &&
	    rs.v[1].vals[3].type == WEIR_RV_NULL);
	CHECK(weir_rules_add_flag(&rs, "range", ".x", err, sizeof(err)) < 0);
	CHECK_STR(err, "expected PATH=LO..HI, got '.x'");
	CHECK(weir_rules_add_flag(&rs, "type", ".x=int", err, sizeof(err)) < 0);
	CHECK(weir_rules_add_flag(&rs, "regex", ".x=(", err, sizeof(err)) < 0);
	CHECK(weir_rules_add_flag(&rs, "not_null", "x", err, sizeof(err)) < 0);
	CHECK(weir_rules_add_flag(&rs, "freshness", "10m", err,
	    sizeof(err)) == 0);
	CHECK(rs.v[2].field == NULL && rs.v[2].max_age == 600000);
	CHECK(weir_rules_add_flag(&rs, "count", "1..", err, sizeof(err)) == 0);
	CHECK(weir_rules_add_flag(&rs, "count", "1..", err, sizeof(err)) == 0);
	CHECK_STR(rs.v[4].id, "count#2");
	CHECK(rs.n == 5);
	weir_rules_free(&rs);
}

static void
test_share(void)
{
	double s;

	CHECK(weir_rules_share("99.9%", &s) == 0 && fabs(s - 0.999) < 1e-12);
	CHECK(weir_rules_share("0.5", &s) == 0 && s == 0.5);
	CHECK(weir_rules_share("1", &s) == 0 && s == 1);
	CHECK(weir_rules_share("101%", &s) < 0);
	CHECK(weir_rules_share("2", &s) < 0);
	CHECK(weir_rules_share("x", &s) < 0);
	CHECK(weir_rules_share("5%x", &s) < 0);
}

static void
test_uniq(void)
{
	weir_uniq u;
	char k[32];
	int i, n, dups = 0, sw = 0, over = 0;

	CHECK(weir_uniq_init(&u, 0, 0) == 0);
	for (i = 0; i < 100000; i++) {
		n = snprintf(k, sizeof(k), "k%d", i % 60000);
		dups += weir_uniq_add(&u, k, (size_t)n) == WEIR_UNIQ_DUP;
	}
	CHECK(dups == 40000);
	CHECK(weir_uniq_distinct(&u) == 60000);
	CHECK(weir_uniq_add(&u, "", 0) == WEIR_UNIQ_NEW);
	CHECK(weir_uniq_add(&u, "", 0) == WEIR_UNIQ_DUP);
	weir_uniq_free(&u);

	/* a bound: approximate past it, the estimate within 2% */
	CHECK(weir_uniq_init(&u, 1 << 20, 1) == 0);
	for (i = 0; i < 300000; i++) {
		n = snprintf(k, sizeof(k), "key-%d", i);
		if (weir_uniq_add(&u, k, (size_t)n) == WEIR_UNIQ_SWITCHED)
			sw++;
		over += weir_uniq_bytes(&u) > (1 << 20) + (1 << 18);
	}
	CHECK(sw == 1 && u.mode == WEIR_UNIQ_APPROX);
	CHECK(over == 0);
	CHECK(fabs(weir_uniq_distinct(&u) - 300000) < 6000);
	weir_uniq_free(&u);

	/* a bound without approx: stop, and say so */
	CHECK(weir_uniq_init(&u, 1 << 16, 0) == 0);
	for (i = 0, sw = 0; i < 100000; i++) {
		n = snprintf(k, sizeof(k), "key-%d", i);
		sw += weir_uniq_add(&u, k, (size_t)n) == WEIR_UNIQ_FULL;
	}
	CHECK(u.mode == WEIR_UNIQ_STOPPED && sw > 0);
	CHECK(weir_uniq_bytes(&u) == 0);
	weir_uniq_free(&u);
}

static void
test_eval(void)
{
	weir_rules rs;
	weir_buf errs = {0};
	weir_check *c;
	weir_check_opts o = { 0, 0, 1 };
	const weir_check_result *res;
	static const char *recs[] = {
		"{\"a\":1,\"s\":\"x\"}", "{\"a\":null,\"s\":\"y\"}",
		"{\"s\":\"x\"}", "not json"
	};
	weir_record r;
	weir_check_pos pos = { "in", 0, 0 };
	size_t i;

	CHECK(parse(&rs, "fields:\n  .a: [not_null]\n  .s: [unique, {in: [x]}]"
	    "\nrecords:\n  - {count: [4, 4]}\n", &errs) == 0);
	c = weir_check_new(&rs, &o);
	for (i = 0; i < 4; i++) {
		memset(&r, 0, sizeof(r));
		r.enc = WEIR_ENC_BYTES;
		r.value = (const uint8_t *)recs[i];
		r.value_len = strlen(recs[i]);
		pos.recno = i + 1;
		pos.line = i + 1;
		CHECK(weir_check_record(c, &r, &pos) == (i != 0));
	}
	CHECK(weir_check_finish(c) == 0);
	res = weir_check_results(c);
	CHECK(res[0].checked == 4 && res[0].failed == 3 && !res[0].passed);
	CHECK(res[0].nsamples == 3 && res[0].samples[0].line == 2);
	CHECK_STR(res[0].samples[0].what, "null");
	CHECK_STR(res[0].samples[1].what, "missing");
	CHECK(res[1].checked == 3 && res[1].failed == 1 && res[1].skipped == 1);
	CHECK(res[2].failed == 1);
	CHECK(res[3].passed && res[3].checked == 1);
	CHECK(!weir_check_ok(c));
	weir_check_free(c);
	weir_rules_free(&rs);
	weir_buf_free(&errs);
}

static void
test_re(void)
{
	char err[WEIR_ERRSZ], *s;
	weir_re *re;

	CHECK(re_new("(\\d", 3, err, sizeof(err)) == NULL);
	CHECK(strstr(err, "regex '(\\d': missing closing parenthesis") != NULL);
	re = re_new("(?i)^ab\\d+\\w$", 13, err, sizeof(err));
	CHECK(re != NULL);
	CHECK(weir_re_match(re, (const uint8_t *)"AB12_", 5, err,
	    sizeof(err)) == 1);
	CHECK(weir_re_match(re, (const uint8_t *)"AB_", 3, err,
	    sizeof(err)) == 0);
	weir_re_free(re);
	/* a NUL and invalid UTF-8 in the subject are matched, not cut */
	re = re_new("\\0x$", 4, err, sizeof(err));
	CHECK(re != NULL && weir_re_match(re, (const uint8_t *)"ab\0x", 4, err,
	    sizeof(err)) == 1);
	weir_re_free(re);
	re = re_new("b\\xff?$", 7, err, sizeof(err));
	CHECK(re != NULL && weir_re_match(re, (const uint8_t *)"\xff" "ab", 3, err,
	    sizeof(err)) == 1);
	weir_re_free(re);
	/* catastrophic backtracking stops at the limit, naming the pattern */
	s = malloc(5002);
	memset(s, 'a', 5001);
	s[5001] = 'b';
	re = re_new("^(a*)*\\1$", 9, err, sizeof(err));
	CHECK(re != NULL && weir_re_match(re, (const uint8_t *)s, 5002, err,
	    sizeof(err)) == WEIR_FAIL_DATA);
	CHECK(strstr(err, "regex '^(a*)*\\1$' hit its") != NULL);
	weir_re_free(re);
	free(s);
}

static void
test_thresholds(void)
{
	weir_rule_thr t;

	CHECK(weir_rules_thr_parse(">10", &t) == 0 && t.op == WEIR_THR_GT &&
	    t.v == 10 && !t.pct);
	CHECK(!weir_rules_thr_hit(&t, 10, 100) && weir_rules_thr_hit(&t, 11, 100));
	CHECK(weir_rules_thr_parse(">= 1.5%", &t) == 0 && t.op == WEIR_THR_GE &&
	    t.pct && fabs(t.v - 0.015) < 1e-12);
	CHECK(weir_rules_thr_hit(&t, 15, 1000) && !weir_rules_thr_hit(&t, 14, 1000));
	CHECK(!weir_rules_thr_hit(&t, 0, 0));	/* nothing checked: 0% */
	CHECK(weir_rules_thr_parse("!=0", &t) == 0 && t.op == WEIR_THR_NE);
	CHECK(!weir_rules_thr_hit(&t, 0, 5) && weir_rules_thr_hit(&t, 1, 5));
	CHECK(weir_rules_thr_parse("<5", &t) == 0 && t.op == WEIR_THR_LT);
	CHECK(weir_rules_thr_parse("10", &t) < 0);
	CHECK(weir_rules_thr_parse(">", &t) < 0);
	CHECK(weir_rules_thr_parse(">-1", &t) < 0);
	CHECK(weir_rules_thr_parse(">101%", &t) < 0);
	CHECK(weir_rules_thr_parse(">1x", &t) < 0);
}

static void
test_path_lists(void)
{
	weir_rules rs;
	char err[WEIR_ERRSZ];

	weir_rules_init(&rs);
	CHECK(weir_rules_add_flag(&rs, "unique", "[.a, .\"x,y\", .[\"p q\"]]",
	    err, sizeof(err)) == 0);
	CHECK(rs.n == 1 && rs.v[0].npaths == 3);
	CHECK_STR(rs.v[0].paths[1].steps[0].key, "x,y");
	CHECK_STR(rs.v[0].paths[2].steps[0].key, "p q");
	CHECK(weir_rules_add_flag(&rs, "unique", "[.a, ]", err,
	    sizeof(err)) < 0);
	CHECK(weir_rules_add_flag(&rs, "unique", "[.a", err, sizeof(err)) < 0);
	CHECK(weir_rules_add_flag(&rs, "unique", ".a,.b", err, sizeof(err)) < 0);
	CHECK(weir_rules_add_flag(&rs, "required", "[.a, .b.c]", err,
	    sizeof(err)) == 0);
	CHECK(weir_rules_add_flag(&rs, "allowed", "[.a, .b.c]", err,
	    sizeof(err)) < 0);
	CHECK(weir_rules_add_flag(&rs, "relationships", "[.a,.b]=t.ndjson:[.x]",
	    err, sizeof(err)) < 0);
	CHECK_STR(err, "FIELD gives 1 path for 2");
	CHECK(weir_rules_add_flag(&rs, "relationships", "[.a,.b]=t.ndjson:[.x,"
	    " .y]", err, sizeof(err)) == 0);
	CHECK_STR(rs.v[2].ref_file, "t.ndjson");
	CHECK(rs.v[2].nref_paths == 2);
	CHECK(weir_rules_add_flag(&rs, "relationships", ".u=dir:x/t.ndjson",
	    err, sizeof(err)) == 0);
	CHECK_STR(rs.v[3].ref_file, "dir:x/t.ndjson");
	CHECK_STR(rs.v[3].ref_field, ".u");
	CHECK(rs.n == 4);
	weir_rules_free(&rs);
}

int
main(void)
{
	test_parse();
	test_flags();
	test_share();
	test_uniq();
	test_eval();
	test_re();
	test_thresholds();
	test_path_lists();
	UNIT_DONE();
}
