/*
 * metrics.h - Prometheus text exposition at /metrics for weir-run.
 *
 * weir_metrics_listen() opens a listening TCP socket served by
 * libmicrohttpd in a thread of its own, which takes no signals.  That
 * thread only copies out what the caller last published with
 * weir_metrics_publish() (under a mutex), so no client, however slow or
 * however many, can hold up the caller: the supervision loop renders
 * (weir_metrics_render(), weir_sv_table()) and publishes, the server
 * serves.  At most WEIR_METRICS_MAX_CONN connections at once; one idle
 * for WEIR_METRICS_TIMEOUT seconds is closed.
 */
#ifndef WEIR_METRICS_H
#define WEIR_METRICS_H

#include "stats.h"

typedef struct weir_metrics weir_metrics;

#define WEIR_METRICS_MAX_CONN 32
#define WEIR_METRICS_TIMEOUT 5		/* seconds */

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
 * is set.  0 and *out, or a WEIR_FAIL_* kind with err set.
 */
int weir_metrics_listen(weir_metrics **out, const char *addr, int public,
    char *err, size_t errsz);
/* The port actually bound (useful with port 0). */
int weir_metrics_port(const weir_metrics *m);
/* Replace the body served at path ("/metrics", "/status" or
 * "/status.html"; copied).  /status is the text table; a client whose
 * Accept header puts text/html first gets /status.html there instead.
 * Until a path is published it answers 503.  0, WEIR_FAIL_USAGE for
 * another path, WEIR_FAIL_NOMEM. */
int weir_metrics_publish(weir_metrics *m, const char *path,
    const weir_buf *body);
/* Stop the server (its thread ends) and free. */
void weir_metrics_close(weir_metrics *m);
/* The client side: GET path from a weir-run at addr into body: 0, or
 * with a message WEIR_FAIL_USAGE (addr is not [HOST:]PORT), WEIR_FAIL_IO
 * (no connection, not a 200 answer) or WEIR_FAIL_NOMEM. */
int weir_metrics_get(const char *addr, const char *path, weir_buf *body,
    char *err, size_t errsz);

/* What every build has, for weir_build_info (the libraries are not
 * optional). */
#define WEIR_METRICS_FEATURES "kafka,checkpoint,metrics,yaml"

/* Render the exposition text for a pipeline into out; now_ms (wall
 * clock) for the watermark lag. */
int weir_metrics_render(weir_buf *out, const char *pipeline,
    const weir_metric_stage *st, int n, uint64_t pipeline_restarts,
    int64_t started_ms, int64_t now_ms);

/* The same as an HTML page (/status.html, and /status for a browser):
 * stages, records and records/s, watermark and its lag, restarts. */
int weir_metrics_render_html(weir_buf *out, const char *pipeline,
    const weir_metric_stage *st, int n, uint64_t pipeline_restarts,
    int64_t started_ms, int64_t now_ms);

#endif
