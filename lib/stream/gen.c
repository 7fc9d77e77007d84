/* gen.c - the click generator, and the hook to the Nexmark one. */
#include "gen.h"

#include <stdio.h>

#include "nexmark.h"
#include "pack.h"

int
weir_gen_kind(const char *name)
{
	if (strcmp(name, "nexmark") == 0)
		return WEIR_GEN_NEXMARK;
	return strcmp(name, "clicks") == 0 ? WEIR_GEN_CLICKS : -1;
}

static uint64_t
next(weir_gen *g)
{
	return weir_splitmix64(&g->state);
}

void
weir_gen_init(weir_gen *g, uint64_t seed, int64_t start, uint32_t users)
{
	memset(g, 0, sizeof(*g));
	g->state = seed * 0x2545f4914f6cdd1dULL + 1;
	g->seed = seed;
	g->tps = WEIR_NX_TPS;
	g->start = start;
	g->users = users ? users : 1000;
	g->pages = 50;
}

void
weir_gen_seek(weir_gen *g, uint64_t n)
{
	/* splitmix64 steps its state by a constant; two draws per click;
	 * a Nexmark event is a function of its number alone */
	if (g->kind == WEIR_GEN_CLICKS)
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

void
weir_gen_set_kind(weir_gen *g, int kind, uint64_t tps)
{
	g->kind = kind;
	if (tps)
		g->tps = tps;
}

int
weir_gen_next(weir_gen *g, weir_buf *out, int64_t *ts)
{
	if (g->kind == WEIR_GEN_CLICKS)
		return weir_gen_click(g, out, ts);
	return weir_nx_event(g->seed, g->start, g->tps, g->i++, out, ts);
}
