// SPDX-License-Identifier: MIT
/*
 * fork while other threads map, unmap, write and create tables: every
 * lock of the library must be safe across fork (src/fork.c), so each
 * child maps a table, writes a context and calls it, and exits within
 * its deadline (a child stuck on a lock inherited held is killed and
 * fails the test). A bounded stress: a fixed number of forks.
 */
#include <errno.h>
#include <pthread.h>
#include <stdatomic.h>
#include <signal.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include "t.h"

#define FORKS 150

static atomic_int stop;
static int shared_fd;

static void *churn(void *arg)
{
	void *base;

	while (!atomic_load(&stop)) {
		int fd = t_create(2, 0);

		if (!trampfd_mmap(fd, &base))
			trampfd_munmap(base);
		t_set_call(shared_fd, 0, (void *)t_ret_arg0, 5);
		trampfd_close(fd);
	}
	return NULL;
}

/* The child's whole life: map, write, call. */
static int child(void)
{
	void *base;
	struct trampfd_map map;

	if (trampfd_mmap(shared_fd, &base) ||
	    trampfd_pread(shared_fd, &map, sizeof(map), TRAMPFD_MAP_OFFSET) != sizeof(map) ||
	    t_set_call(shared_fd, 1, (void *)t_ret_arg0, 77) < 0)
		return 2;
	return ((t_fn0)trampfd_addr(base, &map, 1))() == 77 ? 0 : 3;
}

int main(void)
{
	pthread_t th[2];
	int i, k, st, hung = 0, bad = 0, first = 0;
	pid_t pid;

	t_init();
	shared_fd = t_create(2, 0);
	for (i = 0; i < 2; i++)
		T_ASSERT(!pthread_create(&th[i], NULL, churn, NULL), "pthread_create");
	for (i = 0; i < FORKS; i++) {
		pid = fork();
		T_ASSERT(pid >= 0, "fork: %s", strerror(errno));
		if (!pid)
			_exit(child());
		/* 10 s each: only a child stuck on a lock gets near it. */
		for (k = 0; k < 1000 && !waitpid(pid, &st, WNOHANG); k++)
			nanosleep(&(struct timespec){ 0, 10000000 }, NULL);
		if (k == 1000) {
			kill(pid, SIGKILL);
			waitpid(pid, &st, 0);
			hung++;
		} else if (!WIFEXITED(st) || WEXITSTATUS(st)) {
			if (!bad++)
				first = st;
		}
	}
	atomic_store(&stop, 1);
	for (i = 0; i < 2; i++)
		pthread_join(th[i], NULL);
	T_ASSERT(!hung, "%d of %d children hung (a lock inherited held)", hung, FORKS);
	T_ASSERT(!bad, "%d of %d children failed to map, write or call (first: status %#x)",
		 bad, FORKS, first);
	return t_pass();
}
