/* test_kafka_conf.c - -X properties from the environment (env:VAR), the
 * example SASL configuration files, and the producer's partitioner. */
#include <stdio.h>
#include <stdlib.h>

#include <librdkafka/rdkafka.h>

#include "kafka_int.h"
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
	if (apply("sasl.oauthbearer.method", oauth, 1, err,
	    sizeof(err)) < 0) {
		/* librdkafka without libcurl: OIDC is refused, by name */
		CHECK(strstr(err, "oauthbearer.properties:10: -X "
		    "sasl.oauthbearer.method: ") != NULL);
		CHECK(strstr(err, "not supported in this build") != NULL);
		printf("# OIDC not in this librdkafka build: %s\n", err);
	} else {
		CHECK_STR(got, "oidc");
		CHECK(apply("sasl.oauthbearer.client.secret", oauth, 1, err,
		    sizeof(err)) == 0);
		CHECK_STR(got, SECRET "-oidc");
		CHECK(apply("sasl.mechanisms", oauth, 1, err, sizeof(err)) == 0);
		CHECK_STR(got, "OAUTHBEARER");
		unsetenv("KAFKA_CLIENT_SECRET");
		CHECK(apply("sasl.mechanisms", oauth, 1, err, sizeof(err)) ==
		    WEIR_FAIL_USAGE);
		CHECK(strstr(err, "KAFKA_CLIENT_SECRET is not set") != NULL);
	}
	UNIT_DONE();
}
