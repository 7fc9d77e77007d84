/*
 * window.c - window assignment (window.h): tumbling and hopping windows,
 * the cutoff, group keys.  Session windows are window_session.c.
 */
#include "window.h"

#include "dur.h"
#include "record.h"

static const char *const kinds[] = { "tumbling", "hopping", "session" };

static int
parse_dur(const char *what, const char *s, int64_t *ms, char *err,
    size_t errsz)
{
	char e[WEIR_ERRSZ];

	if (weir_dur_parse(s, ms, e, sizeof(e)) < 0) {
		weir_seterr(err, errsz, "%s: %s", what, e);
		return WEIR_FAIL_USAGE;
	}
	if (*ms <= 0) {
		weir_seterr(err, errsz, "%s must be more than 0 (got '%s')", what,
		    s);
		return WEIR_FAIL_USAGE;
	}
	return 0;
}

int
weir_window_parse(weir_window_spec *w, char *const *words, int n,
    int64_t offset, char *err, size_t errsz)
{
	int k, need;

	memset(w, 0, sizeof(*w));
	if (n < 1) {
		weir_seterr(err, errsz, "no window given (tumbling SIZE, "
		    "hopping SIZE ADVANCE or session GAP)");
		return WEIR_FAIL_USAGE;
	}
	for (k = 0; k < 3; k++)
		if (!strcmp(words[0], kinds[k]))
			break;
	if (k == 3) {
		weir_seterr(err, errsz, "unknown window '%s' (tumbling SIZE, "
		    "hopping SIZE ADVANCE or session GAP)", words[0]);
		return WEIR_FAIL_USAGE;
	}
	w->kind = k;
	need = k == WEIR_WINDOW_HOPPING ? 3 : 2;
	if (n < need) {
		weir_seterr(err, errsz, "%s needs %s", words[0],
		    k == WEIR_WINDOW_HOPPING ? "SIZE and ADVANCE" :
		    k == WEIR_WINDOW_SESSION ? "a GAP" : "a SIZE");
		return WEIR_FAIL_USAGE;
	}
	if (k == WEIR_WINDOW_SESSION) {
		if (parse_dur("GAP", words[1], &w->gap, err, errsz) < 0)
			return WEIR_FAIL_USAGE;
		if (offset) {
			weir_seterr(err, errsz, "--offset does not apply to "
			    "session windows");
			return WEIR_FAIL_USAGE;
		}
		return need;
	}
	if (parse_dur("SIZE", words[1], &w->size, err, errsz) < 0)
		return WEIR_FAIL_USAGE;
	w->advance = w->size;
	if (k == WEIR_WINDOW_HOPPING) {
		if (parse_dur("ADVANCE", words[2], &w->advance, err, errsz) < 0)
			return WEIR_FAIL_USAGE;
		if (w->advance > w->size) {
			weir_seterr(err, errsz, "ADVANCE (%s) is longer than SIZE "
			    "(%s): records between windows would be lost",
			    words[2], words[1]);
			return WEIR_FAIL_USAGE;
		}
		if ((w->size + w->advance - 1) / w->advance >
		    WEIR_WINDOW_MAX_COPIES) {
			weir_seterr(err, errsz, "hopping %s %s puts each record "
			    "in more than %d windows", words[1], words[2],
			    WEIR_WINDOW_MAX_COPIES);
			return WEIR_FAIL_USAGE;
		}
	}
	w->offset = offset % w->advance;
	if (w->offset < 0)
		w->offset += w->advance;
	return need;
}

int
weir_window_align(int64_t ts, int64_t step, int64_t offset, int64_t *start)
{
	/* ts - start, in [0, step): the floored remainder of ts - offset */
	int64_t d = ts % step - offset;

	while (d < 0)
		d += step;
	return __builtin_sub_overflow(ts, d, start) ? -1 : 0;
}

int64_t
weir_window_cutoff(int64_t watermark, int64_t grace)
{
	int64_t c;

	if (__builtin_sub_overflow(watermark, grace, &c))
		return INT64_MIN;
	return c;
}

int
weir_window_iter_init(weir_window_iter *it, const weir_window_spec *w,
    int64_t ts, char *err, size_t errsz)
{
	int64_t last, k, first, end;

	it->size = w->size;
	it->advance = w->advance;
	it->done = 0;
	/* the newest window starts at the aligned slot of ts; the oldest is
	 * the earliest aligned start still > ts - size */
	if (weir_window_align(ts, w->advance, w->offset, &last) < 0 ||
	    __builtin_add_overflow(last, w->size, &end))
		goto range;
	k = (last - ts + w->size - 1) / w->advance;
	if (__builtin_mul_overflow(k, w->advance, &first) ||
	    __builtin_sub_overflow(last, first, &first))
		goto range;
	it->next = first;
	it->last = last;
	return 0;
range:
	weir_seterr(err, errsz, "event time %lld is out of range for %s "
	    "windows", (long long)ts, kinds[w->kind]);
	return WEIR_FAIL_DATA;
}

int
weir_window_iter_next(weir_window_iter *it, int64_t *start, int64_t *end)
{
	if (it->done)
		return 0;
	*start = it->next;
	*end = it->next + it->size;
	if (it->next == it->last)
		it->done = 1;
	else
		it->next += it->advance;
	return 1;
}

int
weir_window_group_key(weir_buf *out, const weir_record *r,
    const weir_path *paths, size_t npaths, weir_buf *scratch, char *err,
    size_t errsz)
{
	weir_pv root, v;
	size_t i;
	int rc;

	out->len = 0;
	if (!npaths) {
		if (!(r->flags & WEIR_R_KEY)) {
			if (weir_buf_putc(out, 'n') < 0)
				goto nomem;
		} else if (weir_buf_putc(out, 'k') < 0 ||
		    weir_buf_put(out, r->key, r->key_len) < 0)
			goto nomem;
		return 0;
	}
	if ((rc = weir_record_json(r, scratch, &root)) <= 0) {
		if (rc == WEIR_FAIL_NOMEM)
			goto nomem;
		weir_seterr(err, errsz, "value is not JSON, cannot group by %s",
		    paths[0].text);
		return WEIR_FAIL_DATA;
	}
	for (i = 0; i < npaths; i++) {
		/* canonical packed values (one group per value, as weir-agg),
		 * which delimit themselves */
		if ((weir_path_get(&paths[i], &root, &v) ?
		    weir_pv_canon(out, &v) : weir_pack_null(out)) < 0)
			goto nomem;
	}
	return 0;
nomem:
	weir_seterr(err, errsz, "out of memory");
	return WEIR_FAIL_NOMEM;
}
