/* endq.h - the queue of session ends (window_session.c): a 4-ary min-heap. */
#ifndef WEIR_ENDQ_H
#define WEIR_ENDQ_H

#include <stddef.h>
#include <stdint.h>

/*
 * Entries order by end, and entries with the same end by tie(arg, a, b)
 * (< 0, 0, > 0), which must give a total order of the entries that can be
 * in the queue at once: then the order entries are popped in is that order
 * alone, whatever the heap's shape (so what was pushed in another order,
 * or saved and pushed again, comes out the same).  Four children of a
 * node share one cache line, so a pop walks half the lines of a binary
 * heap's.  No syscall, no allocation but in push and reserve.
 */
typedef struct {
	int64_t end;
	uint32_t id, gen;
} weir__endq_ent;

typedef int (*weir__endq_tie)(void *arg, const weir__endq_ent *a,
    const weir__endq_ent *b);

typedef struct {
	weir__endq_ent *v;	/* v[1] starts a cache line */
	void *mem;
	size_t n, cap;
	weir__endq_tie tie;
	void *arg;
} weir__endq;

void weir__endq_init(weir__endq *q, weir__endq_tie tie, void *arg);
void weir__endq_free(weir__endq *q);
/* Room for n entries in all: 0, or -1 (out of memory). */
int weir__endq_reserve(weir__endq *q, size_t n);
/* 0, or -1 (out of memory: the queue is unchanged). */
int weir__endq_push(weir__endq *q, weir__endq_ent e);
/* Remove the least entry (n > 0). */
void weir__endq_pop(weir__endq *q);
/* Move the least entry (n > 0) to a later end. */
void weir__endq_retime_top(weir__endq *q, int64_t end);

#endif
