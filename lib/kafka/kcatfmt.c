/* kcatfmt.c - kcat's format strings, JSON envelope, delimiters and
 * delimited producer input (kcatfmt.h). */
#include "kcatfmt.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "record.h"

enum { KT_LIT, KT_OFFSET, KT_KEY, KT_KEY_LEN, KT_PAYLOAD, KT_PAYLOAD_LEN,
	KT_PAYLOAD_LEN_BIN, KT_TOPIC, KT_PARTITION, KT_TS, KT_HEADERS };

struct weir_kcat_tok {
	int type;
	size_t off, len;	/* KT_LIT: its bytes in lit */
};

int
weir_kcat_delim(const char *arg, weir_buf *out, char *err, size_t errsz)
{
	size_t i, n = strlen(arg);
	char *end;
	unsigned long x;

	out->len = 0;
	/* kcat replaces every \n, then every \t, then every \x, each time
	 * the first left in the string */
	if (weir_buf_put(out, arg, n + 1) < 0)
		goto oom;
	for (;;) {
		char *s = (char *)out->p, *t;
		size_t skip;
		if ((t = strstr(s, "\\n")))
			*t = '\n', skip = 1;
		else if ((t = strstr(s, "\\t")))
			*t = '\t', skip = 1;
		else if ((t = strstr(s, "\\x"))) {
			x = strtoul(t + 2, &end, 16);
			if (end == t + 2) {
				weir_seterr(err, errsz, "delimiter %s: \\x wants a "
				    "hex number", arg);
				return WEIR_FAIL_USAGE;
			}
			*t = (char)(x & 0xff);
			skip = (size_t)(end - t) - 1;
		} else
			break;
		memmove(t + 1, t + 1 + skip, strlen(t + 1 + skip) + 1);
	}
	i = strlen((char *)out->p);	/* a \x00 ends it, as in kcat */
	out->len = i + 1;
	return 0;
oom:
	weir_seterr(err, errsz, "out of memory");
	return WEIR_FAIL_NOMEM;
}

/* One literal with kcat's escapes, up to a \0 (kcat measures it with
 * strlen), appended to f->lit as a token. */
static int
add_lit(weir_kcatfmt *f, const char *s, size_t n)
{
	struct weir_kcat_tok *t;
	char *copy = malloc(n + 1), *d, *next;
	const char *p;
	int base;

	if (!copy)
		return -1;
	memcpy(copy, s, n);
	copy[n] = '\0';
	for (p = copy, d = copy; *p; p++, d++) {
		if (*p != '\\' || !p[1]) {
			*d = *p;
			continue;
		}
		p++;
		base = 0;
		switch (*p) {
		case 't':
			*d = '\t';
			break;
		case 'n':
			*d = '\n';
			break;
		case 'r':
			*d = '\r';
			break;
		case 'x':
			p++;
			base = 16;
			if (!*p) {	/* kcat reads past the end here */
				p--;
				*d = '\0';
				break;
			}
			/* FALLTHROUGH */
		default:
			if (*p >= '0' && *p <= '9') {
				*d = (char)strtoul(p, &next, base);
				if (next > p)
					p = next - 1;
			} else
				*d = *p;
		}
	}
	*d = '\0';
	n = strlen(copy);
	t = realloc(f->tok, (size_t)(f->ntok + 1) * sizeof(*t));
	if (!t || weir_buf_put(&f->lit, copy, n) < 0) {
		if (t)
			f->tok = t;
		free(copy);
		return -1;
	}
	f->tok = t;
	t[f->ntok].type = KT_LIT;
	t[f->ntok].off = f->lit.len - n;
	t[f->ntok].len = n;
	f->ntok++;
	free(copy);
	return 0;
}

static int
add_tok(weir_kcatfmt *f, int type)
{
	struct weir_kcat_tok *t = realloc(f->tok, (size_t)(f->ntok + 1) *
	    sizeof(*t));

	if (!t)
		return -1;
	f->tok = t;
	t[f->ntok].type = type;
	t[f->ntok].off = t[f->ntok].len = 0;
	f->ntok++;
	return 0;
}

int
weir_kcatfmt_parse(weir_kcatfmt *f, const char *fmt, const char *delim,
    const char *kdelim, int json, char *err, size_t errsz)
{
	static const char conv[] = "okKsSRtpTh";
	static const int types[] = { KT_OFFSET, KT_KEY, KT_KEY_LEN, KT_PAYLOAD,
	    KT_PAYLOAD_LEN, KT_PAYLOAD_LEN_BIN, KT_TOPIC, KT_PARTITION, KT_TS,
	    KT_HEADERS };
	weir_buf def = { 0 };
	const char *s, *t, *c;
	int rc = 0;

	memset(f, 0, sizeof(*f));
	f->json = json;
	if (!fmt) {	/* kcat's default */
		if (json)
			rc = weir_buf_puts(&def, delim);
		else if (kdelim)
			rc = weir_buf_printf(&def, "%%k%s%%s%s", kdelim, delim);
		else
			rc = weir_buf_printf(&def, "%%s%s", delim);
		if (rc < 0 || weir_buf_putc(&def, 0) < 0)
			goto oom;
		fmt = (const char *)def.p;
	}
	for (s = fmt; *s; s++) {
		if (!(t = strchr(s, '%'))) {
			if (add_lit(f, s, strlen(s)) < 0)
				goto oom;
			break;
		}
		if (t > s && add_lit(f, s, (size_t)(t - s)) < 0)
			goto oom;
		s = t + 1;
		if (*s == '%') {
			if (add_lit(f, "%", 1) < 0)
				goto oom;
			continue;
		}
		if (!*s || !(c = strchr(conv, *s))) {
			weir_seterr(err, errsz, *s ? "-f: unsupported kcat "
			    "formatter %%%c (there are %%s %%k %%t %%p %%o %%T %%h "
			    "%%S %%K %%R %%%%)" : "-f: empty formatter: %% at the "
			    "end", *s);
			weir_buf_free(&def);
			return WEIR_FAIL_USAGE;
		}
		if (add_tok(f, types[c - conv]) < 0)
			goto oom;
	}
	weir_buf_free(&def);
	return 0;
oom:
	weir_buf_free(&def);
	weir_seterr(err, errsz, "out of memory");
	return WEIR_FAIL_NOMEM;
}

void
weir_kcatfmt_free(weir_kcatfmt *f)
{
	free(f->tok);
	weir_buf_free(&f->lit);
	memset(f, 0, sizeof(*f));
}

/* A JSON string as yajl writes it for kcat: ", \, and control characters
 * escaped (\u001B: yajl's upper-case hex), every other byte as it is
 * (no UTF-8 check). */
static int
yajl_str(weir_buf *b, const uint8_t *s, size_t n)
{
	static const char hex[] = "0123456789ABCDEF";
	size_t i, from = 0;
	const char *esc;
	char u[7] = "\\u00";

	if (weir_buf_putc(b, '"') < 0)
		return -1;
	for (i = 0; i < n; i++) {
		switch (s[i]) {
		case '\r': esc = "\\r"; break;
		case '\n': esc = "\\n"; break;
		case '\\': esc = "\\\\"; break;
		case '"': esc = "\\\""; break;
		case '\f': esc = "\\f"; break;
		case '\b': esc = "\\b"; break;
		case '\t': esc = "\\t"; break;
		default:
			if (s[i] >= 0x20)
				continue;
			u[4] = hex[s[i] >> 4];
			u[5] = hex[s[i] & 15];
			u[6] = '\0';
			esc = u;
		}
		if (weir_buf_put(b, s + from, i - from) < 0 ||
		    weir_buf_puts(b, esc) < 0)
			return -1;
		from = i + 1;
	}
	if (weir_buf_put(b, s + from, n - from) < 0)
		return -1;
	return weir_buf_putc(b, '"');
}

static int
put_json(weir_buf *b, const weir_record *r, const weir_kcat_meta *m,
    const uint8_t *v, size_t vn)
{
	int tstype = m ? m->tstype : (r->flags & WEIR_R_TS) ? 1 : 0;
	int rc = 0;

	rc |= weir_buf_puts(b, "{\"topic\":");
	rc |= yajl_str(b, (const uint8_t *)(r->topic ? r->topic : ""),
	    r->topic ? strnlen(r->topic, r->topic_len) : 0);
	rc |= weir_buf_printf(b, ",\"partition\":%d,\"offset\":%lld",
	    (r->flags & WEIR_R_POS) ? (int)r->partition : -1,
	    (r->flags & WEIR_R_POS) ? (long long)r->offset : -1LL);
	if (tstype && (r->flags & WEIR_R_TS))
		rc |= weir_buf_printf(b, ",\"tstype\":\"%s\",\"ts\":%lld",
		    tstype == 1 ? "create" : tstype == 2 ? "logappend" :
		    "unknown", (long long)r->ts);
	rc |= weir_buf_printf(b, ",\"broker\":%d", m ? (int)m->broker : -1);
	if (r->flags & WEIR_R_HEADERS) {
		weir_hdr_iter it;
		weir_hdr h;
		int first = 1;
		rc |= weir_buf_puts(b, ",\"headers\":[");
		weir_hdr_iter_init(&it, r);
		while (weir_hdr_next(&it, &h)) {
			if (!first)
				rc |= weir_buf_putc(b, ',');
			first = 0;
			/* kcat writes the name as a C string */
			rc |= yajl_str(b, h.name, strnlen((const char *)h.name,
			    h.name_len));
			rc |= weir_buf_putc(b, ',');
			if (h.val)
				rc |= yajl_str(b, h.val, h.val_len);
			else
				rc |= weir_buf_puts(b, "null");
		}
		rc |= weir_buf_putc(b, ']');
	}
	rc |= weir_buf_puts(b, ",\"key\":");
	if (r->flags & WEIR_R_KEY)
		rc |= yajl_str(b, r->key, r->key_len);
	else
		rc |= weir_buf_puts(b, "null");
	rc |= weir_buf_puts(b, ",\"payload\":");
	if (v)
		rc |= yajl_str(b, v, vn);
	else
		rc |= weir_buf_puts(b, "null");
	rc |= weir_buf_putc(b, '}');
	return rc ? -1 : 0;
}

int
weir_kcatfmt_put(const weir_kcatfmt *f, weir_buf *b, const weir_record *r,
    const weir_kcat_meta *m, weir_buf *scratch)
{
	const uint8_t *v;
	size_t vn, klen = (r->flags & WEIR_R_KEY) ? r->key_len : 0;
	uint8_t be[4];
	uint32_t u;
	int i, rc = 0;

	if ((rc = weir_record_bytes(r, scratch, &v, &vn)) < 0)
		return rc;
	if (f->json) {
		if (put_json(b, r, m, v, vn) < 0)
			return WEIR_FAIL_NOMEM;
		/* then the format's first element, when it is a literal */
		if (f->ntok && f->tok[0].type == KT_LIT &&
		    weir_buf_put(b, f->lit.p + f->tok[0].off,
		    f->tok[0].len) < 0)
			return WEIR_FAIL_NOMEM;
		return 0;
	}
	for (i = 0; i < f->ntok && !rc; i++) {
		const struct weir_kcat_tok *t = &f->tok[i];
		switch (t->type) {
		case KT_LIT:
			rc = weir_buf_put(b, f->lit.p + t->off, t->len);
			break;
		case KT_OFFSET:
			rc = weir_buf_printf(b, "%lld", (r->flags & WEIR_R_POS) ?
			    (long long)r->offset : -1LL);
			break;
		case KT_KEY:
			if (klen)
				rc = weir_buf_put(b, r->key, klen);
			else if (f->null_str)
				rc = weir_buf_puts(b, "NULL");
			break;
		case KT_KEY_LEN:
			rc = weir_buf_printf(b, "%lld", (r->flags & WEIR_R_KEY) ?
			    (long long)klen : -1LL);
			break;
		case KT_PAYLOAD:
			if (vn)
				rc = weir_buf_put(b, v, vn);
			else if (f->null_str)
				rc = weir_buf_puts(b, "NULL");
			break;
		case KT_PAYLOAD_LEN:
			rc = weir_buf_printf(b, "%lld", v ? (long long)vn : -1LL);
			break;
		case KT_PAYLOAD_LEN_BIN:
			u = v ? (uint32_t)vn : UINT32_MAX;
			be[0] = (uint8_t)(u >> 24);
			be[1] = (uint8_t)(u >> 16);
			be[2] = (uint8_t)(u >> 8);
			be[3] = (uint8_t)u;
			rc = weir_buf_put(b, be, 4);
			break;
		case KT_TOPIC:
			if (r->topic)
				rc = weir_buf_put(b, r->topic,
				    strnlen(r->topic, r->topic_len));
			break;
		case KT_PARTITION:
			rc = weir_buf_printf(b, "%d", (r->flags & WEIR_R_POS) ?
			    (int)r->partition : -1);
			break;
		case KT_TS:
			rc = weir_buf_printf(b, "%lld", (r->flags & WEIR_R_TS) ?
			    (long long)r->ts : -1LL);
			break;
		case KT_HEADERS:
			if (r->flags & WEIR_R_HEADERS) {
				weir_hdr_iter it;
				weir_hdr h;
				int first = 1;
				weir_hdr_iter_init(&it, r);
				while (!rc && weir_hdr_next(&it, &h)) {
					rc |= weir_buf_printf(b, "%s%.*s=",
					    first ? "" : ",", (int)strnlen(
					    (const char *)h.name, h.name_len),
					    (const char *)h.name);
					if (!h.val)
						rc |= weir_buf_puts(b, "NULL");
					else
						rc |= weir_buf_put(b, h.val,
						    h.val_len);
					first = 0;
				}
			}
			break;
		}
	}
	return rc ? WEIR_FAIL_NOMEM : 0;
}

void
weir_kcat_reader_init(weir_kcat_reader *r, int fd, const char *delim)
{
	memset(r, 0, sizeof(*r));
	r->fd = fd;
	r->delim = (const uint8_t *)delim;
	r->dlen = strlen(delim);
}

int
weir_kcat_reader_next(weir_kcat_reader *r, const uint8_t **msg, size_t *len,
    char *err, size_t errsz)
{
	const uint8_t *hit;
	ssize_t n;

	for (;;) {
		if (r->off == r->buf.len && r->off) {	/* all given out */
			r->buf.len = r->off = r->scan = 0;
		}
		hit = r->buf.len - r->scan >= r->dlen ? memmem(r->buf.p +
		    r->scan, r->buf.len - r->scan, r->delim, r->dlen) : NULL;
		if (hit) {
			*msg = r->buf.p + r->off;
			*len = (size_t)(hit - *msg);
			r->off = r->scan = (size_t)(hit - r->buf.p) + r->dlen;
			if (*len)
				return 1;
			continue;	/* kcat skips empty messages */
		}
		if (r->eof) {
			*msg = r->buf.p + r->off;
			*len = r->buf.len - r->off;
			r->off = r->scan = r->buf.len;
			if (*len)
				return 1;
			return 0;
		}
		/* the delimiter may start in what is there: search again
		 * from dlen - 1 bytes before the end */
		r->scan = r->buf.len - r->off >= r->dlen ? r->buf.len -
		    r->dlen + 1 : r->off;
		if (r->off > 0 && r->off >= r->buf.len / 2) {	/* compact */
			memmove(r->buf.p, r->buf.p + r->off, r->buf.len - r->off);
			r->buf.len -= r->off;
			r->scan -= r->off;
			r->off = 0;
		}
		if (weir_buf_reserve(&r->buf, 65536) < 0) {
			weir_seterr(err, errsz, "out of memory");
			return WEIR_FAIL_NOMEM;
		}
		n = read(r->fd, r->buf.p + r->buf.len, 65536);
		if (n < 0 && errno == EINTR)
			return WEIR_KCAT_SIGNAL;	/* the caller decides */
		if (n < 0) {
			weir_seterr(err, errsz, "read: %s", strerror(errno));
			return WEIR_FAIL_IO;
		}
		if (n == 0)
			r->eof = 1;
		r->buf.len += (size_t)n;
	}
}

void
weir_kcat_reader_free(weir_kcat_reader *r)
{
	weir_buf_free(&r->buf);
}

int
weir_kcat_split_key(const uint8_t *msg, size_t len, const char *kdelim,
    int null_empty, const uint8_t **key, size_t *klen, const uint8_t **val,
    size_t *vlen)
{
	size_t kd = strlen(kdelim);
	const uint8_t *t = kd ? memmem(msg, len, kdelim, kd) : NULL;

	if (!t) {
		*key = NULL;
		*klen = 0;
		*val = msg;
		*vlen = len;
		return 0;
	}
	*key = msg;
	*klen = (size_t)(t - msg);
	*val = t + kd;
	*vlen = len - *klen - kd;
	if (null_empty && !*vlen)
		*val = NULL;
	if (null_empty && !*klen)
		*key = NULL;
	return 1;
}

int
weir_kcat_prop(weir_kafka_opts *o, int c, const char *arg)
{
	const char *pre = c == 'F' ? "@" : c == 'd' ? "debug=" :
	    "compression.codec=";
	char *p;

	if (c == 'F' && (!strcmp(arg, "-") || !strcmp(arg, "none")))
		return 0;
	if (!(p = malloc(strlen(pre) + strlen(arg) + 1)))
		return WEIR_FAIL_NOMEM;
	strcpy(p, pre);
	strcat(p, arg);
	o->props[o->nprops++] = p;	/* lives as long as o */
	return 0;
}

int
weir_kcat_read_file(const char *path, weir_buf *out, char *err, size_t errsz)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	ssize_t n;

	out->len = 0;
	if (fd < 0) {
		weir_seterr(err, errsz, "%s: %s", path, strerror(errno));
		return WEIR_FAIL_IO;
	}
	for (;;) {
		if (weir_buf_reserve(out, 65536) < 0) {
			close(fd);
			weir_seterr(err, errsz, "%s: out of memory", path);
			return WEIR_FAIL_NOMEM;
		}
		n = read(fd, out->p + out->len, 65536);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			break;
		out->len += (size_t)n;
	}
	if (n < 0)
		weir_seterr(err, errsz, "%s: %s", path, strerror(errno));
	close(fd);
	return n < 0 ? WEIR_FAIL_IO : 0;
}

int
weir_kcat_refusal(int c, int sink, char *msg, size_t msgsz)
{
	const char *why = NULL;

	if (!sink && strchr("PzHlT", c))
		why = "is kcat's producer flag: produce with weir-sink -b BROKERS "
		    "-t TOPIC, which takes -P, -z, -k, -K, -H, -D, -Z, -l and -T";
	else if (sink && strchr("CGeJQLo", c))
		why = "is kcat's consumer flag: consume with weir-source -b "
		    "BROKERS -t TOPIC, which takes -C, -G, -e, -J, -Q, -L, -o and "
		    "-f '%s\\n'";
	else if (c == 'O')
		why = "(offsets with -K): weir-source -f '%o%k%s\\n' prints them";
	else if (c == 'v')
		why = "(verbosity): weir has no levels; librdkafka's debugging is "
		    "-d FACILITIES (-X debug=...)";
	else if (c == 'M')
		why = "(a mock cluster) is weir-broker(1): weir-broker --topic "
		    "NAME:PARTITIONS";
	else if (c == 'U')
		why = "(kcat's own tests): weir's are make unit and make test";
	if (!why)
		return 0;
	snprintf(msg, msgsz, "-%c %s", c, why);
	return 1;
}

int
weir_kcat_hdrs_add(weir_kcat_hdrs *h, const char *arg, char *err,
    size_t errsz)
{
	const char *eq = strchr(arg, '=');

	if (!*arg || eq == arg) {
		weir_seterr(err, errsz, "-H: want NAME=VALUE or NAME, not '%s'",
		    arg);
		return WEIR_FAIL_USAGE;
	}
	if (weir_hdr_put(&h->hdrs, (const uint8_t *)arg, eq ? (size_t)(eq -
	    arg) : strlen(arg), (const uint8_t *)(eq ? eq + 1 : NULL), eq ?
	    strlen(eq + 1) : 0) < 0) {
		weir_seterr(err, errsz, "out of memory");
		return WEIR_FAIL_NOMEM;
	}
	h->n++;
	return 0;
}

int
weir_kcat_hdrs_apply(weir_kcat_hdrs *h, weir_record *r)
{
	h->hb.len = 0;
	if (((r->flags & WEIR_R_HEADERS) && weir_buf_put(&h->hb, r->hdrs,
	    r->hdrs_len) < 0) || weir_buf_put(&h->hb, h->hdrs.p,
	    h->hdrs.len) < 0)
		return WEIR_FAIL_NOMEM;
	r->nhdrs = ((r->flags & WEIR_R_HEADERS) ? r->nhdrs : 0) + h->n;
	r->hdrs = h->hb.p;
	r->hdrs_len = h->hb.len;
	r->flags |= WEIR_R_HEADERS;
	return 0;
}
