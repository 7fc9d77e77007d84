/* fuzz_agg.c - weir-agg's engine on arbitrary JSON values: every function
 * over fields of any type, windows opening and closing, updates and
 * snapshots, HOP records; every result must be a valid packed object. */
#include "agg.h"
#include "pack.h"
#include "record.h"

#include "agg_fuzz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const char *const funcs[] = {
	"count", "sum:.x", "avg:.x", "min:.x", "max:.x", "first:.x",
	"last:.y", "distinct:.x", "approx_distinct:.y", "p50:.x",
	"p99.9:.x", "topk:2:.x", "stddev:.x", "topk:1:.", "distinct:.",
};

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	weir_agg *a = agg_setup(".g,.x", funcs,
	    sizeof(funcs) / sizeof(funcs[0]));
	weir_buf p = {0}, t = {0};
	char err[WEIR_ERRSZ];
	size_t i, start = 0, line = 0;
	weir_agg_ref ref;
	weir_record r;

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
			if (line % 4 == 3) {	/* HOP: in 1 to 6 windows */
				uint32_t late;
				r.flags |= WEIR_R_HOP;
				r.hop_advance = 10;
				r.hop_count = (uint32_t)(line % 6) + 1;
				weir_agg_add_hop(a, &r, &late, err, sizeof(err));
			} else if (weir_agg_add(a, &r, &ref, err,
			    sizeof(err)) == 0 && line % 3 == 0)
				weir_agg_emit_group(a, &ref, check_result, &t);
		}
		if (line % 7 == 6)
			weir_agg_close(a, (int64_t)(line % 5) * 10 - 10, 1,
			    check_result, &t);
		if (line % 11 == 10)
			weir_agg_snapshot(a, check_result, &t);
		start = i + 1;
		line++;
	}
	weir_agg_close_all(a, 1, check_result, &t);
	weir_agg_free(a);
	weir_buf_free(&p);
	weir_buf_free(&t);
	return 0;
}
