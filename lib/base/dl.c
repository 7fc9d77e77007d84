/* dl.c - a shared library loaded when first needed (dl.h). */
#include "dl.h"

#include <dlfcn.h>

int
weir_dl_load(const char *lib, const weir_dl_sym *syms, size_t n, char *err,
    size_t errsz)
{
	void *h, *f;
	size_t i;

	if (!(h = dlopen(lib, RTLD_NOW | RTLD_LOCAL))) {
		weir_seterr(err, errsz, "cannot load %s: %s", lib, dlerror());
		return WEIR_FAIL_IO;
	}
	for (i = 0; i < n; i++) {
		if (!(f = dlsym(h, syms[i].name))) {
			weir_seterr(err, errsz, "%s has no %s", lib,
			    syms[i].name);
			return WEIR_FAIL_IO;
		}
		/* the address copied, not cast: ISO C has no conversion
		 * from void * to a function pointer */
		memcpy(syms[i].fn, &f, sizeof(f));
	}
	return 0;
}
