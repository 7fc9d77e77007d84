/*
 * broker.h - a local Kafka-protocol cluster for development and tests, on
 * librdkafka's mock cluster: topics, a fixed bootstrap port, injected
 * request errors, brokers taken down and up, and a control FIFO that
 * does these while the cluster runs.  Behind weir-broker(1).
 *
 * Errors: functions that can fail return WEIR_FAIL_USAGE for a bad
 * argument or path and WEIR_FAIL_IO when the system refuses (a port in
 * use, a socket or thread that cannot be made), with a message in err.
 */
#ifndef WEIR_BROKER_H
#define WEIR_BROKER_H

#include "util.h"

typedef struct weir_broker weir_broker;

/* A cluster of n brokers (ids 1..n) on 127.0.0.1, on ports the system
 * chooses; they accept connections when this returns. */
weir_broker *weir_broker_new(int n, char *err, size_t errsz);
/* Stop the forwarder and the control FIFO (removed if made here) and
 * destroy the cluster. */
void weir_broker_free(weir_broker *b);

int weir_broker_topic(weir_broker *b, const char *name, int partitions,
    char *err, size_t errsz);

/*
 * Listen on 127.0.0.1:port too and pass each connection through to the
 * first broker that is up.  The mock cluster of librdkafka 2.0.2 binds
 * its brokers to ports the system chooses and names those in metadata:
 * this port is a bootstrap address, clients then connect to the brokers'
 * own ports (on the same host).
 */
int weir_broker_listen(weir_broker *b, int port, char *err, size_t errsz);

/* The bootstrap servers: 127.0.0.1:port after weir_broker_listen(), the
 * brokers' own addresses otherwise. */
const char *weir_broker_bootstraps(const weir_broker *b);

/*
 * Faults.  API is a Kafka API the mock serves, by name (Produce, Fetch,
 * ListOffsets, Metadata, OffsetCommit, OffsetFetch, FindCoordinator,
 * JoinGroup, Heartbeat, LeaveGroup, SyncGroup, ApiVersions,
 * InitProducerId, AddPartitionsToTxn, AddOffsetsToTxn, EndTxn,
 * TxnOffsetCommit; any case) or number; ERROR a Kafka error by name (as
 * librdkafka or Kafka spell it, any case) or number.
 */
typedef struct weir_broker_fault {
	int api;
	int error;
	int count;
} weir_broker_fault;

/* "API:ERROR[:COUNT]" (COUNT 1 by default, 1 to 1000000): 0, or with a
 * message WEIR_FAIL_USAGE or WEIR_FAIL_NOMEM. */
int weir_broker_fault_parse(const char *spec, weir_broker_fault *f,
    char *err, size_t errsz);
/* The next count requests of api (to any broker) fail with error; faults
 * pushed for the same API queue up behind each other. */
void weir_broker_fail(weir_broker *b, const weir_broker_fault *f);
/* Broker id (1..n, or -1 for all) down: connections closed, new ones
 * refused; up: accepted again.  Leadership does not move. */
int weir_broker_set_up(weir_broker *b, int id, int up, char *err,
    size_t errsz);

/*
 * Control FIFO: make path a FIFO (or use the FIFO there) and read lines
 * from it.  weir_broker_control_serve() waits up to timeout_ms for lines
 * and carries them out; note gets one message per line: what was done,
 * or why the line was refused (the broker goes on either way).  Lines:
 *   fail API ERROR [COUNT]    (also API:ERROR:COUNT)
 *   clear API                 drop the API's pending faults
 *   down ID|all, up ID|all
 * Blank lines and lines starting with # are ignored.
 */
int weir_broker_control_open(weir_broker *b, const char *path, char *err,
    size_t errsz);
int weir_broker_control_serve(weir_broker *b, int timeout_ms,
    void (*note)(const char *msg), char *err, size_t errsz);
/* Carry out one control line; its message in msg.  0 done, or a kind:
 * WEIR_FAIL_USAGE (refused), WEIR_FAIL_IO, WEIR_FAIL_NOMEM. */
int weir_broker_command(weir_broker *b, const char *line, char *msg,
    size_t msgsz);

#endif
