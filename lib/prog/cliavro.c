/* cliavro.c - -s and -r for the programs that speak Avro */
#include "cliavro.h"

#include "cli.h"

int
weir_cli_avro_opt(weir_cli_avro *a, int c, const char *arg)
{
	char err[WEIR_ERRSZ];

	switch (c) {
	case 's':
		if (weir_serdes_parse(arg, &a->key, &a->value, err,
		    sizeof(err)) < 0)
			weir_usage_error("%s", err);
		return 1;
	case 'r':
		a->url = arg;
		return 1;
	}
	return 0;
}

void
weir_cli_avro_check(weir_cli_avro *a)
{
	char err[WEIR_ERRSZ];
	int rc;

	if ((a->key || a->value) != !!a->url)
		weir_usage_error(a->url ? "-r URL goes with -s value=avro or -s "
		    "key=avro" : "-s avro needs the Schema Registry: -r URL");
	if (a->url && (rc = weir_registry_open(&a->reg, a->url, err,
	    sizeof(err))) < 0)
		weir_die_failf(rc, "-r: %s", err);
	/* avro-c is loaded when first used: now, not at the first record */
	if (a->url && (rc = weir_avro_load(err, sizeof(err))) < 0)
		weir_die_failf(rc, "-s avro: %s", err);
}
