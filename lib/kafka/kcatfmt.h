/*
 * kcatfmt.h - kcat's text forms, for a kcat user's commands: its output
 * format strings (kcat -f '%k %s\n'), its JSON envelope (kcat -J), its
 * delimiter escapes (-D, -K) and its delimited producer input.
 * weir-source(1) and weir-sink(1), KCAT, say which flags use them.
 */
#ifndef WEIR_KCATFMT_H
#define WEIR_KCATFMT_H

#include "frame.h"
#include "kafka.h"

/* What kcat -J shows of a message that a weir record does not carry. */
typedef struct weir_kcat_meta {
	int tstype;		/* librdkafka's: 0 none, 1 create, 2 logappend */
	int32_t broker;		/* the broker it was fetched from, -1 unknown */
} weir_kcat_meta;

/* A parsed output format. */
typedef struct weir_kcatfmt {
	struct weir_kcat_tok *tok;
	int ntok;
	int json;		/* -J: the envelope, then the first literal */
	int null_str;		/* -Z: an empty key or value prints NULL */
	weir_buf lit;		/* the literals' bytes */
} weir_kcatfmt;

/* A -D or -K argument with kcat's escapes (\n, \t, \xHH) as bytes into
 * out, NUL-terminated; like kcat, a \x00 ends it.  0, or with a message
 * WEIR_FAIL_USAGE for \x without a hex digit, WEIR_FAIL_NOMEM. */
int weir_kcat_delim(const char *arg, weir_buf *out, char *err, size_t errsz);

/*
 * Parse kcat format string fmt (%s %k %t %p %o %T %h %S %K %R %%, and the
 * escapes \n \t \r \NNN \xHH in literals, as kcat reads them).  fmt NULL:
 * kcat's default from the delimiters, "%s" DELIM, or "%k" KDELIM "%s" DELIM
 * with a key delimiter (kdelim NULL: none; both already unescaped).  With
 * json, each message is the envelope followed by the format's first
 * literal (DELIM by default).  0, or with a message WEIR_FAIL_USAGE
 * naming the bad formatter, WEIR_FAIL_NOMEM; weir_kcatfmt_free() in any
 * case.
 */
int weir_kcatfmt_parse(weir_kcatfmt *f, const char *fmt, const char *delim,
    const char *kdelim, int json, char *err, size_t errsz);
void weir_kcatfmt_free(weir_kcatfmt *f);
/* Append message r formatted to b; m may be NULL (tstype create when r
 * has a time, broker -1).  scratch holds the value of a packed record.
 * 0, WEIR_FAIL_DATA for a corrupt value, WEIR_FAIL_NOMEM. */
int weir_kcatfmt_put(const weir_kcatfmt *f, weir_buf *b, const weir_record *r,
    const weir_kcat_meta *m, weir_buf *scratch);

/*
 * kcat's producer input: messages separated by a delimiter, read from a
 * descriptor; empty messages are skipped, the last one needs no
 * delimiter.
 */
typedef struct weir_kcat_reader {
	int fd;
	const uint8_t *delim;
	size_t dlen;
	weir_buf buf;
	size_t off;		/* start of the next message in buf */
	size_t scan;		/* delimiter search starts here */
	int eof;
} weir_kcat_reader;

void weir_kcat_reader_init(weir_kcat_reader *r, int fd, const char *delim);
/* 1 with the next message (valid until the next call), 0 at the end of
 * input, WEIR_KCAT_SIGNAL when a signal interrupted a read (not a failure:
 * call again to go on), or with a message WEIR_FAIL_IO (a read error) or
 * WEIR_FAIL_NOMEM. */
#define WEIR_KCAT_SIGNAL 2
int weir_kcat_reader_next(weir_kcat_reader *r, const uint8_t **msg,
    size_t *len, char *err, size_t errsz);
void weir_kcat_reader_free(weir_kcat_reader *r);

/* Split msg at the first kdelim into key and value, as kcat -K does;
 * with null_empty (-Z), an empty key or value becomes NULL.  0 if kdelim
 * is not in msg (everything is the value, no key). */
int weir_kcat_split_key(const uint8_t *msg, size_t len, const char *kdelim,
    int null_empty, const uint8_t **key, size_t *klen, const uint8_t **val,
    size_t *vlen);

/* kcat -P FILE: the whole file into out (one message).  0, or with a
 * message naming it WEIR_FAIL_IO or WEIR_FAIL_NOMEM. */
int weir_kcat_read_file(const char *path, weir_buf *out, char *err,
    size_t errsz);

/* kcat's -F FILE (its properties; "-" or "none": none), -d FACILITIES
 * (librdkafka's debug) and -z CODEC (compression.codec) as -X properties
 * of o.  0 or WEIR_FAIL_NOMEM. */
int weir_kcat_prop(weir_kafka_opts *o, int c, const char *arg);

/* kcat's flag c as weir-source (sink 0) or weir-sink (sink 1) refuses
 * it: a message naming the weir way into msg; 0 for a flag the program
 * takes. */
int weir_kcat_refusal(int c, int sink, char *msg, size_t msgsz);

/* kcat -H: headers every produced message gets after its own. */
typedef struct weir_kcat_hdrs {
	weir_buf hdrs, hb;
	uint32_t n;
} weir_kcat_hdrs;
/* -H NAME=VALUE, or NAME (a null value): 0, or WEIR_FAIL_USAGE (a bad
 * one) or WEIR_FAIL_NOMEM with a message. */
int weir_kcat_hdrs_add(weir_kcat_hdrs *h, const char *arg, char *err,
    size_t errsz);
/* r's own headers and then -H's (r points into h until the next call):
 * 0, or WEIR_FAIL_NOMEM. */
int weir_kcat_hdrs_apply(weir_kcat_hdrs *h, weir_record *r);

#endif
