/* test_frame_enc.c - the record encoder byte for byte: known frames from
 * weir-format(5), the size weir_frame_record_size predicts, and random
 * records of every flag set (with and without position and headers)
 * decoded back; the parser's one-byte length and flags paths. */
#include "frame.h"
#include "pack.h"
#include "unit.h"

static int
bytes_eq(const weir_buf *b, size_t at, const uint8_t *want, size_t n)
{
	return b->len - at == n && memcmp(b->p + at, want, n) == 0;
}

static void
test_known(void)
{
	static const uint8_t v1[] = { WEIR_PK_INT, 2 };	/* 1 */
	/* TS|KEY|WINDOW|LATE, packed: flags 0xcb as two varint bytes; ts
	 * 1000 (zigzag 2000); key "k1"; window from ts - 40 (zigzag 79),
	 * 60 long; the value */
	static const uint8_t f1[] = { WEIR_F_RECORD, 11, 0xcb, 0x01, 0xd0, 0x0f,
	    2, 'k', '1', 79, 60, WEIR_PK_INT, 2 };
	/* the next record: ts 999 is -1 from the last (zigzag 1), no key;
	 * HOP: advance 10, 3 windows */
	static const uint8_t f2[] = { WEIR_F_RECORD, 9, 0xc9, 0x03, 0x01, 0x00,
	    0x3c, 0x0a, 0x03, WEIR_PK_INT, 2 };
	/* a null value, no time: flags ENC_NULL << 5 */
	static const uint8_t f3[] = { WEIR_F_RECORD, 1, 0x60 };
	weir_fenc enc = {0};
	weir_buf b = {0};
	weir_record r;
	size_t at;

	memset(&r, 0, sizeof(r));
	r.flags = WEIR_R_TS | WEIR_R_KEY | WEIR_R_WINDOW | WEIR_R_LATE;
	r.enc = WEIR_ENC_PACKED;
	r.ts = 1000;
	r.key = (const uint8_t *)"k1";
	r.key_len = 2;
	r.win_start = 960;
	r.win_end = 1020;
	r.value = v1;
	r.value_len = sizeof(v1);
	CHECK(weir_frame_record_size(&enc, &r) == sizeof(f1));
	CHECK(weir_frame_put_record(&enc, &b, &r) == 0 &&
	    bytes_eq(&b, 0, f1, sizeof(f1)));
	at = b.len;
	r.flags = WEIR_R_TS | WEIR_R_WINDOW | WEIR_R_HOP | WEIR_R_LATE;
	r.ts = 999;
	r.win_start = 999;
	r.win_end = 1059;
	r.hop_advance = 10;
	r.hop_count = 3;
	CHECK(weir_frame_record_size(&enc, &r) == sizeof(f2));
	CHECK(weir_frame_put_record(&enc, &b, &r) == 0 &&
	    bytes_eq(&b, at, f2, sizeof(f2)));
	at = b.len;
	memset(&r, 0, sizeof(r));
	r.enc = WEIR_ENC_NULL;
	CHECK(weir_frame_put_record(&enc, &b, &r) == 0 &&
	    bytes_eq(&b, at, f3, sizeof(f3)));
	weir_buf_free(&b);
}

static int64_t
rnd64(unsigned long long *s)
{
	uint64_t r = unit_xorshift(s);
	int64_t v = (int64_t)(r >> (r & 63) >> 2);

	return (r & 64) ? -v : v;
}

static int
same_rec(const weir_record *a, const weir_record *b)
{
	if (a->flags != b->flags || a->enc != b->enc ||
	    ((a->flags & WEIR_R_TS) && a->ts != b->ts) ||
	    ((a->flags & WEIR_R_KEY) && (a->key_len != b->key_len ||
	    memcmp(a->key, b->key, a->key_len))) ||
	    ((a->flags & WEIR_R_WINDOW) && (a->win_start != b->win_start ||
	    a->win_end != b->win_end)) ||
	    ((a->flags & WEIR_R_HOP) && (a->hop_advance != b->hop_advance ||
	    a->hop_count != b->hop_count)) ||
	    ((a->flags & WEIR_R_POS) && (a->topic_len != b->topic_len ||
	    memcmp(a->topic, b->topic, a->topic_len) ||
	    a->partition != b->partition || a->offset != b->offset)) ||
	    ((a->flags & WEIR_R_HEADERS) && (a->nhdrs != b->nhdrs ||
	    a->hdrs_len != b->hdrs_len ||
	    memcmp(a->hdrs, b->hdrs, a->hdrs_len))))
		return 0;
	return a->value_len == b->value_len &&
	    (!a->value_len || memcmp(a->value, b->value, a->value_len) == 0);
}

/* Random records of every flag set: the size predicted is the size
 * written, and each decodes to what was put. */
static void
test_random(void)
{
	static const uint8_t val[300] = { WEIR_PK_NULL };
	static const char *topics[] = { "t", "orders", "t" };
	unsigned long long s = 7777;
	weir_fenc enc = {0};
	weir_fdec dec = {0};
	weir_buf b = {0}, hdrs = {0};
	weir_record r[64];
	weir_frame f;
	uint8_t keys[64][200];
	size_t i, at, sizes[64], off, need;
	int bad_size = 0, bad_rec = 0, k;
	long used;
	char err[256];

	weir_hdr_put(&hdrs, (const uint8_t *)"h", 1, (const uint8_t *)"v", 1);
	weir_hdr_put(&hdrs, (const uint8_t *)"n", 1, NULL, 0);
	for (k = 0; k < 50; k++) {
		b.len = 0;
		memset(&enc, 0, sizeof(enc));
		memset(&dec, 0, sizeof(dec));
		for (i = 0; i < 64; i++) {
			uint64_t x = unit_xorshift(&s);
			weir_record *q = &r[i];
			memset(q, 0, sizeof(*q));
			q->flags = (unsigned)(x & (WEIR_R_TS | WEIR_R_KEY |
			    WEIR_R_HEADERS | WEIR_R_WINDOW | WEIR_R_POS |
			    WEIR_R_LATE | WEIR_R_HOP));
			if (!(q->flags & WEIR_R_WINDOW))
				q->flags &= ~(unsigned)WEIR_R_HOP;
			q->enc = (x >> 12) % 3 == 2 ? WEIR_ENC_NULL :
			    WEIR_ENC_BYTES;
			q->ts = (x >> 20) & 1 ? rnd64(&s) :
			    1700000000000 + (int64_t)(x >> 40);
			q->key_len = (size_t)((x >> 14) % 200);
			memset(keys[i], 'a' + (int)(i % 26), q->key_len);
			q->key = keys[i];
			q->win_start = q->ts - (int64_t)((x >> 22) % 100000);
			q->win_end = q->win_start + 1 + (int64_t)((x >> 30) % 100000);
			q->hop_advance = 1 + (int64_t)((x >> 33) % 1000);
			q->hop_count = 1 + (uint32_t)((x >> 43) % 50);
			q->topic = topics[(x >> 50) % 3];
			q->topic_len = strlen(q->topic);
			q->partition = (int32_t)((x >> 52) % 7) - 1;
			q->offset = rnd64(&s);
			q->hdrs = hdrs.p;
			q->hdrs_len = hdrs.len;
			q->nhdrs = 2;
			if (q->enc != WEIR_ENC_NULL) {
				q->value = val;
				q->value_len = (size_t)((x >> 56) * 300 / 256);
			}
			at = b.len;
			sizes[i] = weir_frame_record_size(&enc, q);
			if (weir_frame_put_record(&enc, &b, q) < 0 ||
			    b.len - at != sizes[i])
				bad_size++;
		}
		for (i = 0, off = 0; i < 64; i++) {
			used = weir_frame_parse(&dec, b.p + off, b.len - off, 1 << 20,
			    &f, &need, err, sizeof(err));
			if (used <= 0 || (size_t)used != sizes[i] ||
			    f.type != WEIR_F_RECORD || !same_rec(&r[i], &f.rec)) {
				bad_rec++;
				break;
			}
			off += (size_t)used;
		}
	}
	CHECK(bad_size == 0);
	CHECK(bad_rec == 0);
	weir_buf_free(&b);
	weir_buf_free(&hdrs);
}

/* The parser: a frame cut anywhere is "more bytes" (0), a two-byte
 * length and two-byte flags decode as one-byte ones do. */
static void
test_parse(void)
{
	static const uint8_t f1[] = { WEIR_F_RECORD, 0x83, 0x00, 0x00 };
	static const uint8_t f2[] = { WEIR_F_RECORD, 3, 0x80, 0x00, 0x01 };
	uint8_t big[200];
	weir_fdec dec = {0};
	weir_frame f;
	size_t need, n;
	char err[256];
	int bad = 0;

	/* length 3 as 0x83 0x00 (not minimal, still a varint) */
	CHECK(weir_frame_parse(&dec, f1, sizeof(f1), 1 << 20, &f, &need, err,
	    sizeof(err)) == 0);
	/* flags 0 as 0x80 0x00, then a byte of value */
	CHECK(weir_frame_parse(&dec, f2, sizeof(f2), 1 << 20, &f, &need, err,
	    sizeof(err)) == 5 && f.rec.flags == 0 && f.rec.value_len == 1);
	big[0] = WEIR_F_RECORD;
	big[1] = 0x80 | (197 & 0x7f);
	big[2] = 197 >> 7;
	memset(big + 3, 0, sizeof(big) - 3);	/* flags 0, value bytes */
	for (n = 0; n < sizeof(big); n++) {
		long used = weir_frame_parse(&dec, big, n, 1 << 20, &f, &need, err,
		    sizeof(err));
		if (used != 0 || (n >= 3 && need != sizeof(big)))
			bad++;
	}
	CHECK(bad == 0);
	CHECK(weir_frame_parse(&dec, big, sizeof(big), 1 << 20, &f, &need, err,
	    sizeof(err)) == (long)sizeof(big) && f.rec.value_len == 196);
	/* a length over the limit */
	CHECK(weir_frame_parse(&dec, big, sizeof(big), 100, &f, &need, err,
	    sizeof(err)) < 0);
}

int
main(void)
{
	test_known();
	test_random();
	test_parse();
	UNIT_DONE();
}
