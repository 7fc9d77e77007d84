/* stage.c - the one main loop every program reads its input through. */
#include "stage.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "io.h"

/* Before exiting on a failure: what is written goes out, and the
 * program's hook runs. */
static void fail(weir_stage *s);

#define SECOND_SIGNAL "stopped by a second signal before the end of input"

static void
second_signal(void)
{
	weir_warn("%s", SECOND_SIGNAL);
	_exit(WEIR_EXIT_IO);	/* not exit(): no flush that could block */
}

void
weir_stage_open(weir_stage *s, int infmt, int outfmt, const char *fields,
    const char *onerr)
{
	memset(s, 0, sizeof(*s));
	s->watermark = INT64_MIN;
	weir_onerr_parse(&s->onerr, onerr ? onerr : "fail");
	s->oe = &s->onerr;
	weir_sig_install();
	/* a second stop signal ends the program even where it waits outside
	 * the loop: blocked writing to a reader that does not read */
	weir_sig_on_second(second_signal);
	s->in = weir_input_open(0, infmt, "-");
	s->out = weir_output_open(1, outfmt, fields);
	if (!s->in || !s->out)
		weir_die(WEIR_EXIT_IO, "out of memory");
	weir_input_set_idle(s->in, weir_output_idle, s->out);
}

/* Open input number i of s->files (stdin when there are none). */
static void
open_input(weir_stage *s, int i)
{
	const char *name = s->nfiles ? s->files[i] : "-";

	s->curfile = i;
	s->fd = 0;
	if (strcmp(name, "-") != 0 &&
	    (s->fd = open(name, O_RDONLY | O_CLOEXEC)) < 0)
		weir_die(WEIR_EXIT_IO, "%s: %s", name, strerror(errno));
	if (!(s->in = weir_input_open(s->fd, s->infmt, name)))
		weir_die(WEIR_EXIT_IO, "out of memory");
	if (s->ckpt)	/* upstream is a weir stage: it speaks frames */
		weir_input_require_frames(s->in);
	if (s->out)
		weir_input_set_idle(s->in, weir_output_idle, s->out);
	if (s->on_open)
		s->on_open(s->hook_arg, s);
}

/* The next input after the end of this one: 1, or 0 at the last. */
static int
next_input(weir_stage *s)
{
	if (s->curfile + 1 >= s->nfiles)
		return 0;
	weir_input_close(s->in);
	if (s->fd > 0)
		close(s->fd);
	open_input(s, s->curfile + 1);
	return 1;
}

/* Start s afresh, keeping what the program set before: the hooks and
 * flags, and (with keep_oe) its --on-error. */
static void
reset(weir_stage *s, const char *onerr, int keep_oe)
{
	weir_stage set = *s;

	memset(s, 0, sizeof(*s));
	s->stop_ends = set.stop_ends;
	s->on_open = set.on_open;
	s->on_end = set.on_end;
	s->on_idle = set.on_idle;
	s->hook_arg = set.hook_arg;
	s->on_fail = set.on_fail;
	s->on_fail_arg = set.on_fail_arg;
	s->barriers = set.barriers;
	s->watermark = INT64_MIN;
	weir_onerr_parse(&s->onerr, onerr ? onerr : "fail");
	s->oe = keep_oe && set.oe ? set.oe : &s->onerr;
	weir_sig_install();
	weir_sig_on_second(second_signal);
}

/* A source: its first stop signal ends its input (and the loop), so two
 * may have come before it opens. */
static void
source_signals(weir_stage *s)
{
	if (weir_sig_stop() > 1) {
		fail(s);
		weir_die(WEIR_EXIT_IO, SECOND_SIGNAL);
	}
}

void
weir_stage_open_files(weir_stage *s, int nfiles, char *const *files,
    int infmt, int outfmt, const char *onerr)
{
	reset(s, onerr, 0);
	s->files = files;
	s->nfiles = nfiles;
	s->infmt = infmt;
	if (outfmt != -1 && !(s->out = weir_output_open(1, outfmt, NULL)))
		weir_die(WEIR_EXIT_IO, "out of memory");
	open_input(s, 0);
	if (s->stop_ends)
		source_signals(s);
}

void
weir_stage_open_producer(weir_stage *s, weir_stage_producer fn, void *arg)
{
	reset(s, NULL, 1);
	s->stop_ends = 1;
	s->produce = fn;
	s->produce_arg = arg;
	source_signals(s);
}

const char *
weir_stage_file(const weir_stage *s)
{
	return s->nfiles && strcmp(s->files[s->curfile], "-") ?
	    s->files[s->curfile] : NULL;
}

uint64_t
weir_stage_line(const weir_stage *s)
{
	return weir_input_line(s->in);
}

/* Flush the output, if there is one (an error exits). */
static void
flush(weir_stage *s)
{
	if (s->out)
		weir_stage_check_output(s->out, weir_output_flush(s->out));
}

static void
fail(weir_stage *s)
{
	flush(s);
	if (s->on_fail)
		s->on_fail(s->on_fail_arg);
}

void
weir_stage_skip(weir_stage *s, uint64_t offset)
{
	weir_input *in = s->in;
	weir_event ev;

	while (weir_input_bytes(in) < offset) {
		switch (weir_input_next(in, &ev, 1)) {
		case WEIR_EV_RECORD:
		case WEIR_EV_WATERMARK:
		case WEIR_EV_BARRIER:
		case WEIR_EV_BAD:
		case WEIR_EV_STOP:
			continue;
		case WEIR_EV_END:
		case WEIR_EV_EOF:
			weir_die(WEIR_EXIT_USAGE, "%s: shorter than its checkpoint "
			    "position %llu: not the file that was read",
			    weir_input_name(in), (unsigned long long)offset);
		default:
			weir_die(WEIR_EXIT_IO, "%s", weir_input_error(in));
		}
	}
	if (weir_input_bytes(in) != offset)
		weir_die(WEIR_EXIT_USAGE, "%s: checkpoint position %llu is not at "
		    "a record boundary: not the file that was read",
		    weir_input_name(in), (unsigned long long)offset);
}

void
weir_stage_signal(weir_stage *s)
{
	if (weir_sig_stop() > 1) {
		fail(s);
		weir_die(WEIR_EXIT_IO, SECOND_SIGNAL);
	}
	s->stopping = 1;	/* drain to END */
}

void
weir_stage_add_input(weir_stage *s, weir_input *in)
{
	s->in2 = in;
}

int
weir_stage_next_in(weir_stage *s, int i, weir_event *ev, int block)
{
	weir_input *in = i ? s->in2 : s->in;

	for (;;) {
		switch (weir_input_next(in, ev, block)) {
		case WEIR_EV_RECORD:
			if (i == 0)
				s->in_records++;
			return 1;
		case WEIR_EV_WATERMARK:
		case WEIR_EV_BARRIER:
		case WEIR_EV_END:
		case WEIR_EV_EOF:
			return 1;
		case WEIR_EV_BAD:
			weir_onerr_bad(s->oe, weir_input_error(in), ev->raw,
			    ev->raw_len);
			continue;
		case WEIR_EV_STOP:
			weir_stage_signal(s);
			continue;
		case WEIR_EV_AGAIN:
			return 0;
		default:
			fail(s);
			weir_die_kind(weir_input_fail(in),
			    weir_input_error(in));
		}
	}
}

void
weir_stage_set_output(weir_stage *s, weir_output *out)
{
	s->out = out;
	weir_input_set_idle(s->in, weir_output_idle, s->out);
}

void
weir_stage_check_output(weir_output *o, int rc)
{
	if (rc >= 0)
		return;
	if (rc == WEIR_FAIL_IO && weir_output_failed(o) == EPIPE)
		exit(WEIR_EXIT_OK);	/* the reader went away */
	weir_die_kind(rc, weir_output_error(o));
}

/* Wait for input until the monotonic deadline: 1 when there may be some,
 * 0 when the deadline passed first.  The output is flushed before. */
static int
wait_input(weir_stage *s, int64_t deadline)
{
	struct pollfd pfd = { .fd = weir_input_fd(s->in), .events = POLLIN };
	int64_t now = weir_mono_ms();

	if (now >= deadline)
		return 0;
	flush(s);
	if (poll(&pfd, 1, deadline - now > INT32_MAX ? INT32_MAX :
	    (int)(deadline - now)) == 0)
		return 0;
	if (weir_sig_stop() > 1) {
		fail(s);
		weir_die(WEIR_EXIT_IO, SECOND_SIGNAL);
	}
	return 1;
}

/* weir_stage_next() of a source's producer. */
static int
next_produced(weir_stage *s, weir_event *ev)
{
	int rc;

	for (;;) {
		if (weir_sig_stop()) {
			if (weir_sig_stop() > 1) {
				fail(s);
				weir_die(WEIR_EXIT_IO, "stopped by a second "
				    "signal before the end of input");
			}
			s->stopping = 1;
			return 0;	/* a source stops here */
		}
		switch ((rc = s->produce(s->produce_arg, ev, s->perr,
		    sizeof(s->perr)))) {
		case WEIR_EV_RECORD:
			ev->type = WEIR_EV_RECORD;
			s->in_records++;
			return 1;
		case WEIR_EV_AGAIN:
			if (s->on_idle)
				s->on_idle(s->hook_arg);
			continue;
		case WEIR_EV_END:
			return 0;
		case WEIR_EV_BAD:
			weir_onerr_bad(s->oe, s->perr, ev->raw, ev->raw_len);
			continue;
		default:
			fail(s);
			weir_die(rc < 0 ? weir_fail_status(rc) : WEIR_EXIT_IO,
			    "%s", s->perr);
		}
	}
}

int
weir_stage_next(weir_stage *s, weir_event *ev)
{
	return weir_stage_next_until(s, ev, INT64_MAX);
}

int
weir_stage_next_until(weir_stage *s, weir_event *ev, int64_t deadline)
{
	int block = deadline == INT64_MAX;

	if (s->produce)
		return next_produced(s, ev);
	for (;;) {
		switch (weir_input_next(s->in, ev, block)) {
		case WEIR_EV_RECORD:
			s->in_records++;
			return 1;
		case WEIR_EV_WATERMARK:
			if (ev->wm > s->watermark)
				s->watermark = ev->wm;
			return 1;
		case WEIR_EV_BARRIER:
			if (s->barriers)
				return 1;
			if (s->ckpt)
				weir_stage_save(s, ev->barrier);
			weir_stage_forward(s, ev);
			continue;
		case WEIR_EV_END:
		case WEIR_EV_EOF:
			if (s->on_end)
				s->on_end(s->hook_arg, s);
			if (next_input(s))
				continue;
			return 0;
		case WEIR_EV_BAD:
			weir_onerr_bad(s->oe, weir_input_error(s->in), ev->raw,
			    ev->raw_len);
			continue;
		case WEIR_EV_STOP:
			if (s->stop_ends)
				return 0;	/* a source stops here */
			if (weir_sig_stop() > 1) {
				fail(s);
				weir_die(WEIR_EXIT_IO, SECOND_SIGNAL);
			}
			s->stopping = 1;	/* drain to END */
			continue;
		case WEIR_EV_AGAIN:
			if (!block && !wait_input(s, deadline))
				return -1;
			continue;
		default:
			fail(s);
			weir_die_kind(weir_input_fail(s->in),
			    weir_input_error(s->in));
		}
	}
}

void
weir_stage_warn_dropped(weir_output *o, size_t *warned, int at_end)
{
	const char *name;
	uint64_t n;
	size_t i;

	for (i = *warned; (name = weir_output_dropped(o, i, &n)); i++)
		weir_warn("%s is not a column (the columns are the first "
		    "record's fields): dropped; --fields or --all-fields keeps "
		    "it", name);
	*warned = i;
	for (i = 0; at_end && (name = weir_output_dropped(o, i, &n)); i++)
		weir_warn("%s dropped from %llu record%s (--fields or "
		    "--all-fields keeps it)", name, (unsigned long long)n,
		    n == 1 ? "" : "s");
}

void
weir_stage_emit(weir_stage *s, const weir_record *r)
{
	int rc;

	if (!s->out)
		return;
	rc = weir_output_record(s->out, r);

	if (rc == WEIR_FAIL_DATA)	/* a bad record, under --on-error */
		weir_onerr_bad_record(s->oe, weir_output_error(s->out), r);
	else
		weir_stage_check_output(s->out, rc);
	if (weir_output_ndropped(s->out) > s->dropped_warned)
		weir_stage_warn_dropped(s->out, &s->dropped_warned, 0);
}

void
weir_stage_watermark(weir_stage *s, int64_t wm)
{
	if (s->out)
		weir_stage_check_output(s->out, weir_output_watermark(s->out, wm));
}

void
weir_stage_forward(weir_stage *s, const weir_event *ev)
{
	if (ev->type == WEIR_EV_WATERMARK)
		weir_stage_watermark(s, ev->wm);
	else if (ev->type == WEIR_EV_BARRIER)
		weir_stage_barrier_out(s, ev->barrier, ev->payload,
		    ev->payload_len);
}

/* The stage commits: it has checkpoints, and text out (not frames). */
static int
terminal(const weir_stage *s)
{
	return s->term && s->out &&
	    weir_output_format(s->out) != WEIR_FMT_FRAMED;
}

static void
commit(weir_stage *s, uint64_t id, const uint8_t *p, size_t n, int final)
{
	char err[WEIR_ERRSZ];
	int rc;

	weir_stage_check_output(s->out, weir_output_flush(s->out));
	rc = weir_sink_ckpt_commit(s->term, id, p, n, final, 0, err,
	    sizeof(err));
	if (rc < 0)
		weir_die_kind(rc, err);
}

void
weir_stage_barrier_out(weir_stage *s, uint64_t id, const uint8_t *p,
    size_t n)
{
	if (!s->out)
		return;
	weir_stage_check_output(s->out, weir_output_barrier(s->out, id, p, n));
	if (terminal(s))
		commit(s, id, p, n, 0);
}

void
weir_stage_end(weir_stage *s)
{
	if (s->out) {
		weir_stage_check_output(s->out, weir_output_end(s->out));
		weir_stage_warn_dropped(s->out, &s->dropped_warned, 1);
		if (terminal(s))
			commit(s, 0, NULL, 0, 1);
	}
	weir_onerr_report(s->oe);
}

void
weir_stage_finish(weir_stage *s)
{
	weir_stage_end(s);
	weir_input_close(s->in);
	if (s->fd > 0)
		close(s->fd);
	if (s->out)
		weir_output_close(s->out);
	exit(WEIR_EXIT_OK);
}

void
weir_die_snap(int rc, const char *err)
{
	weir_die_kind(rc, err);
}

void
weir_stage_checkpoint(weir_stage *s, const weir_ckpt_opts *o, int argc,
    char *const *argv, const weir_state_ops *ops)
{
	char err[WEIR_ERRSZ];
	int64_t t0;
	weir_rd rd;
	int rc;

	if (!o->dir)
		return;
	if (!(s->ckpt = calloc(1, sizeof(*s->ckpt))))
		weir_die(WEIR_EXIT_IO, "out of memory");
	if (s->in)	/* upstream is a weir stage: it speaks frames */
		weir_input_require_frames(s->in);
	s->ops = ops;
	rc = weir_ckpt_open(s->ckpt, o->dir, weir_cli_ckpt_name(o), weir_prog,
	    weir_ckpt_fingerprint(argc, argv), o->reset, err, sizeof(err));
	if (rc < 0)
		weir_die_snap(rc, err);
	if (!(s->term = calloc(1, sizeof(*s->term))))
		weir_die(WEIR_EXIT_IO, "out of memory");
	rc = weir_sink_ckpt_attach(s->term, s->ckpt->dir, o->reset ? NULL :
	    &s->ckpt->commit, err, sizeof(err));
	if (rc < 0)
		weir_die_kind(rc, err);
	s->ckpt->load_final = ops && ops->after_end;
	t0 = weir_mono_ms();
	rc = weir_ckpt_restore(s->ckpt, &s->snap, err, sizeof(err));
	if (rc < 0)
		weir_die_snap(rc, err);
	if (rc == 0) {
		if (getenv("WEIR_CKPT_VERBOSE"))
			weir_warn("starting empty (committed checkpoint %llu%s)",
			    (unsigned long long)s->ckpt->commit.id,
			    s->ckpt->commit.final ? ", final" : "");
		return;
	}
	weir_rd_init(&rd, s->snap.p, s->snap.len);
	s->watermark = weir_rd_i64(&rd);
	s->in_records = weir_rd_u64(&rd);
	s->oe->skipped = weir_rd_u64(&rd);
	if (!rd.bad && ops && (rc = ops->load(ops->arg, &rd, err,
	    sizeof(err))) < 0)
		weir_die(weir_fail_status(rc == WEIR_FAIL_DATA ?
		    WEIR_SNAP_EBAD : rc), "%s/%llu.snap: %s", s->ckpt->sdir,
		    (unsigned long long)s->ckpt->commit.id, err);
	if (weir_rd_done(&rd, "state", err, sizeof(err)) < 0)
		weir_die(WEIR_EXIT_USAGE, "%s/%llu.snap: %s", s->ckpt->sdir,
		    (unsigned long long)s->ckpt->commit.id, err);
	weir_warn("resumed from checkpoint %llu (%zu bytes of state, loaded "
	    "in %lld ms)", (unsigned long long)s->ckpt->commit.id, s->snap.len,
	    (long long)(weir_mono_ms() - t0));
}

void
weir_stage_save(weir_stage *s, uint64_t id)
{
	char err[WEIR_ERRSZ];
	int64_t t0 = weir_mono_ms();
	int rc;

	s->snap.len = 0;
	if (weir_sw_i64(&s->snap, s->watermark) < 0 ||
	    weir_sw_u64(&s->snap, s->in_records) < 0 ||
	    weir_sw_u64(&s->snap, s->oe->skipped) < 0)
		weir_die(WEIR_EXIT_IO, "out of memory");
	if (s->ops && s->ops->save(s->ops->arg, &s->snap, err,
	    sizeof(err)) < 0)
		weir_die(WEIR_EXIT_IO, "checkpoint %llu: %s",
		    (unsigned long long)id, err);
	rc = weir_ckpt_save(s->ckpt, id, s->snap.p, s->snap.len, err,
	    sizeof(err));
	if (rc < 0)
		weir_die_snap(rc, err);
	if (getenv("WEIR_CKPT_VERBOSE"))
		weir_warn("checkpoint %llu: %zu bytes of state saved in %lld ms",
		    (unsigned long long)id, s->snap.len,
		    (long long)(weir_mono_ms() - t0));
}
