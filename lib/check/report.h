/*
 * report.h - weir-check results for people and for CI systems: a text
 * summary table, JSON, JUnit XML (one testcase per rule) and GitHub
 * Actions workflow annotations (::error file=F,line=L::message).
 * Everything is appended to a buffer; the program writes it out.
 */
#ifndef WEIR_REPORT_H
#define WEIR_REPORT_H

#include "check.h"
#include "rules.h"

enum {
	WEIR_REPORT_TEXT,
	WEIR_REPORT_JSON,
	WEIR_REPORT_JUNIT,
	WEIR_REPORT_GITHUB
};

typedef struct weir_report_info {
	const char *suite;
	uint64_t records;
	double seconds;		/* time the check took */
} weir_report_info;

int weir_report_format_parse(const char *s);	/* -1 if unknown */
/* Append the report: 0 or WEIR_FAIL_NOMEM. */
int weir_report_write(weir_buf *out, int fmt, const weir_rules *rs,
    const weir_check_result *res, const weir_report_info *info);
/* Append where a sample is: "orders.ndjson:12", "stdin record 7",
 * "window [..)" for a whole window. */
int weir_report_where(weir_buf *out, const weir_check_sample *s);

#endif
