/* test_avro.c - Avro binary <-> packed JSON, logical types, framing. */
#include <stdlib.h>

#include "avro.h"
#include "pack.h"
#include "unit.h"

static weir_avro_schema *
schema(const char *json)
{
	char err[WEIR_ERRSZ];
	weir_avro_schema *s = NULL;

	if (weir_avro_schema_parse(&s, json, strlen(json), err,
	    sizeof(err)) < 0)
		printf("# schema %s: %s\n", json, err);
	return s;
}

/* JSON -> Avro, as hex; "ERR: message" when it does not fit. */
static const char *
enc(const char *sch, const char *json)
{
	static char out[32768];
	char err[WEIR_ERRSZ];
	weir_avro_schema *s = schema(sch);
	weir_buf pk = { 0 }, av = { 0 };
	weir_pv v;
	size_t i;

	if (!s)
		return "NOSCHEMA";
	if (weir_pack_json(&pk, (const uint8_t *)json, strlen(json), err,
	    sizeof(err)) < 0)
		return "BADJSON";
	weir_pv_of(pk.p, pk.len, &v);
	if (weir_avro_encode(s, &v, &av, err, sizeof(err)) < 0)
		snprintf(out, sizeof(out), "ERR: %s", err);
	else
		for (out[0] = 0, i = 0; i < av.len && i * 2 + 3 < sizeof(out);
		    i++)
			sprintf(out + i * 2, "%02x", av.p[i]);
	weir_buf_free(&pk);
	weir_buf_free(&av);
	weir_avro_schema_free(s);
	return out;
}

/* Avro (hex) -> JSON text; "ERR: message" for bad data. */
static const char *
dec(const char *sch, const char *hex)
{
	static char out[32768];
	char err[WEIR_ERRSZ];
	weir_avro_schema *s = schema(sch);
	weir_buf pk = { 0 }, js = { 0 };
	uint8_t bin[512];
	size_t n = 0;
	unsigned x;
	weir_pv v;

	if (!s)
		return "NOSCHEMA";
	for (; hex[0] && hex[1] && n < sizeof(bin); hex += 2) {
		sscanf(hex, "%2x", &x);
		bin[n++] = (uint8_t)x;
	}
	if (weir_avro_decode(s, bin, n, &pk, err, sizeof(err)) < 0)
		snprintf(out, sizeof(out), "ERR: %s", err);
	else {
		CHECK(weir_pack_validate(pk.p, pk.len, err, sizeof(err)) == 0);
		weir_pv_of(pk.p, pk.len, &v);
		weir_pv_to_json(&js, &v);
		snprintf(out, sizeof(out), "%.*s", (int)js.len, (char *)js.p);
	}
	weir_buf_free(&pk);
	weir_buf_free(&js);
	weir_avro_schema_free(s);
	return out;
}

/* JSON -> Avro -> JSON */
static const char *
both(const char *sch, const char *json)
{
	static char hex[32768];

	snprintf(hex, sizeof(hex), "%s", enc(sch, json));
	if (!strncmp(hex, "ERR", 3))
		return hex;
	return dec(sch, hex);
}

static int
has(const char *s, const char *sub)
{
	return s && strstr(s, sub) != NULL;
}

#define REC "{\"type\":\"record\",\"name\":\"R\",\"namespace\":\"t\",\"fields\":[" \
	"{\"name\":\"id\",\"type\":\"long\"}," \
	"{\"name\":\"name\",\"type\":\"string\"}," \
	"{\"name\":\"ok\",\"type\":\"boolean\"}," \
	"{\"name\":\"score\",\"type\":\"double\"}," \
	"{\"name\":\"f\",\"type\":\"float\"}," \
	"{\"name\":\"tags\",\"type\":{\"type\":\"array\",\"items\":\"string\"}}," \
	"{\"name\":\"attrs\",\"type\":{\"type\":\"map\",\"values\":\"int\"}}," \
	"{\"name\":\"color\",\"type\":{\"type\":\"enum\",\"name\":\"C\"," \
	"\"symbols\":[\"RED\",\"GREEN\"]}}," \
	"{\"name\":\"opt\",\"type\":[\"null\",\"string\"],\"default\":null}," \
	"{\"name\":\"sub\",\"type\":{\"type\":\"record\",\"name\":\"S\"," \
	"\"fields\":[{\"name\":\"x\",\"type\":\"int\"}]}}," \
	"{\"name\":\"again\",\"type\":[\"null\",\"S\"]}," \
	"{\"name\":\"raw\",\"type\":\"bytes\"}," \
	"{\"name\":\"fx\",\"type\":{\"type\":\"fixed\",\"name\":\"F2\",\"size\":2}}" \
	"]}"

int
main(void)
{
	const char *dec_b = "{\"type\":\"bytes\",\"logicalType\":\"decimal\","
	    "\"precision\":20,\"scale\":2}";
	const char *dec_f = "{\"type\":\"fixed\",\"name\":\"D\",\"size\":4,"
	    "\"logicalType\":\"decimal\",\"precision\":9,\"scale\":2}";
	const char *ts_ms = "{\"type\":\"long\",\"logicalType\":\"timestamp-millis\"}";
	const char *ts_us = "{\"type\":\"long\",\"logicalType\":\"timestamp-micros\"}";
	const char *date = "{\"type\":\"int\",\"logicalType\":\"date\"}";
	const char *tm = "{\"type\":\"int\",\"logicalType\":\"time-millis\"}";
	const char *tu = "{\"type\":\"long\",\"logicalType\":\"time-micros\"}";
	const char *lts = "{\"type\":\"long\",\"logicalType\":\"local-timestamp-millis\"}";
	char err[WEIR_ERRSZ];
	const uint8_t *body;
	weir_buf b = { 0 };
	uint32_t id;
	size_t bn;

	/* primitives: the spec's encodings */
	CHECK_STR(enc("\"long\"", "1"), "02");
	CHECK_STR(enc("\"long\"", "-1"), "01");
	CHECK_STR(enc("\"long\"", "64"), "8001");
	CHECK_STR(enc("\"string\"", "\"foo\""), "06666f6f");
	CHECK_STR(enc("\"boolean\"", "true"), "01");
	CHECK_STR(enc("\"double\"", "1.5"), "000000000000f83f");
	CHECK_STR(enc("\"float\"", "1.5"), "0000c03f");
	CHECK_STR(enc("\"null\"", "null"), "");
	CHECK_STR(dec("\"long\"", "8001"), "64");
	CHECK_STR(dec("\"float\"", "cdcccc3d"), "0.1");	/* shortest float text */
	CHECK_STR(dec("\"double\"", "9a9999999999b93f"), "0.1");
	CHECK_STR(dec("\"long\"", "feffffffffffffffff01"), "9223372036854775807");
	CHECK_STR(dec("\"string\"", "0422e2"), "ERR: bad Avro data: string not "
	    "UTF-8 (byte 3 of the body)");
	CHECK_STR(dec("\"string\"", "040a22"), "\"\\n\\\"\"");
	/* bytes: one code point per byte */
	CHECK_STR(dec("\"bytes\"", "0400ff"), "\"\\u0000\xc3\xbf\"");
	CHECK_STR(enc("\"bytes\"", "\"\\u0000\xc3\xbf\""), "0400ff");
	CHECK(has(enc("\"bytes\"", "\"\xe2\x82\xac\""), "above U+00FF"));
	CHECK(has(enc("\"int\"", "2147483648"), "out of range"));
	CHECK(has(enc("\"float\"", "1e39"), "out of range for float"));
	CHECK_STR(enc("\"float\"", "3.4028234e38"), "ffff7f7f");
	CHECK_STR(enc("\"int\"", "5.0"), "0a");	/* an integral number */
	CHECK(has(enc("\"int\"", "5.5"), "not an integer"));

	/* a record of everything, both ways */
	CHECK_STR(both(REC, "{\"id\":7,\"name\":\"x\",\"ok\":false,\"score\":2.25,"
	    "\"f\":0.5,\"tags\":[\"a\",\"b\"],\"attrs\":{\"k\":-3},\"color\":"
	    "\"GREEN\",\"opt\":\"o\",\"sub\":{\"x\":1},\"again\":{\"x\":2},"
	    "\"raw\":\"ab\",\"fx\":\"cd\"}"),
	    "{\"id\":7,\"name\":\"x\",\"ok\":false,\"score\":2.25,\"f\":0.5,"
	    "\"tags\":[\"a\",\"b\"],\"attrs\":{\"k\":-3},\"color\":\"GREEN\","
	    "\"opt\":\"o\",\"sub\":{\"x\":1},\"again\":{\"x\":2},\"raw\":\"ab\","
	    "\"fx\":\"cd\"}");
	/* defaults, unions as plain values, extra fields left out */
	CHECK_STR(both(REC, "{\"id\":7,\"name\":\"x\",\"ok\":true,\"score\":1,"
	    "\"f\":1,\"tags\":[],\"attrs\":{},\"color\":\"RED\",\"sub\":{\"x\":1},"
	    "\"again\":null,\"raw\":\"\",\"fx\":\"zz\",\"extra\":1}"),
	    "{\"id\":7,\"name\":\"x\",\"ok\":true,\"score\":1,\"f\":1,\"tags\":[],"
	    "\"attrs\":{},\"color\":\"RED\",\"opt\":null,\"sub\":{\"x\":1},"
	    "\"again\":null,\"raw\":\"\",\"fx\":\"zz\"}");
	CHECK(has(enc(REC, "{\"id\":7}"), ".name: missing, and no default"));
	CHECK(has(enc(REC, "{\"id\":\"7\"}"), ".id: not an integer"));
	CHECK_STR(enc("[\"null\",\"long\",\"string\"]", "\"s\""), "040273");
	CHECK_STR(enc("[\"null\",\"long\",\"string\"]", "null"), "00");
	CHECK_STR(dec("[\"null\",\"long\",\"string\"]", "0202"), "1");
	CHECK(has(dec("[\"null\",\"long\"]", "04"), "bad union branch"));
	CHECK(has(enc("[\"null\",\"long\"]", "true"), "fits no branch"));
	CHECK(has(enc(REC, "{\"id\":1,\"name\":\"n\",\"ok\":true,\"score\":1,"
	    "\"f\":1,\"tags\":[],\"attrs\":{},\"color\":\"BLUE\",\"sub\":{\"x\":1},"
	    "\"again\":null,\"raw\":\"\",\"fx\":\"zz\"}"), ".color: not a symbol"));
	/* negative block counts (with a byte size) are read */
	CHECK_STR(dec("{\"type\":\"array\",\"items\":\"long\"}", "050602040600"),
	    "[1,2,3]");
	CHECK_STR(dec("{\"type\":\"map\",\"values\":\"long\"}", "02026b0400"),
	    "{\"k\":2}");

	/* decimals: exact, any size */
	CHECK_STR(enc(dec_b, "-1.23"), "0285");	/* as python3-avro writes it */
	CHECK_STR(enc(dec_b, "1.28"), "040080");
	CHECK_STR(enc(dec_b, "\"1.5\""), "040096");	/* a numeric string */
	CHECK_STR(enc(dec_b, "15e-1"), "040096");
	CHECK_STR(dec(dec_b, "0285"), "-1.23");
	CHECK_STR(dec(dec_b, "0205"), "0.05");
	CHECK_STR(dec(dec_b, "00"), "0.00");
	CHECK(has(enc(dec_b, "1.234"), "does not fit the scale"));
	CHECK_STR(both(dec_b, "123456789012345678901234567890.12"),
	    "123456789012345678901234567890.12");
	CHECK_STR(both(dec_b, "-99999999999999999999999999.99"),
	    "-99999999999999999999999999.99");
	CHECK_STR(enc(dec_f, "-1.23"), "ffffff85");
	CHECK_STR(dec(dec_f, "ffffff85"), "-1.23");
	CHECK(has(enc(dec_f, "99999999999"), "does not fit"));

	/* dates and times */
	CHECK_STR(dec(date, "f0a802"), "\"2022-01-08\"");	/* 19000 */
	CHECK_STR(enc(date, "\"2022-01-08\""), "f0a802");
	CHECK_STR(enc(date, "19000"), "f0a802");
	CHECK_STR(both(date, "\"1969-12-31\""), "\"1969-12-31\"");
	CHECK(has(enc(date, "\"2022-13-01\""), "not a date"));
	CHECK_STR(both(ts_ms, "\"2023-11-14T22:13:20.123Z\""),
	    "\"2023-11-14T22:13:20.123Z\"");
	CHECK_STR(both(ts_ms, "1700000000123"), "\"2023-11-14T22:13:20.123Z\"");
	CHECK_STR(both(ts_ms, "\"2023-11-14T23:13:20.123+01:00\""),
	    "\"2023-11-14T22:13:20.123Z\"");
	CHECK_STR(both(ts_ms, "\"1969-12-31T23:59:59.999Z\""),
	    "\"1969-12-31T23:59:59.999Z\"");
	CHECK_STR(both(ts_us, "\"2023-11-14T22:13:20.123456Z\""),
	    "\"2023-11-14T22:13:20.123456Z\"");
	CHECK_STR(both(ts_us, "\"1969-12-31T23:59:59.999999Z\""),
	    "\"1969-12-31T23:59:59.999999Z\"");
	CHECK_STR(both(lts, "\"2023-11-14T22:13:20.000\""),
	    "\"2023-11-14T22:13:20.000\"");
	CHECK_STR(both(tm, "\"01:02:03.004\""), "\"01:02:03.004\"");
	CHECK_STR(both(tu, "\"23:59:59.999999\""), "\"23:59:59.999999\"");
	CHECK(has(enc(tm, "\"25:00:00\""), "not a time of day"));
	CHECK(has(enc(ts_ms, "\"yesterday\""), "not an ISO 8601"));
	/* an unknown logical type is its underlying type */
	CHECK_STR(both("{\"type\":\"string\",\"logicalType\":\"uuid\"}",
	    "\"0b5f0a8e-0000-4000-8000-000000000000\""),
	    "\"0b5f0a8e-0000-4000-8000-000000000000\"");

	/* recursive schemas, nesting bounded */
	{
		const char *list = "{\"type\":\"record\",\"name\":\"L\",\"fields\":["
		    "{\"name\":\"v\",\"type\":\"int\"},{\"name\":\"next\","
		    "\"type\":[\"null\",\"L\"]}]}";
		char hex[1200];
		int k;
		CHECK_STR(both(list, "{\"v\":1,\"next\":{\"v\":2,\"next\":null}}"),
		    "{\"v\":1,\"next\":{\"v\":2,\"next\":null}}");
		for (k = 0; k < 300; k++)
			memcpy(hex + k * 4, "0202", 4);
		hex[1200 - 1] = 0;
		CHECK(has(dec(list, hex), "nested too deep"));
	}

	/* untrusted bytes */
	CHECK(has(dec("\"string\"", "ffffffffffffffff7f"), "bad length"));
	CHECK(has(dec("\"string\"", "0861"), "bad length"));
	CHECK(has(dec("\"long\"", "ffffffffffffffffffff01"), "bad integer"));
	CHECK(has(dec("\"int\"", "8080808010"), "int out of range"));
	CHECK(has(dec("\"long\"", "0202"), "1 bytes after the value"));
	CHECK(has(dec("\"double\"", "0000"), "short double"));
	CHECK(has(dec("\"boolean\"", "02"), "bad boolean"));
	CHECK(has(dec("{\"type\":\"enum\",\"name\":\"E\",\"symbols\":[\"A\"]}",
	    "02"), "bad enum index"));
	/* a block count of 2^62 nulls is refused at once; 4096 + the bytes
	 * left are read */
	CHECK(has(dec("{\"type\":\"array\",\"items\":\"null\"}",
	    "ffffffffffffffff7f00"), "block count larger than the message"));
	CHECK_STR(dec("{\"type\":\"array\",\"items\":\"null\"}", "0400"),
	    "[null,null]");
	CHECK(has(dec("{\"type\":\"array\",\"items\":\"null\"}", "844000"),
	    "block count larger"));	/* 4098 > 4096 + the 1 byte left */
	CHECK(!has(dec("{\"type\":\"array\",\"items\":\"null\"}", "824000"),
	    "ERR"));	/* 4097 */
	{	/* what encode writes, decode reads: blocks of 4096 at most */
		static char many[5000 * 5 + 3];
		int k;
		many[0] = '[';
		memcpy(many + 1, "null", 4);
		for (k = 1; k < 5000; k++)
			memcpy(many + k * 5, ",null", 5);
		many[5000 * 5] = ']';
		CHECK_STR(both("{\"type\":\"array\",\"items\":\"null\"}", many),
		    many);
	}

	/* schemas avro-c refuses */
	weir_avro_schema *s = NULL;
	CHECK(weir_avro_schema_parse(&s, "{\"type\":\"nope\"}", 15, err,
	    sizeof(err)) == WEIR_FAIL_DATA);
	CHECK(has(err, "bad Avro schema"));
	CHECK(weir_avro_schema_parse(&s, "{", 1, err, sizeof(err)) ==
	    WEIR_FAIL_DATA);

	/* Confluent framing */
	CHECK(weir_avro_frame(&b, 0x01020304) == 0 && b.len == 5 &&
	    !memcmp(b.p, "\0\1\2\3\4", 5));
	weir_buf_putc(&b, 0x02);
	CHECK(weir_avro_unframe(b.p, b.len, &id, &body, &bn, err,
	    sizeof(err)) == 0 && id == 0x01020304 && bn == 1 && body[0] == 2);
	b.p[0] = '{';
	CHECK(weir_avro_unframe(b.p, b.len, &id, &body, &bn, err,
	    sizeof(err)) < 0);
	CHECK_STR(err, "not Confluent-framed Avro: magic byte 0x7b, not 0x00");
	b.p[0] = 0;
	CHECK(weir_avro_unframe(b.p, 3, &id, &body, &bn, err, sizeof(err)) < 0);
	CHECK(has(err, "shorter than its 5-byte header"));
	weir_buf_free(&b);
	UNIT_DONE();
}
