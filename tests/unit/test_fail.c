/* test_fail.c - the one error convention: the WEIR_FAIL_* kinds the
 * library returns, their exit statuses, and the exit for each. */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include "cli.h"
#include "csv.h"
#include "expr.h"
#include "json.h"
#include "io.h"
#include "output.h"
#include "pack.h"
#include "path.h"
#include "snap.h"
#include "stage.h"
#include "unit.h"
#include "util.h"

/* The exit status of a child that calls die(kind, "boom"), and whether
 * its stderr held want. */
static int
exit_of(void (*die)(int, const char *), int kind, const char *want,
    int *said)
{
	int pfd[2], st;
	char buf[512];
	ssize_t n;
	pid_t pid;

	fflush(stdout);
	if (pipe(pfd) < 0 || (pid = fork()) < 0)
		return -1;
	if (pid == 0) {
		dup2(pfd[1], 2);
		close(pfd[0]);
		weir_cli_init("weir-test");
		die(kind, "boom");
	}
	close(pfd[1]);
	for (size_t len = 0; ; len += (size_t)n) {
		n = read(pfd[0], buf + len, sizeof(buf) - 1 - len);
		if (n <= 0) {
			buf[len] = 0;
			break;
		}
	}
	close(pfd[0]);
	waitpid(pid, &st, 0);
	*said = strstr(buf, want) != NULL;
	return WIFEXITED(st) ? WEXITSTATUS(st) : -1;
}

/* --on-error FILE with a record whose packed value is corrupt: the value
 * cannot be written to the file; a corrupt input stream (exit 3, as when
 * a stage reads such a value), said so, not out of memory. */
static void
onerr_corrupt_die(int kind, const char *msg)
{
	static const uint8_t bad[] = { 0xff, 0xff, 0xff };
	weir_onerr oe;
	weir_record r;

	(void)kind;
	(void)msg;
	weir_onerr_parse(&oe, "/dev/null");
	memset(&r, 0, sizeof(r));
	r.enc = WEIR_ENC_PACKED;
	r.value = bad;
	r.value_len = sizeof(bad);
	weir_onerr_bad_record(&oe, "a bad record", &r);
	exit(99);
}

/* A source's producer (lib/prog/stage.c) that fails with a kind: the stage
 * exits with the kind's status. */
static int
failing_producer(void *arg, weir_event *ev, char *err, size_t errsz)
{
	(void)ev;
	snprintf(err, errsz, "boom");
	return *(int *)arg;
}

static void
stage_die(int kind, const char *msg)
{
	static weir_stage st;
	static int k;
	weir_event ev;

	(void)msg;
	k = kind;
	weir_stage_open_producer(&st, failing_producer, &k);
	weir_stage_next(&st, &ev);
	exit(99);
}

/* The sanitizers reserve terabytes of address space: no RLIMIT_AS. */
#if defined(__SANITIZE_ADDRESS__)
#define NO_RLIMIT 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define NO_RLIMIT 1
#endif
#endif

/* What fn(arg) returns (a small count or a kind) in a child whose address
 * space is what it uses now and mb MB more, so a big allocation fails. */
static int
low_memory(int (*fn)(void *), void *arg, unsigned mb)
{
	unsigned long pages = 0;
	struct rlimit rl;
	FILE *f;
	pid_t pid;
	int st, rc;

	fflush(stdout);
	if ((pid = fork()) < 0)
		return 999;
	if (pid == 0) {
		if (!(f = fopen("/proc/self/statm", "r")) ||
		    fscanf(f, "%lu", &pages) != 1)
			_exit(99);
		fclose(f);
		rl.rlim_cur = rl.rlim_max = pages *
		    (unsigned long)sysconf(_SC_PAGESIZE) + ((unsigned long)mb << 20);
		if (setrlimit(RLIMIT_AS, &rl) < 0)
			_exit(99);
		rc = fn(arg);
		_exit(rc < 0 ? 100 - rc : rc);
	}
	waitpid(pid, &st, 0);
	if (!WIFEXITED(st))
		return 999;
	return WEXITSTATUS(st) >= 100 ? 100 - WEXITSTATUS(st) :
	    WEXITSTATUS(st);
}

static char *big;	/* a 16 MB JSON string: "aaa...a", NUL-ended */
#define BIG (16u << 20)

static int
pack_big(void *arg)
{
	weir_buf b = { 0 };
	char err[128];
	int rc = weir_pack_json(&b, (const uint8_t *)big, BIG, err,
	    sizeof(err));

	(void)arg;
	return rc == WEIR_FAIL_NOMEM && !strcmp(err, "out of memory") ?
	    rc : 98;
}

static int
pack_str_big(void *arg)
{
	weir_buf b = { 0 };

	(void)arg;
	return weir_pack_str(&b, big + 1, BIG - 2);
}

/* Fill from /dev/zero until the buffer would pass 64 MB. */
static int
fill_big(void *arg)
{
	weir_reader r;
	long n;
	int fd = open("/dev/zero", O_RDONLY);

	(void)arg;
	if (fd < 0 || weir_reader_init(&r, fd, 64u << 20) < 0)
		return 98;
	while ((n = weir_reader_fill(&r, 1)) > 0)
		;
	return (int)n;
}

static int
read_file_big(void *arg)
{
	weir_buf b = { 0 };
	char err[128];

	(void)arg;
	return weir_read_file("/dev/zero", &b, 64u << 20, err, sizeof(err));
}

/* An expression that is one 16 MB string: the copy fits, its unescaped
 * value does not; once without room for the copy. */
static int
compile_big(void *arg)
{
	weir_expr *e;
	char err[128];
	int rc = weir_expr_compile(&e, big, err, sizeof(err), NULL);

	(void)arg;
	return rc == WEIR_FAIL_NOMEM && !e && !strcmp(err, "out of memory") ?
	    rc : 98;
}

/* A path .aaa...a of 16 MB: its copy fits in 22 MB, its step does not. */
static char *bigpath;

static int
path_big(void *arg)
{
	weir_path p;
	char err[128];
	int rc = weir_path_parse(&p, bigpath, err, sizeof(err));

	(void)arg;
	return rc == WEIR_FAIL_NOMEM && !strcmp(err, "out of memory") ? rc : 98;
}

static int
unescape_big(void *arg)
{
	weir_buf b = { 0 };

	(void)arg;
	return weir_json_unescape(&b, (const uint8_t *)big, BIG);
}

static weir_buf packed;	/* big, packed: a 16 MB string */

/* A record whose JSON needs 16 MB more, twice: memory, and it stays. */
static int
output_big(void *arg)
{
	weir_output *o = weir_output_open(*(int *)arg, WEIR_FMT_NDJSON, NULL);
	weir_record r = { 0 };

	if (!o)
		return 98;
	weir_record_set_packed(&r, &packed);
	if (weir_output_record(o, &r) != WEIR_FAIL_NOMEM ||
	    strcmp(weir_output_error(o), "out of memory"))
		return 97;
	return weir_output_end(o);
}

/* Reading, packing, writing: out of memory is WEIR_FAIL_NOMEM, never bad
 * data (exit 1) or an I/O error with a made-up reason. */
static void
nomem_kinds(void)
{
	weir_buf b = { 0 };
	char err[128];
	int devnull = open("/dev/null", O_WRONLY);

	big = malloc(BIG + 1);
	if (!big)
		return;
	memset(big, 'a', BIG);
	big[0] = big[BIG - 1] = '"';
	big[BIG] = 0;
	CHECK(weir_pack_json(&b, (const uint8_t *)"[1,", 3, err, sizeof(err))
	    == WEIR_FAIL_DATA && strstr(err, "column 4"));
	CHECK(weir_pack_str(&b, "\xff", 1) == WEIR_FAIL_DATA);
	CHECK(weir_json_unescape(&b, (const uint8_t *)"a\\q", 3) ==
	    WEIR_FAIL_DATA);
	{
		weir_path p;

		CHECK(weir_path_parse(&p, ".a..b", err, sizeof(err)) ==
		    WEIR_FAIL_USAGE && strstr(err, "bad path"));
		CHECK(weir_path_parse(&p, "a", err, sizeof(err)) ==
		    WEIR_FAIL_USAGE);
	}
	CHECK(weir_read_file("/nonexistent/x", &b, 10, err, sizeof(err)) ==
	    WEIR_FAIL_IO && errno == ENOENT);
	CHECK(weir_read_file("/dev/zero", &b, 1000, err, sizeof(err)) ==
	    WEIR_FAIL_IO && errno == EFBIG && strstr(err, "larger than"));
	weir_buf_free(&b);
	CHECK(weir_pack_str(&packed, big + 1, BIG - 2) == 0);
	/* over the record limit as a frame: a bad record, not usage */
	{
		weir_output *o = weir_output_open(devnull, WEIR_FMT_FRAMED, NULL);
		weir_record r = { 0 };

		weir_record_set_packed(&r, &packed);
		CHECK(o && weir_output_record(o, &r) == WEIR_FAIL_DATA &&
		    strstr(weir_output_error(o), "record limit"));
		CHECK(o && weir_output_end(o) == 0);
		weir_output_close(o);
	}
#ifndef NO_RLIMIT
	CHECK(low_memory(pack_big, NULL, 2) == WEIR_FAIL_NOMEM);
	CHECK(low_memory(pack_str_big, NULL, 2) == WEIR_FAIL_NOMEM);
	CHECK(low_memory(fill_big, NULL, 2) == WEIR_FAIL_NOMEM);
	CHECK(low_memory(read_file_big, NULL, 2) == WEIR_FAIL_NOMEM);
	CHECK(low_memory(output_big, &devnull, 2) == WEIR_FAIL_NOMEM);
	CHECK(low_memory(compile_big, NULL, 2) == WEIR_FAIL_NOMEM);
	CHECK(low_memory(compile_big, NULL, 22) == WEIR_FAIL_NOMEM);
	CHECK(low_memory(unescape_big, NULL, 2) == WEIR_FAIL_NOMEM);
	if ((bigpath = strdup(big))) {
		bigpath[0] = '.';
		bigpath[BIG - 1] = 'a';
		CHECK(low_memory(path_big, NULL, 2) == WEIR_FAIL_NOMEM);
		CHECK(low_memory(path_big, NULL, 22) == WEIR_FAIL_NOMEM);
		free(bigpath);
	}
#endif
	close(devnull);
	weir_buf_free(&packed);
	free(big);
}

/* CSV: bad quoting and bad rows are data, an incomplete record no
 * failure at all. */
static void
csv_kinds(void)
{
	weir_csv c = { 0 };
	weir_buf out = { 0 };
	size_t used = 99;
	uint64_t lines;
	char why[128];
	const uint8_t *bad = (const uint8_t *)"\"a\"b,c\n";
	const uint8_t *part = (const uint8_t *)"a,\"b";
	const uint8_t *hdr = (const uint8_t *)"a,\xff\n";

	CHECK(weir_csv_split(&c, bad, strlen((const char *)bad), 0, &used,
	    &lines) == WEIR_FAIL_DATA);
	CHECK(weir_csv_split(&c, part, strlen((const char *)part), 0, &used,
	    &lines) == 0 && used == 0);
	CHECK(weir_csv_split(&c, part, strlen((const char *)part), 1, &used,
	    &lines) == WEIR_FAIL_DATA);
	CHECK(weir_csv_split(&c, hdr, strlen((const char *)hdr), 0, &used,
	    &lines) == 2 && used == 4);
	CHECK(weir_csv_set_header(&c, 2) == WEIR_FAIL_DATA);
	CHECK(weir_csv_split(&c, hdr, 1, 1, &used, &lines) == 1);
	CHECK(weir_csv_set_header(&c, 1) == 0);
	CHECK(weir_csv_split(&c, (const uint8_t *)"1,2\n", 4, 0, &used,
	    &lines) == 2);
	CHECK(weir_csv_row(&c, 2, &out, why, sizeof(why)) == WEIR_FAIL_DATA);
	weir_buf_free(&out);
	weir_csv_free(&c);
}

/* An expression whose regex hits its match limit: bad data (the record
 * is bad, for --on-error), not a usage error, in eval and test alike. */
static void
expr_kinds(void)
{
	char err[256], json[6000];
	weir_buf b = { 0 };
	weir_expr *e;
	weir_expr_ctx ctx;
	weir_pv root;
	weir_xv v;
	int n;

	n = snprintf(json, sizeof(json), "{\"s\":\"");
	memset(json + n, 'a', 5000);
	snprintf(json + n + 5000, sizeof(json) - (size_t)n - 5000, "b\"}");
	CHECK(weir_expr_compile(&e, ".a >", err, sizeof(err), NULL) ==
	    WEIR_FAIL_USAGE && !e);
	CHECK(weir_expr_compile(&e, "matches(.s, \"(\")", err, sizeof(err),
	    NULL) == WEIR_FAIL_USAGE && strstr(err, "bad regex"));
	CHECK(weir_expr_compile(&e, "matches(.s, \"^(a*)*\\\\1$\")", err,
	    sizeof(err), NULL) == 0);
	CHECK(e != NULL);
	if (!e)
		return;
	CHECK(weir_pack_json(&b, (const uint8_t *)json, strlen(json), err,
	    sizeof(err)) == 0);
	weir_pv_of(b.p, b.len, &root);
	memset(&ctx, 0, sizeof(ctx));
	ctx.root = &root;
	CHECK(weir_expr_eval(e, &ctx, &v) == WEIR_FAIL_DATA);
	CHECK(strstr(weir_expr_error(e), "match limit") != NULL);
	CHECK(weir_expr_test(e, &ctx) == WEIR_FAIL_DATA);
	weir_expr_free(e);
	weir_buf_free(&b);
}

int
main(void)
{
	int said;

	/* distinct negative kinds, never a success */
	CHECK(WEIR_FAIL_DATA < 0 && WEIR_FAIL_USAGE < 0 && WEIR_FAIL_IO < 0 &&
	    WEIR_FAIL_NOMEM < 0);
	CHECK(WEIR_FAIL_DATA != WEIR_FAIL_USAGE &&
	    WEIR_FAIL_USAGE != WEIR_FAIL_IO &&
	    WEIR_FAIL_IO != WEIR_FAIL_NOMEM &&
	    WEIR_FAIL_DATA != WEIR_FAIL_NOMEM);
	/* the mapping to exit statuses, weir(7) EXIT STATUS */
	CHECK(weir_fail_status(WEIR_FAIL_DATA) == WEIR_EXIT_DATA);
	CHECK(weir_fail_status(WEIR_FAIL_USAGE) == WEIR_EXIT_USAGE);
	CHECK(weir_fail_status(WEIR_FAIL_IO) == WEIR_EXIT_IO);
	CHECK(weir_fail_status(WEIR_FAIL_NOMEM) == WEIR_EXIT_IO);
	/* the snapshot module's kinds are the same kinds */
	CHECK(weir_fail_status(WEIR_SNAP_EBAD) == WEIR_EXIT_USAGE);
	CHECK(weir_fail_status(WEIR_SNAP_EIO) == WEIR_EXIT_IO);
	CHECK(weir_fail_status(WEIR_SNAP_ENOMEM) == WEIR_EXIT_IO);

	/* the exits: message, status; out of memory says so */
	CHECK(exit_of(weir_die_fail, WEIR_FAIL_DATA, "weir-test: boom",
	    &said) == 1 && said);
	CHECK(exit_of(weir_die_fail, WEIR_FAIL_USAGE, "--help", &said) == 2 &&
	    said);
	CHECK(exit_of(weir_die_kind, WEIR_FAIL_USAGE, "--help", &said) == 2 &&
	    !said);
	CHECK(exit_of(weir_die_fail, WEIR_FAIL_IO, "boom", &said) == 3 && said);
	CHECK(exit_of(weir_die_fail, WEIR_FAIL_NOMEM, "out of memory",
	    &said) == 3 && said);
	CHECK(exit_of(weir_die_kind, WEIR_FAIL_NOMEM, "boom", &said) == 3 &&
	    !said);
	CHECK(exit_of(stage_die, WEIR_FAIL_NOMEM, "boom", &said) == 3 && said);
	CHECK(exit_of(stage_die, WEIR_FAIL_USAGE, "boom", &said) == 2 && said);
	CHECK(exit_of(stage_die, WEIR_FAIL_DATA, "boom", &said) == 1 && said);
	CHECK(exit_of(onerr_corrupt_die, 0, "corrupt record value", &said) ==
	    WEIR_EXIT_IO && said);
	csv_kinds();
	expr_kinds();
	nomem_kinds();
	UNIT_DONE();
}
