// SPDX-License-Identifier: MIT
/*
 * gcc >= 14's heap trampoline ABI, called directly (gcc 12 cannot emit
 * it): the stored address enters func with the static chain set; entries
 * are a per-thread LIFO; an entry whose creator a longjmp skipped is
 * dropped by the next call from a shallower frame; running on the
 * sigaltstack, the entries of the code it interrupted are kept.
 */
#include <errno.h>
#include <pthread.h>
#include <setjmp.h>
#include "nt.h"

void __gcc_nested_func_ptr_created(void *chain, void *func, void *dst);
void __gcc_nested_func_ptr_deleted(void);
long nt_chain_value(void);

static int alive(void *c, long chain)
{
	void *fn, *ctx;

	/* Freed, or freed and handed out again for another entry. */
	if (trampfd_closure_get(c, &fn, &ctx) || fn != (void *)nt_chain_value || (long)ctx != chain)
		return 0;
	T_ASSERT(((long (*)(void))c)() == chain, "the trampoline did not set the static chain to %ld", chain);
	return 1;
}

/* A macro: the creator's frame is the caller's, as in GCC's code. */
#define CREATE(c, chain) do { \
	(c) = NULL; \
	__gcc_nested_func_ptr_created((void *)(long)(chain), (void *)nt_chain_value, &(c)); \
	T_ASSERT((c), "created stored no address"); \
} while (0)

static jmp_buf env;
static void *skipped;

static __attribute__((noinline, noreturn)) void deeper(void)
{
	CREATE(skipped, 99);
	longjmp(env, 1);	/* no "deleted" for this creator */
}

static __attribute__((noinline)) void deep(void)
{
	deeper();
}

static void *thread_entry;
static pthread_barrier_t bar;

static void *other(void *arg)
{
	CREATE(thread_entry, 55);
	pthread_barrier_wait(&bar);	/* main pops its own */
	pthread_barrier_wait(&bar);
	T_ASSERT(alive(thread_entry, 55), "another thread's delete took this thread's entry");
	__gcc_nested_func_ptr_deleted();
	T_ASSERT(!alive(thread_entry, 55), "deleted left the thread's entry");
	return NULL;
}

#define ALT_SIZE 65536
static char *alt;
static void *in_handler;
static volatile int handler_ran;

static void on_usr1(int sig)
{
	CREATE(in_handler, 31);
	T_ASSERT(alive(in_handler, 31), "created in a handler on the alternate stack");
	__gcc_nested_func_ptr_deleted();
	handler_ran = (char *)&sig >= alt && (char *)&sig < alt + ALT_SIZE;
}

static __attribute__((noinline)) void below_altstack(void)
{
	void *c;

	CREATE(c, 21);

	raise(SIGUSR1);
	T_ASSERT(handler_ran, "the handler did not run on the alternate stack");
	T_ASSERT(!alive(in_handler, 31), "the handler's entry was not deleted");
	T_ASSERT(alive(c, 21), "the handler on the alternate stack dropped the interrupted code's entry");
	__gcc_nested_func_ptr_deleted();
	T_ASSERT(!alive(c, 21), "deleted left the entry");
}

int main(void)
{
	char above[ALT_SIZE];	/* the alternate stack, in main's frame: above below_altstack's */
	struct sigaction sa = { .sa_handler = on_usr1, .sa_flags = SA_ONSTACK };
	stack_t ss = { .ss_sp = above, .ss_size = sizeof(above) };
	void *a, *b, *c, *d;
	pthread_t t;

	/* Chain, and LIFO order within one frame. */
	CREATE(a, 1);
	CREATE(b, 2);
	CREATE(c, 3);
	T_ASSERT(alive(a, 1) && alive(b, 2) && alive(c, 3), "created entries are not callable");
	__gcc_nested_func_ptr_deleted();
	T_ASSERT(!alive(c, 3) && alive(b, 2) && alive(a, 1), "deleted did not drop the newest only");
	__gcc_nested_func_ptr_deleted();
	__gcc_nested_func_ptr_deleted();
	T_ASSERT(!alive(b, 2) && !alive(a, 1), "deleted left entries");
	__gcc_nested_func_ptr_deleted();	/* nothing left: no effect */

	/* A longjmp skipped a creator: the next call from a shallower frame drops it. */
	if (!setjmp(env))
		deep();
	T_ASSERT(alive(skipped, 99), "the skipped entry is gone before any call");
	CREATE(d, 4);
	T_ASSERT(!alive(skipped, 99), "the entry a longjmp skipped was not reclaimed");
	T_ASSERT(alive(d, 4), "the new entry is not callable");

	/* Per thread: another thread's delete never pops this one's. */
	pthread_barrier_init(&bar, NULL, 2);
	T_ASSERT(!pthread_create(&t, NULL, other, NULL), "pthread_create");
	pthread_barrier_wait(&bar);
	__gcc_nested_func_ptr_deleted();
	T_ASSERT(!alive(d, 4), "deleted left main's entry");
	T_ASSERT(alive(thread_entry, 55), "main's delete took another thread's entry");
	pthread_barrier_wait(&bar);
	pthread_join(t, NULL);
	CREATE(a, 66);
	T_ASSERT(alive(a, 66), "an entry created after a thread's");
	__gcc_nested_func_ptr_deleted();

	/* On a sigaltstack above the creator's frame. */
	alt = above;
	T_ASSERT(!sigaltstack(&ss, NULL), "sigaltstack");
	sigemptyset(&sa.sa_mask);
	T_ASSERT(!sigaction(SIGUSR1, &sa, NULL), "sigaction");
	below_altstack();
	return nt_pass();
}
