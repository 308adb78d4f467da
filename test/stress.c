// SPDX-License-Identifier: MIT
/*
 * Bounded stress (3 s, up to 5 s on a slow machine): two threads call random trampolines of a table (with
 * stack contexts) while one rewrites and removes their contexts and another
 * creates, maps, writes, calls, unmaps and closes tables in varying orders
 * and maps and unmaps memory (the fault path's stack stores race mmap). Every call
 * returns a value of its own index or faults after a removal; at the end
 * the fd and mapping counts are back to where they started.
 */
#include <pthread.h>
#include <stdatomic.h>
#include <sys/mman.h>
#include <time.h>
#include "t.h"

enum { N = 16 };
static struct t_table t;
static atomic_int stop;
static atomic_ulong calls, faults, writes, churns;
static char why[128];
static atomic_int bad;

static void *caller(void *arg)
{
	unsigned int seed = (unsigned int)(uintptr_t)arg, i;
	uint64_t ret;
	int s;

	while (!atomic_load(&stop)) {
		i = rand_r(&seed) % N;
		s = t_sig_call_tramp(t_slot(&t, i), &ret);
		if (s == SIGSEGV && (i & 3) == 3) {
			atomic_fetch_add(&faults, 1);
		} else if (s || (ret >> 32) != i) {
			snprintf(why, sizeof(why), "index %u: %s, value %#llx", i,
				 t_signame(s), (unsigned long long)ret);
			atomic_store(&bad, 1);
		}
		atomic_fetch_add(&calls, 1);
	}
	return NULL;
}

static void *writer(void *arg)
{
	uint64_t gen = 0;
	unsigned int i;

	while (!atomic_load(&stop)) {
		gen++;
		for (i = 0; i < N; i++) {
			/* Indices 3, 7, 11, 15 come and go. */
			if ((i & 3) == 3 && (gen & 1))
				T_EXPECT(t_remove_regs(t.fd, i), sizeof(struct trampfd_regs));
			else
				t_set_call_ok(t.fd, i, (void *)t_ret_arg0,
					      ((uint64_t)i << 32) | (gen & 0xffffffff));
		}
		atomic_fetch_add(&writes, 1);
	}
	return NULL;
}

static void churn_once(unsigned int k)
{
	struct t_table c;
	unsigned int n = 1 + k % 64;
	void *m = mmap(NULL, 1 << 16, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

	T_ASSERT(m != MAP_FAILED, "mmap");
	memset(m, 1, 1 << 16);
	T_ASSERT(!munmap(m, 1 << 16), "munmap");
	t_table(&c, n, 0);
	t_set_call_ok(c.fd, n - 1, (void *)t_ret_arg0, k);
	if (((t_fn0)t_slot(&c, n - 1))() != k)
		t_fail("churn table: wrong value");
	if (k & 1) {
		T_EXPECT(trampfd_close(c.fd), 0);
		T_EXPECT(trampfd_munmap(c.base), 0);
	} else {
		T_EXPECT(trampfd_munmap(c.base), 0);
		T_EXPECT(trampfd_close(c.fd), 0);
	}
}

static void *churner(void *arg)
{
	unsigned int k = 0;

	while (!atomic_load(&stop)) {
		churn_once(k++);
		atomic_store(&churns, k);
	}
	return NULL;
}

/* At least min_ms; up to max_ms while the work counts are still low. */
static void run(int min_ms, int max_ms)
{
	struct timespec d = { 0, 50000000 };
	pthread_t th[4];
	unsigned int i;
	int ms = 0;

	for (i = 0; i < N; i++) {
		struct t_stack st;
		size_t len = t_stack_fill(&st, 0, (i & 1) * 256, 16, "stack data, 16 B");

		t_set_call_ok(t.fd, i, (void *)t_ret_arg0, (uint64_t)i << 32);
		/* Stack stores from the fault path race with mmap below. */
		T_EXPECT(trampfd_pwrite(t.fd, &st, len, TRAMPFD_OFFSET(i, TRAMPFD_STACK_OFFSET)), len);
	}
	atomic_store(&stop, 0);
	for (i = 0; i < 4; i++)
		T_ASSERT(!pthread_create(&th[i], NULL, i < 2 ? caller : i == 2 ? writer : churner,
					 (void *)(uintptr_t)(i + 1)), "pthread_create");
	do {
		nanosleep(&d, NULL);
		ms += 50;
	} while (ms < min_ms || (ms < max_ms && (calls < 10000 || writes < 50 || churns < 20)));
	atomic_store(&stop, 1);
	for (i = 0; i < 4; i++)
		pthread_join(th[i], NULL);
}

int main(void)
{
	int fds0, maps0;

	t_init();
	/* Warm up: lazy library state, cached thread stacks. */
	t_table(&t, N, 0);
	churn_once(0);
	run(50, 50);
	T_EXPECT(trampfd_close(t.fd), 0);
	T_EXPECT(trampfd_munmap(t.base), 0);
	fds0 = t_count_fds();
	maps0 = t_count_maps();

	atomic_store(&calls, 0);
	atomic_store(&writes, 0);
	atomic_store(&churns, 0);
	t_table(&t, N, 0);
	run(3000, 5000);
	if (bad)
		t_fail("a call returned a wrong result: %s", why);
	T_ASSERT(calls > 1000 && writes > 10 && churns > 5,
		 "too little work: %lu calls, %lu writes, %lu tables",
		 (unsigned long)calls, (unsigned long)writes, (unsigned long)churns);
	T_EXPECT(trampfd_close(t.fd), 0);
	T_EXPECT(trampfd_munmap(t.base), 0);
	T_ASSERT(t_count_fds() == fds0, "fds: %d at the start, %d at the end", fds0, t_count_fds());
	T_ASSERT(t_count_maps() == maps0, "mappings: %d at the start, %d at the end",
		 maps0, t_count_maps());
	printf("%lu calls (%lu faults), %lu rewrites, %lu tables\n", (unsigned long)calls,
	       (unsigned long)faults, (unsigned long)writes, (unsigned long)churns);
	return t_pass();
}
