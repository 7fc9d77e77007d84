/*
 * io.h - large buffered reads and writes on file descriptors.
 *
 * The reader calls its idle hook just before it would block, so a program
 * flushes its output whenever its input goes quiet: throughput from big
 * blocks, latency from never holding data back while waiting.
 */
#ifndef WEIR_IO_H
#define WEIR_IO_H

#include "util.h"

#define WEIR_IO_BLOCK (256u * 1024)

/* What weir_reader_fill returns besides a count and a failure kind: no
 * failure, so apart from the WEIR_FAIL_* values (util.h). */
enum {
	WEIR_IO_EOF = 0,
	WEIR_IO_AGAIN = -16,	/* non-blocking fill found nothing */
	WEIR_IO_INTR = -17,	/* interrupted by a signal that asks to stop */
	WEIR_IO_FULL = -18	/* buffer at its size limit */
};

typedef struct weir_reader {
	int fd;
	uint8_t *buf;
	size_t cap, start, end, max;
	int eof;
	uint64_t consumed;	/* bytes before buf[start] since open */
	int stops_seen;		/* stop signals already reported as INTR */
	void (*idle)(void *);
	void *idle_arg;
} weir_reader;

int weir_reader_init(weir_reader *r, int fd, size_t max);
void weir_reader_free(weir_reader *r);
/* Read more.  Returns bytes read (> 0), WEIR_IO_EOF, AGAIN, INTR or FULL
 * above, or WEIR_FAIL_IO (errno is set) or WEIR_FAIL_NOMEM.
 * block = 0: return WEIR_IO_AGAIN rather than wait. */
long weir_reader_fill(weir_reader *r, int block);
static inline size_t
weir_reader_avail(const weir_reader *r)
{
	return r->end - r->start;
}
static inline const uint8_t *
weir_reader_data(const weir_reader *r)
{
	return r->buf + r->start;
}
static inline void
weir_reader_consume(weir_reader *r, size_t n)
{
	r->start += n;
	r->consumed += n;
}
/* 1 if the fd has data (or EOF) to read right now, without blocking. */
int weir_fd_ready(int fd);

typedef struct weir_writer {
	int fd;
	weir_buf buf;
	size_t flush_at;
	uint64_t written;
	int failed;		/* errno of the first failed write, sticky */
} weir_writer;

void weir_writer_init(weir_writer *w, int fd);
void weir_writer_free(weir_writer *w);
int weir_writer_flush(weir_writer *w);	/* -1 with errno (EPIPE too) */
static inline int
weir_writer_maybe_flush(weir_writer *w)
{
	if (w->buf.len >= w->flush_at)
		return weir_writer_flush(w);
	return 0;
}
int weir_write_all(int fd, const void *p, size_t n);
/* Read the whole file path ("-": stdin) into b, at most max bytes: 0, or
 * WEIR_FAIL_IO (errno kept: ENOENT missing, EFBIG larger than max) or
 * WEIR_FAIL_NOMEM, with err set to "path: reason". */
int weir_read_file(const char *path, weir_buf *b, size_t max, char *err,
    size_t errsz);

/*
 * An output file (-o FILE) written whole or not at all.  weir_ofile_open
 * writes to a new file beside FILE (a symbolic link's target, with FILE's
 * mode if it exists); weir_ofile_commit fsyncs it and renames it over FILE.
 * Until then FILE is untouched, and a run that exits without committing
 * (weir_die, any exit) removes the new file, so a failed run leaves the old
 * FILE as it was.  WEIR_OFILE_INPLACE writes FILE itself, truncated (for a
 * mode that rewrites it in place); WEIR_OFILE_APPEND appends in place.  A
 * FILE that exists and is not a regular file (/dev/null, a FIFO) is
 * always written in place.
 */
enum { WEIR_OFILE_INPLACE = 1, WEIR_OFILE_APPEND = 2 };
typedef struct weir_ofile {
	int fd;
	char *path;		/* FILE, or the file its link names */
	char *tmp;		/* the new file, NULL when in place */
} weir_ofile;

/* 0, or WEIR_FAIL_IO (WEIR_FAIL_NOMEM) with "path: reason" in err. */
int weir_ofile_open(weir_ofile *f, const char *path, int flags, char *err,
    size_t errsz);
/* fsync, close and rename into place (close alone when in place, fsync
 * when a regular file).  WEIR_FAIL_IO with a message; the new file is
 * removed. */
int weir_ofile_commit(weir_ofile *f, char *err, size_t errsz);
/* Close without committing: the new file is removed. */
void weir_ofile_abort(weir_ofile *f);

/* Signals: handlers only set flags.  weir_sig_install() catches TERM, INT
 * and HUP (without SA_RESTART, so a blocking read returns) and ignores
 * PIPE, so a closed stdout is seen as EPIPE. */
void weir_sig_install(void);
int weir_sig_stop(void);	/* number of stop signals seen so far */
int weir_sig_last(void);	/* the last one */
/* fn runs, outside the signal handler, when a second stop signal has come
 * and a wait of this library is interrupted or looks (weir_write_all on
 * EINTR, Kafka's commits and close): for a source, whose first signal ends
 * its input, so that what follows it (a write to a reader that does not
 * read, Kafka's last commit) cannot hold the second back.  fn does not
 * return (lib/prog/stage.c: the message, exit 3). */
void weir_sig_on_second(void (*fn)(void));
void weir_sig_poll(void);	/* call fn if a second signal has come */

#endif
