/*
 * window_session_impl.h - what the parts of the session windows share
 * (private to lib/window/window_session*.c):
 *   window_session.c        sessions and groups, adding, merging, closing;
 *   window_session_state.c  checkpoints: saving and loading them.
 */
#ifndef WEIR_WINDOW_SESSION_IMPL_H
#define WEIR_WINDOW_SESSION_IMPL_H

#include "endq.h"
#include "window.h"

#define NONE UINT32_MAX
#define GROUP_SEED 0x5e55

/* Sessions and groups are a cache line each, in line-aligned arrays
 * (grow_lines): a record's lookup touches one line of each. */
#define LINE 64

struct sess {
	_Alignas(LINE) int64_t start;	/* window [start, last + gap) */
	int64_t last;
	weir_buf recs;		/* self-contained RECORD frames */
	uint32_t nrecs;
	uint32_t group;
	uint32_t gen;		/* bumped when the slot is freed */
	uint8_t live;
	uint8_t unsorted;	/* recs not in order of event time */
};

/* A group's key up to KEY_IN bytes and its first session id live in the
 * group itself: a record's lookup touches one group, not three blocks. */
#define KEY_IN 20

struct group {
	_Alignas(LINE) uint64_t hash;
	uint32_t klen;
	uint32_t n;
	uint32_t one;		/* ids[0] while cap is 0 */
	uint32_t cap;
	uint32_t used;
	uint8_t kin[KEY_IN];
	uint8_t *key;		/* klen > KEY_IN */
	uint32_t *ids;		/* open sessions, by start (and so by end) */
};

_Static_assert(sizeof(struct sess) == LINE && sizeof(struct group) == LINE,
    "a session or group is one cache line");

static inline const uint8_t *
gkey(const struct group *g)
{
	return g->klen <= KEY_IN ? g->kin : g->key;
}

static inline uint32_t *
gids(struct group *g)
{
	return g->cap ? g->ids : &g->one;
}

struct sortent {
	int64_t ts;
	size_t off;
	uint32_t seq;
};

/* A record put (weir_window_sessions_put) and not yet added: a copy. */
#define AHEAD 5

struct ahead {
	weir_record r;
	weir_buf data;		/* its key, value, headers and topic */
	weir_buf key;		/* its group */
	uint64_t h;		/* the group's hash */
	int64_t cutoff;
	uint32_t gid, sid;	/* hints: as found one step before */
};

struct weir_window_sessions {
	int64_t gap;
	struct sess *sess;
	uint32_t nsess;
	size_t capsess;
	uint32_t *sfree;
	uint32_t nsfree;
	size_t capsfree, capgfree;	/* of sfree and gfree */
	struct group *grp;
	uint32_t ngrp;
	size_t capgrp;
	uint32_t *gfree;
	uint32_t ngfree;
	uint32_t *table;	/* open addressing: group ids, NONE empty */
	size_t tcap, tused;
	weir__endq ends;	/* session ends, as lower bounds */
	struct sortent *sortv;
	size_t capsort;
	size_t open, records;
	size_t idle;		/* groups kept with no open session */
	struct ahead ahead[AHEAD];	/* records put, not yet added */
	unsigned nahead, ahead0;
};

/* Room for need session ids in g (0, or -1: no memory). */
int weir__sess_gids_reserve(struct group *g, size_t need);
/* The table slot of the group with hash h and that key, or the empty slot
 * where it would go. */
size_t weir__sess_slot_of(const weir_window_sessions *s, uint64_t h,
    const uint8_t *key, size_t klen);
/* A new group for that key (not in the table yet) into *gid: 0, or -1
 * no memory.  It and weir__sess_new need weir__sess_reserve_free first. */
int weir__sess_group_new(weir_window_sessions *s, uint64_t h,
    const uint8_t *key, size_t klen, uint32_t *gid);
/* A new session slot into *sid (0, or -1: no memory); weir__sess_free
 * gives it back. */
int weir__sess_new(weir_window_sessions *s, uint32_t *sid);
void weir__sess_free(weir_window_sessions *s, uint32_t id);
/* The order of two queue entries with the same end (endq.h). */
int weir__sess_end_tie(void *arg, const weir__endq_ent *a,
    const weir__endq_ent *b);
/* Grow the free lists to hold every slot (0, or -1: no memory). */
int weir__sess_reserve_free(weir_window_sessions *s);
/* Hold a copy of record r at the end of b (0, or -1: no memory); get
 * reads one back from p (before end): the byte after it, or NULL if it is
 * cut short or malformed. */
int weir__sess_held_put(weir_buf *b, const weir_record *r);
const uint8_t *weir__sess_held_get(const uint8_t *p, const uint8_t *end,
    weir_record *r);

#endif
