/* fuzz_snap_jc.c - weir_join_load and weir_check_state_load on arbitrary bytes:
 * no crash, no huge allocation; a state that loads can be used (records,
 * watermarks, END, the report) and saved again, and what is saved loads.
 * The first byte picks the loader: 0-3 a join (table, interval inner,
 * interval outer, window outer), else the checker. */
#include <stdio.h>
#include <stdlib.h>

#include "check.h"
#include "join.h"
#include "pack.h"
#include "record.h"
#include "report.h"
#include "rules.h"
#include "snap.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void
sink(void *arg, const weir_record *r)
{
	weir_pv v;

	(void)arg;
	weir_pv_of(r->value, r->value_len, &v);
	if (v.type != WEIR_PV_OBJECT)
		__builtin_trap();
}

static void
rec(weir_record *r, weir_buf *vb, const char *key, const char *json,
    int64_t ts)
{
	char err[64];

	memset(r, 0, sizeof(*r));
	r->partition = -1;
	r->flags = WEIR_R_KEY | WEIR_R_TS | WEIR_R_WINDOW;
	r->key = (const uint8_t *)key;
	r->key_len = strlen(key);
	r->ts = ts;
	r->win_start = ts - ts % 50;
	r->win_end = r->win_start + 50;
	vb->len = 0;
	if (weir_pack_json(vb, (const uint8_t *)json, strlen(json), err,
	    sizeof(err)) < 0)
		__builtin_trap();
	weir_record_set_packed(r, vb);
}

static weir_join *
mkjoin(int sel)
{
	static const int m[4][2] = {
		{ WEIR_JOIN_TABLE, WEIR_JOIN_LEFT },
		{ WEIR_JOIN_INTERVAL, WEIR_JOIN_INNER },
		{ WEIR_JOIN_INTERVAL, WEIR_JOIN_OUTER },
		{ WEIR_JOIN_WINDOW, WEIR_JOIN_OUTER },
	};
	weir_join_spec sp;
	char err[64];

	memset(&sp, 0, sizeof(sp));
	sp.mode = m[sel][0];
	sp.type = m[sel][1];
	sp.before = 25;
	sp.after = 40;
	sp.emit = sink;
	return weir_join_new(&sp, err, sizeof(err));
}

static void
fuzz_join(int sel, const uint8_t *p, size_t n)
{
	weir_join *j = mkjoin(sel), *j2;
	weir_buf vb = {0}, out = {0};
	weir_record r;
	weir_rd rd;
	char err[256];
	int64_t t;

	weir_rd_init(&rd, p, n);
	if (weir_join_load(j, &rd, err, sizeof(err)) == 0 &&
	    weir_rd_done(&rd, "join", err, sizeof(err)) == 0) {
		/* saved again, it loads again */
		if (weir_join_save(j, &out) < 0)
			__builtin_trap();
		j2 = mkjoin(sel);
		weir_rd_init(&rd, out.p, out.len);
		if (weir_join_load(j2, &rd, err, sizeof(err)) < 0 ||
		    weir_rd_done(&rd, "join", err, sizeof(err)) < 0)
			__builtin_trap();
		weir_join_free(j2);
		for (t = 0; t < 200; t += 37) {
			rec(&r, &vb, t % 2 ? "a" : "b", "{\"x\":1}", t);
			weir_join_record(j, 0, &r, err, sizeof(err));
			weir_join_record(j, 1, &r, err, sizeof(err));
			weir_join_watermark(j, (int)(t & 1), t);
		}
		weir_join_end(j, 0);
		weir_join_end(j, 1);
	}
	weir_join_free(j);
	weir_buf_free(&vb);
	weir_buf_free(&out);
}

static void
fuzz_check(const uint8_t *p, size_t n)
{
	static weir_rules rs;
	static int ready;
	static const char *const fl[][2] = {
		{ "unique", ".id" }, { "unique_approx", ".u" },
		{ "not_null", ".v" }, { "count", "1..5" },
		{ "freshness", "50ms" },
	};
	weir_check_opts o = { 65536, 100, 1000 };
	weir_check *c;
	weir_check_pos pos = { "in", 1, 1 };
	weir_report_info info = { "t", 0, 0 };
	weir_buf vb = {0}, out = {0};
	weir_record r;
	weir_rd rd;
	char err[256];
	size_t i;

	if (!ready) {
		weir_rules_init(&rs);
		for (i = 0; i < sizeof(fl) / sizeof(fl[0]); i++)
			if (weir_rules_add_flag(&rs, fl[i][0], fl[i][1], err,
			    sizeof(err)) < 0)
				__builtin_trap();
		ready = 1;
	}
	c = weir_check_new(&rs, &o);
	weir_rd_init(&rd, p, n);
	if (weir_check_state_load(c, &rd, err, sizeof(err)) == 0 &&
	    weir_rd_done(&rd, "check", err, sizeof(err)) == 0) {
		if (weir_check_state_save(c, &out) < 0)
			__builtin_trap();
		rec(&r, &vb, "k", "{\"id\":1,\"u\":\"x\",\"v\":2}", 120);
		weir_check_record(c, &r, &pos);
		weir_check_watermark(c, 300);
		weir_check_finish(c);
		out.len = 0;
		weir_report_write(&out, WEIR_REPORT_TEXT, &rs,
		    weir_check_results(c), &info);
		weir_report_write(&out, WEIR_REPORT_JSON, &rs,
		    weir_check_results(c), &info);
	}
	weir_check_free(c);
	weir_buf_free(&vb);
	weir_buf_free(&out);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size < 1)
		return 0;
	if (data[0] < 4)
		fuzz_join(data[0], data + 1, size - 1);
	else
		fuzz_check(data + 1, size - 1);
	return 0;
}
