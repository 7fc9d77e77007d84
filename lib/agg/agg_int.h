/*
 * agg_int.h - internals of the aggregator, shared by agg.c (setup,
 * windows, groups, results) and agg_state.c (the per-function state of a
 * group).  Not a public header: use agg.h.
 */
#ifndef WEIR_AGG_INT_H
#define WEIR_AGG_INT_H

#include <string.h>

#include "agg.h"
#include "pack.h"
#include "path.h"
#include "util.h"

/* Per-group state kinds; functions over the same path share one. */
enum { ST_MOM, ST_MINMAX, ST_FIRST, ST_LAST, ST_SET, ST_HLL, ST_DDS,
    ST_BYMAX, ST_BYMIN };

struct func {
	int kind;
	char *name;
	int st;			/* state index, -1 for count */
	double q;		/* quantile */
	uint32_t k;		/* topk */
};

struct state {
	int kind;
	size_t path;
	size_t off;		/* in the group block */
	int welford;
	uint32_t k;		/* max_by, min_by, top: records kept */
};

struct gpath {
	weir_path path;
	char *name;
};

/* A group: this header (16 bytes: a million groups are 16 MB of it),
 * then the state block. */
struct gent {
	uint32_t hash;		/* the key's hash, its low 32 bits */
	uint32_t koff;		/* in win.keys: varint length, key bytes */
	uint64_t count : 62;
	uint64_t dirty : 1;
	uint64_t hasts : 1;	/* win.mts[] holds its latest event time */
};
#define WEIR__AGG_MAX_COUNT ((UINT64_C(1) << 62) - 1)

struct win {
	int64_t s, e;
	int windowed;
	uint32_t *slot;		/* group index + 1; 0 empty */
	uint32_t scap;
	uint8_t *ents;		/* n groups of a->stride bytes */
	uint32_t n, ecap;
	int64_t *mts;		/* unwindowed: per group, the latest event
				 * time seen (ecap of them, made when the
				 * first record with a time comes) */
	weir_buf keys;
	struct win *next;	/* free list */
};

/* The key bytes of group g of w. */
static inline const uint8_t *
weir__agg_gkey(const struct win *w, const struct gent *g, size_t *n)
{
	const uint8_t *p = w->keys.p + g->koff;
	uint64_t u = 0;

	if (*p < 0x80) {
		*n = *p;
		return p + 1;
	}
	weir_varint_dec(&p, w->keys.p + w->keys.len, &u);
	*n = (size_t)u;
	return p;
}

struct weir_agg {
	struct gpath *g;
	size_t ng;
	weir_path *paths;	/* value paths the states read */
	size_t npaths;
	struct func *f;
	size_t nf;
	struct state *st;
	size_t nst;
	size_t stride;		/* sizeof(gent) + states */
	int ready;

	struct win **wins;	/* open windows */
	size_t nwins, wcap;
	struct win **wtab;	/* (s, e) -> window, open addressing */
	size_t wtcap;
	struct win *last, *nowin, *freelist;
	int nfree;
	int64_t closed_wm, min_end;
	uint64_t ngroups;

	weir_pv *pv;		/* this record's value per path */
	int *have;
	weir_buf gk, root, out, key, tmp, canon;
	uint32_t *order;	/* topk sort scratch */
	size_t ordcap;
	/* The last packed value looked up, for the next record with the same
	 * value bytes (a hopping window's copies): gk's first gk_vlen bytes
	 * and pv[] (as offsets into the value, pvoff) still hold for it. */
	weir_buf lastv;
	size_t gk_vlen;
	uintptr_t *pvoff;	/* 3 per path: s, tag, end */
	int lastv_ok;
	uint32_t lastv_miss;	/* lookups in a row that same_value missed */
	const weir_record *cur;	/* the record being added (agg_by.c) */
	struct weir__agg_hop *hop;	/* agg_hop.c: groups of recent panes */
	struct weir__agg_look *look;	/* agg_look.c: one-pass lookups */
	int lazy;		/* weir_agg_check_reads: values come unchecked */
};

#define SEED 0x5eed5eedULL

static inline int
pack_name(weir_buf *b, const char *s)
{
	return weir_pack_str(b, s, strlen(s));
}

/* agg.c: the group fields of a group key (as weir_agg_add makes it) into
 * the open object b, and the result record's key into r (it points into
 * a->key or k). */
int weir__agg_pack_group(weir_agg *a, const uint8_t *k, size_t n,
    weir_buf *b, weir_record *r);

/* agg_state.c: the state kind a function keeps, and the bytes state st
 * takes in a group block (sum without stddev needs less than its kind). */
int weir__agg_state_kind(int fkind);
size_t weir__agg_state_bytes(const struct state *st);
/* A new group's state block (zeroed) made ready; freed (not the block). */
void weir__agg_state_init(weir_agg *a, uint8_t *blk);
void weir__agg_state_free(weir_agg *a, uint8_t *blk);
/* Add this record's values (a->pv, a->have) to a group's state block;
 * -1 out of memory. */
int weir__agg_state_update(weir_agg *a, uint8_t *blk);
/* The result of function f for group g, packed into b. */
int weir__agg_pack_func(weir_agg *a, weir_buf *b, const struct func *f,
    struct gent *g);
/* Checkpoints: append a group's state block to out (-1 on ENOMEM); read
 * one back into a new group's block: 0, WEIR_SNAP_EBAD malformed,
 * WEIR_FAIL_NOMEM (what was read is in the block, freed with it). */
int weir__agg_state_save(const weir_agg *a, const uint8_t *blk, weir_buf *out);
int weir__agg_state_load(weir_agg *a, uint8_t *blk, weir_rd *rd);
/* Two packed values in the order of min and max: numbers by value, then
 * strings bytewise. */
int weir__agg_vcmp(const uint8_t *p, size_t pn, const uint8_t *q, size_t qn);

/* agg.c, for agg_hop.c: the open window [s, e) (made when new; NULL out of
 * memory); the index of the group of a->gk in w (made when new; -1 out of
 * memory); the group key of r into a->gk (weir_agg_add's errors); add r to
 * group idx of w (WEIR_FAIL_NOMEM). */
struct win *weir__agg_win(weir_agg *a, int64_t s, int64_t e);
int64_t weir__agg_group(weir_agg *a, struct win *w);
int weir__agg_key(weir_agg *a, const weir_record *r, char *err,
    size_t errsz);
int weir__agg_add_at(weir_agg *a, struct win *w, uint32_t idx,
    const weir_record *r);
/* agg_order.c: the indexes of w's groups in the order they are emitted
 * (by their values), in w's lookup table, which is no longer one: for a
 * window about to be freed.  0 or WEIR_FAIL_NOMEM. */
int weir__agg_order(weir_agg *a, struct win *w, uint32_t **order);
/* The comparator that order follows, of groups i and j of w (<0, 0, >0; or
 * WEIR_FAIL_NOMEM): for tests. */
int weir__agg_keycmp(weir_agg *a, const struct win *w, uint32_t i,
    uint32_t j);
/* agg_look.c: set up the one-pass lookup when every path is one key
 * (after the paths are known; -1 out of memory); free it; look up root's
 * fields: 1 and a->pv, a->have and the group key appended to a->gk, 0
 * when the general way must do it (nothing appended), WEIR_FAIL_NOMEM;
 * with a->lazy each value found is validated first (WEIR_FAIL_IO and err:
 * a corrupt one). */
int weir__agg_look_init(weir_agg *a);
void weir__agg_look_free(struct weir__agg_look *l);
int weir__agg_look(weir_agg *a, const weir_pv *root, char *err,
    size_t errsz);
/* agg_hop.c: its cache, freed. */
void weir__agg_hop_free(struct weir__agg_hop *h);

/* agg_by.c: max_by, min_by and top (ST_BYMAX, ST_BYMIN): the state's
 * size, freeing it, adding the current record a->cur with value v (a
 * WEIR_FAIL_* on failure), a function's result, checkpoints (load: 0, -1
 * malformed, -2 out of memory). */
size_t weir__agg_by_size(void);
void weir__agg_by_free(void *p);
int weir__agg_by_update(weir_agg *a, const struct state *st, void *p,
    const weir_pv *v);
int weir__agg_by_pack(weir_buf *b, const struct func *f, const void *p);
int weir__agg_by_save(const void *p, weir_buf *out);
int weir__agg_by_load(weir_agg *a, const struct state *st, void *p,
    weir_rd *rd);

#endif
