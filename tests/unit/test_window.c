/* test_window.c - window assignment at the edges, and session windows. */
#include "unit.h"

#include "window.h"

/* Windows that hold ts, as "start,end start,end ...". */
static const char *
wins(const weir_window_spec *w, int64_t ts)
{
	static char buf[1024];
	weir_window_iter it;
	int64_t s, e;
	size_t n = 0;
	char err[WEIR_ERRSZ];

	buf[0] = 0;
	if (weir_window_iter_init(&it, w, ts, err, sizeof(err)) < 0)
		return "range";
	while (weir_window_iter_next(&it, &s, &e))
		n += (size_t)snprintf(buf + n, sizeof(buf) - n, "%s%lld,%lld",
		    n ? " " : "", (long long)s, (long long)e);
	return buf;
}

static int
spec(weir_window_spec *w, const char *a, const char *b, const char *c,
    int64_t offset)
{
	char *words[3] = { (char *)a, (char *)b, (char *)c };
	char err[WEIR_ERRSZ];

	return weir_window_parse(w, words, c ? 3 : b ? 2 : 1, offset, err,
	    sizeof(err));
}

/* Session output collected as "ts@start,end/key" lines. */
static char out[4096];
static size_t outn, nout;
static int64_t lastend;
static int disorder;

static int
collect(void *arg, const weir_record *r)
{
	(void)arg;
	nout++;
	if (r->win_end < lastend)
		disorder = 1;
	lastend = r->win_end;
	if (outn < sizeof(out) - 64)
		outn += (size_t)snprintf(out + outn, sizeof(out) - outn,
	    "%s%lld@%lld,%lld/%.*s", outn ? " " : "", (long long)r->ts,
	    (long long)r->win_start, (long long)r->win_end, (int)r->key_len,
	    (const char *)r->key);
	return (r->flags & WEIR_R_WINDOW) ? 0 : -1;
}

static int
add(weir_window_sessions *s, const char *key, int64_t ts, int64_t cutoff,
    int64_t *ls, int64_t *le)
{
	weir_record r;
	char err[WEIR_ERRSZ];
	int64_t a, b;

	memset(&r, 0, sizeof(r));
	r.flags = WEIR_R_TS | WEIR_R_KEY;
	r.enc = WEIR_ENC_JSON;
	r.ts = ts;
	r.key = (const uint8_t *)key;
	r.key_len = strlen(key);
	r.value = (const uint8_t *)"{}";
	r.value_len = 2;
	return weir_window_sessions_add(s, r.key, r.key_len, &r, cutoff,
	    ls ? ls : &a, le ? le : &b, err, sizeof(err));
}

static const char *
close_all(weir_window_sessions *s, int64_t cutoff)
{
	char err[WEIR_ERRSZ];

	outn = nout = 0;
	out[0] = 0;
	lastend = INT64_MIN;
	disorder = 0;
	if (weir_window_sessions_close(s, cutoff, collect, NULL, err,
	    sizeof(err)) != 0)
		return "error";
	return out;
}

int
main(void)
{
	weir_window_spec w;
	weir_window_sessions *s;
	int64_t st = 0, a, b;

	/* epoch alignment floors, also below zero */
	CHECK(weir_window_align(10, 10, 0, &st) == 0 && st == 10);
	CHECK(weir_window_align(9, 10, 0, &st) == 0 && st == 0);
	CHECK(weir_window_align(-1, 10, 0, &st) == 0 && st == -10);
	CHECK(weir_window_align(-10, 10, 0, &st) == 0 && st == -10);
	CHECK(weir_window_align(-11, 10, 0, &st) == 0 && st == -20);
	CHECK(weir_window_align(2, 10, 3, &st) == 0 && st == -7);
	CHECK(weir_window_align(3, 10, 3, &st) == 0 && st == 3);
	CHECK(weir_window_align(-8, 10, 3, &st) == 0 && st == -17);
	CHECK(weir_window_align(INT64_MIN, 10, 0, &st) < 0);
	CHECK(weir_window_align(INT64_MIN, 10, 3, &st) < 0);
	CHECK(weir_window_align(INT64_MIN + 9, 10, 3, &st) == 0 &&
	    st == INT64_MIN + 1);
	CHECK(weir_window_align(INT64_MAX, 1000, 0, &st) == 0 &&
	    st == INT64_MAX - INT64_MAX % 1000);

	/* tumbling: a record exactly at end belongs to the next window */
	CHECK(spec(&w, "tumbling", "10", NULL, 0) == 2);
	CHECK_STR(wins(&w, 0), "0,10");
	CHECK_STR(wins(&w, 9), "0,10");
	CHECK_STR(wins(&w, 10), "10,20");
	CHECK_STR(wins(&w, -1), "-10,0");
	CHECK_STR(wins(&w, -10), "-10,0");
	CHECK_STR(wins(&w, -11), "-20,-10");
	CHECK_STR(wins(&w, INT64_MAX - 5), "range");
	CHECK_STR(wins(&w, INT64_MIN), "range");
	CHECK(spec(&w, "tumbling", "1m", NULL, 0) == 2 && w.size == 60000);
	CHECK_STR(wins(&w, 1700000059999), "1700000040000,1700000100000");
	CHECK_STR(wins(&w, 1700000039999), "1699999980000,1700000040000");
	CHECK_STR(wins(&w, 1700000040000), "1700000040000,1700000100000");

	/* offsets shift the alignment; a negative one wraps into [0, size) */
	CHECK(spec(&w, "tumbling", "10", NULL, 3) == 2 && w.offset == 3);
	CHECK_STR(wins(&w, 12), "3,13");
	CHECK_STR(wins(&w, 13), "13,23");
	CHECK_STR(wins(&w, -8), "-17,-7");
	CHECK_STR(wins(&w, -7), "-7,3");
	CHECK(spec(&w, "tumbling", "10", NULL, -3) == 2 && w.offset == 7);
	CHECK_STR(wins(&w, 6), "-3,7");
	CHECK(spec(&w, "tumbling", "10", NULL, 23) == 2 && w.offset == 3);

	/* hopping: one window per ADVANCE that overlaps the record */
	CHECK(spec(&w, "hopping", "10", "5", 0) == 3);
	CHECK_STR(wins(&w, 0), "-5,5 0,10");
	CHECK_STR(wins(&w, 5), "0,10 5,15");
	CHECK_STR(wins(&w, 9), "0,10 5,15");
	CHECK_STR(wins(&w, -1), "-10,0 -5,5");
	/* SIZE not a multiple of ADVANCE: 3 or 4 windows per record */
	CHECK(spec(&w, "hopping", "10", "3", 0) == 3);
	CHECK_STR(wins(&w, 9), "0,10 3,13 6,16 9,19");
	CHECK_STR(wins(&w, 10), "3,13 6,16 9,19");
	CHECK_STR(wins(&w, 0), "-9,1 -6,4 -3,7 0,10");
	CHECK_STR(wins(&w, -1), "-9,1 -6,4 -3,7");
	CHECK_STR(wins(&w, -10), "-18,-8 -15,-5 -12,-2");
	CHECK(spec(&w, "hopping", "10", "4", 0) == 3);
	CHECK_STR(wins(&w, 0), "-8,2 -4,6 0,10");
	CHECK_STR(wins(&w, 3), "-4,6 0,10");
	CHECK_STR(wins(&w, 2), "-4,6 0,10");
	CHECK_STR(wins(&w, 1), "-8,2 -4,6 0,10");
	CHECK(spec(&w, "hopping", "10", "4", 1) == 3);
	CHECK_STR(wins(&w, 1), "-7,3 -3,7 1,11");
	CHECK_STR(wins(&w, 0), "-7,3 -3,7");
	CHECK(spec(&w, "hopping", "10", "10", 0) == 3);
	CHECK_STR(wins(&w, 10), "10,20");

	/* bad specs */
	CHECK(spec(&w, "tumbling", "0", NULL, 0) == -1);
	CHECK(spec(&w, "tumbling", "ten", NULL, 0) == -1);
	CHECK(spec(&w, "tumbling", NULL, NULL, 0) == -1);
	CHECK(spec(&w, "hopping", "10", NULL, 0) == -1);
	CHECK(spec(&w, "hopping", "10", "20", 0) == -1);
	CHECK(spec(&w, "hopping", "1d", "1ms", 0) == -1);
	CHECK(spec(&w, "session", "5s", NULL, 0) == 2 && w.gap == 5000);
	CHECK(spec(&w, "session", "5s", NULL, 1) == -1);
	CHECK(spec(&w, "sliding", "5s", NULL, 0) == -1);

	/* the cutoff is the watermark held back by the grace, saturating */
	CHECK(weir_window_cutoff(100, 10) == 90);
	CHECK(weir_window_cutoff(INT64_MIN, 10) == INT64_MIN);
	CHECK(weir_window_cutoff(INT64_MIN + 5, 10) == INT64_MIN);
	CHECK(weir_window_cutoff(INT64_MAX, 0) == INT64_MAX);

	/* sessions: [first, last + gap); records at most gap apart join */
	s = weir_window_sessions_new(10);
	CHECK(s != NULL);
	CHECK(add(s, "a", 0, INT64_MIN, NULL, NULL) == 0);
	CHECK(add(s, "a", 10, INT64_MIN, NULL, NULL) == 0);	/* exactly gap */
	CHECK(add(s, "a", 21, INT64_MIN, NULL, NULL) == 0);	/* gap + 1: new */
	CHECK(add(s, "b", 5, INT64_MIN, NULL, NULL) == 0);
	CHECK(weir_window_sessions_open(s) == 3);
	CHECK_STR(close_all(s, 19), "5@5,15/b");
	CHECK_STR(close_all(s, 19), "");	/* [0,20) needs cutoff >= 20 */
	CHECK_STR(close_all(s, 20), "0@0,20/a 10@0,20/a");
	CHECK(weir_window_sessions_open(s) == 1);
	/* a record for a closed session that joins nothing is late */
	CHECK(add(s, "a", 9, 20, &a, &b) == 1 && a == 9 && b == 19);
	/* one that joins an open session is not, and moves its start */
	CHECK(add(s, "a", 15, 20, NULL, NULL) == 0);
	CHECK_STR(close_all(s, 30), "");
	CHECK_STR(close_all(s, 31), "15@15,31/a 21@15,31/a");
	CHECK(weir_window_sessions_open(s) == 0);
	CHECK(weir_window_sessions_records(s) == 0);

	/* a record that bridges two sessions merges them */
	CHECK(add(s, "k", 100, INT64_MIN, NULL, NULL) == 0);
	CHECK(add(s, "k", 118, INT64_MIN, NULL, NULL) == 0);
	CHECK(add(s, "k", 136, INT64_MIN, NULL, NULL) == 0);
	CHECK(add(s, "j", 112, INT64_MIN, NULL, NULL) == 0);
	CHECK(weir_window_sessions_open(s) == 4);
	CHECK(add(s, "k", 109, INT64_MIN, NULL, NULL) == 0);	/* 100..118 */
	CHECK(weir_window_sessions_open(s) == 3);
	CHECK(add(s, "k", 127, INT64_MIN, NULL, NULL) == 0);	/* ..136 */
	CHECK(weir_window_sessions_open(s) == 2);
	CHECK(weir_window_sessions_records(s) == 6);
	CHECK(add(s, "k", 95, INT64_MIN, NULL, NULL) == 0);	/* earlier */
	CHECK_STR(close_all(s, INT64_MAX),
	    "112@112,122/j 95@95,146/k 100@95,146/k 109@95,146/k "
	    "118@95,146/k 127@95,146/k 136@95,146/k");

	/* many sessions in one group, added out of order, close by end */
	{
		int i, ok = 1;
		for (i = 0; i < 1000; i++)
			if (add(s, "m", (int64_t)((i * 7919) % 1000) * 100,
			    INT64_MIN, NULL, NULL) != 0)
				ok = 0;
		CHECK(ok);
		CHECK(weir_window_sessions_open(s) == 1000);
		CHECK_STR(close_all(s, 110), "0@0,10/m 100@100,110/m");
		CHECK(weir_window_sessions_open(s) == 998);
		(void)close_all(s, INT64_MAX);
		CHECK(nout == 998 && !disorder);
		CHECK(weir_window_sessions_open(s) == 0);
	}

	/* many groups: the table grows and shrinks back through deletes */
	{
		char key[32];
		int i, ok = 1;
		for (i = 0; i < 5000; i++) {
			snprintf(key, sizeof(key), "user%d", i);
			if (add(s, key, 0, INT64_MIN, NULL, NULL) != 0)
				ok = 0;
		}
		for (i = 0; i < 5000; i += 2) {
			snprintf(key, sizeof(key), "user%d", i);
			if (add(s, key, 5, INT64_MIN, NULL, NULL) != 0)
				ok = 0;
		}
		CHECK(ok);
		CHECK(weir_window_sessions_open(s) == 5000);
		CHECK(weir_window_sessions_records(s) == 7500);
		(void)close_all(s, 10);	/* the odd users' [0,10) */
		CHECK(weir_window_sessions_open(s) == 2500);
		for (i = 0; i < 5000; i++) {
			snprintf(key, sizeof(key), "user%d", i);
			if (add(s, key, 60, 10, NULL, NULL) != 0)
				ok = 0;
		}
		CHECK(ok);
		CHECK(weir_window_sessions_open(s) == 7500);
		CHECK(weir_window_sessions_records(s) == 10000);
		(void)close_all(s, INT64_MAX);
		CHECK(nout == 10000 && !disorder);
		CHECK(weir_window_sessions_open(s) == 0);
	}

	/* times whose session bound would overflow are refused */
	CHECK(add(s, "x", INT64_MAX - 5, INT64_MIN, NULL, NULL) == -1);
	CHECK(add(s, "x", INT64_MIN + 5, INT64_MIN, NULL, NULL) == -1);
	weir_window_sessions_free(s);

	/* a late record tagged with its window survives the frame format
	 * (the LATE flag makes the flags varint two bytes long) */
	{
		weir_record r, *d;
		weir_fenc enc;
		weir_fdec dec;
		weir_frame f;
		weir_buf fb = { 0 };
		char err[WEIR_ERRSZ];
		long used;

		memset(&r, 0, sizeof(r));
		memset(&enc, 0, sizeof(enc));
		memset(&dec, 0, sizeof(dec));
		r.flags = WEIR_R_TS | WEIR_R_WINDOW | WEIR_R_LATE;
		r.enc = WEIR_ENC_JSON;
		r.ts = 5;
		r.win_start = 0;
		r.win_end = 10;
		r.value = (const uint8_t *)"{\"ts\":5}";
		r.value_len = 8;
		CHECK(weir_frame_put_record(&enc, &fb, &r) == 0);
		used = weir_frame_parse(&dec, fb.p, fb.len, 1 << 20, &f, NULL, err,
		    sizeof(err));
		d = &f.rec;
		CHECK(used == (long)fb.len);
		CHECK(used > 0 && d->flags == r.flags && d->enc == WEIR_ENC_JSON &&
		    d->ts == 5 && d->win_start == 0 && d->win_end == 10 &&
		    d->value_len == 8 && !memcmp(d->value, r.value, 8));
		weir_buf_free(&fb);
	}

	UNIT_DONE();
}
