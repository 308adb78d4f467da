// SPDX-License-Identifier: MIT
/*
 * docs/design.md §3.6 with §3.10: a context write stays atomic for a caller that a
 * signal handler interrupted in the middle of its call. Two threads call
 * fast-path trampolines (one register + PC) while a third keeps flipping
 * their contexts and a fourth keeps interrupting the callers with SIGUSR1,
 * whose handler runs for 1 ms: long enough for the writer to retire and
 * reuse whatever the interrupted call was reading. Every call must see ARG0
 * and PC of the same context.
 */
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <time.h>
#include "t.h"

#ifdef T_HAVE_HARNESS
#define TAG_A 0xaaaa000000000000ULL
#define TAG_B 0xbbbb000000000000ULL
enum { N = 1, HANDLER_NS = 1000000 };
static struct t_table t;
static atomic_int stop;
static atomic_ulong calls, writes, sigs;
static pthread_t callers[2];

static void on_usr1(int sig)
{
	struct timespec a, b;

	clock_gettime(CLOCK_MONOTONIC, &a);
	do
		clock_gettime(CLOCK_MONOTONIC, &b);
	while ((b.tv_sec - a.tv_sec) * 1000000000L + b.tv_nsec - a.tv_nsec < HANDLER_NS);
	atomic_fetch_add(&sigs, 1);
}

static void *caller(void *arg)
{
	unsigned long n = 0;

	void (*f)(void) = (void (*)(void))t_slot(&t, 0);
	unsigned int k;

	/* Tight: most of the time is spent inside the trampoline. */
	while (!atomic_load(&stop)) {
		for (k = 0; k < 4096; k++)
			f();
		n += 4096;
	}
	atomic_fetch_add(&calls, n);
	return NULL;
}

static void *writer(void *arg)
{
	unsigned long n = 0;
	unsigned int i;

	while (!atomic_load(&stop)) {
		for (i = 0; i < N; i++) {
			/* Each bank's next write has the other tag. */
			int b = (n >> 1) & 1;

			t_set_call_ok(t.fd, i, b ? (void *)t_pair_b : (void *)t_pair_a,
				      (b ? TAG_B : TAG_A) | n);
		}
		atomic_store(&writes, ++n);
	}
	return NULL;
}

static void *interrupter(void *arg)
{
	struct timespec d = { 0, 2000000 };
	unsigned long n = 0;

	while (!atomic_load(&stop)) {
		pthread_kill(callers[n++ & 1], SIGUSR1);
		nanosleep(&d, NULL);
	}
	return NULL;
}

int main(void)
{
	struct timespec d = { 0, 50000000 };
	struct sigaction sa;
	pthread_t w, s;
	unsigned int i;
	int ms = 0;

	t_init();
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_usr1;
	sa.sa_flags = SA_RESTART;
	T_ASSERT(!sigaction(SIGUSR1, &sa, NULL), "sigaction");
	t_table(&t, N, 0);
	for (i = 0; i < N; i++)
		t_set_call_ok(t.fd, i, (void *)t_pair_a, TAG_A);
	for (i = 0; i < 2; i++)
		T_ASSERT(!pthread_create(&callers[i], NULL, caller, NULL), "pthread_create");
	T_ASSERT(!pthread_create(&w, NULL, writer, NULL), "pthread_create");
	T_ASSERT(!pthread_create(&s, NULL, interrupter, NULL), "pthread_create");
	do {
		nanosleep(&d, NULL);
		ms += 50;
	} while (!t_pair_bad && (ms < 6000 || (ms < 10000 && (writes < 500 || sigs < 500))));
	atomic_store(&stop, 1);
	pthread_join(s, NULL);
	pthread_join(w, NULL);
	for (i = 0; i < 2; i++)
		pthread_join(callers[i], NULL);
	printf("%lu calls, %lu writes, %lu signals\n", (unsigned long)calls,
	       (unsigned long)writes, (unsigned long)sigs);
	if (t_pair_bad)
		t_fail("%llu calls saw a mixed context (last rdi %#llx)",
		       (unsigned long long)t_pair_bad, (unsigned long long)t_pair_last);
	T_ASSERT(writes >= 20 && sigs >= 100 && calls >= 1000,
		 "too little contention: %lu writes, %lu signals, %lu calls",
		 (unsigned long)writes, (unsigned long)sigs, (unsigned long)calls);
	T_EXPECT(trampfd_close(t.fd), 0);
	T_EXPECT(trampfd_munmap(t.base), 0);
	return t_pass();
}
#else
int main(void)
{
	t_skip("no register harness for this architecture yet");
}
#endif
