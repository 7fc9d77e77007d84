/*
 * weir-broker - a local Kafka-protocol broker for development, demos and
 * tests, built on librdkafka's mock cluster.  In memory, loopback only,
 * keeps only a recent part of each partition's log: not for production.
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <librdkafka/rdkafka.h>
#include <librdkafka/rdkafka_mock.h>

#include "cli.h"
#include "io.h"

static const char usage[] =
"usage: weir-broker [--brokers N] [--topic NAME:PARTITIONS]...\n"
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
"      --fail-produce N      fail the next N produce requests with\n"
"                            TOPIC_AUTHORIZATION_FAILED (for tests)\n"
"  -h, --help                this help\n"
"      --version             print the version\n"
"\n"
"Exit status: 0 stopped by a signal, 2 usage, 3 the cluster could not\n"
"start.  See weir-broker(1).\n";

enum { O_VERSION = 256, O_FAILPRODUCE };

static const struct option longopts[] = {
	{ "brokers", required_argument, NULL, 'n' },
	{ "topic", required_argument, NULL, 't' },
	{ "fail-produce", required_argument, NULL, O_FAILPRODUCE },
	{ "help", no_argument, NULL, 'h' },
	{ "version", no_argument, NULL, O_VERSION },
	{ NULL, 0, NULL, 0 }
};

int
main(int argc, char **argv)
{
	int c, i, nbrokers = 1, ntopics = 0, fail_produce = 0;
	char **topics = calloc((size_t)argc, sizeof(*topics));
	char errstr[512];
	rd_kafka_conf_t *conf;
	rd_kafka_t *rk;
	rd_kafka_mock_cluster_t *mc;
	rd_kafka_resp_err_t kerr;

	weir_cli_init(argv[0]);
	if (!topics)
		weir_die(WEIR_EXIT_IO, "out of memory");
	while ((c = getopt_long(argc, argv, "n:t:h", longopts, NULL)) != -1) {
		switch (c) {
		case 'n':
			nbrokers = (int)weir_cli_int("--brokers", optarg, 1, 64);
			break;
		case 't':
			topics[ntopics++] = optarg;
			break;
		case O_FAILPRODUCE:
			fail_produce = (int)weir_cli_int("--fail-produce", optarg,
			    0, 1000000);
			break;
		case 'h':
			fputs(usage, stdout);
			free(topics);
			return 0;
		case O_VERSION:
			free(topics);
			weir_version();
		default:
			free(topics);
			weir_cli_bad_option();
		}
	}
	if (optind < argc)
		weir_usage_error("unexpected argument '%s'", argv[optind]);
	for (i = 0; i < ntopics; i++) {
		char *colon = strrchr(topics[i], ':');
		if (!colon || colon == topics[i])
			weir_usage_error("--topic wants NAME:PARTITIONS, not '%s'",
			    topics[i]);
		*colon = '\0';
		weir_cli_int("--topic partitions", colon + 1, 1, 10000);
	}

	weir_sig_install();
	/* The handle the mock cluster keeps its books in; it serves nothing
	 * itself.  Its own logging stays quiet unless something breaks. */
	conf = rd_kafka_conf_new();
	if (rd_kafka_conf_set(conf, "log_level", "3", errstr,
	    sizeof(errstr)) != RD_KAFKA_CONF_OK)
		weir_die(WEIR_EXIT_IO, "%s", errstr);
	rk = rd_kafka_new(RD_KAFKA_PRODUCER, conf, errstr, sizeof(errstr));
	if (!rk)
		weir_die(WEIR_EXIT_IO, "cannot create the cluster handle: %s",
		    errstr);
	mc = rd_kafka_mock_cluster_new(rk, nbrokers);
	if (!mc)
		weir_die(WEIR_EXIT_IO, "cannot start the mock cluster");
	for (i = 0; i < ntopics; i++) {
		const char *name = topics[i];
		int parts = atoi(name + strlen(name) + 1);
		kerr = rd_kafka_mock_topic_create(mc, name, parts,
		    nbrokers < 3 ? nbrokers : 3);
		if (kerr)
			weir_die(WEIR_EXIT_IO, "topic %s: %s", name,
			    rd_kafka_err2str(kerr));
	}
	if (fail_produce > 0) {
		rd_kafka_resp_err_t *errs = calloc((size_t)fail_produce,
		    sizeof(*errs));
		if (!errs)
			weir_die(WEIR_EXIT_IO, "out of memory");
		for (i = 0; i < fail_produce; i++)
			errs[i] = RD_KAFKA_RESP_ERR_TOPIC_AUTHORIZATION_FAILED;
		rd_kafka_mock_push_request_errors_array(mc, 0 /* Produce */,
		    (size_t)fail_produce, errs);
		free(errs);
	}
	printf("%s\n", rd_kafka_mock_cluster_bootstraps(mc));
	if (fflush(stdout) == EOF)
		weir_die(WEIR_EXIT_IO, "stdout: cannot write");

	while (!weir_sig_stop()) {
		struct timespec ts = { 0, 100 * 1000000L };
		nanosleep(&ts, NULL);
	}
	rd_kafka_mock_cluster_destroy(mc);
	rd_kafka_destroy(rk);
	free(topics);
	return 0;
}
