/*
 * avro.c - Avro binary <-> packed JSON, walking a schema tree built from
 * the schema's JSON after avro-c has accepted it (avro.h).
 */
#include "avro.h"

#include <avro/errors.h>	/* avro-c; <avro.h> would be this module's */
#include <avro/schema.h>
#include <errno.h>
#include <float.h>
#include <jansson.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "avro_dl.h"	/* avro-c's functions, loaded when first used */
#include "dur.h"

enum { T_NULL, T_BOOL, T_INT, T_LONG, T_FLOAT, T_DOUBLE, T_BYTES, T_STRING,
	T_RECORD, T_ENUM, T_ARRAY, T_MAP, T_UNION, T_FIXED };
enum { L_NONE, L_DATE, L_TIME_MS, L_TIME_US, L_TS_MS, L_TS_US, L_LTS_MS,
	L_LTS_US, L_DECIMAL };

#define MAX_DEPTH 128		/* nesting of decoded or encoded values */
#define MAX_DECIMAL 64		/* bytes of a decimal's unscaled integer */
#define ZERO_ITEMS 4096		/* array items beyond the message's bytes */

typedef struct anode {
	int type, logical;
	int scale;		/* decimal */
	int64_t size;		/* fixed */
	char *name;		/* named types: the full name */
	int n;			/* fields, symbols, branches */
	struct anode **kids;	/* field types, branches; items/values: [0] */
	char **names;		/* field names, enum symbols */
	weir_buf *defs;		/* packed field defaults (len 0: none) */
} anode;

struct weir_avro_schema {
	anode *root;
	anode **all;		/* every node, for freeing and name lookup */
	size_t nall, cap;
	weir_buf tmp;		/* scratch: decoded strings, decimals */
	weir_buf etmp, ebin, enum_;	/* scratch for encoding */
	size_t max;		/* bound on a decoded value */
	int oom;		/* parsing ran out of memory */
};

/* --- schema ------------------------------------------------------------- */

static anode *
node_new(weir_avro_schema *s, int type)
{
	anode *a;

	if (s->nall == s->cap) {
		size_t nc = s->cap ? s->cap * 2 : 16;
		anode **na = realloc(s->all, nc * sizeof(*na));
		if (!na) {
			s->oom = 1;
			return NULL;
		}
		s->all = na;
		s->cap = nc;
	}
	if (!(a = calloc(1, sizeof(*a)))) {
		s->oom = 1;
		return NULL;
	}
	a->type = type;
	s->all[s->nall++] = a;
	return a;
}

static const struct { const char *name; int type; } prims[] = {
	{ "null", T_NULL }, { "boolean", T_BOOL }, { "int", T_INT },
	{ "long", T_LONG }, { "float", T_FLOAT }, { "double", T_DOUBLE },
	{ "bytes", T_BYTES }, { "string", T_STRING }
};

static int
prim_type(const char *name)
{
	size_t i;

	for (i = 0; i < sizeof(prims) / sizeof(prims[0]); i++)
		if (!strcmp(prims[i].name, name))
			return prims[i].type;
	return -1;
}

static anode *
find_named(weir_avro_schema *s, const char *full)
{
	size_t i;

	for (i = 0; i < s->nall; i++)
		if (s->all[i]->name && !strcmp(s->all[i]->name, full))
			return s->all[i];
	return NULL;
}

/* A reference to a named type, from inside namespace ns. */
static anode *
lookup(weir_avro_schema *s, const char *ref, const char *ns)
{
	char buf[512];
	anode *a;

	if (!strchr(ref, '.') && ns && *ns) {
		snprintf(buf, sizeof(buf), "%s.%s", ns, ref);
		if ((a = find_named(s, buf)))
			return a;
	}
	return find_named(s, ref);
}

static anode *parse_node(weir_avro_schema *s, json_t *j, const char *ns,
    char *err, size_t errsz);

static int
logical_of(json_t *j, anode *a)
{
	const char *lt = json_string_value(json_object_get(j, "logicalType"));
	json_t *sc;

	if (!lt)
		return L_NONE;
	if (!strcmp(lt, "decimal") && (a->type == T_BYTES || a->type == T_FIXED)) {
		sc = json_object_get(j, "scale");
		a->scale = json_is_integer(sc) ? (int)json_integer_value(sc) : 0;
		if (a->scale < 0 || a->scale > 1000)
			return L_NONE;
		return L_DECIMAL;
	}
	if (a->type == T_INT) {
		if (!strcmp(lt, "date"))
			return L_DATE;
		if (!strcmp(lt, "time-millis"))
			return L_TIME_MS;
	}
	if (a->type == T_LONG) {
		if (!strcmp(lt, "time-micros"))
			return L_TIME_US;
		if (!strcmp(lt, "timestamp-millis"))
			return L_TS_MS;
		if (!strcmp(lt, "timestamp-micros"))
			return L_TS_US;
		if (!strcmp(lt, "local-timestamp-millis"))
			return L_LTS_MS;
		if (!strcmp(lt, "local-timestamp-micros"))
			return L_LTS_US;
	}
	return L_NONE;	/* unknown or misplaced: the underlying type */
}

/* Name a named type: its full name; *nsout the namespace it sets. */
static int
set_name(weir_avro_schema *s, anode *a, json_t *j, const char *ns,
    char **nsout, char *err, size_t errsz)
{
	const char *name = json_string_value(json_object_get(j, "name"));
	const char *space = json_string_value(json_object_get(j, "namespace"));
	const char *dot;
	size_t len;

	if (!name) {
		weir_seterr(err, errsz, "a named type without a name");
		return -1;
	}
	if (!space)
		space = ns;
	if (strchr(name, '.') || !space || !*space)
		a->name = strdup(name);
	else if ((a->name = malloc(strlen(space) + strlen(name) + 2)))
		sprintf(a->name, "%s.%s", space, name);
	if (!a->name)
		goto oom;
	dot = strrchr(a->name, '.');
	len = dot ? (size_t)(dot - a->name) : 0;
	if (!(*nsout = strndup(a->name, len)))
		goto oom;
	return 0;
oom:
	s->oom = 1;
	weir_seterr(err, errsz, "out of memory");
	return -1;
}

static anode *
parse_complex(weir_avro_schema *s, json_t *j, const char *ns, char *err,
    size_t errsz)
{
	json_t *t = json_object_get(j, "type"), *f, *syms;
	const char *tn;
	char *myns = NULL;
	anode *a = NULL;
	size_t i, n;
	int pt;

	if (!t) {
		weir_seterr(err, errsz, "a schema object without \"type\"");
		return NULL;
	}
	if (!json_is_string(t))	/* {"type": {...}} */
		return parse_node(s, t, ns, err, errsz);
	tn = json_string_value(t);
	if ((pt = prim_type(tn)) >= 0) {
		if (!(a = node_new(s, pt)))
			goto oom;
		a->logical = logical_of(j, a);
		return a;
	}
	if (!strcmp(tn, "array") || !strcmp(tn, "map")) {
		if (!(a = node_new(s, tn[0] == 'a' ? T_ARRAY : T_MAP)) ||
		    !(a->kids = calloc(1, sizeof(*a->kids))))
			goto oom;
		a->n = 1;
		a->kids[0] = parse_node(s, json_object_get(j, tn[0] == 'a' ?
		    "items" : "values"), ns, err, errsz);
		return a->kids[0] ? a : NULL;
	}
	if (!strcmp(tn, "record") || !strcmp(tn, "error")) {
		if (!(a = node_new(s, T_RECORD)) ||
		    set_name(s, a, j, ns, &myns, err, errsz) < 0)
			goto fail;
		f = json_object_get(j, "fields");
		n = json_array_size(f);
		if (!(a->kids = calloc(n + 1, sizeof(*a->kids))) ||
		    !(a->names = calloc(n + 1, sizeof(*a->names))) ||
		    !(a->defs = calloc(n + 1, sizeof(*a->defs))))
			goto oom;
		a->n = (int)n;
		for (i = 0; i < n; i++) {
			json_t *fi = json_array_get(f, i), *d;
			const char *fn = json_string_value(json_object_get(fi,
			    "name"));
			if (!fn || !(a->names[i] = strdup(fn)))
				goto oom;
			a->kids[i] = parse_node(s, json_object_get(fi, "type"),
			    myns, err, errsz);
			if (!a->kids[i])
				goto fail;
			if ((d = json_object_get(fi, "default"))) {
				char *txt = json_dumps(d, JSON_COMPACT |
				    JSON_ENCODE_ANY);
				int rc = txt ? weir_pack_json(&a->defs[i],
				    (const uint8_t *)txt, strlen(txt), err,
				    errsz) : -1;
				free(txt);
				if (rc < 0 || !a->defs[i].len)
					goto oom;
			}
		}
		free(myns);
		return a;
	}
	if (!strcmp(tn, "enum")) {
		if (!(a = node_new(s, T_ENUM)) ||
		    set_name(s, a, j, ns, &myns, err, errsz) < 0)
			goto fail;
		syms = json_object_get(j, "symbols");
		n = json_array_size(syms);
		if (!(a->names = calloc(n + 1, sizeof(*a->names))))
			goto oom;
		a->n = (int)n;
		for (i = 0; i < n; i++) {
			const char *sym = json_string_value(json_array_get(syms,
			    i));
			if (!sym || !(a->names[i] = strdup(sym)))
				goto oom;
		}
		free(myns);
		return a;
	}
	if (!strcmp(tn, "fixed")) {
		if (!(a = node_new(s, T_FIXED)) ||
		    set_name(s, a, j, ns, &myns, err, errsz) < 0)
			goto fail;
		a->size = json_integer_value(json_object_get(j, "size"));
		a->logical = logical_of(j, a);
		free(myns);
		return a;
	}
	/* {"type": "Name"}: a reference */
	if ((a = lookup(s, tn, ns)))
		return a;
	weir_seterr(err, errsz, "unknown type \"%s\"", tn);
	return NULL;
oom:
	s->oom = 1;
	weir_seterr(err, errsz, "out of memory");
fail:
	free(myns);
	return NULL;
}

static anode *
parse_node(weir_avro_schema *s, json_t *j, const char *ns, char *err,
    size_t errsz)
{
	anode *a;
	size_t i, n;
	int pt;

	if (json_is_string(j)) {
		if ((pt = prim_type(json_string_value(j))) >= 0)
			return node_new(s, pt);
		if ((a = lookup(s, json_string_value(j), ns)))
			return a;
		weir_seterr(err, errsz, "unknown type \"%s\"",
		    json_string_value(j));
		return NULL;
	}
	if (json_is_object(j))
		return parse_complex(s, j, ns, err, errsz);
	if (!json_is_array(j)) {
		weir_seterr(err, errsz, "not a schema");
		return NULL;
	}
	n = json_array_size(j);
	if (!(a = node_new(s, T_UNION)) ||
	    !(a->kids = calloc(n + 1, sizeof(*a->kids)))) {
		s->oom = 1;
		weir_seterr(err, errsz, "out of memory");
		return NULL;
	}
	a->n = (int)n;
	for (i = 0; i < n; i++)
		if (!(a->kids[i] = parse_node(s, json_array_get(j, i), ns, err,
		    errsz)))
			return NULL;
	return a;
}

void
weir_avro_schema_free(weir_avro_schema *s)
{
	size_t i;
	int k;

	if (!s)
		return;
	for (i = 0; i < s->nall; i++) {
		anode *a = s->all[i];
		for (k = 0; a->names && k < a->n; k++)
			free(a->names[k]);
		for (k = 0; a->defs && k < a->n; k++)
			weir_buf_free(&a->defs[k]);
		free(a->names);
		free(a->defs);
		free(a->kids);
		free(a->name);
		free(a);
	}
	free(s->all);
	weir_buf_free(&s->tmp);
	weir_buf_free(&s->etmp);
	weir_buf_free(&s->ebin);
	weir_buf_free(&s->enum_);
	free(s);
}

int
weir_avro_load(char *err, size_t errsz)
{
	return weir__avroc_load(err, errsz);
}

int
weir_avro_schema_parse(weir_avro_schema **out, const char *json, size_t n,
    char *err, size_t errsz)
{
	weir_avro_schema *s;
	avro_schema_t as;
	json_error_t je;
	json_t *j;
	int rc;

	if ((rc = weir__avroc_load(err, errsz)) < 0)
		return rc;
	/* avro-c decides what a valid schema is; it tells out of memory
	 * from a bad schema only by errno (its JSON parser's failure is
	 * "Error parsing JSON" either way) */
	errno = 0;
	if ((rc = avro_schema_from_json_length(json, n, &as))) {
		if (rc == ENOMEM || errno == ENOMEM)
			goto oom;
		weir_seterr(err, errsz, "bad Avro schema: %s", avro_strerror());
		return WEIR_FAIL_DATA;
	}
	avro_schema_decref(as);
	errno = 0;
	if (!(j = json_loadb(json, n, JSON_DECODE_ANY, &je))) {
		if (json_error_code(&je) == json_error_out_of_memory ||
		    errno == ENOMEM)
			goto oom;
		weir_seterr(err, errsz, "bad Avro schema: %s", je.text);
		return WEIR_FAIL_DATA;
	}
	if (!(s = calloc(1, sizeof(*s)))) {
		json_decref(j);
		goto oom;
	}
	s->max = weir_max_record();
	s->root = parse_node(s, j, "", err, errsz);
	json_decref(j);
	if (!s->root) {
		rc = s->oom ? WEIR_FAIL_NOMEM : WEIR_FAIL_DATA;
		weir_avro_schema_free(s);
		return rc;
	}
	*out = s;
	return 0;
oom:
	weir_seterr(err, errsz, "out of memory");
	return WEIR_FAIL_NOMEM;
}

/* --- dates and times ---------------------------------------------------- */

static void
fmt_ts(char *buf, size_t sz, int64_t v, int micros, int zone)
{
	int64_t ms = micros ? (v >= 0 ? v / 1000 : (v - 999) / 1000) : v;
	size_t k;

	weir_iso8601_fmt(buf, sz, ms);	/* ....SS.mmmZ */
	k = strlen(buf);
	if (k < 1)
		return;
	buf[--k] = 0;
	if (micros && k + 4 < sz)
		k += (size_t)snprintf(buf + k, sz - k, "%03d",
		    (int)(v - ms * 1000));
	if (zone && k + 1 < sz)
		snprintf(buf + k, sz - k, "Z");
}

/* An ISO 8601 date-time into ms or us. */
static int
parse_ts(const uint8_t *s, size_t n, int micros, int64_t *out)
{
	int64_t ms, us = 0;
	size_t i;
	int k = 0;

	if (weir_iso8601_parse((const char *)s, n, &ms) < 0)
		return -1;
	if (!micros) {
		*out = ms;
		return 0;
	}
	for (i = 0; i < n && s[i] != '.' && s[i] != ','; i++)
		;
	for (i++; i < n && s[i] >= '0' && s[i] <= '9'; i++, k++)
		if (k >= 3 && k < 6)
			us = us * 10 + (s[i] - '0');
	for (k = k < 3 ? 3 : k; k < 6; k++)
		us *= 10;
	if (ms > INT64_MAX / 1000 || ms < INT64_MIN / 1000)
		return -1;
	*out = ms * 1000 + us;
	return 0;
}

static void
fmt_time(char *buf, size_t sz, int64_t v, int micros)
{
	int64_t unit = micros ? 1000000 : 1000, secs = v / unit;

	snprintf(buf, sz, micros ? "%02lld:%02lld:%02lld.%06lld" :
	    "%02lld:%02lld:%02lld.%03lld", (long long)(secs / 3600),
	    (long long)(secs / 60 % 60), (long long)(secs % 60),
	    (long long)(v % unit));
}

/* "HH:MM[:SS[.f...]]" into ms or us of the day. */
static int
parse_time(const uint8_t *s, size_t n, int micros, int64_t *out)
{
	char buf[64];
	int64_t v;

	if (n > 40)
		return -1;
	snprintf(buf, sizeof(buf), "1970-01-01T%.*sZ", (int)n, (const char *)s);
	if (memchr(s, 'Z', n) || memchr(s, '+', n) || memchr(s, '-', n) ||
	    parse_ts((const uint8_t *)buf, strlen(buf), micros, &v) < 0 ||
	    v < 0 || v >= (micros ? 86400000000LL : 86400000LL))
		return -1;
	*out = v;
	return 0;
}

/* --- decimals ------------------------------------------------------------ */

/*
 * A two's complement big-endian integer as decimal text with scale digits
 * after the point: appended to out.
 */
static int
dec_text(weir_buf *out, const uint8_t *p, size_t n, int scale)
{
	uint8_t mag[MAX_DECIMAL];
	char dig[MAX_DECIMAL * 3 + 8];
	size_t i, nd = 0, lead = 0;
	int neg = n && (p[0] & 0x80), carry, k;

	if (n > MAX_DECIMAL)
		return -1;
	for (i = 0; i < n; i++)
		mag[i] = neg ? (uint8_t)~p[i] : p[i];
	if (neg)	/* magnitude = ~x + 1 */
		for (i = n, carry = 1; i-- > 0 && carry;) {
			carry = mag[i] == 0xff;
			mag[i]++;
		}
	for (;;) {	/* repeated division by 10 */
		unsigned rem = 0;
		int zero = 1;
		for (i = lead; i < n; i++) {
			unsigned cur = rem * 256 + mag[i];
			mag[i] = (uint8_t)(cur / 10);
			rem = cur % 10;
			if (mag[i])
				zero = 0;
		}
		dig[nd++] = (char)('0' + rem);
		while (lead < n && !mag[lead])
			lead++;
		if (zero)
			break;
	}
	while ((int)nd <= scale)
		dig[nd++] = '0';
	if (neg && weir_buf_putc(out, '-') < 0)
		return -1;
	for (k = (int)nd - 1; k >= 0; k--) {
		if (weir_buf_putc(out, dig[k]) < 0)
			return -1;
		if (k == scale && scale > 0 && weir_buf_putc(out, '.') < 0)
			return -1;
	}
	return 0;
}

/*
 * Decimal text (a JSON number) as the unscaled two's complement integer at
 * the given scale, minimal length (fixed: size bytes).  -1 if it is not a
 * number, has more fraction digits than scale (other than zeros) or does
 * not fit.
 */
static int
dec_bytes(const uint8_t *s, size_t n, int scale, int64_t fixed, uint8_t *out,
    size_t *outn)
{
	uint8_t mag[MAX_DECIMAL];
	size_t i = 0, k, len;
	int neg = 0, frac = 0, infrac = 0, sawdig = 0;
	long exp = 0;

	memset(mag, 0, sizeof(mag));
	if (i < n && (s[i] == '-' || s[i] == '+'))
		neg = s[i++] == '-';
	for (; i <= n; i++) {
		int d;
		if (i < n && s[i] == '.' && !infrac) {
			infrac = 1;
			continue;
		}
		if (i == n || s[i] == 'e' || s[i] == 'E')
			break;
		if (s[i] < '0' || s[i] > '9')
			return -1;
		d = s[i] - '0';
		sawdig = 1;
		if (infrac)
			frac++;
		for (k = MAX_DECIMAL; k-- > 0;) {	/* mag = mag*10 + d */
			unsigned cur = mag[k] * 10u + (unsigned)d;
			mag[k] = (uint8_t)cur;
			d = (int)(cur >> 8);
		}
		if (d || mag[0] & 0x80)
			return -1;
	}
	if (!sawdig)
		return -1;
	if (i < n) {	/* exponent */
		char *e;
		char eb[32];
		if (n - i - 1 >= sizeof(eb) || n - i - 1 == 0)
			return -1;
		memcpy(eb, s + i + 1, n - i - 1);
		eb[n - i - 1] = 0;
		errno = 0;
		exp = strtol(eb, &e, 10);
		if (*e || errno || exp > 1000 || exp < -1000)
			return -1;
	}
	/* value = mag * 10^(exp - frac); want mag * 10^(exp - frac + scale) */
	exp = exp - frac + scale;
	for (; exp > 0; exp--) {
		int d = 0;
		for (k = MAX_DECIMAL; k-- > 0;) {
			unsigned cur = mag[k] * 10u + (unsigned)d;
			mag[k] = (uint8_t)cur;
			d = (int)(cur >> 8);
		}
		if (d || mag[0] & 0x80)
			return -1;
	}
	for (; exp < 0; exp++) {	/* only zeros may go */
		unsigned rem = 0;
		for (k = 0; k < MAX_DECIMAL; k++) {
			unsigned cur = rem * 256 + mag[k];
			mag[k] = (uint8_t)(cur / 10);
			rem = cur % 10;
		}
		if (rem)
			return -1;
	}
	if (neg) {	/* two's complement */
		int carry = 1;
		for (k = 0; k < MAX_DECIMAL; k++)
			mag[k] = (uint8_t)~mag[k];
		for (k = MAX_DECIMAL; k-- > 0 && carry;) {
			carry = mag[k] == 0xff;
			mag[k]++;
		}
	}
	/* minimal: drop leading bytes that only repeat the sign */
	for (i = 0; i + 1 < MAX_DECIMAL; i++)
		if (!((mag[i] == 0 && !(mag[i + 1] & 0x80)) ||
		    (mag[i] == 0xff && (mag[i + 1] & 0x80))))
			break;
	len = MAX_DECIMAL - i;
	if (fixed > 0) {
		if ((int64_t)len > fixed)
			return -1;
		i = MAX_DECIMAL - (size_t)fixed;
		len = (size_t)fixed;
	}
	memcpy(out, mag + i, len);
	*outn = len;
	return 0;
}

/* --- decoding ------------------------------------------------------------ */

typedef struct dec {
	weir_avro_schema *s;
	const uint8_t *base, *p, *end;
	weir_buf *out;
	size_t start;
	char *err;
	size_t errsz;
	int bad;		/* derr said why: bad data, not memory */
} dec;

static int
derr(dec *d, const char *what)
{
	weir_seterr(d->err, d->errsz, "bad Avro data: %s (byte %zu of the body)",
	    what, (size_t)(d->p - d->base));
	d->bad = 1;
	return -1;
}

static int
read_long(dec *d, int64_t *v)
{
	uint64_t u;

	if (weir_varint_dec(&d->p, d->end, &u) < 0)
		return -1;
	*v = weir_zz_dec(u);
	return 0;
}

/* A length: 0 <= len <= what is left. */
static int
read_len(dec *d, size_t *len)
{
	int64_t v;

	if (read_long(d, &v) < 0 || v < 0 || (uint64_t)v > (size_t)(d->end - d->p))
		return -1;
	*len = (size_t)v;
	return 0;
}

/* bytes as a string of code points U+0000..U+00FF */
static int
put_latin1(weir_buf *out, weir_buf *tmp, const uint8_t *p, size_t n)
{
	size_t i;

	tmp->len = 0;
	if (weir_buf_reserve(tmp, n * 2) < 0)
		return -1;
	for (i = 0; i < n; i++) {
		if (p[i] < 0x80)
			tmp->p[tmp->len++] = p[i];
		else {
			tmp->p[tmp->len++] = (uint8_t)(0xc0 | p[i] >> 6);
			tmp->p[tmp->len++] = (uint8_t)(0x80 | (p[i] & 0x3f));
		}
	}
	return weir_pack_str(out, (const char *)tmp->p, tmp->len);
}

static int
dec_logical(dec *d, const anode *a, int64_t v)
{
	char buf[64];
	int rc;

	switch (a->logical) {
	case L_DATE:
		if (v < -3652059 || v > 2932896)	/* years 0000..9999 */
			return weir_pack_int(d->out, v);
		weir_iso8601_fmt(buf, sizeof(buf), v * 86400000);
		buf[10] = 0;
		break;
	case L_TIME_MS:
	case L_TIME_US:
		if (v < 0 || v >= (a->logical == L_TIME_US ? 86400000000LL :
		    86400000))
			return weir_pack_int(d->out, v);
		fmt_time(buf, sizeof(buf), v, a->logical == L_TIME_US);
		break;
	default:	/* timestamps */
		if (v < -62135596800000LL * (a->logical == L_TS_US ||
		    a->logical == L_LTS_US ? 1000 : 1) ||
		    v > 253402300799999LL * (a->logical == L_TS_US ||
		    a->logical == L_LTS_US ? 1000 : 1))
			return weir_pack_int(d->out, v);	/* not 4 digits */
		fmt_ts(buf, sizeof(buf), v, a->logical == L_TS_US ||
		    a->logical == L_LTS_US, a->logical == L_TS_MS ||
		    a->logical == L_TS_US);
	}
	rc = weir_pack_str(d->out, buf, strlen(buf));
	return rc;
}

static int
dec_float(dec *d, double v, int single)
{
	char buf[40];
	int prec;

	if (!isfinite(v) || !single)
		return weir_pack_double(d->out, v);
	for (prec = 1; prec < 9; prec++) {	/* shortest that reads back */
		snprintf(buf, sizeof(buf), "%.*g", prec, v);
		if (strtof(buf, NULL) == (float)v)
			break;
	}
	snprintf(buf, sizeof(buf), "%.*g", prec, v);
	return weir_pack_numtext(d->out, buf, strlen(buf));
}

static int
dec_value(dec *d, const anode *a, int depth)
{
	const uint8_t *b;
	int64_t v, cnt;
	size_t len, mark, i;
	int k, rc;

	if (depth > MAX_DEPTH) {
		weir_seterr(d->err, d->errsz, "bad Avro data: nested too deep");
		d->bad = 1;
		return -1;
	}
	if (d->out->len - d->start > d->s->max) {
		weir_seterr(d->err, d->errsz, "bad Avro data: decoded value "
		    "larger than %zu bytes", d->s->max);
		d->bad = 1;
		return -1;
	}
	switch (a->type) {
	case T_NULL:
		return weir_pack_null(d->out);
	case T_BOOL:
		if (d->p >= d->end || *d->p > 1)
			return derr(d, "bad boolean");
		return weir_pack_bool(d->out, *d->p++);
	case T_INT:
	case T_LONG:
		if (read_long(d, &v) < 0)
			return derr(d, "bad integer");
		if (a->type == T_INT && (v < INT32_MIN || v > INT32_MAX))
			return derr(d, "int out of range");
		if (a->logical != L_NONE)
			return dec_logical(d, a, v);
		return weir_pack_int(d->out, v);
	case T_FLOAT: {
		float f;
		uint32_t u;
		if (d->end - d->p < 4)
			return derr(d, "short float");
		u = (uint32_t)d->p[0] | (uint32_t)d->p[1] << 8 |
		    (uint32_t)d->p[2] << 16 | (uint32_t)d->p[3] << 24;
		memcpy(&f, &u, 4);
		d->p += 4;
		return dec_float(d, f, 1);
	}
	case T_DOUBLE: {
		double f;
		uint64_t u = 0;
		if (d->end - d->p < 8)
			return derr(d, "short double");
		for (k = 7; k >= 0; k--)
			u = u << 8 | d->p[k];
		memcpy(&f, &u, 8);
		d->p += 8;
		return dec_float(d, f, 0);
	}
	case T_STRING:
	case T_BYTES:
	case T_FIXED:
		if (a->type == T_FIXED) {
			if (a->size < 0 || a->size > d->end - d->p)
				return derr(d, "short fixed");
			len = (size_t)a->size;
		} else if (read_len(d, &len) < 0)
			return derr(d, "bad length");
		b = d->p;
		d->p += len;
		if (a->logical == L_DECIMAL) {
			size_t at = d->s->tmp.len = 0;
			if (dec_text(&d->s->tmp, b, len, a->scale) < 0)
				return derr(d, "decimal too long");
			return weir_pack_numtext(d->out, (const char *)d->s->tmp.p +
			    at, d->s->tmp.len);
		}
		if (a->type == T_STRING) {
			rc = weir_pack_str(d->out, (const char *)b, len);
			if (rc == WEIR_FAIL_DATA)
				return derr(d, "string not UTF-8");
			return rc < 0 ? -1 : 0;
		}
		return put_latin1(d->out, &d->s->tmp, b, len);
	case T_ENUM:
		if (read_long(d, &v) < 0 || v < 0 || v >= a->n)
			return derr(d, "bad enum index");
		return weir_pack_str(d->out, a->names[v], strlen(a->names[v]));
	case T_UNION:
		if (read_long(d, &v) < 0 || v < 0 || v >= a->n)
			return derr(d, "bad union branch");
		return dec_value(d, a->kids[v], depth + 1);
	case T_RECORD:
		mark = weir_pack_open(d->out, WEIR_PK_OBJ);
		for (k = 0; k < a->n; k++)
			if (weir_pack_str(d->out, a->names[k],
			    strlen(a->names[k])) < 0 ||
			    dec_value(d, a->kids[k], depth + 1) < 0)
				return -1;
		return weir_pack_close(d->out, mark);
	case T_ARRAY:
	case T_MAP:
		mark = weir_pack_open(d->out, a->type == T_MAP ? WEIR_PK_OBJ :
		    WEIR_PK_ARR);
		for (;;) {
			if (read_long(d, &cnt) < 0)
				return derr(d, "bad block count");
			if (cnt == 0)
				break;
			if (cnt < 0) {	/* followed by the block's size */
				if (cnt == INT64_MIN || read_long(d, &v) < 0)
					return derr(d, "bad block count");
				cnt = -cnt;
			}
			/* items take a byte or more, but for null-like ones:
			 * a count no message of this size holds is refused */
			if ((uint64_t)cnt > (uint64_t)(d->end - d->p) + ZERO_ITEMS)
				return derr(d, "block count larger than the message");
			for (i = 0; i < (uint64_t)cnt; i++) {
				if (a->type == T_MAP) {
					if (read_len(d, &len) < 0)
						return derr(d, "bad map key");
					b = d->p;
					d->p += len;
					rc = weir_pack_str(d->out,
					    (const char *)b, len);
					if (rc == WEIR_FAIL_DATA)
						return derr(d, "map key not UTF-8");
					if (rc < 0)
						return -1;
				}
				if (dec_value(d, a->kids[0], depth + 1) < 0)
					return -1;
			}
		}
		return weir_pack_close(d->out, mark);
	}
	return derr(d, "bad schema");
}

int
weir_avro_decode(weir_avro_schema *s, const uint8_t *p, size_t n,
    weir_buf *out, char *err, size_t errsz)
{
	dec d = { s, p, p, p + n, out, out->len, err, errsz, 0 };

	if (err && errsz)
		*err = 0;

	if (dec_value(&d, s->root, 0) < 0) {
		out->len = d.start;
		if (d.bad)
			return WEIR_FAIL_DATA;
		weir_seterr(err, errsz, "out of memory");
		return WEIR_FAIL_NOMEM;
	}
	if (d.p != d.end) {
		weir_seterr(err, errsz, "bad Avro data: %zu bytes after the "
		    "value", (size_t)(d.end - d.p));
		out->len = d.start;
		return WEIR_FAIL_DATA;
	}
	return 0;
}

/* --- encoding ------------------------------------------------------------ */

typedef struct enc {
	weir_avro_schema *s;
	weir_buf *out, *tmp;
	char *err;
	size_t errsz;
	char path[256];
} enc;

static int
put_long(weir_buf *b, int64_t v)
{
	return weir_buf_put_varint(b, weir_zz_enc(v));
}

static int
eerr(enc *e, const char *what)
{
	weir_seterr(e->err, e->errsz, "%s%s%s", e->path[0] ? e->path : "",
	    e->path[0] ? ": " : "", what);
	return -1;
}

/* An integral JSON number into *v. */
static int
pv_int(const weir_pv *v, int64_t *out)
{
	int64_t m, p10 = 1;
	int scale, k;

	if (v->type == WEIR_PV_INT) {
		*out = v->i;
		return 0;
	}
	if (!weir_pv_exact(v, &m, &scale))
		return -1;
	for (k = 0; k < scale; k++)
		p10 *= 10;
	if (m % p10)
		return -1;
	*out = m / p10;
	return 0;
}

/* The string's characters: into e->tmp (reset). */
static int
pv_chars(enc *e, const weir_pv *v, const uint8_t **s, size_t *n)
{
	if (v->type != WEIR_PV_STRING)
		return -1;
	e->tmp->len = 0;
	return weir_pv_str(v, e->tmp, s, n);
}

static int
enc_logical(enc *e, const anode *a, const weir_pv *v, int64_t *out)
{
	const uint8_t *s;
	size_t n;
	int64_t ms;
	int us = a->logical == L_TS_US || a->logical == L_LTS_US;

	if (pv_int(v, out) == 0)	/* the stored number itself */
		return 0;
	if (pv_chars(e, v, &s, &n) < 0)
		return -1;
	switch (a->logical) {
	case L_DATE:
		if (n != 10 || weir_iso8601_parse((const char *)s, n, &ms) < 0)
			return -1;
		*out = ms / 86400000;
		return 0;
	case L_TIME_MS:
	case L_TIME_US:
		return parse_time(s, n, a->logical == L_TIME_US, out);
	default:
		return parse_ts(s, n, us, out);
	}
}

static int enc_value(enc *e, const anode *a, const weir_pv *v, int depth);

static int
enc_bytes(enc *e, const anode *a, const weir_pv *v)
{
	uint8_t dbuf[MAX_DECIMAL];
	const uint8_t *s;
	size_t n, i, len = 0;
	weir_buf *num = &e->s->enum_, *bin = &e->s->ebin;
	int rc;

	if (a->logical == L_DECIMAL) {
		weir_pv nv;
		num->len = 0;
		if ((rc = weir_pv_as_num(v, num, &nv)) < 0)
			return -1;	/* out of memory: no message */
		if (!rc)
			return eerr(e, "not a decimal number");
		e->tmp->len = 0;
		if (weir_pv_to_json(e->tmp, &nv) < 0 || dec_bytes(e->tmp->p,
		    e->tmp->len, a->scale,
		    a->type == T_FIXED ? a->size : 0, dbuf, &len) < 0)
			return eerr(e, "decimal does not fit the scale or size");
		if (a->type == T_BYTES && put_long(e->out, (int64_t)len) < 0)
			return -1;
		return weir_buf_put(e->out, dbuf, len);
	}
	if (pv_chars(e, v, &s, &n) < 0)
		return eerr(e, "not a string (bytes)");
	/* code points U+0000..U+00FF back to bytes */
	bin->len = 0;
	if (weir_buf_reserve(bin, n) < 0)
		return -1;
	for (i = 0; i < n; i++) {
		if (s[i] < 0x80)
			bin->p[len++] = s[i];
		else if ((s[i] == 0xc2 || s[i] == 0xc3) && i + 1 < n) {
			bin->p[len++] = (uint8_t)((s[i] & 3) << 6 |
			    (s[i + 1] & 0x3f));
			i++;
		} else
			return eerr(e, "bytes: a character above U+00FF");
	}
	if (a->type == T_FIXED && (int64_t)len != a->size)
		return eerr(e, "fixed: wrong length");
	if (a->type == T_BYTES && put_long(e->out, (int64_t)len) < 0)
		return -1;
	return weir_buf_put(e->out, bin->p, len);
}

static int
enc_record(enc *e, const anode *a, const weir_pv *v, int depth)
{
	size_t plen = strlen(e->path);
	weir_pv f;
	int k;

	if (v->type != WEIR_PV_OBJECT)
		return eerr(e, "not an object");
	for (k = 0; k < a->n; k++) {
		snprintf(e->path + plen, sizeof(e->path) - plen, ".%s",
		    a->names[k]);
		if (!weir_pv_member(v, a->names[k], strlen(a->names[k]), &f)) {
			if (!a->defs[k].len)
				return eerr(e, "missing, and no default");
			weir_pv_of(a->defs[k].p, a->defs[k].len, &f);
		}
		if (enc_value(e, a->kids[k], &f, depth + 1) < 0)
			return -1;
	}
	e->path[plen] = 0;
	return 0;
}

static int
enc_value(enc *e, const anode *a, const weir_pv *v, int depth)
{
	const uint8_t *s;
	size_t n, save;
	int64_t i;
	int k;

	if (depth > MAX_DEPTH)
		return eerr(e, "nested too deep");
	switch (a->type) {
	case T_NULL:
		return v->type == WEIR_PV_NULL ? 0 : eerr(e, "not null");
	case T_BOOL:
		if (v->type != WEIR_PV_TRUE && v->type != WEIR_PV_FALSE)
			return eerr(e, "not a boolean");
		return weir_buf_putc(e->out, v->type == WEIR_PV_TRUE);
	case T_INT:
	case T_LONG:
		if (a->logical != L_NONE) {
			if (enc_logical(e, a, v, &i) < 0)
				return eerr(e, a->logical == L_DATE ?
				    "not a date (YYYY-MM-DD)" :
				    a->logical == L_TIME_MS || a->logical ==
				    L_TIME_US ? "not a time of day (HH:MM:SS)" :
				    "not an ISO 8601 date-time or a number");
		} else if (pv_int(v, &i) < 0)
			return eerr(e, "not an integer");
		if (a->type == T_INT && (i < INT32_MIN || i > INT32_MAX))
			return eerr(e, "out of range for int");
		return put_long(e->out, i);
	case T_FLOAT:
	case T_DOUBLE: {
		double d = weir_pv_num(v);
		uint8_t b[8];
		if (!weir_pv_is_num(v) || isnan(d))
			return eerr(e, "not a number");
		if (a->type == T_FLOAT) {
			float f;
			uint32_t u;
			if (isfinite(d) && (d > FLT_MAX || d < -FLT_MAX))
				return eerr(e, "out of range for float");
			f = (float)d;
			memcpy(&u, &f, 4);
			for (k = 0; k < 4; k++)
				b[k] = (uint8_t)(u >> (8 * k));
			return weir_buf_put(e->out, b, 4);
		} else {
			uint64_t u;
			memcpy(&u, &d, 8);
			for (k = 0; k < 8; k++)
				b[k] = (uint8_t)(u >> (8 * k));
			return weir_buf_put(e->out, b, 8);
		}
	}
	case T_STRING:
		if (pv_chars(e, v, &s, &n) < 0)
			return eerr(e, "not a string");
		if (put_long(e->out, (int64_t)n) < 0)
			return -1;
		return weir_buf_put(e->out, s, n);
	case T_BYTES:
	case T_FIXED:
		return enc_bytes(e, a, v);
	case T_ENUM:
		if (v->type == WEIR_PV_STRING)
			for (k = 0; k < a->n; k++)
				if (weir_pv_str_eq(v, a->names[k],
				    strlen(a->names[k])))
					return put_long(e->out, k);
		return eerr(e, "not a symbol of the enum");
	case T_UNION:
		save = e->out->len;
		n = strlen(e->path);
		for (k = 0; k < a->n; k++) {
			e->path[n] = 0;
			if (put_long(e->out, k) == 0 &&
			    enc_value(e, a->kids[k], v, depth + 1) == 0)
				return 0;
			e->out->len = save;
		}
		e->path[n] = 0;
		return eerr(e, "fits no branch of the union");
	case T_RECORD:
		return enc_record(e, a, v, depth);
	case T_ARRAY:
	case T_MAP: {
		weir_pv_iter it;
		weir_pv key, val;
		int64_t cnt = 0;
		if (v->type != (a->type == T_MAP ? WEIR_PV_OBJECT :
		    WEIR_PV_ARRAY))
			return eerr(e, a->type == T_MAP ? "not an object (map)" :
			    "not an array");
		weir_pv_iter_init(&it, v);
		while (weir_pv_iter_next(&it, NULL, &val))
			cnt++;
		weir_pv_iter_init(&it, v);
		for (i = 0; weir_pv_iter_next(&it, &key, &val); i++) {
			/* blocks of ZERO_ITEMS at most, which decode always
			 * accepts */
			if (i % ZERO_ITEMS == 0 && put_long(e->out, cnt - i <
			    ZERO_ITEMS ? cnt - i : ZERO_ITEMS) < 0)
				return -1;
			if (a->type == T_MAP) {
				if (pv_chars(e, &key, &s, &n) < 0 ||
				    put_long(e->out, (int64_t)n) < 0 ||
				    weir_buf_put(e->out, s, n) < 0)
					return -1;
			}
			if (enc_value(e, a->kids[0], &val, depth + 1) < 0)
				return -1;
		}
		return weir_buf_putc(e->out, 0);
	}
	}
	return eerr(e, "bad schema");
}

int
weir_avro_encode(weir_avro_schema *s, const weir_pv *v, weir_buf *out,
    char *err, size_t errsz)
{
	char msg[WEIR_ERRSZ] = "";
	enc e = { s, out, &s->etmp, msg, sizeof(msg), "" };
	size_t start = out->len;

	/* every misfit says why (eerr): a failure without a message is a
	 * buffer that could not grow */
	if (enc_value(&e, s->root, v, 0) == 0)
		return 0;
	out->len = start;
	weir_seterr(err, errsz, "%s", *msg ? msg : "out of memory");
	return *msg ? WEIR_FAIL_DATA : WEIR_FAIL_NOMEM;
}

/* --- framing ------------------------------------------------------------- */

int
weir_avro_unframe(const uint8_t *p, size_t n, uint32_t *id,
    const uint8_t **body, size_t *bodylen, char *err, size_t errsz)
{
	if (n && p[0] != WEIR_AVRO_MAGIC) {
		weir_seterr(err, errsz, "not Confluent-framed Avro: magic byte "
		    "0x%02x, not 0x00", p[0]);
		return -1;
	}
	if (n < WEIR_AVRO_HDR) {
		weir_seterr(err, errsz, "not Confluent-framed Avro: %zu bytes, "
		    "shorter than its 5-byte header", n);
		return -1;
	}
	*id = (uint32_t)p[1] << 24 | (uint32_t)p[2] << 16 |
	    (uint32_t)p[3] << 8 | p[4];
	*body = p + WEIR_AVRO_HDR;
	*bodylen = n - WEIR_AVRO_HDR;
	return 0;
}

int
weir_avro_frame(weir_buf *out, uint32_t id)
{
	uint8_t h[WEIR_AVRO_HDR] = { WEIR_AVRO_MAGIC, (uint8_t)(id >> 24),
		(uint8_t)(id >> 16), (uint8_t)(id >> 8), (uint8_t)id };

	return weir_buf_put(out, h, sizeof(h));
}
