// SPDX-License-Identifier: MIT
/*
 * A code-mode rewrite looks at where every other thread of the process
 * will run next (kernel/code.c tfd_busy_pcs). A thread that has exited
 * has released its kernel stack, and reading its registers through
 * task_pt_regs() oopsed the module (arm64 6.1, closure-threads).
 *  leader   deterministic: the main thread exits first and stays on the
 *           thread list as a zombie without a stack; of the two threads
 *           left, one rewrites and calls (before the fix: an oops at the first
 *           rewrite, and the child is killed);
 *  batches  bounded stress: threads born and exiting in batches while
 *           the main thread rewrites, a fixed number whatever the speed.
 * Every write must succeed and each call see its own context.
 */
#include <pthread.h>
#include <stdatomic.h>
#include "kt.h"

#define BATCH 8
#define ROUNDS 300

static atomic_int done;

static void *brief(void *arg)
{
	return arg;
}

static void *spawner(void *arg)
{
	pthread_t th[BATCH];
	int r, i;

	for (r = 0; r < ROUNDS; r++) {
		for (i = 0; i < BATCH; i++)
			if (pthread_create(&th[i], NULL, brief, NULL))
				kt_fail("pthread_create: round %d", r);
		for (i = 0; i < BATCH; i++)
			pthread_join(th[i], NULL);
	}
	atomic_store(&done, 1);
	return NULL;
}

__attribute__((noinline)) static long echo(long a)
{
	return a;
}

static long (*tramp)(long);
static int tfd;

/* Rewrites and calls slot 1 n times; exits the process on a mismatch. */
static void rewrite_calls(unsigned long n)
{
	unsigned long w;

	for (w = 1; w <= n; w++) {
		if (kt_set(tfd, 1, echo, 1, (long)w, 0, 0) != 8 + 32)
			kt_fail("write %lu: %s", w, strerror(errno));
		if (tramp(-1) != (long)w)
			kt_fail("call after write %lu returned %ld", w, tramp(-1));
	}
}

/* The leader's state letter in /proc, or 0. */
static char leader_state(void)
{
	char path[64], buf[256], *p;
	FILE *f;

	snprintf(path, sizeof(path), "/proc/self/task/%d/stat", (int)getpid());
	f = fopen(path, "r");
	if (!f)
		return 0;
	p = fgets(buf, sizeof(buf), f) ? strrchr(buf, ')') : NULL;
	fclose(f);
	return p && p[1] == ' ' ? p[2] : 0;
}

static void *idler(void *arg)
{
	for (;;)
		pause();
	return arg;
}

static void *survivor(void *arg)
{
	pthread_t th;

	/* A second user of the mm, so that a rewrite must look at threads. */
	if (pthread_create(&th, NULL, idler, NULL))
		kt_fail("pthread_create");
	/* The leader has exited for good once it is a zombie. */
	while (leader_state() != 'Z')
		usleep(1000);
	rewrite_calls(200);
	exit(0);
}

/* In a child (kt_child's alarm bounds it): the main thread exits first. */
static void leader(void *arg)
{
	pthread_t th;

	if (pthread_create(&th, NULL, survivor, NULL))
		kt_fail("pthread_create");
	pthread_exit(NULL);
}

int main(void)
{
	struct trampfd_map map;
	long (*f)(long);
	unsigned long w = 0;
	pthread_t sp;
	int fd = kt_create(TRAMPFD_CODE, 2), st;

	if (fd < 0)
		kt_fail("create: %s", strerror(-fd));
	KT_EQ(kt_set(fd, 1, echo, 1, 0, 0, 0), 8 + 32);
	f = kt_addr(kt_map(fd, &map), &map, 1);
	tfd = fd;
	tramp = f;
	st = kt_child(leader, NULL);
	if (st != 1000)
		kt_fail("leader: the child %s %d", st > 1000 ? "exited" : "died of signal",
			st > 1000 ? st - 1000 : st);
	if (pthread_create(&sp, NULL, spawner, NULL))
		kt_fail("pthread_create");
	while (!atomic_load(&done)) {
		w++;
		if (kt_set(fd, 1, echo, 1, (long)w, 0, 0) != 8 + 32)
			kt_fail("write %lu: %s", w, strerror(errno));
		if (f(-1) != (long)w)
			kt_fail("call after write %lu returned %ld", w, f(-1));
	}
	pthread_join(sp, NULL);
	fprintf(stderr, "%d threads exited during %lu rewrites\n", ROUNDS * BATCH, w);
	return 0;
}
