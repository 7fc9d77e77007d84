/*
 * metrics.c - weir-run's metrics over HTTP: libmicrohttpd serves, in its
 * own thread, the pages the supervision loop last published; and the
 * exposition text, and a small client for --status.
 */
#include "metrics.h"

#include "http.h"
#include "io.h"

#include <arpa/inet.h>
#include <errno.h>
#include <microhttpd.h>
#include <netdb.h>
#include <netinet/in.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>

/* The pages the supervision loop publishes, served as they are. */
static const char *const paths[] = { "/metrics", "/status",
    "/status.html" };
#define NPAGES (sizeof(paths) / sizeof(paths[0]))

struct weir_metrics {
	int fd;
	int port;
	struct MHD_Daemon *d;
	pthread_mutex_t lock;	/* guards page[] */
	weir_buf page[NPAGES];
	int published[NPAGES];
};

/* In the server's thread: answer from the published pages only. */
static enum MHD_Result
answer(void *cls, struct MHD_Connection *conn, const char *url,
    const char *method, const char *version, const char *upload,
    size_t *upload_size, void **req)
{
	static const char home[] = "weir-run: see /metrics, /status and "
	    "/status.html\n";
	static const char nf[] = "not found; try /metrics\n";
	weir_metrics *m = cls;
	enum MHD_Result rc;
	size_t i;

	(void)version;
	(void)upload;
	(void)upload_size;
	(void)req;
	if (strcmp(method, MHD_HTTP_METHOD_GET) &&
	    strcmp(method, MHD_HTTP_METHOD_HEAD))
		return weir_http_reply(conn, MHD_HTTP_METHOD_NOT_ALLOWED, "text/plain",
		    "GET only\n", 9);
	if (!strcmp(url, "/"))
		return weir_http_reply(conn, MHD_HTTP_OK, "text/plain", home,
		    sizeof(home) - 1);
	for (i = 0; i < NPAGES; i++)
		if (!strcmp(url, paths[i]))
			break;
	if (i == 1 && weir_http_wants_html(conn))
		i = 2;	/* a browser asking for /status gets the page */
	if (i == NPAGES)
		return weir_http_reply(conn, MHD_HTTP_NOT_FOUND, "text/plain", nf,
		    sizeof(nf) - 1);
	pthread_mutex_lock(&m->lock);	/* held for the copy only */
	if (!m->published[i])
		rc = weir_http_reply(conn, MHD_HTTP_SERVICE_UNAVAILABLE, "text/plain",
		    "starting\n", 9);
	else
		rc = weir_http_reply(conn, MHD_HTTP_OK, i == 0 ?
		    "text/plain; version=0.0.4; charset=utf-8" : i == 2 ?
		    "text/html; charset=utf-8" : "text/plain; charset=utf-8",
		    m->page[i].p, m->page[i].len);
	pthread_mutex_unlock(&m->lock);
	return rc;
}

int
weir_metrics_listen(weir_metrics **out, const char *addr, int public,
    char *err, size_t errsz)
{
	weir_metrics *m;
	char why[WEIR_ERRSZ];
	int fd, port;

	fd = weir_http_listen(addr, public, "--metrics-public",
	    WEIR_METRICS_MAX_CONN, &port, err, errsz);
	if (fd < 0)
		return fd;
	if (!(m = calloc(1, sizeof(*m)))) {
		close(fd);
		weir_seterr(err, errsz, "out of memory");
		return WEIR_FAIL_NOMEM;
	}
	m->fd = fd;
	m->port = port;
	pthread_mutex_init(&m->lock, NULL);
	m->d = weir_http_start(fd, 0, answer, m, WEIR_METRICS_MAX_CONN,
	    WEIR_METRICS_TIMEOUT, why, sizeof(why));
	if (!m->d) {
		weir_seterr(err, errsz, "listen on %s: %s", addr, why);
		weir_metrics_close(m);
		return WEIR_FAIL_IO;
	}
	*out = m;
	return 0;
}

int
weir_metrics_port(const weir_metrics *m)
{
	return m->port;
}

int
weir_metrics_publish(weir_metrics *m, const char *path, const weir_buf *body)
{
	size_t i;
	int rc;

	for (i = 0; i < NPAGES && strcmp(path, paths[i]); i++)
		;
	if (i == NPAGES)
		return WEIR_FAIL_USAGE;
	pthread_mutex_lock(&m->lock);
	m->page[i].len = 0;
	rc = body->len ? weir_buf_put(&m->page[i], body->p, body->len) : 0;
	m->published[i] = rc == 0;
	pthread_mutex_unlock(&m->lock);
	return rc < 0 ? WEIR_FAIL_NOMEM : 0;
}

void
weir_metrics_close(weir_metrics *m)
{
	size_t i;

	if (!m)
		return;
	if (m->d)
		weir_mhd.stop_daemon(m->d);	/* closes the listening socket too */
	else
		close(m->fd);
	pthread_mutex_destroy(&m->lock);
	for (i = 0; i < NPAGES; i++)
		weir_buf_free(&m->page[i]);
	free(m);
}

static int
metric(weir_buf *o, const char *name, const char *type, const char *help)
{
	return weir_buf_printf(o, "# HELP weir_%s %s\n# TYPE weir_%s %s\n",
	    name, help, name, type);
}

/* The newest watermark a stage knows: the one it wrote, else read. */
static int64_t
stage_wm(const weir_stats *st)
{
	return st->wm_out != INT64_MIN ? st->wm_out : st->wm_in;
}

int
weir_metrics_render(weir_buf *o, const char *plname,
    const weir_metric_stage *s, int n, uint64_t restarts, int64_t started_ms,
    int64_t now_ms)
{
	char pl[128], *q;
	int i, k, rc = 0;

	/* a label value: no quotes, backslashes or newlines */
	snprintf(pl, sizeof(pl), "%s", plname ? plname : "pipeline");
	for (q = pl; *q; q++)
		if (*q == '"' || *q == '\\' || *q == '\n')
			*q = '_';

#define EACH(nm, type, help, fmt, expr, cond) do { \
	rc |= metric(o, nm, type, help); \
	for (i = 0; i < n; i++) \
		if (cond) \
			rc |= weir_buf_printf(o, "weir_" nm \
			    "{pipeline=\"%s\",stage=\"%s\"} " fmt "\n", pl, \
			    s[i].name, expr); \
} while (0)
	EACH("stage_up", "gauge", "1 while the stage's process runs.", "%d",
	    s[i].up, 1);
	EACH("stage_restarts_total", "counter", "Times the stage was "
	    "restarted.", "%llu", (unsigned long long)s[i].restarts, 1);
	EACH("records_in_total", "counter", "Records read by the stage.",
	    "%llu", (unsigned long long)s[i].st.in, 1);
	EACH("records_out_total", "counter", "Records written by the stage.",
	    "%llu", (unsigned long long)s[i].st.out, 1);
	EACH("bytes_in_total", "counter", "Bytes read by the stage.", "%llu",
	    (unsigned long long)s[i].st.in_bytes, 1);
	EACH("bytes_out_total", "counter", "Bytes written by the stage.",
	    "%llu", (unsigned long long)s[i].st.out_bytes, 1);
	EACH("late_records_total", "counter", "Records that arrived after "
	    "their window closed.", "%llu", (unsigned long long)s[i].st.late,
	    1);
	EACH("skipped_records_total", "counter", "Bad input records skipped "
	    "(--on-error skip or FILE).", "%llu",
	    (unsigned long long)s[i].st.skipped, 1);
	EACH("dead_letter_records_total", "counter", "Bad records written to "
	    "a dead-letter topic (--on-error kafka:TOPIC; also in skipped).",
	    "%llu", (unsigned long long)s[i].st.dead_lettered, 1);
	EACH("watermark_seconds", "gauge", "The last watermark the stage "
	    "wrote (event time).", "%.3f", (double)s[i].st.wm_out / 1000.0,
	    s[i].st.wm_out != INT64_MIN);
	EACH("input_watermark_seconds", "gauge", "The last watermark the "
	    "stage read (event time).", "%.3f",
	    (double)s[i].st.wm_in / 1000.0, s[i].st.wm_in != INT64_MIN);
	EACH("watermark_lag_seconds", "gauge", "Wall clock minus the stage's "
	    "watermark (written, else read).", "%.3f",
	    (double)(now_ms - stage_wm(&s[i].st)) / 1000.0,
	    stage_wm(&s[i].st) != INT64_MIN);
	EACH("kafka_lag_sum", "gauge", "Kafka consumer lag over every "
	    "partition the stage reads (messages).", "%lld",
	    (long long)s[i].st.lag, s[i].st.lag >= 0);
#undef EACH
	/* topics are Kafka names ([a-zA-Z0-9._-]), safe as label values */
	rc |= metric(o, "kafka_lag", "gauge", "Kafka consumer lag of a "
	    "partition (messages; the first 16 partitions of a stage).");
	for (i = 0; i < n; i++)
		for (k = 0; s[i].st.lag >= 0 && k < s[i].st.nparts; k++)
			rc |= weir_buf_printf(o, "weir_kafka_lag{pipeline=\"%s\","
			    "stage=\"%s\",topic=\"%s\",partition=\"%ld\"} "
			    "%lld\n", pl, s[i].name, s[i].st.part[k].topic,
			    (long)s[i].st.part[k].partition,
			    (long long)s[i].st.part[k].lag);
	rc |= metric(o, "pipeline_restarts_total", "counter",
	    "Times the whole pipeline was restarted.");
	rc |= weir_buf_printf(o, "weir_pipeline_restarts_total{pipeline=\"%s\"} "
	    "%llu\n", pl, (unsigned long long)restarts);
	rc |= metric(o, "pipeline_start_time_seconds", "gauge",
	    "When weir-run started (Unix time).");
	rc |= weir_buf_printf(o, "weir_pipeline_start_time_seconds{pipeline="
	    "\"%s\"} %.3f\n", pl, (double)started_ms / 1000.0);
	rc |= metric(o, "build_info", "gauge", "Always 1: the weir version "
	    "and what this build has.");
	rc |= weir_buf_printf(o, "weir_build_info{version=\"%s\",features="
	    "\"%s\"} 1\n", WEIR_VERSION, WEIR_METRICS_FEATURES);
	return rc ? -1 : 0;
}

/* text with HTML's special characters escaped */
static int
html(weir_buf *o, const char *s)
{
	int rc = 0;

	for (; *s && !rc; s++)
		switch (*s) {
		case '&':
			rc = weir_buf_puts(o, "&amp;");
			break;
		case '<':
			rc = weir_buf_puts(o, "&lt;");
			break;
		case '>':
			rc = weir_buf_puts(o, "&gt;");
			break;
		case '"':
			rc = weir_buf_puts(o, "&quot;");
			break;
		default:
			rc = weir_buf_putc(o, *s);
		}
	return rc;
}

/* ms since the epoch as ISO 8601 (UTC, milliseconds) */
static int
iso8601(weir_buf *o, int64_t ms)
{
	time_t t = (time_t)(ms / 1000 - (ms % 1000 < 0));
	struct tm tm;
	char b[40];

	if (!gmtime_r(&t, &tm) || !strftime(b, sizeof(b), "%Y-%m-%dT%H:%M:%S",
	    &tm))
		return weir_buf_puts(o, "?");
	return weir_buf_printf(o, "%s.%03dZ", b, (int)(((ms % 1000) + 1000) %
	    1000));
}

int
weir_metrics_render_html(weir_buf *o, const char *plname,
    const weir_metric_stage *s, int n, uint64_t restarts, int64_t started_ms,
    int64_t now_ms)
{
	int i, rc;
	int64_t wm;

	rc = weir_buf_puts(o, "<!doctype html>\n<html lang=\"en\"><head>"
	    "<meta charset=\"utf-8\"><meta http-equiv=\"refresh\" "
	    "content=\"2\"><link rel=\"icon\" href=\"data:,\"><title>");
	rc |= html(o, plname ? plname : "pipeline");
	rc |= weir_buf_puts(o, " \xe2\x80\x94 weir-run</title><style>"
	    "body{font:14px/1.4 system-ui,sans-serif;margin:20px;color:#1d2330}"
	    "table{border-collapse:collapse;font-variant-numeric:tabular-nums}"
	    "th,td{padding:4px 12px;border-bottom:1px solid #e4e7ec;"
	    "text-align:right;white-space:nowrap}th{color:#667085}"
	    "td:first-child,th:first-child{text-align:left}"
	    ".up{color:#0b7a3b}.down{color:#c4320a}p{color:#667085}"
	    "</style></head><body><h1>");
	rc |= html(o, plname ? plname : "pipeline");
	rc |= weir_buf_printf(o, "</h1><p>weir-run %s \xc2\xb7 started ",
	    WEIR_VERSION);
	rc |= iso8601(o, started_ms);
	rc |= weir_buf_printf(o, " \xc2\xb7 pipeline restarts %llu \xc2\xb7 "
	    "<a href=\"/metrics\">/metrics</a> \xc2\xb7 <a href=\"/status\" "
	    "type=\"text/plain\">/status</a> as text</p>\n<table id=\"stages\">"
	    "<tr><th>stage</th><th>state</th><th>restarts</th><th>records in"
	    "</th><th>records out</th><th>in/s</th><th>out/s</th><th>late</th>"
	    "<th>skipped</th><th>watermark</th><th>watermark lag (s)</th></tr>\n",
	    (unsigned long long)restarts);
	for (i = 0; i < n; i++) {
		rc |= weir_buf_puts(o, "<tr><td>");
		rc |= html(o, s[i].name);
		rc |= weir_buf_printf(o, "</td><td class=\"%s\">%s</td><td>%llu"
		    "</td><td>%llu</td><td>%llu</td><td>%.0f</td><td>%.0f</td>"
		    "<td>%llu</td><td>%llu</td><td>", s[i].up ? "up" : "down",
		    s[i].up ? "running" : "stopped",
		    (unsigned long long)s[i].restarts,
		    (unsigned long long)s[i].st.in,
		    (unsigned long long)s[i].st.out, s[i].rate_in,
		    s[i].rate_out, (unsigned long long)s[i].st.late,
		    (unsigned long long)s[i].st.skipped);
		wm = stage_wm(&s[i].st);
		if (wm != INT64_MIN) {
			rc |= iso8601(o, wm);
			rc |= weir_buf_printf(o, "</td><td>%.3f",
			    (double)(now_ms - wm) / 1000.0);
		} else
			rc |= weir_buf_puts(o, "</td><td>");
		rc |= weir_buf_puts(o, "</td></tr>\n");
	}
	rc |= weir_buf_puts(o, "</table></body></html>\n");
	return rc ? -1 : 0;
}

int
weir_metrics_get(const char *addr, const char *path, weir_buf *body,
    char *err, size_t errsz)
{
	struct addrinfo *res;
	char host[256], req[512];
	weir_buf raw = { 0 };
	struct timeval tv = { 5, 0 };
	int fd, n, rc = WEIR_FAIL_IO;
	ssize_t r;
	char *p;

	if ((rc = weir_http_resolve(&res, addr, 0, host, sizeof(host), err,
	    errsz)) < 0)
		return rc;
	rc = WEIR_FAIL_IO;
	fd = socket(res->ai_family, res->ai_socktype | SOCK_CLOEXEC, 0);
	if (fd >= 0) {
		(void)setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
		(void)setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv));
	}
	if (fd < 0 || connect(fd, res->ai_addr, res->ai_addrlen) < 0) {
		weir_seterr(err, errsz, "connect to %s: %s", addr,
		    strerror(errno));
		goto out;
	}
	n = snprintf(req, sizeof(req), "GET %s HTTP/1.0\r\nHost: %s\r\n\r\n",
	    path, host);
	if (weir_write_all(fd, req, (size_t)n) < 0) {
		weir_seterr(err, errsz, "%s: %s", addr, strerror(errno));
		goto out;
	}
	for (;;) {
		if (weir_buf_reserve(&raw, 65536) < 0)
			goto nomem;
		r = read(fd, raw.p + raw.len, raw.cap - raw.len - 1);
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0) {
			weir_seterr(err, errsz, "%s: %s", addr, strerror(errno));
			goto out;
		}
		if (r == 0)
			break;
		raw.len += (size_t)r;
	}
	if (!raw.p)
		goto bad;
	raw.p[raw.len] = 0;
	if (strncmp((char *)raw.p, "HTTP/1.0 200", 12) &&
	    strncmp((char *)raw.p, "HTTP/1.1 200", 12)) {
		weir_seterr(err, errsz, "%s%s: %.*s", addr, path,
		    (int)strcspn((char *)raw.p, "\r\n"), (char *)raw.p);
		goto out;
	}
	if (!(p = strstr((char *)raw.p, "\r\n\r\n")))
		goto bad;
	p += 4;
	if (weir_buf_put(body, p, raw.len - (size_t)(p - (char *)raw.p)) < 0)
		goto nomem;
	rc = 0;
	goto out;
nomem:
	weir_seterr(err, errsz, "out of memory");
	rc = WEIR_FAIL_NOMEM;
	goto out;
bad:
	weir_seterr(err, errsz, "%s: not an HTTP response", addr);
out:
	if (fd >= 0)
		close(fd);
	freeaddrinfo(res);
	weir_buf_free(&raw);
	return rc;
}
