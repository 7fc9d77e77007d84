/*
 * input.h - one record stream in, whatever it is: weir frames when the
 * stream starts with the frame header, otherwise text in the format asked
 * for (NDJSON by default).  Every weir program reads through this.
 */
#ifndef WEIR_INPUT_H
#define WEIR_INPUT_H

#include "fmt.h"
#include "frame.h"
#include "io.h"

enum {
	WEIR_EV_RECORD = 1,
	WEIR_EV_WATERMARK,
	WEIR_EV_BARRIER,
	WEIR_EV_END,		/* clean end: END frame, or end of text */
	WEIR_EV_EOF,		/* nothing more (after END) */
	WEIR_EV_AGAIN,		/* non-blocking and nothing complete yet */
	WEIR_EV_BAD,		/* one bad text record; next() goes on after it */
	WEIR_EV_ERROR,		/* fatal: I/O, corrupt frames, early end */
	WEIR_EV_STOP		/* a stop signal interrupted a blocking read */
};

typedef struct weir_event {
	int type;
	weir_record rec;	/* RECORD */
	int64_t wm;		/* WATERMARK */
	uint64_t barrier;	/* BARRIER */
	const uint8_t *payload;
	size_t payload_len;
	const uint8_t *raw;	/* BAD: the offending text, for --on-error FILE */
	size_t raw_len;
} weir_event;

typedef struct weir_input weir_input;

/* fmt: WEIR_FMT_AUTO, FRAMED (the header is required), or a text format
 * (used when the header is absent); AUTO reads *.csv and *.tsv files as
 * such (weir_fmt_guess).  name is for messages ("-" = stdin). */
weir_input *weir_input_open(int fd, int fmt, const char *name);
void weir_input_close(weir_input *in);	/* does not close fd */
int weir_input_next(weir_input *in, weir_event *ev, int block);
/* The message for BAD and ERROR events, with the input position. */
const char *weir_input_error(const weir_input *in);
/* The failure kind of an ERROR event (WEIR_FAIL_*, util.h): DATA when the
 * input is bad as a whole (a CSV header that is not UTF-8), NOMEM (the
 * message is "out of memory"), else IO (I/O, corrupt frames, early end). */
int weir_input_fail(const weir_input *in);
int weir_input_framed(const weir_input *in);	/* known after first event */
int weir_input_format(const weir_input *in);	/* WEIR_FMT_*, 0 until known */
int weir_input_fd(const weir_input *in);
const char *weir_input_name(const weir_input *in);
/* Text: the line the last record ended on; frames: 0. */
uint64_t weir_input_line(const weir_input *in);
uint64_t weir_input_bytes(const weir_input *in);	/* consumed so far */
void weir_input_set_idle(weir_input *in, void (*fn)(void *), void *arg);
/* NDJSON text: give each line as its own JSON text (WEIR_ENC_JSON,
 * validated, byte for byte) instead of packing it, for a program that only
 * passes values on as bytes. */
void weir_input_keep_json(weir_input *in, int on);
/* Frames: do not validate packed values, for a program that never reads
 * them and passes them on only as frames (whose reader validates them). */
void weir_input_pass_values(weir_input *in, int on);
/* Frames: give a HOP record (one record in several hopping windows, as
 * weir-window writes them) as it is, for a program that handles it
 * (weir-agg); other programs get one copy of it per window. */
void weir_input_accept_hops(weir_input *in, int on);
/* Checkpointed stages: the input must be a weir frame stream; an empty
 * one means the stage before failed before it began (an error), not an
 * empty text input.  Call before the first event. */
void weir_input_require_frames(weir_input *in);

#endif
