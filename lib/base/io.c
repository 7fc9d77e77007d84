/* io.c - buffered reader and writer, signal flags. */
#include "io.h"

#include <sys/stat.h>

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "stats.h"

int
weir_reader_init(weir_reader *r, int fd, size_t max)
{
	memset(r, 0, sizeof(*r));
	r->fd = fd;
	r->cap = WEIR_IO_BLOCK;
	r->max = max < WEIR_IO_BLOCK ? WEIR_IO_BLOCK : max;
	r->buf = malloc(r->cap);
	return r->buf ? 0 : -1;
}

void
weir_reader_free(weir_reader *r)
{
	free(r->buf);
	r->buf = NULL;
}

int
weir_fd_ready(int fd)
{
	struct pollfd pfd = { .fd = fd, .events = POLLIN };

	return poll(&pfd, 1, 0) > 0;
}

static volatile sig_atomic_t stop_count, stop_last;

long
weir_reader_fill(weir_reader *r, int block)
{
	ssize_t n;

	if (r->eof)
		return WEIR_IO_EOF;
	/* make room: move the unread tail to the front, or grow */
	if (r->start > 0 && (r->end == r->cap || r->start >= r->cap / 2)) {
		memmove(r->buf, r->buf + r->start, r->end - r->start);
		r->end -= r->start;
		r->start = 0;
	}
	if (r->end == r->cap) {
		size_t ncap;
		uint8_t *nb;
		if (r->cap >= r->max + WEIR_IO_BLOCK)
			return WEIR_IO_FULL;
		ncap = r->cap * 2;
		if (ncap > r->max + WEIR_IO_BLOCK)
			ncap = r->max + WEIR_IO_BLOCK;
		nb = realloc(r->buf, ncap);
		if (!nb)
			return WEIR_FAIL_NOMEM;
		r->buf = nb;
		r->cap = ncap;
	}
	if (!weir_fd_ready(r->fd)) {
		if (!block)
			return WEIR_IO_AGAIN;
		if (r->idle)
			r->idle(r->idle_arg);
		weir_stats_idle(r->fd);	/* counters out while we wait */
		if (stop_count > r->stops_seen) {
			/* a signal came before we block: report it, once */
			r->stops_seen = stop_count;
			return WEIR_IO_INTR;
		}
	}
	for (;;) {
		n = read(r->fd, r->buf + r->end, r->cap - r->end);
		if (n >= 0)
			break;
		if (errno == EINTR) {
			if (stop_count > r->stops_seen) {
				r->stops_seen = stop_count;
				return WEIR_IO_INTR;
			}
			continue;
		}
		if (errno == EAGAIN && !block)
			return WEIR_IO_AGAIN;
		if (errno == EAGAIN) {
			struct pollfd pfd = { .fd = r->fd, .events = POLLIN };
			poll(&pfd, 1, -1);
			continue;
		}
		return WEIR_FAIL_IO;
	}
	if (n == 0) {
		r->eof = 1;
		return WEIR_IO_EOF;
	}
	r->end += (size_t)n;
	return n;
}

void
weir_writer_init(weir_writer *w, int fd)
{
	struct stat st;

	memset(w, 0, sizeof(*w));
	w->fd = fd;
	w->flush_at = WEIR_IO_BLOCK;
	/* A pipe that holds a whole block: one write and one wake-up of the
	 * reader per block instead of four with the default 64 KiB (no harm
	 * if the system says no). */
	if (fstat(fd, &st) == 0 && S_ISFIFO(st.st_mode) &&
	    fcntl(fd, F_GETPIPE_SZ) < (int)WEIR_IO_BLOCK)
		(void)fcntl(fd, F_SETPIPE_SZ, (int)WEIR_IO_BLOCK);
}

void
weir_writer_free(weir_writer *w)
{
	weir_buf_free(&w->buf);
}

int
weir_write_all(int fd, const void *p, size_t n)
{
	const uint8_t *q = p;

	while (n > 0) {
		ssize_t k = write(fd, q, n);
		if (k < 0) {
			if (errno == EINTR) {
				weir_sig_poll();
				continue;
			}
			return -1;
		}
		q += k;
		n -= (size_t)k;
	}
	return 0;
}

int
weir_writer_flush(weir_writer *w)
{
	if (w->failed) {
		errno = w->failed;
		return -1;
	}
	if (!w->buf.len) {
		weir_stats_tick();
		return 0;
	}
	if (weir_write_all(w->fd, w->buf.p, w->buf.len) < 0) {
		w->failed = errno;
		return -1;
	}
	w->written += w->buf.len;
	weir_stats_g.out_bytes += w->buf.len;
	w->buf.len = 0;
	weir_stats_tick();
	return 0;
}

/* New files not committed yet, removed at exit. */
#define OFILE_MAX 8
static weir_ofile *pending[OFILE_MAX];

static void
remove_pending(void)
{
	int i;

	for (i = 0; i < OFILE_MAX; i++)
		if (pending[i] && pending[i]->tmp)
			(void)unlink(pending[i]->tmp);
}

static int
track(weir_ofile *f, int on)
{
	static int registered;
	int i;

	for (i = 0; i < OFILE_MAX; i++)
		if (pending[i] == (on ? NULL : f)) {
			pending[i] = on ? f : NULL;
			break;
		}
	if (on && !registered && i < OFILE_MAX)
		registered = atexit(remove_pending) == 0;
	return on && (i == OFILE_MAX || !registered) ? -1 : 0;
}

static void
ofile_clear(weir_ofile *f)
{
	if (f->tmp) {
		(void)unlink(f->tmp);
		track(f, 0);
	}
	free(f->path);
	free(f->tmp);
	f->path = f->tmp = NULL;
	f->fd = -1;
}

int
weir_ofile_open(weir_ofile *f, const char *path, int flags, char *err,
    size_t errsz)
{
	struct stat st;
	const char *slash, *base;
	int exists, i;
	static unsigned seq;

	memset(f, 0, sizeof(*f));
	f->fd = -1;
	exists = stat(path, &st) == 0;
	if (flags || (exists && !S_ISREG(st.st_mode))) {
		f->fd = open(path, O_WRONLY | O_CREAT | O_CLOEXEC |
		    ((flags & WEIR_OFILE_APPEND) ? O_APPEND : O_TRUNC), 0666);
		if (f->fd < 0) {
			weir_seterr(err, errsz, "%s: %s", path, strerror(errno));
			return WEIR_FAIL_IO;
		}
		return 0;
	}
	/* beside the file itself: a link stays a link */
	f->path = exists ? realpath(path, NULL) : strdup(path);
	if (!f->path || !(f->tmp = malloc(strlen(f->path) + 64))) {
		int e = errno;
		weir_seterr(err, errsz, "%s: %s", path, strerror(e));
		ofile_clear(f);
		return e == ENOMEM ? WEIR_FAIL_NOMEM : WEIR_FAIL_IO;
	}
	slash = strrchr(f->path, '/');
	base = slash ? slash + 1 : f->path;
	for (i = 0; i < 100 && f->fd < 0; i++) {
		sprintf(f->tmp, "%.*s.%s.%ld.%u.tmp", slash ?
		    (int)(base - f->path) : 0, f->path, base, (long)getpid(),
		    seq++);
		f->fd = open(f->tmp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC,
		    0666);
		if (f->fd < 0 && errno != EEXIST)
			break;
	}
	if (f->fd < 0) {
		weir_seterr(err, errsz, "%s: %s", f->tmp, strerror(errno));
		free(f->tmp);
		f->tmp = NULL;
		ofile_clear(f);
		return WEIR_FAIL_IO;
	}
	errno = 0;
	if (track(f, 1) < 0 || (exists && fchmod(f->fd, st.st_mode & 07777) < 0)) {
		weir_seterr(err, errsz, "%s: %s", f->tmp,
		    errno ? strerror(errno) : "too many output files");
		close(f->fd);
		ofile_clear(f);
		return WEIR_FAIL_IO;
	}
	return 0;
}

int
weir_ofile_commit(weir_ofile *f, char *err, size_t errsz)
{
	int fd = f->fd, rc = 0;

	f->fd = -1;
	if (fd < 0)
		return 0;
	if ((fsync(fd) < 0 && errno != EINVAL) || close(fd) < 0) {
		weir_seterr(err, errsz, "%s: %s", f->tmp ? f->tmp : "output",
		    strerror(errno));
		rc = WEIR_FAIL_IO;
	} else if (f->tmp && rename(f->tmp, f->path) < 0) {
		weir_seterr(err, errsz, "%s: %s", f->path, strerror(errno));
		rc = WEIR_FAIL_IO;
	} else if (f->tmp) {
		free(f->tmp);	/* committed: nothing to remove */
		f->tmp = NULL;
		track(f, 0);
	}
	ofile_clear(f);
	return rc;
}

void
weir_ofile_abort(weir_ofile *f)
{
	if (f->fd >= 0)
		close(f->fd);
	ofile_clear(f);
}

/* weir_sig_on_second(): what runs once a second stop signal has come */
static void (*second_fn)(void);

static void
on_stop(int sig)
{
	stop_count++;
	stop_last = sig;
}

void
weir_sig_on_second(void (*fn)(void))
{
	second_fn = fn;
}

void
weir_sig_poll(void)
{
	if (second_fn && stop_count > 1)
		second_fn();
}

void
weir_sig_install(void)
{
	struct sigaction sa;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_stop;
	sigemptyset(&sa.sa_mask);
	sa.sa_flags = 0;	/* no SA_RESTART: a blocking read returns EINTR */
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGHUP, &sa, NULL);
	signal(SIGPIPE, SIG_IGN);
}

int
weir_sig_stop(void)
{
	return stop_count;
}

int
weir_sig_last(void)
{
	return stop_last;
}

int
weir_read_file(const char *path, weir_buf *b, size_t max, char *err,
    size_t errsz)
{
	int fd = strcmp(path, "-") ? open(path, O_RDONLY | O_CLOEXEC) : 0;
	ssize_t n = 0;
	int e = 0;

	b->len = 0;
	if (fd < 0) {
		e = errno;
		weir_seterr(err, errsz, "%s: %s", path, strerror(e));
		errno = e;
		return WEIR_FAIL_IO;
	}
	for (;;) {
		if (weir_buf_reserve(b, 65536) < 0) {
			e = ENOMEM;
			break;
		}
		n = read(fd, b->p + b->len, b->cap - b->len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			e = errno;
			break;
		}
		if (n == 0)
			break;
		b->len += (size_t)n;
		if (b->len > max) {
			e = EFBIG;
			break;
		}
	}
	if (fd)
		close(fd);
	if (!e)
		return 0;
	if (e == EFBIG)
		weir_seterr(err, errsz, "%s: larger than %zu bytes", path, max);
	else
		weir_seterr(err, errsz, "%s: %s", path, strerror(e));
	errno = e;
	return e == ENOMEM ? WEIR_FAIL_NOMEM : WEIR_FAIL_IO;
}
