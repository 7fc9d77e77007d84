/*
 * progress.h - exactly-once to Kafka: progress records, attempt headers,
 * and the filter behind weir-source --committed-only (weir(7),
 * EXACTLY-ONCE).
 *
 * A transactional weir-sink writes, inside each checkpoint's transaction,
 * a progress record keyed by its transactional id to the progress topic
 * (TOPIC.weir-progress).  Its value is JSON:
 *
 *	{"txid":T,"run":"G-XXXXXXXX","checkpoint":N,"positions":{...},
 *	 "committed":[["G-XXXXXXXX",LO,HI],...]}
 *
 * run names one start of the sink: G, its generation, is one more than
 * the generation of the last progress record the sink found when it
 * started (after init_transactions fenced the older instances), the rest
 * is random.  committed lists, per run, the checkpoints whose
 * transactions are known committed, as the sink knew when it wrote the
 * record: the record of checkpoint N lists N-1, the next one lists N.
 * Every output message carries the header weir-attempt: "T/RUN/N", the
 * transaction (attempt) it was produced in.
 *
 * A reader decides an attempt (T, RUN, N) from the newest progress
 * record of T: committed when listed; aborted (never to be committed)
 * when the record is of a later generation, of another run of the same
 * generation, or of the same run and a later checkpoint; otherwise not
 * known yet.
 */
#ifndef WEIR_PROGRESS_H
#define WEIR_PROGRESS_H

#include "frame.h"

#define WEIR_ATTEMPT_HDR "weir-attempt"
#define WEIR_PROGRESS_SUFFIX ".weir-progress"
#define WEIR_RUN_MAX 32

typedef struct weir_prange {
	char run[WEIR_RUN_MAX];
	uint64_t lo, hi;
} weir_prange;

typedef struct weir_progress {
	char *txid;
	char run[WEIR_RUN_MAX];
	uint64_t gen;		/* of run */
	uint64_t id;		/* checkpoint */
	weir_buf positions;	/* JSON object (the barrier's payload) */
	weir_prange *r;
	size_t nr, cap;
} weir_progress;

/* Encode the record's value into out (appended): 0 or WEIR_FAIL_NOMEM. */
int weir_progress_encode(const weir_progress *p, weir_buf *out);
/* Decode a value into p (emptied first): 0, or with a message
 * WEIR_FAIL_DATA (not a progress record) or WEIR_FAIL_NOMEM. */
int weir_progress_decode(weir_progress *p, const uint8_t *v, size_t n,
    char *err, size_t errsz);
/* Mark (run, id) committed: 0 or WEIR_FAIL_NOMEM. */
int weir_progress_add(weir_progress *p, const char *run, uint64_t id);
int weir_progress_has(const weir_progress *p, const char *run, uint64_t id);
/* A new run of generation gen: "gen-random" into p->run. */
void weir_progress_new_run(weir_progress *p, uint64_t gen);
void weir_progress_free(weir_progress *p);

/* The attempt header's value "T/RUN/N" into out (reset first). */
int weir_attempt_format(weir_buf *out, const char *txid, const char *run,
    uint64_t id);

/*
 * The committed-only filter.  Feed it the progress records and the data
 * records in the order they are read; it passes on the data records of
 * committed attempts, in order, holds those of attempts not known yet
 * (copied, at most max_bytes in all) and drops those of aborted ones.
 * Records without a weir-attempt header are not a transaction's: they
 * pass (behind what is held).
 */
typedef struct weir_eosf weir_eosf;

enum { WEIR_EOSF_PASS = 0, WEIR_EOSF_HELD = 1, WEIR_EOSF_DROP = 2 };

weir_eosf *weir_eosf_new(size_t max_bytes);
void weir_eosf_free(weir_eosf *f);
/* A progress record's value: 0, or with a message WEIR_FAIL_DATA when it
 * is not one, WEIR_FAIL_NOMEM. */
int weir_eosf_progress(weir_eosf *f, const uint8_t *v, size_t n, char *err,
    size_t errsz);
/* A data record: PASS (give it on now), HELD, DROP, or with a message
 * WEIR_FAIL_IO (over max_bytes: the progress records do not come) or
 * WEIR_FAIL_NOMEM. */
int weir_eosf_push(weir_eosf *f, const weir_record *r, char *err,
    size_t errsz);
/* The next held record now decided committed, in order: 1 with r (valid
 * until the next call), 0 when the first held one is not decided yet. */
int weir_eosf_pop(weir_eosf *f, weir_record *r);
size_t weir_eosf_held(const weir_eosf *f);
uint64_t weir_eosf_dropped(const weir_eosf *f);

#endif
