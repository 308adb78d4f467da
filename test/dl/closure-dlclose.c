// SPDX-License-Identifier: MIT
/*
 * dlclose with closures around (mk/closures.mk): a thread creates a
 * closure (so libtrampfd.so holds a TLS destructor for it), the program
 * dlcloses the library, then the thread exits and a closure made before
 * is called. Both must work: the library is linked -z nodelete, so
 * dlclose leaves it mapped. argv[1]: the library's path.
 */
#include <dlfcn.h>
#include <pthread.h>
#include <stdio.h>
#include <trampfd.h>

static long plus1(long x) { return x + 1; }
static int (*create)(void **, void *, void *, unsigned int);
static pthread_barrier_t bar;

static void *thread(void *arg)
{
	void **c = arg;

	if (create(c, (void *)plus1, (void *)41, TRAMPFD_CTX_ARG(0)))
		*c = NULL;
	pthread_barrier_wait(&bar);	/* created */
	pthread_barrier_wait(&bar);	/* the library is dlclosed */
	return NULL;
}

int main(int argc, char **argv)
{
	void *h = dlopen(argc > 1 ? argv[1] : "libtrampfd.so.0", RTLD_NOW), *c;
	pthread_t th;

	if (!h || !(create = (int (*)(void **, void *, void *, unsigned int))dlsym(h,
			"trampfd_closure_create"))) {
		fprintf(stderr, "dlopen: %s\n", dlerror());
		return 1;
	}
	pthread_barrier_init(&bar, NULL, 2);
	pthread_create(&th, NULL, thread, &c);
	pthread_barrier_wait(&bar);
	dlclose(h);
	pthread_barrier_wait(&bar);
	pthread_join(th, NULL);		/* its TLS destructor ran */
	if (!c || ((long (*)(void))c)() != 42) {
		fprintf(stderr, "the closure made before dlclose does not work\n");
		return 1;
	}
	printf("a thread exited and a closure was called after dlclose\n");
	return 0;
}
