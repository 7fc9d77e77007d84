/*
 * source.c - weir-source's work on every record, whatever it reads
 * (source.h): shaping, the way out with watermarks and pacing, and the
 * source's own checkpoints.
 */
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>

#include "dur.h"
#include "io.h"
#include "json.h"
#include "pace.h"
#include "source.h"

void
weir_source_init(weir_source *s)
{
	memset(s, 0, sizeof(*s));
	s->timefmt = WEIR_TIME_MS;
	s->max_ts = INT64_MIN;
	s->last_wm = INT64_MIN;
}

void
weir_source_free(weir_source *s)
{
	weir_buf_free(&s->scratch);
	weir_buf_free(&s->keybuf);
	weir_buf_free(&s->payload);
	weir_buf_free(&s->snap);
	weir_buf_free(&s->ktimes);
	if (s->have_key)
		weir_path_free(&s->keyp);
	if (s->have_time)
		weir_path_free(&s->timep);
	json_decref(s->resume);
	s->resume = NULL;
}

int
weir_source_limited(const weir_source *s)
{
	return s->limit && s->emitted >= s->limit;
}

/* A failed write: its message. */
static int
out_fail(weir_source *s, int rc, char *err, size_t errsz)
{
	weir_seterr(err, errsz, "%s", weir_output_error(s->out));
	return rc;
}

int
weir_source_shape(weir_source *s, weir_record *r, char *why, size_t whysz)
{
	weir_pv root, v;
	int want_key = s->have_key, want_time = s->have_time, rc;

	if (s->cdc.kind) {	/* the change sets value and key (-k) */
		if ((rc = weir_cdc_apply(&s->cdc, r, why, whysz)) < 0)
			return rc == WEIR_FAIL_NOMEM ? rc : WEIR_FAIL_DATA;
		want_key = 0;
		want_time = s->have_time && r->enc != WEIR_ENC_NULL;
	}
	if (want_key || want_time) {
		if ((rc = weir_record_json(r, &s->scratch, &root)) <= 0) {
			if (rc == WEIR_FAIL_NOMEM) {
				weir_seterr(why, whysz, "out of memory");
				return rc;
			}
			snprintf(why, whysz, "value is not JSON, cannot read %s",
			    want_key ? s->keyp.text : s->timep.text);
			return WEIR_FAIL_DATA;
		}
		if (want_key) {
			if ((rc = weir_key_from_path(&s->keyp, &root,
			    &s->keybuf, why, whysz)) < 0)
				return rc == WEIR_FAIL_NOMEM ? rc : WEIR_FAIL_DATA;
			r->key = s->keybuf.p ? s->keybuf.p : (const uint8_t *)"";
			r->key_len = s->keybuf.len;
			r->flags |= WEIR_R_KEY;
		}
		if (want_time) {
			if (!weir_path_get(&s->timep, &root, &v) ||
			    v.type == WEIR_PV_NULL) {
				snprintf(why, whysz, "no event time field %s",
				    s->timep.text);
				return WEIR_FAIL_DATA;
			}
			if (weir_time_from_pv(&v, s->timefmt, &r->ts) < 0) {
				snprintf(why, whysz, "event time field %s is not %s",
				    s->timep.text, s->timefmt == WEIR_TIME_ISO8601 ?
				    "an ISO 8601 date-time" : "a number");
				return WEIR_FAIL_DATA;
			}
			r->flags |= WEIR_R_TS;
		}
	}
	if (s->time_now) {
		r->ts = weir_now_ms();
		r->flags |= WEIR_R_TS;
	}
	if (s->wm_on && !(r->flags & WEIR_R_TS)) {
		snprintf(why, whysz, "record has no event time for --max-delay "
		    "(use --time PATH)");
		return WEIR_FAIL_DATA;
	}
	if (s->out && weir_output_too_big(s->out, r)) {	/* its readers would refuse it */
		snprintf(why, whysz, "%s", weir_output_error(s->out));
		return WEIR_FAIL_DATA;
	}
	return 0;
}

int
weir_source_watermark(weir_source *s, char *err, size_t errsz)
{
	int64_t wm;
	int rc;

	if (!s->wm_on)
		return 0;
	if (s->ops && s->ops->watermark) {	/* per partition, the minimum */
		if (!s->ops->watermark(s->ops->arg, s->max_delay, s->idle_ms,
		    &wm))
			return 0;
	} else if (s->max_ts == INT64_MIN)
		return 0;
	else
		wm = s->max_ts - s->max_delay;
	if (wm > s->last_wm) {
		if ((rc = weir_output_watermark(s->out, wm)) < 0)
			return out_fail(s, rc, err, errsz);
		s->last_wm = wm;
	}
	s->since_wm = 0;
	return 0;
}

/* A barrier when one is due (--checkpoint). */
static int
maybe_barrier(weir_source *s, char *err, size_t errsz)
{
	if (s->ckpt_every && weir_mono_ms() >= s->ckpt_due)
		return weir_source_barrier(s, err, errsz);
	return 0;
}

int
weir_source_idle(weir_source *s, char *err, size_t errsz)
{
	int rc;

	if ((rc = weir_source_watermark(s, err, errsz)) < 0 ||
	    (rc = maybe_barrier(s, err, errsz)) < 0)
		return rc;
	if ((rc = weir_output_flush(s->out)) < 0)
		return out_fail(s, rc, err, errsz);
	return 0;
}

/* --rate, while a record waits: no barrier here, the record being paced
 * is not out yet. */
static int
pace_idle(void *arg, char *err, size_t errsz)
{
	weir_source *s = arg;
	int rc;

	if ((rc = weir_source_watermark(s, err, errsz)) < 0)
		return rc;
	if ((rc = weir_output_flush(s->out)) < 0)
		return out_fail(s, rc, err, errsz);
	return 0;
}

/*
 * Watermark cadence (weir-source(1), WATERMARKS): a record that is behind
 * the watermark the records so far allow is preceded by that watermark, so
 * whether a record is late downstream depends on the data alone, never on
 * how input bytes happened to arrive.  Otherwise watermarks go out every
 * 1024 records and whenever input pauses.
 */
int
weir_source_emit(weir_source *s, const weir_record *r, char *err,
    size_t errsz)
{
	int rc;

	if (s->rate > 0) {	/* hold record number paced back until due */
		if ((rc = weir_pace(s->pace_t0, s->paced, s->rate, pace_idle, s,
		    err, errsz)) < 0)
			return rc;
		s->paced++;
	}
	if (weir_source_behind(s, r->ts) &&
	    (rc = weir_source_watermark(s, err, errsz)) < 0)
		return rc;
	if ((rc = weir_output_record(s->out, r)) < 0)
		return out_fail(s, rc, err, errsz);
	return weir_source_emitted(s, r->ts, err, errsz);
}

int
weir_source_emitted(weir_source *s, int64_t ts, char *err, size_t errsz)
{
	int rc;

	s->emitted++;
	if (s->unbuffered && (rc = weir_output_flush(s->out)) < 0)
		return out_fail(s, rc, err, errsz);
	if (s->wm_on) {
		if (ts > s->max_ts)
			s->max_ts = ts;
		if (++s->since_wm >= 1024 &&
		    (rc = weir_source_watermark(s, err, errsz)) < 0)
			return rc;
	}
	if (s->ckpt_every && !(s->emitted & 63))
		return maybe_barrier(s, err, errsz);
	return 0;
}

/* --- checkpoints (weir(7), CHECKPOINTS) --------------------------------- */

/* This source's position, as the barrier payload {"NAME": {...}}. */
static int
position(weir_source *s, weir_buf *b)
{
	const char *file = s->pos_file ? s->pos_file : "-";
	int rc = 0;

	b->len = 0;
	rc |= weir_buf_putc(b, '{');
	rc |= weir_json_str(b, (const uint8_t *)s->name, strlen(s->name));
	rc |= weir_buf_putc(b, ':');
	if (s->pos_gen)
		rc |= weir_buf_printf(b, "{\"gen\":%llu}",
		    (unsigned long long)s->pos_gen->i);
	else if (s->ops && s->ops->position)
		rc |= s->ops->position(s->ops->arg, b);
	else {
		rc |= weir_buf_puts(b, "{\"file\":");
		rc |= weir_json_str(b, (const uint8_t *)file, strlen(file));
		rc |= weir_buf_printf(b, ",\"index\":%d,\"offset\":%llu}",
		    s->pos_index, (unsigned long long)(s->pos_in ?
		    weir_input_bytes(s->pos_in) : 0));
	}
	rc |= weir_buf_putc(b, '}');
	return rc ? -1 : 0;
}

/*
 * BARRIER N: save this source's own state (watermark, counts) as N's
 * snapshot, then send the barrier with the position after the last record
 * sent.  The sink commits N once everything before it is durable.
 */
int
weir_source_barrier(weir_source *s, char *err, size_t errsz)
{
	uint64_t skipped = s->skipped ? *s->skipped : 0;
	int rc;

	s->snap.len = 0;
	if (position(s, &s->payload) < 0 ||
	    weir_sw_i64(&s->snap, s->max_ts) < 0 ||
	    weir_sw_i64(&s->snap, s->last_wm) < 0 ||
	    weir_sw_u64(&s->snap, s->emitted) < 0 ||
	    weir_sw_u64(&s->snap, skipped) < 0 ||
	    (s->ops && s->ops->save &&	/* the watermark's */
	    s->ops->save(s->ops->arg, &s->snap) < 0)) {
		weir_seterr(err, errsz, "out of memory");
		return WEIR_FAIL_NOMEM;
	}
	rc = weir_ckpt_save(&s->ckpt, s->ckpt_id, s->snap.p, s->snap.len, err,
	    errsz);
	if (rc < 0)
		return rc;
	if ((rc = weir_output_barrier(s->out, s->ckpt_id, s->payload.p,
	    s->payload.len)) < 0)
		return out_fail(s, rc, err, errsz);
	s->ckpt_id++;
	s->ckpt_due = weir_mono_ms() + s->ckpt_every;
	if (s->ops && s->ops->barrier_sent)	/* the sink committed: the group follows */
		return s->ops->barrier_sent(s->ops->arg, s->ckpt.dir, err,
		    errsz);
	return 0;
}

/*
 * Open the state, load this source's snapshot of the committed checkpoint
 * and find its position there (s->resume).  After a finished run (final)
 * the position still holds: a file read to its end is not read again.
 */
int
weir_source_ckpt_open(weir_source *s, const char *dir, const char *name,
    const char *kind, uint64_t fp, int reset, void (*skip_input)(weir_rd *),
    char *err, size_t errsz)
{
	weir_commit *cm = &s->ckpt.commit;
	json_error_t je;
	json_t *root;
	weir_rd rd;
	int rc;

	s->name = name;
	rc = weir_ckpt_open(&s->ckpt, dir, name, kind, fp, reset, err, errsz);
	if (rc < 0)
		return rc;
	s->ckpt.load_final = 1;
	rc = weir_ckpt_restore(&s->ckpt, &s->snap, err, errsz);
	if (rc < 0)
		return rc;
	s->ckpt_id = cm->id + 1;
	s->ckpt_due = weir_mono_ms() + s->ckpt_every;
	if (rc == 0)
		return 0;
	weir_rd_init(&rd, s->snap.p, s->snap.len);
	s->max_ts = weir_rd_i64(&rd);
	s->last_wm = weir_rd_i64(&rd);
	s->emitted = weir_rd_u64(&rd);
	if (s->skipped)
		*s->skipped = weir_rd_u64(&rd);
	else
		(void)weir_rd_u64(&rd);
	if (!rd.bad && rd.p < rd.end &&	/* the input's (ops->save) */
	    weir_buf_put(&s->ktimes, rd.p, (size_t)(rd.end - rd.p)) < 0) {
		weir_seterr(err, errsz, "out of memory");
		return WEIR_FAIL_NOMEM;
	}
	if (skip_input)
		skip_input(&rd);
	if (weir_rd_done(&rd, "source state", err, errsz) < 0) {
		char why[WEIR_ERRSZ];

		snprintf(why, sizeof(why), "%s", err);
		weir_seterr(err, errsz, "%s/%llu.snap: %s", s->ckpt.sdir,
		    (unsigned long long)cm->id, why);
		return WEIR_FAIL_USAGE;
	}
	root = json_loadb((const char *)cm->positions.p, cm->positions.len, 0,
	    &je);
	s->resume = root ? json_incref(json_object_get(root, name)) : NULL;
	json_decref(root);
	if (!json_is_object(s->resume)) {
		weir_seterr(err, errsz, "%s/%s: checkpoint %llu holds no "
		    "position for source '%s'", dir, WEIR_COMMIT_NAME,
		    (unsigned long long)cm->id, name);
		return WEIR_FAIL_USAGE;
	}
	return 1;
}

long long
weir_source_resume_int(const weir_source *s, const char *field)
{
	json_t *v = s->resume ? json_object_get(s->resume, field) : NULL;

	return json_is_integer(v) ? json_integer_value(v) : -1;
}
