/* progress.c - progress records, attempt headers, the committed-only filter */
#include "progress.h"

#include <errno.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "json.h"

/*
 * Progress records
 */
int
weir_progress_encode(const weir_progress *p, weir_buf *out)
{
	const char *t = p->txid ? p->txid : "";
	int rc = 0;
	size_t i;

	rc |= weir_buf_puts(out, "{\"txid\":");
	rc |= weir_json_str(out, (const uint8_t *)t, strlen(t));
	rc |= weir_buf_printf(out, ",\"run\":\"%s\",\"checkpoint\":%llu,"
	    "\"positions\":", p->run, (unsigned long long)p->id);
	if (p->positions.len)
		rc |= weir_buf_put(out, p->positions.p, p->positions.len);
	else
		rc |= weir_buf_puts(out, "{}");
	rc |= weir_buf_puts(out, ",\"committed\":[");
	for (i = 0; i < p->nr; i++)
		rc |= weir_buf_printf(out, "%s[\"%s\",%llu,%llu]", i ? "," : "",
		    p->r[i].run, (unsigned long long)p->r[i].lo,
		    (unsigned long long)p->r[i].hi);
	rc |= weir_buf_puts(out, "]}");
	return rc ? WEIR_FAIL_NOMEM : 0;
}

/* A run name: "GEN-" and hex digits; its generation in *gen. */
static int
run_ok(const char *s, size_t n, uint64_t *gen)
{
	size_t i;
	uint64_t g = 0;

	if (n == 0 || n >= WEIR_RUN_MAX)
		return 0;
	for (i = 0; i < n && s[i] >= '0' && s[i] <= '9'; i++)
		g = g * 10 + (uint64_t)(s[i] - '0');
	if (i == 0 || i > 18 || i >= n || s[i] != '-')
		return 0;
	for (i++; i < n; i++)
		if (!strchr("0123456789abcdef", s[i]) || !s[i])
			return 0;
	if (gen)
		*gen = g;
	return 1;
}

static int
pos_int(json_t *v, uint64_t *out)
{
	if (!json_is_integer(v) || json_integer_value(v) < 0)
		return 0;
	*out = (uint64_t)json_integer_value(v);
	return 1;
}

int
weir_progress_decode(weir_progress *p, const uint8_t *v, size_t n,
    char *err, size_t errsz)
{
	json_t *root, *t, *run, *id, *pos, *com, *e;
	json_error_t je;
	char *txt = NULL;
	size_t i;
	int rc = WEIR_FAIL_DATA;

	free(p->txid);
	p->txid = NULL;
	p->nr = 0;
	p->positions.len = 0;
	p->run[0] = '\0';
	errno = 0;	/* jansson may call no memory a syntax error */
	root = json_loadb((const char *)v, n, 0, &je);
	if (!root) {
		if (json_error_code(&je) == json_error_out_of_memory ||
		    errno == ENOMEM) {
			weir_seterr(err, errsz, "out of memory");
			return WEIR_FAIL_NOMEM;
		}
		weir_seterr(err, errsz, "progress record: %s", je.text);
		return WEIR_FAIL_DATA;
	}
	t = json_object_get(root, "txid");
	run = json_object_get(root, "run");
	id = json_object_get(root, "checkpoint");
	pos = json_object_get(root, "positions");
	com = json_object_get(root, "committed");
	if (!json_is_string(t) || !json_is_string(run) ||
	    !run_ok(json_string_value(run), json_string_length(run), &p->gen) ||
	    !pos_int(id, &p->id) || !json_is_object(pos) ||
	    !json_is_array(com)) {
		weir_seterr(err, errsz, "progress record: not {\"txid\", \"run\", "
		    "\"checkpoint\", \"positions\", \"committed\"}");
		goto out;
	}
	if (!(p->txid = strdup(json_string_value(t))) ||
	    !(txt = json_dumps(pos, JSON_COMPACT)) ||
	    weir_buf_puts(&p->positions, txt) < 0)
		goto oom;
	snprintf(p->run, sizeof(p->run), "%s", json_string_value(run));
	json_array_foreach(com, i, e) {
		json_t *r = json_array_get(e, 0);
		weir_prange pr;
		if (!json_is_array(e) || json_array_size(e) != 3 ||
		    !json_is_string(r) || !run_ok(json_string_value(r),
		    json_string_length(r), NULL) ||
		    !pos_int(json_array_get(e, 1), &pr.lo) ||
		    !pos_int(json_array_get(e, 2), &pr.hi) || pr.lo > pr.hi) {
			weir_seterr(err, errsz, "progress record: committed[%zu] "
			    "is not [\"run\", first, last]", i);
			goto out;
		}
		snprintf(pr.run, sizeof(pr.run), "%s", json_string_value(r));
		if (p->nr == p->cap) {
			size_t cap = p->cap ? 2 * p->cap : 8;
			weir_prange *np = realloc(p->r, cap * sizeof(*np));
			if (!np)
				goto oom;
			p->r = np;
			p->cap = cap;
		}
		p->r[p->nr++] = pr;
	}
	rc = 0;
	goto out;
oom:
	weir_seterr(err, errsz, "out of memory");
	rc = WEIR_FAIL_NOMEM;
out:
	free(txt);
	json_decref(root);
	return rc;
}

int
weir_progress_has(const weir_progress *p, const char *run, uint64_t id)
{
	size_t i;

	for (i = 0; i < p->nr; i++)
		if (p->r[i].lo <= id && id <= p->r[i].hi &&
		    !strcmp(p->r[i].run, run))
			return 1;
	return 0;
}

int
weir_progress_add(weir_progress *p, const char *run, uint64_t id)
{
	size_t i;

	if (weir_progress_has(p, run, id))
		return 0;
	for (i = 0; i < p->nr; i++)
		if (!strcmp(p->r[i].run, run) && p->r[i].hi + 1 == id) {
			p->r[i].hi = id;
			return 0;
		}
	if (p->nr == p->cap) {
		size_t cap = p->cap ? 2 * p->cap : 8;
		weir_prange *np = realloc(p->r, cap * sizeof(*np));
		if (!np)
			return WEIR_FAIL_NOMEM;
		p->r = np;
		p->cap = cap;
	}
	snprintf(p->r[p->nr].run, sizeof(p->r[p->nr].run), "%s", run);
	p->r[p->nr].lo = p->r[p->nr].hi = id;
	p->nr++;
	return 0;
}

void
weir_progress_new_run(weir_progress *p, uint64_t gen)
{
	struct timespec ts;
	uint64_t x;

	clock_gettime(CLOCK_REALTIME, &ts);
	x = ((uint64_t)ts.tv_sec * 1000000007u) ^ (uint64_t)ts.tv_nsec ^
	    ((uint64_t)getpid() << 32);
	x ^= x >> 33;
	x *= 0xff51afd7ed558ccdULL;
	x ^= x >> 33;
	p->gen = gen;
	snprintf(p->run, sizeof(p->run), "%llu-%08x", (unsigned long long)gen,
	    (unsigned)(x & 0xffffffffu));
}

void
weir_progress_free(weir_progress *p)
{
	free(p->txid);
	free(p->r);
	weir_buf_free(&p->positions);
	memset(p, 0, sizeof(*p));
}

int
weir_attempt_format(weir_buf *out, const char *txid, const char *run,
    uint64_t id)
{
	out->len = 0;
	return weir_buf_printf(out, "%s/%s/%llu", txid, run,
	    (unsigned long long)id);
}

/* "T/RUN/N": 0 with its parts, -1 when it is not one. */
static int
attempt_parse(const uint8_t *v, size_t n, size_t *tlen, const char **run,
    size_t *rlen, uint64_t *gen, uint64_t *id)
{
	size_t i = n, j;
	uint64_t x = 0;

	while (i > 0 && v[i - 1] != '/')
		i--;
	if (i == 0 || i == n || n - i > 19)
		return -1;
	for (j = i; j < n; j++) {
		if (v[j] < '0' || v[j] > '9')
			return -1;
		x = x * 10 + (uint64_t)(v[j] - '0');
	}
	j = i - 1;	/* the '/' before N */
	while (j > 0 && v[j - 1] != '/')
		j--;
	if (j == 0)
		return -1;
	*run = (const char *)v + j;
	*rlen = i - 1 - j;
	if (!run_ok(*run, *rlen, gen))
		return -1;
	*tlen = j - 1;
	*id = x;
	return 0;
}

/*
 * The committed-only filter
 */
typedef struct held {
	size_t off, len;	/* the record's frame in f->data */
	int tx;			/* index in f->tx; -1 not a transaction's */
	char run[WEIR_RUN_MAX];
	uint64_t gen, id;
} held;

typedef struct txstate {
	char *txid;
	weir_progress p;	/* the newest progress record */
} txstate;

struct weir_eosf {
	size_t max_bytes;
	weir_buf data;		/* held records' frames, from off head */
	held *q;
	size_t qhead, qlen, qcap;
	txstate *tx;
	size_t ntx;
	uint64_t dropped;
	weir_fdec dec;
};

weir_eosf *
weir_eosf_new(size_t max_bytes)
{
	weir_eosf *f = calloc(1, sizeof(*f));

	if (f)
		f->max_bytes = max_bytes;
	return f;
}

void
weir_eosf_free(weir_eosf *f)
{
	size_t i;

	if (!f)
		return;
	for (i = 0; i < f->ntx; i++) {
		free(f->tx[i].txid);
		weir_progress_free(&f->tx[i].p);
	}
	free(f->tx);
	free(f->q);
	weir_buf_free(&f->data);
	free(f);
}

/* The state of txid, made when it is new: its index, or WEIR_FAIL_NOMEM. */
static int
tx_find(weir_eosf *f, const char *t, size_t n)
{
	txstate *nt;
	size_t i;

	for (i = 0; i < f->ntx; i++)
		if (strlen(f->tx[i].txid) == n && !memcmp(f->tx[i].txid, t, n))
			return (int)i;
	if (!(nt = realloc(f->tx, (f->ntx + 1) * sizeof(*nt))))
		return WEIR_FAIL_NOMEM;
	f->tx = nt;
	memset(&nt[f->ntx], 0, sizeof(*nt));
	if (!(nt[f->ntx].txid = strndup(t, n)))
		return WEIR_FAIL_NOMEM;
	return (int)f->ntx++;
}

int
weir_eosf_progress(weir_eosf *f, const uint8_t *v, size_t n, char *err,
    size_t errsz)
{
	weir_progress p = { 0 };
	int i;

	if ((i = weir_progress_decode(&p, v, n, err, errsz)) < 0) {
		weir_progress_free(&p);
		return i;
	}
	i = tx_find(f, p.txid, strlen(p.txid));
	if (i < 0) {
		weir_progress_free(&p);
		weir_seterr(err, errsz, "out of memory");
		return i;
	}
	weir_progress_free(&f->tx[i].p);
	f->tx[i].p = p;
	return 0;
}

/* What becomes of a held record now: PASS, HELD or DROP. */
static int
decide(const weir_eosf *f, const held *h)
{
	const weir_progress *p;

	if (h->tx < 0)
		return WEIR_EOSF_PASS;
	p = &f->tx[h->tx].p;
	if (!p->txid)
		return WEIR_EOSF_HELD;	/* no progress record seen yet */
	if (weir_progress_has(p, h->run, h->id))
		return WEIR_EOSF_PASS;
	if (h->gen < p->gen || (h->gen == p->gen && strcmp(h->run, p->run)) ||
	    (!strcmp(h->run, p->run) && h->id < p->id))
		return WEIR_EOSF_DROP;
	return WEIR_EOSF_HELD;
}

/* The record's attempt into h; 0, or WEIR_FAIL_NOMEM. */
static int
classify(weir_eosf *f, const weir_record *r, held *h)
{
	weir_hdr_iter it;
	weir_hdr hd;
	const char *run;
	size_t tlen, rlen;
	int i;

	h->tx = -1;
	if (!(r->flags & WEIR_R_HEADERS))
		return 0;
	weir_hdr_iter_init(&it, r);
	while (weir_hdr_next(&it, &hd)) {
		if (hd.name_len != sizeof(WEIR_ATTEMPT_HDR) - 1 || memcmp(hd.name,
		    WEIR_ATTEMPT_HDR, hd.name_len) || !hd.val ||
		    attempt_parse(hd.val, hd.val_len, &tlen, &run, &rlen, &h->gen,
		    &h->id) < 0)
			continue;
		i = tx_find(f, (const char *)hd.val, tlen);
		if (i < 0)
			return i;
		h->tx = i;
		memcpy(h->run, run, rlen);
		h->run[rlen] = '\0';
		return 0;
	}
	return 0;
}

int
weir_eosf_push(weir_eosf *f, const weir_record *r, char *err, size_t errsz)
{
	weir_fenc enc = { 0 };
	held h;
	int d;

	if (classify(f, r, &h) < 0)
		goto oom;
	d = decide(f, &h);
	if (d == WEIR_EOSF_DROP) {
		f->dropped++;
		return d;
	}
	if (d == WEIR_EOSF_PASS && f->qlen == 0)
		return d;
	/* held: behind what is held already, in order */
	if (f->qlen == 0) {
		f->data.len = 0;
		f->qhead = 0;
	} else if (f->q[f->qhead].off > (1u << 20) &&
	    f->q[f->qhead].off > f->data.len / 2) {	/* drop what was popped */
		size_t i, cut = f->q[f->qhead].off;
		memmove(f->data.p, f->data.p + cut, f->data.len - cut);
		f->data.len -= cut;
		for (i = 0; i < f->qlen; i++)
			f->q[f->qhead + i].off -= cut;
	}
	if (f->data.len - (f->qlen ? f->q[f->qhead].off : 0) > f->max_bytes) {
		weir_seterr(err, errsz, "--committed-only: more than %zu MB of "
		    "messages wait for their transaction's progress record "
		    "(is the progress topic being written?)",
		    f->max_bytes >> 20);
		return WEIR_FAIL_IO;
	}
	h.off = f->data.len;
	if (weir_frame_put_record(&enc, &f->data, r) < 0)
		goto oom;
	h.len = f->data.len - h.off;
	if (f->qhead + f->qlen == f->qcap) {
		if (f->qhead > f->qcap / 2) {	/* slide to the front */
			memmove(f->q, f->q + f->qhead, f->qlen * sizeof(*f->q));
			f->qhead = 0;
		} else {
			size_t cap = f->qcap ? 2 * f->qcap : 1024;
			held *nq = realloc(f->q, cap * sizeof(*nq));
			if (!nq)
				goto oom;
			f->q = nq;
			f->qcap = cap;
		}
	}
	f->q[f->qhead + f->qlen++] = h;
	return WEIR_EOSF_HELD;
oom:
	weir_seterr(err, errsz, "out of memory");
	return WEIR_FAIL_NOMEM;
}

int
weir_eosf_pop(weir_eosf *f, weir_record *r)
{
	weir_frame fr;
	char err[WEIR_ERRSZ];
	held *h;
	int d;

	while (f->qlen) {
		h = &f->q[f->qhead];
		d = decide(f, h);
		if (d == WEIR_EOSF_HELD)
			return 0;
		f->qhead++;
		f->qlen--;
		if (d == WEIR_EOSF_DROP) {
			f->dropped++;
			continue;
		}
		memset(&f->dec, 0, sizeof(f->dec));
		if (weir_frame_parse(&f->dec, f->data.p + h->off, h->len, h->len,
		    &fr, NULL, err, sizeof(err)) <= 0)
			continue;	/* cannot be: written above */
		*r = fr.rec;
		return 1;
	}
	return 0;
}

size_t
weir_eosf_held(const weir_eosf *f)
{
	return f->qlen;
}

uint64_t
weir_eosf_dropped(const weir_eosf *f)
{
	return f->dropped;
}
