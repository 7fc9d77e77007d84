/* dl.c - a shared library loaded when first needed (dl.h). */
#include "dl.h"

#include <dlfcn.h>
#include <pthread.h>

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

int
weir_dl_once_load(weir_dl_once *o, char *err, size_t errsz)
{
	/* one lock for every library: each is loaded once, then the lock
	 * is taken only to read two ints */
	static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
	int rc;

	pthread_mutex_lock(&lock);
	if (!o->done) {
		o->rc = o->load(o->why, sizeof(o->why));
		o->done = 1;
	}
	rc = o->rc;
	pthread_mutex_unlock(&lock);
	if (rc < 0)
		weir_seterr(err, errsz, "%s", o->why);
	return rc;
}
