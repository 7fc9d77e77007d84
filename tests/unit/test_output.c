/* test_output.c - the text writers of weir_output: CSV, TSV and NDJSON
 * cells from records of one shape, of other key orders, with missing,
 * extra, escaped and duplicate names (the column walk and its fallback),
 * quoting, and the dropped-field counts. */
#include <stdio.h>
#include <unistd.h>

#include "output.h"
#include "pack.h"
#include "record.h"
#include "unit.h"

static const char *lines[] = {
	"{\"a\":1,\"b\":\"x,y\",\"c\":null,\"d\":-9223372036854775808}",
	"{\"a\":2.50,\"b\":\"say \\\"hi\\\"\",\"c\":[1,{\"k\":\"v\"}],\"d\":0}",
	"{\"b\":\"swapped\",\"a\":3,\"d\":4,\"c\":5}",
	"{\"a\":4,\"b\":\"\",\"c\":\"tab\\there\",\"d\":\"nl\\nx\",\"e\":\"extra\"}",
	"{\"\\u0061\":5,\"b\":\"escaped key\",\"c\":true,\"d\":false}",
	"{\"a\":6}",
	"[1,2]",
	"{\"a\":7,\"b\":\"x\",\"c\":3,\"d\":1e400,\"f\":1,\"g\":2}",
	"{\"a\":8,\"b\":\"q\\\"\",\"c\":\"\\u00e9,\",\"d\":123456789012}",
};
#define NLINES (sizeof(lines) / sizeof(lines[0]))

static char text[4096];
static size_t ndropped;

/* The lines through an output of format fmt (fields as --fields): the
 * text written, NUL-terminated. */
static const char *
sink(int fmt, const char *fields)
{
	FILE *f = tmpfile();
	weir_output *o;
	weir_buf b = {0};
	weir_record r;
	size_t i, n;

	text[0] = 0;
	if (!f || !(o = weir_output_open(fileno(f), fmt, fields)))
		return "(open failed)";
	for (i = 0; i < NLINES; i++) {
		b.len = 0;
		if (weir_pack_json(&b, (const uint8_t *)lines[i], strlen(lines[i]),
		    NULL, 0) < 0)
			return "(bad test line)";
		memset(&r, 0, sizeof(r));
		weir_record_set_packed(&r, &b);
		if (weir_output_record(o, &r) < 0)
			return "(record failed)";
	}
	if (weir_output_end(o) < 0)
		return "(end failed)";
	ndropped = weir_output_ndropped(o);
	weir_output_close(o);
	weir_buf_free(&b);
	rewind(f);
	n = fread(text, 1, sizeof(text) - 1, f);
	text[n] = 0;
	fclose(f);
	return text;
}

static uint64_t
dropped(int fmt, const char *name)
{
	FILE *f = tmpfile();
	weir_output *o;
	weir_buf b = {0};
	weir_record r;
	uint64_t count = 0, c;
	size_t i;
	const char *s;

	if (!f || !(o = weir_output_open(fileno(f), fmt, NULL)))
		return 999;
	for (i = 0; i < NLINES; i++) {
		b.len = 0;
		weir_pack_json(&b, (const uint8_t *)lines[i], strlen(lines[i]),
		    NULL, 0);
		memset(&r, 0, sizeof(r));
		weir_record_set_packed(&r, &b);
		weir_output_record(o, &r);
	}
	for (i = 0; (s = weir_output_dropped(o, i, &c)); i++)
		if (!strcmp(s, name))
			count = c;
	weir_output_close(o);
	weir_buf_free(&b);
	fclose(f);
	return count;
}

/* A packed object with the key a twice (weir_pack_json keeps the last;
 * a frame from elsewhere may hold both): a column is its first. */
static const char *
dup_keys(const char *fields)
{
	static const uint8_t v[] = { WEIR_PK_OBJ, 8, 0x41, 'a', WEIR_PK_INT, 2,
	    0x41, 'a', WEIR_PK_INT, 4 };
	FILE *f = tmpfile();
	weir_output *o;
	weir_record r;
	size_t n;

	if (!f || !(o = weir_output_open(fileno(f), WEIR_FMT_CSV, fields)))
		return "(open failed)";
	memset(&r, 0, sizeof(r));
	r.enc = WEIR_ENC_PACKED;
	r.value = v;
	r.value_len = sizeof(v);
	if (weir_output_record(o, &r) < 0 || weir_output_end(o) < 0)
		return "(record failed)";
	weir_output_close(o);
	rewind(f);
	n = fread(text, 1, sizeof(text) - 1, f);
	text[n] = 0;
	fclose(f);
	return text;
}

int
main(void)
{
	CHECK_STR(sink(WEIR_FMT_CSV, NULL),
	    "a,b,c,d\n"
	    "1,\"x,y\",,-9223372036854775808\n"
	    "2.50,\"say \"\"hi\"\"\",\"[1,{\"\"k\"\":\"\"v\"\"}]\",0\n"
	    "3,swapped,5,4\n"
	    "4,\"\",tab\there,\"nl\nx\"\n"
	    "5,escaped key,true,false\n"
	    "6,,,\n"
	    "\"[1,2]\",\"[1,2]\",\"[1,2]\",\"[1,2]\"\n"
	    "7,x,3,1e400\n"
	    "8,\"q\"\"\",\"\xc3\xa9,\",123456789012\n");
	/* e once, f and g once: 3 names, and none for the records whose
	 * members are the columns in another order */
	CHECK(ndropped == 3);
	CHECK(dropped(WEIR_FMT_CSV, "field .e") == 1);
	CHECK(dropped(WEIR_FMT_CSV, "field .f") == 1);
	CHECK(dropped(WEIR_FMT_CSV, "field .g") == 1);
	CHECK(dropped(WEIR_FMT_CSV, "field .a") == 0);
	CHECK_STR(sink(WEIR_FMT_TSV, NULL),
	    "a\tb\tc\td\n"
	    "1\tx,y\t\t-9223372036854775808\n"
	    "2.50\tsay \"hi\"\t[1,{\"k\":\"v\"}]\t0\n"
	    "3\tswapped\t5\t4\n"
	    "4\t\ttab\\there\tnl\\nx\n"
	    "5\tescaped key\ttrue\tfalse\n"
	    "6\t\t\t\n"
	    "[1,2]\t[1,2]\t[1,2]\t[1,2]\n"
	    "7\tx\t3\t1e400\n"
	    "8\tq\"\t\xc3\xa9,\t123456789012\n");
	/* columns out of the records' order, one named twice, one absent */
	CHECK_STR(sink(WEIR_FMT_CSV, "d,a,a,zz"),
	    "d,a,a,zz\n"
	    "-9223372036854775808,1,1,\n"
	    "0,2.50,2.50,\n"
	    "4,3,3,\n"
	    "\"nl\nx\",4,4,\n"
	    "false,5,5,\n"
	    ",6,6,\n"
	    "\"[1,2]\",\"[1,2]\",\"[1,2]\",\"[1,2]\"\n"
	    "1e400,7,7,\n"
	    "123456789012,8,8,\n");
	CHECK(ndropped == 0);
	/* a prefix of the members, then one more than a record has */
	CHECK_STR(sink(WEIR_FMT_CSV, "a,b,c,d,e"),
	    "a,b,c,d,e\n"
	    "1,\"x,y\",,-9223372036854775808,\n"
	    "2.50,\"say \"\"hi\"\"\",\"[1,{\"\"k\"\":\"\"v\"\"}]\",0,\n"
	    "3,swapped,5,4,\n"
	    "4,\"\",tab\there,\"nl\nx\",extra\n"
	    "5,escaped key,true,false,\n"
	    "6,,,,\n"
	    "\"[1,2]\",\"[1,2]\",\"[1,2]\",\"[1,2]\",\"[1,2]\"\n"
	    "7,x,3,1e400,\n"
	    "8,\"q\"\"\",\"\xc3\xa9,\",123456789012,\n");
	CHECK_STR(sink(WEIR_FMT_NDJSON, NULL),
	    "{\"a\":1,\"b\":\"x,y\",\"c\":null,\"d\":-9223372036854775808}\n"
	    "{\"a\":2.50,\"b\":\"say \\\"hi\\\"\",\"c\":[1,{\"k\":\"v\"}],\"d\":0}\n"
	    "{\"b\":\"swapped\",\"a\":3,\"d\":4,\"c\":5}\n"
	    "{\"a\":4,\"b\":\"\",\"c\":\"tab\\there\",\"d\":\"nl\\nx\",\"e\":\"extra\"}\n"
	    "{\"\\u0061\":5,\"b\":\"escaped key\",\"c\":true,\"d\":false}\n"
	    "{\"a\":6}\n"
	    "[1,2]\n"
	    "{\"a\":7,\"b\":\"x\",\"c\":3,\"d\":1e400,\"f\":1,\"g\":2}\n"
	    "{\"a\":8,\"b\":\"q\\\"\",\"c\":\"\\u00e9,\",\"d\":123456789012}\n");
	CHECK_STR(dup_keys("a,a"), "a,a\n1,1\n");
	CHECK_STR(dup_keys(NULL), "a,a\n1,1\n");
	UNIT_DONE();
}
