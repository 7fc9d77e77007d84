/* metrics.c - a tiny HTTP/1.0 responder for Prometheus scrapes. */
#include "metrics.h"

#include "io.h"

#include <arpa/inet.h>
#include <errno.h>
#include <netdb.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

struct weir_metrics {
	int fd;
	int port;
};

static int
loopback(const struct sockaddr *sa)
{
	if (sa->sa_family == AF_INET) {
		const struct sockaddr_in *in = (const void *)sa;
		return (ntohl(in->sin_addr.s_addr) >> 24) == 127;
	}
	if (sa->sa_family == AF_INET6) {
		const struct sockaddr_in6 *in6 = (const void *)sa;
		return IN6_IS_ADDR_LOOPBACK(&in6->sin6_addr);
	}
	return 0;
}

/* "PORT", "HOST:PORT", "[V6]:PORT" -> getaddrinfo results. */
static struct addrinfo *
resolve(const char *addr, int passive, char *host, size_t hostsz,
    char *err, size_t errsz)
{
	struct addrinfo hints, *res = NULL;
	char port[16];
	const char *colon;
	int rc;

	colon = strrchr(addr, ':');
	if (!colon) {
		snprintf(host, hostsz, "127.0.0.1");
		snprintf(port, sizeof(port), "%s", addr);
	} else {
		size_t hl = (size_t)(colon - addr);
		if (hl >= 2 && addr[0] == '[' && addr[hl - 1] == ']') {
			addr++;
			hl -= 2;
		}
		if (hl >= hostsz || strlen(colon + 1) >= sizeof(port)) {
			weir_seterr(err, errsz, "bad address '%s'", addr);
			return NULL;
		}
		memcpy(host, addr, hl);
		host[hl] = 0;
		if (!hl)
			snprintf(host, hostsz, "127.0.0.1");
		snprintf(port, sizeof(port), "%s", colon + 1);
	}
	if (!*port || strspn(port, "0123456789") != strlen(port) ||
	    atoi(port) > 65535) {
		weir_seterr(err, errsz, "bad port in '%s' (want [HOST:]PORT)",
		    addr);
		return NULL;
	}
	memset(&hints, 0, sizeof(hints));
	hints.ai_family = AF_UNSPEC;
	hints.ai_socktype = SOCK_STREAM;
	hints.ai_flags = (passive ? AI_PASSIVE : 0) | AI_NUMERICSERV;
	if ((rc = getaddrinfo(host, port, &hints, &res)) != 0) {
		weir_seterr(err, errsz, "%s: %s", host, gai_strerror(rc));
		return NULL;
	}
	return res;
}

weir_metrics *
weir_metrics_listen(const char *addr, int public, char *err, size_t errsz)
{
	struct addrinfo *res;
	char host[256];
	weir_metrics *m;
	int fd = -1, one = 1;
	struct sockaddr_storage ss;
	socklen_t sl = sizeof(ss);

	if (!(res = resolve(addr, 1, host, sizeof(host), err, errsz)))
		return NULL;
	if (!loopback(res->ai_addr) && !public) {
		weir_seterr(err, errsz, "%s is not a loopback address: metrics "
		    "are served beyond this host only with --metrics-public",
		    host);
		freeaddrinfo(res);
		return NULL;
	}
	fd = socket(res->ai_family, res->ai_socktype | SOCK_CLOEXEC |
	    SOCK_NONBLOCK, 0);
	if (fd < 0 || setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one,
	    sizeof(one)) < 0 || bind(fd, res->ai_addr, res->ai_addrlen) < 0 ||
	    listen(fd, 16) < 0 || getsockname(fd, (struct sockaddr *)&ss,
	    &sl) < 0) {
		weir_seterr(err, errsz, "listen on %s: %s", addr,
		    strerror(errno));
		if (fd >= 0)
			close(fd);
		freeaddrinfo(res);
		return NULL;
	}
	freeaddrinfo(res);
	if (!(m = calloc(1, sizeof(*m)))) {
		close(fd);
		weir_seterr(err, errsz, "out of memory");
		return NULL;
	}
	m->fd = fd;
	m->port = ntohs(ss.ss_family == AF_INET6 ?
	    ((struct sockaddr_in6 *)&ss)->sin6_port :
	    ((struct sockaddr_in *)&ss)->sin_port);
	return m;
}

int
weir_metrics_fd(const weir_metrics *m)
{
	return m->fd;
}

int
weir_metrics_port(const weir_metrics *m)
{
	return m->port;
}

static void
reply(int fd, const char *status, const char *ctype, const void *body,
    size_t n, int head)
{
	char hdr[256];
	int hl = snprintf(hdr, sizeof(hdr), "HTTP/1.0 %s\r\nContent-Type: %s\r\n"
	    "Content-Length: %zu\r\nConnection: close\r\n\r\n", status, ctype,
	    n);

	if (weir_write_all(fd, hdr, (size_t)hl) == 0 && !head && n)
		(void)weir_write_all(fd, body, n);
}

int
weir_metrics_serve(weir_metrics *m, weir_metrics_page page, void *arg,
    char *err, size_t errsz)
{
	weir_buf body = { 0 };
	char req[4096];
	size_t n = 0;
	int c, head = 0;
	struct pollfd p;
	int64_t deadline = weir_mono_ms() + 500;

	c = accept4(m->fd, NULL, NULL, SOCK_CLOEXEC);
	if (c < 0) {
		if (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR ||
		    errno == ECONNABORTED)
			return 0;
		weir_seterr(err, errsz, "metrics accept: %s", strerror(errno));
		return -1;
	}
	{
		struct timeval tv = { 1, 0 };
		(void)setsockopt(c, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv));
	}
	/* read the request head (a blocking socket, bounded by poll) */
	while (n < sizeof(req) - 1) {
		int64_t left = deadline - weir_mono_ms();
		ssize_t r;
		if (left <= 0)
			goto out;
		p.fd = c;
		p.events = POLLIN;
		if (poll(&p, 1, (int)left) <= 0)
			goto out;
		r = read(c, req + n, sizeof(req) - 1 - n);
		if (r <= 0)
			goto out;
		n += (size_t)r;
		req[n] = 0;
		if (strstr(req, "\r\n\r\n") || strstr(req, "\n\n"))
			break;
	}
	req[n] = 0;
	if (!strncmp(req, "HEAD ", 5))
		head = 1;
	else if (strncmp(req, "GET ", 4)) {
		reply(c, "405 Method Not Allowed", "text/plain", "GET only\n", 9,
		    0);
		goto out;
	}
	{
		char path[256];
		const char *p0 = req + (head ? 5 : 4);
		size_t pl = strcspn(p0, " ?\r\n");
		if (pl >= sizeof(path))
			pl = sizeof(path) - 1;
		memcpy(path, p0, pl);
		path[pl] = 0;
		if (!strcmp(path, "/"))
			reply(c, "200 OK", "text/plain", "weir-run: see /metrics "
			    "and /status\n", 35, head);
		else if (page(arg, path, &body) == 0)
			reply(c, "200 OK", !strcmp(path, "/metrics") ?
			    "text/plain; version=0.0.4; charset=utf-8" :
			    "text/plain; charset=utf-8", body.p, body.len, head);
		else
			reply(c, "404 Not Found", "text/plain", "not found; "
			    "try /metrics\n", 25, head);
	}
out:
	weir_buf_free(&body);
	close(c);
	return 0;
}

void
weir_metrics_close(weir_metrics *m)
{
	if (!m)
		return;
	close(m->fd);
	free(m);
}

static int
metric(weir_buf *o, const char *name, const char *type, const char *help)
{
	return weir_buf_printf(o, "# HELP weir_%s %s\n# TYPE weir_%s %s\n",
	    name, help, name, type);
}

int
weir_metrics_render(weir_buf *o, const char *plname,
    const weir_metric_stage *s, int n, uint64_t restarts, int64_t started_ms)
{
	char pl[128], *q;
	int i, rc = 0;

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
	EACH("watermark_seconds", "gauge", "The last watermark the stage "
	    "wrote (event time).", "%.3f", (double)s[i].st.wm_out / 1000.0,
	    s[i].st.wm_out != INT64_MIN);
	EACH("input_watermark_seconds", "gauge", "The last watermark the "
	    "stage read (event time).", "%.3f",
	    (double)s[i].st.wm_in / 1000.0, s[i].st.wm_in != INT64_MIN);
	EACH("kafka_lag", "gauge", "Kafka consumer lag (messages).", "%lld",
	    (long long)s[i].st.lag, s[i].st.lag >= 0);
#undef EACH
	rc |= metric(o, "pipeline_restarts_total", "counter",
	    "Times the whole pipeline was restarted.");
	rc |= weir_buf_printf(o, "weir_pipeline_restarts_total{pipeline=\"%s\"} "
	    "%llu\n", pl, (unsigned long long)restarts);
	rc |= metric(o, "pipeline_start_time_seconds", "gauge",
	    "When weir-run started (Unix time).");
	rc |= weir_buf_printf(o, "weir_pipeline_start_time_seconds{pipeline="
	    "\"%s\"} %.3f\n", pl, (double)started_ms / 1000.0);
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
	int fd, n, rc = -1;
	ssize_t r;
	char *p;

	if (!(res = resolve(addr, 0, host, sizeof(host), err, errsz)))
		return -1;
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
			goto out;
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
		goto out;
	rc = 0;
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
