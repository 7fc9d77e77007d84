/* fuzz_edit_lazy.c - weir-map's edits (lib/expr/edit.c) on arbitrary
 * bytes as packed values that no one validated (weir_edit_io lazy, as
 * weir-map reads a frame stream), writing packed values or JSON text: they
 * must check what they read and write out, never read outside a value,
 * and make only valid results; on a valid value they must give what the
 * checked path gives.  Input: records of one length byte then that many
 * bytes of value; every set of edits sees every record. */
#include "edit.h"
#include "pack.h"
#include "record.h"

#include <stdlib.h>
#include <string.h>

#include "packed_fuzz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define NED 4

static weir_edit *
setup(int k)
{
	weir_edit *ed = weir_edit_new();
	char err[WEIR_ERRSZ];
	int ok = ed != NULL;

	switch (k) {
	case 0:		/* Nexmark q1's shape */
		ok = ok && weir_edit_where(ed, ".t == 2", err, sizeof(err)) == 0 &&
		    weir_edit_list(ed, ".a,.b,.p,.x", 0, "--keep", err,
		    sizeof(err)) == 0 &&
		    weir_edit_assign(ed, "p=0.908 * .p", err, sizeof(err)) == 0;
		break;
	case 1:		/* drops, a rename, a nested set and key */
		ok = ok && weir_edit_list(ed, ".x,.a.b", 1, "--drop", err,
		    sizeof(err)) == 0 &&
		    weir_edit_rename(ed, "b=c", err, sizeof(err)) == 0 &&
		    weir_edit_assign(ed, ".d.e=len(.s)", err, sizeof(err)) == 0 &&
		    weir_edit_key(ed, ".k", err, sizeof(err)) == 0;
		break;
	case 2:		/* nested keeps */
		ok = ok && weir_edit_list(ed, ".a.b,.c,.\"\"", 0, "--keep",
		    err, sizeof(err)) == 0 &&
		    weir_edit_assign(ed, "c.z=.a", err, sizeof(err)) == 0;
		break;
	default:	/* the whole value read */
		ok = ok && weir_edit_where(ed, "exists(.)", err,
		    sizeof(err)) == 0 &&
		    weir_edit_list(ed, ".a", 0, "--keep", err,
		    sizeof(err)) == 0;
	}
	if (!ok || weir_edit_ready(ed, err, sizeof(err)) < 0)
		__builtin_trap();
	return ed;
}

/* The answer of ed for r (lazy or not, text or not) into out: rc, then
 * the new value (checked: a packed one validates, a text one parses). */
static void
run(weir_edit *ed, const weir_record *r, int lazy, int text, weir_buf *out,
    weir_buf *tmp)
{
	char err[WEIR_ERRSZ];
	weir_record o;
	int rc;

	weir_edit_io(ed, lazy, text);
	rc = weir_edit_apply(ed, r, &o, err, sizeof(err));
	out->len = 0;
	if (weir_buf_put(out, &rc, sizeof(rc)) < 0)
		__builtin_trap();
	if (rc != 0)
		return;
	tmp->len = 0;
	if (o.enc == WEIR_ENC_PACKED) {
		weir_pv v;
		if (weir_pack_validate(o.value, o.value_len, NULL, 0) < 0)
			__builtin_trap();
		weir_pv_of(o.value, o.value_len, &v);
		if (weir_pv_to_json(tmp, &v) < 0)
			__builtin_trap();
	} else if (o.enc != WEIR_ENC_JSON ||
	    weir_pack_json(tmp, o.value, o.value_len, NULL, 0) < 0 ||
	    (tmp->len = 0, weir_buf_put(tmp, o.value, o.value_len)) < 0)
		__builtin_trap();
	if (weir_buf_put(out, tmp->p, tmp->len) < 0 ||
	    ((o.flags & WEIR_R_KEY) && weir_buf_put(out, o.key,
	    o.key_len) < 0))
		__builtin_trap();
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static weir_edit *ed[NED];
	weir_buf want = { 0 }, got = { 0 }, tmp = { 0 };
	size_t i = 0, n, k;
	weir_record r;
	uint8_t *v;
	int text, valid;

	for (k = 0; k < NED; k++)
		if (!ed[k])
			ed[k] = setup((int)k);
	while ((v = fuzz_next_value(data, size, &i, &r))) {
		n = r.value_len;
		valid = weir_pack_validate(v, n, NULL, 0) == 0;
		for (k = 0; k < NED; k++) {
			if (valid)
				run(ed[k], &r, 0, 0, &want, &tmp);
			for (text = 0; text < 2; text++) {
				int rc;
				run(ed[k], &r, 1, text, &got, &tmp);
				memcpy(&rc, got.p, sizeof(rc));
				/* refused as corrupt only when it is */
				if (rc == WEIR_FAIL_IO && valid)
					__builtin_trap();
				/* a valid value: what the checked path gives */
				if (valid && (got.len != want.len ||
				    memcmp(got.p, want.p, got.len) != 0))
					__builtin_trap();
			}
		}
		free(v);
	}
	weir_buf_free(&want);
	weir_buf_free(&got);
	weir_buf_free(&tmp);
	return 0;
}
