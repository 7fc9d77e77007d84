/* fuzz_agg.c - weir-agg's engine on arbitrary JSON values: every function
 * over fields of any type, windows opening and closing, updates and
 * snapshots; every result must be a valid packed object. */
#include "agg.h"
#include "pack.h"
#include "record.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const char *funcs[] = {
	"count", "sum:.x", "avg:.x", "min:.x", "max:.x", "first:.x",
	"last:.y", "distinct:.x", "approx_distinct:.y", "p50:.x",
	"p99.9:.x", "topk:2:.x", "stddev:.x", "topk:1:.", "distinct:.",
};

static int
check(void *arg, const weir_record *r)
{
	weir_buf *t = arg;
	weir_pv v;

	if (weir_pack_validate(r->value, r->value_len, NULL, 0) < 0)
		__builtin_trap();
	weir_pv_of(r->value, r->value_len, &v);
	if (v.type != WEIR_PV_OBJECT)
		__builtin_trap();
	t->len = 0;
	if (weir_pv_to_json(t, &v) < 0)
		__builtin_trap();
	return 0;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	weir_agg *a = weir_agg_new();
	weir_buf p = {0}, t = {0};
	char err[WEIR_ERRSZ];
	size_t i, start = 0, line = 0;
	weir_agg_ref ref;
	weir_record r;
	int oom;

	if (weir_agg_add_groups(a, ".g,.x", err, sizeof(err)) < 0)
		__builtin_trap();
	for (i = 0; i < sizeof(funcs) / sizeof(funcs[0]); i++)
		if (weir_agg_add_func(a, funcs[i], err, sizeof(err)) < 0)
			__builtin_trap();
	if (weir_agg_ready(a, err, sizeof(err)) < 0)
		__builtin_trap();
	for (i = 0; i <= size; i++) {
		if (i < size && data[i] != '\n')
			continue;
		p.len = 0;
		memset(&r, 0, sizeof(r));
		if (weir_pack_json(&p, data + start, i - start, NULL, 0) == 0) {
			weir_record_set_packed(&r, &p);
			if (line % 4) {	/* hopping-like windows, some negative */
				r.flags |= WEIR_R_WINDOW;
				r.win_start = (int64_t)(line % 5) * 10 - 20;
				r.win_end = r.win_start + 30;
			}
			if (weir_agg_add(a, &r, &ref, &oom, err,
			    sizeof(err)) == 0 && line % 3 == 0)
				weir_agg_emit_group(a, &ref, check, &t);
		}
		if (line % 7 == 6)
			weir_agg_close(a, (int64_t)(line % 5) * 10 - 10, 1,
			    check, &t);
		if (line % 11 == 10)
			weir_agg_snapshot(a, check, &t);
		start = i + 1;
		line++;
	}
	weir_agg_close_all(a, 1, check, &t);
	weir_agg_free(a);
	weir_buf_free(&p);
	weir_buf_free(&t);
	return 0;
}
