/* test_kafka.c - kcat-style offsets and -X property lines. */
#include "kafka.h"
#include "unit.h"

static int
off(const char *s, int kind, int64_t val)
{
	int k;
	int64_t v;

	return weir_kafka_offset_parse(s, &k, &v) == 0 && k == kind && v == val;
}

int
main(void)
{
	char line[64], *n, *v;
	int k;
	int64_t x;

	CHECK(off("beginning", WEIR_KOFF_BEGINNING, 0));
	CHECK(off("end", WEIR_KOFF_END, 0));
	CHECK(off("stored", WEIR_KOFF_STORED, 0));
	CHECK(off("42", WEIR_KOFF_ABS, 42));
	CHECK(off("0", WEIR_KOFF_ABS, 0));
	CHECK(off("-10", WEIR_KOFF_TAIL, 10));
	CHECK(off("s@1700000000000", WEIR_KOFF_START_TS, 1700000000000LL));
	CHECK(off("e@5", WEIR_KOFF_STOP_TS, 5));
	CHECK(weir_kafka_offset_parse("", &k, &x) < 0);
	CHECK(weir_kafka_offset_parse("soon", &k, &x) < 0);
	CHECK(weir_kafka_offset_parse("12x", &k, &x) < 0);
	CHECK(weir_kafka_offset_parse("s@", &k, &x) < 0);
	CHECK(weir_kafka_offset_parse("s@-1", &k, &x) < 0);
	CHECK(weir_kafka_offset_parse("x@1", &k, &x) < 0);
	CHECK(weir_kafka_offset_parse("-", &k, &x) < 0);
	CHECK(weir_kafka_offset_parse("99999999999999999999", &k, &x) < 0);

	strcpy(line, "  sasl.password = s3=cret \r\n");
	CHECK(weir_kafka_prop_split(line, &n, &v) == 1);
	CHECK_STR(n, "sasl.password");
	CHECK_STR(v, "s3=cret");
	strcpy(line, "# comment=1\n");
	CHECK(weir_kafka_prop_split(line, &n, &v) == 0);
	strcpy(line, "   \n");
	CHECK(weir_kafka_prop_split(line, &n, &v) == 0);
	strcpy(line, "novalue\n");
	CHECK(weir_kafka_prop_split(line, &n, &v) < 0);
	strcpy(line, "=x\n");
	CHECK(weir_kafka_prop_split(line, &n, &v) < 0);
	strcpy(line, "empty=\n");
	CHECK(weir_kafka_prop_split(line, &n, &v) == 1);
	CHECK_STR(v, "");
	UNIT_DONE();
}
