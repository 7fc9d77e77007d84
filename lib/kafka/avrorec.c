/* avrorec.c - Kafka records in Confluent-framed Avro (avrorec.h) */
#include "avrorec.h"

#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "pack.h"

int
weir_avro_dec_record(weir_avro_dec *d, weir_record *r, const uint8_t **raw,
    size_t *rawlen, char *err, size_t errsz)
{
	const char *what = "value";
	char why[WEIR_ERRSZ];
	weir_pv v;
	int rc = 0;

	*raw = r->value;
	*rawlen = r->value_len;
	if (d->value && r->enc != WEIR_ENC_NULL) {
		d->val.len = 0;
		rc = weir_registry_decode(d->reg, r->value, r->value_len, &d->val,
		    err, errsz);
		if (rc == 0)
			weir_record_set_packed(r, &d->val);
	}
	if (rc == 0 && d->key && (r->flags & WEIR_R_KEY)) {
		what = "key";
		*raw = r->key;
		*rawlen = r->key_len;
		d->key_val.len = 0;
		d->key_txt.len = 0;
		rc = weir_registry_decode(d->reg, r->key, r->key_len, &d->key_val,
		    err, errsz);
		if (rc == 0) {
			weir_pv_of(d->key_val.p, d->key_val.len, &v);
			if (weir_key_from_pv(&d->key_txt, &v) < 0) {
				weir_seterr(err, errsz, "out of memory");
				return WEIR_FAIL_NOMEM;
			}
			r->key = d->key_txt.p ? d->key_txt.p : (const uint8_t *)"";
			r->key_len = d->key_txt.len;
		}
	}
	if (rc == WEIR_FAIL_DATA) {	/* which part of the record is bad */
		snprintf(why, sizeof(why), "%s", err);
		weir_seterr(err, errsz, "%s: %s", what, why);
	}
	return rc;
}

int
weir_avro_subject_schema(weir_registry *reg, const char *subject,
    const char *file, weir_avro_schema **out, uint32_t *id, char *err,
    size_t errsz)
{
	char e2[WEIR_ERRSZ], *txt = NULL;
	weir_avro_schema *s;
	json_error_t je;
	json_t *j;
	int rc;

	if (file) {
		if (!(j = json_load_file(file, JSON_DECODE_ANY, &je))) {
			weir_seterr(err, errsz, "%s:%d: %s", file, je.line,
			    je.text);
			return WEIR_FAIL_USAGE;
		}
		txt = json_dumps(j, JSON_COMPACT | JSON_ENCODE_ANY);
		json_decref(j);
		if (!txt) {
			weir_seterr(err, errsz, "out of memory");
			return WEIR_FAIL_NOMEM;
		}
		/* a schema the registry would store but weir cannot use */
		if ((rc = weir_avro_schema_parse(&s, txt, strlen(txt), e2,
		    sizeof(e2))) < 0) {
			weir_seterr(err, errsz, "%s: %s", file, e2);
			free(txt);
			return rc == WEIR_FAIL_DATA ? WEIR_FAIL_USAGE : rc;
		}
		weir_avro_schema_free(s);
		rc = weir_registry_register(reg, subject, txt, id, err, errsz);
	} else
		rc = weir_registry_latest(reg, subject, id, &txt, err, errsz);
	if (rc < 0) {
		free(txt);
		return rc;
	}
	rc = weir_avro_schema_parse(&s, txt, strlen(txt), e2, sizeof(e2));
	free(txt);
	if (rc < 0) {
		weir_seterr(err, errsz, "subject %s: %s", subject, e2);
		return rc == WEIR_FAIL_DATA ? WEIR_FAIL_USAGE : rc;
	}
	*out = s;
	return 0;
}

/*
 * Encode r's value, and the key to send (*key, *klen; NULL: the record's
 * own), as Avro: 0, or a kind with a message in why (avrorec.h).  A key
 * is the JSON its text holds when that fits the key schema, else its text
 * as a string.
 */
int
weir_avro_enc_record(weir_avro_enc *e, weir_record *r, weir_buf *scratch,
    const uint8_t **key, size_t *klen, char *why, size_t whysz)
{
	char err[WEIR_ERRSZ];
	size_t hdr;
	weir_pv v;
	int rc;

	if (e->value && r->enc != WEIR_ENC_NULL) {
		if ((rc = weir_record_json(r, scratch, &v)) <= 0) {
			if (rc == WEIR_FAIL_NOMEM)
				goto nomem;
			snprintf(why, whysz, "value is not JSON, cannot encode it "
			    "as Avro");
			return WEIR_FAIL_DATA;
		}
		e->val.len = 0;
		if (weir_avro_frame(&e->val, e->vid) < 0)
			goto nomem;
		if ((rc = weir_avro_encode(e->vs, &v, &e->val, err,
		    sizeof(err))) < 0) {
			if (rc == WEIR_FAIL_NOMEM)
				goto nomem;
			weir_seterr(why, whysz, "value does not fit the schema: %s",
			    err);
			return WEIR_FAIL_DATA;
		}
		r->enc = WEIR_ENC_BYTES;
		r->value = e->val.p;
		r->value_len = e->val.len;
	}
	if (e->key && !*key && (r->flags & WEIR_R_KEY)) {
		*key = r->key ? r->key : (const uint8_t *)"";
		*klen = r->key_len;
	}
	if (!e->key || !*key)
		return 0;
	e->kbuf.len = 0;
	if (weir_avro_frame(&e->kbuf, e->kid) < 0)
		goto nomem;
	hdr = e->kbuf.len;
	e->pk.len = 0;
	rc = weir_pack_json(&e->pk, *key, *klen, NULL, 0);
	if (rc == 0) {
		weir_pv_of(e->pk.p, e->pk.len, &v);
		rc = weir_avro_encode(e->ks, &v, &e->kbuf, err, sizeof(err));
	}
	if (rc < 0) {
		if (rc == WEIR_FAIL_NOMEM)
			goto nomem;
		e->pk.len = 0;
		e->kbuf.len = hdr;
		if ((rc = weir_pack_str(&e->pk, (const char *)*key,
		    *klen)) < 0) {
			if (rc == WEIR_FAIL_NOMEM)
				goto nomem;
			snprintf(why, whysz, "key is not UTF-8 text");
			return WEIR_FAIL_DATA;
		}
		weir_pv_of(e->pk.p, e->pk.len, &v);
		if ((rc = weir_avro_encode(e->ks, &v, &e->kbuf, err,
		    sizeof(err))) < 0) {
			if (rc == WEIR_FAIL_NOMEM)
				goto nomem;
			weir_seterr(why, whysz, "key does not fit the schema: %s",
			    err);
			return WEIR_FAIL_DATA;
		}
	}
	*key = e->kbuf.p;
	*klen = e->kbuf.len;
	return 0;
nomem:
	weir_seterr(why, whysz, "out of memory");
	return WEIR_FAIL_NOMEM;
}
