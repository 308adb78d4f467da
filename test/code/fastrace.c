// SPDX-License-Identifier: MIT
/*
 * Unit test, bounded stress: calls racing rewrites of the same slot,
 * alternating a fast bank {arg0, pc}, a PC-only bank {pc} and a general
 * one {arg1, pc, arg0}; every call must see one whole context, and the
 * writer calls the slot itself after each write, so each kind of bank is
 * called. The callers get a slow SIGUSR1 now and then, so grace periods
 * also meet calls stopped under another handler. It runs argv[1] seconds
 * (default 3) whatever happens: whether a grace signal happened to stop a
 * call inside a window is printed, not required (windows.c puts a call in
 * each window deterministically). argv[2] "no-vm-rw": first refuse
 * process_vm_readv/writev with EPERM (seccomp), as some container policies
 * do and as qemu-user lacks them, so that the outer frames are reached
 * through the library's fallback. Exit 0 after "trampfd-test: done", 1 fail.
 */
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <trampfd.h>

/* uc_finished: hidden in the library; this test links the static one. */
#include "user-code/code.h"
#include "code_test.h"

static void *base;
static atomic_int stop;
static atomic_ulong calls, bad, seen[3];

static __attribute__((noinline)) unsigned long fa(unsigned long a0, unsigned long a1)
{
	if (a0 != CT_A)
		atomic_fetch_add(&bad, 1);
	atomic_fetch_add(&seen[0], 1);
	return 0;
}

static __attribute__((noinline)) unsigned long fb(unsigned long a0, unsigned long a1)
{
	if (a0 != 7 || a1 != 9)	/* the caller's own arguments */
		atomic_fetch_add(&bad, 1);
	atomic_fetch_add(&seen[1], 1);
	return 0;
}

static __attribute__((noinline)) unsigned long fc(unsigned long a0, unsigned long a1)
{
	if (a0 != CT_C || a1 != ~CT_C)
		atomic_fetch_add(&bad, 1);
	atomic_fetch_add(&seen[2], 1);
	return 0;
}

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec * 1e-9;
}

/* Long enough for a rewrite's grace period to arrive inside it. */
static void slow(int sig)
{
	double t = now();

	while (now() - t < 0.002)
		;
}

static void *caller(void *arg)
{
	unsigned long n = 0;

	while (!atomic_load(&stop)) {
		((unsigned long (*)(unsigned long, unsigned long))base)(7, 9);
		n++;
	}
	atomic_fetch_add(&calls, n);
	return NULL;
}

static void put(int fd, unsigned int k)
{
	void *const f[3] = { (void *)fa, (void *)fb, (void *)fc };

	if (ct_put(fd, k, f) < 0)
		atomic_fetch_add(&bad, 1);
}

int main(int argc, char **argv)
{
	struct trampfd_user u = { .flags = TRAMPFD_NOKERNEL | TRAMPFD_CODE, .ntrampolines = 1 };
	double t0 = now(), limit = argc > 1 ? atof(argv[1]) : 3, t;
	pthread_t th[2];
	unsigned long w = 0;
	int fd, i;
	struct sigaction sa = { .sa_handler = slow, .sa_flags = SA_RESTART };

	if (argc > 2 && !strcmp(argv[2], "no-vm-rw") && t_no_vm_rw()) {
		printf("FAIL: seccomp: %s\n", strerror(errno));
		return 1;
	}
	fd = trampfd_create(TRAMPFD_USER, &u, 0);
	if (fd < 0 || trampfd_mmap(fd, &base)) {
		printf("FAIL: no user-code trampoline: %s\n", strerror(fd < 0 ? -fd : errno));
		return 1;
	}
	put(fd, 0);
	sigaction(SIGUSR1, &sa, NULL);
	for (i = 0; i < 2; i++)
		pthread_create(&th[i], NULL, caller, NULL);
	do {
		put(fd, w++ % 3);
		((unsigned long (*)(unsigned long, unsigned long))base)(7, 9);
		if (w % 8 == 0)
			pthread_kill(th[w / 8 % 2], SIGUSR1);
		t = now() - t0;
	} while (t < limit);
	atomic_store(&stop, 1);
	for (i = 0; i < 2; i++)
		pthread_join(th[i], NULL);
	printf("%.1f s: %lu writes, %lu calls (fast %lu, pc-only %lu, general %lu), %lu bad; "
	       "finished %lu in a slot, %lu in the loader, %lu in an outer frame\n", t, w,
	       (unsigned long)calls, (unsigned long)seen[0], (unsigned long)seen[1],
	       (unsigned long)seen[2], (unsigned long)bad, (unsigned long)uc_finished[UC_FIN_SLOT],
	       (unsigned long)uc_finished[UC_FIN_LOADER], (unsigned long)uc_finished[UC_FIN_OUTER]);
	if (bad || !seen[0] || !seen[1] || !seen[2]) {
		printf("FAIL: a call saw a torn context, or a kind of bank was never called\n");
		return 1;
	}
	printf(CT_DONE "\n");
	return 0;
}
