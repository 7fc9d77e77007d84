/* supervise.c - start, wire, signal and reap a pipeline's processes. */
#include "supervise.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include "dur.h"
#include "io.h"

#define MAX_LINE 4096
#define HIGH_FD 600
/* Work per call of weir_sv_io, so a chatty stage cannot hold up the
 * supervision loop: what is left is read on the next pass. */
#define MAX_ERR_READS 16	/* of 8 KiB, per stage */
#define MAX_STATS_MSGS 256

int
weir_sv_init(weir_sv *sv, const weir_pipeline *pl, char *err, size_t errsz)
{
	int sp[2], i;

	memset(sv, 0, sizeof(*sv));
	sv->pl = pl;
	sv->stats_fd = sv->stats_child = -1;
	sv->st = calloc((size_t)pl->nstages, sizeof(*sv->st));
	if (!sv->st) {
		weir_seterr(err, errsz, "out of memory");
		return WEIR_FAIL_NOMEM;
	}
	for (i = 0; i < pl->nstages; i++) {
		sv->st[i].errfd = -1;
		sv->st[i].base.wm_in = sv->st[i].base.wm_out = INT64_MIN;
		sv->st[i].base.lag = -1;
		sv->st[i].cur = sv->st[i].base;
	}
	if (socketpair(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0, sp) < 0) {
		weir_seterr(err, errsz, "socketpair: %s", strerror(errno));
		return WEIR_FAIL_IO;
	}
	sv->stats_fd = sp[0];
	sv->stats_child = sp[1];
	(void)fcntl(sv->stats_fd, F_SETFL, O_NONBLOCK);
	return 0;
}

void
weir_sv_free(weir_sv *sv)
{
	int i;

	if (sv->st)
		for (i = 0; i < sv->pl->nstages; i++) {
			if (sv->st[i].errfd >= 0)
				close(sv->st[i].errfd);
			weir_buf_free(&sv->st[i].errline);
		}
	free(sv->st);
	free(sv->tees);
	if (sv->stats_fd >= 0)
		close(sv->stats_fd);
	if (sv->stats_child >= 0)
		close(sv->stats_child);
	memset(sv, 0, sizeof(*sv));
}

typedef struct fdmap {
	int src, dst;
} fdmap;

/*
 * A tee's body, run in the forked child without exec: copy fd 0 to fds
 * 3..n+2 until end of input, dropping a reader that went away.  Only
 * system calls on a static buffer: nothing here may take a lock another
 * thread of the parent held at fork (the metrics server).
 *
 * Where the input and the outputs are pipes (always, under weir-run) the
 * bytes are not copied: tee(2) gives each output the same pages, then the
 * input's copy is dropped into /dev/null with splice(2).  An output with
 * less room than the others takes fewer bytes; those are then read once
 * into the buffer and written to it.  Where tee(2) does not apply (not
 * pipes), read(2) and write(2).
 */
#define TEE_BUF (1 << 18)

static void
tee_drop(uint8_t *alive, int i, int *left)
{
	alive[i] = 0;	/* that reader went away */
	close(3 + i);
	(*left)--;
}

/* Write buf[0..len) to the live output i, blocking. */
static void
tee_write(const uint8_t *buf, size_t len, uint8_t *alive, int i, int *left)
{
	size_t off;
	ssize_t w;

	for (off = 0; alive[i] && off < len; ) {
		w = write(3 + i, buf + off, len - off);
		if (w >= 0)
			off += (size_t)w;
		else if (errno != EINTR)
			tee_drop(alive, i, left);
	}
}

/* Read exactly len bytes of fd 0 (there are that many in the pipe). */
static int
tee_take(uint8_t *buf, size_t len)
{
	size_t off;
	ssize_t r;

	for (off = 0; off < len; ) {
		r = read(0, buf + off, len - off);
		if (r > 0)
			off += (size_t)r;
		else if (r == 0 || errno != EINTR)
			return -1;
	}
	return 0;
}

static _Noreturn void
tee_body(int n)
{
	static uint8_t buf[TEE_BUF];
	uint8_t alive[HIGH_FD / 2];
	size_t got[HIGH_FD / 2];
	int i, left = n, nul = -1, short_;
	ssize_t r, w;
	size_t len, off;

	signal(SIGPIPE, SIG_IGN);	/* a reader gone is EPIPE, not death */
	/* no exec closes the parent's other descriptors: close them, or the
	 * pipes they are would never see their end */
	if (close_range(3 + (unsigned)n, ~0U, 0) < 0)
		_exit(WEIR_EXIT_IO);
	for (i = 0; i < n; i++) {
		alive[i] = 1;
		/* a block per wake-up of the reader, as weir_writer_init */
		if (fcntl(3 + i, F_GETPIPE_SZ) > 0 &&
		    fcntl(3 + i, F_GETPIPE_SZ) < TEE_BUF)
			(void)fcntl(3 + i, F_SETPIPE_SZ, TEE_BUF);
	}
	if (fcntl(0, F_GETPIPE_SZ) > 0)
		nul = open("/dev/null", O_WRONLY | O_CLOEXEC);
	while (nul >= 0 && left > 0) {
		/* the first live output takes what it can: that is the
		 * length every other output gets */
		for (i = 0; i < n && !alive[i]; i++)
			;
		r = tee(0, 3 + i, TEE_BUF, 0);
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0 && errno == EPIPE) {
			tee_drop(alive, i, &left);
			continue;
		}
		if (r < 0) {
			if (errno == EINVAL)
				break;	/* not pipes after all: copy */
			_exit(WEIR_EXIT_IO);
		}
		if (r == 0)
			_exit(0);	/* end of input */
		len = (size_t)r;
		got[i] = len;
		short_ = 0;
		for (i++; i < n; i++) {
			got[i] = 0;
			if (!alive[i])
				continue;
			do
				w = tee(0, 3 + i, len, 0);
			while (w < 0 && errno == EINTR);
			if (w > 0)
				got[i] = (size_t)w;
			else if (w < 0 && errno == EPIPE)
				tee_drop(alive, i, &left);
			/* tee(2) starts again at the input's first byte: what
			 * an output did not take goes by write below */
			if (alive[i] && got[i] < len)
				short_ = 1;
		}
		if (!short_) {
			/* every output has its copy: drop the input's */
			for (off = 0; off < len; off += (size_t)w) {
				w = splice(0, NULL, nul, NULL, len - off, 0);
				if (w <= 0 && !(w < 0 && errno == EINTR))
					_exit(WEIR_EXIT_IO);
				if (w < 0)
					w = 0;
			}
			continue;
		}
		if (tee_take(buf, len) < 0)
			_exit(WEIR_EXIT_IO);
		for (i = 0; i < n; i++)
			if (alive[i] && got[i] < len)
				tee_write(buf + got[i], len - got[i], alive, i,
				    &left);
	}
	while (left > 0) {
		r = read(0, buf, sizeof(buf));
		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0)
			_exit(r < 0 ? WEIR_EXIT_IO : 0);
		for (i = 0; i < n; i++)
			if (alive[i])
				tee_write(buf, (size_t)r, alive, i, &left);
	}
	_exit(0);
}

/* In the child: put each src on its dst, report a failure on ep, exec. */
static _Noreturn void
child(int ep, const fdmap *m, int n, pid_t pgid, pid_t parent,
    const weir_pipeline *pl, int stage, int statsfd, const char *path,
    char *const argv[])
{
	int tmp[HIGH_FD / 2], k, e;
	sigset_t none;
	char num[16];
	char **env;

	(void)setpgid(0, pgid);
	(void)prctl(PR_SET_PDEATHSIG, SIGKILL);
	if (getppid() != parent)
		_exit(127);
	sigemptyset(&none);
	sigprocmask(SIG_SETMASK, &none, NULL);
	signal(SIGPIPE, SIG_DFL);
	signal(SIGINT, SIG_DFL);
	signal(SIGTERM, SIG_DFL);
	signal(SIGHUP, SIG_DFL);
	signal(SIGUSR1, SIG_DFL);
	for (k = 0; k < n; k++)
		if ((tmp[k] = fcntl(m[k].src, F_DUPFD_CLOEXEC, HIGH_FD)) < 0)
			goto fail;
	for (k = 0; k < n; k++)
		if (dup2(tmp[k], m[k].dst) < 0)
			goto fail;
	if (!argv)
		tee_body(statsfd);	/* a tee: statsfd is its output count */
	unsetenv("NOTIFY_SOCKET");
	unsetenv("WATCHDOG_USEC");
	unsetenv("WATCHDOG_PID");
	unsetenv("WEIR_STATS_FD");
	if (stage >= 0) {
		for (env = pl->env; env && *env; env++)
			putenv(*env);
		for (env = pl->stages[stage].env; env && *env; env++)
			putenv(*env);
		setenv("WEIR_STAGE", pl->stages[stage].name, 1);
		snprintf(num, sizeof(num), "%d", statsfd);
		if (statsfd >= 0)
			setenv("WEIR_STATS_FD", num, 1);
	}
	if (path)
		execv(path, argv);
	else
		execvp(argv[0], argv);
fail:
	e = errno;
	(void)!write(ep, &e, sizeof(e));
	_exit(127);
}

/* Fork and exec; returns the pid, or -1 with err set. */
static pid_t
spawn(weir_sv *sv, const fdmap *m, int n, int stage, int statsfd,
    const char *path, char *const argv[], char *err, size_t errsz)
{
	int ep[2], e = 0;
	pid_t pid, parent = getpid();
	ssize_t r;

	if (pipe2(ep, O_CLOEXEC) < 0) {
		weir_seterr(err, errsz, "pipe: %s", strerror(errno));
		return -1;
	}
	pid = fork();
	if (pid < 0) {
		weir_seterr(err, errsz, "fork: %s", strerror(errno));
		close(ep[0]);
		close(ep[1]);
		return -1;
	}
	if (pid == 0)
		child(ep[1], m, n, sv->pgid, parent, sv->pl, stage, statsfd,
		    path, argv);
	(void)setpgid(pid, sv->pgid ? sv->pgid : pid);
	if (!sv->pgid)
		sv->pgid = pid;
	close(ep[1]);
	do
		r = read(ep[0], &e, sizeof(e));
	while (r < 0 && errno == EINTR);
	close(ep[0]);
	if (r == (ssize_t)sizeof(e)) {
		(void)waitpid(pid, NULL, 0);
		weir_seterr(err, errsz, "cannot run %s: %s", path ? path :
		    argv[0], strerror(e));
		return -1;
	}
	return pid;
}

static void
closefd(int *fd)
{
	if (*fd >= 0)
		close(*fd);
	*fd = -1;
}

int
weir_sv_start(weir_sv *sv, char *err, size_t errsz)
{
	const weir_pipeline *pl = sv->pl;
	int ne = pl->nedges, ns = pl->nstages;
	int *rd = NULL, *wr = NULL, *out = NULL, *ew = NULL, *tin = NULL;
	int devnull = -1, i, e, k, n, rc = WEIR_FAIL_IO;
	fdmap *m = NULL;
	char msg[WEIR_ERRSZ];

	rd = malloc(sizeof(int) * (size_t)(ne + 1));
	wr = malloc(sizeof(int) * (size_t)(ne + 1));
	out = malloc(sizeof(int) * (size_t)ns);
	ew = malloc(sizeof(int) * (size_t)ns);
	tin = malloc(sizeof(int) * (size_t)ns);
	m = malloc(sizeof(fdmap) * (size_t)(ne + 8));
	free(sv->tees);
	sv->tees = calloc((size_t)ns, sizeof(*sv->tees));
	sv->ntees = 0;
	sv->pgid = 0;
	if (!rd || !wr || !out || !ew || !tin || !m || !sv->tees) {
		weir_seterr(err, errsz, "out of memory");
		rc = WEIR_FAIL_NOMEM;
		goto done;
	}
	for (e = 0; e < ne; e++)
		rd[e] = wr[e] = -1;
	for (i = 0; i < ns; i++)
		out[i] = ew[i] = tin[i] = -1;
	devnull = open("/dev/null", O_RDWR | O_CLOEXEC);
	if (devnull < 0) {
		weir_seterr(err, errsz, "/dev/null: %s", strerror(errno));
		goto done;
	}
	for (e = 0; e < ne; e++) {
		int p[2];
		if (pipe2(p, O_CLOEXEC) < 0) {
			weir_seterr(err, errsz, "pipe: %s", strerror(errno));
			goto done;
		}
		rd[e] = p[0];
		wr[e] = p[1];
	}
	for (i = 0; i < ns; i++) {
		int p[2];
		weir_sv_proc *s = &sv->st[i];
		s->ended = s->termed = s->killed = 0;
		s->status = 0;
		s->errline.len = 0;
		if (pipe2(p, O_CLOEXEC) < 0) {
			weir_seterr(err, errsz, "pipe: %s", strerror(errno));
			goto done;
		}
		closefd(&s->errfd);
		s->errfd = p[0];
		ew[i] = p[1];
		(void)fcntl(s->errfd, F_SETFL, O_NONBLOCK);
		if (pl->stages[i].nout == 0)
			out[i] = pl->stages[i].discard ? devnull : 1;
		else if (pl->stages[i].nout == 1) {
			for (e = 0; e < ne && pl->edges[e].from != i; e++)
				;
			out[i] = wr[e];
		} else {
			if (pipe2(p, O_CLOEXEC) < 0) {
				weir_seterr(err, errsz, "pipe: %s",
				    strerror(errno));
				goto done;
			}
			tin[i] = p[0];
			out[i] = p[1];
		}
	}
	/* the tees first: they are the readers of their producers */
	for (i = 0; i < ns; i++) {
		pid_t pid;
		if (tin[i] < 0)
			continue;
		n = 0;
		m[n++] = (fdmap){ tin[i], 0 };
		m[n++] = (fdmap){ devnull, 1 };
		m[n++] = (fdmap){ 2, 2 };
		for (e = 0, k = 0; e < ne; e++)
			if (pl->edges[e].from == i)
				m[n++] = (fdmap){ wr[e], 3 + k++ };
		pid = spawn(sv, m, n, -1, k, NULL, NULL, msg, sizeof(msg));
		if (pid < 0) {
			weir_seterr(err, errsz, "tee for stage '%s': %s",
			    pl->stages[i].name, msg);
			goto done;
		}
		sv->tees[sv->ntees].pid = pid;
		sv->tees[sv->ntees].from = i;
		sv->tees[sv->ntees].ended = 0;
		sv->ntees++;
	}
	for (i = 0; i < ns; i++) {
		const weir_pl_stage *ps = &pl->stages[i];
		int in, statsfd = 3;
		pid_t pid;
		n = 0;
		if (ps->in_from == WEIR_PL_STDIN)
			in = 0;
		else if (ps->in_from == WEIR_PL_NULL)
			in = devnull;
		else {
			for (e = 0; e < ne && !(pl->edges[e].to == i &&
			    pl->edges[e].fd == 0); e++)
				;
			in = e < ne ? rd[e] : devnull;
		}
		m[n++] = (fdmap){ in, 0 };
		m[n++] = (fdmap){ out[i], 1 };
		m[n++] = (fdmap){ ew[i], 2 };
		for (e = 0; e < ne; e++)
			if (pl->edges[e].to == i && pl->edges[e].fd) {
				m[n++] = (fdmap){ rd[e], pl->edges[e].fd };
				if (pl->edges[e].fd >= statsfd)
					statsfd = pl->edges[e].fd + 1;
			}
		m[n++] = (fdmap){ sv->stats_child, statsfd };
		pid = spawn(sv, m, n, i, statsfd, ps->path, ps->argv, msg,
		    sizeof(msg));
		if (pid < 0) {
			weir_seterr(err, errsz, "stage '%s': %s", ps->name, msg);
			goto done;
		}
		sv->st[i].pid = pid;
		if (sv->st[i].starts++)
			sv->st[i].restarts++;
	}
	rc = 0;
done:
	for (e = 0; rd && wr && e < ne; e++) {
		closefd(&rd[e]);
		closefd(&wr[e]);
	}
	for (i = 0; ew && i < ns; i++) {
		closefd(&ew[i]);
		closefd(&tin[i]);
		if (out[i] > 2 && pl->stages[i].nout > 1)
			closefd(&out[i]);
	}
	closefd(&devnull);
	free(rd);
	free(wr);
	free(out);
	free(ew);
	free(tin);
	free(m);
	if (rc < 0) {
		weir_sv_signal_all(sv, SIGKILL);
		while (weir_sv_alive(sv)) {
			int status;
			pid_t p = waitpid(-1, &status, 0);
			if (p < 0 && errno != EINTR)
				break;
			for (i = 0; i < ns; i++)
				if (sv->st[i].pid == p) {
					sv->st[i].pid = 0;
					sv->st[i].ended = 1;
					sv->st[i].status = status;
				}
			for (i = 0; i < sv->ntees; i++)
				if (sv->tees[i].pid == p) {
					sv->tees[i].pid = 0;
					sv->tees[i].ended = 1;
				}
		}
	}
	return rc;
}

int
weir_sv_alive(const weir_sv *sv)
{
	int i, n = 0;

	for (i = 0; i < sv->pl->nstages; i++)
		n += sv->st[i].pid != 0;
	for (i = 0; i < sv->ntees; i++)
		n += sv->tees[i].pid != 0;
	return n;
}

int
weir_sv_pollfds(const weir_sv *sv, struct pollfd *p, int max)
{
	int i, n = 0;

	if (n < max) {
		p[n].fd = sv->stats_fd;
		p[n++].events = POLLIN;
	}
	for (i = 0; i < sv->pl->nstages && n < max; i++)
		if (sv->st[i].errfd >= 0) {
			p[n].fd = sv->st[i].errfd;
			p[n++].events = POLLIN;
		}
	return n;
}

static void
emit_lines(weir_sv *sv, int i, int final)
{
	weir_buf *b = &sv->st[i].errline;
	size_t start = 0, k;

	for (k = 0; k < b->len; k++)
		if (b->p[k] == '\n') {
			if (sv->line)
				sv->line(sv->line_arg, i, (char *)b->p + start,
				    k - start);
			start = k + 1;
		}
	if (start < b->len && (final || b->len - start >= MAX_LINE)) {
		if (sv->line)
			sv->line(sv->line_arg, i, (char *)b->p + start,
			    b->len - start);
		start = b->len;
	}
	memmove(b->p, b->p + start, b->len - start);
	b->len -= start;
}

/* Read a stage's stderr until it would block (or EOF: close it), at
 * most MAX_ERR_READS times. */
static void
read_err(weir_sv *sv, int i)
{
	weir_sv_proc *s = &sv->st[i];
	ssize_t r;
	int k;

	for (k = 0; s->errfd >= 0 && k < MAX_ERR_READS; k++) {
		if (weir_buf_reserve(&s->errline, 8192) < 0)
			return;
		r = read(s->errfd, s->errline.p + s->errline.len, 8192);
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
			break;
		if (r <= 0) {
			emit_lines(sv, i, 1);
			closefd(&s->errfd);
			return;
		}
		s->errline.len += (size_t)r;
		emit_lines(sv, i, 0);
	}
}

static void
read_stats(weir_sv *sv)
{
	char msg[WEIR_STATS_MSGSZ], name[256];
	weir_stats st;
	long pid;
	ssize_t r;
	int i, k;

	for (k = 0; k < MAX_STATS_MSGS; k++) {
		r = recv(sv->stats_fd, msg, sizeof(msg) - 1, MSG_DONTWAIT);
		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0)
			return;
		msg[r] = 0;
		if (weir_stats_parse(msg, (size_t)r, &st, name, sizeof(name),
		    &pid) < 0)
			continue;
		i = weir_pipeline_find(sv->pl, name);
		if (i < 0)
			continue;
		weir_sv_proc *s = &sv->st[i];
		if (pid != s->cur_pid) {
			/* a new process of this stage: bank the old totals */
			weir_stats_add(&s->base, &s->cur);
			s->cur_pid = pid;
		}
		s->cur = st;
	}
}

void
weir_sv_io(weir_sv *sv)
{
	int i;

	read_stats(sv);
	for (i = 0; i < sv->pl->nstages; i++)
		read_err(sv, i);
}

void
weir_sv_reap(weir_sv *sv, void (*fn)(void *, int, int), void *arg)
{
	int status, i;
	pid_t p;

	while ((p = waitpid(-1, &status, WNOHANG)) > 0) {
		for (i = 0; i < sv->pl->nstages; i++) {
			weir_sv_proc *s = &sv->st[i];
			if (s->pid != p)
				continue;
			s->pid = 0;
			s->ended = 1;
			s->status = status;
			read_err(sv, i);	/* its last words first */
			read_stats(sv);
			if (fn)
				fn(arg, i, status);
		}
		for (i = 0; i < sv->ntees; i++) {
			weir_sv_tee *t = &sv->tees[i];
			if (t->pid != p)
				continue;
			t->pid = 0;
			t->ended = 1;
			t->status = status;
			if (status && fn)
				fn(arg, -1 - t->from, status);
		}
	}
}

void
weir_sv_signal_sources(weir_sv *sv, int sig)
{
	int i;

	for (i = 0; i < sv->pl->nstages; i++)
		if (sv->st[i].pid && weir_pipeline_is_source(sv->pl, i)) {
			sv->st[i].termed = 1;
			(void)kill(sv->st[i].pid, sig);
		}
}

void
weir_sv_signal_all(weir_sv *sv, int sig)
{
	int i;

	for (i = 0; i < sv->pl->nstages; i++)
		if (sv->st[i].pid) {
			if (sig == SIGKILL)
				sv->st[i].killed = 1;
			else
				sv->st[i].termed = 1;
			(void)kill(sv->st[i].pid, sig);
		}
	for (i = 0; i < sv->ntees; i++)
		if (sv->tees[i].pid)
			(void)kill(sv->tees[i].pid, sig);
	/* SIGKILL takes what the stages started, too: the whole group */
	if (sig == SIGKILL && sv->pgid > 0 && weir_sv_alive(sv))
		(void)kill(-sv->pgid, SIGKILL);
}

void
weir_sv_totals(const weir_sv *sv, int i, weir_stats *out)
{
	*out = sv->st[i].base;
	weir_stats_add(out, &sv->st[i].cur);
}

void
weir_sv_sample(weir_sv *sv, int64_t now)
{
	double dt = (double)(now - sv->sampled_ms) / 1000.0;
	weir_stats t;
	int i;

	for (i = 0; i < sv->pl->nstages; i++) {
		weir_sv_totals(sv, i, &t);
		if (sv->sampled_ms && dt > 0) {
			sv->st[i].rate_in = (double)(t.in - sv->st[i].prev_in) / dt;
			sv->st[i].rate_out = (double)(t.out - sv->st[i].prev_out) /
			    dt;
		}
		sv->st[i].prev_in = t.in;
		sv->st[i].prev_out = t.out;
	}
	sv->sampled_ms = now;
}

void
weir_sv_describe(int status, char *buf, size_t sz)
{
	if (WIFEXITED(status))
		snprintf(buf, sz, "exited with status %d", WEXITSTATUS(status));
	else if (WIFSIGNALED(status))
		snprintf(buf, sz, "killed by signal %d (%s)", WTERMSIG(status),
		    strsignal(WTERMSIG(status)));
	else
		snprintf(buf, sz, "ended (wait status %d)", status);
}

int
weir_sv_exit_code(int status)
{
	if (WIFEXITED(status) && WEXITSTATUS(status))
		return WEXITSTATUS(status) <= WEIR_EXIT_IO ?
		    WEXITSTATUS(status) : WEIR_EXIT_IO;
	return WIFEXITED(status) ? 0 : WEIR_EXIT_IO;
}

static void
human(char *buf, size_t sz, double v)
{
	if (v >= 1e9)
		snprintf(buf, sz, "%.1fG", v / 1e9);
	else if (v >= 1e6)
		snprintf(buf, sz, "%.1fM", v / 1e6);
	else if (v >= 1e4)
		snprintf(buf, sz, "%.1fk", v / 1e3);
	else
		snprintf(buf, sz, "%.0f", v);
}

int
weir_sv_table(const weir_sv *sv, weir_buf *out)
{
	const weir_pipeline *pl = sv->pl;
	char ri[16], ro[16], ti[16], to[16], wm[40], state[32];
	weir_stats t;
	int i, rc = 0;

	rc |= weir_buf_printf(out, "%-14s %8s %-9s %4s %8s %8s %8s %8s %-24s "
	    "%6s %6s\n", "STAGE", "PID", "STATE", "RST", "IN/s", "OUT/s", "IN",
	    "OUT", "WATERMARK", "LATE", "SKIP");
	for (i = 0; i < pl->nstages; i++) {
		const weir_sv_proc *s = &sv->st[i];
		weir_sv_totals(sv, i, &t);
		human(ri, sizeof(ri), s->rate_in);
		human(ro, sizeof(ro), s->rate_out);
		human(ti, sizeof(ti), (double)t.in);
		human(to, sizeof(to), (double)t.out);
		if (t.wm_out != INT64_MIN)
			weir_iso8601_fmt(wm, sizeof(wm), t.wm_out);
		else if (t.wm_in != INT64_MIN)
			weir_iso8601_fmt(wm, sizeof(wm), t.wm_in);
		else
			snprintf(wm, sizeof(wm), "-");
		if (s->pid)
			snprintf(state, sizeof(state), "%s", s->termed ?
			    "stopping" : "running");
		else if (!s->ended)
			snprintf(state, sizeof(state), "waiting");
		else if (WIFEXITED(s->status))
			snprintf(state, sizeof(state), "exit %d",
			    WEXITSTATUS(s->status));
		else
			snprintf(state, sizeof(state), "sig %d",
			    WTERMSIG(s->status));
		rc |= weir_buf_printf(out, "%-14.14s %8ld %-9s %4llu %8s %8s "
		    "%8s %8s %-24s %6llu %6llu\n", pl->stages[i].name,
		    (long)s->pid, state, (unsigned long long)s->restarts, ri, ro,
		    ti, to, wm, (unsigned long long)t.late,
		    (unsigned long long)t.skipped);
	}
	return rc ? -1 : 0;
}
