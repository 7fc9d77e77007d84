/*
 * snap.h - checkpoint state on disk: stage snapshots and the commit record.
 *
 * A pipeline's state directory DIR holds, for each stage NAME:
 *
 *	DIR/NAME/LOCK		flock'd while the stage runs
 *	DIR/NAME/N.snap		the stage's state at checkpoint N
 *
 * and, written by the sink only, DIR/COMMITTED: the newest checkpoint whose
 * output is durable, with the source positions its barrier carried.  A
 * snapshot is written to N.snap.tmp, fsync'd, renamed and the directory
 * fsync'd, so a kill at any moment leaves either the old or the new file.
 *
 * Every file is a container (man/weir-format.5, SNAPSHOTS):
 *
 *	"WEIRSNAP" version:u32le kind:varint-string fingerprint:u64le
 *	id:u64le body-length:u64le body checksum:u64le
 *
 * The checksum is weir_hash() of every byte before it.  kind names the
 * writer ("weir-agg"); the fingerprint is a hash of the stage's arguments
 * (weir_ckpt_fingerprint), so a snapshot is never loaded by a stage that
 * would read its state differently.
 *
 * Bodies are written with the weir_sw_* helpers and read with weir_rd_*,
 * which check every bound and keep a sticky error: read everything, then
 * test rd.bad once.
 */
#ifndef WEIR_SNAP_H
#define WEIR_SNAP_H

#include "util.h"

#define WEIR_SNAP_VERSION 1
#define WEIR_COMMIT_NAME "COMMITTED"

/* Failure kinds: a negative return of the functions below, the library's
 * WEIR_FAIL_* kinds (util.h) under the names this module has used. */
enum {
	WEIR_SNAP_EIO = WEIR_FAIL_IO,	/* I/O: exit 3 */
	/* corrupt, other version, other arguments, in use by another
	 * process: exit 2 */
	WEIR_SNAP_EBAD = WEIR_FAIL_USAGE,
	WEIR_SNAP_ENOMEM = WEIR_FAIL_NOMEM	/* exit 3 */
};

/* --- body encoding ---------------------------------------------------- */

int weir_sw_u64(weir_buf *b, uint64_t v);	/* varint */
int weir_sw_i64(weir_buf *b, int64_t v);	/* zigzag varint */
int weir_sw_f64(weir_buf *b, double v);		/* 8 bytes, exact */
int weir_sw_bytes(weir_buf *b, const void *p, size_t n);
int weir_sw_str(weir_buf *b, const char *s);	/* NULL: as "" */

typedef struct weir_rd {
	const uint8_t *p, *end;
	int bad;
} weir_rd;

void weir_rd_init(weir_rd *r, const uint8_t *p, size_t n);
uint64_t weir_rd_u64(weir_rd *r);
int64_t weir_rd_i64(weir_rd *r);
double weir_rd_f64(weir_rd *r);
/* Points into the input; *n bytes.  NULL (and bad) when truncated. */
const uint8_t *weir_rd_bytes(weir_rd *r, size_t *n);
/* A count of items that each take at least min_size bytes: bad when the
 * rest of the input cannot hold them (bounds allocations on hostile input). */
uint64_t weir_rd_count(weir_rd *r, size_t min_size);
/* 0 when everything was read and nothing was bad, else -1 and a message. */
int weir_rd_done(const weir_rd *r, const char *what, char *err, size_t errsz);

/* --- containers --------------------------------------------------------- */

/* Encode a whole container into out (reset first). */
int weir_snap_encode(weir_buf *out, const char *kind, uint64_t fp,
    uint64_t id, const uint8_t *body, size_t n);
/* Decode one: body points into p.  kind and fp NULL/0: not checked. */
int weir_snap_decode(const uint8_t *p, size_t n, const char *kind,
    uint64_t fp, uint64_t *id, const uint8_t **body, size_t *blen,
    char *err, size_t errsz);

/* Write a file atomically: path.tmp, fsync, rename, fsync of the folder. */
int weir_snap_write_file(const char *path, const uint8_t *p, size_t n,
    char *err, size_t errsz);

/* --- the commit record (DIR/COMMITTED) ---------------------------------- */

typedef struct weir_commit {
	uint64_t id;		/* checkpoint id; 0: none yet */
	int final;		/* the pipeline reached its END after id */
	weir_buf positions;	/* the barrier's payload (JSON) */
	uint64_t out_len;	/* file sink: committed output length */
} weir_commit;

/* 0 when there is none (cm->id = 0), 1 when read; negative on error. */
int weir_commit_read(const char *dir, weir_commit *cm, char *err,
    size_t errsz);
int weir_commit_write(const char *dir, const weir_commit *cm, char *err,
    size_t errsz);
void weir_commit_free(weir_commit *cm);

/* --- a stage's checkpoint state -------------------------------------------- */

typedef struct weir_ckpt {
	char *dir;		/* the pipeline's state directory */
	char *sdir;		/* dir/name */
	char *kind;
	uint64_t fp;
	int lockfd;
	weir_commit commit;	/* as found at open */
	uint64_t last_saved;
	int reset;		/* --reset-state: start empty */
	int load_final;		/* restore after a finished run too (sources:
				   their counts and positions still hold) */
} weir_ckpt;

/* The hash of argv without the checkpoint options themselves (--state,
 * --name, --checkpoint, --reset-state), for weir_ckpt_open. */
uint64_t weir_ckpt_fingerprint(int argc, char *const *argv);

/*
 * Open the stage NAME's state in DIR (both made if missing), lock it (a
 * second process gets WEIR_SNAP_EBAD: "in use"), and read the commit
 * record.  reset: delete this stage's snapshots and start empty.
 */
int weir_ckpt_open(weir_ckpt *c, const char *dir, const char *name,
    const char *kind, uint64_t fp, int reset, char *err, size_t errsz);
/*
 * The state to start from: 1 with the snapshot body of the committed
 * checkpoint in body (reset first), 0 to start empty (nothing committed,
 * or the pipeline had reached its end).  Snapshots newer than the
 * committed checkpoint are deleted.  A committed checkpoint whose snapshot
 * is missing, corrupt, of another version or other arguments is an error
 * naming the file.
 */
int weir_ckpt_restore(weir_ckpt *c, weir_buf *body, char *err, size_t errsz);
/* Save checkpoint id's snapshot, then prune: snapshots older than the
 * newest committed one are removed but for WEIR_CKPT_KEEP of them. */
#define WEIR_CKPT_KEEP 2
int weir_ckpt_save(weir_ckpt *c, uint64_t id, const uint8_t *body, size_t n,
    char *err, size_t errsz);
void weir_ckpt_close(weir_ckpt *c);

/* The whole pipeline's state directory, for weir-run: lock DIR/LOCK (made
 * if missing; *fd stays open while it is held), or WEIR_SNAP_EBAD when
 * another process holds it. */
int weir_ckpt_lock_dir(const char *dir, int *fd, char *err, size_t errsz);
/* Start over: remove DIR/COMMITTED and every stage's snapshots. */
int weir_ckpt_reset_dir(const char *dir, char *err, size_t errsz);

#endif
