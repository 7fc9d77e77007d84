/*
 * weir-broker - a local Kafka-protocol broker for development, demos and
 * tests, built on librdkafka's mock cluster.  In memory, loopback only,
 * keeps only a recent part of each partition's log: not for production.
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "broker.h"
#include "cli.h"
#include "io.h"
#include "snap.h"

static const char usage[] =
"usage: weir-broker [--brokers N] [--topic NAME:PARTITIONS]... [--port PORT]\n"
"                   [--ready-file PATH] [--control FIFO]\n"
"                   [--fail-request API:ERROR[:COUNT]]... [--fail-produce N]\n"
"\n"
"Run an in-memory Kafka-protocol cluster on the loopback interface for\n"
"development and tests.  Prints its bootstrap servers (host:port,...) as\n"
"the first line on stdout, then serves until SIGTERM or SIGINT.\n"
"Not durable, keeps only a recent part of each partition: not for\n"
"production.\n"
"\n"
"  -n, --brokers N           brokers in the cluster (default 1)\n"
"  -t, --topic NAME:PARTS    create topic NAME with PARTS partitions\n"
"                            (repeatable; other topics are created with\n"
"                            4 partitions when a producer first asks)\n"
"      --port PORT           also take connections on 127.0.0.1:PORT (the\n"
"                            bootstrap address printed; brokers keep their\n"
"                            own ports in metadata)\n"
"      --ready-file PATH     once serving, write the bootstrap servers to\n"
"                            PATH (atomically); removed at exit\n"
"      --control FIFO        read commands from FIFO while running:\n"
"                            fail API ERROR [COUNT], clear API,\n"
"                            down ID|all, up ID|all\n"
"      --fail-request API:ERROR[:COUNT]\n"
"                            fail the next COUNT (1) requests of API with\n"
"                            ERROR, by name or number (repeatable)\n"
"      --fail-produce N      --fail-request Produce:TOPIC_AUTHORIZATION_FAILED:N\n"
"  -h, --help                this help\n"
"      --version             print the version\n"
"\n"
"Exit status: 0 stopped by a signal, 2 usage, 3 the cluster could not\n"
"start.  See weir-broker(1).\n";

enum { O_VERSION = 256, O_FAILPRODUCE, O_FAILREQUEST, O_READY, O_CONTROL,
	O_PORT };

static const struct option longopts[] = {
	{ "brokers", required_argument, NULL, 'n' },
	{ "topic", required_argument, NULL, 't' },
	{ "port", required_argument, NULL, O_PORT },
	{ "ready-file", required_argument, NULL, O_READY },
	{ "control", required_argument, NULL, O_CONTROL },
	{ "fail-request", required_argument, NULL, O_FAILREQUEST },
	{ "fail-produce", required_argument, NULL, O_FAILPRODUCE },
	{ "help", no_argument, NULL, 'h' },
	{ "version", no_argument, NULL, O_VERSION },
	{ NULL, 0, NULL, 0 }
};

/* A topic option, split without writing into argv (ps shows it as given). */
struct topic {
	char *name;
	int parts;
};

static void
note(const char *msg)
{
	weir_warn("control: %s", msg);
}

/* Library status (negative exit status) to an exit with the message. */
static void
check(int rc, const char *err)
{
	if (rc < 0)
		weir_die(weir_fail_status(rc), "%s", err);
}

int
main(int argc, char **argv)
{
	int c, i, nbrokers = 1, ntopics = 0, nfaults = 0, port = 0;
	const char *ready = NULL, *control = NULL;
	struct topic *topics = calloc((size_t)argc, sizeof(*topics));
	weir_broker_fault *faults = calloc((size_t)argc, sizeof(*faults));
	char err[WEIR_ERRSZ];
	weir_broker *b;
	const char *boot;

	weir_cli_init(argv[0]);
	if (!topics || !faults)
		weir_die(WEIR_EXIT_IO, "out of memory");
	while ((c = getopt_long(argc, argv, "n:t:h", longopts, NULL)) != -1) {
		switch (c) {
		case 'n':
			nbrokers = (int)weir_cli_int("--brokers", optarg, 1, 64);
			break;
		case 't': {
			const char *colon = strrchr(optarg, ':');
			if (!colon || colon == optarg)
				weir_usage_error("--topic wants NAME:PARTITIONS, "
				    "not '%s'", optarg);
			topics[ntopics].parts = (int)weir_cli_int(
			    "--topic partitions", colon + 1, 1, 10000);
			topics[ntopics].name = strndup(optarg,
			    (size_t)(colon - optarg));
			if (!topics[ntopics++].name)
				weir_die(WEIR_EXIT_IO, "out of memory");
			break;
		}
		case O_PORT:
			port = (int)weir_cli_int("--port", optarg, 1, 65535);
			break;
		case O_READY:
			ready = optarg;
			break;
		case O_CONTROL:
			control = optarg;
			break;
		case O_FAILREQUEST:
			if ((i = weir_broker_fault_parse(optarg,
			    &faults[nfaults++], err, sizeof(err))) ==
			    WEIR_FAIL_USAGE)
				weir_usage_error("--fail-request: %s", err);
			check(i, err);
			break;
		case O_FAILPRODUCE: {
			weir_broker_fault *f = &faults[nfaults];
			f->count = (int)weir_cli_int("--fail-produce", optarg, 0,
			    1000000);
			f->api = 0;	/* Produce */
			f->error = 29;	/* TOPIC_AUTHORIZATION_FAILED */
			if (f->count > 0)
				nfaults++;
			break;
		}
		case 'h':
			weir_cli_help(usage);
		case O_VERSION:
			weir_version();
		default:
			weir_cli_bad_option();
		}
	}
	if (optind < argc)
		weir_usage_error("unexpected argument '%s'", argv[optind]);
	if (ready && !*ready)
		weir_usage_error("--ready-file wants a path");
	if (control && !*control)
		weir_usage_error("--control wants a path");

	weir_sig_install();
	if (!(b = weir_broker_new(nbrokers, err, sizeof(err))))
		weir_die(WEIR_EXIT_IO, "%s", err);
	for (i = 0; i < ntopics; i++) {
		check(weir_broker_topic(b, topics[i].name, topics[i].parts, err,
		    sizeof(err)), err);
		free(topics[i].name);
	}
	free(topics);
	for (i = 0; i < nfaults; i++)
		weir_broker_fail(b, &faults[i]);
	free(faults);
	if (port)
		check(weir_broker_listen(b, port, err, sizeof(err)), err);
	if (control)
		check(weir_broker_control_open(b, control, err, sizeof(err)),
		    err);

	/* Every listener is up: say so, on stdout and in the ready file. */
	boot = weir_broker_bootstraps(b);
	printf("%s\n", boot);
	if (fflush(stdout) == EOF)
		weir_die(WEIR_EXIT_IO, "stdout: cannot write");
	if (ready) {
		size_t n = strlen(boot);
		char *line = malloc(n + 2);
		if (!line)
			weir_die(WEIR_EXIT_IO, "out of memory");
		memcpy(line, boot, n);
		line[n] = '\n';
		if (weir_snap_write_file(ready, (uint8_t *)line, n + 1, err,
		    sizeof(err)) < 0)
			weir_die(WEIR_EXIT_IO, "--ready-file: %s", err);
		free(line);
	}

	while (!weir_sig_stop())
		check(weir_broker_control_serve(b, 100, note, err,
		    sizeof(err)), err);
	if (ready)
		unlink(ready);
	weir_broker_free(b);
	return 0;
}
