/*
 * check.h - evaluating weir-check rules (lib/rules.h) over a record
 * stream: per-value rules on every record, aggregate rules (count,
 * freshness) and unique sets per scope.  A scope is the whole input, or,
 * with a window size or windowed records (WEIR_R_WINDOW), one window
 * [start, end), judged when the watermark reaches its end or at the end.
 *
 * Library code: never prints.  Warnings meant for people (a unique set
 * turning approximate) are appended to c->notes, one line each, for the
 * program to print and clear.
 */
#ifndef WEIR_CHECK_H
#define WEIR_CHECK_H

#include "frame.h"
#include "rules.h"
#include "uniq.h"

#define WEIR_CHECK_SAMPLES 20

/* Where a record came from, for failure samples. */
typedef struct weir_check_pos {
	const char *file;	/* input name (kept, not copied); NULL: stdin */
	uint64_t line;		/* text input: its line; 0 for frames */
	uint64_t recno;		/* record number within that input, from 1 */
} weir_check_pos;

typedef struct weir_check_sample {
	const char *file;
	uint64_t line, recno;	/* recno 0: a whole scope, not one record */
	int has_win;
	int64_t win_start, win_end;
	char what[96];		/* the failing value, or what failed */
} weir_check_sample;

/* A rule's verdict: a warn rule that fails, or a rule whose failures pass
 * its warn_if but not its error_if, ends as WARN. */
enum { WEIR_CHECK_PASS, WEIR_CHECK_WARN, WEIR_CHECK_FAIL };

typedef struct weir_check_result {
	uint64_t checked;	/* values (or scopes, for count/freshness) */
	uint64_t failed;	/* of them, failing */
	uint64_t skipped;	/* null or missing values not looked at */
	uint64_t matched;	/* records where the rule's path was present */
	int no_match;		/* the path matched no record (detail says) */
	uint64_t scopes, scopes_failed, scopes_warned;
	int status;		/* the verdict: WEIR_CHECK_PASS, WARN, FAIL */
	int passed;		/* status == WEIR_CHECK_PASS */
	int has_stat;		/* avg/min/max/sum: stat is the value of the */
	double stat;		/* last scope judged */
	int approx;		/* unique: estimated with HyperLogLog */
	int stopped;		/* unique: exact set hit its memory limit */
	char detail[224];	/* why it failed (first failing scope) */
	size_t nsamples;
	weir_check_sample samples[WEIR_CHECK_SAMPLES];
} weir_check_result;

typedef struct weir_check_opts {
	size_t unique_limit;	/* bytes per unique set; 0: default */
	int64_t window;		/* tumbling scope size in ms; 0: none */
	int64_t now_ms;		/* freshness "now"; 0: the clock at the end */
} weir_check_opts;

typedef struct weir_check weir_check;

weir_check *weir_check_new(const weir_rules *rs, const weir_check_opts *o);
void weir_check_free(weir_check *c);
/* Load what rules read besides the records (relationships' reference
 * tables; without them every value of such a rule fails).  0, or with err
 * set WEIR_FAIL_USAGE for a file that cannot be opened, WEIR_FAIL_DATA a
 * bad reference record, WEIR_FAIL_IO a read error, WEIR_FAIL_NOMEM. */
int weir_check_load(weir_check *c, char *err, size_t errsz);
/* Check one record.  Returns 1 if it failed a per-value rule (for
 * --reject), 0 if not, WEIR_FAIL_NOMEM, WEIR_FAIL_DATA for a bad record (a
 * regular expression hit its match limit: weir_check_error names the rule
 * and the pattern); a bad record is not counted by any rule. */
int weir_check_record(weir_check *c, const weir_record *r,
    const weir_check_pos *pos);
const char *weir_check_error(const weir_check *c);
/* Judge every scope whose window ends at or before wm (0 or
 * WEIR_FAIL_NOMEM, as weir_check_finish). */
int weir_check_watermark(weir_check *c, int64_t wm);
/* Judge every open scope; results are final after this. */
int weir_check_finish(weir_check *c);
const weir_check_result *weir_check_results(const weir_check *c);
uint64_t weir_check_records(const weir_check *c);
/* 1 if no rule ended as WEIR_CHECK_FAIL. */
int weir_check_ok(const weir_check *c);
/* Lines for people (warnings); the caller prints and resets it. */
weir_buf *weir_check_notes(weir_check *c);

/*
 * Checkpoints (snap.h): save appends everything that decides later results
 * (open scopes with their counters, unique sets and newest times, the
 * results so far with their samples, record counts); 0, or
 * WEIR_FAIL_NOMEM.  load reads it into a checker freshly made from the
 * same rules and options; with a message, WEIR_FAIL_DATA or WEIR_SNAP_EBAD
 * when it is malformed or was saved for other rules, WEIR_FAIL_NOMEM.
 */
struct weir_rd;
int weir_check_state_save(const weir_check *c, weir_buf *out);
int weir_check_state_load(weir_check *c, struct weir_rd *rd, char *err,
    size_t errsz);

#endif
