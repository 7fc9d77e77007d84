/* frame.c - encode and decode weir frames. */
#include "frame.h"

#include "pack.h"

int
weir_frame_sniff(const uint8_t *p, size_t n)
{
	size_t k = n < WEIR_MAGIC_LEN ? n : WEIR_MAGIC_LEN;

	return memcmp(p, WEIR_MAGIC, k) == 0;
}

int
weir_frame_check_header(const uint8_t *p, char *err, size_t errsz)
{
	if (memcmp(p, WEIR_MAGIC, WEIR_MAGIC_LEN) != 0) {
		weir_seterr(err, errsz, "not a weir frame stream");
		return -1;
	}
	if (p[6] != WEIR_FORMAT_VERSION) {
		weir_seterr(err, errsz,
		    "frame stream version %u is not supported (this is %d)",
		    p[6], WEIR_FORMAT_VERSION);
		return -1;
	}
	return 0;
}

int
weir_frame_put_header(weir_buf *out)
{
	uint8_t h[WEIR_HEADER_LEN];

	memcpy(h, WEIR_MAGIC, WEIR_MAGIC_LEN);
	h[6] = WEIR_FORMAT_VERSION;
	h[7] = 0;
	return weir_buf_put(out, h, sizeof(h));
}

void
weir_hdr_iter_init(weir_hdr_iter *it, const weir_record *r)
{
	it->p = r->hdrs;
	it->end = r->hdrs ? r->hdrs + r->hdrs_len : NULL;
	it->left = (r->flags & WEIR_R_HEADERS) ? r->nhdrs : 0;
}

int
weir_hdr_next(weir_hdr_iter *it, weir_hdr *h)
{
	uint64_t n, v;

	if (!it->left)
		return 0;
	if (weir_varint_dec(&it->p, it->end, &n) < 0 ||
	    n > (uint64_t)(it->end - it->p))
		return 0;
	h->name = it->p;
	h->name_len = (size_t)n;
	it->p += n;
	if (weir_varint_dec(&it->p, it->end, &v) < 0 ||
	    (v && v - 1 > (uint64_t)(it->end - it->p)))
		return 0;
	if (v == 0) {
		h->val = NULL;
		h->val_len = 0;
	} else {
		h->val = it->p;
		h->val_len = (size_t)(v - 1);
		it->p += v - 1;
	}
	it->left--;
	return 1;
}

int
weir_hdr_put(weir_buf *b, const uint8_t *name, size_t nlen,
    const uint8_t *val, size_t vlen)
{
	if (weir_buf_put_varint(b, nlen) < 0 || weir_buf_put(b, name, nlen) < 0)
		return -1;
	if (!val)
		return weir_buf_put_varint(b, 0);
	if (weir_buf_put_varint(b, (uint64_t)vlen + 1) < 0)
		return -1;
	return weir_buf_put(b, val, vlen);
}

#define BAD(msg) do { weir_seterr(err, errsz, "corrupt frame: %s", msg); \
	return -1; } while (0)

static int
decode_record(weir_fdec *d, const uint8_t *p, const uint8_t *end,
    weir_record *r, char *err, size_t errsz)
{
	uint64_t u, v;

	if (p < end && *p < 0x80)	/* flags in one byte, the usual case */
		u = *p++;
	else if (weir_varint_dec(&p, end, &u) < 0)
		BAD("record flags");
	if (u & ~(uint64_t)0x1ff)
		BAD("unknown record flags");
	r->flags = (unsigned)u & ~(3u << WEIR_R_ENC_SHIFT);
	r->enc = (int)(u >> WEIR_R_ENC_SHIFT) & 3;
	if (r->flags & WEIR_R_TS) {
		if (weir_varint_dec(&p, end, &u) < 0)
			BAD("timestamp");
		r->ts = (int64_t)((uint64_t)d->prev_ts + (uint64_t)weir_zz_dec(u));
		d->prev_ts = r->ts;
	} else
		r->ts = 0;
	if (r->flags & WEIR_R_KEY) {
		if (weir_varint_dec(&p, end, &u) < 0 || u > (uint64_t)(end - p))
			BAD("key length");
		r->key = p;
		r->key_len = (size_t)u;
		p += u;
	} else {
		r->key = NULL;
		r->key_len = 0;
	}
	if (r->flags & WEIR_R_WINDOW) {
		if (weir_varint_dec(&p, end, &u) < 0 ||
		    weir_varint_dec(&p, end, &v) < 0)
			BAD("window");
		r->win_start = (int64_t)((uint64_t)r->ts + (uint64_t)weir_zz_dec(u));
		r->win_end = (int64_t)((uint64_t)r->win_start + v);
	}
	if (r->flags & WEIR_R_HOP) {
		int64_t span, last;
		if (!(r->flags & WEIR_R_WINDOW) ||
		    weir_varint_dec(&p, end, &u) < 0 ||
		    weir_varint_dec(&p, end, &v) < 0 || u < 1 ||
		    u > INT64_MAX || v < 1 || v > WEIR_HOP_MAX ||
		    __builtin_mul_overflow((int64_t)u, (int64_t)(v - 1), &span) ||
		    __builtin_add_overflow(r->win_start, span, &last) ||
		    __builtin_add_overflow(r->win_end, span, &last) ||
		    r->win_end < r->win_start)
			BAD("hopping windows");
		r->hop_advance = (int64_t)u;
		r->hop_count = (uint32_t)v;
	} else {
		r->hop_advance = 0;
		r->hop_count = 0;
	}
	if (r->flags & WEIR_R_POS) {
		if (weir_varint_dec(&p, end, &u) < 0 || u > (uint64_t)(end - p) ||
		    u >= sizeof(d->topic))
			BAD("topic");
		if (u == 0) {
			if (!d->have_topic)
				BAD("topic back-reference without a topic");
		} else {
			memcpy(d->topic, p, u);
			d->topic_len = (size_t)u;
			d->have_topic = 1;
			p += u;
		}
		r->topic = d->topic;
		r->topic_len = d->topic_len;
		if (weir_varint_dec(&p, end, &u) < 0 ||
		    weir_varint_dec(&p, end, &v) < 0)
			BAD("position");
		r->partition = (int32_t)weir_zz_dec(u);
		r->offset = weir_zz_dec(v);
	} else {
		r->topic = NULL;
		r->topic_len = 0;
	}
	if (r->flags & WEIR_R_HEADERS) {
		weir_hdr_iter it;
		weir_hdr h;
		if (weir_varint_dec(&p, end, &u) < 0 || u > (uint64_t)(end - p))
			BAD("header count");
		r->nhdrs = (uint32_t)u;
		r->hdrs = p;
		r->hdrs_len = (size_t)(end - p);
		weir_hdr_iter_init(&it, r);
		while (it.left)
			if (!weir_hdr_next(&it, &h))
				BAD("headers");
		r->hdrs_len = (size_t)(it.p - r->hdrs);
		p = it.p;
	} else {
		r->hdrs = NULL;
		r->hdrs_len = 0;
		r->nhdrs = 0;
	}
	r->value = p;
	r->value_len = (size_t)(end - p);
	if (r->enc == WEIR_ENC_NULL && r->value_len)
		BAD("null value with bytes");
	if (r->enc == WEIR_ENC_PACKED && !d->trusted &&
	    !(d->vlen && r->value_len == d->vlen &&
	    memcmp(p, d->vlast, d->vlen) == 0)) {
		if (weir_pack_validate(p, r->value_len, err, errsz) < 0)
			return -1;
		if (r->value_len <= sizeof(d->vlast)) {
			memcpy(d->vlast, p, r->value_len);
			d->vlen = r->value_len;
		}
	}
	return 0;
}

long
weir_frame_parse(weir_fdec *d, const uint8_t *p, size_t n, size_t max_frame,
    weir_frame *f, size_t *need, char *err, size_t errsz)
{
	return weir_frame_parse_rec(d, p, n, max_frame, f, &f->rec, need, err,
	    errsz);
}

long
weir_frame_parse_rec(weir_fdec *d, const uint8_t *p, size_t n,
    size_t max_frame, weir_frame *f, weir_record *rec, size_t *need,
    char *err, size_t errsz)
{
	const uint8_t *q = p + 1, *end = p + n, *body;
	uint64_t len;
	size_t hl, i;

	if (n < 2)
		return 0;
	if (p[1] < 0x80) {		/* a one-byte length */
		len = p[1];
		q = p + 2;
	} else {
		/* a length varint may be incomplete: look for its last byte */
		for (i = 1; i < n && i <= 10; i++)
			if (!(p[i] & 0x80))
				break;
		if (i >= n)
			return 0;
		if (weir_varint_dec(&q, end, &len) < 0)
			BAD("length");
	}
	if (len > max_frame) {
		weir_seterr(err, errsz,
		    "frame of %llu bytes exceeds the limit of %zu bytes",
		    (unsigned long long)len, max_frame);
		return -1;
	}
	hl = (size_t)(q - p);
	if (n - hl < len) {
		if (need)
			*need = hl + (size_t)len;
		return 0;
	}
	body = q;
	f->type = p[0];
	f->body = body;
	f->len = (size_t)len;
	switch (f->type) {
	case WEIR_F_RECORD:
		if (decode_record(d, body, body + len, rec, err, errsz) < 0)
			return -1;
		break;
	case WEIR_F_WATERMARK:
		q = body;
		if (weir_varint_dec(&q, body + len, &len) < 0 || q != body + f->len)
			BAD("watermark");
		f->wm = weir_zz_dec(len);
		break;
	case WEIR_F_BARRIER:
		q = body;
		if (weir_varint_dec(&q, body + f->len, &f->barrier) < 0)
			BAD("barrier");
		f->payload = q;
		f->payload_len = (size_t)(body + f->len - q);
		break;
	case WEIR_F_END:
		if (f->len)
			BAD("END with a body");
		break;
	default:
		if (f->type & WEIR_F_CRITICAL) {
			weir_seterr(err, errsz,
			    "unsupported critical frame type 0x%02x", f->type);
			return -1;
		}
		if (f->type == 0)
			BAD("frame type 0");
		break;
	}
	return (long)(hl + f->len);
}

static size_t
record_body_size(const weir_fenc *e, const weir_record *r, unsigned flags,
    int *same_topic)
{
	size_t n = weir_varint_size(flags);

	if (r->flags & WEIR_R_TS)
		n += weir_varint_size(weir_zz_enc((int64_t)((uint64_t)r->ts -
		    (uint64_t)e->prev_ts)));
	if (r->flags & WEIR_R_KEY)
		n += weir_varint_size(r->key_len) + r->key_len;
	if (r->flags & WEIR_R_WINDOW)
		n += weir_varint_size(weir_zz_enc((int64_t)((uint64_t)r->win_start -
		    (uint64_t)((r->flags & WEIR_R_TS) ? r->ts : 0)))) +
		    weir_varint_size((uint64_t)r->win_end - (uint64_t)r->win_start);
	if (r->flags & WEIR_R_HOP)
		n += weir_varint_size((uint64_t)r->hop_advance) +
		    weir_varint_size(r->hop_count);
	if (r->flags & WEIR_R_POS) {
		*same_topic = e->have_topic && e->topic_len == r->topic_len &&
		    memcmp(e->topic, r->topic, r->topic_len) == 0;
		n += *same_topic ? 1 :
		    weir_varint_size(r->topic_len) + r->topic_len;
		n += weir_varint_size(weir_zz_enc(r->partition)) +
		    weir_varint_size(weir_zz_enc(r->offset));
	}
	if (r->flags & WEIR_R_HEADERS)
		n += weir_varint_size(r->nhdrs) + r->hdrs_len;
	if (r->enc != WEIR_ENC_NULL)
		n += r->value_len;
	return n;
}

size_t
weir_frame_record_size(const weir_fenc *e, const weir_record *r)
{
	int same_topic = 0;
	unsigned flags = (r->flags & ~(3u << WEIR_R_ENC_SHIFT)) |
	    ((unsigned)r->enc << WEIR_R_ENC_SHIFT);
	size_t body = record_body_size(e, r, flags, &same_topic);

	return 1 + weir_varint_size(body) + body;
}

/* The window and hop fields of r (ts: its time, or 0) at p: the end. */
static inline uint8_t *
put_window(uint8_t *p, const weir_record *r, int64_t ts)
{
	if (r->flags & WEIR_R_WINDOW) {
		p = weir_varint_enc(p, weir_zz_enc((int64_t)((uint64_t)r->win_start -
		    (uint64_t)ts)));
		p = weir_varint_enc(p, (uint64_t)r->win_end -
		    (uint64_t)r->win_start);
	}
	if (r->flags & WEIR_R_HOP) {
		p = weir_varint_enc(p, (uint64_t)r->hop_advance);
		p = weir_varint_enc(p, r->hop_count);
	}
	return p;
}

/*
 * A record without position or headers (most of them): the small fields
 * are sized first, then encoded straight into out.  (Encoding them into
 * a stack buffer and copying that out in whole words stalled on loading
 * the bytes just stored, a third of this function's time.)
 */
static int
put_plain_record(weir_fenc *e, weir_buf *out, const weir_record *r,
    unsigned flags)
{
	size_t klen = (r->flags & WEIR_R_KEY) ? r->key_len : 0;
	size_t vlen = r->enc != WEIR_ENC_NULL ? r->value_len : 0, body;
	int64_t ts = (r->flags & WEIR_R_TS) ? r->ts : 0;
	uint64_t dts = weir_zz_enc((int64_t)((uint64_t)ts -
	    (uint64_t)e->prev_ts));
	uint8_t *p;

	body = weir_varint_size(flags) + klen + vlen;
	if (r->flags & WEIR_R_TS)
		body += weir_varint_size(dts);
	if (r->flags & WEIR_R_KEY)
		body += weir_varint_size(klen);
	if (r->flags & WEIR_R_WINDOW)
		body += weir_varint_size(weir_zz_enc((int64_t)((uint64_t)r->win_start -
		    (uint64_t)ts))) +
		    weir_varint_size((uint64_t)r->win_end - (uint64_t)r->win_start);
	if (r->flags & WEIR_R_HOP)
		body += weir_varint_size((uint64_t)r->hop_advance) +
		    weir_varint_size(r->hop_count);
	if (weir_buf_reserve(out, body + 11) < 0)
		return -1;
	p = out->p + out->len;
	*p++ = WEIR_F_RECORD;
	p = weir_varint_enc(p, body);
	p = weir_varint_enc(p, flags);
	if (r->flags & WEIR_R_TS) {
		p = weir_varint_enc(p, dts);
		e->prev_ts = r->ts;
	}
	if (r->flags & WEIR_R_KEY) {
		p = weir_varint_enc(p, klen);
		memcpy(p, r->key, klen);
		p += klen;
	}
	p = put_window(p, r, ts);
	if (vlen)
		memcpy(p, r->value, vlen);
	out->len = (size_t)(p + vlen - out->p);
	return 0;
}

int
weir_frame_put_record(weir_fenc *e, weir_buf *out, const weir_record *r)
{
	int same_topic = 0;
	unsigned flags = (r->flags & ~(3u << WEIR_R_ENC_SHIFT)) |
	    ((unsigned)r->enc << WEIR_R_ENC_SHIFT);
	size_t body;
	uint8_t *p;
	int64_t ts = (r->flags & WEIR_R_TS) ? r->ts : 0;

	if (!(r->flags & (WEIR_R_POS | WEIR_R_HEADERS)))
		return put_plain_record(e, out, r, flags);
	body = record_body_size(e, r, flags, &same_topic);
	if ((r->flags & WEIR_R_POS) && r->topic_len >= sizeof(e->topic))
		return -1;
	if (weir_buf_reserve(out, body + 11) < 0)
		return -1;
	p = out->p + out->len;
	*p++ = WEIR_F_RECORD;
	p = weir_varint_enc(p, body);
	p = weir_varint_enc(p, flags);
	if (r->flags & WEIR_R_TS) {
		p = weir_varint_enc(p, weir_zz_enc((int64_t)((uint64_t)r->ts -
		    (uint64_t)e->prev_ts)));
		e->prev_ts = r->ts;
	}
	if (r->flags & WEIR_R_KEY) {
		p = weir_varint_enc(p, r->key_len);
		memcpy(p, r->key, r->key_len);
		p += r->key_len;
	}
	p = put_window(p, r, ts);
	if (r->flags & WEIR_R_POS) {
		if (same_topic)
			*p++ = 0;
		else {
			p = weir_varint_enc(p, r->topic_len);
			memcpy(p, r->topic, r->topic_len);
			p += r->topic_len;
			memcpy(e->topic, r->topic, r->topic_len);
			e->topic_len = r->topic_len;
			e->have_topic = 1;
		}
		p = weir_varint_enc(p, weir_zz_enc(r->partition));
		p = weir_varint_enc(p, weir_zz_enc(r->offset));
	}
	if (r->flags & WEIR_R_HEADERS) {
		p = weir_varint_enc(p, r->nhdrs);
		memcpy(p, r->hdrs, r->hdrs_len);
		p += r->hdrs_len;
	}
	if (r->enc != WEIR_ENC_NULL && r->value_len) {
		memcpy(p, r->value, r->value_len);
		p += r->value_len;
	}
	out->len = (size_t)(p - out->p);
	return 0;
}

/* The flags of a record with an event time and a packed value only. */
#define TS_PACKED	(WEIR_R_TS | ((unsigned)WEIR_ENC_PACKED << WEIR_R_ENC_SHIFT))

size_t
weir_frame_put_ts_head(weir_fenc *e, uint8_t *p, size_t room, int64_t ts,
    size_t vlen)
{
	uint64_t dts = weir_zz_enc((int64_t)((uint64_t)ts -
	    (uint64_t)e->prev_ts));
	size_t body = weir_varint_size(TS_PACKED) + weir_varint_size(dts) +
	    vlen, head = 1 + weir_varint_size(body) + body - vlen;

	if (head != room)
		return head;
	*p++ = WEIR_F_RECORD;
	p = weir_varint_enc(p, body);
	p = weir_varint_enc(p, TS_PACKED);
	weir_varint_enc(p, dts);
	e->prev_ts = ts;
	return head;
}

int
weir_frame_put_watermark(weir_buf *out, int64_t wm)
{
	uint64_t z = weir_zz_enc(wm);

	if (weir_buf_putc(out, WEIR_F_WATERMARK) < 0 ||
	    weir_buf_put_varint(out, weir_varint_size(z)) < 0)
		return -1;
	return weir_buf_put_varint(out, z);
}

int
weir_frame_put_barrier(weir_buf *out, uint64_t id, const uint8_t *p, size_t n)
{
	if (weir_buf_putc(out, WEIR_F_BARRIER) < 0 ||
	    weir_buf_put_varint(out, weir_varint_size(id) + n) < 0 ||
	    weir_buf_put_varint(out, id) < 0)
		return -1;
	return weir_buf_put(out, p, n);
}

int
weir_frame_put_end(weir_buf *out)
{
	if (weir_buf_putc(out, WEIR_F_END) < 0)
		return -1;
	return weir_buf_putc(out, 0);
}
