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
	while (weir_window_iter_next(&it, &s, &e) && n < sizeof(buf) - 64)
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

/* Brute force: every aligned start s with s <= ts < s + size. */
static const char *
wins_brute(const weir_window_spec *w, int64_t ts)
{
	static char buf[1024];
	size_t n = 0;
	int64_t s;

	buf[0] = 0;
	for (s = ts - w->size - 2 * w->advance; s <= ts; s++) {
		int64_t m = ((s - w->offset) % w->advance + w->advance) %
		    w->advance;
		if (m == 0 && s + w->size > ts)
			n += (size_t)snprintf(buf + n, sizeof(buf) - n,
			    "%s%lld,%lld", n ? " " : "", (long long)s,
			    (long long)(s + w->size));
	}
	return buf;
}

/*
 * A naive model of sessions: the open records of each group; a session is
 * a run of them (sorted by time) with steps of at most gap.
 */
#define MODEL_MAX 4096
static struct mrec { int key; int64_t ts; } model[MODEL_MAX];
static size_t nmodel;

static int
cmp_mrec(const void *a, const void *b)
{
	const struct mrec *x = a, *y = b;

	if (x->key != y->key)
		return x->key - y->key;
	return x->ts < y->ts ? -1 : x->ts > y->ts;
}

/* 1 late, 0 kept. */
static int
model_add(int key, int64_t ts, int64_t gap, int64_t cutoff)
{
	size_t i;

	for (i = 0; i < nmodel; i++)
		if (model[i].key == key && model[i].ts - ts <= gap &&
		    ts - model[i].ts <= gap)
			break;
	if (i == nmodel && ts + gap <= cutoff)
		return 1;
	model[nmodel].key = key;
	model[nmodel++].ts = ts;
	return 0;
}

/* Close sessions ending <= cutoff: their records as sorted lines. */
static void
model_close(int64_t gap, int64_t cutoff, char *buf, size_t sz)
{
	size_t i = 0, j, k, keep = 0, n = 0;

	qsort(model, nmodel, sizeof(*model), cmp_mrec);
	while (i < nmodel) {
		for (j = i + 1; j < nmodel && model[j].key == model[i].key &&
		    model[j].ts - model[j - 1].ts <= gap; j++)
			;
		if (model[j - 1].ts + gap <= cutoff) {
			for (k = i; k < j; k++) {
				n += (size_t)snprintf(buf + n, sz - n, "%d:%lld@%lld,%lld\n",
				    model[k].key, (long long)model[k].ts,
				    (long long)model[i].ts,
				    (long long)(model[j - 1].ts + gap));
			}
		} else
			for (k = i; k < j; k++)
				model[keep++] = model[k];
		i = j;
	}
	nmodel = keep;
	buf[n] = 0;
}

/* The implementation's output in the same form, sorted. */
static char *lines[MODEL_MAX];
static size_t nlines;

static int
collect_line(void *arg, const weir_record *r)
{
	char tmp[128];

	(void)arg;
	if (r->win_end < lastend)
		disorder = 1;
	lastend = r->win_end;
	snprintf(tmp, sizeof(tmp), "%.*s:%lld@%lld,%lld\n", (int)r->key_len,
	    (const char *)r->key, (long long)r->ts, (long long)r->win_start,
	    (long long)r->win_end);
	lines[nlines++] = strdup(tmp);
	return 0;
}

static int
cmp_line(const void *a, const void *b)
{
	const char *x = *(char *const *)a, *y = *(char *const *)b;
	int kx = atoi(x), ky = atoi(y);
	long long tx = atoll(strchr(x, ':') + 1), ty = atoll(strchr(y, ':') + 1);

	if (kx != ky)
		return kx - ky;
	return tx < ty ? -1 : tx > ty;
}

static void
impl_close(weir_window_sessions *s, int64_t cutoff, char *buf, size_t sz)
{
	char err[WEIR_ERRSZ];
	size_t i, n = 0;

	nlines = 0;
	lastend = INT64_MIN;
	if (weir_window_sessions_close(s, cutoff, collect_line, NULL, err,
	    sizeof(err)) != 0)
		disorder = 1;
	/* stable by key then time: records with equal times are equal */
	qsort(lines, nlines, sizeof(*lines), cmp_line);
	for (i = 0; i < nlines; i++) {
		n += (size_t)snprintf(buf + n, sz - n, "%s", lines[i]);
		free(lines[i]);
	}
	buf[n] = 0;
}


/*
 * Checkpoints: sessions (grouped by a field, as -g does) saved at event k,
 * then loaded into a new set that carries on, must emit the same frames
 * as a run that was never interrupted -- including the order of sessions
 * of different groups that end at the same time.
 */
static weir_fenc ck_enc;
static unsigned long long ck_rng;

static uint64_t
ck_next(void)
{
	return unit_xorshift(&ck_rng);
}

static int
ck_emit(void *arg, const weir_record *r)
{
	return weir_frame_put_record(&ck_enc, arg, r);
}

static int
ck_run(int64_t gap, int n, int k, weir_buf *ob)
{
	weir_window_sessions *s = weir_window_sessions_new(gap);
	weir_buf snap = {0}, snap2 = {0}, key = {0}, scratch = {0};
	char err[WEIR_ERRSZ], js[64];
	int64_t ts = 0, maxts = 0, start, end, cutoff = INT64_MIN;
	weir_path path;
	weir_record r;
	weir_rd rd;
	int i, rc, ok = 1;

	if (weir_path_parse(&path, ".u", err, sizeof(err)) < 0)
		abort();
	memset(&ck_enc, 0, sizeof(ck_enc));
	ck_rng = 0x2545f4914f6cdd1dULL;
	ob->len = 0;
	for (i = 0; i < n; i++) {
		uint64_t x = ck_next();
		if (i == k) {
			snap.len = snap2.len = 0;
			ok &= weir_window_sessions_save(s, &snap) == 0;
			weir_window_sessions_free(s);
			s = weir_window_sessions_new(gap);
			weir_rd_init(&rd, snap.p, snap.len);
			ok &= weir_window_sessions_load(s, &rd, err,
			    sizeof(err)) == 0;
			ok &= weir_rd_done(&rd, "sessions", err, sizeof(err)) == 0;
			ok &= weir_window_sessions_save(s, &snap2) == 0;
			ok &= snap.len == snap2.len &&
			    !memcmp(snap.p, snap2.p, snap.len);
		}
		if (x % 6 == 0) {	/* a watermark: close what it passed */
			cutoff = maxts - 8;
			if (weir_window_sessions_close(s, cutoff, ck_emit, ob,
			    err, sizeof(err)) != 0)
				ok = 0;
			continue;
		}
		ts += (int64_t)((x >> 8) % 9) - 3;
		if (ts > maxts)
			maxts = ts;
		snprintf(js, sizeof(js), "{\"u\":\"g%d\",\"i\":%d}",
		    (int)((x >> 16) % 6), i);
		memset(&r, 0, sizeof(r));
		r.flags = WEIR_R_TS | (i % 2 ? WEIR_R_KEY : 0);
		r.enc = WEIR_ENC_JSON;
		r.ts = ts;
		r.key = (const uint8_t *)"k";
		r.key_len = 1;
		r.value = (const uint8_t *)js;
		r.value_len = strlen(js);
		if (weir_window_group_key(&key, &r, &path, 1, &scratch, err,
		    sizeof(err)) < 0)
			abort();
		rc = weir_window_sessions_add(s, key.p, key.len, &r, cutoff,
		    &start, &end, err, sizeof(err));
		if (rc == 1) {	/* late: into the output too */
			r.flags |= WEIR_R_WINDOW | WEIR_R_LATE;
			r.win_start = start;
			r.win_end = end;
			ck_emit(ob, &r);
		} else if (rc < 0)
			ok = 0;
	}
	if (weir_window_sessions_close(s, INT64_MAX, ck_emit, ob, err,
	    sizeof(err)) != 0)
		ok = 0;
	weir_window_sessions_free(s);
	weir_path_free(&path);
	weir_buf_free(&snap);
	weir_buf_free(&snap2);
	weir_buf_free(&key);
	weir_buf_free(&scratch);
	return ok;
}

/*
 * Records held in a session come out as they went in, every field (key,
 * headers, Kafka position, a null value, a record without a key), tagged
 * with the session's window -- also through a checkpoint, whose frames
 * are the emitted records' frames.
 */
static weir_buf held_out;

static int
held_emit(void *arg, const weir_record *r)
{
	weir_fenc enc;

	memset(&enc, 0, sizeof(enc));
	return weir_frame_put_record(&enc, &held_out, r);
}

static void
test_held_records(void)
{
	weir_buf hdrs = {0}, want = {0}, snap = {0};
	weir_record r[3];
	weir_window_sessions *s;
	weir_fenc enc;
	char err[WEIR_ERRSZ];
	int64_t start, end;
	weir_rd rd;
	int i, pass;

	CHECK(weir_hdr_put(&hdrs, (const uint8_t *)"h1", 2,
	    (const uint8_t *)"v", 1) == 0);
	CHECK(weir_hdr_put(&hdrs, (const uint8_t *)"h2", 2, NULL, 0) == 0);
	memset(r, 0, sizeof(r));
	r[0].flags = WEIR_R_TS | WEIR_R_KEY | WEIR_R_HEADERS | WEIR_R_POS;
	r[0].enc = WEIR_ENC_BYTES;
	r[0].ts = 1000;
	r[0].key = (const uint8_t *)"key";
	r[0].key_len = 3;
	r[0].value = (const uint8_t *)"\0\1\2";
	r[0].value_len = 3;
	r[0].hdrs = hdrs.p;
	r[0].hdrs_len = hdrs.len;
	r[0].nhdrs = 2;
	r[0].topic = "clicks";
	r[0].topic_len = 6;
	r[0].partition = -3;
	r[0].offset = 123456789012LL;
	r[1].flags = WEIR_R_TS | WEIR_R_KEY;
	r[1].enc = WEIR_ENC_NULL;	/* a tombstone */
	r[1].ts = 1002;
	r[1].key = (const uint8_t *)"key";
	r[1].key_len = 3;
	r[2].flags = WEIR_R_TS | WEIR_R_POS;	/* no key */
	r[2].enc = WEIR_ENC_JSON;
	r[2].ts = 1001;	/* out of order: sorted when it closes */
	r[2].key = (const uint8_t *)"ignored";
	r[2].key_len = 7;
	r[2].value = (const uint8_t *)"{}";
	r[2].value_len = 2;
	r[2].topic = "t";
	r[2].topic_len = 1;
	r[2].partition = 7;
	r[2].offset = -1;
	for (i = 0; i < 3; i++) {
		r[i].flags |= WEIR_R_WINDOW;
		r[i].win_start = 1000;
		r[i].win_end = 1012;
	}
	for (i = 0; i < 3; i++) {
		memset(&enc, 0, sizeof(enc));
		CHECK(weir_frame_put_record(&enc, &want,
		    &r[(int[]){ 0, 2, 1 }[i]]) == 0);
	}
	for (i = 0; i < 3; i++)
		r[i].flags &= ~(unsigned)WEIR_R_WINDOW;
	for (pass = 0; pass < 2; pass++) {	/* straight, then checkpointed */
		s = weir_window_sessions_new(10);
		CHECK(s != NULL);
		for (i = 0; i < 3; i++)
			CHECK(weir_window_sessions_add(s, (const uint8_t *)"g", 1,
			    &r[i], INT64_MIN, &start, &end, err,
			    sizeof(err)) == 0);
		CHECK(weir_window_sessions_records(s) == 3);
		if (pass) {
			snap.len = 0;
			CHECK(weir_window_sessions_save(s, &snap) == 0);
			weir_window_sessions_free(s);
			s = weir_window_sessions_new(10);
			weir_rd_init(&rd, snap.p, snap.len);
			CHECK(weir_window_sessions_load(s, &rd, err,
			    sizeof(err)) == 0);
			CHECK(weir_window_sessions_records(s) == 3);
		}
		held_out.len = 0;
		CHECK(weir_window_sessions_close(s, INT64_MAX, held_emit, NULL,
		    err, sizeof(err)) == 0);
		CHECK(held_out.len == want.len &&
		    !memcmp(held_out.p, want.p, want.len));
		weir_window_sessions_free(s);
	}
	weir_buf_free(&hdrs);
	weir_buf_free(&want);
	weir_buf_free(&snap);
	weir_buf_free(&held_out);
}

/*
 * Sessions that end at the same time close in order of their group's key
 * (bytes), whatever order they came in and whatever their start: the order
 * is the sessions', not the queue's, also after a checkpoint.
 */
static void
test_tie_order(void)
{
	static const char *const keys[] = { "m", "b", "zz", "a", "z", "c" };
	weir_window_sessions *s, *t;
	weir_buf snap = {0};
	char err[WEIR_ERRSZ];
	size_t i, rot;
	weir_rd rd;

	for (rot = 0; rot < 12; rot++) {
		s = weir_window_sessions_new(10);
		for (i = 0; i < 6; i++) {
			const char *k = keys[(i + rot) % 6];
			if (!strcmp(k, "a"))
				CHECK(add(s, k, -3, INT64_MIN, NULL, NULL) == 0);
			CHECK(add(s, k, 0, INT64_MIN, NULL, NULL) == 0);
		}
		for (i = 0; i < 6; i++)
			CHECK(add(s, keys[(6 - i + rot) % 6], 5, INT64_MIN,
			    NULL, NULL) == 0);
		/* through a checkpoint every other time */
		if (rot % 2) {
			snap.len = 0;
			CHECK(weir_window_sessions_save(s, &snap) == 0);
			t = weir_window_sessions_new(10);
			weir_rd_init(&rd, snap.p, snap.len);
			CHECK(weir_window_sessions_load(t, &rd, err,
			    sizeof(err)) == 0);
			weir_window_sessions_free(s);
			s = t;
		}
		/* the first ends queued (10, a's 7) have grown to 15 */
		if (rot >= 6)
			CHECK_STR(close_all(s, 14), "");
		CHECK_STR(close_all(s, 15), "-3@-3,15/a 0@-3,15/a 5@-3,15/a "
		    "0@0,15/b 5@0,15/b 0@0,15/c 5@0,15/c 0@0,15/m 5@0,15/m "
		    "0@0,15/z 5@0,15/z 0@0,15/zz 5@0,15/zz");
		weir_window_sessions_free(s);
	}
	weir_buf_free(&snap);
}

/*
 * A snapshot of an older version: its queue of ends is a binary heap as
 * laid out ([10, 30, 20] here), not sorted; it loads, and the sessions
 * close in order of their end.
 */
static void
test_old_snapshot(void)
{
	static const char *const keys[] = { "ka", "kb", "kc" };
	static const int64_t last[] = { 0, 20, 10 };
	static const int64_t qend[] = { 10, 30, 20 };
	static const uint64_t qref[] = { 1, 2, 3 };
	weir_window_sessions *s = weir_window_sessions_new(10);
	weir_buf snap = {0}, fr = {0};
	char err[WEIR_ERRSZ];
	weir_record r;
	weir_fenc enc;
	weir_rd rd;
	int i;

	CHECK(weir_sw_u64(&snap, 3) == 0);
	for (i = 0; i < 3; i++) {
		memset(&r, 0, sizeof(r));
		r.flags = WEIR_R_TS | WEIR_R_KEY;
		r.enc = WEIR_ENC_JSON;
		r.ts = last[i];
		r.key = (const uint8_t *)keys[i] + 1;
		r.key_len = 1;
		r.value = (const uint8_t *)"{}";
		r.value_len = 2;
		memset(&enc, 0, sizeof(enc));
		fr.len = 0;
		CHECK(weir_frame_put_record(&enc, &fr, &r) == 0);
		CHECK(weir_sw_bytes(&snap, keys[i], 2) == 0 &&
		    weir_sw_u64(&snap, 1) == 0 &&
		    weir_sw_i64(&snap, last[i]) == 0 &&
		    weir_sw_i64(&snap, last[i]) == 0 &&
		    weir_sw_u64(&snap, 1) == 0 &&
		    weir_sw_bytes(&snap, fr.p, fr.len) == 0);
	}
	CHECK(weir_sw_u64(&snap, 3) == 0);
	for (i = 0; i < 3; i++)
		CHECK(weir_sw_i64(&snap, qend[i]) == 0 &&
		    weir_sw_u64(&snap, qref[i]) == 0);
	weir_rd_init(&rd, snap.p, snap.len);
	CHECK(weir_window_sessions_load(s, &rd, err, sizeof(err)) == 0);
	CHECK(weir_rd_done(&rd, "sessions", err, sizeof(err)) == 0);
	CHECK_STR(close_all(s, INT64_MAX), "0@0,10/a 10@10,20/c 20@20,30/b");
	weir_window_sessions_free(s);
	weir_buf_free(&snap);
	weir_buf_free(&fr);
}

/*
 * weir_window_sessions_put adds records a few later: with a flush before
 * each close, the output (late records included, at their place) is that
 * of weir_window_sessions_add, and a record that cannot be windowed is
 * refused at once, after the ones put before it.
 */
static int nlate;

static int
put_late(void *arg, weir_record *r, int64_t start, int64_t end)
{
	nlate++;
	r->flags |= WEIR_R_WINDOW | WEIR_R_LATE;
	r->win_start = start;
	r->win_end = end;
	return ck_emit(arg, r);
}

static void
put_run(int ahead, weir_buf *ob)
{
	weir_window_sessions *s = weir_window_sessions_new(5);
	weir_buf key = {0};
	char err[WEIR_ERRSZ], js[64], k[8];
	int64_t ts = 0, maxts = 0, start, end, cutoff = INT64_MIN;
	weir_record r;
	int i, rc;

	memset(&ck_enc, 0, sizeof(ck_enc));
	ck_rng = 0x9e3779b97f4a7c15ULL;
	ob->len = 0;
	for (i = 0; i < 3000; i++) {
		uint64_t x = ck_next();
		if (x % 7 == 0) {
			cutoff = maxts - 6;
			if (ahead)
				CHECK(weir_window_sessions_flush(s, put_late, ob,
				    err, sizeof(err)) == 0);
			CHECK(weir_window_sessions_close(s, cutoff, ck_emit, ob,
			    err, sizeof(err)) == 0);
			continue;
		}
		ts += (int64_t)((x >> 8) % 9) - 3;
		if (ts > maxts)
			maxts = ts;
		snprintf(js, sizeof(js), "{\"i\":%d}", i);
		snprintf(k, sizeof(k), "g%d", (int)((x >> 16) % 9));
		memset(&r, 0, sizeof(r));
		r.flags = WEIR_R_TS | WEIR_R_KEY;
		r.enc = WEIR_ENC_JSON;
		r.ts = i % 500 == 499 ? INT64_MAX : ts;	/* out of range */
		r.key = (const uint8_t *)k;
		r.key_len = strlen(k);
		r.value = (const uint8_t *)js;
		r.value_len = strlen(js);
		key.len = 0;
		CHECK(weir_buf_put(&key, k, strlen(k)) == 0);
		if (ahead) {
			rc = weir_window_sessions_put(s, &key, &r, cutoff,
			    put_late, ob, err, sizeof(err));
			if (rc == WEIR_FAIL_DATA)
				weir_buf_put(ob, "BAD", 3);
			else
				CHECK(rc == 0);
			continue;
		}
		rc = weir_window_sessions_add(s, key.p, key.len, &r, cutoff,
		    &start, &end, err, sizeof(err));
		if (rc == WEIR_FAIL_DATA)
			weir_buf_put(ob, "BAD", 3);
		else if (rc == 1)
			put_late(ob, &r, start, end);
		else
			CHECK(rc == 0);
	}
	if (ahead)
		CHECK(weir_window_sessions_flush(s, put_late, ob, err,
		    sizeof(err)) == 0);
	CHECK(weir_window_sessions_close(s, INT64_MAX, ck_emit, ob, err,
	    sizeof(err)) == 0);
	weir_window_sessions_free(s);
	weir_buf_free(&key);
}

static void
test_put_ahead(void)
{
	weir_buf a = {0}, b = {0};

	nlate = 0;
	put_run(0, &a);
	CHECK(nlate > 0);
	put_run(1, &b);
	CHECK(a.len > 10000);
	CHECK(memmem(a.p, a.len, "BAD", 3) != NULL);
	CHECK(a.len == b.len && !memcmp(a.p, b.p, a.len));
	weir_buf_free(&a);
	weir_buf_free(&b);
}

static void
test_checkpoint(void)
{
	static const int64_t gaps[] = { 1, 4, 10, 40 };
	weir_buf ref = {0}, got = {0}, snap = {0};
	weir_window_sessions *s;
	char err[WEIR_ERRSZ];
	size_t g, cut;
	int k, n = 800, same, ok, trunc_ok = 1;
	weir_rd rd;

	for (g = 0; g < sizeof(gaps) / sizeof(gaps[0]); g++) {
		CHECK(ck_run(gaps[g], n, -1, &ref));
		CHECK(ref.len > 5000);
		same = ok = 1;
		for (k = 1; k < n; k += 13) {
			ok &= ck_run(gaps[g], n, k, &got);
			same &= got.len == ref.len &&
			    !memcmp(got.p, ref.p, ref.len);
		}
		CHECK(ok);
		CHECK(same);
	}

	/* malformed state fails cleanly: every prefix of a real one, and
	 * a few obvious lies */
	s = weir_window_sessions_new(3);
	CHECK(add(s, "a", 10, INT64_MIN, NULL, NULL) == 0);
	CHECK(add(s, "b", 12, INT64_MIN, NULL, NULL) == 0);
	CHECK(add(s, "a", 30, INT64_MIN, NULL, NULL) == 0);
	CHECK(add(s, "a", 20, INT64_MIN, NULL, NULL) == 0);
	CHECK(weir_window_sessions_save(s, &snap) == 0);
	weir_window_sessions_free(s);
	for (cut = 0; cut < snap.len; cut++) {
		s = weir_window_sessions_new(3);
		weir_rd_init(&rd, snap.p, cut);
		if (weir_window_sessions_load(s, &rd, err, sizeof(err)) == 0 &&
		    weir_rd_done(&rd, "x", err, sizeof(err)) == 0)
			trunc_ok = 0;
		weir_window_sessions_free(s);
	}
	CHECK(trunc_ok);
	/* a smaller gap: the saved sessions of "a" would touch */
	s = weir_window_sessions_new(10);
	weir_rd_init(&rd, snap.p, snap.len);
	CHECK(weir_window_sessions_load(s, &rd, err, sizeof(err)) < 0);
	weir_window_sessions_free(s);
	s = weir_window_sessions_new(3);
	weir_rd_init(&rd, snap.p, snap.len);
	CHECK(weir_window_sessions_load(s, &rd, err, sizeof(err)) == 0);
	CHECK(weir_window_sessions_open(s) == 4 &&
	    weir_window_sessions_records(s) == 4);
	CHECK_STR(close_all(s, INT64_MAX), "10@10,13/a 12@12,15/b 20@20,23/a "
	    "30@30,33/a");
	weir_window_sessions_free(s);
	/* a held record that is a HOP record (weir-window never holds
	 * one: they are copies by then) is a lie */
	{
		weir_fenc enc = {0};
		weir_buf fr = {0};
		weir_record r;
		int hop;

		for (hop = 0; hop < 2; hop++) {
			memset(&r, 0, sizeof(r));
			memset(&enc, 0, sizeof(enc));
			r.flags = WEIR_R_TS | (hop ? WEIR_R_WINDOW | WEIR_R_HOP : 0);
			r.ts = 10;
			r.win_start = 0;
			r.win_end = 20;
			r.hop_advance = 10;
			r.hop_count = 2;
			r.enc = WEIR_ENC_NULL;
			fr.len = snap.len = 0;
			CHECK(weir_frame_put_record(&enc, &fr, &r) == 0);
			CHECK(weir_sw_u64(&snap, 1) == 0 &&
			    weir_sw_bytes(&snap, (const uint8_t *)"ka", 2) == 0 &&
			    weir_sw_u64(&snap, 1) == 0 &&
			    weir_sw_i64(&snap, 10) == 0 &&
			    weir_sw_i64(&snap, 10) == 0 &&
			    weir_sw_u64(&snap, 1) == 0 &&
			    weir_sw_bytes(&snap, fr.p, fr.len) == 0 &&
			    weir_sw_u64(&snap, 1) == 0 &&
			    weir_sw_i64(&snap, 13) == 0 &&
			    weir_sw_u64(&snap, 1) == 0);
			s = weir_window_sessions_new(3);
			weir_rd_init(&rd, snap.p, snap.len);
			CHECK((weir_window_sessions_load(s, &rd, err,
			    sizeof(err)) == 0) == !hop);
			weir_window_sessions_free(s);
		}
		weir_buf_free(&fr);
	}
	weir_buf_free(&ref);
	weir_buf_free(&got);
	weir_buf_free(&snap);
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
	CHECK(spec(&w, "tumbling", "0", NULL, 0) == WEIR_FAIL_USAGE);
	CHECK(spec(&w, "tumbling", "ten", NULL, 0) == WEIR_FAIL_USAGE);
	CHECK(spec(&w, "tumbling", NULL, NULL, 0) == WEIR_FAIL_USAGE);
	CHECK(spec(&w, "hopping", "10", NULL, 0) == WEIR_FAIL_USAGE);
	CHECK(spec(&w, "hopping", "10", "20", 0) == WEIR_FAIL_USAGE);
	CHECK(spec(&w, "hopping", "1d", "1ms", 0) == WEIR_FAIL_USAGE);
	CHECK(spec(&w, "session", "5s", NULL, 0) == 2 && w.gap == 5000);
	CHECK(spec(&w, "session", "5s", NULL, 1) == WEIR_FAIL_USAGE);
	CHECK(spec(&w, "sliding", "5s", NULL, 0) == WEIR_FAIL_USAGE);

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


	/* tumbling and hopping windows against brute force */
	{
		static const int64_t sizes[][2] = { { 10, 10 }, { 10, 3 },
		    { 10, 4 }, { 7, 7 }, { 7, 2 }, { 12, 5 }, { 5, 1 } };
		int ok = 1;
		size_t i;
		int64_t off, ts;
		for (i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++)
			for (off = -3; off <= 13; off++) {
				char sz[16], ad[16];
				snprintf(sz, sizeof(sz), "%lld", (long long)sizes[i][0]);
				snprintf(ad, sizeof(ad), "%lld", (long long)sizes[i][1]);
				if (spec(&w, "hopping", sz, ad, off) != 3) {
					ok = 0;
					continue;
				}
				for (ts = -60; ts <= 60; ts++)
					if (strcmp(wins(&w, ts), wins_brute(&w, ts))) {
						printf("# hopping %s %s offset %lld ts %lld: "
						    "%s vs %s\n", sz, ad, (long long)off,
						    (long long)ts, wins(&w, ts),
						    wins_brute(&w, ts));
						ok = 0;
					}
			}
		CHECK(ok);
	}

	/* sessions against the naive model, on random operations */
	{
		static char want[1 << 16], got[1 << 16];
		uint64_t rnd = 42;
		int64_t gaps[] = { 1, 5, 10 }, cutoff;
		int round, ok = 1, lates = 0, closes = 0;
#define RND() (rnd = rnd * 6364136223846793005ULL + 1442695040888963407ULL, \
	    (uint32_t)(rnd >> 33))
		for (round = 0; round < 60 && ok; round++) {
			int64_t gap = gaps[round % 3];
			int op;
			s = weir_window_sessions_new(gap);
			nmodel = 0;
			cutoff = INT64_MIN;
			for (op = 0; op < 400 && ok; op++) {
				uint32_t r = RND();
				if (r % 8 == 0) {	/* a watermark */
					int64_t c = (cutoff == INT64_MIN ? -20 : cutoff) +
					    (int64_t)(RND() % 12);
					cutoff = c;
					model_close(gap, cutoff, want, sizeof(want));
					impl_close(s, cutoff, got, sizeof(got));
					if (want[0])
						closes++;
				} else {
					char key[2] = { (char)('0' + r % 3), 0 };
					int64_t ts = (cutoff == INT64_MIN ? 0 : cutoff) -
					    8 + (int64_t)(RND() % 30);
					int64_t la, lb;
					int m = model_add(key[0] - '0', ts, gap, cutoff);
					int x = add(s, key, ts, cutoff, &la, &lb);
					lates += m;
					if (m != x) {
						printf("# round %d op %d: add %s@%lld "
						    "(cutoff %lld): model %d, impl %d\n",
						    round, op, key, (long long)ts,
						    (long long)cutoff, m, x);
						ok = 0;
					}
					continue;
				}
				if (strcmp(want, got) || disorder) {
					printf("# round %d op %d cutoff %lld:\n# want\n%s"
					    "# got\n%s", round, op, (long long)cutoff,
					    want, got);
					ok = 0;
				}
			}
			model_close(gap, INT64_MAX, want, sizeof(want));
			impl_close(s, INT64_MAX, got, sizeof(got));
			if (strcmp(want, got) || disorder ||
			    weir_window_sessions_open(s) ||
			    weir_window_sessions_records(s))
				ok = 0;
			weir_window_sessions_free(s);
		}
		CHECK(ok);
		CHECK(lates > 100 && closes > 100);	/* both were exercised */
	}

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

	test_checkpoint();
	test_held_records();
	test_tie_order();
	test_old_snapshot();
	test_put_ahead();
	UNIT_DONE();
}
