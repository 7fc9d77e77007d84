/*
 * eos.h - exactly once to Kafka: one transaction per checkpoint (weir(7),
 * EXACTLY-ONCE), behind weir-sink --transactional-id.
 *
 * Each transaction holds its checkpoint's messages (each with the
 * weir-attempt header of progress.h), the source offsets of its barrier
 * and a progress record.  At barrier N the messages are delivered and also
 * kept in SDIR/txn.spool (synced): weir_eos_prepare.  The caller then
 * writes COMMITTED N, and weir_eos_commit commits the transaction.  A sink
 * that dies between the two finds Kafka at N-1 and COMMITTED at N when it
 * starts again: weir_eos_start sends checkpoint N's messages again from the
 * spool, in a transaction of its own.
 *
 * Every function returns 0, or a negative exit status (WEIR_FAIL_IO) with
 * a message in err; a Kafka failure's message says from which checkpoint
 * the pipeline restarts.
 */
#ifndef WEIR_EOS_H
#define WEIR_EOS_H

#include "kafka.h"
#include "progress.h"

/* Where the sink's own state stands (its COMMITTED). */
typedef struct weir_eos_at {
	const char *sdir;	/* the sink's state directory: the spool */
	const char *dir;	/* the state directory, as messages name it */
	uint64_t id;		/* the last committed checkpoint (0: none) */
	const uint8_t *positions;	/* its positions (JSON) */
	size_t positions_len;
	uint64_t out_len;	/* its spooled bytes */
	int reset;		/* --reset-state: start over */
} weir_eos_at;

typedef struct weir_eos {
	const char *txid;	/* --transactional-id */
	const char *topic;	/* --progress-topic (NULL: TOPIC.weir-progress) */
	void (*warn)(const char *msg);	/* notes (NULL: none) */
	/* the module's own */
	weir_progress pr;	/* what the next progress record says */
	uint64_t cur;		/* the checkpoint being filled */
	uint64_t committed;	/* the last checkpoint in COMMITTED */
	int open;		/* a transaction is open */
	uint64_t sent;		/* messages in it */
	int spool;		/* the open transaction's messages */
	uint64_t spooled;	/* bytes in it */
	char *spool_path;
	weir_fenc enc;
	weir_buf val, hdr, sb, pos;
	char topicbuf[1024];
} weir_eos;

/* After init_transactions (weir_kafka_producer_open): where Kafka stands,
 * the checkpoint at sent again when Kafka lacks it. */
int weir_eos_start(weir_eos *e, weir_kafka_producer *p,
    const weir_kafka_opts *ko, const weir_eos_at *at, char *err,
    size_t errsz);
/* Before each message: the transaction is open. */
int weir_eos_message(weir_eos *e, weir_kafka_producer *p, char *err,
    size_t errsz);
/* A message sent (r, with the key it was sent with): kept until its
 * checkpoint is committed in Kafka. */
int weir_eos_spool(weir_eos *e, const weir_record *r, const uint8_t *key,
    size_t key_len, char *err, size_t errsz);
/* Barrier (payload: its positions): its offsets into the transaction,
 * every message delivered, the spool synced (*spooled: its bytes, for
 * COMMITTED). */
int weir_eos_prepare(weir_eos *e, weir_kafka_producer *p,
    const uint8_t *payload, size_t n, uint64_t *spooled, char *err,
    size_t errsz);
/* COMMITTED id is written: the progress record of checkpoint id, then the
 * Kafka commit. */
int weir_eos_commit(weir_eos *e, weir_kafka_producer *p, uint64_t id,
    const uint8_t *payload, size_t n, char *err, size_t errsz);
/* END: the last checkpoint's commit, known to readers (a transaction with
 * the progress record saying so).  The final COMMITTED follows. */
int weir_eos_end(weir_eos *e, weir_kafka_producer *p, char *err,
    size_t errsz);
void weir_eos_free(weir_eos *e);

#endif
