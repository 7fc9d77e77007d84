/*
 * metrics.h - Prometheus text exposition at /metrics for weir-run.
 *
 * weir_metrics_listen() opens a listening TCP socket; the caller polls
 * weir_metrics_fd() and calls weir_metrics_serve() when it is readable,
 * with the body built by weir_metrics_render().  Requests are tiny and
 * answered at once; one that does not arrive within 500 ms is dropped.
 */
#ifndef WEIR_METRICS_H
#define WEIR_METRICS_H

#include "stats.h"

typedef struct weir_metrics weir_metrics;

/* One stage's view, for rendering. */
typedef struct weir_metric_stage {
	const char *name;
	int up;			/* 1 while its process runs */
	uint64_t restarts;	/* times this stage's process was restarted */
	weir_stats st;		/* totals over every run of the stage */
	double rate_in, rate_out;	/* records/s, last interval */
} weir_metric_stage;

/*
 * addr: "PORT", "HOST:PORT" or "[V6]:PORT".  A bare port listens on
 * 127.0.0.1.  An address that is not loopback is refused unless public
 * is set.  NULL with err set on failure.
 */
weir_metrics *weir_metrics_listen(const char *addr, int public, char *err,
    size_t errsz);
int weir_metrics_fd(const weir_metrics *m);
/* The port actually bound (useful with port 0). */
int weir_metrics_port(const weir_metrics *m);
/* Builds the body for a path ("/metrics", "/status"); returns 0, or -1
 * for a path it does not serve (404). */
typedef int (*weir_metrics_page)(void *arg, const char *path, weir_buf *out);
/* Accept and answer one request; -1 with err set on an accept failure
 * (a client that misbehaves is not an error). */
int weir_metrics_serve(weir_metrics *m, weir_metrics_page page, void *arg,
    char *err, size_t errsz);
void weir_metrics_close(weir_metrics *m);
/* The client side: GET path from a weir-run at addr into body. */
int weir_metrics_get(const char *addr, const char *path, weir_buf *body,
    char *err, size_t errsz);

/* Render the exposition text for a pipeline into out. */
int weir_metrics_render(weir_buf *out, const char *pipeline,
    const weir_metric_stage *st, int n, uint64_t pipeline_restarts,
    int64_t started_ms);

#endif
