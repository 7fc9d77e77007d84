/*
 * srcrun.h - weir-source's jobs (cmd-support, like stage.h: it may exit on
 * behalf of the program): read files, a generator or Kafka through the
 * stage loop, shape and emit each record (lib/stream/source.c), and map
 * each failure to its exit status.
 *
 *   weir_srcrun r;
 *   weir_srcrun_init(&r);  ... options into r.src, r.onerr, r.ck ...
 *   weir_srcrun_open(&r, argc, argv);   -- the output, the checkpoints
 *   weir_srcrun_files(&r, n, files, fmt);  (or _gen, _kafka)
 *   weir_srcrun_finish(&r);             -- the last barrier, END, exit 0
 */
#ifndef WEIR_SRCRUN_H
#define WEIR_SRCRUN_H

#include "avrorec.h"
#include "kafka_read.h"
#include "kcat_io.h"
#include "source.h"
#include "stage.h"

typedef struct weir_srcrun {
	weir_source src;	/* the options for every record: set them */
	weir_onerr onerr;	/* --on-error */
	weir_ckpt_opts ck;	/* --state, --name, --reset-state */
	weir_avro_dec *avro;	/* -s: Avro from the registry; NULL none */
	int committed_only;	/* --committed-only */
	const char *progress_topic;
	const weir_kcatfmt *kcat;	/* kcat's text output (-C, -J, ...):
					   no stream; NULL a stream */
	/* the run's own */
	weir_stage st;
	int first_index;
	int kafka;		/* weir_srcrun_kafka ran (its own last barrier) */
	weir_gen gen;
	int gen_open;		/* the event is in the output, not closed */
	weir_kafka_reader *kr;
	weir_kafka_consumer *kc;
	int64_t kflushed;	/* when the Kafka output was last flushed */
	weir_kcat_out kout;
} weir_srcrun;

void weir_srcrun_init(weir_srcrun *r);
/* Open the output (none for kcat's text), and with --state the
 * checkpoints: resume where the committed checkpoint was.  Exits on
 * failure (a bad or foreign state 2, the rest 3). */
void weir_srcrun_open(weir_srcrun *r, int argc, char **argv);
/* Read the files (none: stdin) from where the checkpoint was. */
void weir_srcrun_files(weir_srcrun *r, int nfiles, char **files, int fmt);
/* Generate (weir_gen_set_kind) from where the checkpoint was. */
void weir_srcrun_gen(weir_srcrun *r, int kind, uint64_t tps, uint64_t seed,
    int64_t start, uint32_t users);
/* Consume from Kafka (lib/kafka/kafka_read.c), to a stream or as kcat's
 * text; the last checkpoint at its end. */
void weir_srcrun_kafka(weir_srcrun *r, const weir_kafka_opts *ko);
/* The last checkpoint (when not Kafka's), END, the bad records told;
 * exits 0. */
_Noreturn void weir_srcrun_finish(weir_srcrun *r);

#endif
