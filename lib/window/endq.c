/* endq.c - the queue of session ends: a 4-ary min-heap (endq.h). */
#include <stdlib.h>
#include <string.h>

#include "endq.h"

#define LINE 64
/* entries before v[1] in its line: v[4i+1 .. 4i+4] fill one line */
#define SKEW (LINE / sizeof(weir__endq_ent) - 1)

_Static_assert(sizeof(weir__endq_ent) * 4 == LINE,
    "four entries fill a cache line");

void
weir__endq_init(weir__endq *q, weir__endq_tie tie, void *arg)
{
	memset(q, 0, sizeof(*q));
	q->tie = tie;
	q->arg = arg;
}

void
weir__endq_free(weir__endq *q)
{
	free(q->mem);
	q->mem = NULL;
	q->v = NULL;
	q->n = q->cap = 0;
}

int
weir__endq_reserve(weir__endq *q, size_t n)
{
	size_t nc = q->cap ? q->cap : 60;
	void *m;

	if (n <= q->cap)
		return 0;
	while (nc < n) {
		if (nc > SIZE_MAX / 2 / sizeof(weir__endq_ent) - SKEW)
			return -1;
		nc = nc * 2 + SKEW;	/* whole lines with the skew */
	}
	if (posix_memalign(&m, LINE, (nc + SKEW) * sizeof(weir__endq_ent)))
		return -1;
	if (q->n)
		memcpy((weir__endq_ent *)m + SKEW, q->v,
		    q->n * sizeof(weir__endq_ent));
	free(q->mem);
	q->mem = m;
	q->v = (weir__endq_ent *)m + SKEW;
	q->cap = nc;
	return 0;
}

static inline int
less(const weir__endq *q, const weir__endq_ent *a, const weir__endq_ent *b)
{
	if (a->end != b->end)
		return a->end < b->end;
	return q->tie(q->arg, a, b) < 0;
}

/* Put e at hole i and below, as its children require. */
static void
sift_down(weir__endq *q, size_t i, weir__endq_ent e)
{
	weir__endq_ent *v = q->v;
	size_t n = q->n;

	for (;;) {
		size_t c = 4 * i + 1, m, k, last;
		if (c >= n)
			break;
		if (4 * c + 1 < n) {	/* the grandchildren's lines */
			__builtin_prefetch(&v[4 * c + 1]);
			__builtin_prefetch(&v[4 * c + 5]);
			__builtin_prefetch(&v[4 * c + 9]);
			__builtin_prefetch(&v[4 * c + 13]);
		}
		last = c + 4 < n ? c + 4 : n;
		for (m = c, k = c + 1; k < last; k++)
			if (less(q, &v[k], &v[m]))
				m = k;
		if (!less(q, &v[m], &e))
			break;
		v[i] = v[m];
		i = m;
	}
	v[i] = e;
}

int
weir__endq_push(weir__endq *q, weir__endq_ent e)
{
	size_t i;

	if (q->n == q->cap && weir__endq_reserve(q, q->n + 1) < 0)
		return -1;
	i = q->n++;
	while (i > 0) {
		size_t p = (i - 1) / 4;
		if (!less(q, &e, &q->v[p]))
			break;
		q->v[i] = q->v[p];
		i = p;
	}
	q->v[i] = e;
	return 0;
}

void
weir__endq_pop(weir__endq *q)
{
	weir__endq_ent e = q->v[--q->n];

	if (q->n)
		sift_down(q, 0, e);
}

void
weir__endq_retime_top(weir__endq *q, int64_t end)
{
	weir__endq_ent e = q->v[0];

	e.end = end;
	sift_down(q, 0, e);
}
