/* test_frame.c - frame codec: every record field round-trips, deltas and
 * back-references decode, and malformed frames are refused. */
#include "frame.h"
#include "pack.h"
#include "unit.h"

static int
rec_eq(const weir_record *a, const weir_record *b)
{
	weir_hdr_iter ia, ib;
	weir_hdr ha, hb;

	if (a->flags != b->flags || a->enc != b->enc)
		return 0;
	if ((a->flags & WEIR_R_TS) && a->ts != b->ts)
		return 0;
	if ((a->flags & WEIR_R_KEY) && (a->key_len != b->key_len ||
	    memcmp(a->key, b->key, a->key_len)))
		return 0;
	if ((a->flags & WEIR_R_WINDOW) && (a->win_start != b->win_start ||
	    a->win_end != b->win_end))
		return 0;
	if ((a->flags & WEIR_R_POS) && (a->topic_len != b->topic_len ||
	    memcmp(a->topic, b->topic, a->topic_len) ||
	    a->partition != b->partition || a->offset != b->offset))
		return 0;
	if (a->value_len != b->value_len ||
	    (a->value_len && memcmp(a->value, b->value, a->value_len)))
		return 0;
	weir_hdr_iter_init(&ia, a);
	weir_hdr_iter_init(&ib, b);
	for (;;) {
		int na = weir_hdr_next(&ia, &ha), nb = weir_hdr_next(&ib, &hb);
		if (na != nb)
			return 0;
		if (!na)
			break;
		if (ha.name_len != hb.name_len || memcmp(ha.name, hb.name,
		    ha.name_len) || (!ha.val) != (!hb.val) ||
		    ha.val_len != hb.val_len ||
		    (ha.val && memcmp(ha.val, hb.val, ha.val_len)))
			return 0;
	}
	return 1;
}

int
main(void)
{
	weir_buf b = {0}, hdrs = {0}, packed = {0};
	weir_fenc enc = {0};
	weir_fdec dec = {0};
	weir_frame f;
	weir_record r[6];
	char err[256];
	size_t off, need, i;
	long used;

	memset(r, 0, sizeof(r));
	/* 0: a small keyless packed record */
	weir_pack_json(&packed, (const uint8_t *)"{\"a\":1}", 7, NULL, 0);
	r[0].flags = WEIR_R_TS;
	r[0].ts = 1700000000000LL;
	r[0].enc = WEIR_ENC_PACKED;
	r[0].value = packed.p;
	r[0].value_len = packed.len;
	/* 1: everything: key, headers (duplicate names, null, binary), window,
	 * position, binary bytes value, late */
	weir_hdr_put(&hdrs, (const uint8_t *)"h", 1, (const uint8_t *)"v1", 2);
	weir_hdr_put(&hdrs, (const uint8_t *)"h", 1, (const uint8_t *)"v2", 2);
	weir_hdr_put(&hdrs, (const uint8_t *)"n", 1, NULL, 0);
	weir_hdr_put(&hdrs, (const uint8_t *)"b", 1, (const uint8_t *)"\0\xff", 2);
	r[1].flags = WEIR_R_TS | WEIR_R_KEY | WEIR_R_HEADERS | WEIR_R_WINDOW |
	    WEIR_R_POS | WEIR_R_LATE;
	r[1].ts = 1699999998000LL;	/* earlier: negative delta */
	r[1].key = (const uint8_t *)"k\0y";
	r[1].key_len = 3;
	r[1].hdrs = hdrs.p;
	r[1].hdrs_len = hdrs.len;
	r[1].nhdrs = 4;
	r[1].win_start = 1699999980000LL;
	r[1].win_end = 1700000040000LL;
	r[1].topic = "clicks";
	r[1].topic_len = 6;
	r[1].partition = 3;
	r[1].offset = 123456789;
	r[1].enc = WEIR_ENC_BYTES;
	r[1].value = (const uint8_t *)"\x00\x01\x02\xff";
	r[1].value_len = 4;
	/* 2: same topic (back-reference), tombstone, empty key */
	r[2].flags = WEIR_R_POS | WEIR_R_KEY;
	r[2].topic = "clicks";
	r[2].topic_len = 6;
	r[2].partition = -1;
	r[2].offset = -1;
	r[2].key = (const uint8_t *)"";
	r[2].enc = WEIR_ENC_NULL;
	/* 3: another topic, negative event time, empty bytes value */
	r[3].flags = WEIR_R_POS | WEIR_R_TS;
	r[3].ts = -5;
	r[3].topic = "other";
	r[3].topic_len = 5;
	r[3].enc = WEIR_ENC_BYTES;
	/* 4: extreme times */
	r[4].flags = WEIR_R_TS | WEIR_R_WINDOW;
	r[4].ts = INT64_MIN + 1;
	r[4].win_start = INT64_MIN + 1;
	r[4].win_end = INT64_MIN + 1000;
	r[4].enc = WEIR_ENC_JSON;
	r[4].value = (const uint8_t *)"[1, 2]";
	r[4].value_len = 6;
	r[5] = r[0];
	r[5].ts = INT64_MAX;

	weir_frame_put_header(&b);
	for (i = 0; i < 6; i++)
		CHECK(weir_frame_put_record(&enc, &b, &r[i]) == 0);
	weir_frame_put_watermark(&b, -12345);
	weir_frame_put_barrier(&b, 7, (const uint8_t *)"pay", 3);
	/* an unknown, non-critical frame is skipped by readers */
	weir_buf_putc(&b, 0x21);
	weir_buf_putc(&b, 2);
	weir_buf_put(&b, "xy", 2);
	weir_frame_put_end(&b);

	CHECK(weir_frame_sniff(b.p, b.len));
	CHECK(weir_frame_check_header(b.p, err, sizeof(err)) == 0);
	/* a small keyless record costs a few bytes over its value */
	CHECK(b.len > 8);
	off = WEIR_HEADER_LEN;
	for (i = 0; i < 6; i++) {
		used = weir_frame_parse(&dec, b.p + off, b.len - off, 1 << 20, &f,
		    &need, err, sizeof(err));
		CHECK(used > 0 && f.type == WEIR_F_RECORD);
		if (used <= 0)
			break;
		if (i == 0)	/* first record: a full 6-byte time delta */
			CHECK(used <= (long)packed.len + 9);
		CHECK(rec_eq(&f.rec, &r[i]));
		off += (size_t)used;
	}
	used = weir_frame_parse(&dec, b.p + off, b.len - off, 1 << 20, &f, &need,
	    err, sizeof(err));
	CHECK(used > 0 && f.type == WEIR_F_WATERMARK && f.wm == -12345);
	off += (size_t)used;
	used = weir_frame_parse(&dec, b.p + off, b.len - off, 1 << 20, &f, &need,
	    err, sizeof(err));
	CHECK(used > 0 && f.type == WEIR_F_BARRIER && f.barrier == 7 &&
	    f.payload_len == 3 && !memcmp(f.payload, "pay", 3));
	off += (size_t)used;
	used = weir_frame_parse(&dec, b.p + off, b.len - off, 1 << 20, &f, &need,
	    err, sizeof(err));
	CHECK(used == 4 && f.type == 0x21);
	off += (size_t)used;
	used = weir_frame_parse(&dec, b.p + off, b.len - off, 1 << 20, &f, &need,
	    err, sizeof(err));
	CHECK(used == 2 && f.type == WEIR_F_END);

	/* a small keyless record right after another costs 4 bytes */
	{
		weir_buf b2 = {0};
		weir_fenc e2 = {0};
		weir_record s = r[0];
		weir_frame_put_record(&e2, &b2, &s);
		i = b2.len;
		s.ts += 3;
		weir_frame_put_record(&e2, &b2, &s);
		CHECK(b2.len - i == packed.len + 4);
		weir_buf_free(&b2);
	}

	/* every strict prefix of a frame asks for more */
	{
		weir_fdec d2 = {0};
		size_t k, flen = 0;
		weir_fdec d3 = {0};
		flen = (size_t)weir_frame_parse(&d3, b.p + 8, b.len - 8, 1 << 20,
		    &f, NULL, err, sizeof(err));
		for (k = 0; k < flen; k++)
			CHECK(weir_frame_parse(&d2, b.p + 8, k, 1 << 20, &f, NULL,
			    err, sizeof(err)) == 0);
	}

	/* malformed frames */
	{
		static const uint8_t big[] = { 1, 0xff, 0xff, 0xff, 0xff, 0x0f };
		static const uint8_t crit[] = { 0x41, 0 };
		static const uint8_t zero[] = { 0, 0 };
		static const uint8_t endbody[] = { 4, 1, 0 };
		static const uint8_t badflags[] = { 1, 2, 0x80, 0x02 };
		static const uint8_t keylen[] = { 1, 3, 0x02, 0x09, 'a' };
		static const uint8_t nullval[] = { 1, 2, 0x60, 'x' };
		static const uint8_t backref[] = { 1, 4, 0x10, 0, 0, 0 };
		static const uint8_t badpack[] = { 1, 3, 0x40, 0x09, 0x05 };
		static const uint8_t longvar[] = { 1, 0x80, 0x80, 0x80, 0x80, 0x80,
		    0x80, 0x80, 0x80, 0x80, 0x80, 0x01 };
		weir_fdec d = {0};
		CHECK(weir_frame_parse(&d, big, sizeof(big), 1 << 20, &f, NULL, err,
		    sizeof(err)) < 0 && strstr(err, "exceeds the limit"));
		CHECK(weir_frame_parse(&d, crit, sizeof(crit), 1 << 20, &f, NULL,
		    err, sizeof(err)) < 0 && strstr(err, "critical"));
		CHECK(weir_frame_parse(&d, zero, sizeof(zero), 1 << 20, &f, NULL,
		    err, sizeof(err)) < 0);
		CHECK(weir_frame_parse(&d, endbody, sizeof(endbody), 1 << 20, &f,
		    NULL, err, sizeof(err)) < 0);
		CHECK(weir_frame_parse(&d, badflags, sizeof(badflags), 1 << 20, &f,
		    NULL, err, sizeof(err)) < 0);
		CHECK(weir_frame_parse(&d, keylen, sizeof(keylen), 1 << 20, &f,
		    NULL, err, sizeof(err)) < 0);
		CHECK(weir_frame_parse(&d, nullval, sizeof(nullval), 1 << 20, &f,
		    NULL, err, sizeof(err)) < 0);
		CHECK(weir_frame_parse(&d, backref, sizeof(backref), 1 << 20, &f,
		    NULL, err, sizeof(err)) < 0);
		CHECK(weir_frame_parse(&d, badpack, sizeof(badpack), 1 << 20, &f,
		    NULL, err, sizeof(err)) < 0);
		CHECK(weir_frame_parse(&d, longvar, sizeof(longvar), 1 << 20, &f,
		    NULL, err, sizeof(err)) < 0);
	}
	/* version check */
	{
		uint8_t h[8];
		memcpy(h, WEIR_MAGIC, 6);
		h[6] = 2;
		h[7] = 0;
		CHECK(weir_frame_check_header(h, err, sizeof(err)) < 0 &&
		    strstr(err, "version 2"));
	}
	/* varints, zigzag */
	{
		uint64_t vals[] = { 0, 1, 127, 128, 16383, 16384, UINT64_MAX };
		for (i = 0; i < 7; i++) {
			uint8_t tmp[10];
			const uint8_t *p = tmp;
			uint64_t v;
			size_t n = (size_t)(weir_varint_enc(tmp, vals[i]) - tmp);
			CHECK(n == weir_varint_size(vals[i]));
			CHECK(weir_varint_dec(&p, tmp + n, &v) == 0 && v == vals[i]);
			p = tmp;
			CHECK(n == 1 || weir_varint_dec(&p, tmp + n - 1, &v) < 0);
		}
		CHECK(weir_zz_dec(weir_zz_enc(INT64_MIN)) == INT64_MIN);
		CHECK(weir_zz_dec(weir_zz_enc(-1)) == -1);
		CHECK(weir_zz_enc(-1) == 1 && weir_zz_enc(1) == 2);
	}
	/* a window wider than INT64_MAX round-trips (fuzzing found the
	 * signed overflow) */
	{
		weir_buf b3 = {0};
		weir_fenc e3 = {0};
		weir_fdec d3 = {0};
		/* volatile: no constant folding hides the overflow */
		static volatile int64_t ws = -9223372036854771628LL, we = 4308;
		weir_record s;

		memset(&s, 0, sizeof(s));
		s.flags = WEIR_R_WINDOW;
		s.win_start = ws;
		s.win_end = we;
		s.enc = WEIR_ENC_NULL;
		CHECK(weir_frame_put_record(&e3, &b3, &s) == 0);
		used = weir_frame_parse(&d3, b3.p, b3.len, 1 << 20, &f, NULL, err,
		    sizeof(err));
		CHECK(used == (long)b3.len && f.rec.win_start == s.win_start &&
		    f.rec.win_end == 4308);
		weir_buf_free(&b3);
	}
	/* HOP: a record in several hopping windows round-trips; a HOP
	 * without a window, with no advance, no windows, too many, or a last
	 * window past INT64_MAX is refused */
	{
		weir_buf b5 = {0};
		weir_fenc e5 = {0};
		weir_fdec d5 = {0};
		weir_record s;
		static const struct { unsigned flags; int64_t ws, we, adv;
		    uint32_t n; int ok; } hc[] = {
			{ WEIR_R_WINDOW | WEIR_R_HOP, -50, 10, 10, 6, 1 },
			{ WEIR_R_WINDOW | WEIR_R_HOP, 0, 10, 3, 1, 1 },
			{ WEIR_R_WINDOW | WEIR_R_HOP, INT64_MAX - 20, INT64_MAX - 10,
			    5, 3, 1 },
			{ WEIR_R_HOP, 0, 0, 3, 2, 0 },
			{ WEIR_R_WINDOW | WEIR_R_HOP, 0, 10, 0, 2, 0 },
			{ WEIR_R_WINDOW | WEIR_R_HOP, 0, 10, 3, 0, 0 },
			{ WEIR_R_WINDOW | WEIR_R_HOP, 0, 10, 1, WEIR_HOP_MAX + 1,
			    0 },
			{ WEIR_R_WINDOW | WEIR_R_HOP, INT64_MAX - 20, INT64_MAX - 10,
			    6, 3, 0 },
		};

		for (i = 0; i < sizeof(hc) / sizeof(hc[0]); i++) {
			memset(&s, 0, sizeof(s));
			s.flags = WEIR_R_TS | hc[i].flags;
			s.ts = hc[i].ws - 55;	/* ws + 55 overflows for the last */
			s.win_start = hc[i].ws;
			s.win_end = hc[i].we;
			s.hop_advance = hc[i].adv;
			s.hop_count = hc[i].n;
			s.enc = WEIR_ENC_NULL;
			b5.len = 0;
			memset(&e5, 0, sizeof(e5));
			memset(&d5, 0, sizeof(d5));
			CHECK(weir_frame_put_record(&e5, &b5, &s) == 0);
			used = weir_frame_parse(&d5, b5.p, b5.len, 1 << 20, &f,
			    NULL, err, sizeof(err));
			if (hc[i].ok)
				CHECK(used == (long)b5.len &&
				    f.rec.flags == s.flags &&
				    f.rec.win_start == s.win_start &&
				    f.rec.win_end == s.win_end &&
				    f.rec.hop_advance == s.hop_advance &&
				    f.rec.hop_count == s.hop_count);
			else
				CHECK(used < 0 && strstr(err, "corrupt frame"));
		}
		weir_buf_free(&b5);
	}
	/* a value is checked once: the same bytes again (a hopping window's
	 * copies) pass without a check, other bytes of the same length do
	 * not; a trusted decoder checks nothing */
	{
		weir_buf fb = {0}, pk = {0};
		weir_fenc e4 = {0};
		weir_fdec d4 = {0};
		weir_record s;
		long u1, u2, u3;

		weir_pack_json(&pk, (const uint8_t *)"{\"u\":\"ab\"}", 10, NULL, 0);
		memset(&s, 0, sizeof(s));
		s.enc = WEIR_ENC_PACKED;
		s.value = pk.p;
		s.value_len = pk.len;
		CHECK(weir_frame_put_record(&e4, &fb, &s) == 0);
		CHECK(weir_frame_put_record(&e4, &fb, &s) == 0);
		u1 = weir_frame_parse(&d4, fb.p, fb.len, 1 << 20, &f, NULL, err,
		    sizeof(err));
		u2 = weir_frame_parse(&d4, fb.p + u1, fb.len - u1, 1 << 20, &f,
		    NULL, err, sizeof(err));
		CHECK(u1 > 0 && u2 == u1 && d4.vlen == pk.len);
		/* same length, one bad byte: a quote in the plain string */
		fb.p[fb.len - 1] = '"';
		u3 = weir_frame_parse(&d4, fb.p + u1, fb.len - u1, 1 << 20, &f,
		    NULL, err, sizeof(err));
		CHECK(u3 < 0 && strstr(err, "corrupt packed value"));
		d4.trusted = 1;
		u3 = weir_frame_parse(&d4, fb.p + u1, fb.len - u1, 1 << 20, &f,
		    NULL, err, sizeof(err));
		CHECK(u3 == u1);
		weir_buf_free(&fb);
		weir_buf_free(&pk);
	}
	weir_buf_free(&b);
	weir_buf_free(&hdrs);
	weir_buf_free(&packed);
	UNIT_DONE();
}
