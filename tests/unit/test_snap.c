/* test_snap.c - snapshot containers, the commit record, stage state dirs. */
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "snap.h"
#include "unit.h"

static char dir[] = "/tmp/weir-snap-XXXXXX";

static int
file_exists(const char *sub)
{
	char p[256];

	snprintf(p, sizeof(p), "%s/%s", dir, sub);
	return access(p, F_OK) == 0;
}

static void
flip_byte(const char *sub, long at)
{
	char p[256];
	FILE *f;
	int c;

	snprintf(p, sizeof(p), "%s/%s", dir, sub);
	f = fopen(p, "r+b");
	fseek(f, at, SEEK_SET);
	c = fgetc(f);
	fseek(f, at, SEEK_SET);
	fputc(c ^ 0x10, f);
	fclose(f);
}

static void
test_body(void)
{
	weir_buf b = { 0 };
	weir_rd r;
	size_t n;
	const uint8_t *p;

	weir_sw_u64(&b, 300);
	weir_sw_i64(&b, -5);
	weir_sw_f64(&b, 0.1);
	weir_sw_str(&b, "abc");
	weir_rd_init(&r, b.p, b.len);
	CHECK(weir_rd_u64(&r) == 300);
	CHECK(weir_rd_i64(&r) == -5);
	CHECK(weir_rd_f64(&r) == 0.1);
	p = weir_rd_bytes(&r, &n);
	CHECK(n == 3 && !memcmp(p, "abc", 3));
	CHECK(weir_rd_done(&r, "x", NULL, 0) == 0);
	/* truncated: sticky error, no read past the end */
	weir_rd_init(&r, b.p, b.len - 1);
	weir_rd_u64(&r);
	weir_rd_i64(&r);
	weir_rd_f64(&r);
	p = weir_rd_bytes(&r, &n);
	CHECK(p == NULL && r.bad);
	/* a count larger than the rest could hold */
	b.len = 0;
	weir_sw_u64(&b, 1000000);
	weir_rd_init(&r, b.p, b.len);
	CHECK(weir_rd_count(&r, 1) == 0 && r.bad);
	weir_buf_free(&b);
}

static void
test_ckpt(void)
{
	weir_ckpt c, c2;
	weir_commit cm = { 0 };
	weir_buf body = { 0 };
	char err[WEIR_ERRSZ];
	uint64_t fp = 42;

	CHECK(weir_ckpt_open(&c, dir, "agg", "weir-agg", fp, 0, err,
	    sizeof(err)) == 0);
	/* a second process (here: a second open) is refused */
	CHECK(weir_ckpt_open(&c2, dir, "agg", "weir-agg", fp, 0, err,
	    sizeof(err)) == WEIR_SNAP_EBAD);
	CHECK(strstr(err, "in use") != NULL);
	weir_ckpt_close(&c2);
	CHECK(weir_ckpt_restore(&c, &body, err, sizeof(err)) == 0);
	CHECK(weir_ckpt_save(&c, 1, (const uint8_t *)"one", 3, err,
	    sizeof(err)) == 0);
	CHECK(weir_ckpt_save(&c, 2, (const uint8_t *)"two", 3, err,
	    sizeof(err)) == 0);
	CHECK(file_exists("agg/1.snap") && file_exists("agg/2.snap"));
	weir_ckpt_close(&c);

	/* commit 1: a restart loads 1 and deletes 2 (never committed) */
	cm.id = 1;
	weir_buf_puts(&cm.positions, "{\"src\":{\"gen\":10}}");
	cm.out_len = 77;
	CHECK(weir_commit_write(dir, &cm, err, sizeof(err)) == 0);
	weir_commit_free(&cm);
	memset(&cm, 0, sizeof(cm));
	CHECK(weir_commit_read(dir, &cm, err, sizeof(err)) == 1);
	CHECK(cm.id == 1 && cm.out_len == 77 && cm.positions.len == 18);
	weir_commit_free(&cm);

	CHECK(weir_ckpt_open(&c, dir, "agg", "weir-agg", fp, 0, err,
	    sizeof(err)) == 0);
	CHECK(weir_ckpt_restore(&c, &body, err, sizeof(err)) == 1);
	CHECK(body.len == 3 && !memcmp(body.p, "one", 3));
	CHECK(!file_exists("agg/2.snap"));
	/* saving prunes what is older than the commit, keeping a few */
	CHECK(weir_ckpt_save(&c, 2, (const uint8_t *)"2", 1, err,
	    sizeof(err)) == 0);
	weir_ckpt_close(&c);

	/* other arguments */
	CHECK(weir_ckpt_open(&c, dir, "agg", "weir-agg", fp + 1, 0, err,
	    sizeof(err)) == 0);
	CHECK(weir_ckpt_restore(&c, &body, err, sizeof(err)) ==
	    WEIR_SNAP_EBAD);
	CHECK(strstr(err, "1.snap") && strstr(err, "other arguments"));
	weir_ckpt_close(&c);
	/* another program */
	CHECK(weir_ckpt_open(&c, dir, "agg", "weir-window", fp, 0, err,
	    sizeof(err)) == 0);
	CHECK(weir_ckpt_restore(&c, &body, err, sizeof(err)) ==
	    WEIR_SNAP_EBAD);
	weir_ckpt_close(&c);
	/* a flipped bit */
	flip_byte("agg/1.snap", 30);
	CHECK(weir_ckpt_open(&c, dir, "agg", "weir-agg", fp, 0, err,
	    sizeof(err)) == 0);
	CHECK(weir_ckpt_restore(&c, &body, err, sizeof(err)) ==
	    WEIR_SNAP_EBAD);
	CHECK(strstr(err, "checksum") != NULL);
	weir_ckpt_close(&c);
	/* --reset-state starts empty */
	CHECK(weir_ckpt_open(&c, dir, "agg", "weir-agg", fp, 1, err,
	    sizeof(err)) == 0);
	CHECK(weir_ckpt_restore(&c, &body, err, sizeof(err)) == 0);
	CHECK(!file_exists("agg/1.snap"));
	weir_ckpt_close(&c);
	/* a missing snapshot of the committed checkpoint is an error */
	CHECK(weir_ckpt_open(&c, dir, "window", "weir-window", fp, 0, err,
	    sizeof(err)) == 0);
	CHECK(weir_ckpt_restore(&c, &body, err, sizeof(err)) ==
	    WEIR_SNAP_EBAD);
	CHECK(strstr(err, "missing") != NULL);
	weir_ckpt_close(&c);
	weir_buf_free(&body);
}

static void
test_fingerprint(void)
{
	char *a[] = { "weir-agg", "-g", ".u", "count", NULL };
	char *b[] = { "weir-agg", "--state", "/x", "-g", ".u", "--name=a",
	    "count", "--reset-state", NULL };
	char *c[] = { "weir-agg", "-g", ".v", "count", NULL };

	CHECK(weir_ckpt_fingerprint(4, a) == weir_ckpt_fingerprint(8, b));
	CHECK(weir_ckpt_fingerprint(4, a) != weir_ckpt_fingerprint(4, c));
}

int
main(void)
{
	char cmd[300];

	if (!mkdtemp(dir))
		return 1;
	test_body();
	test_ckpt();
	test_fingerprint();
	snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
	if (system(cmd) != 0)
		return 1;
	UNIT_DONE();
}
