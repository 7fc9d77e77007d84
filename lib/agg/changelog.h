/*
 * changelog.h - aggregating a table's changelog (weir-agg --changelog).
 *
 * The input is a keyed changelog (weir-format(5), Changelogs): a record
 * with a key and a value upserts the row of that key, one with a null
 * value deletes it.  The last row of every key is kept; a change first
 * retracts the key's previous row from the aggregates of its group, then
 * adds the new row to the aggregates of its group (which may be another:
 * the row moved), as Kafka Streams' KTable.groupBy().aggregate() and
 * Flink's retract streams do.  Every group a change touched is emitted at
 * once, as a changelog of its own: an upsert of the group's new result,
 * keyed by the group as weir-agg keys its results, or a delete (the key,
 * a null value) when its last row went away.
 *
 * Only functions that can take a value back are allowed: count, sum, avg,
 * min, max (a counted multiset per group) and distinct (a counted set).
 * Memory: the rows of the table (their group key and the values the
 * functions read), and per group the distinct values of min, max and
 * distinct; a deleted key frees its row.
 */
#ifndef WEIR_AGG_CHANGELOG_H
#define WEIR_AGG_CHANGELOG_H

#include "agg.h"

typedef struct weir_aggcl weir_aggcl;

/*
 * Changelog aggregation with a's groups and functions (after
 * weir_agg_ready; a must outlive it) into *out: 0, or WEIR_FAIL_USAGE
 * with a message naming a function that cannot be retracted, or
 * WEIR_FAIL_NOMEM.
 */
int weir_aggcl_open(weir_aggcl **out, weir_agg *a, char *err, size_t errsz);
void weir_aggcl_free(weir_aggcl *c);

/*
 * Apply one change and emit the groups it changed to fn.  0; or
 * WEIR_FAIL_DATA for a record that is not a change (no key, a value that
 * is not JSON, a window: the state is unchanged), WEIR_FAIL_NOMEM, or the
 * negative value fn returned.
 */
int weir_aggcl_apply(weir_aggcl *c, const weir_record *r,
    weir_agg_emit_fn fn, void *arg, char *err, size_t errsz);

/*
 * Checkpoints: save appends the rows (key, group and values) of the
 * table; load reads them into an empty weir_aggcl made with the same
 * options and rebuilds every group from them, without emitting.  save:
 * 0 or WEIR_FAIL_NOMEM; load: 0, or with a message WEIR_FAIL_DATA on
 * malformed state, WEIR_FAIL_NOMEM.
 */
int weir_aggcl_save(const weir_aggcl *c, weir_buf *out);
int weir_aggcl_load(weir_aggcl *c, weir_rd *rd, char *err, size_t errsz);

/* Statistics: live rows (keys) and non-empty groups. */
uint64_t weir_aggcl_rows(const weir_aggcl *c);
uint64_t weir_aggcl_groups(const weir_aggcl *c);

#endif
