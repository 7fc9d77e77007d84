/* stats.c - counters of every weir program, reported to weir-run. */
#include "stats.h"

#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

weir_stats weir_stats_g = { .wm_in = INT64_MIN, .wm_out = INT64_MIN,
	.lag = -1 };

static int sfd = -2;		/* -2: not looked at yet, -1: off */
static weir_stats sent;		/* the last report */
static int64_t last_ms;
static char stage[128];

static int64_t
coarse_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC_COARSE, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static void
at_exit(void)
{
	weir_stats_flush();
}

static int
setup(void)
{
	const char *s = getenv("WEIR_STATS_FD"), *n = getenv("WEIR_STAGE");
	char *end;
	long fd;

	sfd = -1;
	if (!s || !*s)
		return -1;
	errno = 0;
	fd = strtol(s, &end, 10);
	if (errno || *end || fd < 3 || fd > 65535)
		return -1;
	sfd = (int)fd;
	snprintf(stage, sizeof(stage), "%s", n && *n ? n : "?");
	for (end = stage; *end; end++)
		if (*end == ' ' || *end == '\n' || *end == '=')
			*end = '_';
	atexit(at_exit);
	last_ms = coarse_ms();
	return 0;
}

size_t
weir_stats_format(const weir_stats *s, const char *name, long pid, char *buf,
    size_t sz)
{
	int i, n = snprintf(buf, sz, "weir-stats 1 stage=%s pid=%ld in=%llu "
	    "in_bytes=%llu out=%llu out_bytes=%llu late=%llu skipped=%llu",
	    name, pid, (unsigned long long)s->in,
	    (unsigned long long)s->in_bytes, (unsigned long long)s->out,
	    (unsigned long long)s->out_bytes, (unsigned long long)s->late,
	    (unsigned long long)s->skipped);

	if (n > 0 && (size_t)n < sz && s->dead_lettered)
		n += snprintf(buf + n, sz - (size_t)n, " dlq=%llu",
		    (unsigned long long)s->dead_lettered);
	if (n > 0 && (size_t)n < sz && s->wm_in != INT64_MIN)
		n += snprintf(buf + n, sz - (size_t)n, " wm_in=%lld",
		    (long long)s->wm_in);
	if (n > 0 && (size_t)n < sz && s->wm_out != INT64_MIN)
		n += snprintf(buf + n, sz - (size_t)n, " wm_out=%lld",
		    (long long)s->wm_out);
	if (n > 0 && (size_t)n < sz && s->lag >= 0)
		n += snprintf(buf + n, sz - (size_t)n, " lag=%lld",
		    (long long)s->lag);
	for (i = 0; i < s->nparts && n > 0 && (size_t)n < sz; i++)
		n += snprintf(buf + n, sz - (size_t)n, " plag=%ld:%lld:%s",
		    (long)s->part[i].partition, (long long)s->part[i].lag,
		    s->part[i].topic);
	if (n < 0)
		return 0;
	return (size_t)n < sz ? (size_t)n : sz - 1;
}

void
weir_stats_flush(void)
{
	char buf[WEIR_STATS_MSGSZ];
	size_t n;
	int e = errno;

	if (sfd == -2)
		(void)setup();
	if (sfd < 0)
		return;
	n = weir_stats_format(&weir_stats_g, stage, (long)getpid(), buf,
	    sizeof(buf));
	(void)send(sfd, buf, n, MSG_DONTWAIT | MSG_NOSIGNAL);
	sent = weir_stats_g;
	last_ms = coarse_ms();
	errno = e;
}

void
weir_stats_tick(void)
{
	if (sfd == -2)
		(void)setup();
	if (sfd < 0)
		return;
	if (coarse_ms() - last_ms >= 1000)
		weir_stats_flush();
}

void
weir_stats_idle(int fd)
{
	struct pollfd p = { .fd = fd, .events = POLLIN };
	int64_t wait;

	if (sfd == -2)
		(void)setup();
	if (sfd < 0 || !memcmp(&weir_stats_g, &sent, sizeof(sent)))
		return;
	/* wait for input until the report is due; if none came, send it */
	wait = 1000 - (coarse_ms() - last_ms);
	if (wait > 0 && poll(&p, 1, (int)wait) != 0)
		return;
	weir_stats_flush();
}

void
weir_stats_lag_begin(void)
{
	weir_stats_g.lag = -1;
	weir_stats_g.nparts = 0;
}

void
weir_stats_lag_part(const char *topic, int32_t partition, int64_t lag)
{
	weir_stats *s = &weir_stats_g;
	weir_stats_part *p;
	char *c;

	if (lag < 0)
		lag = 0;
	s->lag = (s->lag < 0 ? 0 : s->lag) + lag;
	if (s->nparts == WEIR_STATS_MAXPART)
		return;
	p = &s->part[s->nparts++];
	snprintf(p->topic, sizeof(p->topic), "%s", topic);
	for (c = p->topic; *c; c++)
		if (*c == ' ' || *c == '\n')
			*c = '_';
	p->partition = partition;
	p->lag = lag;
}

/* "PART:LAG:TOPIC" into the next free part of s; -1 if malformed. */
static int
part_parse(weir_stats *s, const char *v, size_t n)
{
	weir_stats_part *p;
	char tmp[WEIR_STATS_TOPICSZ + 48], *a, *b;
	long long part, lag;

	if (s->nparts == WEIR_STATS_MAXPART || n >= sizeof(tmp))
		return -1;
	memcpy(tmp, v, n);
	tmp[n] = 0;
	errno = 0;
	part = strtoll(tmp, &a, 10);
	if (errno || *a != ':' || part < 0 || part > INT32_MAX)
		return -1;
	lag = strtoll(a + 1, &b, 10);
	if (errno || *b != ':' || b == a + 1 || lag < 0 ||
	    strlen(b + 1) >= WEIR_STATS_TOPICSZ)
		return -1;
	p = &s->part[s->nparts++];
	p->partition = (int32_t)part;
	p->lag = lag;
	snprintf(p->topic, sizeof(p->topic), "%s", b + 1);
	for (a = p->topic; *a; a++)	/* safe as a label value */
		if (*a == '"' || *a == '\\')
			*a = '_';
	return 0;
}

static int
num(const char *v, size_t n, int64_t *out)
{
	char tmp[32], *end;

	if (!n || n >= sizeof(tmp))
		return -1;
	memcpy(tmp, v, n);
	tmp[n] = 0;
	errno = 0;
	*out = strtoll(tmp, &end, 10);
	return errno || *end ? -1 : 0;
}

int
weir_stats_parse(const char *msg, size_t n, weir_stats *s, char *name,
    size_t namesz, long *pid)
{
	static const char hdr[] = "weir-stats 1 ";
	const char *p = msg + sizeof(hdr) - 1, *end = msg + n, *k, *eq, *sp;
	int64_t v;
	int have_stage = 0;

	if (n < sizeof(hdr) - 1 || memcmp(msg, hdr, sizeof(hdr) - 1))
		return -1;
	memset(s, 0, sizeof(*s));
	s->wm_in = s->wm_out = INT64_MIN;
	s->lag = -1;
	*pid = 0;
	while (p < end) {
		k = p;
		sp = memchr(p, ' ', (size_t)(end - p));
		if (!sp)
			sp = end;
		eq = memchr(k, '=', (size_t)(sp - k));
		p = sp + 1;
		if (!eq)
			continue;
		if ((size_t)(eq - k) == 5 && !memcmp(k, "stage", 5)) {
			size_t l = (size_t)(sp - eq - 1);
			if (!l || l >= namesz)
				return -1;
			memcpy(name, eq + 1, l);
			name[l] = 0;
			have_stage = 1;
			continue;
		}
		if ((size_t)(eq - k) == 4 && !memcmp(k, "plag", 4)) {
			(void)part_parse(s, eq + 1, (size_t)(sp - eq - 1));
			continue;
		}
		if (num(eq + 1, (size_t)(sp - eq - 1), &v) < 0)
			continue;
#define F(key, field) if ((size_t)(eq - k) == sizeof(key) - 1 && \
	!memcmp(k, key, sizeof(key) - 1)) field
		F("pid", *pid = (long)v);
		F("in", s->in = (uint64_t)v);
		F("in_bytes", s->in_bytes = (uint64_t)v);
		F("out", s->out = (uint64_t)v);
		F("out_bytes", s->out_bytes = (uint64_t)v);
		F("late", s->late = (uint64_t)v);
		F("skipped", s->skipped = (uint64_t)v);
		F("dlq", s->dead_lettered = (uint64_t)v);
		F("wm_in", s->wm_in = v);
		F("wm_out", s->wm_out = v);
		F("lag", s->lag = v);
#undef F
	}
	return have_stage ? 0 : -1;
}

void
weir_stats_add(weir_stats *a, const weir_stats *b)
{
	a->in += b->in;
	a->in_bytes += b->in_bytes;
	a->out += b->out;
	a->out_bytes += b->out_bytes;
	a->late += b->late;
	a->skipped += b->skipped;
	a->dead_lettered += b->dead_lettered;
	if (b->wm_in != INT64_MIN)
		a->wm_in = b->wm_in;
	if (b->wm_out != INT64_MIN)
		a->wm_out = b->wm_out;
	if (b->lag >= 0) {
		a->lag = b->lag;
		a->nparts = b->nparts;
		memcpy(a->part, b->part, sizeof(a->part[0]) * (size_t)b->nparts);
	}
}
