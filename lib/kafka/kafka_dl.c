/* kafka_dl.c - librdkafka, loaded when first needed (kafka_dl.h). */
#define WEIR_RDK_NO_MAP
#include "kafka_dl.h"

#include "dl.h"

weir__rdk_api weir__rdk;

static int
load(char *err, size_t errsz)
{
#define WEIR_RDK_SYM(f) { #f, &weir__rdk.f },
	const weir_dl_sym syms[] = { WEIR_RDK_FUNCS(WEIR_RDK_SYM) };
#undef WEIR_RDK_SYM

	return weir_dl_load("librdkafka.so.1", syms,
	    sizeof(syms) / sizeof(*syms), err, errsz);
}

int
weir__rdk_load(char *err, size_t errsz)
{
	static weir_dl_once once = WEIR_DL_ONCE(load);

	return weir_dl_once_load(&once, err, errsz);
}
