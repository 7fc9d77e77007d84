/* fuzz_kafka.c - the text weir-source and weir-sink take for Kafka: -o
 * offsets and -X property lines (from -X @FILE).  A parsed offset must
 * print back to what was given; a split property must be trimmed. */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>

#include "kafka.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *s = malloc(size + 1), *name, *value, back[64];
	int kind, r;
	int64_t v;

	if (!s)
		return 0;
	memcpy(s, data, size);
	s[size] = '\0';
	if (weir_kafka_offset_parse(s, &kind, &v) == 0) {
		if (v < 0)
			__builtin_trap();
		switch (kind) {
		case WEIR_KOFF_ABS:
			snprintf(back, sizeof(back), "%lld", (long long)v);
			break;
		case WEIR_KOFF_TAIL:
			snprintf(back, sizeof(back), "-%lld", (long long)v);
			break;
		case WEIR_KOFF_START_TS:
		case WEIR_KOFF_STOP_TS:
			snprintf(back, sizeof(back), "%c@%lld",
			    kind == WEIR_KOFF_START_TS ? 's' : 'e', (long long)v);
			break;
		default:
			snprintf(back, sizeof(back), "%s", s);
		}
		/* leading zeros and a '+' are the only other spellings */
		if (strcmp(back, s) && !strchr(s, '0') && !strchr(s, '+'))
			__builtin_trap();
	}
	r = weir_kafka_prop_split(s, &name, &value);
	if (r > 0 && (!*name || isspace((unsigned char)name[0]) ||
	    (*value && isspace((unsigned char)value[strlen(value) - 1])) ||
	    strchr(name, '=')))
		__builtin_trap();
	free(s);
	return 0;
}
