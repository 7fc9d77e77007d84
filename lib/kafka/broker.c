/*
 * broker.c - weir-broker's cluster: librdkafka's mock cluster, a loopback
 * forwarder for a fixed bootstrap port, fault injection and a control
 * FIFO.
 */
#include "broker.h"

#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <strings.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include <librdkafka/rdkafka.h>
#include <librdkafka/rdkafka_mock.h>

#include "kafka_dl.h"	/* the rd_kafka_ functions, loaded when first used */

#define MAX_BROKERS 64
#define LINE_MAX_LEN 1024
#define RELAY_BUF 65536

/* One connection passed through: client side c, broker side s. */
struct relay {
	int c, s;
	pthread_t th;
	int done;		/* under mu: the thread has ended */
	int stopfd;
	pthread_mutex_t *mu;
	struct relay *next;
};

struct weir_broker {
	rd_kafka_t *rk;
	rd_kafka_mock_cluster_t *mc;
	int n;
	int ports[MAX_BROKERS];	/* broker i+1 listens on 127.0.0.1:ports[i] */
	char boot[32];		/* 127.0.0.1:port after weir_broker_listen */
	/* forwarder */
	int lfd;
	int stop[2];		/* a byte in stop[1] ends every thread */
	int accepting;		/* the accept thread runs */
	pthread_t acc;
	pthread_mutex_t mu;
	struct relay *relays;
	/* control FIFO */
	int cfd, cwfd;
	char *cpath;
	int cmade;
	char cbuf[LINE_MAX_LEN];
	size_t clen;
	int cskip;		/* dropping the rest of an overlong line */
};

/* The Kafka APIs the mock cluster of librdkafka 2.0.2 serves, each of
 * which takes injected errors. */
static const struct { const char *name; int key; } apis[] = {
	{ "Produce", 0 }, { "Fetch", 1 }, { "ListOffsets", 2 },
	{ "Metadata", 3 }, { "OffsetCommit", 8 }, { "OffsetFetch", 9 },
	{ "FindCoordinator", 10 }, { "JoinGroup", 11 }, { "Heartbeat", 12 },
	{ "LeaveGroup", 13 }, { "SyncGroup", 14 }, { "ApiVersions", 18 },
	{ "InitProducerId", 22 }, { "AddPartitionsToTxn", 24 },
	{ "AddOffsetsToTxn", 25 }, { "EndTxn", 26 }, { "TxnOffsetCommit", 28 }
};
#define NAPIS (sizeof(apis) / sizeof(apis[0]))

/* Kafka's names where librdkafka spells them otherwise. */
static const struct { const char *name; int code; } err_alias[] = {
	{ "UNKNOWN_SERVER_ERROR", -1 }, { "CORRUPT_MESSAGE", 2 },
	{ "UNKNOWN_TOPIC_OR_PARTITION", 3 }, { "INVALID_FETCH_SIZE", 4 },
	{ "NOT_LEADER_OR_FOLLOWER", 6 }, { "MESSAGE_TOO_LARGE", 10 },
	{ "STALE_CONTROLLER_EPOCH", 11 }
};

static const char *
api_name(int key)
{
	size_t i;

	for (i = 0; i < NAPIS; i++)
		if (apis[i].key == key)
			return apis[i].name;
	return "?";
}

static int
num(const char *s, long long min, long long max, long long *v)
{
	char *end;

	if (!*s || isspace((unsigned char)*s))
		return -1;
	errno = 0;
	*v = strtoll(s, &end, 10);
	return errno || *end || *v < min || *v > max ? -1 : 0;
}

static int
api_parse(const char *s, int *key, char *err, size_t errsz)
{
	long long v;
	size_t i;

	for (i = 0; i < NAPIS; i++)
		if (!strcasecmp(s, apis[i].name) || (num(s, 0, 1000, &v) == 0 &&
		    v == apis[i].key)) {
			*key = apis[i].key;
			return 0;
		}
	if (!strcasecmp(s, "ApiVersion")) {
		*key = 18;
		return 0;
	}
	weir_seterr(err, errsz, "'%s' is not a Kafka API the broker serves "
	    "(Produce, Fetch, ListOffsets, Metadata, OffsetCommit, "
	    "OffsetFetch, FindCoordinator, JoinGroup, Heartbeat, LeaveGroup, "
	    "SyncGroup, ApiVersions, InitProducerId, AddPartitionsToTxn, "
	    "AddOffsetsToTxn, EndTxn, TxnOffsetCommit, or their numbers)", s);
	return -1;
}

/* A broker-side error: code -1 (UNKNOWN_SERVER_ERROR) or above 0. */
static int
error_parse(const char *s, int *code, char *err, size_t errsz)
{
	const struct rd_kafka_err_desc *d;
	size_t n, i;
	long long v;
	int byn = num(s, INT_MIN, INT_MAX, &v) == 0;

	for (i = 0; i < sizeof(err_alias) / sizeof(err_alias[0]); i++)
		if (!strcasecmp(s, err_alias[i].name)) {
			*code = err_alias[i].code;
			return 0;
		}
	rd_kafka_get_err_descs(&d, &n);
	for (i = 0; i < n; i++) {
		if (!d[i].name || (d[i].code <= 0 && d[i].code != -1))
			continue;
		if (byn ? v == d[i].code : !strcasecmp(s, d[i].name)) {
			*code = d[i].code;
			return 0;
		}
	}
	weir_seterr(err, errsz, "'%s' is not a Kafka error name or code (such "
	    "as NOT_LEADER_OR_FOLLOWER, NOT_COORDINATOR, "
	    "COORDINATOR_LOAD_IN_PROGRESS, PRODUCER_FENCED or 6)", s);
	return -1;
}

/* API ERROR [COUNT] from separate words. */
static int
fault_words(char **w, int nw, weir_broker_fault *f, char *err, size_t errsz)
{
	long long v = 1;

	if (nw < 2 || nw > 3) {
		weir_seterr(err, errsz, "want API:ERROR[:COUNT]");
		return WEIR_FAIL_USAGE;
	}
	if (api_parse(w[0], &f->api, err, errsz) < 0 ||
	    error_parse(w[1], &f->error, err, errsz) < 0)
		return WEIR_FAIL_USAGE;
	if (nw == 3 && num(w[2], 1, 1000000, &v) < 0) {
		weir_seterr(err, errsz, "COUNT '%s' is not a number from 1 to "
		    "1000000", w[2]);
		return WEIR_FAIL_USAGE;
	}
	f->count = (int)v;
	return 0;
}

/* Split s in place at any of seps into at most max words (max + 1 when
 * there are more); empty words dropped when skip_empty. */
static int
split(char *s, const char *seps, int skip_empty, char **w, int max)
{
	char *tok;
	int nw = 0;

	while ((tok = strsep(&s, seps))) {
		if (skip_empty && !*tok)
			continue;
		if (nw == max)
			return max + 1;
		w[nw++] = tok;
	}
	return nw;
}

int
weir_broker_fault_parse(const char *spec, weir_broker_fault *f, char *err,
    size_t errsz)
{
	char *copy, *w[4];
	int nw, rc;

	/* the error names are librdkafka's */
	if ((rc = weir__rdk_load(err, errsz)) < 0)
		return rc;
	if (!(copy = strdup(spec))) {
		weir_seterr(err, errsz, "out of memory");
		return WEIR_FAIL_NOMEM;
	}
	nw = split(copy, ":", 0, w, 3);
	if (nw < 2 || nw > 3) {
		weir_seterr(err, errsz, "'%s': want API:ERROR[:COUNT]", spec);
		rc = WEIR_FAIL_USAGE;
	} else
		rc = fault_words(w, nw, f, err, errsz);
	free(copy);
	return rc;
}

void
weir_broker_fail(weir_broker *b, const weir_broker_fault *f)
{
	rd_kafka_resp_err_t *errs = malloc((size_t)f->count * sizeof(*errs));
	int i;

	if (errs) {
		for (i = 0; i < f->count; i++)
			errs[i] = (rd_kafka_resp_err_t)f->error;
		rd_kafka_mock_push_request_errors_array(b->mc, (int16_t)f->api,
		    (size_t)f->count, errs);
		free(errs);
		return;
	}
	for (i = 0; i < f->count; i++)	/* out of memory: one at a time */
		rd_kafka_mock_push_request_errors(b->mc, (int16_t)f->api, 1,
		    (rd_kafka_resp_err_t)f->error);
}

int
weir_broker_set_up(weir_broker *b, int id, int up, char *err, size_t errsz)
{
	rd_kafka_resp_err_t e;

	if (id != -1 && (id < 1 || id > b->n)) {
		weir_seterr(err, errsz, "no broker %d (there are 1 to %d)", id,
		    b->n);
		return WEIR_FAIL_USAGE;
	}
	e = up ? rd_kafka_mock_broker_set_up(b->mc, id) :
	    rd_kafka_mock_broker_set_down(b->mc, id);
	if (e) {
		weir_seterr(err, errsz, "broker %d: %s", id, rd_kafka_err2str(e));
		return WEIR_FAIL_IO;
	}
	return 0;
}

weir_broker *
weir_broker_new(int n, char *err, size_t errsz)
{
	weir_broker *b;
	rd_kafka_conf_t *conf;
	const char *boot, *p;
	char es[512];
	int i;

	if (n < 1 || n > MAX_BROKERS) {
		weir_seterr(err, errsz, "from 1 to %d brokers", MAX_BROKERS);
		return NULL;
	}
	if (weir__rdk_load(err, errsz) < 0)
		return NULL;
	if (!(b = calloc(1, sizeof(*b)))) {
		weir_seterr(err, errsz, "out of memory");
		return NULL;
	}
	b->n = n;
	b->lfd = b->cfd = b->cwfd = b->stop[0] = b->stop[1] = -1;
	pthread_mutex_init(&b->mu, NULL);
	/* The handle the mock cluster keeps its books in; it serves nothing
	 * itself.  Its own logging stays quiet unless something breaks. */
	conf = rd_kafka_conf_new();
	if (rd_kafka_conf_set(conf, "log_level", "3", es, sizeof(es)) !=
	    RD_KAFKA_CONF_OK || !(b->rk = rd_kafka_new(RD_KAFKA_PRODUCER, conf,
	    es, sizeof(es)))) {
		weir_seterr(err, errsz, "cannot create the cluster handle: %s",
		    es);
		free(b);
		return NULL;
	}
	if (!(b->mc = rd_kafka_mock_cluster_new(b->rk, n))) {
		weir_seterr(err, errsz, "cannot start the mock cluster");
		weir_broker_free(b);
		return NULL;
	}
	boot = rd_kafka_mock_cluster_bootstraps(b->mc);
	for (i = 0, p = boot; i < n && p; i++) {
		const char *colon = strchr(p, ':');
		b->ports[i] = colon ? atoi(colon + 1) : 0;
		if ((p = strchr(p, ',')))
			p++;
	}
	return b;
}

int
weir_broker_topic(weir_broker *b, const char *name, int partitions,
    char *err, size_t errsz)
{
	rd_kafka_resp_err_t e;

	e = rd_kafka_mock_topic_create(b->mc, name, partitions,
	    b->n < 3 ? b->n : 3);
	if (e) {
		weir_seterr(err, errsz, "topic %s: %s", name, rd_kafka_err2str(e));
		return WEIR_FAIL_IO;
	}
	return 0;
}

const char *
weir_broker_bootstraps(const weir_broker *b)
{
	return b->boot[0] ? b->boot : rd_kafka_mock_cluster_bootstraps(b->mc);
}

/* --- the forwarder ------------------------------------------------- */

static int
loopback_connect(int port)
{
	struct sockaddr_in sin;
	int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);

	if (fd < 0)
		return -1;
	memset(&sin, 0, sizeof(sin));
	sin.sin_family = AF_INET;
	sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	sin.sin_port = htons((uint16_t)port);
	if (connect(fd, (struct sockaddr *)&sin, sizeof(sin)) < 0) {
		close(fd);
		return -1;
	}
	return fd;
}

static void
tune(int fd)
{
	int on = 1;

	(void)setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &on, sizeof(on));
	(void)fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK);
}

/* Bytes read from one side and not yet written to the other. */
struct pipe_buf {
	char *p;
	size_t off, len;
};

/* Read from 'from' into an empty pb: 1 ok or nothing yet, 0 the end. */
static int
relay_read(int from, struct pipe_buf *pb)
{
	ssize_t k = read(from, pb->p, RELAY_BUF);

	if (k > 0) {
		pb->off = 0;
		pb->len = (size_t)k;
		return 1;
	}
	return k < 0 && (errno == EAGAIN || errno == EINTR) ? 1 : 0;
}

/* Write what pb holds to 'to': 1 ok or not yet, 0 the end. */
static int
relay_write(int to, struct pipe_buf *pb)
{
	ssize_t k = send(to, pb->p + pb->off, pb->len - pb->off, MSG_NOSIGNAL);

	if (k < 0)
		return errno == EAGAIN || errno == EINTR ? 1 : 0;
	pb->off += (size_t)k;
	if (pb->off == pb->len)
		pb->off = pb->len = 0;
	return 1;
}

/*
 * Pass bytes both ways until either side closes (Kafka connections do not
 * half-close) or the forwarder stops.  One side is read only when what it
 * sent before is written, so a slow reader slows its writer and nothing
 * grows.
 */
static void *
relay_main(void *arg)
{
	struct relay *r = arg;
	struct pipe_buf up = { 0 }, down = { 0 };	/* c->s, s->c */
	struct pollfd pf[3];
	int live = 1;

	up.p = malloc(RELAY_BUF);
	down.p = malloc(RELAY_BUF);
	if (!up.p || !down.p)
		live = 0;
	while (live) {
		pf[0].fd = r->c;
		pf[0].events = (up.len ? 0 : POLLIN) | (down.len ? POLLOUT : 0);
		pf[1].fd = r->s;
		pf[1].events = (down.len ? 0 : POLLIN) | (up.len ? POLLOUT : 0);
		pf[2].fd = r->stopfd;
		pf[2].events = POLLIN;
		if (poll(pf, 3, -1) < 0) {
			if (errno == EINTR)
				continue;
			break;
		}
		if (pf[2].revents)
			break;
		if ((pf[0].revents & POLLOUT) && !relay_write(r->c, &down))
			live = 0;
		if ((pf[1].revents & POLLOUT) && !relay_write(r->s, &up))
			live = 0;
		if ((pf[0].revents & (POLLIN | POLLHUP | POLLERR)) && !up.len &&
		    !relay_read(r->c, &up))
			live = 0;
		if ((pf[1].revents & (POLLIN | POLLHUP | POLLERR)) &&
		    !down.len && !relay_read(r->s, &down))
			live = 0;
		if ((pf[0].revents | pf[1].revents) & POLLNVAL)
			live = 0;
	}
	free(up.p);
	free(down.p);
	close(r->c);
	close(r->s);
	pthread_mutex_lock(r->mu);
	r->done = 1;
	pthread_mutex_unlock(r->mu);
	return NULL;
}

/* Join and free relays that ended (all of them when all is set). */
static void
reap(weir_broker *b, int all)
{
	struct relay **pp = &b->relays, *r;

	pthread_mutex_lock(&b->mu);
	while ((r = *pp)) {
		if (!all && !r->done) {
			pp = &r->next;
			continue;
		}
		*pp = r->next;
		pthread_mutex_unlock(&b->mu);
		pthread_join(r->th, NULL);
		free(r);
		pthread_mutex_lock(&b->mu);
	}
	pthread_mutex_unlock(&b->mu);
}

/* Connect to the first broker that accepts (a broker that is down
 * refuses), in id order. */
static int
broker_connect(weir_broker *b)
{
	int i, fd;

	for (i = 0; i < b->n; i++)
		if ((fd = loopback_connect(b->ports[i])) >= 0)
			return fd;
	return -1;
}

static void *
accept_main(void *arg)
{
	weir_broker *b = arg;
	struct pollfd pf[2];
	struct relay *r;
	int c, s;

	for (;;) {
		pf[0].fd = b->lfd;
		pf[0].events = POLLIN;
		pf[1].fd = b->stop[0];
		pf[1].events = POLLIN;
		if (poll(pf, 2, -1) < 0 && errno != EINTR)
			break;
		if (pf[1].revents)
			break;
		if (!(pf[0].revents & POLLIN))
			continue;
		reap(b, 0);
		if ((c = accept4(b->lfd, NULL, NULL, SOCK_CLOEXEC)) < 0)
			continue;
		if ((s = broker_connect(b)) < 0 || !(r = calloc(1, sizeof(*r)))) {
			if (s >= 0)
				close(s);
			close(c);	/* every broker down: refused, as theirs */
			continue;
		}
		tune(c);
		tune(s);
		r->c = c;
		r->s = s;
		r->stopfd = b->stop[0];
		r->mu = &b->mu;
		if (pthread_create(&r->th, NULL, relay_main, r)) {
			close(c);
			close(s);
			free(r);
			continue;
		}
		pthread_mutex_lock(&b->mu);
		r->next = b->relays;
		b->relays = r;
		pthread_mutex_unlock(&b->mu);
	}
	return NULL;
}

int
weir_broker_listen(weir_broker *b, int port, char *err, size_t errsz)
{
	struct sockaddr_in sin;
	int on = 1;

	if (b->lfd >= 0) {
		weir_seterr(err, errsz, "already listening on %s", b->boot);
		return WEIR_FAIL_USAGE;
	}
	if (port < 1 || port > 65535) {
		weir_seterr(err, errsz, "port %d: want 1 to 65535", port);
		return WEIR_FAIL_USAGE;
	}
	memset(&sin, 0, sizeof(sin));
	sin.sin_family = AF_INET;
	sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	sin.sin_port = htons((uint16_t)port);
	if ((b->lfd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0)) < 0 ||
	    setsockopt(b->lfd, SOL_SOCKET, SO_REUSEADDR, &on, sizeof(on)) < 0 ||
	    bind(b->lfd, (struct sockaddr *)&sin, sizeof(sin)) < 0 ||
	    listen(b->lfd, 64) < 0) {
		weir_seterr(err, errsz, "127.0.0.1:%d: %s", port,
		    strerror(errno));
		goto fail;
	}
	if (pipe2(b->stop, O_CLOEXEC) < 0) {
		weir_seterr(err, errsz, "pipe: %s", strerror(errno));
		goto fail;
	}
	if ((errno = pthread_create(&b->acc, NULL, accept_main, b))) {
		weir_seterr(err, errsz, "forwarder thread: %s", strerror(errno));
		goto fail;
	}
	b->accepting = 1;
	snprintf(b->boot, sizeof(b->boot), "127.0.0.1:%d", port);
	return 0;
fail:
	if (b->lfd >= 0)
		close(b->lfd);
	b->lfd = -1;
	return WEIR_FAIL_IO;
}

/* --- the control FIFO ---------------------------------------------- */

int
weir_broker_control_open(weir_broker *b, const char *path, char *err,
    size_t errsz)
{
	struct stat st;

	if (mkfifo(path, 0600) == 0)
		b->cmade = 1;
	else if (errno != EEXIST) {
		weir_seterr(err, errsz, "%s: %s", path, strerror(errno));
		return WEIR_FAIL_IO;
	}
	if (stat(path, &st) < 0) {
		weir_seterr(err, errsz, "%s: %s", path, strerror(errno));
		return WEIR_FAIL_IO;
	}
	if (!S_ISFIFO(st.st_mode)) {
		weir_seterr(err, errsz, "%s exists and is not a FIFO", path);
		return WEIR_FAIL_USAGE;
	}
	/* Our own writer keeps the FIFO from reading end of file between
	 * the writers that come and go. */
	if ((b->cfd = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC)) < 0 ||
	    (b->cwfd = open(path, O_WRONLY | O_CLOEXEC)) < 0 ||
	    !(b->cpath = strdup(path))) {
		weir_seterr(err, errsz, "%s: %s", path, strerror(errno ? errno :
		    ENOMEM));
		if (b->cmade)
			unlink(path);
		b->cmade = 0;
		return WEIR_FAIL_IO;
	}
	return 0;
}

int
weir_broker_command(weir_broker *b, const char *line, char *msg,
    size_t msgsz)
{
	char *copy = strdup(line), *w[5], sub[WEIR_ERRSZ];
	weir_broker_fault f;
	long long id;
	int nw, rc = WEIR_FAIL_USAGE;

	if (!copy) {
		weir_seterr(msg, msgsz, "%s: out of memory", line);
		return WEIR_FAIL_NOMEM;
	}
	nw = split(copy, " \t:", 1, w, 4);
	if (nw < 1) {
		weir_seterr(msg, msgsz, "empty line");
	} else if (!strcmp(w[0], "fail")) {
		if (fault_words(w + 1, nw - 1, &f, sub, sizeof(sub)) < 0)
			weir_seterr(msg, msgsz, "%s: %s", line, sub);
		else {
			weir_broker_fail(b, &f);
			weir_seterr(msg, msgsz, "%s: the next %d %s request%s "
			    "fail with %s", line, f.count, api_name(f.api),
			    f.count == 1 ? "" : "s",
			    rd_kafka_err2name((rd_kafka_resp_err_t)f.error));
			rc = 0;
		}
	} else if (!strcmp(w[0], "clear") && nw == 2) {
		if (api_parse(w[1], &f.api, sub, sizeof(sub)) < 0)
			weir_seterr(msg, msgsz, "%s: %s", line, sub);
		else {
			rd_kafka_mock_clear_request_errors(b->mc,
			    (int16_t)f.api);
			weir_seterr(msg, msgsz, "%s: no more faults for %s", line,
			    api_name(f.api));
			rc = 0;
		}
	} else if ((!strcmp(w[0], "down") || !strcmp(w[0], "up")) && nw == 2) {
		int up = w[0][0] == 'u';
		if (!strcmp(w[1], "all"))
			id = -1;
		else if (num(w[1], 0, INT_MAX, &id) < 0)
			id = 0;
		if ((rc = weir_broker_set_up(b, (int)id, up, sub,
		    sizeof(sub))) < 0)
			weir_seterr(msg, msgsz, "%s: %s", line, sub);
		else {
			if (id == -1)
				weir_seterr(msg, msgsz, "%s: all brokers are %s",
				    line, w[0]);
			else
				weir_seterr(msg, msgsz, "%s: broker %d is %s",
				    line, (int)id, w[0]);
			rc = 0;
		}
	} else
		weir_seterr(msg, msgsz, "%s: unknown command (fail API ERROR "
		    "[COUNT], clear API, down ID|all, up ID|all)", line);
	free(copy);
	return rc;
}

/* Carry out the complete lines in cbuf, keep a partial one. */
static void
control_lines(weir_broker *b, void (*note)(const char *))
{
	char msg[WEIR_ERRSZ], *start = b->cbuf, *nl;
	char *end = b->cbuf + b->clen;

	while ((nl = memchr(start, '\n', (size_t)(end - start)))) {
		*nl = '\0';
		if (b->cskip)
			b->cskip = 0;
		else {
			char *l = start + strspn(start, " \t\r");
			size_t k = strlen(l);
			while (k && isspace((unsigned char)l[k - 1]))
				l[--k] = '\0';
			if (*l && *l != '#') {
				weir_broker_command(b, l, msg, sizeof(msg));
				note(msg);
			}
		}
		start = nl + 1;
	}
	b->clen = (size_t)(end - start);
	memmove(b->cbuf, start, b->clen);
	if (b->clen == sizeof(b->cbuf)) {
		note("control line longer than 1023 bytes ignored");
		b->clen = 0;
		b->cskip = 1;
	}
}

int
weir_broker_control_serve(weir_broker *b, int timeout_ms,
    void (*note)(const char *msg), char *err, size_t errsz)
{
	struct pollfd pf;
	ssize_t k;

	if (b->cfd < 0) {
		if (timeout_ms > 0)
			(void)poll(NULL, 0, timeout_ms);
		return 0;
	}
	pf.fd = b->cfd;
	pf.events = POLLIN;
	if (poll(&pf, 1, timeout_ms) <= 0)
		return 0;	/* nothing, or a signal: the caller looks */
	for (;;) {
		k = read(b->cfd, b->cbuf + b->clen, sizeof(b->cbuf) - b->clen);
		if (k <= 0)
			break;
		b->clen += (size_t)k;
		control_lines(b, note);
	}
	if (k < 0 && errno != EAGAIN && errno != EINTR) {
		weir_seterr(err, errsz, "%s: %s", b->cpath, strerror(errno));
		return WEIR_FAIL_IO;
	}
	return 0;
}

void
weir_broker_free(weir_broker *b)
{
	if (!b)
		return;
	if (b->accepting) {
		(void)!write(b->stop[1], "x", 1);
		pthread_join(b->acc, NULL);
		reap(b, 1);
	}
	if (b->lfd >= 0)
		close(b->lfd);
	if (b->stop[0] >= 0) {
		close(b->stop[0]);
		close(b->stop[1]);
	}
	if (b->cfd >= 0)
		close(b->cfd);
	if (b->cwfd >= 0)
		close(b->cwfd);
	if (b->cmade)
		unlink(b->cpath);
	free(b->cpath);
	if (b->mc)
		rd_kafka_mock_cluster_destroy(b->mc);
	if (b->rk)
		rd_kafka_destroy(b->rk);
	pthread_mutex_destroy(&b->mu);
	free(b);
}
