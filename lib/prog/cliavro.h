/*
 * cliavro.h - the Avro options weir-source and weir-sink share: -s
 * value=avro|key=avro|avro and -r URL (the Schema Registry), parsed and
 * checked the same way in both (program support: errors exit 2).
 */
#ifndef WEIR_CLIAVRO_H
#define WEIR_CLIAVRO_H

#include "registry.h"

typedef struct weir_cli_avro {
	int key, value;		/* -s key=avro, -s value=avro */
	const char *url;	/* -r URL */
	weir_registry *reg;	/* opened by weir_cli_avro_check */
} weir_cli_avro;

/* Option c with its argument: 1 when it was -s or -r (taken; a bad -s
 * exits 2), 0 for any other option. */
int weir_cli_avro_opt(weir_cli_avro *a, int c, const char *arg);
/* After the options: -s avro and -r URL go together (exit 2 otherwise);
 * with them the registry client is opened (a bad URL exits 2). */
void weir_cli_avro_check(weir_cli_avro *a);

#endif
