/*
 * pipeline.c - weir-run pipeline files (YAML): the model, loading, and
 * the checks of each stage.  Words and ${VAR} are pipeline_words.c, the
 * wiring of stages into a graph pipeline_wire.c.
 */
#include "pipeline_impl.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include "dur.h"
#include "io.h"

#define MAX_NODES_VISITED 200000

typedef weir_pl_ctx ctx;

static const char *top_keys[] = { "name", "description", "env", "restart",
	"checkpoint", "stages", NULL };
static const char *stage_keys[] = { "name", "description", "run", "input",
	"inputs", "env", "stdout", NULL };
static const char *restart_keys[] = { "policy", "backoff", "max", "period",
	NULL };
static const char *checkpoint_keys[] = { "interval", "dir", NULL };

static const char *
env_find(char **env, const char *name)
{
	size_t n = strlen(name);
	const char *v = NULL;

	for (; env && *env; env++)
		if (!strncmp(*env, name, n) && (*env)[n] == '=')
			v = *env + n + 1;	/* the last one wins */
	return v;
}

static const char *
lookup(const char *name, void *arg)
{
	ctx *c = arg;
	const char *v;

	if (!(v = env_find(c->stage_env, name)) &&
	    !(v = env_find(c->pl->env, name)))
		v = c->o->getenv ? c->o->getenv(name) : getenv(name);
	if (v && !c->over && (c->expanded += strlen(v)) > WEIR_PL_MAX_EXPANDED)
		c->over = 1;
	return c->over && v ? "" : v;
}

/* After an expansion: 0, or -1 (and one diagnostic) once the file's
 * expansions went over the bound. */
static int
over_budget(ctx *c, const yaml_node_t *n, const char *what)
{
	if (!c->over)
		return 0;
	if (c->over == 1)
		diag(c, n, "%s: ${...} expansions add up to more than %u MiB in "
		    "this file", what, WEIR_PL_MAX_EXPANDED / (1024 * 1024));
	c->over = 2;
	return -1;
}

/* Expand a scalar node into a new string; NULL (and a diagnostic). */
static char *
expand_node(ctx *c, const yaml_node_t *n, const char *what)
{
	weir_buf b = { 0 };
	char err[WEIR_ERRSZ];
	char *s;
	int rc;

	if (n->type != YAML_SCALAR_NODE) {
		diag(c, n, "%s must be a string, not %s", what, kind(n));
		return NULL;
	}
	if (n->data.scalar.style == YAML_SINGLE_QUOTED_SCALAR_STYLE)
		err[0] = 0, s = strdup(sval(n));
	else if ((rc = weir_pl_expand(sval(n), n->data.scalar.length, &b,
	    lookup, c, err, sizeof(err))) < 0) {
		if (rc == WEIR_FAIL_NOMEM)
			c->y.oom = 1;
		else
			diag(c, n, "%s: %s", what, err);
		weir_buf_free(&b);
		return NULL;
	} else if (over_budget(c, n, what) < 0) {
		weir_buf_free(&b);
		return NULL;
	} else
		s = weir__pl_buf_str(&b);
	weir_buf_free(&b);
	if (!s)
		c->y.oom = 1;
	return s;
}

static int
valid_name(const char *s, int env)
{
	const char *p;

	if (!*s || (env && *s >= '0' && *s <= '9'))
		return 0;
	for (p = s; *p; p++)
		if (!((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') ||
		    (*p >= '0' && *p <= '9') || *p == '_' ||
		    (!env && (*p == '-' || *p == '.'))))
			return 0;
	return 1;
}

/* env: {NAME: value, ...} appended to *env as NAME=VALUE. */
static void
parse_env(ctx *c, const yaml_node_t *m, char ***env, const char *what)
{
	yaml_node_pair_t *p;
	yaml_node_t *k, *v;
	char *val, *kv;
	int n = 0;

	if (check_keys(c, m, what, NULL) < 0)
		return;
	for (char **e = *env; e && *e; e++)
		n++;
	for (p = m->data.mapping.pairs.start; p < m->data.mapping.pairs.top;
	    p++) {
		k = node(c, p->key);
		v = node(c, p->value);
		if (!k || !v || k->type != YAML_SCALAR_NODE)
			continue;
		if (!valid_name(sval(k), 1)) {
			diag(c, k, "%s: '%s' is not a variable name (letters, "
			    "digits and _, not starting with a digit)", what,
			    sval(k));
			continue;
		}
		if (v->type != YAML_SCALAR_NODE) {
			diag(c, v, "%s: %s must be a string, not %s", what,
			    sval(k), kind(v));
			continue;
		}
		if (!(val = expand_node(c, v, sval(k))))
			continue;
		if (asprintf(&kv, "%s=%s", sval(k), val) < 0) {
			free(val);
			c->y.oom = 1;
			return;
		}
		free(val);
		if (weir__pl_argv_push(env, &n, kv) < 0)
			c->y.oom = 1;
	}
}

static int
parse_dur(ctx *c, const yaml_node_t *n, const char *what, int64_t *ms)
{
	char err[WEIR_ERRSZ];
	char *s = expand_node(c, n, what);
	int rc;

	if (!s)
		return -1;
	rc = weir_dur_parse(s, ms, err, sizeof(err));
	if (rc < 0)
		diag(c, n, "%s: %s", what, err);
	free(s);
	return rc;
}

static void
parse_checkpoint(ctx *c, const yaml_node_t *m)
{
	weir_pipeline *pl = c->pl;
	yaml_node_t *v;

	if (check_keys(c, m, "checkpoint", checkpoint_keys) < 0)
		return;
	if (!(v = get(c, m, "dir")))
		diag(c, m, "checkpoint: needs dir (the state directory)");
	else if ((pl->ckpt_dir = expand_node(c, v, "checkpoint.dir")) &&
	    !*pl->ckpt_dir)
		diag(c, v, "checkpoint.dir: empty");
	pl->ckpt_interval = 10000;
	if ((v = get(c, m, "interval")) && parse_dur(c, v,
	    "checkpoint.interval", &pl->ckpt_interval) == 0 &&
	    pl->ckpt_interval <= 0)
		diag(c, v, "checkpoint.interval: must be positive");
}

/* A weir-sink to Kafka (-b) without its own --transactional-id. */
static int
kafka_sink_plain(const weir_pl_stage *st)
{
	int i, b = 0;

	for (i = 1; i < st->argc && st->argv[i]; i++) {
		if (!strcmp(st->argv[i], "--transactional-id") ||
		    !strncmp(st->argv[i], "--transactional-id=", 19))
			return 0;
		if (!strncmp(st->argv[i], "-b", 2))
			b = 1;
	}
	return b;
}

/*
 * With checkpoint: every stage is a weir program, given the state
 * directory and its name; sources also the interval.  A program that is
 * not weir's would drop the barriers, and nothing would ever commit.
 * The pipeline has one end, which commits: ends that all wrote COMMITTED
 * would each stand for the others' output.
 */
static void
add_ckpt_args(ctx *c)
{
	weir_pipeline *pl = c->pl;
	char ms[32];
	int i, end = -1;

	for (i = 0; i < pl->nstages; i++) {
		weir_pl_stage *st = &pl->stages[i];
		if (st->nout)
			continue;
		if (end < 0)
			end = i;
		else
			diag_lc(c, st->line, st->col, "stage '%s': with "
			    "checkpoint, the pipeline has one end, which "
			    "commits, and stage '%s' (line %d) is one: run "
			    "this branch as a pipeline of its own",
			    st->name, pl->stages[end].name,
			    pl->stages[end].line);
	}

	snprintf(ms, sizeof(ms), "%lldms", (long long)pl->ckpt_interval);
	for (i = 0; i < pl->nstages; i++) {
		weir_pl_stage *st = &pl->stages[i];
		const char *prog, *slash;
		int rc = 0;
		if (!st->argv || !st->argv[0])
			continue;
		slash = strrchr(st->argv[0], '/');
		prog = slash ? slash + 1 : st->argv[0];
		if (strncmp(prog, "weir-", 5) || !strcmp(prog, "weir-run") ||
		    !strcmp(prog, "weir-broker")) {
			diag_lc(c, st->line, st->col, "stage '%s': with checkpoint, "
			    "every stage must be a weir program (%s would drop "
			    "the checkpoint barriers)", st->name, prog);
			continue;
		}
		if (!strcmp(prog, "weir-source"))
			rc |= weir__pl_argv_push(&st->argv, &st->argc,
			    strdup("--checkpoint")) |
			    weir__pl_argv_push(&st->argv, &st->argc, strdup(ms));
		if (!strcmp(prog, "weir-sink") && kafka_sink_plain(st)) {
			/* exactly once to Kafka: a stable transactional id */
			char *id = NULL;
			if (asprintf(&id, "%s.%s", pl->name ? pl->name : "weir",
			    st->name) < 0)
				id = NULL;
			rc |= !id || weir__pl_argv_push(&st->argv, &st->argc,
			    strdup("--transactional-id")) |
			    weir__pl_argv_push(&st->argv, &st->argc, id);
		}
		rc |= weir__pl_argv_push(&st->argv, &st->argc,
		    strdup("--state")) |
		    weir__pl_argv_push(&st->argv, &st->argc,
		    strdup(pl->ckpt_dir)) |
		    weir__pl_argv_push(&st->argv, &st->argc, strdup("--name")) |
		    weir__pl_argv_push(&st->argv, &st->argc, strdup(st->name));
		if (rc)
			c->y.oom = 1;
	}
}

static void
parse_restart(ctx *c, const yaml_node_t *m)
{
	weir_pipeline *pl = c->pl;
	yaml_node_t *v, *a, *b;
	char *s, *end;
	long long x;

	if (check_keys(c, m, "restart", restart_keys) < 0)
		return;
	if ((v = get(c, m, "policy"))) {
		if ((s = expand_node(c, v, "restart.policy"))) {
			if (!strcmp(s, "on-failure"))
				pl->restart_policy = WEIR_RESTART_ON_FAILURE;
			else if (!strcmp(s, "always"))
				pl->restart_policy = WEIR_RESTART_ALWAYS;
			else if (!strcmp(s, "never") || !strcmp(s, "no"))
				pl->restart_policy = WEIR_RESTART_NEVER;
			else {
				static const char *pols[] = { "on-failure",
					"always", "never", NULL };
				const char *sug = suggest(s, pols, SIZE_MAX);
				diag(c, v, "restart.policy: unknown policy '%s'"
				    "%s%s%s (on-failure, always or never)", s,
				    sug ? "; did you mean '" : "", sug ? sug : "",
				    sug ? "'?" : "");
			}
			free(s);
		}
	}
	if ((v = get(c, m, "backoff"))) {
		if (v->type == YAML_SCALAR_NODE) {
			if (parse_dur(c, v, "restart.backoff",
			    &pl->backoff_min) == 0 &&
			    pl->backoff_max < pl->backoff_min)
				pl->backoff_max = pl->backoff_min;
		} else if (v->type == YAML_SEQUENCE_NODE &&
		    v->data.sequence.items.top - v->data.sequence.items.start
		    == 2 && (a = node(c, v->data.sequence.items.start[0])) &&
		    (b = node(c, v->data.sequence.items.start[1]))) {
			if (parse_dur(c, a, "restart.backoff", &pl->backoff_min)
			    == 0 && parse_dur(c, b, "restart.backoff",
			    &pl->backoff_max) == 0 &&
			    pl->backoff_max < pl->backoff_min)
				diag(c, b, "restart.backoff: the maximum is "
				    "below the minimum");
		} else
			diag(c, v, "restart.backoff must be a duration or a list "
			    "[MIN, MAX], not %s", kind(v));
	}
	if ((v = get(c, m, "max")) && (s = expand_node(c, v, "restart.max"))) {
		errno = 0;
		x = strtoll(s, &end, 10);
		if (errno || end == s || *end || x < 0 || x > 1000000)
			diag(c, v, "restart.max: '%s' is not a number from 0 to "
			    "1000000", s);
		else
			pl->restart_max = (int)x;
		free(s);
	}
	if ((v = get(c, m, "period")))
		(void)parse_dur(c, v, "restart.period", &pl->restart_period);
}

static int
executable(const char *path)
{
	struct stat st;

	return stat(path, &st) == 0 && S_ISREG(st.st_mode) &&
	    access(path, X_OK) == 0;
}

/* Where argv0 would run from: beside weir-run, then on PATH. */
static char *
resolve(ctx *c, const char *prog)
{
	const char *path, *p, *e;
	char *cand;

	if (strchr(prog, '/'))
		return executable(prog) ? strdup(prog) : NULL;
	if (c->o->selfdir) {
		if (asprintf(&cand, "%s/%s", c->o->selfdir, prog) < 0)
			return NULL;
		if (executable(cand))
			return cand;
		free(cand);
	}
	path = c->o->getenv ? c->o->getenv("PATH") : getenv("PATH");
	if (!path)
		path = "/usr/local/bin:/usr/bin:/bin";
	for (p = path; ; p = e + 1) {
		e = strchr(p, ':');
		if (!e)
			e = p + strlen(p);
		if (asprintf(&cand, "%.*s/%s", (int)(e - p), e == p ? "." : p,
		    prog) < 0)
			return NULL;
		if (executable(cand))
			return cand;
		free(cand);
		if (!*e)
			break;
	}
	return NULL;
}

static void
parse_run(ctx *c, weir_pl_stage *st, const yaml_node_t *v)
{
	char err[WEIR_ERRSZ];
	yaml_node_item_t *it;
	yaml_node_t *x;
	char *s;

	st->argv = calloc(1, sizeof(char *));
	if (!st->argv) {
		c->y.oom = 1;
		return;
	}
	if (v->type == YAML_SCALAR_NODE) {
		/* a single-quoted YAML string is split but not expanded */
		char **argv;
		int rc = weir_pl_split(&argv, sval(v), v->data.scalar.style ==
		    YAML_SINGLE_QUOTED_SCALAR_STYLE ? NULL : lookup, c,
		    &st->argc, err, sizeof(err));

		if (rc == WEIR_FAIL_NOMEM)
			c->y.oom = 1;
		if (rc < 0) {
			if (rc != WEIR_FAIL_NOMEM)
				diag(c, v, "stage '%s': run: %s", st->name,
				    err);
			return;
		}
		snprintf(err, sizeof(err), "stage '%s': run", st->name);
		if (over_budget(c, v, err) < 0) {
			weir_pl_argv_free(argv);
			return;
		}
		free(st->argv);
		st->argv = argv;
	} else if (v->type == YAML_SEQUENCE_NODE) {
		for (it = v->data.sequence.items.start;
		    it < v->data.sequence.items.top; it++) {
			if (!(x = node(c, *it)))
				return;
			if (x->type != YAML_SCALAR_NODE) {
				diag(c, x, "stage '%s': run: each argument must be "
				    "a string, not %s", st->name, kind(x));
				continue;
			}
			if ((s = expand_node(c, x, "run")) &&
			    weir__pl_argv_push(&st->argv, &st->argc, s) < 0)
				c->y.oom = 1;
		}
	} else {
		diag(c, v, "stage '%s': run must be a command string or a list "
		    "of arguments, not %s", st->name, kind(v));
		return;
	}
	if (!st->argc) {
		diag(c, v, "stage '%s': run is empty", st->name);
		return;
	}
	if (c->o->no_lookup)
		return;
	st->path = resolve(c, st->argv[0]);
	if (!st->path)
		diag(c, v, "stage '%s': program '%s' not found%s", st->name,
		    st->argv[0], strchr(st->argv[0], '/') ? " or not executable" :
		    " beside weir-run or on PATH");
}
static void
parse_stages(ctx *c, const yaml_node_t *seq)
{
	weir_pipeline *pl = c->pl;
	yaml_node_item_t *it;
	yaml_node_t *m, *v, **inp, **inps, **outs;
	int n, i;

	if (seq->type != YAML_SEQUENCE_NODE) {
		diag(c, seq, "stages must be a list, not %s", kind(seq));
		return;
	}
	n = (int)(seq->data.sequence.items.top - seq->data.sequence.items.start);
	if (n == 0) {
		diag(c, seq, "stages: the list is empty");
		return;
	}
	if (n > WEIR_PL_MAX_STAGES) {
		diag(c, seq, "stages: more than %d stages", WEIR_PL_MAX_STAGES);
		return;
	}
	pl->stages = calloc((size_t)n, sizeof(*pl->stages));
	inp = calloc((size_t)n, sizeof(*inp));
	inps = calloc((size_t)n, sizeof(*inps));
	outs = calloc((size_t)n, sizeof(*outs));
	if (!pl->stages || !inp || !inps || !outs) {
		free(inp);
		free(inps);
		free(outs);
		c->y.oom = 1;
		return;
	}
	for (it = seq->data.sequence.items.start, i = 0;
	    it < seq->data.sequence.items.top; it++) {
		weir_pl_stage *st;
		char what[64];
		if (!(m = node(c, *it)))
			break;
		v = m->type == YAML_MAPPING_NODE ? get(c, m, "name") : NULL;
		if (v && v->type == YAML_SCALAR_NODE)
			snprintf(what, sizeof(what), "stage '%.40s'", sval(v));
		else
			snprintf(what, sizeof(what), "stage %d", i + 1);
		if (check_keys(c, m, what, stage_keys) < 0)
			continue;
		st = &pl->stages[i];
		st->line = (int)m->start_mark.line + 1;
		st->col = (int)m->start_mark.column + 1;
		st->in_from = WEIR_PL_NULL;
		v = get(c, m, "name");
		if (!v) {
			diag(c, m, "%s has no name", what);
			snprintf(what, sizeof(what), "#%d", i + 1);
			st->name = strdup(what);
		} else if (v->type != YAML_SCALAR_NODE) {
			diag(c, v, "%s: name must be a string, not %s", what,
			    kind(v));
			snprintf(what, sizeof(what), "#%d", i + 1);
			st->name = strdup(what);
		} else {
			st->name = strdup(sval(v));
			if (!valid_name(sval(v), 0))
				diag(c, v, "%s: bad name '%s' (letters, digits, "
				    "'_', '-' and '.')", what, sval(v));
			else {
				int j = weir_pipeline_find(pl, sval(v));
				if (j >= 0 && j < i)
					diag(c, v, "duplicate stage name '%s' "
					    "(first at line %d)", sval(v),
					    pl->stages[j].line);
			}
		}
		pl->nstages = i + 1;
		if (!st->name) {
			c->y.oom = 1;
			break;
		}
		c->stage_env = NULL;
		if ((v = get(c, m, "env")))
			parse_env(c, v, &st->env, "env");
		c->stage_env = st->env;
		if ((v = get(c, m, "run")))
			parse_run(c, st, v);
		else
			diag(c, m, "stage '%s' has no run (the command to run)",
			    st->name);
		c->stage_env = NULL;
		if ((v = get(c, m, "stdout"))) {
			if (v->type == YAML_SCALAR_NODE && !strcmp(sval(v), "none"))
				st->discard = 1;
			else
				diag(c, v, "stage '%s': stdout: '%s' is not none (the "
				    "only value; leave it out to write to weir-run's "
				    "standard output)", st->name, v->type ==
				    YAML_SCALAR_NODE ? sval(v) : kind(v));
		}
		outs[i] = v;
		inp[i] = get(c, m, "input");
		inps[i] = get(c, m, "inputs");
		if (inps[i] && is_null(inps[i]))
			inps[i] = NULL;
		i++;
	}
	pl->nstages = i;
	if (!c->y.oom && c->y.visits <= MAX_NODES_VISITED)
		weir__pl_wire(c, inp, inps, outs);
	free(inp);
	free(inps);
	free(outs);
}

weir_pipeline *
weir_pipeline_parse(const char *file, const char *text, size_t len,
    const weir_pl_opts *opts)
{
	static const weir_pl_opts defopts;
	weir_pipeline *pl = calloc(1, sizeof(*pl));
	yaml_node_t *root, *v;
	ctx c;

	if (!pl)
		return NULL;
	memset(&c, 0, sizeof(c));
	c.pl = pl;
	c.o = opts ? opts : &defopts;
	pl->file = strdup(file ? file : "-");
	pl->restart_policy = WEIR_RESTART_ON_FAILURE;
	pl->backoff_min = 1000;
	pl->backoff_max = 60000;
	pl->restart_max = 5;
	pl->restart_period = 60000;
	if (!pl->file) {
		free(pl);
		return NULL;
	}
	weir_yaml_init(&c.y, pl->file, &pl->diag, 1024);
	c.y.maxvisits = MAX_NODES_VISITED;
	switch (weir_yaml_load(&c.y, text, len)) {
	case -1:	/* out of memory */
		weir_yaml_free(&c.y);
		weir_pipeline_free(pl);
		return NULL;
	case 1:		/* a syntax error: nothing more to say */
		pl->ndiag = c.y.ndiag;
		weir_yaml_free(&c.y);
		return pl;
	}
	root = weir_yaml_root(&c.y);
	if (!root || is_null(root))
		diag_lc(&c, 1, 1, "empty pipeline (it needs at least 'stages')");
	else if (check_keys(&c, root, "the pipeline", top_keys) == 0) {
		if ((v = get(&c, root, "env")))
			parse_env(&c, v, &pl->env, "env");
		if ((v = get(&c, root, "name")))
			pl->name = expand_node(&c, v, "name");
		if ((v = get(&c, root, "description")) &&
		    v->type != YAML_SCALAR_NODE)
			diag(&c, v, "description must be a string, not %s",
			    kind(v));
		if ((v = get(&c, root, "restart")))
			parse_restart(&c, v);
		if ((v = get(&c, root, "checkpoint")))
			parse_checkpoint(&c, v);
		if ((v = get(&c, root, "stages")))
			parse_stages(&c, v);
		else
			diag(&c, root, "the pipeline has no stages");
		if (pl->ckpt_dir && *pl->ckpt_dir && !c.y.oom)
			add_ckpt_args(&c);
	}
	if (c.y.visits > MAX_NODES_VISITED)
		diag_lc(&c, 1, 1, "the document is too large or has too many "
		    "aliases");
	if (c.y.oom) {		/* not a problem of the file's */
		weir_yaml_free(&c.y);
		weir_pipeline_free(pl);
		return NULL;
	}
	weir_yaml_sort(&c.y);
	pl->ndiag = c.y.ndiag;
	weir_yaml_free(&c.y);
	return pl;
}

int
weir_pipeline_load(weir_pipeline **out, const char *file,
    const weir_pl_opts *opts, char *err, size_t errsz)
{
	weir_buf b = { 0 };
	int e;

	*out = NULL;
	if (weir_read_file(file, &b, 16u << 20, err, errsz) < 0) {
		e = errno;
		weir_buf_free(&b);
		return e == ENOMEM ? WEIR_FAIL_NOMEM : e == ENOENT ||
		    e == ENOTDIR || e == EISDIR || e == EACCES || e == EFBIG ?
		    WEIR_FAIL_USAGE : WEIR_FAIL_IO;
	}
	*out = weir_pipeline_parse(file, b.p ? (char *)b.p : "", b.len, opts);
	weir_buf_free(&b);
	if (!*out) {
		weir_seterr(err, errsz, "out of memory");
		return WEIR_FAIL_NOMEM;
	}
	return 0;
}

void
weir_pipeline_free(weir_pipeline *pl)
{
	int i;

	if (!pl)
		return;
	for (i = 0; i < pl->nstages; i++) {
		free(pl->stages[i].name);
		weir_pl_argv_free(pl->stages[i].argv);
		free(pl->stages[i].path);
		weir_pl_argv_free(pl->stages[i].env);
	}
	free(pl->stages);
	free(pl->edges);
	weir_pl_argv_free(pl->env);
	free(pl->ckpt_dir);
	weir_buf_free(&pl->diag);
	free(pl->file);
	free(pl->name);
	free(pl);
}

int
weir_pipeline_is_source(const weir_pipeline *pl, int i)
{
	int e;

	for (e = 0; e < pl->nedges; e++)
		if (pl->edges[e].to == i)
			return 0;
	return 1;
}
