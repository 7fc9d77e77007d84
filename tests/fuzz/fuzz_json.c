/* fuzz_json.c - the JSON packer on arbitrary text: what it accepts must
 * validate, and packing its output again must give the same text. */
#include "pack.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	weir_buf p1 = {0}, p2 = {0}, t1 = {0}, t2 = {0};
	weir_pv v;

	if (weir_pack_json(&p1, data, size, NULL, 0) == 0) {
		if (weir_pack_validate(p1.p, p1.len, NULL, 0) < 0)
			__builtin_trap();
		weir_pv_of(p1.p, p1.len, &v);
		if (weir_pv_to_json(&t1, &v) < 0)
			__builtin_trap();
		if (weir_pack_json(&p2, t1.p, t1.len, NULL, 0) < 0)
			__builtin_trap();
		weir_pv_of(p2.p, p2.len, &v);
		weir_pv_to_json(&t2, &v);
		if (t1.len != t2.len || memcmp(t1.p, t2.p, t1.len) ||
		    p1.len != p2.len || memcmp(p1.p, p2.p, p1.len))
			__builtin_trap();
	}
	/* arbitrary bytes as a packed value: validate, and if valid, walk */
	if (weir_pack_validate(data, size, NULL, 0) == 0) {
		weir_pv_of(data, size, &v);
		t1.len = 0;
		if (weir_pv_to_json(&t1, &v) < 0)
			__builtin_trap();
	}
	weir_buf_free(&p1);
	weir_buf_free(&p2);
	weir_buf_free(&t1);
	weir_buf_free(&t2);
	return 0;
}
