/*
 * http.h - the HTTP layer shared by weir-run's metrics server and
 * weir-sink's dashboard: a listening socket on [HOST:]PORT, loopback
 * unless asked otherwise, served by libmicrohttpd in a thread of its own
 * that takes no signals (they stay the program's).
 */
#ifndef WEIR_HTTP_H
#define WEIR_HTTP_H

#include <microhttpd.h>
#include <netdb.h>

#include "util.h"

/*
 * Listen on addr ("PORT", "HOST:PORT" or "[V6]:PORT"; a bare port is
 * 127.0.0.1).  An address that is not loopback is refused unless public
 * is set; the message then names public_opt.  Returns the socket (non
 * blocking, close-on-exec) and its port in *port, or with err set
 * WEIR_FAIL_USAGE (a bad or refused address) or WEIR_FAIL_IO.
 */
int weir_http_listen(const char *addr, int public, const char *public_opt,
    int backlog, int *port, char *err, size_t errsz);
/* "PORT", "HOST:PORT", "[V6]:PORT" -> getaddrinfo results in *out (host
 * filled): 0, WEIR_FAIL_USAGE (not such an address) or WEIR_FAIL_IO. */
int weir_http_resolve(struct addrinfo **out, const char *addr, int passive,
    char *host, size_t hostsz, char *err, size_t errsz);
/*
 * libmicrohttpd's functions, loaded (dl.h) by weir_http_start, so that a
 * program that serves nothing does not load it and its libraries: the
 * server's callbacks use them through weir_mhd.
 */
typedef struct weir_mhd_api {
	struct MHD_Daemon *(*start_daemon)(unsigned int, uint16_t,
	    MHD_AcceptPolicyCallback, void *, MHD_AccessHandlerCallback,
	    void *, ...);
	void (*stop_daemon)(struct MHD_Daemon *);
	struct MHD_Response *(*create_response_from_buffer)(size_t, void *,
	    enum MHD_ResponseMemoryMode);
	struct MHD_Response *(*create_response_from_callback)(uint64_t,
	    size_t, MHD_ContentReaderCallback, void *,
	    MHD_ContentReaderFreeCallback);
	enum MHD_Result (*add_response_header)(struct MHD_Response *,
	    const char *, const char *);
	enum MHD_Result (*queue_response)(struct MHD_Connection *,
	    unsigned int, struct MHD_Response *);
	void (*destroy_response)(struct MHD_Response *);
	const char *(*lookup_connection_value)(struct MHD_Connection *,
	    enum MHD_ValueKind, const char *);
	enum MHD_Result (*set_connection_option)(struct MHD_Connection *,
	    enum MHD_CONNECTION_OPTION, ...);
	void (*suspend_connection)(struct MHD_Connection *);
	void (*resume_connection)(struct MHD_Connection *);
} weir_mhd_api;
extern weir_mhd_api weir_mhd;

/* Start libmicrohttpd (loading it the first time) on the socket fd with
 * these extra flags, at most max_conn connections, timeout seconds of
 * idleness each: the daemon, or NULL with a message (the caller still
 * owns fd then). */
struct MHD_Daemon *weir_http_start(int fd, unsigned int flags,
    MHD_AccessHandlerCallback fn, void *cls, unsigned int max_conn,
    unsigned int timeout, char *err, size_t errsz);
/* Queue a copy of body with this status and content type. */
enum MHD_Result weir_http_reply(struct MHD_Connection *conn,
    unsigned int code, const char *ctype, const void *body, size_t n);
/* 1 when the request's Accept header asks for HTML first (a browser). */
int weir_http_wants_html(struct MHD_Connection *conn);

#endif
