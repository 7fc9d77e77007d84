/* test_envelope.c - weir_envelope_put on values given as JSON text. */
#include "unit.h"

#include <stdio.h>
#include <stdlib.h>

#include "envelope.h"
#include "frame.h"

/*
 * A JSON-text value is packed into scratch to see whether it can go into
 * the envelope inline; the check that writes it back must not write into
 * scratch, whose growth would move the packed bytes it reads.  Values of
 * every size up to 600 bytes, with scratch fresh each time, so that its
 * growth falls at every point; ASan catches a read of moved bytes.
 */
static void
test_json_values(void)
{
	weir_buf b = { 0 }, sc = { 0 }, txt = { 0 }, want = { 0 };
	weir_record r;
	int n, i, bad = 0;

	for (n = 0; n < 600; n++) {
		txt.len = 0;
		weir_buf_puts(&txt, "{\"a\":[");
		for (i = 0; i < n; i++)
			weir_buf_printf(&txt, "%s%d", i ? "," : "", i % 10);
		weir_buf_puts(&txt, "]}");
		memset(&r, 0, sizeof(r));
		r.enc = WEIR_ENC_JSON;
		r.value = txt.p;
		r.value_len = txt.len;
		weir_buf_free(&sc);
		b.len = 0;
		if (weir_envelope_put(&b, &r, &sc) < 0) {
			bad++;
			continue;
		}
		want.len = 0;
		weir_buf_puts(&want, "{\"value\":");
		weir_buf_put(&want, txt.p, txt.len);
		weir_buf_putc(&want, '}');
		if (b.len != want.len || memcmp(b.p, want.p, b.len) != 0)
			bad++;
	}
	CHECK(bad == 0);
	weir_buf_free(&b);
	weir_buf_free(&sc);
	weir_buf_free(&txt);
	weir_buf_free(&want);
}

int
main(void)
{
	test_json_values();
	UNIT_DONE();
}
