/* fmt.c - the names of the stream formats (see fmt.h). */
#include "fmt.h"

#include <string.h>
#include <strings.h>

static const char *fmtnames[] = {
	"auto", "framed", "ndjson", "csv", "tsv", "lines", "raw", "envelope",
	"table"
};

int
weir_fmt_parse(const char *s)
{
	size_t i;

	for (i = 1; i < sizeof(fmtnames) / sizeof(fmtnames[0]); i++)
		if (!strcmp(s, fmtnames[i]))
			return (int)i;
	if (!strcmp(s, "json") || !strcmp(s, "jsonl"))
		return WEIR_FMT_NDJSON;
	return -1;
}

const char *
weir_fmt_name(int fmt)
{
	if (fmt < 0 || fmt >= (int)(sizeof(fmtnames) / sizeof(fmtnames[0])))
		return "?";
	return fmtnames[fmt];
}

int
weir_fmt_guess(const char *name)
{
	size_t n = name ? strlen(name) : 0;

	if (n > 4 && !strcasecmp(name + n - 4, ".csv"))
		return WEIR_FMT_CSV;
	if (n > 4 && !strcasecmp(name + n - 4, ".tsv"))
		return WEIR_FMT_TSV;
	return WEIR_FMT_AUTO;
}
