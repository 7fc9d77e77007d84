/* fuzz_rules.c - the weir-check rules parser on arbitrary YAML: it must
 * never crash, every problem must be a "name:line:col: message" line, a
 * file it accepts must have rules with unique ids, and evaluating those
 * rules on a record must work. */
#include <stdio.h>
#include <stdlib.h>

#include "check.h"
#include "rules.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void
check_lines(const weir_buf *errs, int n)
{
	const char *p = (const char *)errs->p, *end = p + errs->len;
	int lines = 0;

	while (p < end) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		unsigned line, col;
		if (!nl || strncmp(p, "f.yaml:", 7) != 0 ||
		    sscanf(p + 7, "%u:%u: ", &line, &col) != 2 || !line || !col)
			__builtin_trap();
		lines++;
		p = nl + 1;
	}
	if (lines != n)
		__builtin_trap();
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	weir_rules rs;
	weir_buf errs = {0};
	char *text = malloc(size + 1);
	int n;
	size_t i, j;

	if (!text)
		return 0;
	memcpy(text, data, size);
	text[size] = 0;
	weir_rules_init(&rs);
	n = weir_rules_parse(&rs, "f.yaml", text, size, &errs);
	if (n > 0)
		check_lines(&errs, n);
	if (n == 0) {
		static const char rec[] = "{\"a\":1,\"b\":\"x\",\"c\":null}";
		weir_check_opts o = { 65536, 0, 1 };
		weir_check *c;
		weir_record r;

		for (i = 0; i < rs.n; i++)
			for (j = i + 1; j < rs.n; j++)
				if (!strcmp(rs.v[i].id, rs.v[j].id))
					__builtin_trap();
		memset(&r, 0, sizeof(r));
		r.enc = WEIR_ENC_JSON;
		r.value = (const uint8_t *)rec;
		r.value_len = sizeof(rec) - 1;
		if ((c = weir_check_new(&rs, &o))) {
			weir_check_record(c, &r, NULL);
			weir_check_record(c, &r, NULL);
			weir_check_finish(c);
			weir_check_free(c);
		}
	}
	weir_rules_free(&rs);
	weir_buf_free(&errs);
	free(text);
	return 0;
}
