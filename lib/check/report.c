/* report.c - weir-check reports: text, JSON, JUnit XML, GitHub. */
#include "report.h"

#include <stdio.h>

#include "dur.h"
#include "pack.h"
#include "timefmt.h"

#define TEXT_SAMPLES 5

int
weir_report_format_parse(const char *s)
{
	if (!strcmp(s, "text"))
		return WEIR_REPORT_TEXT;
	if (!strcmp(s, "json"))
		return WEIR_REPORT_JSON;
	if (!strcmp(s, "junit"))
		return WEIR_REPORT_JUNIT;
	if (!strcmp(s, "github"))
		return WEIR_REPORT_GITHUB;
	return -1;
}

static const char *
file_name(const char *f)
{
	return f && strcmp(f, "-") != 0 ? f : "stdin";
}

int
weir_report_where(weir_buf *out, const weir_check_sample *s)
{
	int rc = 0;

	if (s->line)
		rc |= weir_buf_printf(out, "%s:%llu", file_name(s->file),
		    (unsigned long long)s->line);
	else if (s->recno)
		rc |= weir_buf_printf(out, "%s record %llu", file_name(s->file),
		    (unsigned long long)s->recno);
	if (s->has_win) {
		char a[40], b[40];
		weir_iso8601_fmt(a, sizeof(a), s->win_start);
		weir_iso8601_fmt(b, sizeof(b), s->win_end);
		rc |= weir_buf_printf(out, "%swindow [%s, %s)",
		    s->line || s->recno ? " " : "", a, b);
	}
	return rc ? -1 : 0;
}

static const char *
status_of(const weir_rule *r, const weir_check_result *x)
{
	(void)r;
	return x->status == WEIR_CHECK_PASS ? "ok" :
	    x->status == WEIR_CHECK_WARN ? "warn" : "FAIL";
}

static const char *
sev_name(const weir_rule *r)
{
	return r->severity == WEIR_SEV_WARN ? "warn" : "error";
}

static void
counts(const weir_rules *rs, const weir_check_result *res, size_t *nerr,
    size_t *nwarn)
{
	size_t i;

	*nerr = *nwarn = 0;
	for (i = 0; i < rs->n; i++) {
		if (res[i].status == WEIR_CHECK_WARN)
			(*nwarn)++;
		else if (res[i].status == WEIR_CHECK_FAIL)
			(*nerr)++;
	}
}

/* The detail line of a rule: why it failed, or what passed. */
static int
detail(weir_buf *out, const weir_rule *r, const weir_check_result *x)
{
	if (x->detail[0] && (!x->passed || x->no_match))
		return weir_buf_puts(out, x->detail);
	if (x->detail[0])
		return weir_buf_printf(out, "within mostly: %s", x->detail);
	if (x->approx)
		return weir_buf_puts(out, "approximate (HyperLogLog)");
	if (x->has_stat && r->kind == WEIR_RULE_FRESHNESS) {
		char v[40];	/* an age for people; JSON keeps the ms */
		weir_dur_human(v, sizeof(v), (int64_t)x->stat);
		return weir_buf_printf(out, "newest %s old%s", v,
		    x->scopes > 1 ? " (last window)" : "");
	}
	if (x->has_stat) {
		char v[40];
		weir_fmt_double(v, sizeof(v), x->stat);
		return weir_buf_printf(out, "%s %s%s",
		    weir_rule_kind_name(r->kind), v, x->scopes > 1 ?
		    " (last window)" : "");
	}
	if (weir_rule_is_aggregate(r) && x->failed)
		return weir_buf_printf(out, "%llu of %llu windows failed, "
		    "within mostly", (unsigned long long)x->failed,
		    (unsigned long long)x->checked);
	return 0;
}

/* "range 0..100000", "not_null" */
static int
label(weir_buf *out, const weir_rule *r)
{
	if (r->text && r->text[0])
		return weir_buf_printf(out, "%s %s", weir_rule_kind_name(r->kind),
		    r->text);
	return weir_buf_puts(out, weir_rule_kind_name(r->kind));
}

static int
report_text(weir_buf *out, const weir_rules *rs, const weir_check_result *res,
    const weir_report_info *info)
{
	size_t i, j, w = 4, nerr, nwarn;
	int rc = 0;

	counts(rs, res, &nerr, &nwarn);
	for (i = 0; i < rs->n; i++)
		if (strlen(rs->v[i].id) > w)
			w = strlen(rs->v[i].id);
	rc |= weir_buf_printf(out, "suite %s: %llu records, %zu rules, ",
	    info->suite, (unsigned long long)info->records, rs->n);
	if (!nerr && !nwarn)
		rc |= weir_buf_puts(out, "all passed\n\n");
	else
		rc |= weir_buf_printf(out, "%zu failed, %zu warned\n\n", nerr,
		    nwarn);
	rc |= weir_buf_printf(out, "%-6s %-8s %-*s %10s %10s  %s\n", "STATUS",
	    "SEVERITY", (int)w, "RULE", "CHECKED", "FAILED", "DETAIL");
	for (i = 0; i < rs->n; i++) {
		const weir_rule *r = &rs->v[i];
		const weir_check_result *x = &res[i];
		rc |= weir_buf_printf(out, "%-6s %-8s %-*s %10llu %10llu  ",
		    status_of(r, x), sev_name(r), (int)w, r->id,
		    (unsigned long long)x->checked,
		    (unsigned long long)x->failed);
		rc |= detail(out, r, x);
		/* drop trailing blanks of an empty detail */
		while (out->len && out->p[out->len - 1] == ' ')
			out->len--;
		rc |= weir_buf_putc(out, '\n');
	}
	for (i = 0; i < rs->n; i++) {
		const weir_rule *r = &rs->v[i];
		const weir_check_result *x = &res[i];
		if (x->passed || !x->nsamples)
			continue;
		rc |= weir_buf_printf(out, "\n%s (", r->id);
		rc |= label(out, r);
		rc |= weir_buf_puts(out, ") failed at:\n");
		for (j = 0; j < x->nsamples && j < TEXT_SAMPLES; j++) {
			const weir_check_sample *s = &x->samples[j];
			rc |= weir_buf_puts(out, "  ");
			rc |= weir_report_where(out, s);
			rc |= weir_buf_printf(out, "%s%s\n",
			    s->recno || s->line || s->has_win ? ": " : "",
			    s->what);
		}
		if (x->failed > j && !weir_rule_is_aggregate(r))
			rc |= weir_buf_printf(out, "  ... %llu failures in all\n",
			    (unsigned long long)x->failed);
	}
	return rc ? -1 : 0;
}

static int
jstr(weir_buf *out, const char *s)
{
	return weir_json_str(out, (const uint8_t *)s, strlen(s));
}

static int
report_json(weir_buf *out, const weir_rules *rs, const weir_check_result *res,
    const weir_report_info *info)
{
	size_t i, j, nerr, nwarn;
	int rc = 0;
	char num[40];

	counts(rs, res, &nerr, &nwarn);
	rc |= weir_buf_puts(out, "{\"suite\":");
	rc |= jstr(out, info->suite);
	rc |= weir_buf_printf(out, ",\"passed\":%s,\"records\":%llu,"
	    "\"rules_failed\":%zu,\"rules_warned\":%zu,\"seconds\":%.3f,"
	    "\"rules\":[", nerr ? "false" : "true",
	    (unsigned long long)info->records, nerr, nwarn, info->seconds);
	for (i = 0; i < rs->n; i++) {
		const weir_rule *r = &rs->v[i];
		const weir_check_result *x = &res[i];
		if (i)
			rc |= weir_buf_putc(out, ',');
		rc |= weir_buf_puts(out, "{\"id\":");
		rc |= jstr(out, r->id);
		rc |= weir_buf_printf(out, ",\"rule\":\"%s\",\"field\":",
		    weir_rule_kind_name(r->kind));
		if (r->field)
			rc |= jstr(out, r->field);
		else
			rc |= weir_buf_puts(out, "null");
		rc |= weir_buf_puts(out, ",\"args\":");
		rc |= jstr(out, r->text ? r->text : "");
		weir_fmt_double(num, sizeof(num), r->mostly);
		rc |= weir_buf_printf(out, ",\"severity\":\"%s\",\"mostly\":%s,"
		    "\"status\":\"%s\",\"checked\":%llu,\"failed\":%llu,"
		    "\"skipped\":%llu,\"windows\":%llu,\"windows_failed\":%llu,"
		    "\"approximate\":%s", sev_name(r), num,
		    x->status == WEIR_CHECK_PASS ? "pass" :
		    x->status == WEIR_CHECK_WARN ? "warn" : "fail",
		    (unsigned long long)x->checked,
		    (unsigned long long)x->failed,
		    (unsigned long long)x->skipped,
		    (unsigned long long)x->scopes,
		    (unsigned long long)x->scopes_failed,
		    x->approx ? "true" : "false");
		if (r->line && rs->file) {
			weir_buf at = {0};
			rc |= weir_buf_printf(&at, "%s:%d:%d", rs->file, r->line,
			    r->col);
			rc |= weir_buf_putc(&at, 0);
			rc |= weir_buf_puts(out, ",\"defined_at\":");
			if (at.p)
				rc |= jstr(out, (const char *)at.p);
			weir_buf_free(&at);
		}
		if (r->field)
			rc |= weir_buf_printf(out, ",\"matched\":%llu",
			    (unsigned long long)x->matched);
		if (x->has_stat) {
			weir_fmt_double(num, sizeof(num), x->stat);
			rc |= weir_buf_printf(out, ",\"value\":%s", num);
		}
		if (r->warn_if.set) {
			rc |= weir_buf_puts(out, ",\"warn_if\":");
			rc |= jstr(out, r->warn_if.text);
		}
		if (r->error_if.set) {
			rc |= weir_buf_puts(out, ",\"error_if\":");
			rc |= jstr(out, r->error_if.text);
		}
		rc |= weir_buf_puts(out, ",\"detail\":");
		rc |= jstr(out, x->detail);
		rc |= weir_buf_puts(out, ",\"samples\":[");
		for (j = 0; j < x->nsamples; j++) {
			const weir_check_sample *s = &x->samples[j];
			if (j)
				rc |= weir_buf_putc(out, ',');
			rc |= weir_buf_puts(out, "{\"file\":");
			if (s->line || s->recno)
				rc |= jstr(out, file_name(s->file));
			else
				rc |= weir_buf_puts(out, "null");
			if (s->line)
				rc |= weir_buf_printf(out, ",\"line\":%llu",
				    (unsigned long long)s->line);
			if (s->recno)
				rc |= weir_buf_printf(out, ",\"record\":%llu",
				    (unsigned long long)s->recno);
			if (s->has_win)
				rc |= weir_buf_printf(out, ",\"window\":[%lld,"
				    "%lld]", (long long)s->win_start,
				    (long long)s->win_end);
			rc |= weir_buf_puts(out, ",\"what\":");
			rc |= jstr(out, s->what);
			rc |= weir_buf_putc(out, '}');
		}
		rc |= weir_buf_puts(out, "]}");
	}
	rc |= weir_buf_puts(out, "]}\n");
	return rc ? -1 : 0;
}

/* XML text or attribute value: escape markup, drop characters XML 1.0
 * cannot carry. */
static int
xml(weir_buf *out, const char *s, size_t n)
{
	size_t i;
	int rc = 0;

	for (i = 0; i < n; i++) {
		unsigned char ch = (unsigned char)s[i];
		switch (ch) {
		case '&':
			rc |= weir_buf_puts(out, "&amp;");
			break;
		case '<':
			rc |= weir_buf_puts(out, "&lt;");
			break;
		case '>':
			rc |= weir_buf_puts(out, "&gt;");
			break;
		case '"':
			rc |= weir_buf_puts(out, "&quot;");
			break;
		case '\'':
			rc |= weir_buf_puts(out, "&apos;");
			break;
		case '\n':
			rc |= weir_buf_puts(out, "&#10;");
			break;
		case '\t':
			rc |= weir_buf_puts(out, "&#9;");
			break;
		default:
			rc |= weir_buf_putc(out, ch < 0x20 || ch == 0x7f ? '?' :
			    ch);
		}
	}
	return rc ? -1 : 0;
}

static int
xmls(weir_buf *out, const char *s)
{
	return xml(out, s, strlen(s));
}

/* A failing rule's message: counts, detail, sample positions. */
static int
message(weir_buf *m, const weir_rule *r, const weir_check_result *x,
    size_t maxs, const char *sep)
{
	size_t j;
	int rc = 0;

	rc |= label(m, r);
	rc |= weir_buf_puts(m, " failed: ");
	if (x->detail[0])
		rc |= weir_buf_puts(m, x->detail);
	else
		rc |= weir_buf_printf(m, "%llu of %llu failed",
		    (unsigned long long)x->failed,
		    (unsigned long long)x->checked);
	for (j = 0; j < x->nsamples && j < maxs; j++) {
		const weir_check_sample *s = &x->samples[j];
		rc |= weir_buf_puts(m, j ? sep : "; at ");
		if (s->line || s->recno || s->has_win)
			rc |= weir_report_where(m, s);
		if (s->recno || s->line)
			rc |= weir_buf_printf(m, " (%s)", s->what);
		else if (!s->has_win)
			rc |= weir_buf_puts(m, s->what);
	}
	return rc ? -1 : 0;
}

static int
report_junit(weir_buf *out, const weir_rules *rs, const weir_check_result *res,
    const weir_report_info *info)
{
	size_t i, j, nerr, nwarn;
	weir_buf m = {0};
	int rc = 0;

	counts(rs, res, &nerr, &nwarn);
	rc |= weir_buf_puts(out, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
	    "<testsuites name=\"weir-check\"");
	rc |= weir_buf_printf(out, " tests=\"%zu\" failures=\"%zu\" "
	    "time=\"%.3f\">\n  <testsuite name=\"", rs->n, nerr, info->seconds);
	rc |= xmls(out, info->suite);
	rc |= weir_buf_printf(out, "\" tests=\"%zu\" failures=\"%zu\" "
	    "errors=\"0\" skipped=\"0\" time=\"%.3f\">\n", rs->n, nerr,
	    info->seconds);
	rc |= weir_buf_printf(out, "    <properties><property name=\"records\" "
	    "value=\"%llu\"/></properties>\n",
	    (unsigned long long)info->records);
	for (i = 0; i < rs->n; i++) {
		const weir_rule *r = &rs->v[i];
		const weir_check_result *x = &res[i];

		rc |= weir_buf_puts(out, "    <testcase classname=\"");
		rc |= xmls(out, info->suite);
		rc |= weir_buf_puts(out, "\" name=\"");
		rc |= xmls(out, r->id);
		rc |= weir_buf_puts(out, "\">\n");
		m.len = 0;
		if (!x->passed)
			rc |= message(&m, r, x, WEIR_CHECK_SAMPLES, ", ");
		if (x->status == WEIR_CHECK_FAIL) {
			rc |= weir_buf_puts(out, "      <failure message=\"");
			rc |= xml(out, (const char *)m.p, m.len);
			rc |= weir_buf_printf(out, "\" type=\"%s\">",
			    weir_rule_kind_name(r->kind));
		} else
			rc |= weir_buf_puts(out, "      <system-out>");
		if (x->status == WEIR_CHECK_WARN)
			rc |= weir_buf_printf(out, "warning (%s): ",
			    r->severity == WEIR_SEV_WARN ? "severity warn" :
			    "warn_if");
		rc |= weir_buf_printf(out, "rule %s", weir_rule_kind_name(r->kind));
		if (r->field) {
			rc |= weir_buf_puts(out, " on ");
			rc |= xmls(out, r->field);
		}
		if (r->text && r->text[0]) {
			rc |= weir_buf_puts(out, ": ");
			rc |= xmls(out, r->text);
		}
		rc |= weir_buf_printf(out, "&#10;checked %llu, failed %llu, "
		    "skipped (null or missing) %llu",
		    (unsigned long long)x->checked,
		    (unsigned long long)x->failed,
		    (unsigned long long)x->skipped);
		if (x->detail[0]) {
			rc |= weir_buf_puts(out, "&#10;");
			rc |= xmls(out, x->detail);
		}
		for (j = 0; j < x->nsamples; j++) {
			weir_buf w = {0};
			rc |= weir_buf_puts(out, "&#10;  ");
			rc |= weir_report_where(&w, &x->samples[j]);
			rc |= xml(out, (const char *)w.p, w.len);
			weir_buf_free(&w);
			rc |= weir_buf_puts(out, ": ");
			rc |= xmls(out, x->samples[j].what);
		}
		if (x->status == WEIR_CHECK_FAIL)
			rc |= weir_buf_puts(out, "</failure>\n");
		else
			rc |= weir_buf_puts(out, "</system-out>\n");
		rc |= weir_buf_puts(out, "    </testcase>\n");
	}
	rc |= weir_buf_puts(out, "  </testsuite>\n</testsuites>\n");
	weir_buf_free(&m);
	return rc ? -1 : 0;
}

/* GitHub workflow command escaping: data, and property values. */
static int
gh(weir_buf *out, const char *s, size_t n, int prop)
{
	size_t i;
	int rc = 0;

	for (i = 0; i < n; i++) {
		switch (s[i]) {
		case '%':
			rc |= weir_buf_puts(out, "%25");
			break;
		case '\r':
			rc |= weir_buf_puts(out, "%0D");
			break;
		case '\n':
			rc |= weir_buf_puts(out, "%0A");
			break;
		case ':':
			rc |= prop ? weir_buf_puts(out, "%3A") :
			    weir_buf_putc(out, ':');
			break;
		case ',':
			rc |= prop ? weir_buf_puts(out, "%2C") :
			    weir_buf_putc(out, ',');
			break;
		default:
			rc |= weir_buf_putc(out, s[i]);
		}
	}
	return rc ? -1 : 0;
}

static int
report_github(weir_buf *out, const weir_rules *rs,
    const weir_check_result *res, const weir_report_info *info)
{
	size_t i, j, nerr, nwarn;
	weir_buf m = {0};
	int rc = 0;

	counts(rs, res, &nerr, &nwarn);
	for (i = 0; i < rs->n; i++) {
		const weir_rule *r = &rs->v[i];
		const weir_check_result *x = &res[i];
		const char *cmd = x->status == WEIR_CHECK_WARN ? "warning" :
		    "error";
		int any = 0;

		if (x->passed)
			continue;
		for (j = 0; j < x->nsamples; j++) {
			const weir_check_sample *s = &x->samples[j];
			const char *f = file_name(s->file);
			if (!s->line || !strcmp(f, "stdin"))
				continue;
			any = 1;
			rc |= weir_buf_printf(out, "::%s file=", cmd);
			rc |= gh(out, f, strlen(f), 1);
			rc |= weir_buf_printf(out, ",line=%llu,title=",
			    (unsigned long long)s->line);
			rc |= gh(out, r->id, strlen(r->id), 1);
			rc |= weir_buf_puts(out, "::");
			m.len = 0;
			rc |= label(&m, r);
			rc |= weir_buf_printf(&m, " failed: %s (", s->what);
			if (x->detail[0])
				rc |= weir_buf_puts(&m, x->detail);
			rc |= weir_buf_putc(&m, ')');
			rc |= gh(out, (const char *)m.p, m.len, 0);
			rc |= weir_buf_putc(out, '\n');
		}
		if (any)
			continue;
		/* the rule as a whole (no file lines, or a summary) */
		rc |= weir_buf_printf(out, "::%s title=", cmd);
		rc |= gh(out, r->id, strlen(r->id), 1);
		rc |= weir_buf_puts(out, "::");
		m.len = 0;
		rc |= weir_buf_printf(&m, "suite %s: ", info->suite);
		rc |= message(&m, r, x, any ? 0 : WEIR_CHECK_SAMPLES, ", ");
		rc |= gh(out, (const char *)m.p, m.len, 0);
		rc |= weir_buf_putc(out, '\n');
	}
	rc |= weir_buf_printf(out, "suite %s: %llu records, %zu rules, %zu "
	    "failed, %zu warned\n", info->suite,
	    (unsigned long long)info->records, rs->n, nerr, nwarn);
	weir_buf_free(&m);
	return rc ? -1 : 0;
}

int
weir_report_write(weir_buf *out, int fmt, const weir_rules *rs,
    const weir_check_result *res, const weir_report_info *info)
{
	int rc;

	switch (fmt) {
	case WEIR_REPORT_JSON:
		rc = report_json(out, rs, res, info);
		break;
	case WEIR_REPORT_JUNIT:
		rc = report_junit(out, rs, res, info);
		break;
	case WEIR_REPORT_GITHUB:
		rc = report_github(out, rs, res, info);
		break;
	default:
		rc = report_text(out, rs, res, info);
		break;
	}
	return rc < 0 ? WEIR_FAIL_NOMEM : 0;
}
