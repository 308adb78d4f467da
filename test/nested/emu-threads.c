// SPDX-License-Identifier: MIT
/*
 * Stack trampolines called from several threads at once, each on its own
 * stack, and one thread calling a trampoline that lives on another
 * thread's stack while that thread waits, frame alive, at a barrier.
 */
#include <pthread.h>
#include "nt.h"

#define THREADS 4
#define CALLS 2000

static pthread_barrier_t published, done;
static long (*volatile foreign)(long);

static void *own(void *arg)
{
	long id = (long)arg, i, sum = 0;
	long add(long x) { return 1000 * id + x; }

	for (i = 0; i < CALLS; i++)
		sum += nt_apply(add, i) - 1000 * id;
	return (void *)(sum == (long)CALLS * (CALLS - 1) / 2 ? 0 : 1L);
}

static void *publisher(void *arg)
{
	long base = (long)arg;
	long mine(long x) { return base * x; }

	foreign = mine;
	pthread_barrier_wait(&published);
	pthread_barrier_wait(&done);	/* the frame stays until the caller is done */
	return NULL;
}

int main(void)
{
	pthread_t t[THREADS], p;
	void *r;
	long i;

	for (i = 0; i < THREADS; i++)
		T_ASSERT(!pthread_create(&t[i], NULL, own, (void *)i), "pthread_create");
	for (i = 0; i < THREADS; i++) {
		pthread_join(t[i], &r);
		T_ASSERT(!r, "thread %ld: a nested function returned a wrong value", i);
	}
	pthread_barrier_init(&published, NULL, 2);
	pthread_barrier_init(&done, NULL, 2);
	T_ASSERT(!pthread_create(&p, NULL, publisher, (void *)7L), "pthread_create");
	pthread_barrier_wait(&published);
	for (i = 0; i < CALLS; i++)
		T_ASSERT(nt_apply(foreign, i) == 7 * i, "another thread's trampoline: wrong value");
	pthread_barrier_wait(&done);
	pthread_join(p, NULL);
	return nt_pass();
}
