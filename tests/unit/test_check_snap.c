/* test_check_snap.c - weir-check state checkpoints: save at record k,
 * load into a fresh checker, go on, and get the same report. */
#include <stdio.h>

#include "check.h"
#include "pack.h"
#include "record.h"
#include "report.h"
#include "rules.h"
#include "snap.h"
#include "unit.h"

#define N 3000

static int approx, stopped;	/* of the last run: .u and .w */

static void
rules(weir_rules *rs)
{
	static const char *const fl[][2] = {
		{ "unique", ".id" }, { "unique_approx", ".u" },
		{ "unique", ".w" }, { "not_null", ".v" },
		{ "range", ".v=0..900" }, { "count", "10..200" },
		{ "freshness", "50ms" }, { "regex", ".s=^a" },
	};
	char err[WEIR_ERRSZ];
	size_t i;

	weir_rules_init(rs);
	for (i = 0; i < sizeof(fl) / sizeof(fl[0]); i++)
		if (weir_rules_add_flag(rs, fl[i][0], fl[i][1], err,
		    sizeof(err)) < 0) {
			printf("# %s\n", err);
			abort();
		}
}

static void
feed(weir_check *c, unsigned i, weir_buf *vb)
{
	unsigned x = i * 2654435761u;
	char json[160], err[WEIR_ERRSZ];
	weir_check_pos pos = { "in.ndjson", i + 1, i + 1 };
	weir_record r;
	int64_t ts = (int64_t)i * 3 - (int64_t)(x % 20);

	if (x % 13 == 0) {
		weir_check_watermark(c, ts - 40);
		return;
	}
	if (x % 17 == 0)
		snprintf(json, sizeof(json), "{\"id\":%u,\"u\":\"%u\","
		    "\"w\":\"%u\"}", i % 2900, i, x);
	else
		snprintf(json, sizeof(json), "{\"id\":%u,\"u\":\"%u\","
		    "\"w\":\"%u-%u\",\"v\":%u,\"s\":\"%c\"}", i % 2900, i, x,
		    x, x % 1000, 'a' + x % 3);
	memset(&r, 0, sizeof(r));
	r.partition = -1;
	r.flags = WEIR_R_TS;
	r.ts = ts;
	vb->len = 0;
	if (weir_pack_json(vb, (const uint8_t *)json, strlen(json), err,
	    sizeof(err)) < 0)
		abort();
	weir_record_set_packed(&r, vb);
	weir_check_record(c, &r, &pos);
}

/* The text and JSON reports of a run checkpointed before event k. */
static void
run(const weir_rules *rs, const weir_check_opts *o, unsigned k,
    weir_buf *rep)
{
	weir_check *c = weir_check_new(rs, o), *c2;
	weir_buf vb = {0}, snap = {0};
	weir_report_info info = { "t", 0, 1.5 };
	char err[WEIR_ERRSZ];
	weir_rd rd;
	unsigned i;

	for (i = 0; i < N; i++) {
		if (i == k) {
			CHECK(weir_check_state_save(c, &snap) == 0);
			weir_check_free(c);
			c2 = weir_check_new(rs, o);
			weir_rd_init(&rd, snap.p, snap.len);
			if (weir_check_state_load(c2, &rd, err, sizeof(err)) < 0 ||
			    weir_rd_done(&rd, "check", err, sizeof(err)) < 0) {
				printf("# %s\n", err);
				CHECK(!"check state loads");
			}
			c = c2;
		}
		feed(c, i, &vb);
	}
	weir_check_finish(c);
	approx = weir_check_results(c)[1].approx;
	stopped = weir_check_results(c)[2].stopped;
	info.records = weir_check_records(c);
	rep->len = 0;
	weir_report_write(rep, WEIR_REPORT_TEXT, rs, weir_check_results(c),
	    &info);
	weir_report_write(rep, WEIR_REPORT_JSON, rs, weir_check_results(c),
	    &info);
	weir_check_free(c);
	weir_buf_free(&vb);
	weir_buf_free(&snap);
}

int
main(void)
{
	static const unsigned ks[] = { 0, 1, 150, 300, 500, 1400, 2999 };
	weir_rules rs;
	weir_check_opts o;
	weir_buf want = {0}, got = {0};
	size_t k;
	int w, same;

	rules(&rs);
	for (w = 0; w < 2; w++) {
		memset(&o, 0, sizeof(o));
		o.unique_limit = 16384;	/* .u turns approximate, .w stops */
		o.window = w ? 100 : 0;
		o.now_ms = 9000;
		run(&rs, &o, UINT32_MAX, &want);
		CHECK(want.len > 1000);
		if (!w)		/* the sets change mode within the run */
			CHECK(approx && stopped);
		for (k = 0; k < sizeof(ks) / sizeof(ks[0]); k++) {
			run(&rs, &o, ks[k], &got);
			same = got.len == want.len &&
			    !memcmp(got.p, want.p, want.len);
			if (!same)
				printf("# window %d k %u differs\n", w, ks[k]);
			CHECK(same);
		}
	}
	weir_rules_free(&rs);
	weir_buf_free(&want);
	weir_buf_free(&got);
	UNIT_DONE();
}
