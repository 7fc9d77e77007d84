/* fuzz_agg_lazy.c - weir-agg's engine on arbitrary bytes as packed values
 * that no one validated (weir_agg_check_reads, as weir-agg reads a frame
 * stream): it must check what it reads, never read outside a value, and
 * make only valid results.  Input: records of one length byte then that
 * many bytes of value; the one-pass lookup (one-key paths) and the
 * general one (a path of two steps) each see every record. */
#include "agg.h"
#include "pack.h"
#include "record.h"

#include <stdlib.h>

#include "agg_fuzz.h"
#include "packed_fuzz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const char *const funcs[] = {
	"count", "sum:.x", "avg:.x", "min:.x", "max:.y", "first:.x",
	"last:.y", "distinct:.x", "approx_distinct:.y", "p50:.x",
	"topk:2:.x",
};

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	weir_agg *a[2] = { agg_setup(".g", funcs, sizeof(funcs) /
	    sizeof(funcs[0])), agg_setup(".g.h", funcs, sizeof(funcs) /
	    sizeof(funcs[0])) };
	weir_buf t = {0};
	char err[WEIR_ERRSZ];
	size_t i = 0, n, line = 0, k;
	weir_agg_ref ref;
	weir_record r;
	uint8_t *v;

	for (k = 0; k < 2; k++)
		if (weir_agg_check_reads(a[k]) != 1)
			__builtin_trap();
	while ((v = fuzz_next_value(data, size, &i, &r))) {
		n = r.value_len;
		if (line % 3) {
			r.flags |= WEIR_R_WINDOW;
			r.win_start = (int64_t)(line % 4) * 10;
			r.win_end = r.win_start + 20;
		}
		for (k = 0; k < 2; k++) {
			int rc = weir_agg_add(a[k], &r, &ref, err, sizeof(err));
			/* added only when what it read is valid */
			if (rc == 0 && line % 2 == 0)
				weir_agg_emit_group(a[k], &ref, check_result, &t);
			if (rc == WEIR_FAIL_IO &&
			    weir_pack_validate(v, n, NULL, 0) == 0)
				__builtin_trap();
		}
		free(v);
		if (line % 5 == 4)
			for (k = 0; k < 2; k++)
				weir_agg_close(a[k], (int64_t)(line % 4) * 10, 1,
				    check_result, &t);
		line++;
	}
	for (k = 0; k < 2; k++) {
		weir_agg_close_all(a[k], 1, check_result, &t);
		weir_agg_free(a[k]);
	}
	weir_buf_free(&t);
	return 0;
}
