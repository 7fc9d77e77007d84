/*
 * cli.h - program support for cmd/: the one warn/die helper (prefixed with
 * the program name), the common options, and --on-error handling.
 *
 * This is the only module that prints or exits, and only because a
 * program asked it to: library modules return errors; programs decide.
 */
#ifndef WEIR_CLI_H
#define WEIR_CLI_H

#include "util.h"

extern const char *weir_prog;

void weir_cli_init(const char *argv0);
void weir_warn(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
_Noreturn void weir_die(int status, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
/* Usage error: message, a hint to --help, exit 2. */
_Noreturn void weir_usage_error(const char *fmt, ...)
    __attribute__((format(printf, 1, 2)));
_Noreturn void weir_version(void);
/* The exit status of a library failure (WEIR_FAIL_*, util.h), and the
 * exit for it: its message, then that status (a usage error with the hint
 * to --help). */
int weir_fail_status(int fail);
_Noreturn void weir_die_fail(int fail, const char *err);
/* weir_die_fail with a formatted message (an option's name, then err). */
_Noreturn void weir_die_failf(int fail, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
/* An option's path (weir_path_parse) or path list (weir_path_list, free()
 * the array), or exit: a bad one is a usage error ("OPT: why"), out of
 * memory exits 3. */
struct weir_path;
void weir_cli_path(struct weir_path *p, const char *opt, const char *arg);
char **weir_cli_path_list(const char *opt, const char *arg, size_t *n);
/* The same without the hint: for a bad file, state or configuration
 * rather than a bad command line. */
_Noreturn void weir_die_kind(int fail, const char *err);

/* --on-error fail|skip|FILE|kafka:TOPIC|kafka:BROKERS/TOPIC (dlq.h) */
struct weir_dlq;
struct weir_kafka_opts;
typedef struct weir_onerr {
	int mode;		/* 0 fail, 1 skip, 2 file, 3 kafka */
	int fd;
	uint64_t skipped;
	const char *file;
	struct weir_dlq *dlq;	/* kafka: the dead-letter producer */
} weir_onerr;
enum { WEIR_ONERR_FAIL, WEIR_ONERR_SKIP, WEIR_ONERR_FILE, WEIR_ONERR_KAFKA };
/* A program with -b gives its Kafka options before weir_onerr_parse:
 * kafka:TOPIC then uses its brokers and -X properties. */
void weir_onerr_kafka_opts(const struct weir_kafka_opts *ko);
void weir_onerr_parse(weir_onerr *o, const char *arg);	/* dies on error */
/* Handle one bad input: fail exits WEIR_EXIT_DATA with msg; skip counts;
 * file counts and writes raw (plus a newline if raw lacks one). */
void weir_onerr_bad(weir_onerr *o, const char *msg, const uint8_t *raw,
    size_t rawlen);
/* The same, naming the record it came from (kafka: its key and position,
 * and its value when raw is NULL); src may be NULL. */
struct weir_record;
void weir_onerr_bad_from(weir_onerr *o, const char *msg, const uint8_t *raw,
    size_t rawlen, const struct weir_record *src);
/* The same for a record that was read but could not be processed (a
 * regex past its match limit); FILE gets its value as text (a corrupt
 * packed value exits 1, out of memory 3). */
void weir_onerr_bad_record(weir_onerr *o, const char *msg,
    const struct weir_record *r);
void weir_onerr_report(const weir_onerr *o);	/* "skipped N bad records" */

/* Common options: -h prints usage and exits 0; an unknown option points
 * at --help and exits 2; -i/-f take a format name or exit 2. */
_Noreturn void weir_cli_help(const char *usage);
_Noreturn void weir_cli_bad_option(void);
int weir_cli_infmt(const char *arg);	/* a format weir can read */
int weir_cli_outfmt(const char *arg);	/* a format weir can write */

/*
 * The checkpoint options every stage takes (weir(7), CHECKPOINTS):
 * --state DIR, --name NAME (default: the program name without "weir-")
 * and --reset-state.  Put WEIR_CKPT_LONGOPTS in the program's longopts and
 * pass each option to weir_cli_ckpt_opt first: 1 when it was one of these.
 */
typedef struct weir_ckpt_opts {
	const char *dir;
	const char *name;
	int reset;
} weir_ckpt_opts;
enum { WEIR_O_STATE = 0x1000, WEIR_O_NAME, WEIR_O_RESET_STATE };
#define WEIR_CKPT_LONGOPTS \
	{ "state", required_argument, NULL, WEIR_O_STATE }, \
	{ "name", required_argument, NULL, WEIR_O_NAME }, \
	{ "reset-state", no_argument, NULL, WEIR_O_RESET_STATE }
int weir_cli_ckpt_opt(weir_ckpt_opts *o, int c, const char *arg);
/* The stage name: --name, or the program's name without "weir-". */
const char *weir_cli_ckpt_name(const weir_ckpt_opts *o);

/* Parse a non-negative integer option or die with a usage error. */
long long weir_cli_int(const char *opt, const char *arg, long long min,
    long long max);

#endif
