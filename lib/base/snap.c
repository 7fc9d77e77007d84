/* snap.c - stage snapshots and the commit record on disk (snap.h). */
#include "snap.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include "hash.h"
#include "io.h"

#define MAGIC "WEIRSNAP"
#define MAGIC_LEN 8
#define SUM_SEED 0x5745495253554dULL	/* "WEIRSUM" */
#define COMMIT_KIND "commit"

/* --- body encoding ---------------------------------------------------- */

int
weir_sw_u64(weir_buf *b, uint64_t v)
{
	return weir_buf_put_varint(b, v);
}

int
weir_sw_i64(weir_buf *b, int64_t v)
{
	return weir_buf_put_varint(b, weir_zz_enc(v));
}

static void
le64(uint8_t *p, uint64_t v)
{
	int i;

	for (i = 0; i < 8; i++)
		p[i] = (uint8_t)(v >> (8 * i));
}

static uint64_t
get_le64(const uint8_t *p)
{
	uint64_t v = 0;
	int i;

	for (i = 7; i >= 0; i--)
		v = v << 8 | p[i];
	return v;
}

static int
put_le64(weir_buf *b, uint64_t v)
{
	uint8_t t[8];

	le64(t, v);
	return weir_buf_put(b, t, 8);
}

int
weir_sw_f64(weir_buf *b, double v)
{
	uint64_t u;

	memcpy(&u, &v, 8);
	return put_le64(b, u);
}

int
weir_sw_bytes(weir_buf *b, const void *p, size_t n)
{
	if (weir_sw_u64(b, n) < 0)
		return -1;
	return weir_buf_put(b, p, n);
}

int
weir_sw_str(weir_buf *b, const char *s)
{
	return weir_sw_bytes(b, s ? s : "", s ? strlen(s) : 0);
}

void
weir_rd_init(weir_rd *r, const uint8_t *p, size_t n)
{
	r->p = p;
	r->end = n ? p + n : p;	/* an empty buffer's p may be NULL */
	r->bad = 0;
}

uint64_t
weir_rd_u64(weir_rd *r)
{
	uint64_t v;

	if (r->bad || weir_varint_dec(&r->p, r->end, &v) < 0) {
		r->bad = 1;
		return 0;
	}
	return v;
}

int64_t
weir_rd_i64(weir_rd *r)
{
	return weir_zz_dec(weir_rd_u64(r));
}

double
weir_rd_f64(weir_rd *r)
{
	uint64_t u;
	double d;

	if (r->bad || r->end - r->p < 8) {
		r->bad = 1;
		return 0;
	}
	u = get_le64(r->p);
	r->p += 8;
	memcpy(&d, &u, 8);
	return d;
}

const uint8_t *
weir_rd_bytes(weir_rd *r, size_t *n)
{
	uint64_t len = weir_rd_u64(r);
	const uint8_t *p;

	*n = 0;
	if (r->bad || len > (uint64_t)(r->end - r->p)) {
		r->bad = 1;
		return NULL;
	}
	p = r->p;
	r->p += len;
	*n = (size_t)len;
	return p;
}

uint64_t
weir_rd_count(weir_rd *r, size_t min_size)
{
	uint64_t n = weir_rd_u64(r);

	if (min_size == 0)
		min_size = 1;
	if (r->bad || n > (uint64_t)(r->end - r->p) / min_size) {
		r->bad = 1;
		return 0;
	}
	return n;
}

int
weir_rd_done(const weir_rd *r, const char *what, char *err, size_t errsz)
{
	if (r->bad) {
		weir_seterr(err, errsz, "%s: truncated or malformed state", what);
		return -1;
	}
	if (r->p != r->end) {
		weir_seterr(err, errsz, "%s: %zu bytes of unexpected state at "
		    "the end", what, (size_t)(r->end - r->p));
		return -1;
	}
	return 0;
}

/* --- containers --------------------------------------------------------- */

int
weir_snap_encode(weir_buf *out, const char *kind, uint64_t fp, uint64_t id,
    const uint8_t *body, size_t n)
{
	uint8_t v[4] = { WEIR_SNAP_VERSION & 0xff, WEIR_SNAP_VERSION >> 8, 0,
	    0 };

	out->len = 0;
	if (weir_buf_put(out, MAGIC, MAGIC_LEN) < 0 ||
	    weir_buf_put(out, v, 4) < 0 || weir_sw_str(out, kind) < 0 ||
	    put_le64(out, fp) < 0 || put_le64(out, id) < 0 ||
	    put_le64(out, n) < 0 || weir_buf_put(out, body, n) < 0)
		return WEIR_SNAP_ENOMEM;
	if (put_le64(out, weir_hash(out->p, out->len, SUM_SEED)) < 0)
		return WEIR_SNAP_ENOMEM;
	return 0;
}

int
weir_snap_decode(const uint8_t *p, size_t n, const char *kind, uint64_t fp,
    uint64_t *id, const uint8_t **body, size_t *blen, char *err,
    size_t errsz)
{
	weir_rd r;
	const uint8_t *k;
	size_t klen;
	uint32_t version;
	uint64_t len, sum, f;

	if (n < MAGIC_LEN + 4 + 1 + 32 || memcmp(p, MAGIC, MAGIC_LEN)) {
		weir_seterr(err, errsz, "not a weir snapshot (or truncated)");
		return WEIR_SNAP_EBAD;
	}
	/* the version first: another version may sum differently */
	version = (uint32_t)p[8] | (uint32_t)p[9] << 8 | (uint32_t)p[10] << 16 |
	    (uint32_t)p[11] << 24;
	if (version != WEIR_SNAP_VERSION) {
		weir_seterr(err, errsz, "snapshot format version %u, this "
		    "program reads version %d", version, WEIR_SNAP_VERSION);
		return WEIR_SNAP_EBAD;
	}
	sum = get_le64(p + n - 8);
	if (weir_hash(p, n - 8, SUM_SEED) != sum) {
		weir_seterr(err, errsz, "checksum mismatch: the file is "
		    "corrupt or truncated");
		return WEIR_SNAP_EBAD;
	}
	weir_rd_init(&r, p + 12, n - 12 - 8);
	k = weir_rd_bytes(&r, &klen);
	if (r.bad || r.end - r.p < 24) {
		weir_seterr(err, errsz, "truncated snapshot header");
		return WEIR_SNAP_EBAD;
	}
	f = get_le64(r.p);
	*id = get_le64(r.p + 8);
	len = get_le64(r.p + 16);
	r.p += 24;
	if (len != (uint64_t)(r.end - r.p)) {
		weir_seterr(err, errsz, "snapshot body length does not match "
		    "the file");
		return WEIR_SNAP_EBAD;
	}
	if (kind && (klen != strlen(kind) || memcmp(k, kind, klen))) {
		weir_seterr(err, errsz, "snapshot written by %.*s, not %s",
		    (int)(klen > 64 ? 64 : klen), (const char *)k, kind);
		return WEIR_SNAP_EBAD;
	}
	if (fp && f != fp) {
		weir_seterr(err, errsz, "snapshot written by a stage with "
		    "other arguments (use --reset-state to start over)");
		return WEIR_SNAP_EBAD;
	}
	*body = r.p;
	*blen = (size_t)len;
	return 0;
}

static int
fsync_dir(const char *path, char *err, size_t errsz)
{
	char *d = strdup(path), *slash;
	int fd, rc = 0;

	if (!d)
		return WEIR_SNAP_ENOMEM;
	slash = strrchr(d, '/');
	if (slash == d)
		slash[1] = 0;
	else if (slash)
		*slash = 0;
	else
		strcpy(d, ".");
	fd = open(d, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0 || fsync(fd) < 0) {
		weir_seterr(err, errsz, "%s: %s", d, strerror(errno));
		rc = WEIR_SNAP_EIO;
	}
	if (fd >= 0)
		close(fd);
	free(d);
	return rc;
}

int
weir_snap_write_file(const char *path, const uint8_t *p, size_t n, char *err,
    size_t errsz)
{
	weir_buf tmp = { 0 };
	int fd, rc = WEIR_SNAP_EIO;

	if (weir_buf_printf(&tmp, "%s.tmp", path) < 0 || weir_buf_putc(&tmp, 0))
		return WEIR_SNAP_ENOMEM;
	fd = open((char *)tmp.p, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC,
	    0644);
	if (fd < 0) {
		weir_seterr(err, errsz, "%s: %s", (char *)tmp.p, strerror(errno));
		goto out;
	}
	if (weir_write_all(fd, p, n) < 0 || fsync(fd) < 0) {
		weir_seterr(err, errsz, "%s: %s", (char *)tmp.p, strerror(errno));
		close(fd);
		unlink((char *)tmp.p);
		goto out;
	}
	close(fd);
	if (rename((char *)tmp.p, path) < 0) {
		weir_seterr(err, errsz, "%s: %s", path, strerror(errno));
		unlink((char *)tmp.p);
		goto out;
	}
	rc = fsync_dir(path, err, errsz);
out:
	weir_buf_free(&tmp);
	return rc;
}

/* Read a whole file: 0 ok, 1 missing, negative on error. */
static int
slurp(const char *path, weir_buf *b, char *err, size_t errsz)
{
	int rc = weir_read_file(path, b, SIZE_MAX, err, errsz);

	if (rc == WEIR_FAIL_IO && errno == ENOENT)
		return 1;
	return rc;	/* 0, or a kind: WEIR_SNAP_EIO, WEIR_SNAP_ENOMEM */
}

/* --- the commit record ---------------------------------------------------- */

static char *
join_path(const char *a, const char *b)
{
	size_t n = strlen(a) + strlen(b) + 2;
	char *s = malloc(n);

	if (s)
		snprintf(s, n, "%s/%s", a, b);
	return s;
}

int
weir_commit_read(const char *dir, weir_commit *cm, char *err, size_t errsz)
{
	char *path = join_path(dir, WEIR_COMMIT_NAME);
	char why[WEIR_ERRSZ];
	weir_buf b = { 0 };
	const uint8_t *body, *pos;
	size_t blen, plen;
	weir_rd r;
	int rc;

	cm->id = 0;
	cm->final = 0;
	cm->out_len = 0;
	cm->positions.len = 0;
	if (!path)
		return WEIR_SNAP_ENOMEM;
	rc = slurp(path, &b, err, errsz);
	if (rc) {
		free(path);
		weir_buf_free(&b);
		return rc == 1 ? 0 : rc;
	}
	rc = weir_snap_decode(b.p, b.len, COMMIT_KIND, 0, &cm->id, &body,
	    &blen, why, sizeof(why));
	if (rc == 0) {
		weir_rd_init(&r, body, blen);
		cm->final = (int)weir_rd_u64(&r);
		cm->out_len = weir_rd_u64(&r);
		pos = weir_rd_bytes(&r, &plen);
		if (weir_rd_done(&r, "commit record", why, sizeof(why)) < 0)
			rc = WEIR_SNAP_EBAD;
		else if (weir_buf_put(&cm->positions, pos, plen) < 0)
			rc = WEIR_SNAP_ENOMEM;
	}
	if (rc < 0)
		weir_seterr(err, errsz, "%s: %s", path, why);
	free(path);
	weir_buf_free(&b);
	return rc < 0 ? rc : 1;
}

int
weir_commit_write(const char *dir, const weir_commit *cm, char *err,
    size_t errsz)
{
	char *path = join_path(dir, WEIR_COMMIT_NAME);
	weir_buf body = { 0 }, file = { 0 };
	int rc = WEIR_SNAP_ENOMEM;

	if (!path)
		return rc;
	if (weir_sw_u64(&body, (uint64_t)cm->final) == 0 &&
	    weir_sw_u64(&body, cm->out_len) == 0 &&
	    weir_sw_bytes(&body, cm->positions.p, cm->positions.len) == 0 &&
	    weir_snap_encode(&file, COMMIT_KIND, 0, cm->id, body.p,
	    body.len) == 0)
		rc = weir_snap_write_file(path, file.p, file.len, err, errsz);
	free(path);
	weir_buf_free(&body);
	weir_buf_free(&file);
	return rc;
}

void
weir_commit_free(weir_commit *cm)
{
	weir_buf_free(&cm->positions);
}

/* --- a stage's checkpoint state -------------------------------------------- */

uint64_t
weir_ckpt_fingerprint(int argc, char *const *argv)
{
	static const char *const skip[] = { "--state", "--name",
	    "--checkpoint", NULL };
	uint64_t h = 0x77656972;	/* "weir" */
	int i, j;

	for (i = 1; i < argc; i++) {
		const char *a = argv[i];
		int drop = 0;
		if (!strcmp(a, "--reset-state"))
			continue;
		for (j = 0; skip[j]; j++) {
			size_t n = strlen(skip[j]);
			if (!strncmp(a, skip[j], n) && a[n] == '=')
				drop = 1;
			else if (!strcmp(a, skip[j]))
				drop = 2;
		}
		if (drop) {
			i += drop - 1;	/* "--state DIR": skip DIR too */
			continue;
		}
		h = weir_hash(a, strlen(a) + 1, h);
	}
	return h ? h : 1;
}

static int
mkdirs(const char *path, char *err, size_t errsz)
{
	char *p = strdup(path), *s;
	int rc = 0;

	if (!p)
		return WEIR_SNAP_ENOMEM;
	for (s = p + 1; ; s++) {
		if (*s != '/' && *s)
			continue;
		char c = *s;
		*s = 0;
		if (mkdir(p, 0755) < 0 && errno != EEXIST) {
			weir_seterr(err, errsz, "%s: %s", p, strerror(errno));
			rc = WEIR_SNAP_EIO;
			break;
		}
		*s = c;
		if (!c)
			break;
	}
	free(p);
	return rc;
}

/* The id of a file named "N.snap", or 0. */
static uint64_t
snap_id(const char *name)
{
	char *end;
	unsigned long long v;

	if (name[0] < '0' || name[0] > '9')
		return 0;
	errno = 0;
	v = strtoull(name, &end, 10);
	if (errno || strcmp(end, ".snap"))
		return 0;
	return v;
}

static char *
snap_path(const weir_ckpt *c, uint64_t id)
{
	char name[40];

	snprintf(name, sizeof(name), "%llu.snap", (unsigned long long)id);
	return join_path(c->sdir, name);
}

/*
 * Remove snapshots (and stray .tmp files) of this stage: those newer than
 * above, and of those older than below all but the newest keep.
 */
static void
prune(weir_ckpt *c, uint64_t below, unsigned keep, uint64_t above)
{
	DIR *d = opendir(c->sdir);
	struct dirent *e;
	uint64_t old[64];
	size_t nold = 0, i, j;

	if (!d)
		return;
	while ((e = readdir(d))) {
		size_t n = strlen(e->d_name);
		uint64_t id = snap_id(e->d_name);
		char *p;
		int del = 0;
		if (n > 4 && !strcmp(e->d_name + n - 4, ".tmp"))
			del = 1;
		else if (id && id > above)
			del = 1;
		else if (id && id < below && nold < 64)
			old[nold++] = id;
		if (del && (p = join_path(c->sdir, e->d_name))) {
			unlink(p);
			free(p);
		}
	}
	closedir(d);
	if (nold <= keep)
		return;
	for (i = 1; i < nold; i++)	/* newest first */
		for (j = i; j > 0 && old[j] > old[j - 1]; j--) {
			uint64_t t = old[j];
			old[j] = old[j - 1];
			old[j - 1] = t;
		}
	for (i = keep; i < nold; i++) {
		char *p = snap_path(c, old[i]);
		if (p) {
			unlink(p);
			free(p);
		}
	}
}

/*
 * Lock path (made if missing).  A process that was just killed may still
 * hold the lock for a moment (its parent died with SIGKILL and took it
 * down with PR_SET_PDEATHSIG): wait for it a bounded time.
 */
static int
lock_file(const char *path, int *fd, char *err, size_t errsz)
{
	int i;

	*fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0644);
	if (*fd < 0) {
		weir_seterr(err, errsz, "%s: %s", path, strerror(errno));
		return WEIR_SNAP_EIO;
	}
	for (i = 0; i < 60; i++) {	/* 3 s */
		if (flock(*fd, LOCK_EX | LOCK_NB) == 0)
			return 0;
		if (errno != EWOULDBLOCK && errno != EINTR) {
			weir_seterr(err, errsz, "%s: %s", path, strerror(errno));
			return WEIR_SNAP_EIO;
		}
		usleep(50000);
	}
	weir_seterr(err, errsz, "%s: in use by another process", path);
	return WEIR_SNAP_EBAD;
}

int
weir_ckpt_lock_dir(const char *dir, int *fd, char *err, size_t errsz)
{
	char *lock;
	int rc;

	*fd = -1;
	if ((rc = mkdirs(dir, err, errsz)) < 0)
		return rc;
	if (!(lock = join_path(dir, "LOCK")))
		return WEIR_SNAP_ENOMEM;
	rc = lock_file(lock, fd, err, errsz);
	if (rc == WEIR_SNAP_EBAD)
		weir_seterr(err, errsz, "%s: the state directory is in use by "
		    "another running pipeline", dir);
	free(lock);
	return rc;
}

int
weir_ckpt_reset_dir(const char *dir, char *err, size_t errsz)
{
	DIR *d = opendir(dir);
	struct dirent *e;
	weir_ckpt c;
	char *p;
	int rc;

	if (!d)
		return errno == ENOENT ? 0 : (weir_seterr(err, errsz, "%s: %s",
		    dir, strerror(errno)), WEIR_SNAP_EIO);
	while ((e = readdir(d))) {
		if (e->d_name[0] == '.' || !(p = join_path(dir, e->d_name)))
			continue;
		if (!strcmp(e->d_name, WEIR_COMMIT_NAME))
			unlink(p);
		else {
			memset(&c, 0, sizeof(c));
			c.sdir = p;
			prune(&c, UINT64_MAX, 0, 0);	/* a stage's folder */
		}
		free(p);
	}
	closedir(d);
	if (!(p = join_path(dir, WEIR_COMMIT_NAME)))
		return WEIR_SNAP_ENOMEM;
	rc = fsync_dir(p, err, errsz);	/* the folder p is in */
	free(p);
	return rc < 0 ? WEIR_SNAP_EIO : 0;
}

int
weir_ckpt_open(weir_ckpt *c, const char *dir, const char *name,
    const char *kind, uint64_t fp, int reset, char *err, size_t errsz)
{
	char *lock;
	int rc;

	memset(c, 0, sizeof(*c));
	c->lockfd = -1;
	c->fp = fp;
	if (!*dir || !*name || strchr(name, '/') || !strcmp(name, ".") ||
	    !strcmp(name, "..")) {
		weir_seterr(err, errsz, "bad state directory or stage name '%s'",
		    name);
		return WEIR_SNAP_EBAD;
	}
	c->dir = strdup(dir);
	c->sdir = join_path(dir, name);
	c->kind = strdup(kind);
	if (!c->dir || !c->sdir || !c->kind)
		return WEIR_SNAP_ENOMEM;
	if ((rc = mkdirs(c->sdir, err, errsz)) < 0)
		return rc;
	if (!(lock = join_path(c->sdir, "LOCK")))
		return WEIR_SNAP_ENOMEM;
	rc = lock_file(lock, &c->lockfd, err, errsz);
	free(lock);
	if (rc == WEIR_SNAP_EBAD)
		weir_seterr(err, errsz, "%s: state of stage '%s' is in use by "
		    "another process (one state directory per running "
		    "pipeline)", c->sdir, name);
	if (rc < 0)
		return rc;
	c->reset = reset;
	if (reset)
		prune(c, UINT64_MAX, 0, 0);
	rc = weir_commit_read(dir, &c->commit, err, errsz);
	return rc < 0 ? rc : 0;
}

int
weir_ckpt_restore(weir_ckpt *c, weir_buf *body, char *err, size_t errsz)
{
	weir_buf file = { 0 };
	char why[WEIR_ERRSZ];
	const uint8_t *b;
	size_t blen;
	uint64_t id, want = c->commit.id;
	char *path;
	int rc;

	body->len = 0;
	prune(c, 0, 0, want);	/* newer than the commit: never committed */
	if (!want || (c->commit.final && !c->load_final) || c->reset)
		return 0;
	if (!(path = snap_path(c, want)))
		return WEIR_SNAP_ENOMEM;
	rc = slurp(path, &file, why, sizeof(why));
	if (rc == 1) {
		snprintf(why, sizeof(why), "missing: checkpoint %llu is "
		    "committed in %s/%s but this stage has no snapshot of it "
		    "(use --reset-state to start over)", (unsigned long long)want,
		    c->dir, WEIR_COMMIT_NAME);
		rc = WEIR_SNAP_EBAD;
	} else if (rc == 0) {
		rc = weir_snap_decode(file.p, file.len, c->kind, c->fp, &id, &b,
		    &blen, why, sizeof(why));
		if (rc == 0 && id != want) {
			snprintf(why, sizeof(why), "holds checkpoint %llu, not "
			    "%llu", (unsigned long long)id,
			    (unsigned long long)want);
			rc = WEIR_SNAP_EBAD;
		}
		if (rc == 0 && weir_buf_put(body, b, blen) < 0)
			rc = WEIR_SNAP_ENOMEM;
	}
	if (rc < 0)
		weir_seterr(err, errsz, "%s: %s", path, why);
	free(path);
	weir_buf_free(&file);
	return rc < 0 ? rc : 1;
}

int
weir_ckpt_save(weir_ckpt *c, uint64_t id, const uint8_t *body, size_t n,
    char *err, size_t errsz)
{
	weir_buf file = { 0 };
	weir_commit cm = { 0 };
	char *path = snap_path(c, id);
	int rc;

	if (!path)
		return WEIR_SNAP_ENOMEM;
	rc = weir_snap_encode(&file, c->kind, c->fp, id, body, n);
	if (rc == 0)
		rc = weir_snap_write_file(path, file.p, file.len, err, errsz);
	free(path);
	weir_buf_free(&file);
	if (rc < 0)
		return rc;
	c->last_saved = id;
	/* prune by what the sink has committed by now */
	if (weir_commit_read(c->dir, &cm, err, errsz) > 0 && cm.id)
		prune(c, cm.id, WEIR_CKPT_KEEP, UINT64_MAX);
	weir_commit_free(&cm);
	return 0;
}

void
weir_ckpt_close(weir_ckpt *c)
{
	if (c->lockfd >= 0)
		close(c->lockfd);
	c->lockfd = -1;
	weir_commit_free(&c->commit);
	free(c->dir);
	free(c->sdir);
	free(c->kind);
	c->dir = c->sdir = c->kind = NULL;
}
