/* cli.c - warn/die with the program name, common option helpers. */
#include "cli.h"

#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "dlq.h"
#include "fmt.h"
#include "input.h"
#include "io.h"
#include "kafka.h"
#include "record.h"
#include "stats.h"

const char *weir_prog = "weir";

void
weir_cli_init(const char *argv0)
{
	const char *s = argv0 ? strrchr(argv0, '/') : NULL;

	char err[WEIR_ERRSZ];

	weir_prog = s ? s + 1 : argv0 ? argv0 : "weir";
	if (weir_max_record_check(err, sizeof(err)) < 0)
		weir_die(WEIR_EXIT_USAGE, "%s", err);
}

static void
vmsg(const char *fmt, va_list ap)
{
	char buf[2048];
	int n;

	n = snprintf(buf, sizeof(buf), "%s: ", weir_prog);
	if (n < 0)
		return;
	vsnprintf(buf + n, sizeof(buf) - (size_t)n, fmt, ap);
	n = (int)strlen(buf);
	if (n < (int)sizeof(buf) - 1)
		buf[n++] = '\n';
	else
		buf[sizeof(buf) - 2] = '\n';
	(void)weir_write_all(2, buf, (size_t)n);
}

void
weir_warn(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vmsg(fmt, ap);
	va_end(ap);
}

void
weir_die(int status, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vmsg(fmt, ap);
	va_end(ap);
	exit(status);
}

int
weir_fail_status(int fail)
{
	switch (fail) {
	case WEIR_FAIL_DATA:
		return WEIR_EXIT_DATA;
	case WEIR_FAIL_USAGE:
		return WEIR_EXIT_USAGE;
	default:	/* I/O, out of memory */
		return WEIR_EXIT_IO;
	}
}

void
weir_die_kind(int fail, const char *err)
{
	weir_die(weir_fail_status(fail), "%s",
	    fail == WEIR_FAIL_NOMEM ? "out of memory" : err);
}

void
weir_die_fail(int fail, const char *err)
{
	if (fail == WEIR_FAIL_USAGE)
		weir_usage_error("%s", err);
	weir_die_kind(fail, err);
}

void
weir_die_failf(int fail, const char *fmt, ...)
{
	char msg[2 * WEIR_ERRSZ];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	weir_die_fail(fail, msg);
}

void
weir_cli_path(weir_path *p, const char *opt, const char *arg)
{
	char err[WEIR_ERRSZ];
	int rc;

	if ((rc = weir_path_parse(p, arg, err, sizeof(err))) < 0)
		weir_die_failf(rc, "%s: %s", opt, err);
}

char **
weir_cli_path_list(const char *opt, const char *arg, size_t *n)
{
	char err[WEIR_ERRSZ], **items;
	int rc;

	if ((rc = weir_path_list(&items, n, arg, err, sizeof(err))) < 0)
		weir_die_failf(rc, "%s: %s", opt, err);
	return items;
}

void
weir_usage_error(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vmsg(fmt, ap);
	va_end(ap);
	fprintf(stderr, "Try '%s --help' for more information.\n", weir_prog);
	exit(WEIR_EXIT_USAGE);
}

void
weir_version(void)
{
	printf("%s (weir) %s\n", weir_prog, WEIR_VERSION);
	exit(0);
}

static const weir_kafka_opts *onerr_ko;
static weir_dlq *onerr_dlq;	/* flushed at exit */

void
weir_onerr_kafka_opts(const weir_kafka_opts *ko)
{
	onerr_ko = ko;
}

static void
kafka_warn(const char *msg)
{
	weir_warn("kafka: %s", msg);
}

/* Exit without the END path (weir_die, ...): what was dead-lettered is
 * delivered, or the exit status says it was not. */
static void
dlq_atexit(void)
{
	char err[WEIR_ERRSZ];

	if (onerr_dlq && weir_dlq_flush(onerr_dlq, 10000, err,
	    sizeof(err)) < 0) {
		fprintf(stderr, "%s: %s: %s\n", weir_prog,
		    weir_dlq_name(onerr_dlq), err);
		_exit(WEIR_EXIT_IO);
	}
}

static void
onerr_kafka(weir_onerr *o, const char *spec)
{
	static weir_kafka_opts none;
	char err[WEIR_ERRSZ];
	int rc;

	none.timeout_s = 10;
	none.warn = kafka_warn;
	rc = weir_dlq_open(&o->dlq, spec, onerr_ko ? onerr_ko : &none, err,
	    sizeof(err));
	if (rc < 0) {
		if (rc == WEIR_FAIL_USAGE)
			weir_usage_error("%s", err);
		weir_die(weir_fail_status(rc), "--on-error kafka:%s: %s", spec,
		    err);
	}
	o->mode = WEIR_ONERR_KAFKA;
	o->file = weir_dlq_name(o->dlq);
	if (!onerr_dlq)
		atexit(dlq_atexit);
	onerr_dlq = o->dlq;
}

void
weir_onerr_parse(weir_onerr *o, const char *arg)
{
	memset(o, 0, sizeof(*o));
	o->fd = -1;
	if (!strncmp(arg, "kafka:", 6))
		onerr_kafka(o, arg + 6);
	else if (!strcmp(arg, "fail"))
		o->mode = WEIR_ONERR_FAIL;
	else if (!strcmp(arg, "skip"))
		o->mode = WEIR_ONERR_SKIP;
	else {
		o->mode = WEIR_ONERR_FILE;
		o->file = arg;
		o->fd = open(arg, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0666);
		if (o->fd < 0)
			weir_die(WEIR_EXIT_IO, "%s: %s", arg, strerror(errno));
	}
}

void
weir_onerr_bad(weir_onerr *o, const char *msg, const uint8_t *raw,
    size_t rawlen)
{
	weir_onerr_bad_from(o, msg, raw, rawlen, NULL);
}

void
weir_onerr_bad_from(weir_onerr *o, const char *msg, const uint8_t *raw,
    size_t rawlen, const weir_record *src)
{
	char err[WEIR_ERRSZ];

	switch (o->mode) {
	case WEIR_ONERR_FAIL:
		weir_die(WEIR_EXIT_DATA, "%s", msg);
	case WEIR_ONERR_KAFKA:
		if (weir_dlq_send(o->dlq, raw, rawlen, msg, weir_prog, src, err,
		    sizeof(err)) < 0) {
			onerr_dlq = NULL;	/* told once */
			weir_die(WEIR_EXIT_IO, "%s: %s", o->file, err);
		}
		weir_stats_g.dead_lettered++;
		goto count;
	case WEIR_ONERR_FILE:
		if (raw && (weir_write_all(o->fd, raw, rawlen) < 0 ||
		    ((!rawlen || raw[rawlen - 1] != '\n') &&
		    weir_write_all(o->fd, "\n", 1) < 0)))
			weir_die(WEIR_EXIT_IO, "%s: %s", o->file, strerror(errno));
		/* FALLTHROUGH */
	default:
	count:
		o->skipped++;
		weir_stats_g.skipped++;
		if (o->skipped <= 3)
			weir_warn("%s (skipped)", msg);
	}
}

void
weir_onerr_bad_record(weir_onerr *o, const char *msg, const weir_record *r)
{
	static weir_buf text;
	const uint8_t *p = NULL;
	size_t n = 0;
	int rc;

	char err[WEIR_ERRSZ];

	/* The file gets the value as text.  A value a stage passed on
	 * unread was not checked: a corrupt one is a corrupt input stream
	 * (exit 3), as when a stage reads it. */
	if (o->mode != WEIR_ONERR_FILE)
		goto send;
	if (r->enc == WEIR_ENC_PACKED &&
	    weir_pack_validate(r->value, r->value_len, err, sizeof(err)) < 0)
		weir_die(WEIR_EXIT_IO, "%s: corrupt record value: %s", msg, err);
	if ((rc = weir_record_bytes(r, &text, &p, &n)) < 0)
		weir_die_kind(rc, "corrupt record value");
send:
	weir_onerr_bad_from(o, msg, p, n, r);
}

void
weir_onerr_report(const weir_onerr *o)
{
	char err[WEIR_ERRSZ];

	if (o->dlq && weir_dlq_flush(o->dlq, -1, err, sizeof(err)) < 0) {
		onerr_dlq = NULL;	/* told once */
		weir_die(WEIR_EXIT_IO, "%s: %s", o->file, err);
	}
	if (o->skipped)
		weir_warn("skipped %llu bad record%s%s%s",
		    (unsigned long long)o->skipped, o->skipped == 1 ? "" : "s",
		    o->file ? ", written to " : "", o->file ? o->file : "");
}

void
weir_cli_help(const char *usage)
{
	fputs(usage, stdout);
	exit(0);
}

void
weir_cli_bad_option(void)
{
	fprintf(stderr, "Try '%s --help' for more information.\n", weir_prog);
	exit(WEIR_EXIT_USAGE);
}

int
weir_cli_infmt(const char *arg)
{
	int fmt = weir_fmt_parse(arg);

	if (fmt < 0 || fmt == WEIR_FMT_TABLE)
		weir_usage_error("unknown input format '%s'", arg);
	return fmt;
}

int
weir_cli_outfmt(const char *arg)
{
	int fmt = weir_fmt_parse(arg);

	if (fmt < 0)
		weir_usage_error("unknown output format '%s'", arg);
	return fmt;
}

long long
weir_cli_int(const char *opt, const char *arg, long long min, long long max)
{
	char *end;
	long long v;

	errno = 0;
	v = strtoll(arg, &end, 10);
	if (errno || end == arg || *end || v < min || v > max)
		weir_usage_error("%s: '%s' is not a whole number from %lld to %lld",
		    opt, arg, min, max);
	return v;
}

int
weir_cli_ckpt_opt(weir_ckpt_opts *o, int c, const char *arg)
{
	switch (c) {
	case WEIR_O_STATE:
		if (!*arg)
			weir_usage_error("--state: empty directory name");
		o->dir = arg;
		return 1;
	case WEIR_O_NAME:
		if (!*arg || strchr(arg, '/') || !strcmp(arg, ".") ||
		    !strcmp(arg, ".."))
			weir_usage_error("--name: '%s' is not a stage name", arg);
		o->name = arg;
		return 1;
	case WEIR_O_RESET_STATE:
		o->reset = 1;
		return 1;
	}
	return 0;
}

const char *
weir_cli_ckpt_name(const weir_ckpt_opts *o)
{
	if (o->name)
		return o->name;
	return strncmp(weir_prog, "weir-", 5) ? weir_prog : weir_prog + 5;
}
