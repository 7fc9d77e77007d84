/* gen.c - the click generator. */
#include "gen.h"

#include <stdio.h>

#include "pack.h"

int
weir_gen_kind(const char *name)
{
	return strcmp(name, "clicks") == 0 ? 0 : -1;
}

static uint64_t
next(weir_gen *g)
{
	/* splitmix64 */
	uint64_t z = (g->state += 0x9e3779b97f4a7c15ULL);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

void
weir_gen_init(weir_gen *g, uint64_t seed, int64_t start, uint32_t users)
{
	memset(g, 0, sizeof(*g));
	g->state = seed * 0x2545f4914f6cdd1dULL + 1;
	g->start = start;
	g->users = users ? users : 1000;
	g->pages = 50;
}

void
weir_gen_seek(weir_gen *g, uint64_t n)
{
	/* splitmix64 steps its state by a constant; two draws per click */
	g->state += (n - g->i) * 2 * 0x9e3779b97f4a7c15ULL;
	g->i = n;
}

int
weir_gen_click(weir_gen *g, weir_buf *out, int64_t *ts)
{
	uint64_t r1 = next(g), r2 = next(g);
	int64_t t = g->start + (int64_t)g->i;
	char tmp[32];
	size_t mark;
	int n;
	uint32_t cents = (uint32_t)(r2 % 10000);

	if (r1 % 5 == 0)
		t -= (int64_t)((r1 >> 8) % WEIR_GEN_MAX_LATE);
	g->i++;
	mark = weir_pack_open(out, WEIR_PK_OBJ);
	weir_pack_str(out, "ts", 2);
	weir_pack_int(out, t);
	weir_pack_str(out, "user", 4);
	n = snprintf(tmp, sizeof(tmp), "u%u", (unsigned)((r1 >> 20) % g->users));
	weir_pack_str(out, tmp, (size_t)n);
	weir_pack_str(out, "page", 4);
	n = snprintf(tmp, sizeof(tmp), "/p/%u", (unsigned)((r2 >> 20) % g->pages));
	weir_pack_str(out, tmp, (size_t)n);
	weir_pack_str(out, "amount", 6);
	n = snprintf(tmp, sizeof(tmp), "%u.%02u", cents / 100, cents % 100);
	weir_pack_numtext(out, tmp, (size_t)n);
	*ts = t;
	return weir_pack_close(out, mark);
}
