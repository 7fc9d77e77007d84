/* test_kafka_conf.c - -X properties from the environment (env:VAR), the
 * example SASL configuration files, and the producer's partitioner. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <librdkafka/rdkafka.h>

#include "kafka_int.h"
#include "oidc.h"
#include "unit.h"

static char got[512];

/* Apply props to a fresh configuration; return the status, and the value
 * of name in got ("" when unset). */
static int
apply(const char *name, const char **props, int n, char *err, size_t errsz)
{
	rd_kafka_conf_t *conf = rd_kafka_conf_new();
	weir_kafka_opts o;
	size_t sz = sizeof(got);
	int rc;

	memset(&o, 0, sizeof(o));
	o.props = props;
	o.nprops = n;
	err[0] = '\0';
	rc = weir__kafka_conf_user(conf, &o, err, errsz);
	got[0] = '\0';
	if (rd_kafka_conf_get(conf, name, got, &sz) != RD_KAFKA_CONF_OK)
		got[0] = '\0';
	rd_kafka_conf_destroy(conf);
	return rc;
}

#define SECRET "Tr0ub4dor&3-weir-unit"

/* JWTs: {"alg":"none"} and payloads {"sub":"svc-a","azp":"app-b",
 * "exp":2000000000}, {"azp":"app-b","exp":2000000000}, {"sub":"svc-a"},
 * {"sub":"svc-\u00e9?>>"} (base64url with a '-'); no signature */
#define JWT_H "eyJhbGciOiJub25lIn0."
#define JWT_FULL JWT_H "eyJzdWIiOiJzdmMtYSIsImF6cCI6ImFwcC1iIiwiZXhwIjoyMDAwMDAwMDAwfQ.sig"
#define JWT_NOSUB JWT_H "eyJhenAiOiJhcHAtYiIsImV4cCI6MjAwMDAwMDAwMH0.sig"
#define JWT_NOEXP JWT_H "eyJzdWIiOiJzdmMtYSJ9.sig"
#define JWT_URL JWT_H "eyJzdWIiOiJzdmMtXHUwMGU5Pz4-In0."

static int odd;	/* token() saw a token with a failure, or quoted */

static int
token(const char *body, const char *claim, int64_t now, char *principal,
    int64_t *exp, char *err)
{
	char *tok = NULL;
	int rc;

	rc = weir__oidc_parse_token(body, strlen(body), claim, now, &tok,
	    principal, 64, exp, err, WEIR_ERRSZ);
	if ((rc == 0) != (tok != NULL) || (tok && !strstr(body, tok)))
		odd = 1;
	free(tok);
	if (rc < 0 && strstr(err, "eyJ"))	/* a message quotes the token */
		odd = 1;
	return rc;
}

/* The token endpoint's answer: principal and expiry (oidc.h). */
static void
token_tests(void)
{
	char p[64], err[WEIR_ERRSZ];
	int64_t exp = 0, now = 1700000000000;

	CHECK(token("{\"access_token\":\"" JWT_FULL "\"}", "sub", now, p,
	    &exp, err) == 0);
	CHECK_STR(p, "svc-a");
	CHECK(exp == 2000000000000);
	/* expires_in sooner than exp wins */
	CHECK(token("{\"access_token\":\"" JWT_FULL "\",\"expires_in\":60}",
	    "sub", now, p, &exp, err) == 0);
	CHECK(exp == now + 60000);
	CHECK(token("{\"access_token\":\"" JWT_FULL "\",\"expires_in\":"
	    "999999999}", "sub", now, p, &exp, err) == 0);
	CHECK(exp == 2000000000000);
	/* another claim as the principal */
	CHECK(token("{\"access_token\":\"" JWT_NOSUB "\"}", "azp", now, p,
	    &exp, err) == 0);
	CHECK_STR(p, "app-b");
	/* base64url, no exp but expires_in */
	CHECK(token("{\"access_token\":\"" JWT_URL "\",\"expires_in\":5}",
	    "sub", now, p, &exp, err) == 0);
	CHECK_STR(p, "svc-\xc3\xa9?>>");
	CHECK(exp == now + 5000);
	/* failures */
	CHECK(token("{\"access_token\":\"" JWT_NOSUB "\"}", "sub", now, p,
	    &exp, err) < 0);
	CHECK(strstr(err, "no \"sub\" claim") != NULL);
	CHECK(token("{\"access_token\":\"" JWT_NOEXP "\"}", "sub", now, p,
	    &exp, err) < 0);
	CHECK(strstr(err, "expires_in") != NULL);
	CHECK(token("{\"access_token\":\"" JWT_FULL "\"}", "sub",
	    2000000000000, p, &exp, err) < 0);
	CHECK(strstr(err, "expired") != NULL);
	CHECK(token("{\"access_token\":\"eyJopaque\"}", "sub", now, p, &exp,
	    err) < 0);
	CHECK(strstr(err, "not a JWT") != NULL);
	CHECK(token("{\"token_type\":\"Bearer\"}", "sub", now, p, &exp,
	    err) < 0);
	CHECK(strstr(err, "no access_token") != NULL);
	CHECK(token("<html>", "sub", now, p, &exp, err) < 0);
	CHECK(strstr(err, "not a JSON object") != NULL);
	CHECK(!odd);
}

int
main(void)
{
	char err[WEIR_ERRSZ];
	const char *p1[] = { "sasl.password=env:WEIR_UNIT_PW" };
	const char *p2[] = { "sasl.password=\\env:WEIR_UNIT_PW" };
	const char *p3[] = { "sasl.password=\\\\env:x" };
	const char *p4[] = { "sasl.password=env:WEIR_UNIT_UNSET" };
	const char *p5[] = { "sasl.password=env:" };
	const char *p6[] = { "security.protocol=env:WEIR_UNIT_PW" };
	const char *p7[] = { "sasl.password=a\\env:b" };
	const char *scram[] = { "@examples/kafka/sasl-scram.properties" };
	const char *oauth[] = { "@examples/kafka/oauthbearer.properties" };

	setenv("WEIR_UNIT_PW", SECRET, 1);
	unsetenv("WEIR_UNIT_UNSET");

	CHECK(weir__rdk_load(err, sizeof(err)) == 0);	/* not linked */
	CHECK(apply("sasl.password", p1, 1, err, sizeof(err)) == 0);
	CHECK_STR(got, SECRET);
	/* a literal env: */
	CHECK(apply("sasl.password", p2, 1, err, sizeof(err)) == 0);
	CHECK_STR(got, "env:WEIR_UNIT_PW");
	CHECK(apply("sasl.password", p3, 1, err, sizeof(err)) == 0);
	CHECK_STR(got, "\\env:x");
	CHECK(apply("sasl.password", p7, 1, err, sizeof(err)) == 0);
	CHECK_STR(got, "a\\env:b");
	/* errors name the variable, never a value */
	CHECK(apply("sasl.password", p4, 1, err, sizeof(err)) ==
	    WEIR_FAIL_USAGE);
	CHECK_STR(err, "-X sasl.password: environment variable "
	    "WEIR_UNIT_UNSET is not set");
	CHECK(apply("sasl.password", p5, 1, err, sizeof(err)) ==
	    WEIR_FAIL_USAGE);
	CHECK(apply("security.protocol", p6, 1, err, sizeof(err)) ==
	    WEIR_FAIL_USAGE);
	CHECK(strstr(err, "WEIR_UNIT_PW") != NULL);
	CHECK(strstr(err, SECRET) == NULL);

	/* the example files parse and are applied, secret included */
	setenv("KAFKA_PASSWORD", SECRET, 1);
	setenv("KAFKA_CLIENT_SECRET", SECRET "-oidc", 1);
	CHECK(apply("sasl.password", scram, 1, err, sizeof(err)) == 0);
	CHECK_STR(got, SECRET);
	CHECK(apply("sasl.mechanisms", scram, 1, err, sizeof(err)) == 0);
	CHECK_STR(got, "SCRAM-SHA-512");
	CHECK(apply("security.protocol", scram, 1, err, sizeof(err)) == 0);
	CHECK_STR(got, "sasl_ssl");
	CHECK(apply("sasl.mechanisms", oauth, 1, err, sizeof(err)) == 0);
	CHECK_STR(got, "OAUTHBEARER");
	CHECK(apply("sasl.oauthbearer.method", oauth, 1, err,
	    sizeof(err)) == 0);
	if (strcmp(got, "oidc")) {
		/* librdkafka without OIDC: weir keeps the properties in
		 * sasl.oauthbearer.config for its own token fetching */
		CHECK(apply("sasl.oauthbearer.config", oauth, 1, err,
		    sizeof(err)) == 0);
		CHECK(strncmp(got, "#weir-oidc\n", 11) == 0);
		CHECK(strstr(got, "\nmethod=oidc\n") != NULL);
		CHECK(strstr(got, "\nclient.id=weir-pipeline\n") != NULL);
		CHECK(strstr(got, "\nclient.secret=" SECRET "-oidc\n") != NULL);
		CHECK(strstr(got, "\nscope=kafka\n") != NULL);
		printf("# OIDC not in this librdkafka build: weir's\n");
	} else {
		CHECK(apply("sasl.oauthbearer.client.secret", oauth, 1, err,
		    sizeof(err)) == 0);
		CHECK_STR(got, SECRET "-oidc");
	}
	unsetenv("KAFKA_CLIENT_SECRET");
	CHECK(apply("sasl.mechanisms", oauth, 1, err, sizeof(err)) ==
	    WEIR_FAIL_USAGE);
	CHECK(strstr(err, "KAFKA_CLIENT_SECRET is not set") != NULL);

	token_tests();
	UNIT_DONE();
}
