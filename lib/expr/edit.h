/*
 * edit.h - reshaping a record (the engine of weir-map): set fields from
 * expressions (NAME=EXPR, weir-expr(7)), keep, drop or rename fields, and
 * set the key or the event time from an expression.
 *
 *   weir_edit *ed = weir_edit_new();
 *   weir_edit_assign(ed, "cents=.amount * 100", err, sizeof(err));
 *   weir_edit_list(ed, ".amount", 1, "--drop", err, sizeof(err));
 *   weir_edit_where(ed, ".amount > 0", err, sizeof(err));
 *   weir_edit_ready(ed, err, sizeof(err));
 *   rc = weir_edit_apply(ed, &in, &out, why, sizeof(why));
 *
 * Every expression sees the record as it came in.  The new value is built
 * from the old one in one pass: keeps select, drops remove, then the
 * assignments (and renames) are applied, in the order they were given.
 * Untouched members are copied as their encoded bytes.
 *
 * The set-up calls return 0, or a WEIR_FAIL_* kind with a message; an
 * expression that does not compile leaves its whole diagnostic (with the
 * caret lines) in weir_edit_diag().
 */
#ifndef WEIR_EDIT_H
#define WEIR_EDIT_H

#include "expr.h"
#include "record.h"

typedef struct weir_edit weir_edit;

weir_edit *weir_edit_new(void);
void weir_edit_free(weir_edit *ed);
/* NAME=EXPR (the first '=' that is not part of ==, !=, <=, >=). */
int weir_edit_assign(weir_edit *ed, const char *arg, char *err,
    size_t errsz);
/* A comma-separated list of fields to keep (del 0) or drop (del 1); opt
 * names the option in messages. */
int weir_edit_list(weir_edit *ed, const char *list, int del, const char *opt,
    char *err, size_t errsz);
/* OLD=NEW. */
int weir_edit_rename(weir_edit *ed, const char *spec, char *err,
    size_t errsz);
/* The record key (as text) or the event time (ms or ISO 8601) from an
 * expression. */
int weir_edit_key(weir_edit *ed, const char *expr, char *err, size_t errsz);
int weir_edit_time(weir_edit *ed, const char *expr, char *err, size_t errsz);
/* Keep only the records for which expr is true (weir-expr(7): missing,
 * null and false are not), tested before any other expression is
 * evaluated; given more than once, all of them. */
int weir_edit_where(weir_edit *ed, const char *expr, char *err,
    size_t errsz);
/* After the edits: check them (a field set inside a field that is set). */
int weir_edit_ready(weir_edit *ed, char *err, size_t errsz);
/*
 * lazy: packed values come unchecked (frames read with
 * weir_input_pass_values): weir_edit_apply checks what it reads (the
 * first member of each name that an expression's path starts with; the
 * whole value for '.' or a value that is not an object) and what it
 * writes out, and only steps over the rest, within bounds.  text: the new
 * value is JSON text (WEIR_ENC_JSON, what weir_pv_to_json would write of
 * the packed one), for a program that writes NDJSON.
 */
void weir_edit_io(weir_edit *ed, int lazy, int text);
/* The diagnostic of the last expression that did not compile. */
const weir_buf *weir_edit_diag(const weir_edit *ed);

/*
 * Apply the edits to in, into out (its value and key point into ed's
 * buffers until the next call).  0; 1 when the time expression gave no
 * time; 2 when a --where was not true (out is not set: the record is
 * dropped); WEIR_FAIL_DATA when an expression failed on this record (why
 * says so, in both cases); WEIR_FAIL_IO when an unchecked value
 * (lazy) is corrupt (why: "corrupt packed value: ..."); WEIR_FAIL_NOMEM.
 * With lazy, in's value is checked only in part: a program that writes
 * it out (a bad record) checks it first.
 */
int weir_edit_apply(weir_edit *ed, const weir_record *in, weir_record *out,
    char *why, size_t whysz);

#endif
