/*
 * http.c - listening sockets and libmicrohttpd daemons for weir's HTTP
 * servers (metrics.c, dash.c).
 */
#include "http.h"

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/socket.h>
#include <unistd.h>

#include "dl.h"

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

int
weir_http_resolve(struct addrinfo **out, const char *addr, int passive,
    char *host, size_t hostsz, char *err, size_t errsz)
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
			return WEIR_FAIL_USAGE;
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
		return WEIR_FAIL_USAGE;
	}
	memset(&hints, 0, sizeof(hints));
	hints.ai_family = AF_UNSPEC;
	hints.ai_socktype = SOCK_STREAM;
	hints.ai_flags = (passive ? AI_PASSIVE : 0) | AI_NUMERICSERV;
	if ((rc = getaddrinfo(host, port, &hints, &res)) != 0) {
		weir_seterr(err, errsz, "%s: %s", host, gai_strerror(rc));
		return WEIR_FAIL_IO;
	}
	*out = res;
	return 0;
}

int
weir_http_listen(const char *addr, int public, const char *public_opt,
    int backlog, int *port, char *err, size_t errsz)
{
	struct addrinfo *res;
	char host[256];
	int fd = -1, one = 1, rc;
	struct sockaddr_storage ss;
	socklen_t sl = sizeof(ss);

	if ((rc = weir_http_resolve(&res, addr, 1, host, sizeof(host), err,
	    errsz)) < 0)
		return rc;
	if (!loopback(res->ai_addr) && !public) {
		weir_seterr(err, errsz, "%s is not a loopback address: served "
		    "beyond this host only with %s", host, public_opt);
		freeaddrinfo(res);
		return WEIR_FAIL_USAGE;
	}
	fd = socket(res->ai_family, res->ai_socktype | SOCK_CLOEXEC |
	    SOCK_NONBLOCK, 0);
	if (fd < 0 || setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one,
	    sizeof(one)) < 0 || bind(fd, res->ai_addr, res->ai_addrlen) < 0 ||
	    listen(fd, backlog) < 0 ||
	    getsockname(fd, (struct sockaddr *)&ss, &sl) < 0) {
		weir_seterr(err, errsz, "listen on %s: %s", addr,
		    strerror(errno));
		if (fd >= 0)
			close(fd);
		freeaddrinfo(res);
		return WEIR_FAIL_IO;
	}
	freeaddrinfo(res);
	*port = ntohs(ss.ss_family == AF_INET6 ?
	    ((struct sockaddr_in6 *)&ss)->sin6_port :
	    ((struct sockaddr_in *)&ss)->sin_port);
	return fd;
}

weir_mhd_api weir_mhd;

static int
mhd_load(char *err, size_t errsz)
{
	const weir_dl_sym syms[] = {
		{ "MHD_start_daemon", &weir_mhd.start_daemon },
		{ "MHD_stop_daemon", &weir_mhd.stop_daemon },
		{ "MHD_create_response_from_buffer",
		    &weir_mhd.create_response_from_buffer },
		{ "MHD_create_response_from_callback",
		    &weir_mhd.create_response_from_callback },
		{ "MHD_add_response_header", &weir_mhd.add_response_header },
		{ "MHD_queue_response", &weir_mhd.queue_response },
		{ "MHD_destroy_response", &weir_mhd.destroy_response },
		{ "MHD_lookup_connection_value",
		    &weir_mhd.lookup_connection_value },
		{ "MHD_set_connection_option",
		    &weir_mhd.set_connection_option },
		{ "MHD_suspend_connection", &weir_mhd.suspend_connection },
		{ "MHD_resume_connection", &weir_mhd.resume_connection },
	};

	return weir_dl_load("libmicrohttpd.so.12", syms,
	    sizeof(syms) / sizeof(*syms), err, errsz);
}

struct MHD_Daemon *
weir_http_start(int fd, unsigned int flags, MHD_AccessHandlerCallback fn,
    void *cls, unsigned int max_conn, unsigned int timeout, char *err,
    size_t errsz)
{
	static weir_dl_once mhd = WEIR_DL_ONCE(mhd_load);
	struct MHD_Daemon *d;
	sigset_t all, old;

	if (weir_dl_once_load(&mhd, err, errsz) < 0)
		return NULL;
	/* the server's thread takes no signals: they are the caller's */
	sigfillset(&all);
	pthread_sigmask(SIG_SETMASK, &all, &old);
	d = weir_mhd.start_daemon(MHD_USE_INTERNAL_POLLING_THREAD |
	    MHD_USE_AUTO | flags, 0, NULL, NULL, fn, cls,
	    MHD_OPTION_LISTEN_SOCKET, (MHD_socket)fd,
	    MHD_OPTION_CONNECTION_LIMIT, max_conn,
	    MHD_OPTION_CONNECTION_TIMEOUT, timeout,
	    MHD_OPTION_END);
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	if (!d)
		weir_seterr(err, errsz, "cannot start the HTTP server");
	return d;
}

enum MHD_Result
weir_http_reply(struct MHD_Connection *conn, unsigned int code,
    const char *ctype, const void *body, size_t n)
{
	struct MHD_Response *r;
	enum MHD_Result rc;

	r = weir_mhd.create_response_from_buffer(n, (void *)body,
	    MHD_RESPMEM_MUST_COPY);
	if (!r)
		return MHD_NO;
	if (weir_mhd.add_response_header(r, MHD_HTTP_HEADER_CONTENT_TYPE, ctype) ==
	    MHD_NO) {
		weir_mhd.destroy_response(r);
		return MHD_NO;
	}
	rc = weir_mhd.queue_response(conn, code, r);
	weir_mhd.destroy_response(r);
	return rc;
}

int
weir_http_wants_html(struct MHD_Connection *conn)
{
	const char *a = weir_mhd.lookup_connection_value(conn, MHD_HEADER_KIND,
	    MHD_HTTP_HEADER_ACCEPT);

	return a && !strncmp(a, "text/html", 9);
}
