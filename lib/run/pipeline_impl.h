/*
 * pipeline_impl.h - what the parts of weir-run's pipeline loader share
 * (private to lib/pipeline*.c):
 *   pipeline.c        the model, loading and checking of each stage;
 *   pipeline_words.c  command strings split into words, ${VAR} expansion;
 *   pipeline_wire.c   stages wired into a graph, and the graph as dot.
 */
#ifndef WEIR_PIPELINE_IMPL_H
#define WEIR_PIPELINE_IMPL_H

#include "pipeline.h"
#include "yamldoc.h"

#define WEIR_PL_MAX_STAGES 1000
/* All ${VAR} values expanded in one file, together (a file that doubles
 * a variable again and again must not take all memory). */
#define WEIR_PL_MAX_EXPANDED (4u * 1024 * 1024)

/* Loading one file. */
typedef struct weir_pl_ctx {
	weir_pipeline *pl;
	weir_yaml y;		/* the document, and pl->diag's problems */
	const weir_pl_opts *o;
	char **stage_env;	/* the stage being parsed (its env first) */
	size_t expanded;	/* bytes of variable values expanded so far */
	int over;		/* 1: more than WEIR_PL_MAX_EXPANDED, 2: said */
} weir_pl_ctx;

/* Connect the stages: inp[i], inps[i] and outs[i] are stage i's `input`,
 * `inputs` and `stdout` nodes (or NULL); sets in_from, side, nout and the
 * edges, and checks where outputs go. */
void weir__pl_wire(weir_pl_ctx *c, yaml_node_t **inp, yaml_node_t **inps,
    yaml_node_t **outs);

/* Append s (taken over, freed on failure) to a NULL-terminated argv. */
int weir__pl_argv_push(char ***argv, int *argc, char *s);
/* A copy of b as a string, or NULL. */
char *weir__pl_buf_str(weir_buf *b);

/*
 * Short names for the YAML helpers (lib/yamldoc.h) on a loading context,
 * as the loader's code uses them everywhere.
 */
#define diag(c, n, ...)	weir_yaml_diag(&(c)->y, (n), 0, __VA_ARGS__)
#define diag_lc(c, line, col, ...) \
	weir_yaml_diag_lc(&(c)->y, (line), (col), __VA_ARGS__)

static inline yaml_node_t *
node(weir_pl_ctx *c, int id)
{
	return weir_yaml_node(&c->y, id);
}

static inline yaml_node_t *
get(weir_pl_ctx *c, const yaml_node_t *m, const char *key)
{
	return weir_yaml_get(&c->y, m, key);
}

static inline int
check_keys(weir_pl_ctx *c, const yaml_node_t *m, const char *what,
    const char *const *allowed)
{
	return weir_yaml_check_keys(&c->y, m, what, allowed);
}

static inline const char *
sval(const yaml_node_t *n)
{
	return weir_yaml_str(n);
}

static inline const char *
kind(const yaml_node_t *n)
{
	return weir_yaml_kind(n);
}

static inline int
is_null(const yaml_node_t *n)
{
	return weir_yaml_is_null(n);
}

static inline const char *
suggest(const char *s, const char *const *words, size_t n)
{
	return weir_yaml_suggest(s, words, n);
}

#endif
