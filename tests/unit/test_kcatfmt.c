/* test_kcatfmt.c - kcat's delimiters, format strings and delimited input. */
#include <unistd.h>

#include "kcatfmt.h"
#include "unit.h"

static const char *
delim(const char *arg)
{
	static weir_buf b;
	char err[WEIR_ERRSZ];

	if (weir_kcat_delim(arg, &b, err, sizeof(err)) < 0)
		return "(error)";
	return (const char *)b.p;
}

/* One record through format fmt, as a C string. */
static const char *
fmt1(const char *fmt, const weir_record *r, int null_str)
{
	static weir_buf out;
	weir_buf scratch = { 0 };
	weir_kcatfmt f;
	char err[WEIR_ERRSZ];

	out.len = 0;
	if (weir_kcatfmt_parse(&f, fmt, "\n", NULL, 0, err, sizeof(err)) < 0)
		return "(error)";
	f.null_str = null_str;
	if (weir_kcatfmt_put(&f, &out, r, NULL, &scratch) < 0 ||
	    weir_buf_putc(&out, 0) < 0)
		return "(error)";
	weir_kcatfmt_free(&f);
	weir_buf_free(&scratch);
	return (const char *)out.p;
}

int
main(void)
{
	weir_record r;
	weir_kcatfmt f;
	weir_kcat_reader rd;
	char err[WEIR_ERRSZ];
	const uint8_t *m, *k, *v;
	size_t n, kn, vn;
	int p[2], i, got;

	/* kcat's parse_delim: \n, \t, \xHH; a \x00 ends the string */
	CHECK_STR(delim("\\n"), "\n");
	CHECK_STR(delim("\\t\\n\\n"), "\t\n\n");
	CHECK_STR(delim("\\x54!\\x45\\x53T"), "T!EST");
	CHECK_STR(delim("\\x30"), "0");
	CHECK_STR(delim("a\\x00zb"), "a");
	CHECK_STR(delim("a\\x00b"), "a\v");	/* hex takes the b */
	CHECK_STR(delim("\\xzz"), "(error)");

	memset(&r, 0, sizeof(r));
	r.flags = WEIR_R_POS | WEIR_R_KEY | WEIR_R_TS;
	r.topic = "t";
	r.topic_len = 1;
	r.partition = 2;
	r.offset = 7;
	r.ts = 1700000000000;
	r.key = (const uint8_t *)"k";
	r.key_len = 1;
	r.enc = WEIR_ENC_BYTES;
	r.value = (const uint8_t *)"v1";
	r.value_len = 2;
	CHECK_STR(fmt1("%t/%p/%o/%T/%k/%K/%s/%S/%h.\\n", &r, 0),
	    "t/2/7/1700000000000/k/1/v1/2/.\n");
	/* escapes in literals as kcat reads them: \NNN as C reads a number
	 * (012 octal, 0x41 hex), \x and digits in hex, \x then a letter the
	 * letter, %% a percent */
	CHECK_STR(fmt1("\\012|\\0x41|\\x42|\\xg|\\q|%%", &r, 0),
	    "\n|A|B|g|q|%");
	CHECK_STR(fmt1("a\\0b%s", &r, 0), "av1");	/* \0 ends a literal */
	r.flags &= ~WEIR_R_KEY;
	r.enc = WEIR_ENC_NULL;
	CHECK_STR(fmt1("[%k][%K][%s][%S]", &r, 0), "[][-1][][-1]");
	CHECK_STR(fmt1("[%k][%s]", &r, 1), "[NULL][NULL]");
	CHECK(weir_kcatfmt_parse(&f, "%s %q", "\n", NULL, 0, err,
	    sizeof(err)) < 0 && strstr(err, "%q"));
	weir_kcatfmt_free(&f);
	CHECK(weir_kcatfmt_parse(&f, "%s%", "\n", NULL, 0, err,
	    sizeof(err)) < 0 && strstr(err, "empty formatter"));
	weir_kcatfmt_free(&f);

	/* delimited input: a delimiter across read boundaries, empty
	 * messages skipped, the last without a delimiter */
	if (pipe(p) < 0)
		return 1;
	if (fork() == 0) {
		close(p[0]);
		for (i = 0; i < 20000; i++)
			if (write(p[1], i % 3 ? "ab;;" : ";;", i % 3 ? 4 : 2) < 0)
				_exit(1);
		if (write(p[1], "end", 3) < 0)
			_exit(1);
		_exit(0);
	}
	close(p[1]);
	weir_kcat_reader_init(&rd, p[0], ";;");
	got = 0;
	while ((i = weir_kcat_reader_next(&rd, &m, &n, err, sizeof(err))) > 0) {
		if (n == 2 && !memcmp(m, "ab", 2))
			got++;
		else if (!(n == 3 && !memcmp(m, "end", 3)))
			break;
	}
	CHECK(i == 0);
	CHECK(got == 13333);
	weir_kcat_reader_free(&rd);
	close(p[0]);

	/* -K splits at the first delimiter; -Z makes empty sides null */
	CHECK(weir_kcat_split_key((const uint8_t *)"k::v::w", 7, "::", 0, &k,
	    &kn, &v, &vn) == 1 && kn == 1 && vn == 4 && !memcmp(v, "v::w", 4));
	CHECK(weir_kcat_split_key((const uint8_t *)"::", 2, "::", 1, &k, &kn,
	    &v, &vn) == 1 && !k && !v);
	CHECK(weir_kcat_split_key((const uint8_t *)"::", 2, "::", 0, &k, &kn,
	    &v, &vn) == 1 && k && v && !kn && !vn);
	CHECK(weir_kcat_split_key((const uint8_t *)"kv", 2, "::", 1, &k, &kn,
	    &v, &vn) == 0 && !k && vn == 2);
	UNIT_DONE();
}
