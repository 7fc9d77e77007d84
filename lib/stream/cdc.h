/*
 * cdc.h - change-data-capture envelopes into weir's changelog form
 * (weir-source --cdc): each change becomes a keyed upsert (the row as the
 * value) or a delete (the key with a null value, a tombstone), which is
 * what weir-join --table and weir-format(5) take as a changelog.
 *
 * Debezium: a message value {"before":..,"after":..,"op":"c|u|d|r",..},
 * with or without the {"schema":..,"payload":{..}} wrapper of the JSON
 * converter; a null value (Kafka's tombstone after a delete) is a delete
 * too.  The key is the message key's payload: a single-field object gives
 * that field's value (as weir-join's --on key does), any other JSON its
 * JSON text; or the path given (keyp), read from "after" for an upsert
 * and from "before" for a delete.
 */
#ifndef WEIR_CDC_H
#define WEIR_CDC_H

#include "frame.h"
#include "path.h"
#include "util.h"

enum { WEIR_CDC_NONE = 0, WEIR_CDC_DEBEZIUM = 1 };

/* "debezium" -> WEIR_CDC_DEBEZIUM; -1 for an unknown name. */
int weir_cdc_kind(const char *name);

typedef struct weir_cdc {
	int kind;
	const weir_path *keyp;	/* NULL: the message key */
	weir_buf val, key, scratch, kscratch;
	uint64_t upserts, deletes;
} weir_cdc;

void weir_cdc_init(weir_cdc *c, int kind, const weir_path *keyp);
void weir_cdc_free(weir_cdc *c);
/* Rewrite r in place (its value and key then point into c until the next
 * call): 0, or WEIR_FAIL_DATA with a message in why for a record that is
 * not a change (not an envelope, an unknown op, a delete without a key),
 * or WEIR_FAIL_NOMEM ("out of memory"). */
int weir_cdc_apply(weir_cdc *c, weir_record *r, char *why, size_t whysz);

#endif
