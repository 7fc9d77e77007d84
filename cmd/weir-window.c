/*
 * weir-window - tag records with their event-time window: tumbling,
 * hopping or per-key session windows.  Time advances by the watermarks
 * from upstream; windows close when the watermark passes end + grace, and
 * the watermarks forwarded are held back by the grace so that downstream
 * stages close a window when they see a watermark >= its end.
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "cli.h"
#include "dur.h"
#include "io.h"
#include "stage.h"
#include "stats.h"
#include "window.h"

static const char usage[] =
"usage: weir-window tumbling SIZE [options]\n"
"       weir-window hopping SIZE ADVANCE [options]\n"
"       weir-window session GAP [-g PATH,...] [options]\n"
"\n"
"Tag each record with its event-time window [start, end) and close windows\n"
"as the watermarks from upstream pass them (weir-source --max-delay).\n"
"\n"
"  -g, --group PATH,...  sessions per these fields (default: the record key)\n"
"      --offset DUR      shift window starts from the epoch by DUR\n"
"      --grace DUR       keep windows open DUR after the watermark passes\n"
"                        their end (default 0); forwarded watermarks are\n"
"                        held back by DUR\n"
"      --late MODE       records for closed windows: drop (default, counted),\n"
"                        pass (forwarded, marked late), or a FILE to append\n"
"                        them to as envelope lines\n"
"      --copies          hopping: one frame per window, not one per record\n"
"  -i, --input-format F  how to read text input (default ndjson)\n"
"      --on-error MODE   fail (default), skip, or a FILE for bad records\n"
"      --state DIR       keep checkpoint state in DIR (see weir(7))\n"
"      --name NAME       this stage's name in DIR (default window)\n"
"      --reset-state     start with empty state\n"
"  -h, --help            this help\n"
"      --version         print the version\n"
"\n"
"Exit status: 0 ok, 1 bad input data, 2 usage, 3 I/O failure or\n"
"upstream ended without END.  See weir-window(1).\n";

enum { O_OFFSET = 256, O_GRACE, O_LATE, O_ONERR, O_VERSION, O_COPIES };

static const struct option longopts[] = {
	{ "group", required_argument, NULL, 'g' },
	{ "offset", required_argument, NULL, O_OFFSET },
	{ "grace", required_argument, NULL, O_GRACE },
	{ "late", required_argument, NULL, O_LATE },
	{ "input-format", required_argument, NULL, 'i' },
	{ "on-error", required_argument, NULL, O_ONERR },
	{ "copies", no_argument, NULL, O_COPIES },
	{ "help", no_argument, NULL, 'h' },
	{ "version", no_argument, NULL, O_VERSION },
	WEIR_CKPT_LONGOPTS,
	{ NULL, 0, NULL, 0 }
};

enum { LATE_DROP, LATE_PASS, LATE_FILE };

static struct {
	weir_stage st;
	weir_window_spec w;
	int64_t grace;
	int64_t cutoff;		/* watermark - grace: windows ending <= it closed */
	int64_t fwd_wm;		/* last watermark forwarded */
	int late_mode, late_fd;
	const char *late_file;
	uint64_t late;
	int windowed;		/* a record went into a window */
	int hops;		/* hopping windows as HOP records */
	int copies;		/* --copies */
	int passv;		/* packed values passed on unread */
	weir_path *paths;
	size_t npaths;
	weir_window_sessions *sess;
	weir_buf key, scratch, latebuf;
} S;

static void
late_flush(void)
{
	if (!S.latebuf.len)
		return;
	if (weir_write_all(S.late_fd, S.latebuf.p, S.latebuf.len) < 0)
		weir_die(WEIR_EXIT_IO, "%s: %s", S.late_file, strerror(errno));
	S.latebuf.len = 0;
}

static void flush_sessions(void);

/* Before blocking for input: records held back added, late records to
 * their file, then output. */
static void
idle(void *arg)
{
	flush_sessions();
	late_flush();
	weir_output_idle(arg);
}

/* A record (a copy, tagged with its closed window) for a closed window. */
static void
late(weir_record *r, int64_t start, int64_t end)
{
	r->flags |= WEIR_R_WINDOW | WEIR_R_LATE;
	r->win_start = start;
	r->win_end = end;
	S.late++;
	weir_stats_late(1);
	if (S.late_mode == LATE_PASS)
		weir_stage_emit(&S.st, r);
	else if (S.late_mode == LATE_FILE) {
		if (weir_envelope_put(&S.latebuf, r, &S.scratch) < 0 ||
		    weir_buf_putc(&S.latebuf, '\n') < 0)
			weir_die(WEIR_EXIT_IO, "out of memory");
		if (S.latebuf.len >= 65536)
			late_flush();
	}
}

/* A record we cannot window: --on-error decides (FILE gets its envelope). */
static void
bad(const weir_record *r, const char *why)
{
	char msg[WEIR_ERRSZ + 300], err[WEIR_ERRSZ];
	uint64_t line = weir_input_line(S.st.in);

	if (line)
		snprintf(msg, sizeof(msg), "%s:%llu: %s", weir_input_name(S.st.in),
		    (unsigned long long)line, why);
	else
		snprintf(msg, sizeof(msg), "%s: record %llu: %s",
		    weir_input_name(S.st.in),
		    (unsigned long long)S.st.in_records, why);
	/* a value passed on unread is checked before it is read here */
	if (S.passv && r->enc == WEIR_ENC_PACKED &&
	    weir_pack_validate(r->value, r->value_len, err, sizeof(err)) < 0)
		weir_die(WEIR_EXIT_IO, "%s: record %llu: %s",
		    weir_input_name(S.st.in),
		    (unsigned long long)S.st.in_records, err);
	S.key.len = 0;
	if (weir_envelope_put(&S.key, r, &S.scratch) < 0)
		weir_die(WEIR_EXIT_IO, "out of memory");
	weir_onerr_bad(&S.st.onerr, msg, S.key.p, S.key.len);
}

/*
 * The windows that hold r: a late copy for each closed one (the oldest
 * close first), then the open ones -- as one HOP record (weir-format(5))
 * when the output is frames, else one copy per window.
 */
static void
fixed_windows(weir_record *r)
{
	weir_window_iter it;
	weir_record c;
	int64_t start, end;
	char err[WEIR_ERRSZ];

	if (weir_window_iter_init(&it, &S.w, r->ts, err, sizeof(err)) < 0) {
		bad(r, err);
		return;
	}
	while (weir_window_iter_next(&it, &start, &end)) {
		c = *r;
		if (end <= S.cutoff) {
			late(&c, start, end);
			continue;
		}
		if (S.hops && !it.done) {
			/* the open windows: this one to the last */
			c.flags = (c.flags | WEIR_R_WINDOW | WEIR_R_HOP) &
			    ~(unsigned)WEIR_R_LATE;
			c.win_start = start;
			c.win_end = end;
			c.hop_advance = it.advance;
			c.hop_count = (uint32_t)((it.last - start) /
			    it.advance + 1);
			weir_stage_emit(&S.st, &c);
			S.windowed = 1;
			return;
		}
		c.flags = (c.flags | WEIR_R_WINDOW) & ~(unsigned)WEIR_R_LATE;
		c.win_start = start;
		c.win_end = end;
		weir_stage_emit(&S.st, &c);
		S.windowed = 1;
	}
}

static int
late_cb(void *arg, weir_record *r, int64_t start, int64_t end)
{
	late(r, start, end);
	return 0;
}

/* Add the records put (weir_window_sessions_put holds a few back): before
 * the cutoff moves, a checkpoint, blocking for input, or a bad record. */
static void
flush_sessions(void)
{
	char err[WEIR_ERRSZ];
	int rc;

	if (S.sess && (rc = weir_window_sessions_flush(S.sess, late_cb, NULL,
	    err, sizeof(err))) < 0)
		weir_die_kind(rc, err);
}

static void
session(weir_record *r)
{
	char err[WEIR_ERRSZ];
	int rc;

	rc = weir_window_group_key(&S.key, r, S.paths, S.npaths, &S.scratch,
	    err, sizeof(err));
	if (rc == WEIR_FAIL_DATA) {
		flush_sessions();
		bad(r, err);
		return;
	}
	if (rc < 0)
		weir_die_kind(rc, err);
	rc = weir_window_sessions_put(S.sess, &S.key, r, S.cutoff, late_cb,
	    NULL, err, sizeof(err));
	if (rc == WEIR_FAIL_DATA) {
		bad(r, err);
		return;
	}
	if (rc < 0)
		weir_die_kind(rc, err);
}

static int
emit_cb(void *arg, const weir_record *r)
{
	weir_stage_emit(&S.st, r);
	return 0;
}

static void
close_sessions(int64_t cutoff)
{
	char err[WEIR_ERRSZ];
	int rc;

	if ((rc = weir_window_sessions_close(S.sess, cutoff, emit_cb, NULL, err,
	    sizeof(err))) < 0)
		weir_die_kind(rc, err);
}

/*
 * A watermark W closes windows with end <= W - grace and is forwarded as
 * that cutoff.  Sessions close 1 ms later: a record exactly GAP after a
 * session's last one still joins it, and W = end does not rule that record
 * out (it says later records have ts >= W).  Forwarding the same cutoff
 * keeps the contract that downstream closes a window at a watermark >= end.
 */
static void
watermark(int64_t wm)
{
	flush_sessions();
	S.cutoff = weir_window_cutoff(wm, S.grace + (S.sess ? 1 : 0));
	if (S.sess)
		close_sessions(S.cutoff);
	if (S.cutoff > S.fwd_wm) {
		weir_stage_watermark(&S.st, S.cutoff);
		S.fwd_wm = S.cutoff;
	}
}

/*
 * Checkpoints: the cutoff and the last watermark forwarded, the late count,
 * whether a record was windowed, and the open sessions.  Late records
 * bound for --late FILE are written out first.
 */
static int
save_state(void *arg, weir_buf *out, char *err, size_t errsz)
{
	flush_sessions();
	late_flush();
	if (weir_sw_i64(out, S.cutoff) < 0 || weir_sw_i64(out, S.fwd_wm) < 0 ||
	    weir_sw_u64(out, S.late) < 0 ||
	    weir_sw_u64(out, (uint64_t)S.windowed) < 0 ||
	    (S.sess && weir_window_sessions_save(S.sess, out) < 0)) {
		weir_seterr(err, errsz, "out of memory");
		return WEIR_FAIL_NOMEM;
	}
	return 0;
}

static int
load_state(void *arg, weir_rd *rd, char *err, size_t errsz)
{
	S.cutoff = weir_rd_i64(rd);
	S.fwd_wm = weir_rd_i64(rd);
	S.late = weir_rd_u64(rd);
	S.windowed = weir_rd_u64(rd) != 0;
	if (S.sess && !rd->bad)
		return weir_window_sessions_load(S.sess, rd, err, errsz);
	return 0;
}

/* "-g .a,.b": the one path-list parser (weir_path_list). */
static void
parse_groups(const char *arg)
{
	char **items;
	size_t i, n;

	items = weir_cli_path_list("-g", arg, &n);
	for (i = 0; i < n; i++) {
		S.paths = realloc(S.paths, (S.npaths + 1) * sizeof(*S.paths));
		if (!S.paths)
			weir_die(WEIR_EXIT_IO, "out of memory");
		weir_cli_path(&S.paths[S.npaths], "-g", items[i]);
		S.npaths++;
	}
	free(items);
}

int
main(int argc, char **argv)
{
	int c, infmt = WEIR_FMT_AUTO, used;
	const char *onerr = "fail", *latearg = "drop";
	char err[WEIR_ERRSZ];
	int64_t offset = 0;
	weir_event ev;
	weir_ckpt_opts ck = { 0 };
	static const weir_state_ops ops = { save_state, load_state, NULL, 0 };

	weir_cli_init(argv[0]);
	while ((c = getopt_long(argc, argv, "g:i:h", longopts, NULL)) != -1) {
		if (weir_cli_ckpt_opt(&ck, c, optarg))
			continue;
		switch (c) {
		case 'g':
			parse_groups(optarg);
			break;
		case O_OFFSET: {
			const char *a = optarg + (optarg[0] == '-');
			if (weir_dur_parse(a, &offset, err, sizeof(err)) < 0)
				weir_usage_error("--offset: %s", err);
			if (optarg[0] == '-')
				offset = -offset;
			break;
		}
		case O_GRACE:
			if (weir_dur_parse(optarg, &S.grace, err, sizeof(err)) < 0)
				weir_usage_error("--grace: %s", err);
			break;
		case O_LATE:
			latearg = optarg;
			break;
		case O_COPIES:
			S.copies = 1;
			break;
		case 'i':
			infmt = weir_cli_infmt(optarg);
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
	used = weir_window_parse(&S.w, argv + optind, argc - optind, offset,
	    err, sizeof(err));
	if (used < 0)
		weir_die_fail(used, err);
	if (optind + used < argc)
		weir_usage_error("unexpected argument '%s'", argv[optind + used]);
	if (S.npaths && S.w.kind != WEIR_WINDOW_SESSION)
		weir_usage_error("-g groups session windows only (tumbling and "
		    "hopping windows are the same for every key)");
	if (!strcmp(latearg, "drop"))
		S.late_mode = LATE_DROP;
	else if (!strcmp(latearg, "pass"))
		S.late_mode = LATE_PASS;
	else {
		S.late_mode = LATE_FILE;
		S.late_file = latearg;
		S.late_fd = open(latearg, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC,
		    0666);
		if (S.late_fd < 0)
			weir_die(WEIR_EXIT_IO, "%s: %s", latearg, strerror(errno));
	}
	if (S.w.kind == WEIR_WINDOW_SESSION &&
	    !(S.sess = weir_window_sessions_new(S.w.gap)))
		weir_die(WEIR_EXIT_IO, "out of memory");
	S.cutoff = S.fwd_wm = INT64_MIN;

	weir_stage_open(&S.st, infmt, WEIR_FMT_AUTO, NULL, onerr);
	weir_input_set_idle(S.st.in, idle, S.st.out);
	/* windows without -g never look inside a value (sessions keep it
	 * as bytes): the stage after, reading the frames, validates it */
	S.passv = !S.npaths && S.late_mode != LATE_FILE &&
	    weir_output_format(S.st.out) == WEIR_FMT_FRAMED;
	weir_input_pass_values(S.st.in, S.passv);
	/* frames out: a record in several hopping windows goes once, with
	 * them all (WEIR_R_HOP); every reader but weir-agg gets the copies */
	S.hops = S.w.kind == WEIR_WINDOW_HOPPING && !S.copies &&
	    weir_output_format(S.st.out) == WEIR_FMT_FRAMED;
	weir_stage_checkpoint(&S.st, &ck, argc, argv, &ops);
	while (weir_stage_next(&S.st, &ev)) {
		switch (ev.type) {
		case WEIR_EV_RECORD:
			if (!(ev.rec.flags & WEIR_R_TS)) {
				flush_sessions();
				bad(&ev.rec, "record has no event time (set it "
				    "with weir-source --time PATH)");
			} else if (S.sess)
				session(&ev.rec);
			else
				fixed_windows(&ev.rec);
			break;
		case WEIR_EV_WATERMARK:
			watermark(S.st.watermark);
			break;
		}
	}
	/* END: every open window is final */
	flush_sessions();
	if (S.st.watermark == INT64_MIN && (S.sess ?
	    weir_window_sessions_open(S.sess) > 0 : S.windowed))
		weir_warn("the input had no watermarks: windows closed only at "
		    "its end (weir-source --max-delay DUR sends watermarks)");
	if (S.sess)
		close_sessions(INT64_MAX);
	late_flush();
	if (S.late) {
		if (S.late_mode == LATE_DROP)
			weir_warn("dropped %llu late record%s (for windows already "
			    "closed; see --grace and --late)",
			    (unsigned long long)S.late, S.late == 1 ? "" : "s");
		else if (S.late_mode == LATE_PASS)
			weir_warn("passed %llu late record%s on, marked late",
			    (unsigned long long)S.late, S.late == 1 ? "" : "s");
		else
			weir_warn("wrote %llu late record%s to %s",
			    (unsigned long long)S.late, S.late == 1 ? "" : "s",
			    S.late_file);
	}
	weir_stage_finish(&S.st);
}
