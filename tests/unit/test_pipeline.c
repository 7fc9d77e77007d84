/* test_pipeline.c - weir-run's word splitter, ${VAR} expansion, wiring
 * rules, and the stats datagram round trip. */
#include <stdint.h>

#include "pipeline.h"
#include "stats.h"
#include "unit.h"

static const char *
look(const char *name, void *arg)
{
	(void)arg;
	if (!strcmp(name, "A"))
		return "x y";
	if (!strcmp(name, "E"))
		return "";
	return NULL;
}

static const char *
env(const char *name)
{
	return look(name, NULL);
}

/* Split s and join the words with '|'. */
static const char *
split(const char *s)
{
	static char out[512];
	char err[256], **v;
	int argc, i;

	if (weir_pl_split(&v, s, look, NULL, &argc, err, sizeof(err)) < 0) {
		snprintf(out, sizeof(out), "ERR %s", err);
		return out;
	}
	out[0] = 0;
	for (i = 0; i < argc; i++)
		snprintf(out + strlen(out), sizeof(out) - strlen(out), "%s%s",
		    i ? "|" : "", v[i]);
	weir_pl_argv_free(v);
	return out;
}

static const char *
expand(const char *s)
{
	static char out[512];
	char err[256];
	weir_buf b = { 0 };

	if (weir_pl_expand(s, strlen(s), &b, look, NULL, err,
	    sizeof(err)) < 0)
		snprintf(out, sizeof(out), "ERR %s", err);
	else
		snprintf(out, sizeof(out), "%.*s", (int)b.len,
		    b.p ? (char *)b.p : "");
	weir_buf_free(&b);
	return out;
}

int
main(void)
{
	weir_pl_opts o = { .no_lookup = 1, .getenv = env };
	weir_pipeline *pl;
	weir_stats s = { .in = 1, .in_bytes = 2, .out = 3, .out_bytes = 4,
	    .late = 5, .skipped = 6, .wm_in = -7, .wm_out = 1700000000000,
	    .lag = 42 }, t;
	char buf[512], name[64];
	long pid;
	const char *yaml;

	CHECK_STR(split("a  b\tc"), "a|b|c");
	CHECK_STR(split("  "), "");
	CHECK_STR(split("'' \"\""), "|");
	CHECK_STR(split("'a b' \"c d\" e\\ f"), "a b|c d|e f");
	CHECK_STR(split("x${A}y"), "xx yy");
	CHECK_STR(split("'${A}'"), "${A}");
	CHECK_STR(split("\"${A}\" ${E:-d} $$A $5"), "x y|d|$A|$5");
	CHECK_STR(split("'open"), "ERR unterminated single quote");
	CHECK_STR(split("a\\"), "ERR trailing backslash");
	/* after an expansion too (it returned 0 and no words) */
	CHECK_STR(split("${A} 'open"), "ERR unterminated single quote");
	CHECK_STR(split("${A} a\\"), "ERR trailing backslash");
	CHECK_STR(expand("${A:-n}|${B:-${A}z}|${E}|${E:-e}|$$|$"),
	    "x y|x yz||e|$|$");
	/* ${VAR:+word}: word when VAR is set and not empty, else nothing */
	CHECK_STR(expand("${A:+set-${A}}|${E:+no}|${B:+no}|${B:-${A:+d}}"),
	    "set-x y|||d");
	CHECK_STR(expand("${B}"), "ERR undefined variable 'B' (set it, or "
	    "write ${B:-default})");
	CHECK_STR(expand("${A"), "ERR unterminated '${' (missing '}')");
	CHECK_STR(expand("${A B}"), "ERR bad variable reference '${A B}' "
	    "(write ${NAME} or ${NAME:-default})");

	/* the issue's example: users is a side stage on enrich's fd 3 */
	yaml = "stages:\n"
	    " - {name: src, run: weir-source}\n"
	    " - {name: agg, run: weir-agg}\n"
	    " - {name: users, run: weir-source users.ndjson}\n"
	    " - {name: enrich, run: weir-join --table fd:3, inputs: {3: users}}\n"
	    " - {name: out, run: weir-sink}\n"
	    " - {name: copy, run: weir-sink, input: agg, stdout: none}\n";
	pl = weir_pipeline_parse("p", yaml, strlen(yaml), &o);
	CHECK(pl && pl->ndiag == 0);
	CHECK(pl->stages[0].in_from == WEIR_PL_STDIN);
	CHECK(pl->stages[1].in_from == 0);
	CHECK(pl->stages[2].in_from == WEIR_PL_NULL && pl->stages[2].side);
	CHECK(pl->stages[3].in_from == 1);
	CHECK(pl->stages[4].in_from == 3);
	CHECK(pl->stages[5].in_from == 1);
	CHECK(pl->stages[1].nout == 2);	/* enrich and copy: a tee */
	CHECK(pl->stages[4].nout == 0 && pl->stages[5].nout == 0);
	CHECK(!pl->stages[4].discard && pl->stages[5].discard);
	CHECK(weir_pipeline_is_source(pl, 0) && weir_pipeline_is_source(pl, 2));
	CHECK(!weir_pipeline_is_source(pl, 3));
	CHECK(pl->restart_max == 5 && pl->backoff_min == 1000 &&
	    pl->backoff_max == 60000 && pl->restart_period == 60000);
	weir_pipeline_free(pl);

	yaml = "restart: {policy: never, backoff: [250ms, 2s], max: 0, period: 1h}\n"
	    "stages: [{name: a, run: [x]}]\n";
	pl = weir_pipeline_parse("p", yaml, strlen(yaml), &o);
	CHECK(pl && pl->ndiag == 0);
	CHECK(pl->restart_policy == WEIR_RESTART_NEVER);
	CHECK(pl->backoff_min == 250 && pl->backoff_max == 2000);
	CHECK(pl->restart_max == 0 && pl->restart_period == 3600000);
	weir_pipeline_free(pl);

	weir_stats_format(&s, "agg", 99, buf, sizeof(buf));
	CHECK_STR(buf, "weir-stats 1 stage=agg pid=99 in=1 in_bytes=2 out=3 "
	    "out_bytes=4 late=5 skipped=6 wm_in=-7 wm_out=1700000000000 "
	    "lag=42");
	CHECK(weir_stats_parse(buf, strlen(buf), &t, name, sizeof(name),
	    &pid) == 0);
	CHECK_STR(name, "agg");
	CHECK(pid == 99 && t.in == 1 && t.out_bytes == 4 && t.wm_in == -7 &&
	    t.wm_out == 1700000000000 && t.lag == 42 && t.skipped == 6);
	CHECK(weir_stats_parse("weir-stats 2 x", 14, &t, name, sizeof(name),
	    &pid) < 0);
	UNIT_DONE();
}
