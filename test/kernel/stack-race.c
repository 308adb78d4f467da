// SPDX-License-Identifier: MIT
/*
 * Fault mode stores stack data from its fault handler, which holds
 * mmap_lock: a nested fault there would deadlock against a writer queued
 * by another thread's mmap. Calls that store onto never-touched stack
 * pages race with mmap/munmap in other threads; this must neither hang
 * nor lose data.
 */
#include <pthread.h>
#include <stdatomic.h>
#include "kt.h"

static atomic_int stop;

static void *mapper(void *arg)
{
	while (!atomic_load(&stop)) {
		void *p = mmap(NULL, 1 << 20, PROT_READ | PROT_WRITE,
			       MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

		if (p != MAP_FAILED)
			munmap(p, 1 << 20);
	}
	return NULL;
}

int main(void)
{
	struct {
		struct trampfd_stack h;
		uint64_t d[8];
	} s = { { 0, 0, 64, 0 }, { 1, 2, 3, 4, 5, 6, 7, 8 } };
	struct trampfd_map map;
	pthread_t th[2];
	int fd = kt_create(TRAMPFD_FAULT, 1), i, k;
	void *t;

	if (fd < 0)
		kt_fail("create: %s", strerror(-fd));
	KT_EQ(kt_set(fd, 0, kt_grab, 0, 0, 0, 0), 24);
	KT_EQ(pwrite(fd, &s, sizeof(s), TRAMPFD_STACK_OFFSET), sizeof(s));
	t = kt_addr(kt_map(fd, &map), &map, 0);
	for (i = 0; i < 2; i++)
		pthread_create(&th[i], NULL, mapper, NULL);
	for (i = 0; i < 3000; i++) {
		char *stk = mmap(NULL, 2 * 4096, PROT_READ | PROT_WRITE,
				 MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

		if (stk == MAP_FAILED)
			kt_fail("mmap");
		memset(kt_buf, 0, sizeof(kt_buf));
		kt_call_on(stk + 4096 + 16, t);
		for (k = 0; k < 8; k++)
			if (kt_buf[k] != (uint64_t)k + 1)
				kt_fail("call %d: word %d is %llu", i, k,
					(unsigned long long)kt_buf[k]);
		munmap(stk, 2 * 4096);
	}
	atomic_store(&stop, 1);
	for (i = 0; i < 2; i++)
		pthread_join(th[i], NULL);
	return 0;
}
