/* cdc.c - Debezium change envelopes into keyed upserts and deletes (see
 * cdc.h). */
#include "cdc.h"

#include <string.h>

#include "pack.h"
#include "record.h"

int
weir_cdc_kind(const char *name)
{
	return !strcmp(name, "debezium") ? WEIR_CDC_DEBEZIUM : -1;
}

void
weir_cdc_init(weir_cdc *c, int kind, const weir_path *keyp)
{
	memset(c, 0, sizeof(*c));
	c->kind = kind;
	c->keyp = keyp;
}

void
weir_cdc_free(weir_cdc *c)
{
	weir_buf_free(&c->val);
	weir_buf_free(&c->key);
	weir_buf_free(&c->scratch);
	weir_buf_free(&c->kscratch);
}

static int
member(const weir_pv *obj, const char *name, weir_pv *out)
{
	return obj->type == WEIR_PV_OBJECT &&
	    weir_pv_member(obj, name, strlen(name), out) &&
	    out->type != WEIR_PV_MISSING;
}

/* The JSON converter's {"schema":..,"payload":..} wrapper, if there. */
static void
unwrap(weir_pv *v)
{
	weir_pv p, op;

	if (member(v, "payload", &p) && !member(v, "op", &op))
		*v = p;
}

/* The message key as weir key bytes into c->key: the payload of a
 * single-field object gives the field's value.  0, WEIR_FAIL_DATA without
 * one, or WEIR_FAIL_NOMEM. */
static int
message_key(weir_cdc *c, const weir_record *r)
{
	weir_pv k, only, v;
	weir_pv_iter it;
	int n = 0, rc;

	c->key.len = 0;
	c->kscratch.len = 0;
	if (!(r->flags & WEIR_R_KEY))
		return WEIR_FAIL_DATA;
	rc = weir_pack_json(&c->kscratch, r->key ? r->key :
	    (const uint8_t *)"", r->key_len, NULL, 0);
	if (rc == WEIR_FAIL_DATA)	/* not JSON: the bytes as they are */
		return weir_buf_put(&c->key, r->key, r->key_len) < 0 ?
		    WEIR_FAIL_NOMEM : 0;
	if (rc < 0)
		return rc;
	weir_pv_of(c->kscratch.p, c->kscratch.len, &k);
	unwrap(&k);
	if (k.type == WEIR_PV_NULL)
		return WEIR_FAIL_DATA;
	if (k.type == WEIR_PV_OBJECT) {
		weir_pv_iter_init(&it, &k);
		while (weir_pv_iter_next(&it, NULL, &v) && n < 2) {
			only = v;
			n++;
		}
		if (n == 1)
			k = only;
	}
	return weir_key_from_pv(&c->key, &k) < 0 ? WEIR_FAIL_NOMEM : 0;
}

/* The key from keyp in the row image, into c->key. */
static int
path_key(weir_cdc *c, const weir_pv *row, char *why, size_t whysz)
{
	return weir_key_from_path(c->keyp, row, &c->key, why, whysz);
}

static void
set_key(weir_cdc *c, weir_record *r)
{
	r->key = c->key.p ? c->key.p : (const uint8_t *)"";
	r->key_len = c->key.len;
	r->flags |= WEIR_R_KEY;
}

static int
delete(weir_cdc *c, weir_record *r, const weir_pv *before, char *why,
    size_t whysz)
{
	int rc;

	if (c->keyp && before && before->type == WEIR_PV_OBJECT) {
		if ((rc = path_key(c, before, why, whysz)) < 0)
			return rc;
	} else if ((rc = message_key(c, r)) == WEIR_FAIL_NOMEM) {
		weir_seterr(why, whysz, "out of memory");
		return rc;
	} else if (rc < 0) {
		weir_seterr(why, whysz, "a delete without a key (no message key%s)",
		    c->keyp ? ", no \"before\" row" : "");
		return rc;
	}
	set_key(c, r);
	r->enc = WEIR_ENC_NULL;
	r->value = NULL;
	r->value_len = 0;
	c->deletes++;
	return 0;
}

int
weir_cdc_apply(weir_cdc *c, weir_record *r, char *why, size_t whysz)
{
	weir_pv root, op, after, before;
	int has_before, rc;

	if (r->enc == WEIR_ENC_NULL)	/* a tombstone */
		return delete(c, r, NULL, why, whysz);
	if ((rc = weir_record_json(r, &c->scratch, &root)) <= 0) {
		if (rc == WEIR_FAIL_NOMEM)
			return rc;
		weir_seterr(why, whysz, "--cdc debezium: value is not JSON");
		return WEIR_FAIL_DATA;
	}
	if (root.type == WEIR_PV_NULL)
		return delete(c, r, NULL, why, whysz);
	unwrap(&root);
	if (!member(&root, "op", &op) || op.type != WEIR_PV_STRING) {
		weir_seterr(why, whysz, "--cdc debezium: not a change event (no "
		    "\"op\")");
		return WEIR_FAIL_DATA;
	}
	has_before = member(&root, "before", &before);
	if (weir_pv_str_eq(&op, "d", 1))
		return delete(c, r, has_before ? &before : NULL, why, whysz);
	if (!weir_pv_str_eq(&op, "c", 1) && !weir_pv_str_eq(&op, "u", 1) &&
	    !weir_pv_str_eq(&op, "r", 1)) {
		weir_seterr(why, whysz, "--cdc debezium: op \"%.*s\" is not c, u, "
		    "r or d", (int)(op.n > 16 ? 16 : op.n), (const char *)op.s);
		return WEIR_FAIL_DATA;
	}
	if (!member(&root, "after", &after) || after.type != WEIR_PV_OBJECT) {
		weir_seterr(why, whysz, "--cdc debezium: op %.1s without an "
		    "\"after\" row", (const char *)op.s);
		return WEIR_FAIL_DATA;
	}
	if (c->keyp) {
		if ((rc = path_key(c, &after, why, whysz)) < 0)
			return rc;
		set_key(c, r);
	} else if ((rc = message_key(c, r)) == 0)
		set_key(c, r);
	c->val.len = 0;
	if (rc == WEIR_FAIL_NOMEM || weir_pack_raw(&c->val, &after) < 0) {
		weir_seterr(why, whysz, "out of memory");
		return WEIR_FAIL_NOMEM;
	}
	r->enc = WEIR_ENC_PACKED;
	r->value = c->val.p;
	r->value_len = c->val.len;
	c->upserts++;
	return 0;
}
