/*
 * dash.c - weir-sink -f dashboard: rows and watermarks as Server-Sent
 * Events, a snapshot for each new client, and the page that shows them.
 *
 * Events (the page and weir-sink(1) read them):
 *   event: row        data: the row as -f ndjson writes it, then a second
 *                     data line {"k":KEY,"s":START,"e":END} (window
 *                     bounds in ms, null without a window)
 *   event: watermark  data: the watermark (ms)
 *   event: end        data: the last watermark or null: every row is final
 *   event: reset      data: {"chart":..,"key":..,"windows":N}: forget
 *                     everything, a snapshot follows
 *   event: snapshot   data: {"wm":W,"end":0|1,"rows":K}: the snapshot's
 *                     K rows (sent before it, without ids) are complete
 * Live events carry ids B+1, B+2, ... (B: the start time in ms times
 * 1000, so that ids of an earlier run are older); a snapshot carries the
 * id of the last event it includes, so Last-Event-ID resumes after
 * either.
 */
#include "dash.h"

#include "hash.h"
#include "http.h"
#include "json.h"
#include "output.h"
#include "path.h"
#include "record.h"

#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>
#include <unistd.h>

#include "dash_page.h"		/* generated from dash_page.html */

#define KEEPALIVE_MS 5000	/* a comment to an idle client this often */
#define TICK_MS 20		/* how often waiting clients are woken */
#define WM_EVERY_MS 200		/* watermarks alone: at most this often */

struct ev {
	weir_buf b;		/* the event as sent */
};

struct group {
	weir_buf key, line;
};

struct win {
	int64_t s, e;		/* INT64_MIN: no window */
	struct group *g;
	size_t ng, gcap;
	uint32_t *tab;		/* open addressing: group index + 1 */
	size_t tabn;		/* a power of two */
};

struct client {
	struct client *prev, *next;
	weir_dash *d;
	struct MHD_Connection *conn;
	weir_buf pre;		/* the snapshot, sent first */
	size_t pre_off;
	uint64_t next_id;	/* the next ring event to send */
	size_t off;		/* bytes of it already sent */
	int suspended;
	int64_t last_ms;	/* when something was last sent */
};

struct weir_dash {
	weir_dash_opts o;
	weir_path keyp;
	int have_keyp;
	int fd, port;
	struct MHD_Daemon *mhd;
	pthread_t ticker;
	int ticking;

	pthread_mutex_t lock;	/* everything below */
	struct ev *ring;
	size_t cap;
	uint64_t base;		/* ids start after this */
	uint64_t head;		/* id of the newest event, base: none */
	struct win *w;		/* the last N windows, oldest first */
	size_t nw;
	int64_t wm;		/* INT64_MIN: none yet */
	int ended, closing;
	struct client *clients;
	int nclients;
	uint64_t dropped;

	/* the sink's thread only */
	weir_buf line, key, scratch, ev;
	int64_t wm_sent, wm_sent_ms;
	int rows_since_wm;
};

void
weir_dash_opts_init(weir_dash_opts *o)
{
	memset(o, 0, sizeof(*o));
	o->listen = "127.0.0.1:8080";
	o->windows = WEIR_DASH_WINDOWS;
	o->buffer = WEIR_DASH_BUFFER;
	o->max_clients = WEIR_DASH_MAX_CLIENTS;
}

static uint64_t
oldest(const weir_dash *d)
{
	return d->head - d->base >= d->cap ? d->head - d->cap + 1 :
	    d->base + 1;
}

/* Under the lock: the event in b gets the next id. */
static int
push(weir_dash *d, const weir_buf *b)
{
	struct ev *e;
	uint64_t id = d->head + 1;

	e = &d->ring[id % d->cap];
	e->b.len = 0;
	if (weir_buf_put(&e->b, b->p, b->len) < 0)
		return WEIR_FAIL_NOMEM;
	d->head = id;
	return 0;
}

static int
put_i64(weir_buf *b, int64_t v)
{
	if (v == INT64_MIN)
		return weir_buf_puts(b, "null");
	return weir_buf_printf(b, "%lld", (long long)v);
}

/* "event: row" with its data lines (no id, no blank line). */
static int
put_row(weir_buf *b, const weir_buf *line, const uint8_t *key, size_t keylen,
    int64_t s, int64_t e)
{
	int rc = weir_buf_puts(b, "event: row\ndata: ");
	rc |= weir_buf_put(b, line->p, line->len);
	rc |= weir_buf_puts(b, "\ndata: {\"k\":");
	rc |= weir_json_str(b, key, keylen);
	rc |= weir_buf_puts(b, ",\"s\":");
	rc |= put_i64(b, s);
	rc |= weir_buf_puts(b, ",\"e\":");
	rc |= put_i64(b, e);
	rc |= weir_buf_puts(b, "}\n\n");
	return rc ? WEIR_FAIL_NOMEM : 0;
}

/* ---- the state a snapshot is made from ---- */

static void
win_free(struct win *w)
{
	size_t i;

	for (i = 0; i < w->ng; i++) {
		weir_buf_free(&w->g[i].key);
		weir_buf_free(&w->g[i].line);
	}
	free(w->g);
	free(w->tab);
	memset(w, 0, sizeof(*w));
}

static int
win_cmp(int64_t s1, int64_t e1, int64_t s2, int64_t e2)
{
	if (e1 != e2)
		return e1 < e2 ? -1 : 1;
	if (s1 != s2)
		return s1 < s2 ? -1 : 1;
	return 0;
}

/* The window [s, e), made if new; NULL when it is older than the last N
 * (not kept) or out of memory. */
static struct win *
win_get(weir_dash *d, int64_t s, int64_t e)
{
	size_t i, n = (size_t)d->o.windows;
	int c = 1;

	for (i = d->nw; i > 0; i--)
		if ((c = win_cmp(d->w[i - 1].s, d->w[i - 1].e, s, e)) <= 0)
			break;
	if (i > 0 && c == 0)
		return &d->w[i - 1];
	if (d->nw == n) {
		if (i == 0)
			return NULL;	/* older than every window kept */
		win_free(&d->w[0]);
		memmove(&d->w[0], &d->w[1], (d->nw - 1) * sizeof(*d->w));
		d->nw--;
		i--;
	}
	memmove(&d->w[i + 1], &d->w[i], (d->nw - i) * sizeof(*d->w));
	memset(&d->w[i], 0, sizeof(*d->w));
	d->w[i].s = s;
	d->w[i].e = e;
	d->nw++;
	return &d->w[i];
}

static int
tab_grow(struct win *w)
{
	size_t n = w->tabn ? w->tabn * 2 : 16, i, j;
	uint32_t *t = calloc(n, sizeof(*t));

	if (!t)
		return WEIR_FAIL_NOMEM;
	for (i = 0; i < w->ng; i++) {
		j = weir_hash(w->g[i].key.p, w->g[i].key.len, 0) & (n - 1);
		while (t[j])
			j = (j + 1) & (n - 1);
		t[j] = (uint32_t)i + 1;
	}
	free(w->tab);
	w->tab = t;
	w->tabn = n;
	return 0;
}

static struct group *
group_get(struct win *w, const uint8_t *key, size_t len)
{
	size_t j;
	struct group *g;

	if ((w->ng + 1) * 2 > w->tabn && tab_grow(w) < 0)
		return NULL;
	j = weir_hash(key, len, 0) & (w->tabn - 1);
	for (; w->tab[j]; j = (j + 1) & (w->tabn - 1)) {
		g = &w->g[w->tab[j] - 1];
		if (g->key.len == len && (!len || !memcmp(g->key.p, key, len)))
			return g;
	}
	if (w->ng == w->gcap) {
		size_t nc = w->gcap ? w->gcap * 2 : 16;
		struct group *ng = realloc(w->g, nc * sizeof(*ng));
		if (!ng)
			return NULL;
		w->g = ng;
		w->gcap = nc;
	}
	g = &w->g[w->ng];
	memset(g, 0, sizeof(*g));
	if (len && weir_buf_put(&g->key, key, len) < 0)
		return NULL;
	w->tab[j] = (uint32_t)++w->ng;
	return g;
}

/* Under the lock: the snapshot a new client starts with. */
static int
snapshot(weir_dash *d, weir_buf *b)
{
	size_t i, k, rows = 0;
	int rc;

	rc = weir_buf_puts(b, "retry: 2000\nevent: reset\ndata: {\"chart\":");
	if (d->o.chart)
		rc |= weir_json_str(b, (const uint8_t *)d->o.chart,
		    strlen(d->o.chart));
	else
		rc |= weir_buf_puts(b, "null");
	rc |= weir_buf_puts(b, ",\"key\":");
	if (d->o.key)
		rc |= weir_json_str(b, (const uint8_t *)d->o.key,
		    strlen(d->o.key));
	else
		rc |= weir_buf_puts(b, "null");
	rc |= weir_buf_printf(b, ",\"windows\":%d}\n\n", d->o.windows);
	for (i = 0; i < d->nw; i++)
		for (k = 0; k < d->w[i].ng; k++, rows++)
			rc |= put_row(b, &d->w[i].g[k].line, d->w[i].g[k].key.p,
			    d->w[i].g[k].key.len, d->w[i].s, d->w[i].e);
	rc |= weir_buf_printf(b, "id: %llu\nevent: snapshot\ndata: {\"wm\":",
	    (unsigned long long)d->head);
	rc |= put_i64(b, d->wm);
	rc |= weir_buf_printf(b, ",\"end\":%d,\"rows\":%zu}\n\n", d->ended,
	    rows);
	return rc ? WEIR_FAIL_NOMEM : 0;
}

/* ---- the sink's side ---- */

int
weir_dash_record(weir_dash *d, const weir_record *r)
{
	int64_t s = INT64_MIN, e = INT64_MIN;
	struct win *w;
	struct group *g;
	weir_pv root, v;
	int rc = 0;

	d->line.len = d->key.len = d->ev.len = 0;
	if (weir_output_json(&d->line, r, &d->scratch) < 0)
		return WEIR_FAIL_NOMEM;
	if (d->have_keyp) {
		int json = weir_record_json(r, &d->scratch, &root);

		if (json < 0)
			return WEIR_FAIL_NOMEM;
		if (json > 0 &&
		    weir_path_get(&d->keyp, &root, &v) &&
		    v.type != WEIR_PV_NULL && weir_key_from_pv(&d->key, &v) < 0)
			return WEIR_FAIL_NOMEM;
	} else if ((r->flags & WEIR_R_KEY) && r->key_len &&
	    weir_buf_put(&d->key, r->key, r->key_len) < 0)
		return WEIR_FAIL_NOMEM;
	if (r->flags & WEIR_R_WINDOW) {
		s = r->win_start;
		e = r->win_end;
	}
	if (put_row(&d->ev, &d->line, d->key.p, d->key.len, s, e) < 0)
		return WEIR_FAIL_NOMEM;
	pthread_mutex_lock(&d->lock);
	/* the id goes first: "id: N\n" then the event */
	d->scratch.len = 0;
	if (weir_buf_printf(&d->scratch, "id: %llu\n",
	    (unsigned long long)(d->head + 1)) < 0 ||
	    weir_buf_put(&d->scratch, d->ev.p, d->ev.len) < 0 ||
	    push(d, &d->scratch) < 0)
		rc = WEIR_FAIL_NOMEM;
	if (!rc && (w = win_get(d, s, e)) != NULL) {
		if (!(g = group_get(w, d->key.p, d->key.len)))
			rc = WEIR_FAIL_NOMEM;
		else {
			g->line.len = 0;
			if (weir_buf_put(&g->line, d->line.p, d->line.len) < 0)
				rc = WEIR_FAIL_NOMEM;
		}
	}
	pthread_mutex_unlock(&d->lock);
	d->rows_since_wm = 1;
	return rc;
}

static void
push_wm(weir_dash *d, const char *what, int64_t wm)
{
	d->ev.len = 0;
	pthread_mutex_lock(&d->lock);
	if (weir_buf_printf(&d->ev, "id: %llu\nevent: %s\ndata: ",
	    (unsigned long long)(d->head + 1), what) == 0 &&
	    put_i64(&d->ev, wm) == 0 && weir_buf_puts(&d->ev, "\n\n") == 0)
		(void)push(d, &d->ev);
	pthread_mutex_unlock(&d->lock);
	d->wm_sent = wm;
	d->wm_sent_ms = weir_now_ms();
	d->rows_since_wm = 0;
}

void
weir_dash_watermark(weir_dash *d, int64_t wm)
{
	pthread_mutex_lock(&d->lock);
	d->wm = wm;
	pthread_mutex_unlock(&d->lock);
	/* after rows at once (they may be final now); alone, coalesced */
	if (wm != d->wm_sent && (d->rows_since_wm ||
	    weir_now_ms() - d->wm_sent_ms >= WM_EVERY_MS))
		push_wm(d, "watermark", wm);
}

void
weir_dash_idle(void *arg)
{
	weir_dash *d = arg;

	if (d->wm != d->wm_sent)	/* only this thread writes wm */
		push_wm(d, "watermark", d->wm);
}

void
weir_dash_end(weir_dash *d)
{
	pthread_mutex_lock(&d->lock);
	d->ended = 1;
	pthread_mutex_unlock(&d->lock);
	push_wm(d, "end", d->wm);
}

uint64_t
weir_dash_dropped(weir_dash *d)
{
	uint64_t n;

	pthread_mutex_lock(&d->lock);
	n = d->dropped;
	pthread_mutex_unlock(&d->lock);
	return n;
}

/* ---- the server's side ---- */

static ssize_t
sse_read(void *cls, uint64_t pos, char *buf, size_t max)
{
	struct client *c = cls;
	weir_dash *d = c->d;
	size_t n = 0, k;
	struct ev *e;
	int64_t now = weir_now_ms();

	(void)pos;
	pthread_mutex_lock(&d->lock);
	if (d->closing) {
		pthread_mutex_unlock(&d->lock);
		return MHD_CONTENT_READER_END_OF_STREAM;
	}
	if (c->pre_off < c->pre.len) {
		n = c->pre.len - c->pre_off;
		if (n > max)
			n = max;
		memcpy(buf, c->pre.p + c->pre_off, n);
		c->pre_off += n;
		if (c->pre_off == c->pre.len) {
			weir_buf_free(&c->pre);
			c->pre_off = 0;
		}
	} else if (c->next_id <= d->head && c->next_id < oldest(d)) {
		/* overtaken by the ring: too slow, disconnected */
		d->dropped++;
		pthread_mutex_unlock(&d->lock);
		return MHD_CONTENT_READER_END_WITH_ERROR;
	} else {
		while (n < max && c->next_id <= d->head) {
			e = &d->ring[c->next_id % d->cap];
			k = e->b.len - c->off;
			if (k > max - n)
				k = max - n;
			memcpy(buf + n, e->b.p + c->off, k);
			n += k;
			c->off += k;
			if (c->off == e->b.len) {
				c->next_id++;
				c->off = 0;
			}
		}
	}
	if (n == 0 && now - c->last_ms >= KEEPALIVE_MS && max >= 2) {
		memcpy(buf, ":\n", 2);	/* a comment: is the client there? */
		n = 2;
	}
	if (n)
		c->last_ms = now;
	else {
		/* nothing to send: wait for the ticker to wake us */
		c->suspended = 1;
		weir_mhd.suspend_connection(c->conn);
	}
	pthread_mutex_unlock(&d->lock);
	return (ssize_t)n;
}

static void
sse_free(void *cls)
{
	struct client *c = cls;
	weir_dash *d = c->d;

	pthread_mutex_lock(&d->lock);
	if (c->prev)
		c->prev->next = c->next;
	else
		d->clients = c->next;
	if (c->next)
		c->next->prev = c->prev;
	d->nclients--;
	pthread_mutex_unlock(&d->lock);
	weir_buf_free(&c->pre);
	free(c);
}

/* Resume the suspended clients that have something to do (all of them
 * when closing).  Collected under the lock, resumed outside it: a
 * suspended connection is not touched by the server meanwhile. */
static void
wake(weir_dash *d)
{
	struct MHD_Connection *batch[64];
	struct client *c;
	int64_t now = weir_now_ms();
	size_t n;

	do {
		n = 0;
		pthread_mutex_lock(&d->lock);
		for (c = d->clients; c && n < 64; c = c->next)
			if (c->suspended && (d->closing ||
			    c->next_id <= d->head ||
			    now - c->last_ms >= KEEPALIVE_MS)) {
				c->suspended = 0;
				batch[n++] = c->conn;
			}
		pthread_mutex_unlock(&d->lock);
		for (size_t i = 0; i < n; i++)
			weir_mhd.resume_connection(batch[i]);
	} while (n == 64);
}

static void *
tick(void *arg)
{
	weir_dash *d = arg;
	struct timespec ts = { 0, TICK_MS * 1000000L };
	int closing;

	for (;;) {
		nanosleep(&ts, NULL);
		pthread_mutex_lock(&d->lock);
		closing = d->closing;
		pthread_mutex_unlock(&d->lock);
		if (closing)
			return NULL;
		wake(d);
	}
}

static enum MHD_Result
events(weir_dash *d, struct MHD_Connection *conn)
{
	struct MHD_Response *r;
	struct client *c;
	const char *lei;
	unsigned long long last = 0;
	char *end;
	int resume = 0;
	enum MHD_Result rc;

	if (!(c = calloc(1, sizeof(*c))))
		return MHD_NO;
	c->d = d;
	c->conn = conn;
	c->last_ms = weir_now_ms();
	lei = weir_mhd.lookup_connection_value(conn, MHD_HEADER_KIND,
	    "Last-Event-ID");
	if (lei && *lei) {
		errno = 0;
		last = strtoull(lei, &end, 10);
		resume = !*end && !errno;
	}
	pthread_mutex_lock(&d->lock);
	if (d->nclients >= d->o.max_clients) {
		pthread_mutex_unlock(&d->lock);
		free(c);
		return weir_http_reply(conn, MHD_HTTP_SERVICE_UNAVAILABLE,
		    "text/plain", "too many clients\n", 17);
	}
	/* resume only when every event after last is still in the ring */
	if (resume && last >= d->base && last <= d->head &&
	    last + 1 >= oldest(d))
		c->next_id = last + 1;
	else if (snapshot(d, &c->pre) < 0) {
		pthread_mutex_unlock(&d->lock);
		weir_buf_free(&c->pre);
		free(c);
		return MHD_NO;
	} else
		c->next_id = d->head + 1;
	c->next = d->clients;
	if (d->clients)
		d->clients->prev = c;
	d->clients = c;
	d->nclients++;
	pthread_mutex_unlock(&d->lock);
	r = weir_mhd.create_response_from_callback(MHD_SIZE_UNKNOWN, 16384,
	    sse_read, c, sse_free);
	if (!r) {
		sse_free(c);
		return MHD_NO;
	}
	(void)weir_mhd.add_response_header(r, MHD_HTTP_HEADER_CONTENT_TYPE,
	    "text/event-stream");
	(void)weir_mhd.add_response_header(r, MHD_HTTP_HEADER_CACHE_CONTROL,
	    "no-cache");
	rc = weir_mhd.queue_response(conn, MHD_HTTP_OK, r);
	weir_mhd.destroy_response(r);
	(void)weir_mhd.set_connection_option(conn, MHD_CONNECTION_OPTION_TIMEOUT,
	    (unsigned int)WEIR_DASH_STALL);
	return rc;
}

static enum MHD_Result
answer(void *cls, struct MHD_Connection *conn, const char *url,
    const char *method, const char *version, const char *upload,
    size_t *upload_size, void **req)
{
	static const char nf[] = "not found: / is the page, /events its "
	    "event stream\n";
	weir_dash *d = cls;

	(void)version;
	(void)upload;
	(void)upload_size;
	(void)req;
	if (strcmp(method, MHD_HTTP_METHOD_GET) &&
	    strcmp(method, MHD_HTTP_METHOD_HEAD))
		return weir_http_reply(conn, MHD_HTTP_METHOD_NOT_ALLOWED,
		    "text/plain", "GET only\n", 9);
	if (!strcmp(url, "/"))
		return weir_http_reply(conn, MHD_HTTP_OK,
		    "text/html; charset=utf-8", weir_dash_page,
		    sizeof(weir_dash_page) - 1);
	if (!strcmp(url, "/events"))
		return events(d, conn);
	return weir_http_reply(conn, MHD_HTTP_NOT_FOUND, "text/plain", nf,
	    sizeof(nf) - 1);
}

int
weir_dash_open(weir_dash **out, const weir_dash_opts *o, char *err,
    size_t errsz)
{
	weir_dash *d;
	char why[WEIR_ERRSZ];
	sigset_t all, old;
	int rc;

	if (o->windows < 1 || o->buffer < 16 || o->max_clients < 1) {
		weir_seterr(err, errsz, "dashboard: windows, buffer and "
		    "clients must be positive (buffer at least 16)");
		return WEIR_FAIL_USAGE;
	}
	if (!(d = calloc(1, sizeof(*d))) ||
	    !(d->ring = calloc(o->buffer, sizeof(*d->ring))) ||
	    !(d->w = calloc((size_t)o->windows, sizeof(*d->w)))) {
		if (d)
			free(d->ring);
		free(d);
		weir_seterr(err, errsz, "out of memory");
		return WEIR_FAIL_NOMEM;
	}
	d->o = *o;
	d->cap = o->buffer;
	/* ids go on from the start time: a client of an earlier run of
	 * the sink has an id below base, so it gets a snapshot */
	d->base = d->head = (uint64_t)weir_now_ms() * 1000;
	d->wm = d->wm_sent = INT64_MIN;
	d->fd = -1;
	pthread_mutex_init(&d->lock, NULL);
	if (o->key) {
		if ((rc = weir_path_parse(&d->keyp, o->key, err, errsz)) < 0) {
			weir_dash_close(d);
			return rc;
		}
		d->have_keyp = 1;
	}
	d->fd = weir_http_listen(o->listen, o->public, "--listen-public",
	    o->max_clients, &d->port, err, errsz);
	if (d->fd < 0) {
		rc = d->fd;
		weir_dash_close(d);
		return rc;
	}
	d->mhd = weir_http_start(d->fd, MHD_ALLOW_SUSPEND_RESUME, answer, d,
	    (unsigned int)o->max_clients + 16, 30, why, sizeof(why));
	if (!d->mhd) {
		weir_seterr(err, errsz, "listen on %s: %s", o->listen, why);
		weir_dash_close(d);
		return WEIR_FAIL_IO;
	}
	sigfillset(&all);
	pthread_sigmask(SIG_SETMASK, &all, &old);
	d->ticking = pthread_create(&d->ticker, NULL, tick, d) == 0;
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	if (!d->ticking) {
		weir_seterr(err, errsz, "dashboard: cannot start a thread");
		weir_dash_close(d);
		return WEIR_FAIL_IO;
	}
	*out = d;
	return 0;
}

int
weir_dash_port(const weir_dash *d)
{
	return d->port;
}

void
weir_dash_close(weir_dash *d)
{
	size_t i;

	if (!d)
		return;
	pthread_mutex_lock(&d->lock);
	d->closing = 1;
	pthread_mutex_unlock(&d->lock);
	if (d->ticking)
		pthread_join(d->ticker, NULL);
	if (d->mhd) {
		wake(d);	/* a daemon stops with no client suspended */
		weir_mhd.stop_daemon(d->mhd);	/* closes the socket too */
	} else if (d->fd >= 0)
		close(d->fd);
	for (i = 0; i < d->cap; i++)
		weir_buf_free(&d->ring[i].b);
	for (i = 0; i < d->nw; i++)
		win_free(&d->w[i]);
	if (d->have_keyp)
		weir_path_free(&d->keyp);
	weir_buf_free(&d->line);
	weir_buf_free(&d->key);
	weir_buf_free(&d->scratch);
	weir_buf_free(&d->ev);
	pthread_mutex_destroy(&d->lock);
	free(d->ring);
	free(d->w);
	free(d);
}
