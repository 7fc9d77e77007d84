/* record.c - value, key and time helpers. */
#include "record.h"

#include <math.h>

#include "dur.h"

int
weir_record_json(const weir_record *r, weir_buf *scratch, weir_pv *pv)
{
	int rc;

	scratch->len = 0;
	switch (r->enc) {
	case WEIR_ENC_PACKED:
		weir_pv_of(r->value, r->value_len, pv);
		return pv->type != WEIR_PV_MISSING;
	case WEIR_ENC_JSON:
	case WEIR_ENC_BYTES:
		if ((rc = weir_pack_json(scratch, r->value, r->value_len, NULL,
		    0)) < 0) {
			pv->type = WEIR_PV_MISSING;
			return rc == WEIR_FAIL_NOMEM ? rc : 0;
		}
		weir_pv_of(scratch->p, scratch->len, pv);
		return pv->type != WEIR_PV_MISSING;
	default:
		pv->type = WEIR_PV_MISSING;
		return 0;
	}
}

int
weir_record_bytes(const weir_record *r, weir_buf *scratch, const uint8_t **p,
    size_t *n)
{
	weir_pv pv;

	scratch->len = 0;
	switch (r->enc) {
	case WEIR_ENC_NULL:
		*p = NULL;
		*n = 0;
		return 0;
	case WEIR_ENC_PACKED:
		weir_pv_of(r->value, r->value_len, &pv);
		if (pv.type == WEIR_PV_MISSING)
			return WEIR_FAIL_DATA;
		if (weir_pv_to_json(scratch, &pv) < 0)
			return WEIR_FAIL_NOMEM;
		*p = scratch->p ? scratch->p : (const uint8_t *)"";
		*n = scratch->len;
		return 0;
	default:
		*p = r->value ? r->value : (const uint8_t *)"";
		*n = r->value_len;
		return 0;
	}
}

int
weir_key_from_pv(weir_buf *out, const weir_pv *v)
{
	return weir_pv_to_text(out, v);
}

int
weir_key_from_path(const weir_path *p, const weir_pv *root, weir_buf *out,
    char *why, size_t whysz)
{
	weir_pv v;

	out->len = 0;
	if (!weir_path_get(p, root, &v) || v.type == WEIR_PV_NULL) {
		weir_seterr(why, whysz, "no key field %s", p->text);
		return WEIR_FAIL_DATA;
	}
	if (weir_key_from_pv(out, &v) < 0) {	/* only memory */
		weir_seterr(why, whysz, "out of memory");
		return WEIR_FAIL_NOMEM;
	}
	return 0;
}

int
weir_time_from_pv(const weir_pv *v, int timefmt, int64_t *ms)
{
	double d;

	if (timefmt == WEIR_TIME_ISO8601) {
		weir_buf tmp = {0};
		const uint8_t *s;
		size_t n;
		int rc = -1;
		if (v->type != WEIR_PV_STRING)
			return -1;
		if (weir_pv_str(v, &tmp, &s, &n) == 0)
			rc = weir_iso8601_parse((const char *)s, n, ms);
		weir_buf_free(&tmp);
		return rc;
	}
	if (v->type == WEIR_PV_INT) {
		int64_t i = v->i;
		switch (timefmt) {
		case WEIR_TIME_S:
			if (i > INT64_MAX / 1000 || i < INT64_MIN / 1000)
				return -1;
			*ms = i * 1000;
			return 0;
		case WEIR_TIME_US:
			*ms = i >= 0 ? i / 1000 : -((-i + 999) / 1000);
			return 0;
		default:
			*ms = i;
			return 0;
		}
	}
	if (!weir_pv_is_num(v))
		return -1;
	d = weir_pv_num(v);
	if (!isfinite(d))
		return -1;
	if (timefmt == WEIR_TIME_S)
		d *= 1000;
	else if (timefmt == WEIR_TIME_US)
		d /= 1000;
	d = floor(d);
	if (d > 9.2e18 || d < -9.2e18)
		return -1;
	*ms = (int64_t)d;
	return 0;
}
