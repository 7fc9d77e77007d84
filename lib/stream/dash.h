/*
 * dash.h - the live dashboard of weir-sink -f dashboard.
 *
 * A libmicrohttpd thread serves GET / (one self-contained page, built
 * into the program) and GET /events (Server-Sent Events).  The sink's
 * thread hands every record and watermark to weir_dash_record() and
 * weir_dash_watermark(): each becomes an event with an id in a ring of
 * WEIR_DASH_BUFFER events, and rows also update the state a new client's
 * snapshot is made from (the latest row per window and group, for the
 * last N windows).  A client is a cursor into the ring: its backlog is
 * bounded by the ring, and a client the ring overtakes is disconnected
 * (it reconnects and gets a snapshot).  The sink never waits for a
 * client: it takes a mutex that clients hold only to copy.
 */
#ifndef WEIR_DASH_H
#define WEIR_DASH_H

#include "frame.h"

typedef struct weir_dash weir_dash;

#define WEIR_DASH_BUFFER 16384		/* events in the ring */
#define WEIR_DASH_WINDOWS 10		/* windows in a snapshot */
#define WEIR_DASH_MAX_CLIENTS 256
#define WEIR_DASH_STALL 10		/* seconds a client may take nothing */

typedef struct weir_dash_opts {
	const char *listen;	/* [HOST:]PORT, loopback unless public */
	int public;
	const char *chart;	/* the chart's field (NULL: the page picks) */
	const char *key;	/* group by this path (NULL: the record key) */
	int windows;		/* N */
	size_t buffer;		/* events in the ring */
	int max_clients;
} weir_dash_opts;

void weir_dash_opts_init(weir_dash_opts *o);
/* 0 and *out, or a WEIR_FAIL_* kind with err (WEIR_FAIL_USAGE: a bad
 * option or address). */
int weir_dash_open(weir_dash **out, const weir_dash_opts *o, char *err,
    size_t errsz);
int weir_dash_port(const weir_dash *d);
/* A row; 0 or WEIR_FAIL_NOMEM. */
int weir_dash_record(weir_dash *d, const weir_record *r);
void weir_dash_watermark(weir_dash *d, int64_t wm);
/* The input is quiet: send what was held back (a coalesced watermark). */
void weir_dash_idle(void *d);
/* The stream's END: every row is final. */
void weir_dash_end(weir_dash *d);
/* Clients disconnected for being too slow, so far. */
uint64_t weir_dash_dropped(weir_dash *d);
void weir_dash_close(weir_dash *d);

#endif
