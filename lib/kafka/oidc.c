/* oidc.c - OAUTHBEARER tokens from an OAuth 2.0 token endpoint, fetched
 * by weir when librdkafka cannot (oidc.h). */
#include "oidc.h"

#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "curl_dl.h"
#include "kafka_int.h"
#include "registry.h"

/* sasl.oauthbearer.config starts with this line when weir keeps the
 * OIDC properties in it; "name=value" lines follow. */
#define MARK "#weir-oidc\n"
#define PREFIX "sasl.oauthbearer."
#define HTTP_TIMEOUT_MS 10000L

/* librdkafka's OIDC properties weir takes, after PREFIX, and the name
 * each one is kept under (the aliases of newer librdkafka included). */
static const struct {
	const char *name, *key;
} props[] = {
	{ "method", "method" },
	{ "client.id", "client.id" },
	{ "client.credentials.client.id", "client.id" },
	{ "client.secret", "client.secret" },
	{ "client.credentials.client.secret", "client.secret" },
	{ "token.endpoint.url", "token.endpoint.url" },
	{ "scope", "scope" },
	{ "extensions", "extensions" },
	{ "sub.claim.name", "sub.claim.name" },
	{ "grant.type", "grant.type" },
};

/* The kept properties, parsed (pointers into buf). */
typedef struct oidc_cfg {
	char *buf;
	const char *method, *id, *secret, *url, *scope, *ext, *sub, *grant;
	const char *ca;
} oidc_cfg;

static int
has_oidc(rd_kafka_conf_t *conf)
{
	char f[1024], *s, *save = NULL;
	size_t n = sizeof(f);

	if (rd_kafka_conf_get(conf, "builtin.features", f, &n) !=
	    RD_KAFKA_CONF_OK)
		return 0;
	for (s = strtok_r(f, ",", &save); s; s = strtok_r(NULL, ",", &save))
		if (!strcmp(s, "oidc"))
			return 1;
	return 0;
}

/* sasl.oauthbearer.config, malloc'd ("" when unset); NULL out of memory */
static char *
kept(rd_kafka_conf_t *conf)
{
	size_t n = 0;
	char *s;

	if (rd_kafka_conf_get(conf, "sasl.oauthbearer.config", NULL, &n) !=
	    RD_KAFKA_CONF_OK || n == 0)
		return strdup("");
	if ((s = malloc(n)) && rd_kafka_conf_get(conf,
	    "sasl.oauthbearer.config", s, &n) != RD_KAFKA_CONF_OK)
		*s = '\0';
	return s;
}

static const char *
key_of(const char *name)
{
	size_t i;

	/* newer librdkafka's CA for the token endpoint (curl's) */
	if (!strcmp(name, "https.ca.location"))
		return "ca";
	if (strncmp(name, PREFIX, strlen(PREFIX)))
		return NULL;
	name += strlen(PREFIX);
	for (i = 0; i < sizeof(props) / sizeof(props[0]); i++)
		if (!strcmp(name, props[i].name))
			return props[i].key;
	return NULL;
}

int
weir__oidc_property(rd_kafka_conf_t *conf, const char *name,
    const char *value, char *err, size_t errsz)
{
	const char *key = key_of(name);
	char *cur;
	weir_buf b = { 0 };
	int rc = 1;

	if (!strcmp(name, "sasl.oauthbearer.config")) {
		if (has_oidc(conf) || !(cur = kept(conf)))
			return 0;
		if (!strncmp(cur, MARK, strlen(MARK))) {
			weir_seterr(err, errsz, "-X %s: cannot be combined with "
			    "sasl.oauthbearer.method=oidc and its properties "
			    "here (weir fetches the token: this librdkafka has "
			    "no OIDC)", name);
			rc = WEIR_FAIL_USAGE;
		} else
			rc = 0;
		free(cur);
		return rc;
	}
	if (!key || has_oidc(conf))
		return 0;
	if (strchr(value, '\n')) {
		weir_seterr(err, errsz, "-X %s: a newline in the value", name);
		return WEIR_FAIL_USAGE;
	}
	if (!(cur = kept(conf))) {
		weir_seterr(err, errsz, "out of memory");
		return WEIR_FAIL_NOMEM;
	}
	if (*cur && strncmp(cur, MARK, strlen(MARK))) {
		weir_seterr(err, errsz, "-X %s: cannot be combined with "
		    "sasl.oauthbearer.config here (weir fetches the token: "
		    "this librdkafka has no OIDC)", name);
		rc = WEIR_FAIL_USAGE;
	} else if (weir_buf_puts(&b, *cur ? cur : MARK) < 0 ||
	    weir_buf_printf(&b, "%s=%s\n", key, value) < 0 ||
	    weir_buf_putc(&b, '\0') < 0) {
		weir_seterr(err, errsz, "out of memory");
		rc = WEIR_FAIL_NOMEM;
	} else if (weir__kafka_conf_set(conf, "sasl.oauthbearer.config",
	    (const char *)b.p, NULL, 0) < 0) {
		weir_seterr(err, errsz, "-X %s: librdkafka refused to keep it",
		    name);
		rc = WEIR_FAIL_USAGE;
	}
	free(cur);
	weir_buf_free(&b);
	return rc;
}

/* Parse the kept lines (a later line wins, as -X does); -1 no memory. */
static int
cfg_parse(oidc_cfg *c, const char *s)
{
	char *line, *next, *eq;

	memset(c, 0, sizeof(*c));
	if (!(c->buf = strdup(s + strlen(MARK))))
		return -1;
	for (line = c->buf; *line; line = next) {
		next = strchr(line, '\n');
		*next++ = '\0';
		if (!(eq = strchr(line, '=')))
			continue;
		*eq++ = '\0';
		if (!strcmp(line, "method"))
			c->method = eq;
		else if (!strcmp(line, "client.id"))
			c->id = eq;
		else if (!strcmp(line, "client.secret"))
			c->secret = eq;
		else if (!strcmp(line, "token.endpoint.url"))
			c->url = eq;
		else if (!strcmp(line, "scope"))
			c->scope = eq;
		else if (!strcmp(line, "extensions"))
			c->ext = eq;
		else if (!strcmp(line, "sub.claim.name"))
			c->sub = eq;
		else if (!strcmp(line, "grant.type"))
			c->grant = eq;
		else if (!strcmp(line, "ca"))
			c->ca = eq;
	}
	if (!c->sub || !*c->sub)
		c->sub = "sub";
	return 0;
}

/*
 * sasl.oauthbearer.extensions: "k=v,k=v" into extension pairs (pointers
 * into buf, which is changed); the count of strings (2 per pair), or -1
 * for an item without '=' or more than max / 2 pairs.
 */
static int
ext_split(char *buf, const char **kv, int max)
{
	char *s, *save = NULL, *eq;
	int n = 0;

	for (s = strtok_r(buf, ",", &save); s; s = strtok_r(NULL, ",", &save)) {
		s += strspn(s, " ");
		if (!*s)
			continue;
		if (!(eq = strchr(s, '=')) || eq == s || n + 2 > max)
			return -1;
		*eq = '\0';
		kv[n++] = s;
		kv[n++] = eq + 1;
	}
	return n;
}

#define MAX_EXT 32
/* A failed refresh keeps a token with this much life left (librdkafka's
 * timer ticks once a second), and asks again after a quarter of it, at
 * most after librdkafka's 10 s */
#define KEEP_MS 500
#define RETRY_MS 10000

static void refresh_cb(rd_kafka_t *rk, const char *config, void *opaque);

int
weir__oidc_conf(rd_kafka_conf_t *conf, char *err, size_t errsz)
{
	char *cur, mech[64], ebuf[1024];
	const char *kv[MAX_EXT * 2];
	size_t n = sizeof(mech);
	oidc_cfg c;
	int rc = 1;

	if (!(cur = kept(conf))) {
		weir_seterr(err, errsz, "out of memory");
		return WEIR_FAIL_NOMEM;
	}
	if (strncmp(cur, MARK, strlen(MARK))) {
		free(cur);
		return 0;
	}
	if (cfg_parse(&c, cur) < 0) {
		free(cur);
		weir_seterr(err, errsz, "out of memory");
		return WEIR_FAIL_NOMEM;
	}
	free(cur);
	if (!c.method || strcmp(c.method, "oidc")) {
		/* method=default: the OIDC properties do nothing, as in
		 * librdkafka; sasl.oauthbearer.config is left unset */
		rc = 0;
		if (rd_kafka_conf_set(conf, "sasl.oauthbearer.config", NULL,
		    NULL, 0) != RD_KAFKA_CONF_OK)
			(void)rd_kafka_conf_set(conf, "sasl.oauthbearer.config",
			    "", NULL, 0);
		if (c.method && strcmp(c.method, "default")) {
			weir_seterr(err, errsz, "-X sasl.oauthbearer.method: "
			    "default or oidc, not \"%s\"", c.method);
			rc = WEIR_FAIL_USAGE;
		}
		free(c.buf);
		return rc;
	}
	if (rd_kafka_conf_get(conf, "sasl.mechanisms", mech, &n) !=
	    RD_KAFKA_CONF_OK || strcmp(mech, "OAUTHBEARER")) {
		weir_seterr(err, errsz, "sasl.oauthbearer.method=oidc needs "
		    "-X sasl.mechanisms=OAUTHBEARER");
		rc = WEIR_FAIL_USAGE;
	} else if (!c.id || !*c.id || !c.secret || !*c.secret || !c.url ||
	    !*c.url) {
		weir_seterr(err, errsz, "sasl.oauthbearer.method=oidc needs "
		    "-X sasl.oauthbearer.%s", !c.id || !*c.id ? "client.id" :
		    !c.secret || !*c.secret ? "client.secret" :
		    "token.endpoint.url");
		rc = WEIR_FAIL_USAGE;
	} else if (strncmp(c.url, "http://", 7) && strncmp(c.url, "https://",
	    8)) {
		weir_seterr(err, errsz, "-X sasl.oauthbearer.token.endpoint.url:"
		    " not an http:// or https:// URL");
		rc = WEIR_FAIL_USAGE;
	} else if (c.grant && strcmp(c.grant, "client_credentials")) {
		weir_seterr(err, errsz, "-X sasl.oauthbearer.grant.type: weir "
		    "fetches tokens with client_credentials only (this "
		    "librdkafka has no OIDC of its own)");
		rc = WEIR_FAIL_USAGE;
	} else if (c.ext && (snprintf(ebuf, sizeof(ebuf), "%s", c.ext) >=
	    (int)sizeof(ebuf) || ext_split(ebuf, kv, MAX_EXT * 2) < 0)) {
		weir_seterr(err, errsz, "-X sasl.oauthbearer.extensions: "
		    "expected key=value,... (at most %d)", MAX_EXT);
		rc = WEIR_FAIL_USAGE;
	} else if (!weir_curl_load(err, errsz)) {
		rc = WEIR_FAIL_IO;
	} else {
		rd_kafka_conf_set_oauthbearer_token_refresh_cb(conf, refresh_cb);
		rd_kafka_conf_enable_sasl_queue(conf, 1);
	}
	free(c.buf);
	return rc;
}

int
weir__oidc_start(rd_kafka_t *rk, char *err, size_t errsz)
{
	rd_kafka_error_t *e = rd_kafka_sasl_background_callbacks_enable(rk);

	if (!e)
		return 0;
	weir_seterr(err, errsz, "OAUTHBEARER: %s", rd_kafka_error_string(e));
	rd_kafka_error_destroy(e);
	return WEIR_FAIL_IO;
}

/* A JWT's payload (the second of its three base64url parts) as JSON. */
static json_t *
jwt_payload(const char *tok)
{
	const char *p = strchr(tok, '.'), *q;
	weir_buf b = { 0 }, dec = { 0 };
	json_t *j = NULL;
	size_t i;

	if (!p || !(q = strchr(p + 1, '.')) || q == p + 1)
		return NULL;
	p++;
	if (weir_buf_put(&b, p, (size_t)(q - p)) == 0) {
		for (i = 0; i < b.len; i++)	/* base64url to base64 */
			if (b.p[i] == '-')
				b.p[i] = '+';
			else if (b.p[i] == '_')
				b.p[i] = '/';
		if (weir_b64_dec(&dec, (const char *)b.p, b.len) == 0)
			j = json_loadb((const char *)dec.p, dec.len, 0, NULL);
		weir_buf_free(&dec);
	}
	weir_buf_free(&b);
	return j;
}

int
weir__oidc_parse_token(const char *body, size_t n, const char *subclaim,
    int64_t now_ms, char **token, char *principal, size_t psz,
    int64_t *expiry_ms, char *err, size_t errsz)
{
	json_t *j = json_loadb(body, n, 0, NULL), *pl = NULL, *v;
	const char *tok, *sub;
	int64_t exp = -1;
	int rc = -1;

	*token = NULL;
	if (!json_is_object(j)) {
		weir_seterr(err, errsz, "the answer is not a JSON object");
		goto out;
	}
	if (!(tok = json_string_value(json_object_get(j, "access_token"))) ||
	    !*tok) {
		weir_seterr(err, errsz, "the answer has no access_token");
		goto out;
	}
	pl = jwt_payload(tok);	/* json_is_object() evaluates it twice */
	if (!json_is_object(pl)) {
		weir_seterr(err, errsz, "the access_token is not a JWT (its "
		    "payload is not base64url JSON)");
		goto out;
	}
	sub = json_string_value(json_object_get(pl, subclaim));
	if (!sub || !*sub) {
		weir_seterr(err, errsz, "the access_token has no \"%s\" claim "
		    "(the principal)", subclaim);
		goto out;
	}
	v = json_object_get(pl, "exp");
	if (json_is_number(v) && json_number_value(v) > 0)
		exp = (int64_t)(json_number_value(v) * 1000);
	v = json_object_get(j, "expires_in");
	if (json_is_number(v) && json_number_value(v) > 0) {
		int64_t e = now_ms + (int64_t)(json_number_value(v) * 1000);
		if (exp < 0 || e < exp)
			exp = e;
	}
	if (exp < 0) {
		weir_seterr(err, errsz, "neither an \"exp\" claim in the "
		    "access_token nor expires_in in the answer");
		goto out;
	}
	if (exp <= now_ms) {
		weir_seterr(err, errsz, "the access_token has expired");
		goto out;
	}
	if (!(*token = strdup(tok))) {
		weir_seterr(err, errsz, "out of memory");
		goto out;
	}
	snprintf(principal, psz, "%s", sub);
	*expiry_ms = exp;
	rc = 0;
out:
	json_decref(pl);
	json_decref(j);
	return rc;
}

/* The URL as messages show it: no user:password@, no ?query. */
static void
url_shown(const char *url, char *out, size_t n)
{
	const char *host = strstr(url, "://"), *at, *end;

	host = host ? host + 3 : url;
	end = host + strcspn(host, "/?#");
	at = memchr(host, '@', (size_t)(end - host));
	snprintf(out, n, "%.*s%.*s", (int)(host - url), url,
	    (int)strcspn(at ? at + 1 : host, "?#"), at ? at + 1 : host);
}

/* POST the client-credentials grant; the answer's status and body. */
static int
fetch(const oidc_cfg *c, weir_buf *body, long *status, char *err,
    size_t errsz)
{
	const weir_curl *cu;
	CURL *h;
	struct curl_slist *hd = NULL;
	weir_buf form = { 0 };
	char *esc = NULL;
	struct stat st;
	CURLcode rc;

	if (!(cu = weir_curl_load(err, errsz)))
		return -1;
	h = cu->easy_init();
	if (!h || weir_buf_puts(&form, "grant_type=client_credentials") < 0 ||
	    (c->scope && *c->scope && (!(esc = cu->easy_escape(h, c->scope,
	    0)) || weir_buf_printf(&form, "&scope=%s", esc) < 0)) ||
	    weir_buf_putc(&form, '\0') < 0) {
		weir_seterr(err, errsz, "out of memory");
		rc = CURLE_OUT_OF_MEMORY;
		goto out;
	}
	hd = cu->slist_append(hd, "Accept: application/json");
	hd = cu->slist_append(hd, "Content-Type: "
	    "application/x-www-form-urlencoded");
	cu->easy_setopt(h, CURLOPT_URL, c->url);
	cu->easy_setopt(h, CURLOPT_PROTOCOLS_STR, "http,https");
	cu->easy_setopt(h, CURLOPT_HTTPHEADER, hd);
	/* RFC 6749 2.3.1: HTTP Basic with the client id and secret, as
	 * librdkafka sends them */
	cu->easy_setopt(h, CURLOPT_HTTPAUTH, (long)CURLAUTH_BASIC);
	cu->easy_setopt(h, CURLOPT_USERNAME, c->id);
	cu->easy_setopt(h, CURLOPT_PASSWORD, c->secret);
	cu->easy_setopt(h, CURLOPT_POSTFIELDS, (const char *)form.p);
	cu->easy_setopt(h, CURLOPT_WRITEFUNCTION,
	    weir__registry_body);
	cu->easy_setopt(h, CURLOPT_WRITEDATA, body);
	if (c->ca && *c->ca)	/* a file of certificates, or a directory */
		cu->easy_setopt(h, stat(c->ca, &st) == 0 && S_ISDIR(st.st_mode) ?
		    CURLOPT_CAPATH : CURLOPT_CAINFO, c->ca);
	cu->easy_setopt(h, CURLOPT_TIMEOUT_MS, HTTP_TIMEOUT_MS);
	cu->easy_setopt(h, CURLOPT_NOSIGNAL, 1L);
	if ((rc = cu->easy_perform(h)) != CURLE_OK)
		/* curl's own message, not its error buffer: that one may
		 * quote the URL */
		weir_seterr(err, errsz, "%s", cu->easy_strerror(rc));
	else
		cu->easy_getinfo(h, CURLINFO_RESPONSE_CODE, status);
out:
	cu->free(esc);
	cu->slist_free_all(hd);
	weir_buf_free(&form);
	if (h)
		cu->easy_cleanup(h);
	return rc == CURLE_OK ? 0 : -1;
}

/* The endpoint's error and error_description (RFC 6749 5.2), if any. */
static void
http_error(const weir_buf *body, long status, char *err, size_t errsz)
{
	json_t *j = json_loadb((const char *)body->p, body->len, 0, NULL);
	const char *e = json_string_value(json_object_get(j, "error"));
	const char *d = json_string_value(json_object_get(j,
	    "error_description"));

	weir_seterr(err, errsz, "HTTP %ld%s%.100s%s%.200s", status,
	    e ? ": " : "", e ? e : "", d ? ": " : "", d ? d : "");
	json_decref(j);
}

/* Replace every occurrence of secret in s (a message) with "***" (with
 * as many '*' as it has, if fewer than three). */
static void
mask(char *s, const char *secret)
{
	size_t k = secret ? strlen(secret) : 0, r = k < 3 ? k : 3;
	char *p = s;

	if (k == 0)
		return;
	while ((p = strstr(p, secret))) {
		memmove(p + r, p + k, strlen(p + k) + 1);
		memset(p, '*', r);
		p += r;
	}
}

/* librdkafka calls it (on its background thread) for a new token. */
static void
refresh_cb(rd_kafka_t *rk, const char *config, void *opaque)
{
	kbase *b = opaque;
	oidc_cfg c;
	weir_buf body = { 0 };
	char why[512], msg[1100], note[1300], url[512], ebuf[1024];
	char principal[256];
	char *token = NULL;
	const char *kv[MAX_EXT * 2];
	long status = 0;
	int64_t now, expiry = 0, left, retry;
	int next = 0;

	if (!config || strncmp(config, MARK, strlen(MARK)) ||
	    cfg_parse(&c, config) < 0) {
		rd_kafka_oauthbearer_set_token_failure(rk, "weir: no OIDC "
		    "configuration");
		return;
	}
	url_shown(c.url, url, sizeof(url));
	if (c.ext) {
		snprintf(ebuf, sizeof(ebuf), "%s", c.ext);
		next = ext_split(ebuf, kv, MAX_EXT * 2);
	}
	now = weir_now_ms();
	if (fetch(&c, &body, &status, why, sizeof(why)) < 0)
		;	/* why says why */
	else if (status / 100 != 2)
		http_error(&body, status, why, sizeof(why));
	else if (weir__oidc_parse_token((const char *)body.p, body.len, c.sub,
	    now, &token, principal, sizeof(principal), &expiry, why,
	    sizeof(why)) == 0 &&
	    rd_kafka_oauthbearer_set_token(rk, token, expiry, principal, kv,
	    (size_t)(next > 0 ? next : 0), why, sizeof(why)) ==
	    RD_KAFKA_RESP_ERR_NO_ERROR) {
		if (b && strlen(token) < sizeof(b->oidc_token)) {
			snprintf(b->oidc_token, sizeof(b->oidc_token), "%s",
			    token);
			snprintf(b->oidc_principal, sizeof(b->oidc_principal),
			    "%s", principal);
			b->oidc_expiry = expiry;
		}
		if (b && b->debug && b->o.warn) {
			snprintf(msg, sizeof(msg), "OAUTHBEARER: weir set a "
			    "token from %s for principal %s, valid for %lld ms",
			    url, principal, (long long)(expiry - now));
			b->o.warn(msg);
		}
		goto out;
	}
	/* neither the secret nor the token in any message */
	snprintf(msg, sizeof(msg), "token endpoint %s: %s", url, why);
	mask(msg, c.secret);
	mask(msg, token);
	/* the token set before stays while it is valid: set again with a
	 * shorter lifetime, librdkafka asks again 80% through it */
	left = b ? b->oidc_expiry - now : 0;
	retry = left / 4 < RETRY_MS ? left / 4 : RETRY_MS;
	if (b && b->oidc_token[0] && left >= KEEP_MS &&
	    rd_kafka_oauthbearer_set_token(rk, b->oidc_token,
	    now + retry * 5 / 4, b->oidc_principal, kv,
	    (size_t)(next > 0 ? next : 0), why, sizeof(why)) ==
	    RD_KAFKA_RESP_ERR_NO_ERROR) {
		if (b->o.warn) {
			snprintf(note, sizeof(note), "OAUTHBEARER refresh "
			    "failed: %s; the current token is valid for %lld "
			    "ms more: asking again in %lld ms", msg,
			    (long long)left, (long long)retry);
			b->o.warn(note);
		}
	} else
		rd_kafka_oauthbearer_set_token_failure(rk, msg);
out:
	if (token) {
		memset(token, 0, strlen(token));
		free(token);
	}
	weir_buf_free(&body);
	free(c.buf);
}
