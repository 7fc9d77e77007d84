/*
 * weir-join - join the stream on stdin (the left side) with a table (a
 * changelog: latest value per key) or with a second stream (interval and
 * window joins), read from a file, a FIFO or an inherited descriptor.
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include <jansson.h>

#include "cli.h"
#include "dur.h"
#include "join.h"
#include "output.h"
#include "stage.h"

static const char usage[] =
"usage: weir-join --table SOURCE [options]\n"
"       weir-join --right SOURCE --within DUR [options]\n"
"       weir-join --right SOURCE --before DUR --after DUR [options]\n"
"       weir-join --right SOURCE --between FROM,UNTIL [options]\n"
"       weir-join --right SOURCE --window [options]\n"
"\n"
"Join the stream on stdin (left) with a table or a second stream.\n"
"SOURCE is a file, a FIFO, or fd:N (an inherited descriptor); frames or\n"
"text (NDJSON unless --right-format says otherwise).\n"
"\n"
"  -t, --table SOURCE     stream-table join: SOURCE is a changelog, each\n"
"                         record upserts its key, a null value deletes it\n"
"  -r, --right SOURCE     stream-stream join with SOURCE (right)\n"
"  -w, --within DUR       interval join: |right.ts - left.ts| <= DUR\n"
"      --before DUR       interval join: right.ts >= left.ts - DUR\n"
"      --after DUR        interval join: right.ts <= left.ts + DUR\n"
"      --between FROM,UNTIL  interval join: left.FROM <= right.ts <=\n"
"                         left.UNTIL (fields; --before and --after, default\n"
"                         0 and unbounded, still bound them)\n"
"      --window           window join: same key, same window (the input of\n"
"                         both sides comes out of weir-window)\n"
"  -o, --on LPATH[=RPATH] join on fields (repeat for a composite key);\n"
"                         default: the record key\n"
"  -T, --type TYPE        inner (default), left, or outer (streams only)\n"
"  -p, --prefix STR       prefix the right field names with STR\n"
"  -a, --as NAME          nest the right value under field NAME\n"
"  -i, --input-format F   how to read text on stdin (default ndjson)\n"
"  -I, --right-format F   how to read a text table or right side\n"
"      --table-wait DUR   wait at most DUR (default 10s) for a streaming\n"
"                         table to end or send a watermark before joining\n"
"      --on-error MODE    fail (default), skip, or a FILE for bad records\n"
"      --state DIR        keep checkpoints of the join state in DIR\n"
"      --name NAME        the stage's name in DIR (default: join)\n"
"      --reset-state      start with an empty state\n"
"  -h, --help             this help\n"
"      --version          print the version\n"
"\n"
"Exit status: 0 ok, 1 bad input data, 2 usage, 3 I/O failure or\n"
"upstream ended without END.  See weir-join(1).\n";

enum { O_BEFORE = 256, O_AFTER, O_WINDOW, O_ONERR, O_VERSION, O_TABLEWAIT,
    O_BETWEEN };

static const struct option longopts[] = {
	{ "table", required_argument, NULL, 't' },
	{ "right", required_argument, NULL, 'r' },
	{ "within", required_argument, NULL, 'w' },
	{ "before", required_argument, NULL, O_BEFORE },
	{ "after", required_argument, NULL, O_AFTER },
	{ "between", required_argument, NULL, O_BETWEEN },
	{ "window", no_argument, NULL, O_WINDOW },
	{ "on", required_argument, NULL, 'o' },
	{ "type", required_argument, NULL, 'T' },
	{ "prefix", required_argument, NULL, 'p' },
	{ "as", required_argument, NULL, 'a' },
	{ "input-format", required_argument, NULL, 'i' },
	{ "right-format", required_argument, NULL, 'I' },
	{ "on-error", required_argument, NULL, O_ONERR },
	{ "table-wait", required_argument, NULL, O_TABLEWAIT },
	{ "help", no_argument, NULL, 'h' },
	{ "version", no_argument, NULL, O_VERSION },
	WEIR_CKPT_LONGOPTS,
	{ NULL, 0, NULL, 0 }
};

#define BATCH 1024

static weir_stage st;
static weir_input *side_in[2];
static int ended[2];
static int caught_up[2];	/* a watermark or barrier seen on the side */
static weir_join *J;
static int64_t out_wm = INT64_MIN;
static int64_t side_wm[2] = { INT64_MIN, INT64_MIN };
static weir_buf scratch, envbuf;

/*
 * Aligned barriers: a side that delivered barrier N is not read again
 * until N came from the other side too (or it ended); then the state is
 * saved and one barrier N goes out, its payload the union of both sides'
 * (the last one of a side that ended).
 */
static int waiting[2];		/* the side delivered barrier wait_id */
static uint64_t wait_id, last_id, nforwarded;
static int have_last;		/* last_id is the barrier forwarded last */
static weir_buf side_pay[2];	/* each side's latest barrier payload */
static int table_file;		/* --table is a regular file, read whole */
static int restored;		/* the state came from a snapshot */

static void
emit_cb(void *arg, const weir_record *r)
{
	weir_stage_emit(&st, r);
}

static void
notice_cb(void *arg, const char *msg)
{
	weir_warn("%s", msg);
}

static void
forward_watermark(void)
{
	int64_t w = weir_join_out_watermark(J);

	if (w > out_wm && w != INT64_MAX) {
		out_wm = w;
		weir_stage_watermark(&st, w);
	}
}

/* A library failure: what was joined so far goes out first. */
static void
die_fail(int rc, const char *err)
{
	weir_stage_check_output(st.out, weir_output_flush(st.out));
	weir_die_fail(rc, err);
}

static void
nomem(void)
{
	die_fail(WEIR_FAIL_NOMEM, NULL);
}

/* A record the join refused: --on-error gets it as an envelope line. */
static void
bad_record(int side, const weir_record *r, const char *why)
{
	weir_input *in = side_in[side];
	char msg[WEIR_ERRSZ + 300];

	if (weir_input_line(in))
		snprintf(msg, sizeof(msg), "%s:%llu: %s", weir_input_name(in),
		    (unsigned long long)weir_input_line(in), why);
	else
		snprintf(msg, sizeof(msg), "%s: at byte %llu: %s",
		    weir_input_name(in),
		    (unsigned long long)weir_input_bytes(in), why);
	envbuf.len = 0;
	if (weir_envelope_put(&envbuf, r, &scratch) < 0)
		envbuf.len = 0;
	weir_onerr_bad(&st.onerr, msg, envbuf.p, envbuf.len);
}

static const char *
side_name(int side)
{
	return side ? "right input" : "left input (stdin)";
}

/* The union of the JSON objects the aligned sides carried into out. */
static void
merge_payloads(weir_buf *out)
{
	json_t *all, *o;
	json_error_t je;
	char *text;
	int s, n = 0, only = 0;

	out->len = 0;
	for (s = 0; s < 2; s++)
		if ((waiting[s] || ended[s]) && side_pay[s].len) {
			n++;
			only = s;
		}
	if (n < 2) {	/* one payload (or none): as it came */
		if (n && weir_buf_put(out, side_pay[only].p,
		    side_pay[only].len) < 0)
			nomem();
		return;
	}
	if (!(all = json_object()))
		nomem();
	for (s = 0; s < 2; s++) {
		o = json_loadb((const char *)side_pay[s].p, side_pay[s].len, 0,
		    &je);
		if (!o || !json_is_object(o)) {
			weir_stage_check_output(st.out, weir_output_flush(st.out));
			weir_die(WEIR_EXIT_IO, "%s: barrier %llu: the payload is "
			    "not a JSON object (%s)", side_name(s),
			    (unsigned long long)wait_id, o ? "another value" :
			    je.text);
		}
		if (json_object_update_missing(all, o) < 0)
			nomem();
		json_decref(o);
	}
	if (!(text = json_dumps(all, JSON_COMPACT)) ||
	    weir_buf_puts(out, text) < 0)
		nomem();
	free(text);
	json_decref(all);
}

/* Forward the pending barrier once every side that has not ended has
 * delivered it, after saving the state for it. */
static void
try_align(void)
{
	weir_buf pay = {0};
	int s;

	if (!waiting[0] && !waiting[1])
		return;
	for (s = 0; s < 2; s++)
		if (!waiting[s] && !ended[s])
			return;
	merge_payloads(&pay);
	if (st.ckpt)
		weir_stage_save(&st, wait_id);
	weir_stage_barrier_out(&st, wait_id, pay.p, pay.len);
	weir_buf_free(&pay);
	waiting[0] = waiting[1] = 0;
	last_id = wait_id;
	have_last = 1;
	nforwarded++;
}

static void
barrier_in(int side, const weir_event *ev)
{
	const char *why = NULL;

	if (side == 1 && table_file)
		return;		/* a table file is read whole at the start */
	if (waiting[!side] && ev->barrier != wait_id)
		why = "the other input delivered barrier";
	else if (!waiting[!side] && have_last && ev->barrier != last_id + 1)
		why = "the barrier before it was";
	if (why) {
		weir_stage_check_output(st.out, weir_output_flush(st.out));
		weir_die(WEIR_EXIT_IO, "%s: barrier %llu out of order (%s %llu): "
		    "checkpoint ids must rise by one on both inputs",
		    side_name(side), (unsigned long long)ev->barrier, why,
		    (unsigned long long)(waiting[!side] ? wait_id : last_id));
	}
	side_pay[side].len = 0;
	if (weir_buf_put(&side_pay[side], ev->payload, ev->payload_len) < 0)
		nomem();
	waiting[side] = 1;
	wait_id = ev->barrier;
	try_align();
}

/* Checkpoints: the program's own variables, then the join. */
static int
state_save(void *arg, weir_buf *out, char *err, size_t errsz)
{
	int s;

	if (weir_sw_i64(out, out_wm) < 0)
		goto nomem;
	for (s = 0; s < 2; s++)
		if (weir_sw_i64(out, side_wm[s]) < 0 ||
		    weir_sw_u64(out, (uint64_t)ended[s]) < 0 ||
		    weir_sw_u64(out, (uint64_t)caught_up[s]) < 0 ||
		    weir_sw_bytes(out, side_pay[s].p, side_pay[s].len) < 0)
			goto nomem;
	if (weir_join_save(J, out) < 0)
		goto nomem;
	return 0;
nomem:
	weir_seterr(err, errsz, "out of memory");
	return -1;
}

static int
state_load(void *arg, weir_rd *rd, char *err, size_t errsz)
{
	const uint8_t *p;
	size_t n;
	uint64_t e, c;
	int s;

	out_wm = weir_rd_i64(rd);
	for (s = 0; s < 2; s++) {
		side_wm[s] = weir_rd_i64(rd);
		e = weir_rd_u64(rd);
		c = weir_rd_u64(rd);
		p = weir_rd_bytes(rd, &n);
		if (rd->bad || e > 1 || c > 1) {
			weir_seterr(err, errsz, "malformed state");
			return -1;
		}
		ended[s] = (int)e;
		caught_up[s] = (int)c;
		side_pay[s].len = 0;
		if (weir_buf_put(&side_pay[s], p, n) < 0) {
			weir_seterr(err, errsz, "out of memory");
			return WEIR_FAIL_NOMEM;
		}
	}
	restored = 1;
	return weir_join_load(J, rd, err, errsz);
}

/* One event from a side: 0 go on, 1 the side ended, 2 nothing ready. */
static int
step(int side, int block)
{
	weir_event ev;
	char err[WEIR_ERRSZ];
	int rc;

	if (!weir_stage_next_in(&st, side, &ev, block))
		return 2;
	switch (ev.type) {
	case WEIR_EV_RECORD:
		rc = weir_join_record(J, side, &ev.rec, err, sizeof(err));
		if (rc == WEIR_FAIL_DATA)
			bad_record(side, &ev.rec, err);
		else if (rc < 0)
			die_fail(rc, err);
		return 0;
	case WEIR_EV_WATERMARK:
		caught_up[side] = 1;
		if (ev.wm > side_wm[side])
			side_wm[side] = ev.wm;
		if (weir_join_watermark(J, side, ev.wm) < 0)
			nomem();
		forward_watermark();
		return 0;
	case WEIR_EV_BARRIER:
		caught_up[side] = 1;
		barrier_in(side, &ev);
		return 0;
	default:	/* END, EOF */
		ended[side] = 1;
		side_wm[side] = INT64_MAX;
		if (weir_join_end(J, side) < 0)
			nomem();
		forward_watermark();
		try_align();
		return 1;
	}
}

/* Up to max events from a side; 1 if it made progress.  It stops after
 * a barrier went out, so the loop starts over with the side it prefers
 * (a table's updates first), as a run restored at that barrier does. */
static int
drain(int side, int max)
{
	uint64_t before = nforwarded;
	int n, rc;

	for (n = 0; n < max && !ended[side] && !waiting[side]; n++) {
		rc = step(side, 0);
		if (rc == 2 || nforwarded != before)
			break;
	}
	return n > 0;
}

static int
open_source(const char *src)
{
	int fd;

	if (!strncmp(src, "fd:", 3)) {
		fd = (int)weir_cli_int("fd:", src + 3, 0, 1 << 20);
		if (fd == 0 || fd == 1)
			weir_usage_error("%s: stdin and stdout are the left "
			    "stream and the output", src);
		if (fcntl(fd, F_GETFD) < 0)
			weir_die(WEIR_EXIT_IO, "%s: %s", src, strerror(errno));
		return fd;
	}
	fd = open(src, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		weir_die(WEIR_EXIT_IO, "%s: %s", src, strerror(errno));
	return fd;
}

static int64_t
dur_opt(const char *opt, const char *arg)
{
	int64_t ms;
	char err[WEIR_ERRSZ];

	if (weir_dur_parse(arg, &ms, err, sizeof(err)) < 0)
		weir_usage_error("%s: %s", opt, err);
	return ms;
}

/* --on LPATH[=RPATH] */
static void
add_on(weir_path **l, weir_path **r, size_t *n, const char *arg)
{
	const char *eq = strchr(arg, '=');
	char *lp;

	*l = realloc(*l, (*n + 1) * sizeof(**l));
	*r = realloc(*r, (*n + 1) * sizeof(**r));
	/* a copy: argv stays as given (ps shows the command as typed) */
	lp = eq ? strndup(arg, (size_t)(eq - arg)) : strdup(arg);
	if (!*l || !*r || !lp)
		weir_die(WEIR_EXIT_IO, "out of memory");
	weir_cli_path(&(*l)[*n], "--on", lp);
	weir_cli_path(&(*r)[*n], "--on", eq ? eq + 1 : arg);
	free(lp);
	(*n)++;
}

/* --between FROM,UNTIL: two paths of the left record. */
static void
between_paths(weir_join_spec *sp, const char *arg)
{
	static weir_path p[2];
	char **list;
	size_t n;

	list = weir_cli_path_list("--between", arg, &n);
	if (n != 2)
		weir_usage_error("--between takes two fields: FROM,UNTIL");
	weir_cli_path(&p[0], "--between", list[0]);
	weir_cli_path(&p[1], "--between", list[1]);
	free(list);
	sp->from = &p[0];
	sp->until = &p[1];
}

static int
side_fds(struct pollfd *p)
{
	int n = 0, s;

	for (s = 0; s < 2; s++) {
		if (ended[s] || waiting[s])
			continue;
		p[n].fd = weir_input_fd(side_in[s]);
		p[n].events = POLLIN;
		p[n].revents = 0;
		n++;
	}
	return n;
}

/*
 * The table is loaded before the first left record is joined: a file
 * whole; a frame stream until it ends or marks that it has caught up with
 * its first watermark or barrier (weir-source --max-delay emits one when
 * its input pauses), waiting at most wait_ms; a text stream, which has no
 * way to say so, is applied as it comes.
 */
static void
load_table(int fd, int64_t wait_ms)
{
	struct stat sb;
	struct pollfd p = { .fd = fd, .events = POLLIN };
	int64_t deadline = weir_mono_ms() + wait_ms, left;

	if (fstat(fd, &sb) == 0 && S_ISREG(sb.st_mode)) {
		table_file = 1;
		while (!ended[1])
			step(1, 1);
		return;
	}
	while (!ended[1] && !caught_up[1] && !waiting[1]) {
		int fmt = weir_input_format(side_in[1]);
		if (fmt && fmt != WEIR_FMT_FRAMED)
			return;
		if (step(1, 0) != 2)
			continue;
		left = deadline - weir_mono_ms();
		if (left <= 0) {
			weir_warn("%s: the table stream has not ended or sent a "
			    "watermark in %lld ms; joining with what has arrived",
			    weir_input_name(side_in[1]), (long long)wait_ms);
			return;
		}
		if (poll(&p, 1, left > INT32_MAX ? INT32_MAX : (int)left) < 0 &&
		    errno == EINTR)
			weir_stage_signal(&st);
	}
}

int
main(int argc, char **argv)
{
	weir_join_spec sp;
	weir_join_stats jst;
	weir_ckpt_opts ck = { 0 };
	static const weir_state_ops ops = { state_save, state_load, NULL, 0 };
	const char *table = NULL, *right = NULL, *onerr = "fail";
	int c, infmt = WEIR_FMT_AUTO, rfmt = WEIR_FMT_AUTO, rfd, window = 0;
	int have_before = 0, have_after = 0, have_within = 0, turn = 0, busy;
	weir_path *lp = NULL, *rp = NULL;
	size_t nkeys = 0;
	struct pollfd pfd[2];
	char err[WEIR_ERRSZ];
	int64_t table_wait = 10000;

	memset(&sp, 0, sizeof(sp));
	weir_cli_init(argv[0]);
	while ((c = getopt_long(argc, argv, "t:r:w:o:T:p:a:i:I:h", longopts,
	    NULL)) != -1) {
		if (weir_cli_ckpt_opt(&ck, c, optarg))
			continue;
		switch (c) {
		case 't':
			table = optarg;
			break;
		case 'r':
			right = optarg;
			break;
		case O_TABLEWAIT:
			table_wait = dur_opt("--table-wait", optarg);
			break;
		case 'w':
			sp.before = sp.after = dur_opt("--within", optarg);
			have_within = 1;
			break;
		case O_BEFORE:
			sp.before = dur_opt("--before", optarg);
			have_before = 1;
			break;
		case O_AFTER:
			sp.after = dur_opt("--after", optarg);
			have_after = 1;
			break;
		case O_WINDOW:
			window = 1;
			break;
		case O_BETWEEN:
			between_paths(&sp, optarg);
			break;
		case 'o':
			add_on(&lp, &rp, &nkeys, optarg);
			break;
		case 'T':
			if (!strcmp(optarg, "inner"))
				sp.type = WEIR_JOIN_INNER;
			else if (!strcmp(optarg, "left"))
				sp.type = WEIR_JOIN_LEFT;
			else if (!strcmp(optarg, "outer") || !strcmp(optarg, "full"))
				sp.type = WEIR_JOIN_OUTER;
			else
				weir_usage_error("unknown join type '%s' (inner, "
				    "left or outer)", optarg);
			break;
		case 'p':
			sp.prefix = optarg;
			break;
		case 'a':
			sp.as = optarg;
			break;
		case 'i':
		case 'I':
			*(c == 'i' ? &infmt : &rfmt) = weir_cli_infmt(optarg);
			break;
		case O_ONERR:
			onerr = optarg;
			break;
		case 'h':
			weir_cli_help(usage);
		case O_VERSION:
			weir_version();
		default:
			weir_cli_bad_option();
		}
	}
	if (optind < argc)
		weir_usage_error("unexpected argument '%s' (the left stream is "
		    "stdin)", argv[optind]);
	if (!table == !right)
		weir_usage_error("give one of --table SOURCE or --right SOURCE");
	if (sp.prefix && sp.as)
		weir_usage_error("--prefix and --as do not go together");
	if (table) {
		if (have_within || have_before || have_after || window ||
		    sp.from)
			weir_usage_error("--within, --before, --after, --between "
			    "and --window go with --right");
		if (sp.type == WEIR_JOIN_OUTER)
			weir_usage_error("a stream-table join is inner or left");
		sp.mode = WEIR_JOIN_TABLE;
	} else if (window) {
		if (have_within || have_before || have_after || sp.from)
			weir_usage_error("--window joins by window, not interval");
		sp.mode = WEIR_JOIN_WINDOW;
	} else {
		if (have_within && (have_before || have_after || sp.from))
			weir_usage_error("give --within, or --before and --after");
		if (sp.from && !have_before)
			sp.before = 0;
		if (sp.from && !have_after) {
			if (sp.type != WEIR_JOIN_INNER)
				weir_usage_error("a left or outer join with "
				    "--between needs --after DUR (the longest "
				    "UNTIL - time): its unmatched records are "
				    "written that late");
			sp.after = INT64_MAX;
		}
		if (!have_within && !sp.from && !(have_before && have_after))
			weir_usage_error("--right needs --within DUR, --before DUR "
			    "--after DUR, or --window");
		sp.mode = WEIR_JOIN_INTERVAL;
	}
	sp.nkeys = nkeys;
	sp.lpaths = lp;
	sp.rpaths = rp;
	sp.emit = emit_cb;
	sp.notice = notice_cb;

	rfd = open_source(table ? table : right);
	weir_stage_open(&st, infmt, WEIR_FMT_AUTO, NULL, onerr);
	side_in[0] = st.in;
	side_in[1] = weir_input_open(rfd, rfmt, table ? table : right);
	J = weir_join_new(&sp, err, sizeof(err));
	if (!side_in[1] || !J)
		weir_die(WEIR_EXIT_IO, "out of memory");
	weir_stage_add_input(&st, side_in[1]);
	weir_stage_checkpoint(&st, &ck, argc, argv, &ops);
	if (ck.dir && right)	/* a stream from a checkpointed stage */
		weir_input_require_frames(side_in[1]);
	if (restored) {
		/* the sources resume after the committed barrier */
		last_id = st.ckpt->commit.id;
		have_last = 1;
	}

	if (table && !(restored && ended[1]))
		load_table(rfd, table_wait);
	else if (table)
		table_file = 1;	/* read before: its rows are in the snapshot */

	while (!ended[0] || (!table && !ended[1])) {
		if (table) {
			/* table updates first: they apply before later records */
			busy = drain(1, INT32_MAX);
			busy |= drain(0, BATCH);
		} else {
			/* the side holding the combined watermark back goes
			 * first, so buffers stay bounded by the interval */
			int first = side_wm[0] < side_wm[1] ? 0 :
			    side_wm[1] < side_wm[0] ? 1 : (turn ^= 1);
			busy = drain(first, BATCH);
			if (!busy)
				busy = drain(!first, BATCH);
		}
		if (busy)
			continue;
		weir_stage_check_output(st.out, weir_output_flush(st.out));
		if (poll(pfd, (nfds_t)side_fds(pfd), -1) < 0 && errno == EINTR)
			weir_stage_signal(&st);
	}
	weir_join_get_stats(J, &jst);
	if (jst.late)
		weir_warn("dropped %llu late records (behind their side's "
		    "watermark, or for a window already closed)",
		    (unsigned long long)jst.late);
	if (getenv("WEIR_JOIN_STATS"))
		weir_warn("state: %llu rows (%zu bytes of keys and fields), "
		    "%llu buffered (at most %llu), %zu bytes allocated",
		    (unsigned long long)jst.rows, jst.data,
		    (unsigned long long)jst.buffered,
		    (unsigned long long)jst.max_buffered, jst.bytes);
	weir_join_free(J);
	weir_input_close(side_in[1]);
	weir_stage_finish(&st);
}
