// SPDX-License-Identifier: MIT
/*
 * docs/design.md §3.10: 4 threads call at once, each its own trampoline and a
 * shared one, many times; every call returns its context's value.
 */
#include <pthread.h>
#include "t.h"

enum { NTH = 4, ITER = 20000 };
static struct t_table t;
static pthread_barrier_t bar;

static void *run(void *arg)
{
	unsigned int me = (unsigned int)(uintptr_t)arg, k;
	t_fn0 mine = (t_fn0)t_slot(&t, me), shared = (t_fn0)t_slot(&t, NTH);

	pthread_barrier_wait(&bar);
	for (k = 0; k < ITER; k++) {
		if (mine() != 0x7000ULL + me)
			return (void *)"own trampoline returned a wrong value";
		if (shared() != 0x5ea7ed)
			return (void *)"shared trampoline returned a wrong value";
	}
	return NULL;
}

int main(void)
{
	pthread_t th[NTH];
	unsigned int i;
	void *res;

	t_init();
	t_table(&t, NTH + 1, 0);
	for (i = 0; i < NTH; i++)
		t_set_call_ok(t.fd, i, (void *)t_ret_arg0, 0x7000ULL + i);
	t_set_call_ok(t.fd, NTH, (void *)t_ret_arg0, 0x5ea7ed);
	pthread_barrier_init(&bar, NULL, NTH);
	for (i = 0; i < NTH; i++)
		T_ASSERT(!pthread_create(&th[i], NULL, run, (void *)(uintptr_t)i),
			 "pthread_create");
	for (i = 0; i < NTH; i++) {
		pthread_join(th[i], &res);
		if (res)
			t_fail("thread %u: %s", i, (char *)res);
	}
	T_EXPECT(trampfd_close(t.fd), 0);
	T_EXPECT(trampfd_munmap(t.base), 0);
	return t_pass();
}
