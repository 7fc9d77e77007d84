/* test_join.c - lib/join: the changelog table against a plain model
 * (upserts, deletes, growth, compaction), and interval watermarks. */
#include <stdio.h>

#include "join.h"
#include "pack.h"
#include "record.h"
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

int
main(void)
{
	test_table();
	test_interval_watermark();
	UNIT_DONE();
}
