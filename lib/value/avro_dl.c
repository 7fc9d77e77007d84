/* avro_dl.c - avro-c, loaded when first needed (avro_dl.h). */
#define WEIR_AVROC_NO_MAP
#include "avro_dl.h"

#include "dl.h"

weir__avroc_api weir__avroc;

static int
load(char *err, size_t errsz)
{
#define WEIR_AVROC_SYM(f) { #f, &weir__avroc.f },
	const weir_dl_sym syms[] = { WEIR_AVROC_FUNCS(WEIR_AVROC_SYM) };
#undef WEIR_AVROC_SYM

	return weir_dl_load("libavro.so.23", syms,
	    sizeof(syms) / sizeof(*syms), err, errsz);
}

int
weir__avroc_load(char *err, size_t errsz)
{
	static weir_dl_once once = WEIR_DL_ONCE(load);

	return weir_dl_once_load(&once, err, errsz);
}
