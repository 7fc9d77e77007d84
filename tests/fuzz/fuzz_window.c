/* fuzz_window.c - window assignment and sessions on arbitrary event times,
 * keys and watermarks: no overflow, no crash, every window holds its
 * record, and every record kept comes back out exactly once. */
#include <stdio.h>

#include "window.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static size_t kept, emitted;

static int
count(void *arg, const weir_record *r)
{
	(void)arg;
	if (!(r->flags & WEIR_R_WINDOW) || r->ts < r->win_start ||
	    r->ts >= r->win_end)
		__builtin_trap();
	emitted++;
	return 0;
}

static int64_t
take(const uint8_t **p, const uint8_t *end, int n)
{
	uint64_t v = 0;
	int i;

	for (i = 0; i < n && *p < end; i++)
		v = v << 8 | *(*p)++;
	return (int64_t)v;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const uint8_t *p = data, *end = data + size;
	weir_window_spec w;
	weir_window_sessions *s;
	weir_window_iter it;
	weir_record r;
	char err[256], sz[32], adv[32];
	char *words[3] = { "hopping", sz, adv };
	int64_t cutoff = INT64_MIN, ts, a, b, prev = 0;
	uint8_t key;

	if (size < 4)
		return 0;
	snprintf(sz, sizeof(sz), "%d", 1 + (int)take(&p, end, 1));
	snprintf(adv, sizeof(adv), "%d", 1 + (int)take(&p, end, 1));
	if (weir_window_parse(&w, words, 3, take(&p, end, 1) - 128, err,
	    sizeof(err)) < 0)
		w.size = w.advance = 1, w.offset = 0, w.kind = 0;
	s = weir_window_sessions_new(1 + take(&p, end, 1));
	if (!s)
		return 0;
	kept = emitted = 0;
	memset(&r, 0, sizeof(r));
	r.flags = WEIR_R_TS | WEIR_R_KEY;
	r.enc = WEIR_ENC_NULL;
	while (p < end) {
		int op = *p++;
		switch (op & 3) {
		case 0:		/* a watermark, up by a little */
			cutoff = (cutoff == INT64_MIN ? -300 : cutoff) +
			    take(&p, end, 1);
			if (weir_window_sessions_close(s, cutoff, count, NULL, err,
			    sizeof(err)) != 0)
				__builtin_trap();
			break;
		case 3:		/* an extreme time */
			ts = take(&p, end, 8);
			goto rec;
		default:	/* a time near the watermark */
			ts = (cutoff == INT64_MIN ? 0 : cutoff) - 128 +
			    take(&p, end, 1);
		rec:
			if (weir_window_iter_init(&it, &w, ts, err,
			    sizeof(err)) == 0) {
				int n = 0;
				while (weir_window_iter_next(&it, &a, &b)) {
					if (ts < a || ts >= b || (n && a <= prev) ||
					    b - a != w.size)
						__builtin_trap();
					prev = a;
					n++;
				}
				if (n < w.size / w.advance ||
				    n > (w.size + w.advance - 1) / w.advance)
					__builtin_trap();
			}
			key = (uint8_t)(op >> 2 & 7);
			r.ts = ts;
			r.key = &key;
			r.key_len = 1;
			switch (weir_window_sessions_add(s, &key, 1, &r, cutoff,
			    &a, &b, err, sizeof(err))) {
			case 0:
				kept++;
				break;
			case 1:
				if (b > cutoff || a != ts)
					__builtin_trap();
				break;
			case -2:
				weir_window_sessions_free(s);
				return 0;
			}
		}
	}
	if (weir_window_sessions_close(s, INT64_MAX, count, NULL, err,
	    sizeof(err)) != 0 || emitted != kept ||
	    weir_window_sessions_open(s) || weir_window_sessions_records(s))
		__builtin_trap();
	weir_window_sessions_free(s);
	return 0;
}
