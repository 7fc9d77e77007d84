/* test_output.c - the text writers of weir_output: CSV, TSV and NDJSON
 * cells from records of one shape, of other key orders, with missing,
 * extra, escaped and duplicate names (the column walk and its fallback),
 * quoting, and the dropped-field counts. */
#include <stdio.h>
#include <stdlib.h>
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

/* The contents of f, read into b. */
static void
slurp(FILE *f, weir_buf *b)
{
	char chunk[4096];
	size_t n;

	rewind(f);
	b->len = 0;
	while ((n = fread(chunk, 1, sizeof(chunk), f)) > 0)
		weir_buf_put(b, chunk, n);
}

/*
 * Records built in place (weir_output_open_record, _close_record) make
 * the bytes weir_output_record makes of the same records: times whose
 * steps take 1 to 10 bytes, both ways, values under 128 bytes, from 128
 * and from 16K (the head grows and shrinks, the value moved), one over
 * the limit of 18K (refused, nothing written, the output goes on), and
 * one cancelled (its value given back) then written as a whole.
 */
static int
in_place(void)
{
	static const int64_t ts[] = { 0, 5, 1700000000000, 1700000000001,
	    -9000000000000000000, 3, 3, 200, INT64_MAX, INT64_MIN, 7, 100 };
	static const size_t vlen[] = { 3, 200, 130, 17000, 127, 128, 0, 1,
	    300, 19000, 16383, 60 };
	FILE *fa = tmpfile(), *fb = tmpfile();
	weir_output *a, *b;
	weir_buf v = {0}, back = {0}, ta = {0}, tb = {0}, *w;
	weir_record r;
	size_t i, j;
	int ok = 1, ra, rb;

	if (!fa || !fb || !(a = weir_output_open(fileno(fa), WEIR_FMT_FRAMED,
	    NULL)) || !(b = weir_output_open(fileno(fb), WEIR_FMT_FRAMED,
	    NULL)))
		return 0;
	for (i = 0; i < sizeof(ts) / sizeof(ts[0]); i++) {
		v.len = 0;
		for (j = 0; j < vlen[i]; j++)
			weir_buf_putc(&v, (int)(i * 31 + j));
		memset(&r, 0, sizeof(r));
		weir_record_set_packed(&r, &v);
		r.flags = WEIR_R_TS;
		r.ts = ts[i];
		r.partition = -1;
		ra = weir_output_record(a, &r);
		if (!(w = weir_output_open_record(b)))
			return 0;
		weir_buf_put(w, v.p, v.len);
		if (i == 6) {	/* cancelled, then written whole */
			back.len = 0;
			ok &= weir_output_cancel_record(b, &back) == 0 &&
			    back.len == v.len &&
			    (!v.len || !memcmp(back.p, v.p, v.len));
			rb = weir_output_record(b, &r);
		} else
			rb = weir_output_close_record(b, ts[i]);
		ok &= ra == rb && (vlen[i] == 19000 ? ra == WEIR_FAIL_DATA :
		    ra == 0);
	}
	ok &= weir_output_records(a) == weir_output_records(b);
	ok &= weir_output_end(a) == 0 && weir_output_end(b) == 0;
	weir_output_close(a);
	weir_output_close(b);
	slurp(fa, &ta);
	slurp(fb, &tb);
	ok &= ta.len > 30000 && ta.len == tb.len && !memcmp(ta.p, tb.p, ta.len);
	fclose(fa);
	fclose(fb);
	weir_buf_free(&v);
	weir_buf_free(&back);
	weir_buf_free(&ta);
	weir_buf_free(&tb);
	return ok;
}

int
main(void)
{
	setenv("WEIR_MAX_RECORD", "18K", 1);	/* for in_place */
	CHECK(in_place());
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
