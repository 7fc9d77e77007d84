/* fuzz_pipeline.c - weir-run's pipeline parser on arbitrary YAML: it must
 * never crash, every diagnostic must be a FILE:LINE:COL: line, a pipeline
 * without diagnostics must be wired sanely, and the command-word splitter
 * must hold up on its own. */
#include <assert.h>
#include <stdlib.h>
#include <string.h>

#include "pipeline.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const char *
fixed_env(const char *name)
{
	if (!strcmp(name, "HOME"))
		return "/home/fuzz";
	if (!strcmp(name, "EMPTY"))
		return "";
	return NULL;
}

static const char *
look(const char *name, void *arg)
{
	(void)arg;
	return fixed_env(name);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	weir_pl_opts o = { .no_lookup = 1, .getenv = fixed_env };
	weir_pipeline *pl;
	weir_buf dot = { 0 };
	char err[512], *text, **argv;
	int i, argc;
	size_t k, start;

	pl = weir_pipeline_parse("f.yaml", (const char *)data, size, &o);
	if (!pl)
		return 0;
	/* every diagnostic line starts with the file name and a position */
	for (k = 0, start = 0; k < pl->diag.len; k++)
		if (pl->diag.p[k] == '\n') {
			assert(k - start > 7 &&
			    !memcmp(pl->diag.p + start, "f.yaml:", 7));
			start = k + 1;
		}
	assert(start == pl->diag.len);
	if (!pl->ndiag) {
		assert(pl->nstages > 0);
		for (i = 0; i < pl->nstages; i++) {
			assert(pl->stages[i].argc > 0 && pl->stages[i].argv[0]);
			assert(pl->stages[i].in_from < pl->nstages);
		}
		for (i = 0; i < pl->nedges; i++)
			assert(pl->edges[i].from >= 0 &&
			    pl->edges[i].from < pl->nstages &&
			    pl->edges[i].to >= 0 && pl->edges[i].to < pl->nstages);
		assert(weir_pipeline_dot(pl, &dot) == 0);
		weir_buf_free(&dot);
	}
	weir_pipeline_free(pl);
	/* the word splitter on the same bytes as one command string */
	if ((text = malloc(size + 1))) {
		memcpy(text, data, size);
		text[size] = 0;
		if (weir_pl_split(&argv, text, look, NULL, &argc, err,
		    sizeof(err)) == 0) {
			for (i = 0; i < argc; i++)
				assert(argv[i]);
			assert(!argv[argc]);
			weir_pl_argv_free(argv);
		}
		free(text);
	}
	return 0;
}
