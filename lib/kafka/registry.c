/* registry.c - Confluent Schema Registry client over libcurl (registry.h). */
#include "registry.h"

#include "curl_dl.h"

#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAX_BODY (16u * 1024 * 1024)
#define MISS_RETRY_MS 10000	/* an unknown id is asked again after this */

typedef struct cached {
	uint32_t id;
	weir_avro_schema *schema;	/* NULL: unknown id or bad schema */
	int64_t miss_at;
	char why[200];
} cached;

struct weir_registry {
	const weir_curl *cu;
	CURL *curl;
	char *base;		/* the URL without a trailing / */
	char *shown;		/* the URL without user:password@ */
	cached *c;
	size_t n, cap;
	size_t last;		/* the entry the last lookup found */
	weir_buf body;
};

size_t
weir__registry_body(char *p, size_t size, size_t n, void *arg)
{
	weir_buf *b = arg;

	if (b->len + size * n > MAX_BODY || weir_buf_put(b, p, size * n) < 0)
		return 0;
	return size * n;
}

int
weir_registry_open(weir_registry **out, const char *url, char *err,
    size_t errsz)
{
	const weir_curl *cu;
	weir_registry *r;
	const char *at, *host;
	size_t n;

	*out = NULL;
	if (strncmp(url, "http://", 7) && strncmp(url, "https://", 8)) {
		weir_seterr(err, errsz, "schema registry '%s': not an http:// or "
		    "https:// URL", url);
		return WEIR_FAIL_USAGE;
	}
	if (!(cu = weir_curl_load(err, errsz)))
		return WEIR_FAIL_IO;
	if (!(r = calloc(1, sizeof(*r)))) {
		weir_seterr(err, errsz, "out of memory");
		return WEIR_FAIL_NOMEM;
	}
	r->cu = cu;
	n = strlen(url);
	while (n > 0 && url[n - 1] == '/')
		n--;
	r->base = strndup(url, n);
	/* never show credentials: http://user:pass@host -> http://host */
	host = strstr(url, "://") + 3;
	at = strchr(host, '@');
	if (at && (!strchr(host, '/') || at < strchr(host, '/'))) {
		r->shown = malloc(n + 1);
		if (r->shown)
			snprintf(r->shown, n + 1, "%.*s%.*s", (int)(host - url),
			    url, (int)(url + n - at - 1), at + 1);
	} else
		r->shown = strndup(url, n);
	r->curl = cu->easy_init();
	if (!r->base || !r->shown || !r->curl) {
		weir_registry_free(r);
		weir_seterr(err, errsz, "out of memory");
		return WEIR_FAIL_NOMEM;
	}
	*out = r;
	return 0;
}

void
weir_registry_free(weir_registry *r)
{
	size_t i;

	if (!r)
		return;
	for (i = 0; i < r->n; i++)
		weir_avro_schema_free(r->c[i].schema);
	free(r->c);
	if (r->curl)
		r->cu->easy_cleanup(r->curl);
	free(r->base);
	free(r->shown);
	weir_buf_free(&r->body);
	free(r);
}

/*
 * One request; the response body is parsed as JSON into *out.  Returns the
 * HTTP status, or WEIR_FAIL_IO with a message when there is none.
 */
static long
request(weir_registry *r, const char *path, const char *post, json_t **out,
    char *err, size_t errsz)
{
	struct curl_slist *h = NULL;
	char url[2048], cerr[CURL_ERROR_SIZE] = "";
	json_error_t je;
	CURLcode rc;
	long status = 0;

	*out = NULL;
	snprintf(url, sizeof(url), "%s%s", r->base, path);
	r->body.len = 0;
	r->cu->easy_reset(r->curl);
	h = r->cu->slist_append(h, "Accept: application/vnd.schemaregistry.v1+json, "
	    "application/json");
	if (post)
		h = r->cu->slist_append(h, "Content-Type: "
		    "application/vnd.schemaregistry.v1+json");
	r->cu->easy_setopt(r->curl, CURLOPT_URL, url);
	r->cu->easy_setopt(r->curl, CURLOPT_HTTPHEADER, h);
	r->cu->easy_setopt(r->curl, CURLOPT_WRITEFUNCTION,
	    weir__registry_body);
	r->cu->easy_setopt(r->curl, CURLOPT_WRITEDATA, &r->body);
	r->cu->easy_setopt(r->curl, CURLOPT_ERRORBUFFER, cerr);
	r->cu->easy_setopt(r->curl, CURLOPT_CONNECTTIMEOUT_MS, 5000L);
	r->cu->easy_setopt(r->curl, CURLOPT_TIMEOUT_MS, 15000L);
	r->cu->easy_setopt(r->curl, CURLOPT_NOSIGNAL, 1L);
	r->cu->easy_setopt(r->curl, CURLOPT_PROTOCOLS_STR, "http,https");
	if (post)
		r->cu->easy_setopt(r->curl, CURLOPT_POSTFIELDS, post);
	rc = r->cu->easy_perform(r->curl);
	r->cu->slist_free_all(h);
	if (rc != CURLE_OK) {
		/* curl's message may quote the URL: name the shown one only */
		weir_seterr(err, errsz, "schema registry %s: %s", r->shown,
		    r->cu->easy_strerror(rc));
		return WEIR_FAIL_IO;
	}
	r->cu->easy_getinfo(r->curl, CURLINFO_RESPONSE_CODE, &status);
	*out = json_loadb((const char *)r->body.p, r->body.len, 0, &je);
	if (!*out && status / 100 == 2) {
		weir_seterr(err, errsz, "schema registry %s%s: response is not "
		    "JSON: %s", r->shown, path, je.text);
		return WEIR_FAIL_IO;
	}
	return status;
}

/* The registry's error as a message; returns fail (a WEIR_FAIL_* kind). */
static int
http_error(weir_registry *r, const char *what, long status, json_t *j,
    int fail, char *err, size_t errsz)
{
	const char *m = json_string_value(json_object_get(j, "message"));

	weir_seterr(err, errsz, "schema registry %s: %s: HTTP %ld%s%s", r->shown,
	    what, status, m ? ": " : "", m ? m : "");
	json_decref(j);
	return fail;
}

static cached *
cache_slot(weir_registry *r, uint32_t id)
{
	size_t i;

	if (r->last < r->n && r->c[r->last].id == id)
		return &r->c[r->last];
	for (i = 0; i < r->n; i++)
		if (r->c[i].id == id) {
			r->last = i;
			return &r->c[i];
		}
	if (r->n == r->cap) {
		size_t nc = r->cap ? r->cap * 2 : 8;
		cached *c = realloc(r->c, nc * sizeof(*c));
		if (!c)
			return NULL;
		r->c = c;
		r->cap = nc;
	}
	memset(&r->c[r->n], 0, sizeof(r->c[r->n]));
	r->c[r->n].id = id;
	r->c[r->n].miss_at = INT64_MIN;
	r->last = r->n;
	return &r->c[r->n++];
}

int
weir_registry_schema(weir_registry *r, uint32_t id, weir_avro_schema **out,
    char *err, size_t errsz)
{
	cached *c = cache_slot(r, id);
	char path[64], what[64];
	const char *txt, *type;
	json_t *j;
	long st;
	int rc;

	if (!c) {
		weir_seterr(err, errsz, "out of memory");
		return WEIR_FAIL_NOMEM;
	}
	if (c->schema) {
		*out = c->schema;
		return 0;
	}
	if (c->miss_at != INT64_MIN && weir_mono_ms() - c->miss_at <
	    MISS_RETRY_MS) {
		weir_seterr(err, errsz, "%s", c->why);
		return WEIR_FAIL_DATA;
	}
	snprintf(path, sizeof(path), "/schemas/ids/%u", id);
	snprintf(what, sizeof(what), "schema id %u", id);
	st = request(r, path, NULL, &j, err, errsz);
	if (st < 0)
		return (int)st;
	if (st == 404) {
		http_error(r, what, st, j, WEIR_FAIL_DATA, c->why, sizeof(c->why));
		snprintf(c->why, sizeof(c->why), "unknown schema id %u (the "
		    "registry has none)", id);
		goto miss;
	}
	if (st / 100 != 2)
		return http_error(r, what, st, j, WEIR_FAIL_IO, err, errsz);
	type = json_string_value(json_object_get(j, "schemaType"));
	txt = json_string_value(json_object_get(j, "schema"));
	if (type && strcmp(type, "AVRO")) {
		snprintf(c->why, sizeof(c->why), "schema id %u is %s, not Avro",
		    id, type);
		json_decref(j);
		goto miss;
	}
	if (!txt) {
		json_decref(j);
		weir_seterr(err, errsz, "schema registry %s: %s: no \"schema\" "
		    "in the response", r->shown, what);
		return WEIR_FAIL_IO;
	}
	rc = weir_avro_schema_parse(&c->schema, txt, strlen(txt), c->why,
	    sizeof(c->why));
	json_decref(j);
	/* out of memory, avro-c not loadable: not the schema's fault, no miss */
	if (rc < 0 && rc != WEIR_FAIL_DATA) {
		c->schema = NULL;
		weir_seterr(err, errsz, "%s", c->why);
		return rc;
	}
	if (rc < 0) {
		c->schema = NULL;
		char tmp[sizeof(c->why)];
		snprintf(tmp, sizeof(tmp), "%s", c->why);
		weir_seterr(c->why, sizeof(c->why), "schema id %u: %s", id, tmp);
		goto miss;
	}
	*out = c->schema;
	return 0;
miss:
	c->miss_at = weir_mono_ms();
	weir_seterr(err, errsz, "%s", c->why);
	return WEIR_FAIL_DATA;
}

/* /subjects/SUBJECT/versions..., the subject escaped. */
static int
subject_path(weir_registry *r, char *buf, size_t sz, const char *subject,
    const char *tail)
{
	char *esc = r->cu->easy_escape(r->curl, subject, 0);

	if (!esc)
		return -1;
	snprintf(buf, sz, "/subjects/%s/versions%s", esc, tail);
	r->cu->free(esc);
	return 0;
}

int
weir_registry_register(weir_registry *r, const char *subject,
    const char *schema, uint32_t *id, char *err, size_t errsz)
{
	char path[1024], what[600];
	json_t *req, *j, *v;
	char *body;
	long st;

	snprintf(what, sizeof(what), "registering a schema under subject %s",
	    subject);
	req = json_pack("{ss}", "schema", schema);
	body = req ? json_dumps(req, JSON_COMPACT) : NULL;
	json_decref(req);
	if (!body || subject_path(r, path, sizeof(path), subject, "") < 0) {
		free(body);
		weir_seterr(err, errsz, "out of memory");
		return WEIR_FAIL_NOMEM;
	}
	st = request(r, path, body, &j, err, errsz);
	free(body);
	if (st < 0)
		return (int)st;
	if (st / 100 != 2)
		return http_error(r, what, st, j, st / 100 == 4 ? WEIR_FAIL_USAGE :
		    WEIR_FAIL_IO, err, errsz);
	v = json_object_get(j, "id");
	if (!json_is_integer(v) || json_integer_value(v) < 0 ||
	    json_integer_value(v) > UINT32_MAX) {
		json_decref(j);
		weir_seterr(err, errsz, "schema registry %s: %s: no id in the "
		    "response", r->shown, what);
		return WEIR_FAIL_IO;
	}
	*id = (uint32_t)json_integer_value(v);
	json_decref(j);
	return 0;
}

int
weir_registry_latest(weir_registry *r, const char *subject, uint32_t *id,
    char **schema, char *err, size_t errsz)
{
	char path[1024], what[600];
	const char *txt;
	json_t *j, *v;
	long st;

	snprintf(what, sizeof(what), "subject %s", subject);
	if (subject_path(r, path, sizeof(path), subject, "/latest") < 0) {
		weir_seterr(err, errsz, "out of memory");
		return WEIR_FAIL_NOMEM;
	}
	st = request(r, path, NULL, &j, err, errsz);
	if (st < 0)
		return (int)st;
	if (st / 100 != 2)
		return http_error(r, what, st, j, st == 404 ? WEIR_FAIL_USAGE :
		    WEIR_FAIL_IO, err, errsz);
	v = json_object_get(j, "id");
	txt = json_string_value(json_object_get(j, "schema"));
	if (!json_is_integer(v) || json_integer_value(v) < 0 ||
	    json_integer_value(v) > UINT32_MAX || !txt) {
		json_decref(j);
		weir_seterr(err, errsz, "schema registry %s: %s: no id and "
		    "schema in the response", r->shown, what);
		return WEIR_FAIL_IO;
	}
	*id = (uint32_t)json_integer_value(v);
	*schema = strdup(txt);
	json_decref(j);
	if (!*schema) {
		weir_seterr(err, errsz, "out of memory");
		return WEIR_FAIL_NOMEM;
	}
	return 0;
}

int
weir_registry_decode(weir_registry *r, const uint8_t *p, size_t n,
    weir_buf *out, char *err, size_t errsz)
{
	weir_avro_schema *s;
	const uint8_t *body;
	size_t bn;
	uint32_t id;
	int rc;

	if (weir_avro_unframe(p, n, &id, &body, &bn, err, errsz) < 0)
		return WEIR_FAIL_DATA;
	if ((rc = weir_registry_schema(r, id, &s, err, errsz)) < 0)
		return rc;
	if (weir_avro_decode(s, body, bn, out, err, errsz) < 0)
		return WEIR_FAIL_DATA;
	return 0;
}

int
weir_serdes_parse(const char *arg, int *key, int *value, char *err,
    size_t errsz)
{
	const char *eq = strchr(arg, '=');
	const char *what = eq ? eq + 1 : arg;

	if (strcmp(what, "avro")) {
		weir_seterr(err, errsz, "-s %s: the serdes weir knows is avro "
		    "(-s value=avro, -s key=avro, -s avro)", arg);
		return WEIR_FAIL_USAGE;
	}
	if (!eq) {
		*key = *value = 1;
		return 0;
	}
	if (eq - arg == 3 && !strncmp(arg, "key", 3))
		*key = 1;
	else if (eq - arg == 5 && !strncmp(arg, "value", 5))
		*value = 1;
	else {
		weir_seterr(err, errsz, "-s %s: key=avro or value=avro", arg);
		return WEIR_FAIL_USAGE;
	}
	return 0;
}
