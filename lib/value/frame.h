/*
 * frame.h - the weir framed record format (man/weir-format.5).
 *
 * A stream is an 8-byte header followed by frames.  A frame is a type
 * byte, a varint body length and the body.  Records are decoded in place:
 * every pointer in a weir_record points into the caller's read buffer and
 * is valid until that buffer moves.
 */
#ifndef WEIR_FRAME_H
#define WEIR_FRAME_H

#include "util.h"

#define WEIR_MAGIC "\x89WEIR\n"
#define WEIR_MAGIC_LEN 6
#define WEIR_HEADER_LEN 8
#define WEIR_FORMAT_VERSION 1

enum {
	WEIR_F_RECORD = 0x01,
	WEIR_F_WATERMARK = 0x02,
	WEIR_F_BARRIER = 0x03,
	WEIR_F_END = 0x04,
	WEIR_F_CRITICAL = 0x40	/* an unknown type with this bit is an error */
};

/* Record flags (the varint that starts a RECORD body). */
enum {
	WEIR_R_TS = 1 << 0,
	WEIR_R_KEY = 1 << 1,
	WEIR_R_HEADERS = 1 << 2,
	WEIR_R_WINDOW = 1 << 3,
	WEIR_R_POS = 1 << 4,
	WEIR_R_ENC_SHIFT = 5,	/* two bits: value encoding */
	WEIR_R_LATE = 1 << 7,
	WEIR_R_HOP = 1 << 8	/* with WINDOW: hop_count windows, hop_advance apart */
};

/* Most windows one HOP record stands for. */
#define WEIR_HOP_MAX 100000

/* Value encodings. */
enum {
	WEIR_ENC_BYTES = 0,	/* opaque bytes (Kafka, lines, raw) */
	WEIR_ENC_JSON = 1,	/* JSON text, known to be valid */
	WEIR_ENC_PACKED = 2,	/* packed JSON (pack.h) */
	WEIR_ENC_NULL = 3	/* no value: a tombstone */
};

typedef struct weir_record {
	unsigned flags;		/* WEIR_R_* presence bits and LATE */
	int enc;		/* WEIR_ENC_* */
	int64_t ts;		/* event time, ms since the epoch */
	const uint8_t *key;
	size_t key_len;
	const uint8_t *value;
	size_t value_len;
	const uint8_t *hdrs;	/* encoded headers (see weir_hdr_next) */
	size_t hdrs_len;
	uint32_t nhdrs;
	int64_t win_start, win_end;
	/* HOP: the record is in the hop_count windows [win_start + k *
	 * hop_advance, win_end + k * hop_advance), k = 0 .. hop_count - 1.
	 * weir_input hands a reader that did not ask for them
	 * (weir_input_accept_hops) one copy per window instead. */
	int64_t hop_advance;
	uint32_t hop_count;
	const char *topic;
	size_t topic_len;
	int32_t partition;
	int64_t offset;
} weir_record;

/* One header, as iterated from a record. */
typedef struct weir_hdr {
	const uint8_t *name;
	size_t name_len;
	const uint8_t *val;	/* NULL for a null header value */
	size_t val_len;
} weir_hdr;

/* Iterate encoded headers: it starts at r->hdrs; returns 1 per header. */
typedef struct weir_hdr_iter {
	const uint8_t *p, *end;
	uint32_t left;
} weir_hdr_iter;
void weir_hdr_iter_init(weir_hdr_iter *it, const weir_record *r);
int weir_hdr_next(weir_hdr_iter *it, weir_hdr *h);

/* Build an encoded header block into b (count kept by the caller). */
int weir_hdr_put(weir_buf *b, const uint8_t *name, size_t nlen,
    const uint8_t *val, size_t vlen);	/* val NULL: null value */

/* Decoder and encoder state: records are delta-coded against the
 * previous record of the same stream. */
typedef struct weir_fdec {
	int64_t prev_ts;
	char topic[256];
	size_t topic_len;
	int have_topic;
	/* Packed values are checked (weir_pack_validate) once: a value with
	 * the same bytes as the last one checked (a hopping window's copies
	 * of a record) is not checked again, and trusted is for frames this
	 * process wrote itself from checked records (set after zeroing). */
	int trusted;
	size_t vlen;		/* vlast holds a checked value when > 0 */
	uint8_t vlast[128];
} weir_fdec;

typedef struct weir_fenc {
	int64_t prev_ts;
	char topic[256];
	size_t topic_len;
	int have_topic;
} weir_fenc;

typedef struct weir_frame {
	int type;
	const uint8_t *body;
	size_t len;
	weir_record rec;	/* RECORD */
	int64_t wm;		/* WATERMARK */
	uint64_t barrier;	/* BARRIER id; payload in body after it */
	const uint8_t *payload;
	size_t payload_len;
} weir_frame;

/* 1 if p starts with a weir stream header (needs WEIR_HEADER_LEN bytes;
 * with fewer, 1 if what there is could still be one). */
int weir_frame_sniff(const uint8_t *p, size_t n);
/* Check a full header; -1 with a message if the version is unsupported. */
int weir_frame_check_header(const uint8_t *p, char *err, size_t errsz);
int weir_frame_put_header(weir_buf *out);

/*
 * Parse one frame from p[0..n).  Returns the bytes it used (> 0), 0 when
 * more bytes are needed (*need, if not NULL, is set to the total size the
 * frame needs once its length is known), or -1 on a malformed frame.
 * Unknown non-critical frame types are returned with their type so the
 * caller can skip them.
 */
long weir_frame_parse(weir_fdec *d, const uint8_t *p, size_t n,
    size_t max_frame, weir_frame *f, size_t *need, char *err, size_t errsz);
/* The same, a RECORD decoded into *rec instead of f->rec (the caller's
 * own record: no copy of it, whose loads of fields just stored stall). */
long weir_frame_parse_rec(weir_fdec *d, const uint8_t *p, size_t n,
    size_t max_frame, weir_frame *f, weir_record *rec, size_t *need,
    char *err, size_t errsz);

/* Encoders: append one frame to out. */
int weir_frame_put_record(weir_fenc *e, weir_buf *out, const weir_record *r);
/*
 * The head of the record frame of a record with an event time ts and a
 * packed value of vlen bytes, nothing else (what weir_frame_put_record
 * writes before the value): its size as e stands, and when that is room,
 * written at p (e's time moved on); else nothing is written.
 */
size_t weir_frame_put_ts_head(weir_fenc *e, uint8_t *p, size_t room,
    int64_t ts, size_t vlen);
/* The bytes weir_frame_put_record would write for r, as e stands. */
size_t weir_frame_record_size(const weir_fenc *e, const weir_record *r);
int weir_frame_put_watermark(weir_buf *out, int64_t wm);
int weir_frame_put_barrier(weir_buf *out, uint64_t id, const uint8_t *p,
    size_t n);
int weir_frame_put_end(weir_buf *out);

#endif
