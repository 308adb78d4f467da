// SPDX-License-Identifier: MIT
/*
 * Unit test: calls racing rewrites of the same slot, alternating a fast
 * bank {rdi, rip}, a PC-only bank {rip} and a general one {rdi, rsi, rip};
 * every call must see one whole context. Exit 0 pass, 1 fail.
 */
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <trampfd.h>

#define A 0xaaaa0000aaaa0000UL
#define B 0xbbbb0000bbbb0000UL
#define C 0xcccc0000cccc0000UL
static void *base;
static atomic_int stop;
static atomic_ulong calls, bad, seen[3];

static __attribute__((noinline)) unsigned long fa(unsigned long rdi, unsigned long rsi)
{
	if (rdi != A)
		atomic_fetch_add(&bad, 1);
	atomic_fetch_add(&seen[0], 1);
	return 0;
}

static __attribute__((noinline)) unsigned long fb(unsigned long rdi, unsigned long rsi)
{
	if (rdi != 7 || rsi != 9)	/* the caller's own arguments */
		atomic_fetch_add(&bad, 1);
	atomic_fetch_add(&seen[1], 1);
	return 0;
}

static __attribute__((noinline)) unsigned long fc(unsigned long rdi, unsigned long rsi)
{
	if (rdi != C || rsi != ~C)
		atomic_fetch_add(&bad, 1);
	atomic_fetch_add(&seen[2], 1);
	return 0;
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
	struct { struct trampfd_regs h; struct trampfd_reg r[3]; } r;
	unsigned int n = 0;

	memset(&r, 0, sizeof(r));
	if (k == 0) {
		r.r[n++] = (struct trampfd_reg){ x64_rdi, 0, A };
		r.r[n++] = (struct trampfd_reg){ x64_rip, 0, (unsigned long)fa };
	} else if (k == 1) {
		r.r[n++] = (struct trampfd_reg){ x64_rip, 0, (unsigned long)fb };
	} else {
		r.r[n++] = (struct trampfd_reg){ x64_rsi, 0, ~C };
		r.r[n++] = (struct trampfd_reg){ x64_rip, 0, (unsigned long)fc };
		r.r[n++] = (struct trampfd_reg){ x64_rdi, 0, C };
	}
	r.h.nregs = n;
	if (trampfd_pwrite(fd, &r, sizeof(r.h) + n * sizeof(r.r[0]), TRAMPFD_REGS_OFFSET) < 0)
		atomic_fetch_add(&bad, 1);
}

int main(void)
{
	struct trampfd_user u = { .flags = TRAMPFD_NOKERNEL | TRAMPFD_CODE, .ntrampolines = 1 };
	struct timespec t0, t1;
	pthread_t th[2];
	unsigned long w = 0;
	int fd = trampfd_create(TRAMPFD_USER, &u, 0), i;

	if (fd < 0 || trampfd_mmap(fd, &base))
		return 1;
	put(fd, 0);
	for (i = 0; i < 2; i++)
		pthread_create(&th[i], NULL, caller, NULL);
	clock_gettime(CLOCK_MONOTONIC, &t0);
	do {
		put(fd, w++ % 3);
		clock_gettime(CLOCK_MONOTONIC, &t1);
	} while (t1.tv_sec - t0.tv_sec < 2);
	atomic_store(&stop, 1);
	for (i = 0; i < 2; i++)
		pthread_join(th[i], NULL);
	printf("%lu writes, %lu calls (fast %lu, pc-only %lu, general %lu), %lu bad\n", w,
	       (unsigned long)calls, (unsigned long)seen[0], (unsigned long)seen[1],
	       (unsigned long)seen[2], (unsigned long)bad);
	return bad || !seen[0] || !seen[1] || !seen[2];
}
