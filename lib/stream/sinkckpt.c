/*
 * sinkckpt.c - the sink's side of checkpoints (sinkckpt.h).
 */
#include <errno.h>
#include <string.h>
#include <unistd.h>

#include "sinkckpt.h"

int
weir_sink_ckpt_open(weir_sink_ckpt *k, const char *dir, const char *name,
    const char *kind, uint64_t fp, int reset, uint64_t *keep, char *err,
    size_t errsz)
{
	int rc;

	*keep = 0;
	rc = weir_ckpt_open(&k->c, dir, name, kind, fp, reset, err, errsz);
	if (rc < 0)
		return rc;
	if (reset)
		return weir_sink_ckpt_attach(k, dir, NULL, err, errsz);
	*keep = k->c.commit.out_len;
	return weir_sink_ckpt_attach(k, dir, &k->c.commit, err, errsz);
}

int
weir_sink_ckpt_attach(weir_sink_ckpt *k, const char *dir,
    const weir_commit *found, char *err, size_t errsz)
{
	k->on = 1;
	k->dir = dir;
	if (!found)
		return 0;
	k->cm.id = found->id;
	if (weir_buf_put(&k->cm.positions, found->positions.p,
	    found->positions.len) < 0) {
		weir_seterr(err, errsz, "out of memory");
		return WEIR_FAIL_NOMEM;
	}
	return 0;
}

int
weir_sink_ckpt_commit(weir_sink_ckpt *k, uint64_t id, const uint8_t *payload,
    size_t n, int final, uint64_t out_len, char *err, size_t errsz)
{
	if (k->file && fsync(k->fd) < 0 && errno != EINVAL) {
		weir_seterr(err, errsz, "%s: %s", k->file, strerror(errno));
		return WEIR_FAIL_IO;
	}
	if (!final) {
		if (id <= k->cm.id && k->cm.id) {
			weir_seterr(err, errsz, "checkpoint %llu after %llu: "
			    "barriers out of order", (unsigned long long)id,
			    (unsigned long long)k->cm.id);
			return WEIR_FAIL_IO;
		}
		k->cm.id = id;
		k->cm.positions.len = 0;
		if (weir_buf_put(&k->cm.positions, payload, n) < 0) {
			weir_seterr(err, errsz, "out of memory");
			return WEIR_FAIL_NOMEM;
		}
	}
	k->cm.final = final;
	k->cm.out_len = out_len;
	return weir_commit_write(k->dir, &k->cm, err, errsz);
}
