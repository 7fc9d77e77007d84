/* test_join.c - lib/join: the changelog table against a plain model
 * (upserts, deletes, growth, compaction), and interval watermarks. */
#include <stdio.h>

#include "join.h"
#include "pack.h"
#include "record.h"
#include "snap.h"
#include "unit.h"

#define NKEYS 700

static int got;			/* records emitted by the last call */
static char got_json[4096];
static int64_t got_ts;

static void
emit(void *arg, const weir_record *r)
{
	weir_buf b = {0};
	weir_pv v;

	(void)arg;
	got++;
	got_ts = r->ts;
	got_json[0] = '\0';
	weir_pv_of(r->value, r->value_len, &v);
	if (weir_pv_to_json(&b, &v) == 0 && b.len < sizeof(got_json)) {
		memcpy(got_json, b.p, b.len);
		got_json[b.len] = '\0';
	}
	weir_buf_free(&b);
}

/* A record with key k, value JSON text (NULL: tombstone), time ts. */
static void
mkrec(weir_record *r, weir_buf *vb, const char *k, const char *json,
    int64_t ts)
{
	char err[WEIR_ERRSZ];

	memset(r, 0, sizeof(*r));
	r->partition = -1;
	r->flags = WEIR_R_KEY | WEIR_R_TS;
	r->key = (const uint8_t *)k;
	r->key_len = strlen(k);
	r->ts = ts;
	if (!json) {
		r->enc = WEIR_ENC_NULL;
		return;
	}
	vb->len = 0;
	if (weir_pack_json(vb, (const uint8_t *)json, strlen(json), err,
	    sizeof(err)) < 0)
		abort();
	weir_record_set_packed(r, vb);
}

static void
test_table(void)
{
	weir_join_spec sp;
	weir_join *j;
	weir_join_stats st;
	weir_record r;
	weir_buf vb = {0}, big = {0};
	char err[WEIR_ERRSZ], key[32], json[2048];
	int model[NKEYS];	/* -1 absent, else the version */
	int i, k, op, bad = 0, live = 0;
	unsigned seed = 12345;

	memset(&sp, 0, sizeof(sp));
	sp.mode = WEIR_JOIN_TABLE;
	sp.type = WEIR_JOIN_LEFT;
	sp.emit = emit;
	j = weir_join_new(&sp, err, sizeof(err));
	CHECK(j != NULL);
	for (i = 0; i < NKEYS; i++)
		model[i] = -1;
	/* values up to ~1 KiB so replaced rows make garbage to compact */
	for (i = 0; i < 600; i++)
		weir_buf_putc(&big, 'x');
	weir_buf_putc(&big, '\0');
	for (op = 0; op < 60000; op++) {
		seed = seed * 1103515245u + 12345u;
		k = (int)((seed >> 8) % NKEYS);
		snprintf(key, sizeof(key), "k%d", k);
		if ((seed >> 4) % 5 == 0) {
			mkrec(&r, &vb, key, NULL, 0);
			model[k] = -1;
		} else {
			snprintf(json, sizeof(json), "{\"v\":%d,\"pad\":\"%s\"}", op,
			    (seed >> 3) % 3 ? "" : (char *)big.p + (op % 500));
			mkrec(&r, &vb, key, json, 0);
			model[k] = op;
		}
		if (weir_join_record(j, 1, &r, err, sizeof(err)) != 0)
			bad++;
		/* probe a key now and then */
		if (op % 7 == 0) {
			int pk = (int)((seed >> 12) % NKEYS);
			snprintf(key, sizeof(key), "k%d", pk);
			mkrec(&r, &vb, key, "{\"q\":1}", 0);
			got = 0;
			weir_join_record(j, 0, &r, err, sizeof(err));
			if (got != 1)
				bad++;
			else if (model[pk] < 0 ? strcmp(got_json, "{\"q\":1}") != 0 :
			    strncmp(got_json + 7, "\"v\":", 4) != 0 ||
			    atoi(got_json + 11) != model[pk])
				bad++;
		}
	}
	CHECK(bad == 0);
	for (i = 0; i < NKEYS; i++)
		live += model[i] >= 0;
	weir_join_get_stats(j, &st);
	CHECK(st.rows == (uint64_t)live);
	/* every key, once more */
	bad = 0;
	for (i = 0; i < NKEYS; i++) {
		snprintf(key, sizeof(key), "k%d", i);
		mkrec(&r, &vb, key, "{\"q\":1}", 0);
		got = 0;
		weir_join_record(j, 0, &r, err, sizeof(err));
		if (got != 1 || (model[i] >= 0) != (strstr(got_json, "\"v\"") != NULL))
			bad++;
	}
	CHECK(bad == 0);
	weir_join_free(j);
	weir_buf_free(&vb);
	weir_buf_free(&big);
}

static void
test_interval_watermark(void)
{
	weir_join_spec sp;
	weir_join *j;
	weir_record r;
	weir_buf vb = {0};
	char err[WEIR_ERRSZ];

	memset(&sp, 0, sizeof(sp));
	sp.mode = WEIR_JOIN_INTERVAL;
	sp.type = WEIR_JOIN_LEFT;
	sp.before = 100;
	sp.after = 300;
	sp.emit = emit;
	j = weir_join_new(&sp, err, sizeof(err));
	CHECK(weir_join_out_watermark(j) == INT64_MIN);
	mkrec(&r, &vb, "a", "{\"o\":1}", 1000);
	got = 0;
	CHECK(weir_join_record(j, 0, &r, err, sizeof(err)) == 0);
	weir_join_watermark(j, 0, 5000);
	CHECK(weir_join_out_watermark(j) == INT64_MIN);	/* right: none yet */
	weir_join_watermark(j, 1, 1300);
	/* held back by what a left record may still be emitted with */
	CHECK(weir_join_out_watermark(j) == 1000);
	CHECK(got == 0);
	mkrec(&r, &vb, "a", "{\"p\":2}", 1300);	/* inclusive bound */
	CHECK(weir_join_record(j, 1, &r, err, sizeof(err)) == 0);
	CHECK(got == 1);
	CHECK_STR(got_json, "{\"o\":1,\"p\":2}");
	CHECK(got_ts == 1300);
	weir_join_watermark(j, 1, 1301);	/* closes the left record: matched */
	CHECK(got == 1);
	mkrec(&r, &vb, "a", "{\"o\":3}", 1200);	/* late for left's 5000 */
	CHECK(weir_join_record(j, 0, &r, err, sizeof(err)) == 0);
	mkrec(&r, &vb, "b", "{\"o\":4}", 6000);
	CHECK(weir_join_record(j, 0, &r, err, sizeof(err)) == 0);
	weir_join_end(j, 1);
	CHECK(got == 1);	/* left still open until its watermark passes */
	CHECK(weir_join_out_watermark(j) == 5000 - 300);
	weir_join_end(j, 0);
	CHECK(weir_join_out_watermark(j) == INT64_MAX);
	CHECK(got == 2);
	CHECK_STR(got_json, "{\"o\":4}");
	{
		weir_join_stats st;
		weir_join_get_stats(j, &st);
		CHECK(st.late == 1);
		CHECK(st.buffered == 0);
	}
	weir_join_free(j);
	weir_buf_free(&vb);
}

/* ---- checkpoints: save at event k, load into a fresh join, go on ---- */

static void
log_emit(void *arg, const weir_record *r)
{
	weir_buf *log = arg;
	weir_pv v;

	weir_buf_printf(log, "%lld %.*s [%lld,%lld) ", (long long)r->ts,
	    (r->flags & WEIR_R_KEY) ? (int)r->key_len : 1,
	    (r->flags & WEIR_R_KEY) ? (const char *)r->key : "-",
	    (long long)r->win_start, (long long)r->win_end);
	weir_pv_of(r->value, r->value_len, &v);
	weir_pv_to_json(log, &v);
	weir_buf_putc(log, '\n');
}

/* A mode of the checkpoint tests: an interval join bounded by the left
 * record's fields f and u (--between). */
#define BETWEEN 0x100

/* Event i of a deterministic script: a record or a watermark of a side. */
static void
feed(weir_join *j, int mode, unsigned i, weir_buf *vb)
{
	int between = mode & BETWEEN;
	unsigned x = i * 2654435761u ^ 0x9e37u, side = (x >> 3) & 1;
	char key[8], json[64];
	weir_record r;
	int64_t ts = (int64_t)i * 10 - (int64_t)((x >> 5) % 40);
	char err[WEIR_ERRSZ];

	if ((x >> 9) % 7 == 0) {
		weir_join_watermark(j, (int)side, ts - 30);
		return;
	}
	mode &= ~BETWEEN;
	snprintf(key, sizeof(key), "k%u", (x >> 12) % 5);
	if (between && !side) {
		snprintf(json, sizeof(json), "{\"l\":%u,\"i\":%u,\"f\":%lld,"
		    "\"u\":%lld}", x % 1000, i, (long long)ts - 5 + x % 10,
		    (long long)ts + (x >> 14) % 60);
		mkrec(&r, vb, key, json, ts);
	} else if (mode == WEIR_JOIN_TABLE && side && (x >> 16) % 5 == 0) {
		mkrec(&r, vb, key, NULL, ts);
	} else {
		snprintf(json, sizeof(json), "{\"%s\":%u,\"i\":%u}",
		    side ? "r" : "l", x % 1000, i);
		mkrec(&r, vb, key, json, ts);
	}
	if (mode == WEIR_JOIN_WINDOW) {
		r.flags |= WEIR_R_WINDOW;
		r.win_start = ts - ((ts % 50) + 50) % 50;
		r.win_end = r.win_start + 50;
	}
	weir_join_record(j, (int)side, &r, err, sizeof(err));
}

static weir_join *
ckpt_join(int mode, int type, weir_buf *log)
{
	static weir_path fu[2];
	weir_join_spec sp;
	char err[WEIR_ERRSZ];

	memset(&sp, 0, sizeof(sp));
	sp.mode = mode & ~BETWEEN;
	sp.type = type;
	sp.before = 25;
	sp.after = 40;
	if (mode & BETWEEN) {
		if (!fu[0].text && (weir_path_parse(&fu[0], ".f", err,
		    sizeof(err)) < 0 || weir_path_parse(&fu[1], ".u", err,
		    sizeof(err)) < 0))
			abort();
		sp.from = &fu[0];
		sp.until = &fu[1];
		sp.before = 0;
	}
	sp.emit = log_emit;
	sp.arg = log;
	return weir_join_new(&sp, err, sizeof(err));
}

/* A left interval join within 10 ms writing to log. */
static weir_join *
tie_join(weir_buf *log)
{
	weir_join_spec sp;
	char err[WEIR_ERRSZ];

	memset(&sp, 0, sizeof(sp));
	sp.mode = WEIR_JOIN_INTERVAL;
	sp.type = WEIR_JOIN_LEFT;
	sp.before = sp.after = 10;
	sp.emit = log_emit;
	sp.arg = log;
	return weir_join_new(&sp, err, sizeof(err));
}

/* Records closing at the same time come out in the order they came in:
 * unmatched left records of one time (keys of one group and of several),
 * then after a checkpoint taken with them queued. */
static void
test_tie_order(void)
{
	static const char *const keys[] = { "a", "b", "c", "a", "d", "e", "b" };
	weir_join *j, *j2;
	weir_record r;
	weir_buf vb = {0}, log = {0}, snap = {0};
	char err[WEIR_ERRSZ], json[32];
	weir_rd rd;
	size_t i, n = sizeof(keys) / sizeof(keys[0]);
	int pass;

	for (pass = 0; pass < 2; pass++) {
		j = tie_join(&log);
		log.len = 0;
		for (i = 0; i < n; i++) {
			snprintf(json, sizeof(json), "{\"i\":%zu}", i);
			mkrec(&r, &vb, keys[i], json, 500);
			CHECK(weir_join_record(j, 0, &r, err, sizeof(err)) == 0);
		}
		if (pass) {
			snap.len = 0;
			CHECK(weir_join_save(j, &snap) == 0);
			weir_join_free(j);
			j2 = tie_join(&log);
			weir_rd_init(&rd, snap.p, snap.len);
			CHECK(weir_join_load(j2, &rd, err, sizeof(err)) == 0);
			j = j2;
		}
		weir_join_end(j, 1);
		weir_join_end(j, 0);
		CHECK_STR((char *)(weir_buf_putc(&log, '\0') < 0 ? NULL :
		    log.p), "500 a [0,0) {\"i\":0}\n500 b [0,0) {\"i\":1}\n"
		    "500 c [0,0) {\"i\":2}\n500 a [0,0) {\"i\":3}\n"
		    "500 d [0,0) {\"i\":4}\n500 e [0,0) {\"i\":5}\n"
		    "500 b [0,0) {\"i\":6}\n");
		weir_join_free(j);
	}
	weir_buf_free(&vb);
	weir_buf_free(&log);
	weir_buf_free(&snap);
}

/* A state saved before the prune queue (weir 5045700: a binary heap's
 * layout, no JOIN_SNAP_ORDERED) of the seven records of test_tie_order:
 * it loads and its records close in that heap's order, also once saved
 * again in the new form. */
static const uint8_t old_state[] = {
	0x01, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01, 0xff,
	0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01, 0xff, 0xff, 0xff,
	0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01, 0x00, 0x00, 0x00, 0x00, 0x00,
	0x07, 0x05, 0x00, 0x00, 0x01, 0x64, 0x01, 0xe8, 0x07, 0x02, 0x01, 0x64,
	0x06, 0x09, 0x04, 0x41, 0x69, 0x03, 0x08, 0x00, 0x00, 0x00, 0x01, 0x65,
	0x01, 0xe8, 0x07, 0x02, 0x01, 0x65, 0x06, 0x09, 0x04, 0x41, 0x69, 0x03,
	0x0a, 0x00, 0x00, 0x00, 0x01, 0x63, 0x01, 0xe8, 0x07, 0x02, 0x01, 0x63,
	0x06, 0x09, 0x04, 0x41, 0x69, 0x03, 0x04, 0x00, 0x00, 0x00, 0x01, 0x62,
	0x02, 0xe8, 0x07, 0x02, 0x01, 0x62, 0x06, 0x09, 0x04, 0x41, 0x69, 0x03,
	0x02, 0xe8, 0x07, 0x02, 0x01, 0x62, 0x06, 0x09, 0x04, 0x41, 0x69, 0x03,
	0x0c, 0x00, 0x00, 0x00, 0x01, 0x61, 0x02, 0xe8, 0x07, 0x02, 0x01, 0x61,
	0x06, 0x09, 0x04, 0x41, 0x69, 0x03, 0x00, 0xe8, 0x07, 0x02, 0x01, 0x61,
	0x06, 0x09, 0x04, 0x41, 0x69, 0x03, 0x06, 0x00, 0x07, 0xfe, 0x07, 0x05,
	0xfe, 0x07, 0x03, 0xfe, 0x07, 0x02, 0xfe, 0x07, 0x06, 0xfe, 0x07, 0x00,
	0xfe, 0x07, 0x01, 0xfe, 0x07, 0x04,
};

static void
test_old_state(void)
{
	weir_join *j;
	weir_buf log = {0}, snap = {0};
	char err[WEIR_ERRSZ];
	weir_rd rd;
	int pass;

	for (pass = 0; pass < 2; pass++) {
		j = tie_join(&log);
		if (pass)
			weir_rd_init(&rd, snap.p, snap.len);
		else
			weir_rd_init(&rd, old_state, sizeof(old_state));
		CHECK(weir_join_load(j, &rd, err, sizeof(err)) == 0);
		CHECK(weir_rd_done(&rd, "join", err, sizeof(err)) == 0);
		if (!pass) {
			CHECK(weir_join_save(j, &snap) == 0);
			CHECK(snap.len == sizeof(old_state) + 1);
		}
		log.len = 0;
		weir_join_end(j, 1);
		weir_join_end(j, 0);
		CHECK_STR((char *)(weir_buf_putc(&log, '\0') < 0 ? NULL :
		    log.p), "500 a [0,0) {\"i\":0}\n500 b [0,0) {\"i\":6}\n"
		    "500 e [0,0) {\"i\":5}\n500 d [0,0) {\"i\":4}\n"
		    "500 a [0,0) {\"i\":3}\n500 c [0,0) {\"i\":2}\n"
		    "500 b [0,0) {\"i\":1}\n");
		weir_join_free(j);
	}
	weir_buf_free(&log);
	weir_buf_free(&snap);
}

static void
ckpt_run(int mode, int type, unsigned n, unsigned k, weir_buf *log,
    weir_buf *snap)
{
	weir_join *j = ckpt_join(mode, type, log), *j2;
	weir_buf vb = {0};
	char err[WEIR_ERRSZ];
	weir_rd rd;
	unsigned i;

	for (i = 0; i < n; i++) {
		if (i == k) {
			snap->len = 0;
			CHECK(weir_join_save(j, snap) == 0);
			weir_join_free(j);
			j2 = ckpt_join(mode, type, log);
			weir_rd_init(&rd, snap->p, snap->len);
			if (weir_join_load(j2, &rd, err, sizeof(err)) < 0 ||
			    weir_rd_done(&rd, "join", err, sizeof(err)) < 0) {
				printf("# %s\n", err);
				CHECK(!"join state loads");
			}
			j = j2;
		}
		feed(j, mode, i, &vb);
	}
	weir_join_end(j, 1);
	weir_join_end(j, 0);
	weir_join_free(j);
	weir_buf_free(&vb);
}

static void
test_checkpoint(void)
{
	static const int modes[][2] = {
		{ WEIR_JOIN_TABLE, WEIR_JOIN_LEFT },
		{ WEIR_JOIN_INTERVAL, WEIR_JOIN_INNER },
		{ WEIR_JOIN_INTERVAL, WEIR_JOIN_OUTER },
		{ WEIR_JOIN_WINDOW, WEIR_JOIN_OUTER },
		{ WEIR_JOIN_INTERVAL | BETWEEN, WEIR_JOIN_INNER },
		{ WEIR_JOIN_INTERVAL | BETWEEN, WEIR_JOIN_LEFT },
	};
	static const unsigned ks[] = { 0, 1, 37, 200, 555, 999 };
	weir_buf want = {0}, got_log = {0}, snap = {0}, bad = {0};
	char err[WEIR_ERRSZ];
	weir_join *j;
	weir_rd rd;
	size_t m, k, cut;
	int same;

	for (m = 0; m < sizeof(modes) / sizeof(modes[0]); m++) {
		want.len = 0;
		ckpt_run(modes[m][0], modes[m][1], 1000, UINT32_MAX, &want,
		    &snap);
		CHECK(want.len > 1000);
		for (k = 0; k < sizeof(ks) / sizeof(ks[0]); k++) {
			got_log.len = 0;
			ckpt_run(modes[m][0], modes[m][1], 1000, ks[k],
			    &got_log, &snap);
			same = got_log.len == want.len &&
			    !memcmp(got_log.p, want.p, want.len);
			if (!same)
				printf("# mode %d type %d k %u differs\n",
				    modes[m][0], modes[m][1], ks[k]);
			CHECK(same);
		}
		/* every truncation of the last snapshot is refused cleanly */
		for (cut = 0; cut < snap.len; cut += 1 + cut / 8) {
			bad.len = 0;
			weir_buf_put(&bad, snap.p, cut);
			j = ckpt_join(modes[m][0], modes[m][1], &got_log);
			weir_rd_init(&rd, bad.p, bad.len);
			same = weir_join_load(j, &rd, err, sizeof(err)) < 0 ||
			    weir_rd_done(&rd, "join", err, sizeof(err)) < 0;
			weir_join_free(j);
			if (!same)
				break;
		}
		CHECK(same);
	}
	/* a snapshot of another kind of join is refused */
	snap.len = 0;
	j = ckpt_join(WEIR_JOIN_TABLE, WEIR_JOIN_LEFT, &got_log);
	CHECK(weir_join_save(j, &snap) == 0);
	weir_join_free(j);
	j = ckpt_join(WEIR_JOIN_INTERVAL, WEIR_JOIN_LEFT, &got_log);
	weir_rd_init(&rd, snap.p, snap.len);
	CHECK(weir_join_load(j, &rd, err, sizeof(err)) < 0);
	weir_join_free(j);
	weir_buf_free(&want);
	weir_buf_free(&got_log);
	weir_buf_free(&snap);
	weir_buf_free(&bad);
}

int
main(void)
{
	test_table();
	test_interval_watermark();
	test_checkpoint();
	test_tie_order();
	test_old_state();
	UNIT_DONE();
}
