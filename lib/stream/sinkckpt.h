/*
 * sinkckpt.h - the sink's side of checkpoints (weir(7), CHECKPOINTS): the
 * sink decides what is committed.  At a barrier whose records are all out
 * (flushed and fsync'd, or delivered) it writes the commit record
 * (lib/base/snap.c) with the sources' positions the barrier carried.
 * Errors: a WEIR_FAIL_* kind with a message in err.
 */
#ifndef WEIR_SINKCKPT_H
#define WEIR_SINKCKPT_H

#include "snap.h"

typedef struct weir_sink_ckpt {
	weir_ckpt c;		/* the sink's own state (--path's files) */
	weir_commit cm;		/* what is committed */
	const char *dir;	/* the state directory */
	int on;
	const char *file;	/* -o FILE (NULL: none), fsync'd on fd */
	int fd;
} weir_sink_ckpt;

/*
 * Open the state NAME in dir (weir_ckpt_open) and read what was committed;
 * *keep is the committed length of -o FILE to keep (0: start the file
 * afresh, and after reset).  0 or a kind.
 */
int weir_sink_ckpt_open(weir_sink_ckpt *k, const char *dir, const char *name,
    const char *kind, uint64_t fp, int reset, uint64_t *keep, char *err,
    size_t errsz);
/*
 * For a program that opened its state with weir_ckpt_open itself (a stage
 * whose text output ends the pipeline, lib/prog/stage.c): commit into dir,
 * carrying on from found, the commit record read at open (NULL: after
 * --reset-state).  0 or a kind.
 */
int weir_sink_ckpt_attach(weir_sink_ckpt *k, const char *dir,
    const weir_commit *found, char *err, size_t errsz);
/*
 * Checkpoint id is complete: record it as committed with the positions in
 * payload and the output length out_len.  final: the stream's END, after
 * the last barrier (payload unused).  A barrier not after the last one is
 * an I/O error (the stream is broken).  0 or a kind.
 */
int weir_sink_ckpt_commit(weir_sink_ckpt *k, uint64_t id,
    const uint8_t *payload, size_t n, int final, uint64_t out_len, char *err,
    size_t errsz);

#endif
