/*
 * pipeline.h - weir-run's pipeline files (weir-pipeline(5)): YAML in, a
 * validated graph of stages out.
 *
 * Loading never stops at the first problem: every problem found is kept
 * as one "FILE:LINE:COL: message" line in pl->diag (pl->ndiag of them), so
 * `weir-run --check` can list them all.  A pipeline with ndiag > 0 must
 * not be run.
 *
 * Wiring (see weir-pipeline(5)):
 *  - "side" stages are those named in some `inputs`, and those a side
 *    stage names in its `input` (a side branch, followed upstream);
 *  - a stage without `input` reads the output of the stage before it in
 *    the list, skipping side stages; the first such stage reads weir-run's
 *    stdin;
 *  - side stages read /dev/null unless they say `input`;
 *  - `inputs: {FD: NAME}` gives a stage NAME's output on descriptor FD;
 *  - a stage whose output nobody reads writes to weir-run's stdout, unless
 *    it says `stdout: none` (then /dev/null); exactly one stage may write
 *    there, and a stage that says none must have no reader;
 *  - a stage read by several consumers is fanned out by a tee (weir-run
 *    --tee).
 */
#ifndef WEIR_PIPELINE_H
#define WEIR_PIPELINE_H

#include "util.h"

enum { WEIR_RESTART_ON_FAILURE, WEIR_RESTART_ALWAYS, WEIR_RESTART_NEVER };

#define WEIR_PL_STDIN (-1)	/* in_from: weir-run's own stdin */
#define WEIR_PL_NULL (-2)	/* in_from: /dev/null */

typedef struct weir_pl_edge {
	int from;		/* producing stage index */
	int to;			/* consuming stage index */
	int fd;			/* descriptor in the consumer: 0 or >= 3 */
	int line, col;		/* where the file asked for it (0: implicit) */
} weir_pl_edge;

typedef struct weir_pl_stage {
	char *name;
	char **argv;		/* NULL-terminated, after ${VAR} expansion */
	int argc;
	char *path;		/* resolved program (NULL if not found) */
	char **env;		/* NAME=VALUE, NULL-terminated (stage env) */
	int in_from;		/* stdin: stage index, WEIR_PL_STDIN or _NULL */
	int side;		/* named in some stage's inputs */
	int nout;		/* consumers of its stdout (0: weir-run's stdout) */
	int discard;		/* stdout: none (to /dev/null) */
	int line, col;
} weir_pl_stage;

typedef struct weir_pipeline {
	char *file;
	char *name;
	char **env;		/* NAME=VALUE from the top-level env */
	int restart_policy;
	int64_t backoff_min, backoff_max;	/* ms */
	int restart_max;
	int64_t restart_period;		/* ms */
	weir_pl_stage *stages;
	int nstages;
	weir_pl_edge *edges;	/* every producer -> consumer descriptor */
	int nedges;
	char *ckpt_dir;		/* checkpoint: dir (NULL: no checkpoints) */
	int64_t ckpt_interval;	/* checkpoint: interval, ms */
	weir_buf diag;		/* "FILE:LINE:COL: message\n" lines */
	int ndiag;
} weir_pipeline;

/* Options for weir_pipeline_parse. */
typedef struct weir_pl_opts {
	const char *selfdir;	/* look programs up here first (weir-run's dir) */
	int no_lookup;		/* do not look programs up (fuzzing) */
	const char *(*getenv)(const char *);	/* NULL: the environment */
} weir_pl_opts;

/* Parse text (len bytes) named file.  Returns NULL only when out of memory;
 * otherwise a pipeline whose diag lists the problems of the file (ndiag
 * may be 0). */
weir_pipeline *weir_pipeline_parse(const char *file, const char *text,
    size_t len, const weir_pl_opts *opts);
/* Read FILE and parse it into *out: 0, or with a message
 * WEIR_FAIL_USAGE (a file missing, a directory or too large),
 * WEIR_FAIL_IO (it cannot be read) or WEIR_FAIL_NOMEM. */
int weir_pipeline_load(weir_pipeline **out, const char *file,
    const weir_pl_opts *opts, char *err, size_t errsz);
void weir_pipeline_free(weir_pipeline *pl);

/* A stage by name, or -1. */
int weir_pipeline_find(const weir_pipeline *pl, const char *name);
/* 1 when stage i is a source: no stage feeds it (stdin or fd inputs). */
int weir_pipeline_is_source(const weir_pipeline *pl, int i);
/* The graph in Graphviz dot: 0 or WEIR_FAIL_NOMEM. */
int weir_pipeline_dot(const weir_pipeline *pl, weir_buf *out);

/* Expand ${VAR} and ${VAR:-default} ($$ is a '$') in s into out, looking
 * names up with lookup(name, arg) (NULL: undefined).  0, or with err set
 * WEIR_FAIL_USAGE (a bad or undefined reference) or WEIR_FAIL_NOMEM. */
int weir_pl_expand(const char *s, size_t n, weir_buf *out,
    const char *(*lookup)(const char *, void *), void *arg, char *err,
    size_t errsz);
/* Split a command string into words like a shell would, but without one:
 * blanks separate words, '...' is literal, "..." and bare words expand
 * ${VAR} (unless lookup is NULL: then nothing expands), backslash escapes
 * the next character.  Sets *out to a NULL-terminated argv (free with
 * weir_pl_argv_free) and returns 0, or returns as weir_pl_expand. */
int weir_pl_split(char ***out, const char *s,
    const char *(*lookup)(const char *, void *), void *arg, int *argc,
    char *err, size_t errsz);
void weir_pl_argv_free(char **argv);

#endif
