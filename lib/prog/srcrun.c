/*
 * srcrun.c - weir-source's jobs through the stage loop (srcrun.h): files,
 * generators and Kafka; every record shaped and emitted by
 * lib/stream/source.c; failures mapped to exit statuses here.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "srcrun.h"

void
weir_srcrun_init(weir_srcrun *r)
{
	memset(r, 0, sizeof(*r));
	weir_source_init(&r->src);
	r->src.skipped = &r->onerr.skipped;
}

/* A failed write to stdout ends quietly when the reader went away (0);
 * everything else exits with its kind's status. */
static _Noreturn void
fail(weir_srcrun *r, int rc, const char *err)
{
	if (rc == WEIR_FAIL_IO && r->src.out &&
	    weir_output_failed(r->src.out) == EPIPE)
		exit(WEIR_EXIT_OK);
	weir_die_kind(rc, err);
}

/* --- kcat's text output (weir-source(1), KCAT) --------------------------- */

/* A write error; a reader gone away ends quietly. */
static _Noreturn void
kcat_die(void)
{
	if (errno == EPIPE)
		exit(0);
	weir_die(WEIR_EXIT_IO, "stdout: %s", strerror(errno));
}

/* Write what kcat's format made. */
static void
kcat_flush(weir_srcrun *r)
{
	if (weir_kcat_out_flush(&r->kout) < 0)
		kcat_die();
}

static void
kcat_emit(weir_srcrun *r, const weir_record *rec)
{
	weir_kcat_meta m;
	int rc;

	weir_kafka_consumer_meta(r->kc, &m.tstype, &m.broker);
	r->kout.f = r->kcat;
	r->kout.fd = 1;
	r->kout.unbuffered = r->src.unbuffered;
	rc = weir_kcat_out_put(&r->kout, rec, &m);
	r->src.emitted++;
	if (rc == WEIR_FAIL_IO)
		kcat_die();
	else if (rc < 0)
		weir_die_kind(rc, "corrupt record value");
}

/* --- every record ---------------------------------------------------------- */

static void
emit(weir_srcrun *r, const weir_record *rec)
{
	char err[WEIR_ERRSZ];
	int rc;

	if (r->kcat) {
		kcat_emit(r, rec);
		return;
	}
	if ((rc = weir_source_emit(&r->src, rec, err, sizeof(err))) < 0)
		fail(r, rc, err);
}

/* Shape rec (weir_source_shape): 0, or -1 for a bad record with its
 * message in why; out of memory exits. */
static int
shape(weir_srcrun *r, weir_record *rec, char *why, size_t whysz)
{
	int rc = weir_source_shape(&r->src, rec, why, whysz);

	if (rc == WEIR_FAIL_NOMEM)
		weir_die_kind(rc, why);
	return rc < 0 ? -1 : 0;
}

/* Before blocking for input: watermark, a barrier if one is due, flush. */
static void
idle(void *arg)
{
	weir_srcrun *r = arg;
	char err[WEIR_ERRSZ];
	int rc;

	if (r->kcat) {
		kcat_flush(r);
		return;
	}
	if ((rc = weir_source_idle(&r->src, err, sizeof(err))) < 0)
		fail(r, rc, err);
}

/* Before a failing exit: what is written goes out. */
static void
out_fail(void *arg)
{
	weir_srcrun *r = arg;

	if (r->kcat)
		kcat_flush(r);
	else
		weir_stage_check_output(r->src.out,
		    weir_output_flush(r->src.out));
}

static void
barrier(weir_srcrun *r)
{
	char err[WEIR_ERRSZ];
	int rc;

	if ((rc = weir_source_barrier(&r->src, err, sizeof(err))) < 0)
		fail(r, rc, err);
}

void
weir_srcrun_open(weir_srcrun *r, int argc, char **argv)
{
	weir_source *s = &r->src;
	weir_commit *cm = &s->ckpt.commit;
	char err[WEIR_ERRSZ];
	int rc;

	if (r->kcat)
		return;
	s->out = weir_output_open(1, WEIR_FMT_AUTO, NULL);
	if (!s->out)
		weir_die(WEIR_EXIT_IO, "out of memory");
	if (r->ck.dir) {
		rc = weir_source_ckpt_open(s, r->ck.dir,
		    weir_cli_ckpt_name(&r->ck), weir_prog,
		    weir_ckpt_fingerprint(argc, argv), r->ck.reset,
		    weir_kafka_times_check, err, sizeof(err));
		if (rc < 0)
			weir_die_snap(rc, err);
		if (rc > 0 && getenv("WEIR_CKPT_VERBOSE"))
			weir_warn("resuming from checkpoint %llu at %.*s",
			    (unsigned long long)cm->id, (int)cm->positions.len,
			    (const char *)cm->positions.p);
	}
	s->pace_t0 = weir_mono_ms();
}

/* --- files ----------------------------------------------------------------- */

/* Each input file: its position, its resumption, and the idle work. */
static void
file_open(void *arg, weir_stage *st)
{
	weir_srcrun *r = arg;
	long long at = weir_source_resume_int(&r->src, "index"),
	    off = weir_source_resume_int(&r->src, "offset");

	r->src.pos_file = weir_stage_file(st);
	r->src.pos_index = r->first_index + st->curfile;
	r->src.pos_in = st->in;
	if (r->src.resume && at == r->src.pos_index && off > 0)
		weir_stage_skip(st, (uint64_t)off);
	weir_input_set_idle(st->in, idle, r);
}

/* A file read to its end: the position is the next one. */
static void
file_end(void *arg, weir_stage *st)
{
	weir_srcrun *r = arg;
	char err[WEIR_ERRSZ];
	int rc;

	if ((rc = weir_source_watermark(&r->src, err, sizeof(err))) < 0)
		fail(r, rc, err);
	r->src.pos_in = NULL;
	r->src.pos_file = NULL;
	r->src.pos_index = r->first_index + st->curfile + 1;
}

static void
read_input(weir_srcrun *r, int nfiles, char **files, int fmt, int first)
{
	weir_stage *st = &r->st;
	weir_event ev;
	char why[WEIR_ERRSZ], msg[WEIR_ERRSZ + 300];

	r->first_index = first;
	st->stop_ends = 1;
	st->on_open = file_open;
	st->on_end = file_end;
	st->hook_arg = r;
	weir_stage_open_files(st, nfiles, files, fmt, -1, NULL);
	st->oe = &r->onerr;
	st->out = r->src.out;	/* upstream's barriers pass through the stage */
	while (!weir_source_limited(&r->src) && !weir_sig_stop() &&
	    weir_stage_next(st, &ev)) {
		switch (ev.type) {
		case WEIR_EV_RECORD:
			if (shape(r, &ev.rec, why, sizeof(why)) < 0) {
				if (weir_input_line(st->in))
					snprintf(msg, sizeof(msg), "%s:%llu: %s",
					    weir_input_name(st->in),
					    (unsigned long long)weir_input_line(st->in),
					    why);
				else
					snprintf(msg, sizeof(msg), "%s: record %llu: %s",
					    weir_input_name(st->in),
					    (unsigned long long)r->src.emitted + 1,
					    why);
				weir_onerr_bad_from(&r->onerr, msg, NULL, 0,
				    &ev.rec);
				continue;
			}
			emit(r, &ev.rec);
			break;
		case WEIR_EV_WATERMARK:
			if (!r->src.wm_on)	/* pass upstream watermarks through */
				weir_stage_forward(st, &ev);
			break;
		}
	}
	r->src.pos_in = NULL;
	weir_input_close(st->in);
	if (st->fd > 0)
		close(st->fd);
}

void
weir_srcrun_files(weir_srcrun *r, int nfiles, char **files, int fmt)
{
	long long at = weir_source_resume_int(&r->src, "index");

	if (nfiles == 0) {
		if (at < 1)	/* not read to its end yet */
			read_input(r, 0, NULL, fmt, 0);
		else
			r->src.pos_index = 1;
		return;
	}
	if (at < 0)
		at = 0;
	if (at > nfiles)
		at = nfiles;	/* files before the checkpoint's are done */
	r->src.pos_index = (int)at;
	if (at < nfiles)
		read_input(r, nfiles - (int)at, files + at, fmt, (int)at);
}

/* --- generators ------------------------------------------------------------ */

/* The stage's producer for --gen: the next generated record. */
static int
gen_produce(void *arg, weir_event *ev, char *err, size_t errsz)
{
	static const weir_record blank = { .partition = -1 };
	weir_srcrun *r = arg;
	weir_record *rec = &ev->rec;

	/* copied, where a memset and partition = -1 compile to a rep stosq:
	 * slow here, 7-10% of weir-source --gen nexmark's CPU */
	memcpy(rec, &blank, sizeof(*rec));
	r->src.scratch.len = 0;
	if (weir_gen_next(&r->gen, &r->src.scratch, &rec->ts) < 0) {
		snprintf(err, errsz, "out of memory");
		return WEIR_FAIL_NOMEM;
	}
	rec->flags = WEIR_R_TS;
	weir_record_set_packed(rec, &r->src.scratch);
	return WEIR_EV_RECORD;
}

/*
 * The event generated straight into the output's buffer, where
 * gen_produce's went there by a copy and weir_output_record (a fifth of
 * weir-source --gen nexmark's CPU): ev->rec has its time only, and
 * gen_open says so; weir_srcrun_gen closes it.
 */
static int
gen_in_place(void *arg, weir_event *ev, char *err, size_t errsz)
{
	weir_srcrun *r = arg;
	weir_buf *b = weir_output_open_record(r->src.out);

	if (!b)		/* not framed, or failed: the output says so */
		return gen_produce(arg, ev, err, errsz);
	if (weir_gen_next(&r->gen, b, &ev->rec.ts) < 0) {
		weir_output_cancel_record(r->src.out, &r->src.scratch);
		snprintf(err, errsz, "out of memory");
		return WEIR_FAIL_NOMEM;
	}
	r->gen_open = 1;
	return WEIR_EV_RECORD;
}

/* Close the event gen_in_place wrote: 1, or 0 when it is behind the
 * watermark, now in rec (with its value in the scratch) for
 * weir_source_emit, which sends that watermark first. */
static int
gen_close(weir_srcrun *r, weir_record *rec)
{
	weir_source *s = &r->src;
	char err[WEIR_ERRSZ];
	int64_t ts = rec->ts;
	int rc;

	r->gen_open = 0;
	if (weir_source_behind(s, ts)) {
		s->scratch.len = 0;
		if (weir_output_cancel_record(s->out, &s->scratch) < 0)
			weir_die_kind(WEIR_FAIL_NOMEM, "out of memory");
		rec->flags = WEIR_R_TS;
		rec->partition = -1;
		weir_record_set_packed(rec, &s->scratch);
		return 0;
	}
	if ((rc = weir_output_close_record(s->out, ts)) < 0) {
		snprintf(err, sizeof(err), "%s", weir_output_error(s->out));
		fail(r, rc, err);
	}
	if ((rc = weir_source_emitted(s, ts, err, sizeof(err))) < 0)
		fail(r, rc, err);
	return 1;
}

void
weir_srcrun_gen(weir_srcrun *r, int kind, uint64_t tps, uint64_t seed,
    int64_t start, uint32_t users)
{
	weir_source *s = &r->src;
	weir_event ev;
	weir_record rec;
	long long at = weir_source_resume_int(s, "gen");
	int shaped = s->have_key || s->have_time || s->time_now;

	weir_gen_init(&r->gen, seed, start, users);
	weir_gen_set_kind(&r->gen, kind, tps);
	if (at > 0)
		weir_gen_seek(&r->gen, (uint64_t)at);
	s->pos_gen = &r->gen;
	r->st.oe = &r->onerr;
	r->st.on_fail = out_fail;
	r->st.on_fail_arg = r;
	/* in place when only weir_source_emit's output, watermarks and
	 * barriers come after the generator */
	weir_stage_open_producer(&r->st, r->kcat || shaped || s->rate > 0 ?
	    gen_produce : gen_in_place, r);
	while (!weir_source_limited(s) && weir_stage_next(&r->st, &ev)) {
		if (r->gen_open && gen_close(r, &ev.rec))
			continue;
		rec = ev.rec;
		if (shaped) {
			char why[WEIR_ERRSZ];
			/* shaping reads the value: keep it out of its scratch */
			weir_buf val = s->scratch;
			s->scratch = (weir_buf){0};
			weir_record_set_packed(&rec, &val);
			if (shape(r, &rec, why, sizeof(why)) < 0)
				weir_die(WEIR_EXIT_DATA, "generated record: %s", why);
			emit(r, &rec);
			weir_buf_free(&s->scratch);
			s->scratch = val;
			continue;
		}
		emit(r, &rec);
	}
}

/* --- Kafka ----------------------------------------------------------------- */

/*
 * Decode the record's value and key (weir-source(1), AVRO): 0, or -1 for
 * a bad record, handled as --on-error says.  A registry that cannot be
 * reached ends the program (exit 3).
 */
static int
avro_decode(weir_srcrun *r, weir_record *rec)
{
	char err[WEIR_ERRSZ], msg[WEIR_ERRSZ * 2];
	const uint8_t *raw;
	size_t rawlen;
	int rc;

	rc = weir_avro_dec_record(r->avro, rec, &raw, &rawlen, err,
	    sizeof(err));
	if (rc == 0)
		return 0;
	if (rc != WEIR_FAIL_DATA) {
		out_fail(r);
		weir_die(weir_fail_status(rc), "%s", err);
	}
	snprintf(msg, sizeof(msg), "%.*s [%d] offset %lld: %s",
	    (int)rec->topic_len, rec->topic, (int)rec->partition,
	    (long long)rec->offset, err);
	weir_onerr_bad(&r->onerr, msg, raw, rawlen);
	return -1;
}

static void
committed_warn(const char *msg)
{
	weir_warn("%s", msg);
}

/* Output flushed: now the consumer may store the offsets of what it gave. */
static void
kafka_flush(void *arg)
{
	weir_srcrun *r = arg;
	char err[WEIR_ERRSZ];

	idle(r);
	r->kflushed = weir_mono_ms();
	if (weir_kafka_consumer_store(r->kc, err, sizeof(err)) < 0)
		weir_warn("%s", err);
}

/* The stage's producer for Kafka (lib/prog/stage.h). */
static int
kafka_produce(void *arg, weir_event *ev, char *err, size_t errsz)
{
	weir_srcrun *r = arg;
	int rc;

	rc = weir_kafka_read_next(r->kr, &ev->rec, 100, err, errsz);
	switch (rc) {
	case WEIR_KAFKA_RECORD:
		return WEIR_EV_RECORD;
	case WEIR_KAFKA_IDLE:
		return WEIR_EV_AGAIN;
	case WEIR_KAFKA_DONE:
		return WEIR_EV_END;
	}
	return rc;
}

/* What the Kafka input gives lib/stream/source.c (weir_source_ops). */
static int
kafka_watermark(void *arg, int64_t delay, int64_t idle_ms, int64_t *wm)
{
	weir_srcrun *r = arg;

	return weir_kafka_consumer_watermark(r->kc, delay, idle_ms, wm);
}

static int
kafka_position(void *arg, weir_buf *b)
{
	return weir_kafka_read_position(((weir_srcrun *)arg)->kr, b);
}

static int
kafka_save(void *arg, weir_buf *snap)
{
	return weir_kafka_read_save(((weir_srcrun *)arg)->kr, snap);
}

/* The sink committed: the group follows. */
static int
kafka_barrier_sent(void *arg, const char *dir, char *err, size_t errsz)
{
	return weir_kafka_read_committed(((weir_srcrun *)arg)->kr, dir, err,
	    errsz);
}

void
weir_srcrun_kafka(weir_srcrun *r, const weir_kafka_opts *ko)
{
	weir_source *s = &r->src;
	weir_record *rec;
	weir_event ev;
	char err[WEIR_ERRSZ], why[WEIR_ERRSZ], msg[WEIR_ERRSZ * 2];
	int rc;
	weir_source_ops ops = { .watermark = kafka_watermark,
	    .position = kafka_position, .save = kafka_save,
	    .barrier_sent = kafka_barrier_sent, .arg = r };
	weir_kafka_read_opts ro = { .committed_only = r->committed_only,
	    .progress_topic = r->progress_topic, .warn = committed_warn,
	    .flush = kafka_flush, .flush_arg = r,
	    /* a restart starts at the committed checkpoint's offsets */
	    .checkpoints = s->ckpt_every != 0, .commit_id = s->ckpt.commit.id,
	    .name = weir_cli_ckpt_name(&r->ck),
	    .resume = s->resume ? &s->ckpt.commit : NULL,
	    .times = s->ktimes.p, .times_len = s->ktimes.len };

	r->kafka = 1;
	if ((rc = weir_kafka_read_open(&r->kr, ko, &ro, err, sizeof(err))) < 0)
		weir_die(weir_fail_status(rc), "%s", err);
	r->kc = weir_kafka_read_consumer(r->kr);
	s->ops = &ops;
	r->st.oe = &r->onerr;
	r->st.on_fail = out_fail;
	r->st.on_fail_arg = r;
	r->st.on_idle = kafka_flush;	/* quiet: flush, store offsets */
	r->st.hook_arg = r;
	weir_stage_open_producer(&r->st, kafka_produce, r);
	rec = &ev.rec;
	while (!weir_source_limited(s) && weir_stage_next(&r->st, &ev)) {
		if (r->avro && avro_decode(r, rec) < 0)
			continue;
		if (shape(r, rec, why, sizeof(why)) < 0) {
			snprintf(msg, sizeof(msg), "%.*s [%d] offset %lld: %s",
			    (int)rec->topic_len, rec->topic, (int)rec->partition,
			    (long long)rec->offset, why);
			weir_onerr_bad_from(&r->onerr, msg, rec->value,
			    rec->value_len, rec);
			continue;
		}
		weir_kafka_consumer_event_time(r->kc, rec->ts);
		emit(r, rec);
		if (!(s->emitted & 1023) && weir_mono_ms() - r->kflushed >= 1000)
			kafka_flush(r);	/* a second of records */
	}
	kafka_flush(r);
	if (s->ckpt_every)	/* the last checkpoint: the end */
		barrier(r);
	/* a final commit that failed leaves what was written out to be
	 * read again: not a success */
	rc = weir_kafka_read_close(r->kr, err, sizeof(err));
	s->ops = NULL;
	r->kc = NULL;
	r->kr = NULL;
	if (rc < 0)
		weir_die(weir_fail_status(rc), "%s", err);
}

void
weir_srcrun_finish(weir_srcrun *r)
{
	if (r->kcat) {	/* kcat's text instead of a stream */
		kcat_flush(r);
		weir_onerr_report(&r->onerr);
		weir_kcat_out_free(&r->kout);
		exit(0);
	}
	if (r->src.ckpt_every && !r->kafka)	/* the last checkpoint: the end */
		barrier(r);
	r->st.out = r->src.out;	/* END, and the bad records told, by the stage */
	r->st.oe = &r->onerr;
	weir_stage_end(&r->st);
	weir_output_close(r->src.out);
	weir_source_free(&r->src);
	exit(0);
}
