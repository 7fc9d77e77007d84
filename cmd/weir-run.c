/*
 * weir-run - run a YAML pipeline of weir programs, supervised: restarts
 * with backoff, drains on SIGTERM, talks to systemd, serves metrics.
 * The work is in lib/pipeline (file), lib/supervise (processes),
 * lib/notify (systemd), lib/metrics (HTTP) and lib/stats (counters);
 * this file holds the options, the main loop and the exit policy.
 */
#include <errno.h>
#include <getopt.h>
#include <libgen.h>
#include <limits.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "cli.h"
#include "dur.h"
#include "io.h"
#include "metrics.h"
#include "notify.h"
#include "pipeline.h"
#include "snap.h"
#include "supervise.h"

static const char usage[] =
"usage: weir-run [options] PIPELINE.yaml\n"
"       weir-run --check PIPELINE.yaml...\n"
"       weir-run --dot PIPELINE.yaml\n"
"       weir-run --status [HOST:]PORT\n"
"\n"
"Run a pipeline of weir programs described in YAML (weir-pipeline(5)).\n"
"\n"
"      --check             validate only: every problem as FILE:LINE:COL\n"
"      --dot               print the pipeline graph in Graphviz dot\n"
"      --metrics [HOST:]PORT  serve Prometheus metrics at /metrics (and a\n"
"                          table at /status); loopback unless\n"
"      --metrics-public    allows a non-loopback HOST\n"
"      --stop-timeout DUR  on stop, kill stages still running after DUR\n"
"                          (default 10s)\n"
"      --status [HOST:]PORT  print the stage table of a running weir-run\n"
"                          (started with --metrics)\n"
"      --reset-state       with checkpoint: forget the saved state and\n"
"                          start the pipeline over\n"
"  -q, --quiet             do not log restarts and stage exits\n"
"  -h, --help              this help\n"
"      --version           print the version\n"
"\n"
"SIGTERM/SIGINT stop the sources and let END drain the pipeline; a second\n"
"signal kills at once.  SIGHUP re-reads the pipeline file: drains the\n"
"running pipeline and starts the new one (an invalid file is refused).\n"
"SIGUSR1 prints the stage table on stderr.\n"
"Exit status: 0 ok, 1 a stage failed a check, 2 usage or pipeline error,\n"
"3 a stage failed (I/O) or too many restarts.  See weir-run(1).\n";

enum { O_CHECK = 256, O_DOT, O_METRICS, O_PUBLIC, O_STOPTO, O_STATUS,
	O_VERSION, O_RESET };

static const struct option longopts[] = {
	{ "check", no_argument, NULL, O_CHECK },
	{ "dot", no_argument, NULL, O_DOT },
	{ "metrics", required_argument, NULL, O_METRICS },
	{ "metrics-public", no_argument, NULL, O_PUBLIC },
	{ "stop-timeout", required_argument, NULL, O_STOPTO },
	{ "status", required_argument, NULL, O_STATUS },
	{ "reset-state", no_argument, NULL, O_RESET },
	{ "quiet", no_argument, NULL, 'q' },
	{ "help", no_argument, NULL, 'h' },
	{ "version", no_argument, NULL, O_VERSION },
	{ NULL, 0, NULL, 0 }
};

enum { RUNNING, FAILING, DRAINING, BACKOFF, RELOADING };

#define PUBLISH_MS 250	/* the metrics pages are at most this old */

static volatile sig_atomic_t got_stop, got_chld, got_usr1, got_hup;

static struct {
	weir_pipeline *pl;
	weir_pipeline *next;	/* reloaded, to start once pl has drained */
	const char *path;	/* the pipeline file, re-read on SIGHUP */
	weir_pl_opts opts;
	int lockfd;		/* the checkpoint directory's lock, -1 */
	int ready_due;		/* READY=1 at the next start */
	int stopping_sent;
	weir_sv sv;
	weir_notify nt;
	weir_metrics *mx;
	int journal, quiet, state;
	int64_t stop_timeout, kill_at, restart_at, run_started, started;
	int fail_stage, fail_status, drain_status, attempt, killed_any;
	int dirty;		/* the published pages are out of date */
	uint64_t restarts;
	int64_t *restart_times;	/* ring of the last restart_max + 1 */
	int nrt;
} R;

static void
on_signal(int sig)
{
	if (sig == SIGCHLD)
		got_chld = 1;
	else if (sig == SIGUSR1)
		got_usr1 = 1;
	else if (sig == SIGHUP)
		got_hup = 1;
	else
		got_stop++;
}

/* Our own messages, with an sd-daemon priority when stderr is the journal. */
static void logmsg(int prio, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

static void
logmsg(int prio, const char *fmt, ...)
{
	char buf[2048];
	va_list ap;
	int n = 0;

	if (R.journal)
		n = snprintf(buf, sizeof(buf), "<%d>", prio);
	n += snprintf(buf + n, sizeof(buf) - (size_t)n, "%s: ", weir_prog);
	va_start(ap, fmt);
	vsnprintf(buf + n, sizeof(buf) - (size_t)n - 1, fmt, ap);
	va_end(ap);
	n = (int)strlen(buf);
	buf[n++] = '\n';
	(void)weir_write_all(2, buf, (size_t)n);
}

/* A stage's stderr line, prefixed with its name. */
static void
on_line(void *arg, int i, const char *s, size_t n)
{
	weir_buf b = { 0 };
	int prio = 4;

	(void)arg;
	if (R.journal) {
		if (n >= 3 && s[0] == '<' && s[1] >= '0' && s[1] <= '7' &&
		    s[2] == '>') {
			prio = s[1] - '0';
			s += 3;
			n -= 3;
		} else if (memmem(s, n, "error", 5) || memmem(s, n, "fatal", 5))
			prio = 3;
		(void)weir_buf_printf(&b, "<%d>", prio);
	}
	(void)weir_buf_printf(&b, "%s: ", R.pl->stages[i].name);
	(void)weir_buf_put(&b, s, n);
	(void)weir_buf_putc(&b, '\n');
	if (b.p)
		(void)weir_write_all(2, b.p, b.len);
	weir_buf_free(&b);
}

/* $JOURNAL_STREAM is "DEV:INODE" of the journal stream on stderr. */
static int
stderr_is_journal(void)
{
	const char *j = getenv("JOURNAL_STREAM");
	unsigned long long dev, ino;
	struct stat st;

	if (!j || sscanf(j, "%llu:%llu", &dev, &ino) != 2 ||
	    fstat(2, &st) < 0)
		return 0;
	return (unsigned long long)st.st_dev == dev &&
	    (unsigned long long)st.st_ino == ino;
}

static void
notify(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

static void
notify(const char *fmt, ...)
{
	char buf[512], err[WEIR_ERRSZ];
	va_list ap;
	static int warned;

	va_start(ap, fmt);
	vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	if (weir_notify_send(&R.nt, buf, err, sizeof(err)) < 0 && !warned++)
		logmsg(4, "%s", err);
}

/* "12.5s", "3.0m", "2.1h", "400.2d" */
static void
age_fmt(char *buf, size_t sz, int64_t ms)
{
	double s = (double)ms / 1000.0;

	if (s < 120)
		snprintf(buf, sz, "%.1fs", s);
	else if (s < 7200)
		snprintf(buf, sz, "%.1fm", s / 60);
	else if (s < 172800)
		snprintf(buf, sz, "%.1fh", s / 3600);
	else
		snprintf(buf, sz, "%.1fd", s / 86400);
}

/*
 * The records/s written by the sources (the last stages of a windowed
 * pipeline read nothing until a window closes) and how far the output
 * is behind: wall clock minus the oldest watermark the last stages know.
 */
static void
status_notify(void)
{
	double rate = 0;
	int64_t wm = INT64_MAX, w;
	weir_stats t;
	char lag[64] = "", age[32];
	int i;

	for (i = 0; i < R.pl->nstages; i++) {
		if (weir_pipeline_is_source(R.pl, i))
			rate += R.sv.st[i].rate_out;
		if (R.pl->stages[i].nout)
			continue;
		weir_sv_totals(&R.sv, i, &t);
		w = t.wm_out != INT64_MIN ? t.wm_out : t.wm_in;
		if (w != INT64_MIN && w < wm)
			wm = w;
	}
	if (wm != INT64_MAX) {
		age_fmt(age, sizeof(age), weir_now_ms() - wm);
		snprintf(lag, sizeof(lag), ", watermark %s behind", age);
	}
	notify("STATUS=%s: %.0f records/s, %llu restart%s%s",
	    R.state == BACKOFF ? "restarting" : R.state == DRAINING ?
	    "stopping" : R.state == RELOADING ? "reloading" :
	    R.state == FAILING ? "stage failed" : "running", rate,
	    (unsigned long long)R.restarts, R.restarts == 1 ? "" : "s", lag);
}

/*
 * Render /metrics and /status and hand them to the metrics server's
 * thread, which serves nothing else: what clients see is this snapshot,
 * taken by the supervision loop, never the loop's own state.
 */
static void
publish(void)
{
	weir_metric_stage *ms;
	weir_buf b = { 0 };
	int i, rc;

	R.dirty = 0;
	if (!R.mx)
		return;
	ms = calloc((size_t)R.pl->nstages, sizeof(*ms));
	if (!ms)
		return;
	for (i = 0; i < R.pl->nstages; i++) {
		ms[i].name = R.pl->stages[i].name;
		ms[i].up = R.sv.st[i].pid != 0;
		ms[i].restarts = R.sv.st[i].restarts;
		weir_sv_totals(&R.sv, i, &ms[i].st);
		ms[i].rate_in = R.sv.st[i].rate_in;
		ms[i].rate_out = R.sv.st[i].rate_out;
	}
	rc = weir_metrics_render(&b, R.pl->name ? R.pl->name : "pipeline", ms,
	    R.pl->nstages, R.restarts, R.started, weir_now_ms());
	if (rc == 0)
		(void)weir_metrics_publish(R.mx, "/metrics", &b);
	b.len = 0;
	if (weir_metrics_render_html(&b, R.pl->name, ms, R.pl->nstages,
	    R.restarts, R.started, weir_now_ms()) == 0)
		(void)weir_metrics_publish(R.mx, "/status.html", &b);
	free(ms);
	b.len = 0;
	if (weir_sv_table(&R.sv, &b) == 0)
		(void)weir_metrics_publish(R.mx, "/status", &b);
	weir_buf_free(&b);
}

static const char *
stage_name(int i)
{
	static char buf[300];

	if (i >= 0)
		return R.pl->stages[i].name;
	snprintf(buf, sizeof(buf), "%s (tee)", R.pl->stages[-1 - i].name);
	return buf;
}

static void
on_exit_status(void *arg, int i, int status)
{
	char how[128];
	int src_termed;

	(void)arg;
	R.dirty = 1;
	if (!status)
		return;
	weir_sv_describe(status, how, sizeof(how));
	src_termed = i >= 0 && R.sv.st[i].termed && WIFSIGNALED(status) &&
	    (WTERMSIG(status) == SIGTERM || WTERMSIG(status) == SIGPIPE);
	switch (R.state) {
	case RUNNING:
		logmsg(3, "stage '%s' %s; stopping the pipeline", stage_name(i),
		    how);
		R.fail_stage = i;
		R.fail_status = status;
		R.state = FAILING;
		R.kill_at = weir_mono_ms() + R.stop_timeout;
		weir_sv_signal_all(&R.sv, SIGTERM);
		break;
	case DRAINING:
	case RELOADING:
		if (src_termed)
			break;
		if (R.state == DRAINING && !R.drain_status)
			R.drain_status = status;
		/* FALLTHROUGH */
	default:
		if (!src_termed && !R.quiet)
			logmsg(4, "stage '%s' %s", stage_name(i), how);
	}
}

static void
start_run(void)
{
	char err[WEIR_ERRSZ];
	int rc;

	if ((rc = weir_sv_start(&R.sv, err, sizeof(err))) < 0) {
		logmsg(3, "%s", err);
		exit(weir_fail_status(rc));
	}
	R.state = RUNNING;
	R.kill_at = INT64_MAX;	/* no stop deadline while running */
	R.run_started = weir_mono_ms();
	R.fail_stage = 0;
	R.fail_status = 0;
	R.dirty = 1;
	if (R.ready_due)
		notify("READY=1");	/* every stage has been exec'd */
	R.ready_due = 0;
	status_notify();
}

static void
stopping(void)
{
	if (!R.stopping_sent++)
		notify("STOPPING=1");
}

static _Noreturn void
finish(int code)
{
	stopping();
	weir_metrics_close(R.mx);
	exit(code);
}

/* The reloaded pipeline replaces the one that has ended, and starts. */
static void
swap_pipeline(void)
{
	char err[WEIR_ERRSZ];
	int64_t *rt;
	int rc;

	weir_sv_free(&R.sv);
	if (R.lockfd >= 0 && (!R.next->ckpt_dir || !R.pl->ckpt_dir ||
	    strcmp(R.next->ckpt_dir, R.pl->ckpt_dir))) {
		close(R.lockfd);	/* the new pipeline's is taken */
		R.lockfd = -1;
	}
	if (R.next->ckpt_dir && R.lockfd < 0 && weir_ckpt_lock_dir(
	    R.next->ckpt_dir, &R.lockfd, err, sizeof(err)) < 0)
		weir_die(WEIR_EXIT_IO, "checkpoint: %s", err);
	weir_pipeline_free(R.pl);
	R.pl = R.next;
	R.next = NULL;
	if ((rc = weir_sv_init(&R.sv, R.pl, err, sizeof(err))) < 0)
		weir_die_kind(rc, err);
	R.sv.line = on_line;
	rt = calloc((size_t)R.pl->restart_max + 1, sizeof(int64_t));
	if (!rt)
		weir_die(WEIR_EXIT_IO, "out of memory");
	free(R.restart_times);
	R.restart_times = rt;
	R.nrt = R.attempt = 0;
	R.ready_due = 1;
	if (!R.quiet)
		logmsg(6, "reloaded %s: starting %d stage%s", R.path,
		    R.pl->nstages, R.pl->nstages == 1 ? "" : "s");
	start_run();
}

/*
 * SIGHUP: re-read the pipeline file.  A file with errors is refused (its
 * problems logged as FILE:LINE:COL) and the running pipeline goes on;
 * otherwise the running pipeline is stopped as on SIGTERM (sources
 * first, END drains the rest) and the new one starts when every process
 * has ended (swap_pipeline).
 */
static void
reload(void)
{
	char err[WEIR_ERRSZ];
	weir_pipeline *pl;
	int fd = -1;

	if (R.state == DRAINING)
		return;		/* stopping anyway */
	if (!R.quiet)
		logmsg(6, "reloading %s", R.path);
	if (weir_pipeline_load(&pl, R.path, &R.opts, err, sizeof(err)) < 0) {
		logmsg(3, "reload refused: %s; the running pipeline goes on",
		    err);
		return;
	}
	if (pl->ndiag) {
		(void)weir_write_all(2, pl->diag.p, pl->diag.len);
		logmsg(3, "reload refused: %s has %d error%s; the running "
		    "pipeline goes on", R.path, pl->ndiag, pl->ndiag == 1 ?
		    "" : "s");
		weir_pipeline_free(pl);
		return;
	}
	/* a new state directory must be free before the old one is left */
	if (pl->ckpt_dir && (!R.pl->ckpt_dir ||
	    strcmp(pl->ckpt_dir, R.pl->ckpt_dir))) {
		if (weir_ckpt_lock_dir(pl->ckpt_dir, &fd, err,
		    sizeof(err)) < 0) {
			logmsg(3, "reload refused: checkpoint: %s; the running "
			    "pipeline goes on", err);
			weir_pipeline_free(pl);
			return;
		}
		close(fd);
	}
	if (R.next)
		weir_pipeline_free(R.next);	/* the newest file wins */
	R.next = pl;
	notify("RELOADING=1\nMONOTONIC_USEC=%lld",
	    (long long)weir_mono_ms() * 1000);
	R.dirty = 1;
	if (R.state == BACKOFF) {
		swap_pipeline();
		return;
	}
	if (!R.quiet)
		logmsg(6, "stopping the running pipeline: sources first, then "
		    "the rest drains to END");
	if (R.state == RUNNING) {
		weir_sv_signal_sources(&R.sv, SIGTERM);
		R.kill_at = weir_mono_ms() + R.stop_timeout;
	}
	R.state = RELOADING;
}

/* Every process has ended: decide between exit and restart. */
static void
all_ended(void)
{
	int64_t now = weir_mono_ms(), delay;
	int code, i, n;
	char per[32];

	if (R.next) {
		swap_pipeline();
		return;
	}

	if (R.state == DRAINING) {
		code = R.drain_status ? weir_sv_exit_code(R.drain_status) : 0;
		if (R.killed_any && !code)
			code = WEIR_EXIT_IO;
		if (!R.quiet)
			logmsg(6, "pipeline stopped%s", code ? " with errors" : "");
		finish(code);
	}
	if (R.state == RUNNING && R.pl->restart_policy != WEIR_RESTART_ALWAYS)
		finish(0);	/* every stage ended cleanly */
	code = R.state == FAILING ? weir_sv_exit_code(R.fail_status) : 0;
	if (code == WEIR_EXIT_USAGE) {
		logmsg(3, "stage '%s' reported a usage or configuration error "
		    "(status 2): not restarting", stage_name(R.fail_stage));
		finish(code);
	}
	if (R.pl->restart_policy == WEIR_RESTART_NEVER)
		finish(code);
	/* restarts within the period */
	R.restart_times[R.nrt++ % (R.pl->restart_max + 1)] = now;
	for (i = 0, n = 0; i < R.pl->restart_max + 1 && i < R.nrt; i++)
		if (now - R.restart_times[i] <= R.pl->restart_period)
			n++;
	weir_dur_fmt(per, sizeof(per), R.pl->restart_period);
	if (n > R.pl->restart_max) {
		logmsg(3, "giving up: more than %d restart%s within %s",
		    R.pl->restart_max, R.pl->restart_max == 1 ? "" : "s", per);
		finish(code ? code : WEIR_EXIT_IO);
	}
	if (now - R.run_started >= R.pl->restart_period)
		R.attempt = 0;
	delay = R.pl->backoff_min;
	for (i = 0; i < R.attempt && delay < R.pl->backoff_max; i++)
		delay *= 2;
	if (delay > R.pl->backoff_max)
		delay = R.pl->backoff_max;
	R.attempt++;
	R.restarts++;
	weir_dur_fmt(per, sizeof(per), delay);
	if (!R.quiet)
		logmsg(5, "restarting the pipeline in %s (restart %llu)", per,
		    (unsigned long long)R.restarts);
	R.state = BACKOFF;
	R.restart_at = now + delay;
	R.dirty = 1;
	status_notify();
}

static void
kill_stragglers(void)
{
	int i;

	for (i = 0; i < R.pl->nstages; i++)
		if (R.sv.st[i].pid)
			logmsg(3, "stage '%s' did not stop within the stop "
			    "timeout: killing it", R.pl->stages[i].name);
	R.killed_any = 1;
	weir_sv_signal_all(&R.sv, SIGKILL);
	R.kill_at = INT64_MAX;
}

static void
print_table(void)
{
	weir_buf b = { 0 };

	weir_sv_sample(&R.sv, weir_mono_ms());
	if (weir_sv_table(&R.sv, &b) == 0 && b.p)
		(void)weir_write_all(2, b.p, b.len);
	weir_buf_free(&b);
}

/*
 * The supervision loop.  Signals are taken only inside ppoll, so every
 * pass must be short: it reads what the stages said (bounded per pass,
 * lib/supervise), reaps, acts on signals and deadlines, and publishes
 * the metrics pages for the server's thread; it never talks to a metrics
 * client.  The systemd watchdog is pinged at the end of a pass, after
 * that work is done, and from nowhere else: a loop that is stuck stops
 * the pings and systemd acts.
 */
static _Noreturn void
run(void)
{
	struct pollfd pfd[1100];
	sigset_t block, empty;
	struct sigaction sa;
	int64_t now, next_sample = 0, next_publish = 0, next_wd = 0, wake;
	struct timespec ts;
	int n, i;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_signal;
	sigemptyset(&block);
	sigaddset(&block, SIGTERM);
	sigaddset(&block, SIGINT);
	sigaddset(&block, SIGHUP);
	sigaddset(&block, SIGUSR1);
	sigaddset(&block, SIGCHLD);
	sigprocmask(SIG_BLOCK, &block, NULL);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGHUP, &sa, NULL);
	sigaction(SIGUSR1, &sa, NULL);
	sigaction(SIGCHLD, &sa, NULL);
	signal(SIGPIPE, SIG_IGN);
	sigemptyset(&empty);
	R.started = weir_now_ms();
	start_run();
	for (;;) {
		now = weir_mono_ms();
		wake = now + 1000;
		if (R.state == BACKOFF && R.restart_at < wake)
			wake = R.restart_at;
		if (R.kill_at < wake)
			wake = R.kill_at;
		if (R.nt.watchdog_ms && next_wd < wake)
			wake = next_wd;
		if (R.mx && next_publish < wake)
			wake = next_publish;
		if (wake < now)
			wake = now;
		ts.tv_sec = (wake - now) / 1000;
		ts.tv_nsec = (long)((wake - now) % 1000) * 1000000L;
		n = weir_sv_pollfds(&R.sv, pfd, 1000);
		if (ppoll(pfd, (nfds_t)n, &ts, &empty) < 0 && errno != EINTR)
			weir_die(WEIR_EXIT_IO, "poll: %s", strerror(errno));
		weir_sv_io(&R.sv);
		if (got_chld) {
			got_chld = 0;
			weir_sv_reap(&R.sv, on_exit_status, NULL);
		}
		if (got_usr1) {
			got_usr1 = 0;
			print_table();
		}
		if (got_hup) {
			got_hup = 0;
			reload();
		}
		if (got_stop >= 2) {
			for (i = 0; i < R.pl->nstages; i++)
				if (R.sv.st[i].pid)
					logmsg(3, "second signal: killing stage "
					    "'%s'", R.pl->stages[i].name);
			weir_sv_signal_all(&R.sv, SIGKILL);
			finish(WEIR_EXIT_IO);
		}
		if (got_stop && R.state != DRAINING) {
			if (R.state == BACKOFF)
				finish(0);
			if (R.next) {	/* a reload that had not started yet */
				weir_pipeline_free(R.next);
				R.next = NULL;
			}
			stopping();
			if (!R.quiet)
				logmsg(6, "stopping: sources first, then the "
				    "rest drains to END");
			if (R.state == RUNNING)
				weir_sv_signal_sources(&R.sv, SIGTERM);
			R.state = DRAINING;
			R.kill_at = weir_mono_ms() + R.stop_timeout;
			R.dirty = 1;
		}
		now = weir_mono_ms();
		if (now >= R.kill_at && weir_sv_alive(&R.sv))
			kill_stragglers();
		if (R.state != BACKOFF && !weir_sv_alive(&R.sv)) {
			weir_sv_io(&R.sv);
			all_ended();
		}
		if (R.state == BACKOFF && now >= R.restart_at)
			start_run();
		if (now >= next_sample) {
			weir_sv_sample(&R.sv, now);
			status_notify();
			next_sample = now + 1000;
		}
		if (R.mx && (R.dirty || now >= next_publish)) {
			publish();
			next_publish = now + PUBLISH_MS;
		}
		if (R.nt.watchdog_ms && now >= next_wd) {
			notify("WATCHDOG=1");
			next_wd = now + R.nt.watchdog_ms / 2;
		}
	}
}

/* weir-run's own directory: programs are looked up there first. */
static char *
self_path(const char *argv0)
{
	char buf[PATH_MAX];
	ssize_t n = readlink("/proc/self/exe", buf, sizeof(buf) - 1);

	if (n > 0) {
		buf[n] = 0;
		return strdup(buf);
	}
	return realpath(argv0, NULL);
}

int
main(int argc, char **argv)
{
	int c, check = 0, dot = 0, public = 0, i, rc = 0, reset = 0;
	const char *metrics = NULL, *status = NULL;
	char err[WEIR_ERRSZ], *self, *selfdir;
	weir_pl_opts opts;
	weir_buf b = { 0 };

	weir_cli_init(argv[0]);
	R.stop_timeout = 10000;
	while ((c = getopt_long(argc, argv, "qh", longopts, NULL)) != -1) {
		switch (c) {
		case O_CHECK:
			check = 1;
			break;
		case O_DOT:
			dot = 1;
			break;
		case O_METRICS:
			metrics = optarg;
			break;
		case O_PUBLIC:
			public = 1;
			break;
		case O_STOPTO:
			if (weir_dur_parse(optarg, &R.stop_timeout, err,
			    sizeof(err)) < 0)
				weir_usage_error("--stop-timeout: %s", err);
			break;
		case O_STATUS:
			status = optarg;
			break;
		case O_RESET:
			reset = 1;
			break;
		case 'q':
			R.quiet = 1;
			break;
		case 'h':
			weir_cli_help(usage);
		case O_VERSION:
			weir_version();
		default:
			weir_cli_bad_option();
		}
	}
	if (status) {
		if (optind != argc)
			weir_usage_error("--status takes no pipeline file");
		if ((rc = weir_metrics_get(status, "/status", &b, err,
		    sizeof(err))) < 0)
			weir_die_kind(rc, err);
		(void)weir_write_all(1, b.p, b.len);
		weir_buf_free(&b);
		return 0;
	}
	if (optind == argc)
		weir_usage_error("no pipeline file given");
	if (optind + 1 < argc && !check)
		weir_usage_error("one pipeline file at a time (--check takes "
		    "several)");
	if (check + dot > 1)
		weir_usage_error("--check and --dot do not go together");
	self = self_path(argv[0]);
	selfdir = self ? strdup(self) : NULL;
	memset(&opts, 0, sizeof(opts));
	opts.selfdir = selfdir ? dirname(selfdir) : NULL;
	R.opts = opts;		/* for reloads: selfdir stays allocated */
	R.path = argv[optind];
	R.lockfd = -1;
	R.ready_due = 1;
	for (i = optind; i < argc; i++) {
		weir_pipeline *pl;
		int fail;

		if ((fail = weir_pipeline_load(&pl, argv[i], &opts, err,
		    sizeof(err))) < 0)
			weir_die_kind(fail, err);
		if (pl->ndiag) {
			(void)weir_write_all(2, pl->diag.p, pl->diag.len);
			rc = WEIR_EXIT_USAGE;
		} else if (check)
			printf("%s: ok (%d stage%s)\n", argv[i], pl->nstages,
			    pl->nstages == 1 ? "" : "s");
		fflush(stdout);
		if (check || rc) {
			weir_pipeline_free(pl);
			continue;
		}
		R.pl = pl;
	}
	if (check || rc || dot) {
		free(selfdir);
		if (dot && !rc) {
			if ((rc = weir_pipeline_dot(R.pl, &b)) < 0)
				weir_die_kind(rc, "out of memory");
			(void)weir_write_all(1, b.p, b.len);
			weir_buf_free(&b);
			weir_pipeline_free(R.pl);
		}
		free(self);
		return rc;
	}
	if (!self)
		weir_die(WEIR_EXIT_IO, "cannot find my own executable");
	R.journal = stderr_is_journal();
	if (metrics && (rc = weir_metrics_listen(&R.mx, metrics, public, err,
	    sizeof(err))) < 0)
		weir_die(weir_fail_status(rc), "--metrics: %s", err);
	if (R.mx && !R.quiet)
		logmsg(6, "metrics on port %d: /metrics, /status, /status.html",
		    weir_metrics_port(R.mx));
	if (weir_notify_open(&R.nt, err, sizeof(err)) < 0)
		logmsg(4, "%s", err);
	/* checkpoints: one running pipeline per state directory; its stages
	 * restore from the last committed checkpoint by themselves */
	if (R.pl->ckpt_dir) {
		rc = weir_ckpt_lock_dir(R.pl->ckpt_dir, &R.lockfd, err,
		    sizeof(err));
		if (rc == 0 && reset)
			rc = weir_ckpt_reset_dir(R.pl->ckpt_dir, err, sizeof(err));
		if (rc < 0)
			weir_die(weir_fail_status(rc), "checkpoint: %s", err);
	} else if (reset)
		weir_usage_error("--reset-state: the pipeline has no checkpoint");
	if ((rc = weir_sv_init(&R.sv, R.pl, err, sizeof(err))) < 0)
		weir_die_kind(rc, err);
	R.sv.line = on_line;
	R.restart_times = calloc((size_t)R.pl->restart_max + 1,
	    sizeof(int64_t));
	if (!R.restart_times)
		weir_die(WEIR_EXIT_IO, "out of memory");
	R.kill_at = INT64_MAX;
	run();
}
