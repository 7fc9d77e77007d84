/* test_util.c - UTF-8, base64, durations, ISO 8601, hashing, HLL. */
#include <math.h>
#include <stdlib.h>
#include <unistd.h>

#include "dur.h"
#include "hash.h"
#include "hll.h"
#include "io.h"
#include "unit.h"
#include "util.h"

static const char *
b64(const char *s, size_t n)
{
	static char out[256];
	weir_buf b = {0};

	weir_b64_enc(&b, (const uint8_t *)s, n);
	snprintf(out, sizeof(out), "%.*s", (int)b.len, b.p ? (char *)b.p : "");
	weir_buf_free(&b);
	return out;
}

static const char *
dur(const char *s)
{
	static char out[64];
	int64_t ms;

	if (weir_dur_parse(s, &ms, NULL, 0) < 0)
		return "ERR";
	snprintf(out, sizeof(out), "%lld", (long long)ms);
	return out;
}

static const char *
iso(const char *s)
{
	static char out[64];
	int64_t ms;

	if (weir_iso8601_parse(s, strlen(s), &ms) < 0)
		return "ERR";
	snprintf(out, sizeof(out), "%lld", (long long)ms);
	return out;
}

int
main(void)
{
	char buf[64];
	int64_t t;
	size_t i;

	CHECK(weir_utf8_valid((const uint8_t *)"plain ascii text here", 21));
	CHECK(weir_utf8_valid((const uint8_t *)"\xc3\xa9\xe2\x82\xac\xf0\x9f\x98\x80", 9));
	CHECK(!weir_utf8_valid((const uint8_t *)"\xc3", 1));
	CHECK(!weir_utf8_valid((const uint8_t *)"\xc0\x80", 2));
	CHECK(!weir_utf8_valid((const uint8_t *)"\xed\xa0\x80", 3));
	CHECK(!weir_utf8_valid((const uint8_t *)"\xf4\x90\x80\x80", 4));
	CHECK(!weir_utf8_valid((const uint8_t *)"abcdefghij\xff", 11));

	CHECK_STR(b64("", 0), "");
	CHECK_STR(b64("f", 1), "Zg==");
	CHECK_STR(b64("fo", 2), "Zm8=");
	CHECK_STR(b64("foo", 3), "Zm9v");
	CHECK_STR(b64("\0\xff\x10", 3), "AP8Q");
	{
		weir_buf b = {0};
		CHECK(weir_b64_dec(&b, "Zm9vYg==", 8) == 0 && b.len == 4 &&
		    !memcmp(b.p, "foob", 4));
		b.len = 0;
		CHECK(weir_b64_dec(&b, "Zm9v!", 5) < 0);
		weir_buf_free(&b);
	}

	CHECK_STR(dur("250ms"), "250");
	CHECK_STR(dur("5s"), "5000");
	CHECK_STR(dur("1m30s"), "90000");
	CHECK_STR(dur("2h"), "7200000");
	CHECK_STR(dur("1d"), "86400000");
	CHECK_STR(dur("1.5s"), "1500");
	CHECK_STR(dur("100"), "100");
	CHECK_STR(dur("0s"), "0");
	CHECK_STR(dur(""), "ERR");
	CHECK_STR(dur("5x"), "ERR");
	CHECK_STR(dur("s"), "ERR");
	CHECK_STR(dur("-5s"), "ERR");
	CHECK_STR(dur("5s10"), "ERR");
	weir_dur_fmt(buf, sizeof(buf), 60000);
	CHECK_STR(buf, "1m");
	weir_dur_fmt(buf, sizeof(buf), 1500);
	CHECK_STR(buf, "1500ms");

	CHECK_STR(iso("1970-01-01T00:00:00Z"), "0");
	CHECK_STR(iso("2023-11-14T22:13:20Z"), "1700000000000");
	CHECK_STR(iso("2023-11-14T22:13:20.5Z"), "1700000000500");
	CHECK_STR(iso("2023-11-14T22:13:20.123456Z"), "1700000000123");
	CHECK_STR(iso("2023-11-15T00:13:20+02:00"), "1700000000000");
	CHECK_STR(iso("2023-11-14 22:13:20"), "1700000000000");
	CHECK_STR(iso("1969-12-31T23:59:59.999Z"), "-1");
	CHECK_STR(iso("2024-02-29"), "1709164800000");
	CHECK_STR(iso("2023-13-01"), "ERR");
	CHECK_STR(iso("2023-11-14T25:00Z"), "ERR");
	CHECK_STR(iso("yesterday"), "ERR");
	for (t = -100000000000LL; t < 4000000000000LL; t += 123456789013LL) {
		int64_t back;
		weir_iso8601_fmt(buf, sizeof(buf), t);
		CHECK(weir_iso8601_parse(buf, strlen(buf), &back) == 0 && back == t);
	}

	CHECK(weir_hash("abc", 3, 0) != weir_hash("abd", 3, 0));
	CHECK(weir_hash("abc", 3, 0) == weir_hash("abc", 3, 0));
	CHECK(weir_hash("abc", 3, 0) != weir_hash("abc", 3, 1));
	{
		weir_hll h, h2;
		double c;
		char k[32];
		weir_hll_init(&h, WEIR_HLL_P_DEFAULT);
		weir_hll_init(&h2, WEIR_HLL_P_DEFAULT);
		for (i = 0; i < 1000000; i++) {
			int n = snprintf(k, sizeof(k), "id-%zu", i);
			weir_hll_add(i % 2 ? &h : &h2, weir_hash(k, (size_t)n, 0));
		}
		weir_hll_merge(&h, &h2);
		c = weir_hll_count(&h);
		CHECK(fabs(c - 1e6) / 1e6 < 0.02);
		weir_hll_free(&h2);
		weir_hll_init(&h2, WEIR_HLL_P_DEFAULT);
		for (i = 0; i < 100; i++)
			weir_hll_add(&h2, weir_hash(&i, sizeof(i), 0));
		CHECK(fabs(weir_hll_count(&h2) - 100) < 2);
		weir_hll_free(&h);
		weir_hll_free(&h2);
	}
	/* -o files: the new file replaces the old one only on commit; in
	 * place (the switch for a mode that rewrites FILE) it is FILE */
	{
		char dir[] = "/tmp/weir-ofile.XXXXXX", path[64], obuf[16];
		static weir_ofile f;
		char err[WEIR_ERRSZ];
		FILE *fp;
		size_t n;

		CHECK(mkdtemp(dir) != NULL);
		snprintf(path, sizeof(path), "%s/out", dir);
		fp = fopen(path, "w");
		fputs("old", fp);
		fclose(fp);
		CHECK(weir_ofile_open(&f, path, 0, err, sizeof(err)) == 0);
		CHECK(f.tmp != NULL && write(f.fd, "new", 3) == 3);
		fp = fopen(path, "r");
		n = fread(obuf, 1, sizeof(obuf), fp);
		fclose(fp);
		CHECK(n == 3 && !memcmp(obuf, "old", 3));
		weir_ofile_abort(&f);
		CHECK(rmdir(dir) < 0);	/* only the old file is left */
		CHECK(weir_ofile_open(&f, path, 0, err, sizeof(err)) == 0);
		CHECK(write(f.fd, "new", 3) == 3);
		CHECK(weir_ofile_commit(&f, err, sizeof(err)) == 0);
		fp = fopen(path, "r");
		n = fread(obuf, 1, sizeof(obuf), fp);
		fclose(fp);
		CHECK(n == 3 && !memcmp(obuf, "new", 3));
		CHECK(weir_ofile_open(&f, path, WEIR_OFILE_INPLACE, err,
		    sizeof(err)) == 0);
		CHECK(f.tmp == NULL);
		fp = fopen(path, "r");
		CHECK(fread(obuf, 1, sizeof(obuf), fp) == 0);	/* truncated */
		fclose(fp);
		CHECK(weir_ofile_commit(&f, err, sizeof(err)) == 0);
		CHECK(unlink(path) == 0 && rmdir(dir) == 0);
		snprintf(path, sizeof(path), "%s/no/such/dir", dir);
		CHECK(weir_ofile_open(&f, path, 0, err, sizeof(err)) < 0 &&
		    strstr(err, "No such file"));
	}
	UNIT_DONE();
}
