// SPDX-License-Identifier: MIT
/*
 * docs/design.md §3.9 with threads: while other threads rewrite contexts and call
 * trampolines, the main thread forks repeatedly; each child (one thread)
 * must still call its inherited trampolines, write new contexts and create
 * a table, without deadlocking on state a vanished thread held at fork.
 */
#include <pthread.h>
#include <stdatomic.h>
#include <sys/wait.h>
#include <unistd.h>
#include "t.h"

enum { N = 4, FORKS = 40 };
static struct t_table t;
static atomic_int stop;

static void *writer(void *arg)
{
	uint64_t g = 0;

	while (!atomic_load(&stop))
		t_set_call_ok(t.fd, (unsigned int)(g++ % N), (void *)t_ret_arg0, 0x100);
	return NULL;
}

static void *caller(void *arg)
{
	while (!atomic_load(&stop))
		if (((t_fn0)t_slot(&t, 1))() != 0x100)
			t_fail("caller thread: wrong value");
	return NULL;
}

static void child(void)
{
	struct t_table c;
	unsigned int i;

	alarm(10);
	for (i = 0; i < N; i++)
		T_EXPECT(((t_fn0)t_slot(&t, i))(), 0x100);
	t_set_call_ok(t.fd, 2, (void *)t_ret_arg0, 0x222);
	T_EXPECT(((t_fn0)t_slot(&t, 2))(), 0x222);
	t_table(&c, 8, 0);
	t_set_call_ok(c.fd, 7, (void *)t_ret_arg0, 0x777);
	T_EXPECT(((t_fn0)t_slot(&c, 7))(), 0x777);
	T_EXPECT(trampfd_close(c.fd), 0);
	T_EXPECT(trampfd_munmap(c.base), 0);
	_exit(42);
}

int main(void)
{
	pthread_t th[2];
	unsigned int i;
	int st, k;

	t_init();
	t_table(&t, N, 0);
	for (i = 0; i < N; i++)
		t_set_call_ok(t.fd, i, (void *)t_ret_arg0, 0x100);
	T_ASSERT(!pthread_create(&th[0], NULL, writer, NULL), "pthread_create");
	T_ASSERT(!pthread_create(&th[1], NULL, caller, NULL), "pthread_create");
	for (k = 0; k < FORKS; k++) {
		pid_t pid = fork();

		T_ASSERT(pid >= 0, "fork");
		if (!pid)
			child();
		T_ASSERT(waitpid(pid, &st, 0) == pid, "waitpid");
		if (WIFSIGNALED(st) && WTERMSIG(st) == SIGALRM)
			t_fail("fork %d: the child hung (deadlock after fork?)", k);
		if (!WIFEXITED(st) || WEXITSTATUS(st) != 42)
			t_fail("fork %d: the child failed (status %#x)", k, st);
	}
	atomic_store(&stop, 1);
	pthread_join(th[0], NULL);
	pthread_join(th[1], NULL);
	T_EXPECT(((t_fn0)t_slot(&t, 2))(), 0x100);
	T_EXPECT(trampfd_close(t.fd), 0);
	T_EXPECT(trampfd_munmap(t.base), 0);
	return t_pass();
}
