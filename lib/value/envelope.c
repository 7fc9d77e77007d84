/* envelope.c - whole records as one line of JSON, and back. */
#include "envelope.h"

#include <stdio.h>

#include "pack.h"
#include "record.h"

#define BAD(msg) (snprintf(why, whysz, "%s", msg), WEIR_FAIL_DATA)


static int
env_bytes(weir_envelope *env, const weir_pv *v, weir_buf *dst, const uint8_t **p,
    size_t *n, int b64)
{
	const uint8_t *s;
	size_t len;
	size_t start = dst->len;

	if (v->type != WEIR_PV_STRING)
		return -1;
	if (b64) {
		if (weir_pv_str(v, &env->aux, &s, &len) < 0 ||
		    weir_b64_dec(dst, (const char *)s, len) < 0)
			return -1;
		*p = dst->p ? dst->p + start : (const uint8_t *)"";
		*n = dst->len - start;
		return 0;
	}
	if (weir_pv_str(v, dst, &s, &len) < 0)
		return -1;
	*p = s;
	*n = len;
	return 0;
}

/* A string's characters, or the bytes of a {"base64": "..."} object. */
static int
pv_bytes(const weir_pv *v, weir_buf *out)
{
	weir_pv b;
	weir_buf t = {0};
	int rc;

	if (v->type == WEIR_PV_STRING)
		return weir_pv_to_text(out, v);
	if (v->type != WEIR_PV_OBJECT || !weir_pv_member(v, "base64", 6, &b) ||
	    b.type != WEIR_PV_STRING || weir_pv_to_text(&t, &b) < 0) {
		weir_buf_free(&t);
		return -1;
	}
	rc = weir_b64_dec(out, (const char *)t.p, t.len);
	weir_buf_free(&t);
	return rc;
}

int
weir_envelope_parse(weir_envelope *env, const uint8_t *line, size_t n,
    weir_record *r, char *why, size_t whysz)
{
	weir_pv root, v, w;
	const uint8_t *vs = NULL;
	size_t vn = 0;
	int rc;

	env->val.len = 0;
	env->aux.len = 0;
	env->hdrs.len = 0;
	if ((rc = weir_pack_json(&env->val, line, n, why, whysz)) < 0)
		return rc;
	/* scratch for key/header bytes: reserve so pointers stay put */
	if (weir_buf_reserve(&env->aux, 2 * n + 16) < 0)
		return WEIR_FAIL_NOMEM;
	weir_pv_of(env->val.p, env->val.len, &root);
	if (root.type != WEIR_PV_OBJECT)
		return BAD("envelope is not a JSON object");
	memset(r, 0, sizeof(*r));
	r->partition = -1;
	if (weir_pv_member(&root, "ts", 2, &v) && v.type != WEIR_PV_NULL) {
		if (v.type != WEIR_PV_INT)
			return BAD("envelope ts is not an integer");
		r->ts = v.i;
		r->flags |= WEIR_R_TS;
	}
	if (weir_pv_member(&root, "topic", 5, &v) && v.type != WEIR_PV_NULL) {
		const uint8_t *s;
		size_t len;
		if (env_bytes(env, &v, &env->aux, &s, &len, 0) < 0 || len == 0 ||
		    len > 249)
			return BAD("envelope topic is not a topic name");
		r->topic = (const char *)s;
		r->topic_len = len;
		r->flags |= WEIR_R_POS;
		r->partition = -1;
		r->offset = -1;
		if (weir_pv_member(&root, "partition", 9, &w) && w.type == WEIR_PV_INT)
			r->partition = (int32_t)w.i;
		if (weir_pv_member(&root, "offset", 6, &w) && w.type == WEIR_PV_INT)
			r->offset = w.i;
	}
	if (weir_pv_member(&root, "key", 3, &v) && v.type != WEIR_PV_NULL) {
		if (env_bytes(env, &v, &env->aux, &r->key, &r->key_len, 0) < 0)
			return BAD("envelope key is not a string");
		r->flags |= WEIR_R_KEY;
	} else if (weir_pv_member(&root, "key_base64", 10, &v) &&
	    v.type != WEIR_PV_NULL) {
		if (env_bytes(env, &v, &env->aux, &r->key, &r->key_len, 1) < 0)
			return BAD("envelope key_base64 is not base64");
		r->flags |= WEIR_R_KEY;
	}
	if (weir_pv_member(&root, "headers", 7, &v) && v.type != WEIR_PV_NULL) {
		weir_pv_iter it;
		weir_pv pair;
		if (v.type != WEIR_PV_ARRAY)
			return BAD("envelope headers is not an array");
		weir_pv_iter_init(&it, &v);
		while (weir_pv_iter_next(&it, NULL, &pair)) {
			weir_pv hn, hv, b;
			weir_buf name = {0}, val = {0};
			int ok = weir_pv_index(&pair, 0, &hn) &&
			    weir_pv_index(&pair, 1, &hv) &&
			    !weir_pv_index(&pair, 2, &b) &&
			    pv_bytes(&hn, &name) == 0 &&
			    (hv.type == WEIR_PV_NULL || pv_bytes(&hv, &val) == 0);
			if (ok)
				ok = weir_hdr_put(&env->hdrs, name.p ? name.p :
				    (const uint8_t *)"", name.len,
				    hv.type == WEIR_PV_NULL ? NULL : val.p ? val.p :
				    (const uint8_t *)"", val.len) == 0;
			weir_buf_free(&name);
			weir_buf_free(&val);
			if (!ok)
				return BAD("envelope header is not a [name, value] pair");
			r->nhdrs++;
		}
		r->flags |= WEIR_R_HEADERS;
		r->hdrs = env->hdrs.p;
		r->hdrs_len = env->hdrs.len;
	}
	if (weir_pv_member(&root, "window", 6, &v) && v.type != WEIR_PV_NULL) {
		weir_pv s, e;
		if (!weir_pv_index(&v, 0, &s) || !weir_pv_index(&v, 1, &e) ||
		    s.type != WEIR_PV_INT || e.type != WEIR_PV_INT || e.i < s.i)
			return BAD("envelope window is not [start, end]");
		r->win_start = s.i;
		r->win_end = e.i;
		r->flags |= WEIR_R_WINDOW;
	}
	if (weir_pv_member(&root, "late", 4, &v) && v.type == WEIR_PV_TRUE)
		r->flags |= WEIR_R_LATE;
	if (weir_pv_member(&root, "value", 5, &v)) {
		switch (v.type) {
		case WEIR_PV_NULL:
			r->enc = WEIR_ENC_NULL;
			break;
		case WEIR_PV_STRING:
			if (env_bytes(env, &v, &env->aux, &vs, &vn, 0) < 0)
				return BAD("bad envelope value");
			r->enc = WEIR_ENC_BYTES;
			r->value = vs;
			r->value_len = vn;
			break;
		default:
			r->enc = WEIR_ENC_PACKED;
			r->value = v.tag;
			r->value_len = (size_t)(v.end - v.tag);
		}
	} else if (weir_pv_member(&root, "value_base64", 12, &v) &&
	    v.type != WEIR_PV_NULL) {
		if (env_bytes(env, &v, &env->aux, &vs, &vn, 1) < 0)
			return BAD("envelope value_base64 is not base64");
		r->enc = WEIR_ENC_BYTES;
		r->value = vs;
		r->value_len = vn;
	} else
		r->enc = WEIR_ENC_NULL;
	return 0;
}


/* Bytes (or base64 object) as a JSON value for envelopes. */
static int
put_bytes_json(weir_buf *b, const uint8_t *s, size_t n)
{
	if (weir_utf8_valid(s, n))
		return weir_json_str(b, s, n);
	if (weir_buf_puts(b, "{\"base64\":\"") < 0 || weir_b64_enc(b, s, n) < 0)
		return -1;
	return weir_buf_put(b, "\"}", 2);
}

int
weir_envelope_put(weir_buf *b, const weir_record *r, weir_buf *scratch)
{
	const uint8_t *vb;
	size_t vn;
	weir_pv pv;
	int first = 1;

#define SEP() do { if (!first && weir_buf_putc(b, ',') < 0) return -1; \
	first = 0; } while (0)
	if (weir_buf_putc(b, '{') < 0)
		return -1;
	if (r->flags & WEIR_R_POS) {
		SEP();
		if (weir_buf_puts(b, "\"topic\":") < 0 ||
		    weir_json_str(b, (const uint8_t *)r->topic, r->topic_len) < 0 ||
		    weir_buf_printf(b, ",\"partition\":%d,\"offset\":%lld",
		    (int)r->partition, (long long)r->offset) < 0)
			return -1;
	}
	if (r->flags & WEIR_R_TS) {
		SEP();
		if (weir_buf_printf(b, "\"ts\":%lld", (long long)r->ts) < 0)
			return -1;
	}
	if (r->flags & WEIR_R_WINDOW) {
		SEP();
		if (weir_buf_printf(b, "\"window\":[%lld,%lld]",
		    (long long)r->win_start, (long long)r->win_end) < 0)
			return -1;
	}
	if (r->flags & WEIR_R_LATE) {
		SEP();
		if (weir_buf_puts(b, "\"late\":true") < 0)
			return -1;
	}
	if (r->flags & WEIR_R_KEY) {
		SEP();
		if (weir_utf8_valid(r->key, r->key_len)) {
			if (weir_buf_puts(b, "\"key\":") < 0 ||
			    weir_json_str(b, r->key, r->key_len) < 0)
				return -1;
		} else if (weir_buf_puts(b, "\"key_base64\":\"") < 0 ||
		    weir_b64_enc(b, r->key, r->key_len) < 0 ||
		    weir_buf_putc(b, '"') < 0)
			return -1;
	}
	if (r->flags & WEIR_R_HEADERS) {
		weir_hdr_iter it;
		weir_hdr h;
		int hf = 1;
		SEP();
		if (weir_buf_puts(b, "\"headers\":[") < 0)
			return -1;
		weir_hdr_iter_init(&it, r);
		while (weir_hdr_next(&it, &h)) {
			if (!hf && weir_buf_putc(b, ',') < 0)
				return -1;
			hf = 0;
			if (weir_buf_putc(b, '[') < 0 ||
			    put_bytes_json(b, h.name, h.name_len) < 0 ||
			    weir_buf_putc(b, ',') < 0)
				return -1;
			if (!h.val) {
				if (weir_buf_puts(b, "null") < 0)
					return -1;
			} else if (put_bytes_json(b, h.val, h.val_len) < 0)
				return -1;
			if (weir_buf_putc(b, ']') < 0)
				return -1;
		}
		if (weir_buf_putc(b, ']') < 0)
			return -1;
	}
	SEP();
	if (r->enc == WEIR_ENC_NULL)
		return weir_buf_puts(b, "\"value\":null}");
	if (weir_record_bytes(r, scratch, &vb, &vn) < 0)
		return -1;
	/* inline when the bytes are canonical JSON of a non-string value */
	if (r->enc == WEIR_ENC_PACKED) {
		weir_pv_of(r->value, r->value_len, &pv);
	} else {
		size_t mark = scratch->len;
		pv.type = WEIR_PV_MISSING;
		if (weir_pack_json(scratch, vb, vn, NULL, 0) == 0) {
			weir_pv_of(scratch->p + mark, scratch->len - mark, &pv);
			/* canonical: packing then writing gives the same bytes;
			 * written at the end of b and taken back, not into
			 * scratch, which holds pv's bytes (growing it would
			 * move them) */
			size_t m2 = b->len;
			if (weir_pv_to_json(b, &pv) < 0 ||
			    b->len - m2 != vn ||
			    memcmp(b->p + m2, vb, vn) != 0)
				pv.type = WEIR_PV_MISSING;
			b->len = m2;
		}
	}
	if (pv.type == WEIR_PV_OBJECT || pv.type == WEIR_PV_ARRAY ||
	    pv.type == WEIR_PV_TRUE || pv.type == WEIR_PV_FALSE ||
	    weir_pv_is_num(&pv)) {
		if (weir_buf_puts(b, "\"value\":") < 0 ||
		    weir_buf_put(b, vb, vn) < 0)
			return -1;
	} else if (weir_utf8_valid(vb, vn)) {
		if (weir_buf_puts(b, "\"value\":") < 0 ||
		    weir_json_str(b, vb, vn) < 0)
			return -1;
	} else if (weir_buf_puts(b, "\"value_base64\":\"") < 0 ||
	    weir_b64_enc(b, vb, vn) < 0 || weir_buf_putc(b, '"') < 0)
		return -1;
	return weir_buf_putc(b, '}');
#undef SEP
}

void
weir_envelope_free(weir_envelope *e)
{
	weir_buf_free(&e->val);
	weir_buf_free(&e->aux);
	weir_buf_free(&e->hdrs);
}
