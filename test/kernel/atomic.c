// SPDX-License-Identifier: MIT
/*
 * Atomic context writes (docs/design.md §3.6) under contention, both modes, with
 * more calling threads than CPUs so that some are preempted inside a
 * trampoline: every call sees rdi == rsi == rdx, never a mix.
 */
#include <pthread.h>
#include <stdatomic.h>
#include <time.h>
#include "kt.h"

#define NTHREADS 6

static atomic_int stop;
static atomic_ulong calls, bad;
static void *tramp;

/* Returns 0 when the three values agree. */
__attribute__((noinline)) static long check(long a, long b, long c)
{
	return !(a == b && b == c);
}

static void *caller(void *arg)
{
	long (*f)(long, long, long) = tramp;

	while (!atomic_load_explicit(&stop, memory_order_relaxed)) {
		if (f(-1, -2, -3))
			atomic_fetch_add(&bad, 1);
		atomic_fetch_add_explicit(&calls, 1, memory_order_relaxed);
	}
	return NULL;
}

static void one(unsigned int mode)
{
	struct timespec t0, t1;
	struct trampfd_map map;
	pthread_t th[NTHREADS];
	unsigned long w = 0;
	int fd = kt_create(mode, 2), i;
	char *base;

	if (fd < 0)
		kt_fail("create: %s", strerror(-fd));
	KT_EQ(kt_set(fd, 1, check, 3, 0, 0, 0), 8 + 64);
	base = kt_map(fd, &map);
	tramp = kt_addr(base, &map, 1);
	clock_gettime(CLOCK_MONOTONIC, &t0);
	for (i = 0; i < 1000; i++)
		KT_EQ(kt_set(fd, 1, check, 3, i, i, i), 8 + 64);
	clock_gettime(CLOCK_MONOTONIC, &t1);
	fprintf(stderr, "%s: uncontended write %ld ns\n", kt_modes[mode == TRAMPFD_CODE],
		((t1.tv_sec - t0.tv_sec) * 1000000000L + (t1.tv_nsec - t0.tv_nsec)) / 1000);
	atomic_store(&stop, 0);
	atomic_store(&calls, 0);
	atomic_store(&bad, 0);
	for (i = 0; i < NTHREADS; i++)
		pthread_create(&th[i], NULL, caller, NULL);
	clock_gettime(CLOCK_MONOTONIC, &t0);
	do {
		w++;
		if (kt_set(fd, 1, check, 3, w, w, w) != 8 + 64)
			kt_fail("write %lu: %s", w, strerror(errno));
		clock_gettime(CLOCK_MONOTONIC, &t1);
	} while ((t1.tv_sec - t0.tv_sec) * 1000000000L +
		 (t1.tv_nsec - t0.tv_nsec) < 2000000000L);
	atomic_store(&stop, 1);
	for (i = 0; i < NTHREADS; i++)
		pthread_join(th[i], NULL);
	fprintf(stderr, "%s: %lu writes, %lu calls, %lu mixed\n",
		kt_modes[mode == TRAMPFD_CODE], w, (unsigned long)calls,
		(unsigned long)bad);
	if (bad)
		kt_fail("%s: %lu calls saw a mixed context",
			kt_modes[mode == TRAMPFD_CODE], (unsigned long)bad);
	if (w < 100)
		kt_fail("%s: only %lu writes in 2 s", kt_modes[mode == TRAMPFD_CODE], w);
	munmap(base, map.size);
	close(fd);
}

int main(void)
{
	one(TRAMPFD_FAULT);
	one(TRAMPFD_CODE);
	return 0;
}
