/*
 * bucket.c - one file per time bucket (see bucket.h).
 */
#include "bucket.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "dur.h"
#include "output.h"
#include "record.h"
#include "snap.h"

struct bfile {
	char *path;
	int fd;
	weir_output *out;
	uint64_t used;		/* tick of the last write: LRU */
	size_t si;		/* its place in seen */
	uint64_t base;		/* its length when opened */
};

struct weir_bucket {
	weir_bucket_spec sp;
	struct bfile *f;	/* max_open slots; path NULL when free */
	unsigned nopen;
	uint64_t tick, files;
	weir_buf seen;		/* paths opened in this run, NUL-ended */
	uint64_t *len;		/* their lengths when last closed or synced */
	size_t nseen, caplen;
	int64_t last_sec;	/* the second last expanded, into name */
	char name[4096];
	struct bfile *last;	/* the file of the last record */
	weir_buf tmp;
};

int
weir_bucket_open(weir_bucket **out, const weir_bucket_spec *sp, char *err,
    size_t errsz)
{
	weir_bucket *b;
	const char *p;
	int conv = 0;

	for (p = sp->tmpl; (p = strchr(p, '%')); p += 2) {
		if (!p[1])
			break;
		if (p[1] != '%')
			conv = 1;
	}
	if (!conv) {
		weir_seterr(err, errsz, "--path %s: no time in the name (a "
		    "strftime conversion such as %%Y-%%m-%%d/%%H)", sp->tmpl);
		return WEIR_FAIL_USAGE;
	}
	if (!(b = calloc(1, sizeof(*b))) ||
	    !(b->f = calloc(sp->max_open, sizeof(*b->f)))) {
		free(b);
		weir_seterr(err, errsz, "out of memory");
		return WEIR_FAIL_NOMEM;
	}
	b->sp = *sp;
	b->last_sec = INT64_MIN;
	*out = b;
	return 0;
}

/* mkdir -p of the directories of path. */
static int
make_dirs(const char *path)
{
	char buf[4096], *s;

	if (strlen(path) >= sizeof(buf))
		return -1;
	strcpy(buf, path);
	for (s = buf + 1; (s = strchr(s, '/')); s++) {
		*s = 0;
		if (mkdir(buf, 0777) < 0 && errno != EEXIST)
			return -1;
		*s = '/';
	}
	return 0;
}

/* path's place in seen, or -1 */
static long
seen_before(weir_bucket *b, const char *path)
{
	const char *p = (const char *)b->seen.p, *end = p + b->seen.len;
	long i;

	for (i = 0; p < end; p += strlen(p) + 1, i++)
		if (strcmp(p, path) == 0)
			return i;
	return -1;
}

static int
seen_add(weir_bucket *b, const char *path, uint64_t len)
{
	if (weir_grow(&b->len, &b->caplen, b->nseen + 1, sizeof(*b->len),
	    SIZE_MAX) < 0 || weir_buf_put(&b->seen, path, strlen(path) + 1) < 0)
		return -1;
	b->len[b->nseen++] = len;
	return 0;
}

static int
file_close(weir_bucket *b, struct bfile *f, char *err, size_t errsz)
{
	int rc = weir_output_end(f->out);

	if (rc == WEIR_FAIL_NOMEM)
		weir_seterr(err, errsz, "out of memory");
	else if (rc < 0)
		weir_seterr(err, errsz, "%s: %s", f->path,
		    strerror(weir_output_failed(f->out)));
	if (((b->sp.sync && fsync(f->fd) < 0) || close(f->fd) < 0) && !rc) {
		weir_seterr(err, errsz, "%s: %s", f->path, strerror(errno));
		rc = WEIR_FAIL_IO;
	}
	b->len[f->si] = f->base + weir_output_bytes(f->out);
	weir_output_close(f->out);
	free(f->path);
	memset(f, 0, sizeof(*f));
	if (b->last == f)
		b->last = NULL;
	b->nopen--;
	return rc;
}

/* The open file for b->name: found, or opened in a free slot (the least
 * recently written closed to make one). */
static struct bfile *
file_get(weir_bucket *b, int *rc, char *err, size_t errsz)
{
	struct bfile *f, *lru = NULL, *slot = NULL;
	char why[WEIR_ERRSZ];
	unsigned i;
	int again, flags, orc = 0;
	long si;

	for (i = 0; i < b->sp.max_open; i++) {
		f = &b->f[i];
		if (!f->path) {
			slot = slot ? slot : f;
			continue;
		}
		if (strcmp(f->path, b->name) == 0)
			return f;
		if (!lru || f->used < lru->used)
			lru = f;
	}
	if (!slot) {
		if ((*rc = file_close(b, lru, err, errsz)) < 0)
			return NULL;
		slot = lru;
	}
	si = seen_before(b, b->name);
	again = si >= 0;
	flags = O_WRONLY | O_CREAT | O_CLOEXEC |
	    (again || b->sp.append ? O_APPEND : O_TRUNC);
	*rc = WEIR_FAIL_IO;
	if (make_dirs(b->name) < 0 ||
	    (slot->fd = open(b->name, flags, 0666)) < 0) {
		weir_seterr(err, errsz, "%s: %s", b->name, strerror(errno));
		return NULL;
	}
	*rc = WEIR_FAIL_NOMEM;
	weir_seterr(err, errsz, "out of memory");
	slot->out = NULL;
	if (!(slot->path = strdup(b->name)) ||
	    (orc = weir_output_open_fields(&slot->out, slot->fd, b->sp.fmt,
	    b->sp.fields, why, sizeof(why))) < 0 ||
	    (!again && seen_add(b, b->name, 0) < 0)) {
		if (orc < 0 && (*rc = orc) != WEIR_FAIL_NOMEM)	/* not names */
			weir_seterr(err, errsz, "--fields: %s", why);
		if (slot->out)
			weir_output_close(slot->out);
		close(slot->fd);
		free(slot->path);
		memset(slot, 0, sizeof(*slot));
		return NULL;
	}
	slot->si = again ? (size_t)si : b->nseen - 1;
	slot->base = again ? b->len[si] : 0;
	if (b->sp.append && !again) {
		off_t end = lseek(slot->fd, 0, SEEK_END);
		slot->base = end > 0 ? (uint64_t)end : 0;
	}
	if (again || slot->base > 0)
		weir_output_resume(slot->out);	/* the header is there */
	if (b->sp.timefmt >= 0)
		weir_output_set_time_format(slot->out, b->sp.timefmt);
	b->nopen++;
	if (!again)
		b->files++;
	return slot;
}

int
weir_bucket_write(weir_bucket *b, const weir_record *r, char *err,
    size_t errsz)
{
	struct bfile *f = b->last;
	int64_t ms = r->ts, sec;
	struct tm tm;
	time_t t;
	int rc;

	if (b->sp.time) {
		weir_pv root, v;
		if ((rc = weir_record_json(r, &b->tmp, &root)) <= 0 ||
		    !weir_path_get(b->sp.time, &root, &v) ||
		    weir_time_from_pv(&v, v.type == WEIR_PV_STRING ?
		    WEIR_TIME_ISO8601 : WEIR_TIME_MS, &ms) < 0) {
			if (rc == WEIR_FAIL_NOMEM)
				return rc;
			weir_seterr(err, errsz, "--path-time: %s is not a time "
			    "(epoch milliseconds or ISO 8601)",
			    b->sp.time->text);
			return WEIR_FAIL_DATA;
		}
	} else if (!(r->flags & WEIR_R_TS)) {
		weir_seterr(err, errsz, "--path: a record without an event "
		    "time (give it one with weir-source --time)");
		return WEIR_FAIL_DATA;
	}
	sec = ms >= 0 ? ms / 1000 : -((-ms + 999) / 1000);
	if (sec != b->last_sec || !f) {
		t = (time_t)sec;
		if (!gmtime_r(&t, &tm) || !strftime(b->name, sizeof(b->name),
		    b->sp.tmpl, &tm)) {
			weir_seterr(err, errsz, "--path %s: no name for time "
			    "%lld", b->sp.tmpl, (long long)ms);
			return WEIR_FAIL_DATA;
		}
		b->last_sec = sec;
		if (!f || strcmp(f->path, b->name) != 0)
			f = NULL;
	}
	if (!f && !(f = file_get(b, &rc, err, errsz)))
		return rc;
	b->last = f;
	f->used = ++b->tick;
	rc = weir_output_record(f->out, r);
	if (rc == WEIR_FAIL_IO)
		weir_seterr(err, errsz, "%s: %s", f->path,
		    strerror(weir_output_failed(f->out)));
	else if (rc < 0)	/* a record too big; out of memory */
		weir_seterr(err, errsz, "%s", weir_output_error(f->out));
	return rc;
}

int
weir_bucket_close(weir_bucket *b, char *err, size_t errsz)
{
	unsigned i;
	int rc = 0;

	for (i = 0; i < b->sp.max_open; i++)
		if (b->f[i].path && file_close(b, &b->f[i], err, errsz) < 0)
			rc = WEIR_FAIL_IO;
	return rc;
}

void
weir_bucket_free(weir_bucket *b)
{
	char err[WEIR_ERRSZ];

	if (!b)
		return;
	weir_bucket_close(b, err, sizeof(err));
	free(b->f);
	weir_buf_free(&b->seen);
	free(b->len);
	weir_buf_free(&b->tmp);
	free(b);
}

uint64_t
weir_bucket_files(const weir_bucket *b)
{
	return b->files;
}

unsigned
weir_bucket_open_files(const weir_bucket *b)
{
	return b->nopen;
}

int
weir_bucket_sync(weir_bucket *b, weir_buf *state, char *err, size_t errsz)
{
	const char *p = (const char *)b->seen.p;
	struct bfile *f;
	unsigned i;
	size_t k;

	for (i = 0; i < b->sp.max_open; i++) {
		f = &b->f[i];
		if (!f->path)
			continue;
		if (weir_output_flush(f->out) < 0 || fsync(f->fd) < 0) {
			weir_seterr(err, errsz, "%s: %s", f->path,
			    strerror(errno));
			return WEIR_FAIL_IO;
		}
		b->len[f->si] = f->base + weir_output_bytes(f->out);
	}
	if (weir_sw_u64(state, b->nseen) < 0)
		goto oom;
	for (k = 0; k < b->nseen; k++, p += strlen(p) + 1)
		if (weir_sw_str(state, p) < 0 ||
		    weir_sw_u64(state, b->len[k]) < 0)
			goto oom;
	return 0;
oom:
	weir_seterr(err, errsz, "out of memory");
	return WEIR_FAIL_NOMEM;
}

int
weir_bucket_restore(weir_bucket *b, const uint8_t *p, size_t n, char *err,
    size_t errsz)
{
	char path[sizeof(b->name)];
	const uint8_t *s;
	uint64_t count, k, len;
	size_t sl;
	weir_rd rd;

	weir_rd_init(&rd, p, n);
	count = weir_rd_count(&rd, 2);
	for (k = 0; k < count && !rd.bad; k++) {
		s = weir_rd_bytes(&rd, &sl);
		len = weir_rd_u64(&rd);
		if (rd.bad || sl == 0 || sl >= sizeof(path) ||
		    memchr(s, 0, sl))
			break;
		memcpy(path, s, sl);
		path[sl] = 0;
		if (len == 0)	/* nothing committed: made afresh */
			continue;
		if (truncate(path, (off_t)len) < 0) {
			weir_seterr(err, errsz, "%s: %s (a file of the "
			    "checkpoint)", path, strerror(errno));
			return WEIR_FAIL_IO;
		}
		if (seen_add(b, path, len) < 0) {
			weir_seterr(err, errsz, "out of memory");
			return WEIR_FAIL_NOMEM;
		}
	}
	if (weir_rd_done(&rd, "--path state", err, errsz) < 0)
		return WEIR_FAIL_USAGE;
	return 0;
}
