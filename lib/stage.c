/* stage.c - the shared main-loop contract of filter-like programs. */
#include "stage.h"

#include <errno.h>
#include <poll.h>
#include <stdlib.h>

#include "io.h"

void
weir_stage_open(weir_stage *s, int infmt, int outfmt, const char *fields,
    const char *onerr)
{
	memset(s, 0, sizeof(*s));
	s->watermark = INT64_MIN;
	weir_onerr_parse(&s->onerr, onerr ? onerr : "fail");
	weir_sig_install();
	s->in = weir_input_open(0, infmt, "-");
	s->out = weir_output_open(1, outfmt, fields);
	if (!s->in || !s->out)
		weir_die(WEIR_EXIT_IO, "out of memory");
	weir_input_set_idle(s->in, weir_output_idle, s->out);
}

void
weir_stage_check_output(weir_output *o, int rc)
{
	int e;

	if (rc >= 0)
		return;
	if (rc == WEIR_OUTPUT_TOO_BIG)
		weir_die(WEIR_EXIT_DATA, "%s", weir_output_error(o));
	e = weir_output_failed(o);
	if (e == EPIPE)
		exit(WEIR_EXIT_OK);
	weir_die(WEIR_EXIT_IO, "write: %s", strerror(e ? e : EIO));
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
	weir_stage_check_output(s->out, weir_output_flush(s->out));
	if (poll(&pfd, 1, deadline - now > INT32_MAX ? INT32_MAX :
	    (int)(deadline - now)) == 0)
		return 0;
	if (weir_sig_stop() > 1)
		weir_die(WEIR_EXIT_IO, "stopped by a second signal before the "
		    "end of input");
	return 1;
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
			return 1;
		case WEIR_EV_END:
		case WEIR_EV_EOF:
			return 0;
		case WEIR_EV_BAD:
			weir_onerr_bad(&s->onerr, weir_input_error(s->in), ev->raw,
			    ev->raw_len);
			continue;
		case WEIR_EV_STOP:
			if (weir_sig_stop() > 1) {
				weir_stage_check_output(s->out,
				    weir_output_flush(s->out));
				weir_die(WEIR_EXIT_IO, "stopped by a second signal "
				    "before the end of input");
			}
			s->stopping = 1;	/* drain to END */
			continue;
		case WEIR_EV_AGAIN:
			if (!block && !wait_input(s, deadline))
				return -1;
			continue;
		default:
			weir_stage_check_output(s->out, weir_output_flush(s->out));
			weir_die(weir_input_status(s->in), "%s",
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
	int rc = weir_output_record(s->out, r);

	if (rc == WEIR_OUTPUT_TOO_BIG)	/* a bad record, under --on-error */
		weir_onerr_bad(&s->onerr, weir_output_error(s->out), NULL, 0);
	else
		weir_stage_check_output(s->out, rc);
	if (weir_output_ndropped(s->out) > s->dropped_warned)
		weir_stage_warn_dropped(s->out, &s->dropped_warned, 0);
}

void
weir_stage_watermark(weir_stage *s, int64_t wm)
{
	weir_stage_check_output(s->out, weir_output_watermark(s->out, wm));
}

void
weir_stage_forward(weir_stage *s, const weir_event *ev)
{
	if (ev->type == WEIR_EV_WATERMARK)
		weir_stage_watermark(s, ev->wm);
	else if (ev->type == WEIR_EV_BARRIER)
		weir_stage_check_output(s->out, weir_output_barrier(s->out,
		    ev->barrier, ev->payload, ev->payload_len));
}

void
weir_stage_finish(weir_stage *s)
{
	weir_stage_check_output(s->out, weir_output_end(s->out));
	weir_stage_warn_dropped(s->out, &s->dropped_warned, 1);
	weir_onerr_report(&s->onerr);
	weir_input_close(s->in);
	weir_output_close(s->out);
	exit(WEIR_EXIT_OK);
}
