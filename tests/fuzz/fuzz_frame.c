/* fuzz_frame.c - the frame decoder on arbitrary bytes: every frame it
 * accepts must re-encode and decode to the same record. */
#include "frame.h"
#include "pack.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	weir_fdec d = {0};
	weir_fenc e = {0};
	weir_frame f;
	weir_buf out = {0}, json = {0};
	char err[256];
	size_t off = 0;

	while (off < size) {
		long used = weir_frame_parse(&d, data + off, size - off, 1 << 20, &f,
		    NULL, err, sizeof(err));
		if (used <= 0)
			break;
		if (f.type == WEIR_F_RECORD) {
			weir_hdr_iter it;
			weir_hdr h;
			weir_hdr_iter_init(&it, &f.rec);
			while (weir_hdr_next(&it, &h))
				;
			if (f.rec.enc == WEIR_ENC_PACKED) {
				weir_pv pv;
				weir_pv_of(f.rec.value, f.rec.value_len, &pv);
				json.len = 0;
				if (weir_pv_to_json(&json, &pv) < 0)
					__builtin_trap();	/* validated, so writable */
			}
			out.len = 0;
			if (weir_frame_put_record(&e, &out, &f.rec) < 0 &&
			    f.rec.topic_len < 256)
				__builtin_trap();
		}
		off += (size_t)used;
	}
	weir_buf_free(&out);
	weir_buf_free(&json);
	return 0;
}
