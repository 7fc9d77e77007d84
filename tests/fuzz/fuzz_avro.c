/*
 * fuzz_avro.c - the Avro decoder on untrusted bytes (a Kafka message):
 * the first byte picks a schema, the rest is a Confluent-framed message.
 * What decodes must be a valid packed value; when it encodes again, that
 * encoding must decode to the same value.
 */
#include "avro.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const char *const schemas[] = {
	"{\"type\":\"record\",\"name\":\"R\",\"namespace\":\"f\",\"fields\":["
	"{\"name\":\"b\",\"type\":\"boolean\"},{\"name\":\"i\",\"type\":\"int\"},"
	"{\"name\":\"l\",\"type\":\"long\"},{\"name\":\"f\",\"type\":\"float\"},"
	"{\"name\":\"d\",\"type\":\"double\"},{\"name\":\"s\",\"type\":\"string\"},"
	"{\"name\":\"y\",\"type\":\"bytes\"},{\"name\":\"e\",\"type\":{\"type\":"
	"\"enum\",\"name\":\"E\",\"symbols\":[\"A\",\"B\",\"C\"]}},"
	"{\"name\":\"x\",\"type\":{\"type\":\"fixed\",\"name\":\"X\",\"size\":3}},"
	"{\"name\":\"a\",\"type\":{\"type\":\"array\",\"items\":[\"null\",\"long\","
	"\"string\"]}},{\"name\":\"m\",\"type\":{\"type\":\"map\",\"values\":"
	"\"E\"}},{\"name\":\"u\",\"type\":[\"null\",\"R\"]}]}",
	"{\"type\":\"record\",\"name\":\"T\",\"fields\":["
	"{\"name\":\"dec\",\"type\":{\"type\":\"bytes\",\"logicalType\":\"decimal\","
	"\"precision\":40,\"scale\":3}},"
	"{\"name\":\"fdec\",\"type\":{\"type\":\"fixed\",\"name\":\"FD\",\"size\":5,"
	"\"logicalType\":\"decimal\",\"precision\":10,\"scale\":2}},"
	"{\"name\":\"day\",\"type\":{\"type\":\"int\",\"logicalType\":\"date\"}},"
	"{\"name\":\"tm\",\"type\":{\"type\":\"int\",\"logicalType\":\"time-millis\"}},"
	"{\"name\":\"tu\",\"type\":{\"type\":\"long\",\"logicalType\":\"time-micros\"}},"
	"{\"name\":\"ts\",\"type\":{\"type\":\"long\",\"logicalType\":"
	"\"timestamp-millis\"}},{\"name\":\"tsu\",\"type\":{\"type\":\"long\","
	"\"logicalType\":\"timestamp-micros\"}},{\"name\":\"lt\",\"type\":"
	"{\"type\":\"long\",\"logicalType\":\"local-timestamp-micros\"}}]}",
	"{\"type\":\"array\",\"items\":{\"type\":\"map\",\"values\":[\"null\","
	"\"boolean\",\"double\",\"string\"]}}",
	"[\"null\",\"string\",{\"type\":\"array\",\"items\":\"null\"}]",
};
#define NSCHEMA (sizeof(schemas) / sizeof(schemas[0]))

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static weir_avro_schema *s[NSCHEMA];
	weir_buf p1 = { 0 }, p2 = { 0 }, bin = { 0 };
	const uint8_t *body;
	weir_avro_schema *sc;
	uint32_t id;
	size_t bn, k;
	weir_pv v;

	if (!s[0])
		for (k = 0; k < NSCHEMA; k++)
			if (weir_avro_schema_parse(&s[k], schemas[k],
			    strlen(schemas[k]), NULL, 0) < 0)
				__builtin_trap();
	if (size < 1)
		return 0;
	sc = s[data[0] % NSCHEMA];
	if (weir_avro_unframe(data + 1, size - 1, &id, &body, &bn, NULL, 0) < 0)
		return 0;
	if (weir_avro_decode(sc, body, bn, &p1, NULL, 0) == 0) {
		if (weir_pack_validate(p1.p, p1.len, NULL, 0) < 0)
			__builtin_trap();
		weir_pv_of(p1.p, p1.len, &v);
		/* NaN and infinities decode to null, which no float takes */
		if (weir_avro_encode(sc, &v, &bin, NULL, 0) == 0) {
			if (weir_avro_decode(sc, bin.p, bin.len, &p2, NULL, 0) < 0 ||
			    p1.len != p2.len || memcmp(p1.p, p2.p, p1.len))
				__builtin_trap();
		}
	}
	weir_buf_free(&p1);
	weir_buf_free(&p2);
	weir_buf_free(&bin);
	return 0;
}
