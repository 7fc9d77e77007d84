/*
 * weir - the front command: "weir VERB ARGS..." runs weir-VERB, looking
 * first beside this program, then on PATH (as git does).
 */
#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <jansson.h>
#include <yaml.h>

#include "cli.h"
#include "frame.h"
#include "kafka.h"

static const struct {
	const char *verb, *what;
} verbs[] = {
	{ "source", "read Kafka, files or a generator into a weir stream" },
	{ "window", "assign records to event-time windows" },
	{ "agg", "aggregate per group and window" },
	{ "join", "join a stream with a table or another stream" },
	{ "filter", "keep records that match an expression" },
	{ "map", "compute, rename and drop fields" },
	{ "check", "data-quality checks with CI reports" },
	{ "sink", "write a weir stream as text, to files or to Kafka" },
	{ "run", "run a supervised pipeline from YAML" },
	{ "broker", "a local Kafka broker for development and tests" },
};

static char selfdir[PATH_MAX];

static void
find_self(const char *argv0)
{
	char buf[PATH_MAX];
	ssize_t n = readlink("/proc/self/exe", buf, sizeof(buf) - 1);
	char *slash;

	if (n > 0) {
		buf[n] = 0;
	} else if (strchr(argv0, '/')) {
		snprintf(buf, sizeof(buf), "%s", argv0);
	} else
		return;
	slash = strrchr(buf, '/');
	if (slash) {
		*slash = 0;
		snprintf(selfdir, sizeof(selfdir), "%s", buf);
	}
}

static int
installed(const char *verb)
{
	char path[PATH_MAX + 64];
	const char *p = getenv("PATH");

	if (selfdir[0]) {
		snprintf(path, sizeof(path), "%s/weir-%s", selfdir, verb);
		if (access(path, X_OK) == 0)
			return 1;
	}
	while (p && *p) {
		const char *c = strchr(p, ':');
		size_t n = c ? (size_t)(c - p) : strlen(p);
		snprintf(path, sizeof(path), "%.*s/weir-%s", (int)n, p, verb);
		if (n && access(path, X_OK) == 0)
			return 1;
		p = c ? c + 1 : NULL;
	}
	return 0;
}

static void
help(void)
{
	size_t i;

	printf("usage: weir VERB [ARGS...]    (runs weir-VERB)\n"
	    "       weir help [VERB]\n"
	    "       weir --version\n\n"
	    "verbs:\n");
	for (i = 0; i < sizeof(verbs) / sizeof(verbs[0]); i++)
		printf("  %-8s %s%s\n", verbs[i].verb, verbs[i].what,
		    installed(verbs[i].verb) ? "" : " (not installed)");
	printf("\nEach program has a manual page: man weir-VERB; the record\n"
	    "format is in weir-format(5), the overview in weir(7).\n"
	    "Exit status: 0 ok, 1 data or check failure, 2 usage, 3 I/O.\n");
}

static void
version(void)
{
	char err[WEIR_ERRSZ];
	const char *rdk = weir_kafka_version(err, sizeof(err));

	printf("weir %s\n", WEIR_VERSION);
	printf("frame format: %d\n", WEIR_FORMAT_VERSION);
	printf("librdkafka: %s\n", rdk ? rdk : err);
	printf("jansson: %s\n", JANSSON_VERSION);
	printf("libyaml: %s\n", yaml_get_version_string());
}

static _Noreturn void
run(const char *verb, char **argv)
{
	char prog[256], path[PATH_MAX + 300];

	snprintf(prog, sizeof(prog), "weir-%s", verb);
	argv[0] = prog;
	if (selfdir[0]) {
		snprintf(path, sizeof(path), "%s/%s", selfdir, prog);
		if (access(path, X_OK) == 0) {
			execv(path, argv);
			weir_die(WEIR_EXIT_IO, "%s: %s", path, strerror(errno));
		}
	}
	execvp(prog, argv);
	if (errno == ENOENT)
		weir_usage_error("'%s' is not a weir verb (see 'weir help')", verb);
	weir_die(WEIR_EXIT_IO, "%s: %s", prog, strerror(errno));
}

int
main(int argc, char **argv)
{
	weir_cli_init(argv[0]);
	find_self(argv[0]);
	if (argc < 2) {
		help();
		return WEIR_EXIT_USAGE;
	}
	if (!strcmp(argv[1], "help") || !strcmp(argv[1], "-h") ||
	    !strcmp(argv[1], "--help")) {
		if (argc > 2 && strcmp(argv[1], "help") == 0) {
			char *av[] = { argv[2], "--help", NULL };
			run(argv[2], av);
		}
		help();
		return 0;
	}
	if (!strcmp(argv[1], "--version") || !strcmp(argv[1], "version")) {
		version();
		return 0;
	}
	if (argv[1][0] == '-')
		weir_usage_error("unknown option '%s' (see 'weir help')", argv[1]);
	run(argv[1], argv + 1);
}
