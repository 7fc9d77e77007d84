/* Reshaping records (lib/expr/edit.c): the edits of weir-map(1). */
#include "edit.h"
#include "unit.h"

static char err[WEIR_ERRSZ];

static const char *apply_plain(weir_edit *ed, const char *json);

/* A record whose value is the JSON text json. */
static void
text_rec(weir_record *in, const char *json)
{
	in->enc = WEIR_ENC_BYTES;
	in->value = (const uint8_t *)json;
	in->value_len = strlen(json);
}

/* The JSON of the value (or the answer) and the key of weir_edit_apply
 * with lazy (a packed value read unchecked) and text (JSON out) on, into
 * out. */
static void
apply_io(weir_edit *ed, const char *json, int lazy, int text, weir_buf *out)
{
	static weir_buf pk;
	weir_record in = { 0 }, r;
	weir_pv v;
	int rc;

	text_rec(&in, json);
	pk.len = 0;
	if (lazy && weir_pack_json(&pk, in.value, in.value_len, NULL, 0) == 0) {
		in.enc = WEIR_ENC_PACKED;
		in.value = pk.p;
		in.value_len = pk.len;
	}
	out->len = 0;
	weir_edit_io(ed, lazy, text);
	rc = weir_edit_apply(ed, &in, &r, err, sizeof(err));
	weir_edit_io(ed, 0, 0);
	weir_buf_printf(out, "%d %s ", rc, rc ? err : "");
	if (rc == 0 && r.enc == WEIR_ENC_PACKED) {
		weir_pv_of(r.value, r.value_len, &v);
		weir_pv_to_json(out, &v);
	} else if (rc == 0)
		weir_buf_put(out, r.value, r.value_len);
	if (rc == 0 && (r.flags & WEIR_R_KEY))
		weir_buf_put(out, r.key, r.key_len);
}

/* Apply the edits of ed to the JSON value json; the new value's JSON, or
 * "bad: WHY" / "notime: WHY"; "modes differ: ..." when lazy or text
 * (weir_edit_io) give another answer. */
static const char *
apply(weir_edit *ed, const char *json)
{
	static weir_buf want, got, msg;
	int mode;

	apply_io(ed, json, 0, 0, &want);
	for (mode = 1; mode < 4; mode++) {
		apply_io(ed, json, mode & 1, mode >> 1, &got);
		if (got.len != want.len || memcmp(got.p, want.p, got.len)) {
			msg.len = 0;
			weir_buf_printf(&msg, "modes differ: lazy %d text %d: "
			    "%.*s, not %.*s", mode & 1, mode >> 1,
			    (int)got.len, (const char *)got.p,
			    (int)want.len, (const char *)want.p);
			weir_buf_putc(&msg, 0);
			return (const char *)msg.p;
		}
	}
	return apply_plain(ed, json);
}

/* apply, weir_edit_io's modes off. */
static const char *
apply_plain(weir_edit *ed, const char *json)
{
	static weir_buf out, sc;
	weir_record in = { 0 }, r;
	weir_pv v;
	int rc;

	text_rec(&in, json);
	out.len = 0;
	rc = weir_edit_apply(ed, &in, &r, err, sizeof(err));
	if (rc == 2)
		weir_buf_puts(&out, "dropped");
	else if (rc != 0) {
		weir_buf_puts(&out, rc == 1 ? "notime: " : "bad: ");
		weir_buf_puts(&out, err);
	} else if (weir_record_json(&r, &sc, &v) <= 0 ||
	    weir_pv_to_text(&out, &v) < 0)
		weir_buf_puts(&out, "?");
	if ((r.flags & WEIR_R_KEY) && rc == 0) {
		weir_buf_puts(&out, " key=");
		weir_buf_put(&out, r.key, r.key_len);
	}
	weir_buf_putc(&out, 0);
	return (const char *)out.p;
}

/* 1 if the edits of ed make of json the packed bytes of want (so a
 * length is its shortest varint, as the packer writes it). */
static int
packs_as(weir_edit *ed, const char *json, const char *want)
{
	static weir_buf w;
	weir_record in = { 0 }, r;

	text_rec(&in, json);
	w.len = 0;
	if (weir_edit_apply(ed, &in, &r, err, sizeof(err)) != 0 ||
	    weir_pack_json(&w, (const uint8_t *)want, strlen(want), err,
	    sizeof(err)) < 0)
		return 0;
	return r.enc == WEIR_ENC_PACKED && r.value_len == w.len &&
	    memcmp(r.value, w.p, w.len) == 0;
}

/* Edits that keep the fields keep and set assign (or not), on values
 * read unchecked, writing text or not. */
static weir_edit *
lazy_edit(const char *keep, const char *assign, int text)
{
	weir_edit *ed = weir_edit_new();

	CHECK(weir_edit_list(ed, keep, 0, "--keep", err, sizeof(err)) == 0);
	if (assign)
		CHECK(weir_edit_assign(ed, assign, err, sizeof(err)) == 0);
	CHECK(weir_edit_ready(ed, err, sizeof(err)) == 0);
	weir_edit_io(ed, 1, text);
	return ed;
}

int
main(void)
{
	weir_edit *ed = weir_edit_new();

	CHECK(weir_edit_assign(ed, "cents=.amount * 100", err,
	    sizeof(err)) == 0);
	CHECK(weir_edit_list(ed, ".amount", 1, "--drop", err,
	    sizeof(err)) == 0);
	CHECK(weir_edit_rename(ed, "user=u", err, sizeof(err)) == 0);
	CHECK(weir_edit_assign(ed, ".a.b = 1", err, sizeof(err)) == 0);
	CHECK(weir_edit_key(ed, ".user", err, sizeof(err)) == 0);
	CHECK(weir_edit_ready(ed, err, sizeof(err)) == 0);
	CHECK_STR(apply(ed, "{\"user\":\"ann\",\"amount\":2.5,\"x\":[1]}"),
	    "{\"x\":[1],\"cents\":250,\"u\":\"ann\",\"a\":{\"b\":1}} key=ann");
	weir_edit_free(ed);

	/* keep selects, then the sets apply */
	ed = weir_edit_new();
	CHECK(weir_edit_list(ed, ".a,.c.d", 0, "--keep", err,
	    sizeof(err)) == 0);
	CHECK(weir_edit_assign(ed, "n=len(.b)", err, sizeof(err)) == 0);
	CHECK(weir_edit_ready(ed, err, sizeof(err)) == 0);
	CHECK_STR(apply(ed, "{\"a\":1,\"b\":\"xyz\",\"c\":{\"d\":2,\"e\":3}}"),
	    "{\"a\":1,\"c\":{\"d\":2},\"n\":3}");
	weir_edit_free(ed);

	/* objects of 128 bytes or more and then less (and again): every
	 * length takes the bytes it needs, in the record and inside it */
	{
		char big[201], small[3], in[600], want[600];
		int i, ok = 1;
		memset(big, 'x', 200);
		big[200] = 0;
		memcpy(small, "yy", 3);
		ed = weir_edit_new();
		CHECK(weir_edit_list(ed, ".a,.c.d", 0, "--keep", err,
		    sizeof(err)) == 0);
		CHECK(weir_edit_assign(ed, ".c.n=.b", err, sizeof(err)) == 0);
		CHECK(weir_edit_ready(ed, err, sizeof(err)) == 0);
		for (i = 0; i < 6; i++) {
			const char *a = i % 3 ? small : big, *d = i % 2 ?
			    big : small;
			snprintf(in, sizeof(in), "{\"a\":\"%s\",\"b\":%d,"
			    "\"c\":{\"d\":\"%s\",\"e\":1}}", a, i, d);
			snprintf(want, sizeof(want), "{\"a\":\"%s\",\"c\":"
			    "{\"d\":\"%s\",\"n\":%d}}", a, d, i);
			ok &= packs_as(ed, in, want);
		}
		CHECK(ok);
		weir_edit_free(ed);
	}

	/* keys told apart past their first 8 bytes, escaped keys, the
	 * empty key, a kept key at an object's end, a key of 31 bytes or
	 * more */
	ed = weir_edit_new();
	CHECK(weir_edit_list(ed, ".abcdefghij,.abcdefghik,.ab,.\"\",.o.z,"
	    ".xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx", 0, "--keep", err,
	    sizeof(err)) == 0);
	CHECK(weir_edit_ready(ed, err, sizeof(err)) == 0);
	CHECK_STR(apply(ed, "{\"abcdefghiX\":1,\"abcdefghik\":2,\"a\\u0062\":3,"
	    "\"\":4,\"b\":5,\"abcdefghij\":6,\"o\":{\"y\":7,\"z\":8},"
	    "\"xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx\":9,\"xxxxxxxxxxxxxxxxxxxxxxx"
	    "xxxxxxxxxxxxy\":10}"),
	    "{\"abcdefghik\":2,\"a\\u0062\":3,\"\":4,\"abcdefghij\":6,"
	    "\"o\":{\"z\":8},\"xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx\":9}");
	weir_edit_free(ed);

	/* --time: a number or ISO 8601, else not a time */
	ed = weir_edit_new();
	CHECK(weir_edit_time(ed, ".t", err, sizeof(err)) == 0);
	CHECK(weir_edit_ready(ed, err, sizeof(err)) == 0);
	CHECK_STR(apply(ed, "{\"t\":5}"), "{\"t\":5}");
	CHECK_STR(apply(ed, "{\"t\":true}"),
	    "notime: --time gave boolean, not a time (ms since the epoch or "
	    "ISO 8601)");
	weir_edit_free(ed);

	/* set-up errors are usage errors; a bad expression keeps its
	 * diagnostic with the caret */
	ed = weir_edit_new();
	CHECK(weir_edit_assign(ed, "x=.a ===", err, sizeof(err)) ==
	    WEIR_FAIL_USAGE);
	CHECK_STR(err, "bad expression in x");
	CHECK(weir_edit_diag(ed)->len > 0 &&
	    memchr(weir_edit_diag(ed)->p, '^', weir_edit_diag(ed)->len));
	CHECK(weir_edit_assign(ed, ".a > 1", err, sizeof(err)) ==
	    WEIR_FAIL_USAGE);
	CHECK(weir_edit_assign(ed, " =1", err, sizeof(err)) ==
	    WEIR_FAIL_USAGE);
	CHECK(weir_edit_list(ed, ".a[0]", 1, "--drop", err, sizeof(err)) ==
	    WEIR_FAIL_USAGE);
	CHECK(weir_edit_list(ed, ".", 0, "--keep", err, sizeof(err)) ==
	    WEIR_FAIL_USAGE);
	CHECK(weir_edit_rename(ed, "a=", err, sizeof(err)) == WEIR_FAIL_USAGE);
	CHECK(weir_edit_assign(ed, "a=1", err, sizeof(err)) == 0);
	CHECK(weir_edit_assign(ed, ".a.b=2", err, sizeof(err)) == 0);
	CHECK(weir_edit_ready(ed, err, sizeof(err)) == WEIR_FAIL_USAGE);
	weir_edit_free(ed);

	/* an expression that fails on a record makes it a bad record */
	ed = weir_edit_new();
	CHECK(weir_edit_assign(ed, "m=matches(.s, \"(a+)+$\")", err,
	    sizeof(err)) == 0);
	CHECK(weir_edit_ready(ed, err, sizeof(err)) == 0);
	CHECK_STR(apply(ed, "{\"s\":\"b\"}"), "{\"s\":\"b\",\"m\":false}");
	weir_edit_free(ed);

	/* --where: tested first on the record as it came in; a record it
	 * drops has nothing else evaluated (not even a --time that would
	 * fail on it); all of them must be true */
	ed = weir_edit_new();
	CHECK(weir_edit_where(ed, ".a > 1", err, sizeof(err)) == 0);
	CHECK(weir_edit_where(ed, ".b != \"x\"", err, sizeof(err)) == 0);
	CHECK(weir_edit_list(ed, ".b", 0, "--keep", err, sizeof(err)) == 0);
	CHECK(weir_edit_assign(ed, "a=.a * 10", err, sizeof(err)) == 0);
	CHECK(weir_edit_time(ed, ".t", err, sizeof(err)) == 0);
	CHECK(weir_edit_ready(ed, err, sizeof(err)) == 0);
	CHECK_STR(apply(ed, "{\"a\":2,\"b\":\"y\",\"t\":5}"),
	    "{\"a\":20,\"b\":\"y\"}");
	CHECK_STR(apply(ed, "{\"a\":1,\"b\":\"y\",\"t\":\"no\"}"), "dropped");
	CHECK_STR(apply(ed, "{\"a\":2,\"b\":\"x\",\"t\":\"no\"}"), "dropped");
	CHECK_STR(apply(ed, "{\"b\":\"y\"}"), "dropped");
	CHECK_STR(apply(ed, "[1]"), "dropped");
	/* missing: != is false too */
	CHECK_STR(apply(ed, "{\"a\":3,\"t\":\"no\"}"), "dropped");
	CHECK(strncmp(apply(ed, "{\"a\":3,\"b\":\"z\",\"t\":\"no\"}"),
	    "notime: ", 8) == 0);
	CHECK(weir_edit_where(ed, ".a >", err, sizeof(err)) == WEIR_FAIL_USAGE);
	CHECK(strstr(err, "--where") != NULL);
	CHECK(weir_edit_diag(ed)->len > 0);
	weir_edit_free(ed);
	/* lazy: a corrupt member dropped passes, one kept or read does not
	 * (a plain string holding a quote; a key that is not a string) */
	{
		/* {"a":1,"b":"\"","c":"x"} as packed bytes */
		static const uint8_t bad[] = { WEIR_PK_OBJ, 12, 0x41, 'a',
		    WEIR_PK_INT, 2, 0x41, 'b', 0x41, '"', 0x41, 'c', 0x41,
		    'x' };
		static const uint8_t badkey[] = { WEIR_PK_OBJ, 6, 0x41, 'a',
		    WEIR_PK_INT, 2, WEIR_PK_INT, 2 };
		weir_record in = { 0 }, r;
		int text;

		in.enc = WEIR_ENC_PACKED;
		for (text = 0; text < 2; text++) {
			ed = lazy_edit(".a,.c", NULL, text);
			in.value = bad;
			in.value_len = sizeof(bad);
			CHECK(weir_edit_apply(ed, &in, &r, err,
			    sizeof(err)) == 0);
			in.value = badkey;
			in.value_len = sizeof(badkey);
			CHECK(weir_edit_apply(ed, &in, &r, err,
			    sizeof(err)) == WEIR_FAIL_IO);
			weir_edit_free(ed);
			ed = lazy_edit(".b", NULL, text);
			in.value = bad;
			in.value_len = sizeof(bad);
			CHECK(weir_edit_apply(ed, &in, &r, err,
			    sizeof(err)) == WEIR_FAIL_IO);
			CHECK(strstr(err, "corrupt packed value") != NULL);
			weir_edit_free(ed);
			ed = lazy_edit(".a", "n=len(.b)", text);
			CHECK(weir_edit_apply(ed, &in, &r, err,
			    sizeof(err)) == WEIR_FAIL_IO);
			weir_edit_free(ed);
		}
	}
	UNIT_DONE();
}
