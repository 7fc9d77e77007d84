/* cli.c - warn/die with the program name, common option helpers. */
#include "cli.h"

#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "fmt.h"
#include "io.h"
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

void
weir_onerr_parse(weir_onerr *o, const char *arg)
{
	memset(o, 0, sizeof(*o));
	o->fd = -1;
	if (!strcmp(arg, "fail"))
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
	switch (o->mode) {
	case WEIR_ONERR_FAIL:
		weir_die(WEIR_EXIT_DATA, "%s", msg);
	case WEIR_ONERR_FILE:
		if (raw && (weir_write_all(o->fd, raw, rawlen) < 0 ||
		    ((!rawlen || raw[rawlen - 1] != '\n') &&
		    weir_write_all(o->fd, "\n", 1) < 0)))
			weir_die(WEIR_EXIT_IO, "%s: %s", o->file, strerror(errno));
		/* FALLTHROUGH */
	default:
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

	if (o->mode == WEIR_ONERR_FILE &&
	    weir_record_bytes(r, &text, &p, &n) < 0)
		weir_die(WEIR_EXIT_IO, "out of memory");
	weir_onerr_bad(o, msg, p, n);
}

void
weir_onerr_report(const weir_onerr *o)
{
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
