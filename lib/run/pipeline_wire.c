/*
 * pipeline_wire.c - weir-run's stages wired into a graph (weir-pipeline(5)
 * WIRING): who reads whom on which descriptor, side branches, cycles; and
 * the graph in Graphviz dot.
 */
#include "pipeline_impl.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#define MAX_FD 255

typedef weir_pl_ctx ctx;

int
weir_pipeline_find(const weir_pipeline *pl, const char *name)
{
	int i;

	for (i = 0; i < pl->nstages; i++)
		if (pl->stages[i].name && !strcmp(pl->stages[i].name, name))
			return i;
	return -1;
}

static int
add_edge(weir_pipeline *pl, int from, int to, int fd, const yaml_node_t *at)
{
	weir_pl_edge *e = realloc(pl->edges, sizeof(*e) *
	    (size_t)(pl->nedges + 1));

	if (!e)
		return -1;
	pl->edges = e;
	e += pl->nedges++;
	e->from = from;
	e->to = to;
	e->fd = fd;
	e->line = at ? (int)at->start_mark.line + 1 : 0;
	e->col = at ? (int)at->start_mark.column + 1 : 0;
	return 0;
}

/* Resolve a stage reference; -1 and a diagnostic if unknown. */
static int
ref(ctx *c, const yaml_node_t *v, const char *who, const char *what)
{
	weir_pipeline *pl = c->pl;
	const char *names[WEIR_PL_MAX_STAGES + 1], *s;
	int i;

	if (v->type != YAML_SCALAR_NODE) {
		diag(c, v, "stage '%s': %s must be a stage name, not %s", who,
		    what, kind(v));
		return -1;
	}
	i = weir_pipeline_find(pl, sval(v));
	if (i >= 0)
		return i;
	for (i = 0; i < pl->nstages; i++)
		names[i] = pl->stages[i].name ? pl->stages[i].name : "";
	names[i] = NULL;
	s = suggest(sval(v), names, (size_t)pl->nstages);
	diag(c, v, "stage '%s': %s: unknown stage '%s'%s%s%s", who, what,
	    sval(v), s ? "; did you mean '" : "", s ? s : "", s ? "'?" : "");
	return -1;
}

/* Depth-first search for a cycle through stage i; 1 if one was reported. */
static int
cycle_from(ctx *c, int i, int *state, int *stack, int depth)
{
	weir_pipeline *pl = c->pl;
	int e, k;

	state[i] = 1;
	stack[depth] = i;
	for (e = 0; e < pl->nedges; e++) {
		weir_pl_edge *ed = &pl->edges[e];
		if (ed->from != i)
			continue;
		if (state[ed->to] == 1) {
			weir_buf path = { 0 };
			for (k = 0; k <= depth && stack[k] != ed->to; k++)
				;
			for (; k <= depth; k++)
				(void)weir_buf_printf(&path, "%s -> ",
				    pl->stages[stack[k]].name);
			(void)weir_buf_printf(&path, "%s",
			    pl->stages[ed->to].name);
			(void)weir_buf_putc(&path, 0);
			diag_lc(c, ed->line ? ed->line :
			    pl->stages[ed->to].line, ed->line ? ed->col :
			    pl->stages[ed->to].col, "stage '%s': input cycle: %s",
			    pl->stages[ed->to].name,
			    path.p ? (char *)path.p : "?");
			weir_buf_free(&path);
			return 1;
		}
		if (!state[ed->to] && cycle_from(c, ed->to, state, stack,
		    depth + 1))
			return 1;
	}
	state[i] = 2;
	return 0;
}

/*
 * Where outputs go: exactly one stage writes to weir-run's standard
 * output (any other must be read by a stage or say stdout: none), and a
 * stage that says none has no reader.  Otherwise two streams would be
 * mixed on stdout, and a branch left reading the wrong stage would pass
 * unnoticed.
 */
static void
check_outputs(ctx *c, yaml_node_t **outs)
{
	weir_pipeline *pl = c->pl;
	int i, last = -1, e;

	for (i = 0; i < pl->nstages; i++) {
		weir_pl_stage *st = &pl->stages[i];
		if (st->discard && st->nout) {
			for (e = 0; pl->edges[e].from != i; e++)
				;
			diag(c, outs[i], "stage '%s': stdout: none, but stage "
			    "'%s' reads its output", st->name,
			    pl->stages[pl->edges[e].to].name);
		}
		if (!st->nout && !st->discard)
			last = i;
	}
	for (i = 0; i < last; i++) {
		weir_pl_stage *st = &pl->stages[i];
		if (st->nout || st->discard)
			continue;
		diag_lc(c, st->line, st->col, "stage '%s': nothing reads its "
		    "output, so it goes to weir-run's standard output, as does "
		    "that of stage '%s' (line %d): only one stage may write "
		    "there (read '%s' in an input, or give one of them stdout: "
		    "none)", st->name, pl->stages[last].name,
		    pl->stages[last].line, st->name);
	}
}

void
weir__pl_wire(ctx *c, yaml_node_t **inp, yaml_node_t **inps,
    yaml_node_t **outs)
{
	weir_pipeline *pl = c->pl;
	yaml_node_pair_t *p;
	yaml_node_t *k, *v;
	int i, j, from, fd, *state, *stack, changed, ndiag = c->y.ndiag;
	char *end;
	long x;

	/* side stages: named in some inputs map */
	for (i = 0; i < pl->nstages; i++) {
		if (!inps[i])
			continue;
		if (inps[i]->type != YAML_MAPPING_NODE) {
			diag(c, inps[i], "stage '%s': inputs must be a mapping "
			    "{FD: STAGE}, not %s", pl->stages[i].name,
			    kind(inps[i]));
			inps[i] = NULL;
			continue;
		}
		(void)check_keys(c, inps[i], "inputs", NULL);
		for (p = inps[i]->data.mapping.pairs.start;
		    p < inps[i]->data.mapping.pairs.top; p++) {
			v = node(c, p->value);
			if (v && v->type == YAML_SCALAR_NODE &&
			    (j = weir_pipeline_find(pl, sval(v))) >= 0)
				pl->stages[j].side = 1;
		}
	}
	/* ... and, up a side branch, the stages side stages name in input */
	for (changed = 1; changed; ) {
		changed = 0;
		for (i = 0; i < pl->nstages; i++)
			if (pl->stages[i].side && inp[i] &&
			    inp[i]->type == YAML_SCALAR_NODE &&
			    (j = weir_pipeline_find(pl, sval(inp[i]))) >= 0 &&
			    !pl->stages[j].side)
				pl->stages[j].side = changed = 1;
	}
	for (i = 0; i < pl->nstages; i++) {
		weir_pl_stage *st = &pl->stages[i];
		if (inp[i]) {
			if ((from = ref(c, inp[i], st->name, "input")) >= 0) {
				st->in_from = from;
				if (add_edge(pl, from, i, 0, inp[i]) < 0)
					c->y.oom = 1;
			} else
				st->in_from = WEIR_PL_NULL;
		} else if (st->side)
			st->in_from = WEIR_PL_NULL;
		else {
			for (j = i - 1; j >= 0 && pl->stages[j].side; j--)
				;
			st->in_from = j >= 0 ? j : WEIR_PL_STDIN;
			if (j >= 0 && add_edge(pl, j, i, 0, NULL) < 0)
				c->y.oom = 1;
		}
		if (!inps[i])
			continue;
		for (p = inps[i]->data.mapping.pairs.start;
		    p < inps[i]->data.mapping.pairs.top; p++) {
			k = node(c, p->key);
			v = node(c, p->value);
			if (!k || !v || k->type != YAML_SCALAR_NODE)
				continue;
			errno = 0;
			x = strtol(sval(k), &end, 10);
			if (errno || end == sval(k) || *end || x < 3 ||
			    x > MAX_FD) {
				diag(c, k, "stage '%s': inputs: '%s' is not a "
				    "descriptor number from 3 to %d (0, 1 and 2 "
				    "are stdin, stdout and stderr)", st->name,
				    sval(k), MAX_FD);
				continue;
			}
			fd = (int)x;
			if ((from = ref(c, v, st->name, "inputs")) < 0)
				continue;
			if (add_edge(pl, from, i, fd, v) < 0)
				c->y.oom = 1;
		}
	}
	state = calloc((size_t)pl->nstages + 1, sizeof(int));
	stack = calloc((size_t)pl->nstages + 1, sizeof(int));
	if (!state || !stack)
		c->y.oom = 1;
	else
		for (i = 0; i < pl->nstages; i++)
			if (!state[i] && cycle_from(c, i, state, stack, 0))
				break;
	free(state);
	free(stack);
	for (i = 0; i < pl->nedges; i++)
		pl->stages[pl->edges[i].from].nout++;
	/* with a reference or a cycle wrong, the graph is not the one meant */
	if (c->y.ndiag == ndiag)
		check_outputs(c, outs);
}

static int
dot_str(weir_buf *out, const char *s)
{
	int rc = weir_buf_putc(out, '"');

	for (; *s && !rc; s++) {
		if (*s == '"' || *s == '\\')
			rc = weir_buf_putc(out, '\\');
		if (!rc)
			rc = *s == '\n' ? weir_buf_puts(out, "\\n") :
			    weir_buf_putc(out, *s);
	}
	return rc ? rc : weir_buf_putc(out, '"');
}

int
weir_pipeline_dot(const weir_pipeline *pl, weir_buf *out)
{
	int i, rc = 0;
	char **a;

	rc |= weir_buf_puts(out, "digraph ");
	rc |= dot_str(out, pl->name ? pl->name : "pipeline");
	rc |= weir_buf_puts(out, " {\n\trankdir=LR;\n\tnode [shape=box];\n");
	for (i = 0; i < pl->nstages && !rc; i++) {
		weir_buf lab = { 0 };
		const weir_pl_stage *st = &pl->stages[i];
		rc |= weir_buf_printf(&lab, "%s\n", st->name);
		for (a = st->argv; a && *a; a++)
			rc |= weir_buf_printf(&lab, "%s%s", a == st->argv ? "" :
			    " ", *a);
		rc |= weir_buf_putc(&lab, 0);
		rc |= weir_buf_putc(out, '\t');
		rc |= dot_str(out, st->name);
		rc |= weir_buf_puts(out, " [label=");
		rc |= dot_str(out, lab.p ? (char *)lab.p : st->name);
		rc |= weir_buf_puts(out, "];\n");
		weir_buf_free(&lab);
		if (st->in_from == WEIR_PL_STDIN) {
			rc |= weir_buf_puts(out, "\tstdin [shape=plaintext];\n"
			    "\tstdin -> ");
			rc |= dot_str(out, st->name);
			rc |= weir_buf_puts(out, ";\n");
		}
		if (!st->nout && !st->discard) {
			rc |= weir_buf_puts(out, "\tstdout [shape=plaintext];\n"
			    "\t");
			rc |= dot_str(out, st->name);
			rc |= weir_buf_puts(out, " -> stdout;\n");
		}
	}
	for (i = 0; i < pl->nedges && !rc; i++) {
		const weir_pl_edge *e = &pl->edges[i];
		rc |= weir_buf_putc(out, '\t');
		rc |= dot_str(out, pl->stages[e->from].name);
		rc |= weir_buf_puts(out, " -> ");
		rc |= dot_str(out, pl->stages[e->to].name);
		if (e->fd)
			rc |= weir_buf_printf(out, " [label=\"fd %d\"]", e->fd);
		rc |= weir_buf_puts(out, ";\n");
	}
	rc |= weir_buf_puts(out, "}\n");
	return rc ? WEIR_FAIL_NOMEM : 0;
}
