/* kafka.c - Kafka options, configuration, connection and metadata on
 * librdkafka; the consumer and producer are in kafka_consumer.c and
 * kafka_producer.c. */
#include "kafka.h"

#include <ctype.h>
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <librdkafka/rdkafka.h>

#include "kafka_int.h"
#include "oidc.h"
#include "record.h"

int
weir_kafka_opts_init(weir_kafka_opts *o, int maxargs)
{
	memset(o, 0, sizeof(*o));
	o->partition = -1;
	o->timeout_s = 10;
	o->topics = calloc((size_t)maxargs + 1, sizeof(*o->topics));
	o->props = calloc((size_t)maxargs + 1, sizeof(*o->props));
	return o->topics && o->props ? 0 : WEIR_FAIL_NOMEM;
}

void
weir_kafka_opts_free(weir_kafka_opts *o)
{
	free(o->topics);
	free(o->props);
}

static int
num_arg(const char *arg, long long min, long long max, long long *v)
{
	char *end;

	errno = 0;
	*v = strtoll(arg, &end, 10);
	return errno || end == arg || *end || *v < min || *v > max ? -1 : 0;
}

int
weir_kafka_opt(weir_kafka_opts *o, int c, const char *arg, char *err,
    size_t errsz)
{
	long long v;

	switch (c) {
	case 'b':
		if (!arg[strspn(arg, " ,")]) {
			weir_seterr(err, errsz, "-b: no broker in '%s' (want "
			    "host:port,...)", arg);
			return WEIR_FAIL_USAGE;
		}
		o->brokers = arg;
		return 1;
	case 't':
		o->topics[o->ntopics++] = arg;
		return 1;
	case 'X':
		o->props[o->nprops++] = arg;
		return 1;
	case 'p':
		if (num_arg(arg, 0, INT32_MAX, &v) < 0) {
			weir_seterr(err, errsz, "-p: '%s' is not a partition "
			    "number", arg);
			return WEIR_FAIL_USAGE;
		}
		o->partition = (int32_t)v;
		return 1;
	case 'm':
		if (num_arg(arg, 1, 86400, &v) < 0) {
			weir_seterr(err, errsz, "-m: '%s' is not a number of "
			    "seconds (1 to 86400)", arg);
			return WEIR_FAIL_USAGE;
		}
		o->timeout_s = (int)v;
		return 1;
	}
	return 0;
}

int
weir_kafka_offset_parse(const char *s, int *kind, int64_t *val)
{
	static const struct { const char *name; int kind; } words[] = {
		{ "beginning", WEIR_KOFF_BEGINNING }, { "end", WEIR_KOFF_END },
		{ "stored", WEIR_KOFF_STORED }
	};
	char *end;
	long long v;
	size_t i;

	*val = 0;
	for (i = 0; i < sizeof(words) / sizeof(words[0]); i++)
		if (!strcmp(s, words[i].name)) {
			*kind = words[i].kind;
			return 0;
		}
	*kind = WEIR_KOFF_ABS;
	if ((s[0] == 's' || s[0] == 'e') && s[1] == '@') {
		*kind = s[0] == 's' ? WEIR_KOFF_START_TS : WEIR_KOFF_STOP_TS;
		s += 2;
		if (*s == '-')
			return -1;
	}
	if (!isdigit((unsigned char)*s) && !(*s == '-' && *kind == WEIR_KOFF_ABS))
		return -1;
	errno = 0;
	v = strtoll(s, &end, 10);
	if (errno || *end || end == s)
		return -1;
	if (v < 0) {
		if (v == LLONG_MIN)
			return -1;
		*kind = WEIR_KOFF_TAIL;
		v = -v;
	}
	*val = v;
	return 0;
}

static char *
trim(char *s)
{
	char *e;

	while (isspace((unsigned char)*s))
		s++;
	e = s + strlen(s);
	while (e > s && isspace((unsigned char)e[-1]))
		*--e = '\0';
	return s;
}

int
weir_kafka_prop_split(char *line, char **name, char **value)
{
	char *eq;

	line = trim(line);
	if (!*line || *line == '#')
		return 0;
	eq = strchr(line, '=');
	if (!eq || eq == line)
		return -1;
	*eq = '\0';
	*name = trim(line);
	*value = trim(eq + 1);
	return **name ? 1 : -1;
}


void
weir__kafka_note(kbase *b, const char *msg)
{
	if (!strcmp(msg, b->last))
		return;
	snprintf(b->last, sizeof(b->last), "%s", msg);
	if (!b->quiet && b->o.warn)
		b->o.warn(msg);
}

/* log.queue is on: these run in the thread that polls. */
static void
log_cb(const rd_kafka_t *rk, int level, const char *fac, const char *buf)
{
	kbase *b = rd_kafka_opaque(rk);

	(void)fac;
	if (b && b->debug && level > 4 && b->o.warn)
		b->o.warn(buf);
	else if (b && level <= 4)
		weir__kafka_note(b, buf);
}

int
weir__kafka_auth_error(rd_kafka_resp_err_t e)
{
	return e == RD_KAFKA_RESP_ERR_TOPIC_AUTHORIZATION_FAILED ||
	    e == RD_KAFKA_RESP_ERR_GROUP_AUTHORIZATION_FAILED ||
	    e == RD_KAFKA_RESP_ERR_CLUSTER_AUTHORIZATION_FAILED ||
	    e == RD_KAFKA_RESP_ERR_SASL_AUTHENTICATION_FAILED ||
	    e == RD_KAFKA_RESP_ERR__AUTHENTICATION;
}

static void
error_cb(rd_kafka_t *rk, int err, const char *reason, void *opaque)
{
	kbase *b = opaque;
	char es[512];

	if (err == RD_KAFKA_RESP_ERR__FATAL) {
		rd_kafka_fatal_error(rk, es, sizeof(es));
		reason = es;
	} else if (!weir__kafka_auth_error((rd_kafka_resp_err_t)err)) {
		weir__kafka_note(b, reason);
		return;
	}
	if (!b->fatal)
		snprintf(b->fatalmsg, sizeof(b->fatalmsg), "%s", reason);
	b->fatal = 1;
}

int
weir__kafka_conf_set(rd_kafka_conf_t *conf, const char *name, const char *value,
    char *err, size_t errsz)
{
	char es[512];

	if (rd_kafka_conf_set(conf, name, value, es, sizeof(es)) ==
	    RD_KAFKA_CONF_OK)
		return 0;
	weir_seterr(err, errsz, "-X %s: %s", name, es);
	return WEIR_FAIL_USAGE;
}

/*
 * A user's property: a value env:VAR is read from the environment variable
 * VAR, so that a secret never is on a command line or in a file; a value
 * starting with \env: (one backslash more for each level) stands for
 * itself less one backslash.  Errors name the property and the variable,
 * never a value.
 */
static int
user_set(rd_kafka_conf_t *conf, const char *name, const char *value,
    char *err, size_t errsz)
{
	const char *v = value;
	size_t bs = strspn(value, "\\");
	int rc;

	if (!strncmp(value, "env:", 4)) {
		if (!value[4]) {
			weir_seterr(err, errsz, "-X %s: env: names no "
			    "environment variable", name);
			return WEIR_FAIL_USAGE;
		}
		if (!(v = getenv(value + 4))) {
			weir_seterr(err, errsz, "-X %s: environment variable "
			    "%s is not set", name, value + 4);
			return WEIR_FAIL_USAGE;
		}
		/* OIDC properties weir keeps when librdkafka cannot */
		if ((rc = weir__oidc_property(conf, name, v, err, errsz)) != 0)
			return rc < 0 ? rc : 0;
		/* librdkafka's message may quote the value: not this one */
		if (weir__kafka_conf_set(conf, name, v, NULL, 0) < 0) {
			weir_seterr(err, errsz, "-X %s: the value of environment "
			    "variable %s is not valid for it", name, value + 4);
			return WEIR_FAIL_USAGE;
		}
		return 0;
	} else if (bs > 0 && !strncmp(value + bs, "env:", 4))
		v = value + 1;
	if ((rc = weir__oidc_property(conf, name, v, err, errsz)) != 0)
		return rc < 0 ? rc : 0;
	return weir__kafka_conf_set(conf, name, v, err, errsz);
}

static int
conf_file(rd_kafka_conf_t *conf, const char *path, char *err, size_t errsz)
{
	FILE *f = fopen(path, "r");
	char *line = NULL, *name, *value, sub[WEIR_ERRSZ];
	size_t cap = 0;
	unsigned lineno = 0;
	int rc = 0, r;

	if (!f) {
		weir_seterr(err, errsz, "-X @%s: %s", path, strerror(errno));
		return WEIR_FAIL_USAGE;
	}
	while (rc == 0 && getline(&line, &cap, f) != -1) {
		lineno++;
		r = weir_kafka_prop_split(line, &name, &value);
		if (r < 0) {
			weir_seterr(err, errsz, "%s:%u: expected name=value",
			    path, lineno);
			rc = WEIR_FAIL_USAGE;
		} else if (r > 0 && (rc = user_set(conf, name, value, sub,
		    sizeof(sub))) < 0)
			weir_seterr(err, errsz, "%s:%u: %s", path, lineno, sub);
	}
	/* a read error (EISDIR for a directory) is not an empty file */
	if (rc == 0 && ferror(f)) {
		weir_seterr(err, errsz, "-X @%s: %s", path, strerror(errno));
		rc = WEIR_FAIL_USAGE;
	}
	free(line);
	fclose(f);
	return rc;
}

/* The user's -X properties, in order: they override weir's defaults. */
int
weir__kafka_conf_user(rd_kafka_conf_t *conf, const weir_kafka_opts *o,
    char *err,
    size_t errsz)
{
	char *dup, *name, *value;
	int i, rc = 0;

	for (i = 0; i < o->nprops && rc == 0; i++) {
		if (o->props[i][0] == '@') {
			rc = conf_file(conf, o->props[i] + 1, err, errsz);
			continue;
		}
		if (!(dup = strdup(o->props[i]))) {
			weir_seterr(err, errsz, "out of memory");
			return WEIR_FAIL_NOMEM;
		}
		if (weir_kafka_prop_split(dup, &name, &value) <= 0) {
			weir_seterr(err, errsz, "-X %s: expected name=value or "
			    "@FILE", o->props[i]);
			rc = WEIR_FAIL_USAGE;
		} else
			rc = user_set(conf, name, value, err, errsz);
		free(dup);
	}
	return rc;
}

/* Start a configuration with weir's defaults for both sides. */
int
weir__kafka_conf_base(kbase *b, rd_kafka_conf_t *conf, char *err, size_t errsz)
{
	int rc;

	if (b->o.brokers && (rc = weir__kafka_conf_set(conf,
	    "bootstrap.servers",
	    b->o.brokers, err, errsz)) < 0)
		return rc;
	if ((rc = weir__kafka_conf_set(conf, "log.queue", "true", err,
	    errsz)) < 0)
		return rc;
	rd_kafka_conf_set_log_cb(conf, log_cb);
	rd_kafka_conf_set_error_cb(conf, error_cb);
	rd_kafka_conf_set_opaque(conf, b);
	return 0;
}

int
weir__kafka_conf_get_set(rd_kafka_conf_t *conf, const char *name)
{
	char v[256];
	size_t n = sizeof(v);

	return rd_kafka_conf_get(conf, name, v, &n) == RD_KAFKA_CONF_OK && n > 1;
}

int
weir__kafka_base_new(kbase *b, rd_kafka_type_t type, rd_kafka_conf_t *conf,
    char *err,
    size_t errsz)
{
	char es[512];
	int oidc;

	b->debug = weir__kafka_conf_get_set(conf, "debug");
	/* OAUTHBEARER tokens weir fetches itself (oidc.h) */
	b->oidc_token[0] = '\0';
	if ((oidc = weir__oidc_conf(conf, err, errsz)) < 0) {
		rd_kafka_conf_destroy(conf);
		return oidc;
	}
	b->rk = rd_kafka_new(type, conf, es, sizeof(es));
	if (!b->rk) {
		rd_kafka_conf_destroy(conf);
		weir_seterr(err, errsz, "%s", es);
		return WEIR_FAIL_USAGE;
	}
	rd_kafka_set_log_queue(b->rk, NULL);
	if (oidc && (oidc = weir__oidc_start(b->rk, err, errsz)) < 0) {
		rd_kafka_destroy(b->rk);
		b->rk = NULL;
		return oidc;
	}
	return 0;
}

/* The first connection, bounded by -m: metadata for rkt (or every topic). */
int
weir__kafka_base_connect(kbase *b, rd_kafka_topic_t *rkt,
    const struct rd_kafka_metadata **md, char *err, size_t errsz)
{
	rd_kafka_resp_err_t e;

	b->quiet = 1;
	b->last[0] = '\0';
	e = rd_kafka_metadata(b->rk, rkt == NULL, rkt, md,
	    b->o.timeout_s * 1000);
	rd_kafka_poll(b->rk, 0);	/* serve the logs it queued */
	b->quiet = 0;
	if (b->fatal) {
		weir_seterr(err, errsz, "%s", b->fatalmsg);
		return WEIR_FAIL_IO;
	}
	if (e) {
		*md = NULL;
		weir_seterr(err, errsz, "cannot reach Kafka at %s within %d s "
		    "(-m): %s", b->o.brokers ? b->o.brokers : "(no -b)",
		    b->o.timeout_s, b->last[0] ? b->last : rd_kafka_err2str(e));
		return WEIR_FAIL_IO;
	}
	return 0;
}

int
weir__kafka_find_topic(const struct rd_kafka_metadata *md, const char *topic,
    int32_t part, const rd_kafka_metadata_topic_t **tp, char *err,
    size_t errsz)
{
	int i;

	for (i = 0; i < md->topic_cnt; i++) {
		const rd_kafka_metadata_topic_t *t = &md->topics[i];
		if (strcmp(t->topic, topic))
			continue;
		if (t->err) {
			weir_seterr(err, errsz, "topic %s: %s", topic,
			    rd_kafka_err2str(t->err));
			return WEIR_FAIL_IO;
		}
		if (part >= t->partition_cnt) {
			weir_seterr(err, errsz, "topic %s has no partition %d "
			    "(it has %d)", topic, (int)part, t->partition_cnt);
			return WEIR_FAIL_IO;
		}
		*tp = t;
		return 0;
	}
	weir_seterr(err, errsz, "topic %s does not exist (or is not "
	    "visible to you)", topic);
	return WEIR_FAIL_IO;
}

const char *
weir_kafka_version(char *err, size_t errsz)
{
	return weir__rdk_load(err, errsz) < 0 ? NULL : rd_kafka_version_str();
}

int
weir__kafka_meta_open(kbase *b, const weir_kafka_opts *o,
    const struct rd_kafka_metadata **md, char *err, size_t errsz)
{
	rd_kafka_conf_t *conf;
	int rc;

	if ((rc = weir__rdk_load(err, errsz)) < 0)
		return rc;
	conf = rd_kafka_conf_new();
	memset(b, 0, sizeof(*b));
	b->o = *o;
	if ((rc = weir__kafka_conf_base(b, conf, err, errsz)) < 0 ||
	    (rc = weir__kafka_conf_user(conf, o, err, errsz)) < 0) {
		rd_kafka_conf_destroy(conf);
		return rc;
	}
	if ((rc = weir__kafka_base_new(b, RD_KAFKA_PRODUCER, conf, err,
	    errsz)) < 0)
		return rc;
	if ((rc = weir__kafka_base_connect(b, NULL, md, err, errsz)) < 0)
		rd_kafka_destroy(b->rk);
	return rc;
}

int
weir_kafka_list(const weir_kafka_opts *o, weir_buf *out, char *err,
    size_t errsz)
{
	kbase b;
	const struct rd_kafka_metadata *md;
	int rc, i, j, k, t0, t1;

	if ((rc = weir__kafka_meta_open(&b, o, &md, err, errsz)) < 0)
		return rc;
	weir_buf_printf(out, "Metadata for %s (from broker %d: %s):\n",
	    o->ntopics ? o->topics[0] : "all topics",	/* as kcat -L */
	    (int)md->orig_broker_id, md->orig_broker_name);
	weir_buf_printf(out, " %d brokers:\n", md->broker_cnt);
	k = rd_kafka_controllerid(b.rk, 0);
	for (i = 0; i < md->broker_cnt; i++)
		weir_buf_printf(out, "  broker %d at %s:%d%s\n",
		    (int)md->brokers[i].id, md->brokers[i].host,
		    md->brokers[i].port, md->brokers[i].id == k ?
		    " (controller)" : "");
	for (t0 = t1 = 0; t1 < md->topic_cnt; t1++)
		if (!o->ntopics || !strcmp(md->topics[t1].topic, o->topics[0]))
			t0++;
	weir_buf_printf(out, " %d topics:\n", t0);
	for (i = 0; i < md->topic_cnt; i++) {
		const rd_kafka_metadata_topic_t *t = &md->topics[i];
		if (o->ntopics && strcmp(t->topic, o->topics[0]))
			continue;
		weir_buf_printf(out, "  topic \"%s\" with %d partitions:%s%s\n",
		    t->topic, t->partition_cnt, t->err ? " " : "",
		    t->err ? rd_kafka_err2str(t->err) : "");
		for (j = 0; j < t->partition_cnt; j++) {
			const rd_kafka_metadata_partition_t *p = &t->partitions[j];
			weir_buf_printf(out, "    partition %d, leader %d, "
			    "replicas: ", (int)p->id, (int)p->leader);
			for (k = 0; k < p->replica_cnt; k++)
				weir_buf_printf(out, "%s%d", k ? "," : "",
				    (int)p->replicas[k]);
			weir_buf_printf(out, ", isrs: ");
			for (k = 0; k < p->isr_cnt; k++)
				weir_buf_printf(out, "%s%d", k ? "," : "",
				    (int)p->isrs[k]);
			weir_buf_printf(out, "%s%s\n", p->err ? ", " : "",
			    p->err ? rd_kafka_err2str(p->err) : "");
		}
	}
	rd_kafka_metadata_destroy(md);
	rd_kafka_destroy(b.rk);
	if (o->ntopics && !t0) {
		weir_seterr(err, errsz, "topic %s does not exist", o->topics[0]);
		return WEIR_FAIL_IO;
	}
	return 0;
}
