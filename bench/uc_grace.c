// SPDX-License-Identifier: MIT
/*
 * Measurement of the user-code cell: rewrites per second of two slots
 * while N threads call them (grace periods); argv: N, then 1 for the
 * general path.
 */
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <trampfd.h>

static void *base;
static struct trampfd_map map;
static atomic_int stop;
static atomic_ulong calls;
static int mode;

static __attribute__((noinline)) unsigned long f(unsigned long a) { return a; }

static void *caller(void *arg)
{
	unsigned long n = 0;

	while (!atomic_load(&stop)) {
		((unsigned long (*)(void))trampfd_addr(base, &map, n & 1))();
		n++;
	}
	atomic_fetch_add(&calls, n);
	return NULL;
}

static int setreg(int fd, unsigned int i, unsigned long v)
{
	struct { struct trampfd_regs h; struct trampfd_reg r[3]; } r;

	memset(&r, 0, sizeof(r));
	r.h.nregs = mode ? 3 : 2;
	r.r[0].name = TRAMPFD_REG_ARG0;
	r.r[0].value = v;
	r.r[1].name = TRAMPFD_REG_PC;
	r.r[1].value = (unsigned long)f;
	r.r[2].name = TRAMPFD_REG_ARG1;	/* mode 1: two registers, the general loader */
	r.r[2].value = v;
	return trampfd_pwrite(fd, &r, sizeof(r.h) + r.h.nregs * sizeof(r.r[0]),
			      TRAMPFD_OFFSET(i, TRAMPFD_REGS_OFFSET));
}

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec * 1e-9;
}

int main(int argc, char **argv)
{
	struct trampfd_user u = { .flags = TRAMPFD_CODE | TRAMPFD_NOKERNEL, .ntrampolines = 2 };
	int nth = argc > 1 ? atoi(argv[1]) : 1, fd, i, w;
	pthread_t th[16];
	double t0;

	mode = argc > 2 ? atoi(argv[2]) : 0;
	fd = trampfd_create(TRAMPFD_USER, &u, 0);
	if (fd < 0 || trampfd_pread(fd, &map, sizeof(map), TRAMPFD_MAP_OFFSET) < 0 ||
	    trampfd_mmap(fd, &base))
		return 1;
	setreg(fd, 0, 1);
	setreg(fd, 1, 2);
	for (i = 0; i < nth; i++)
		pthread_create(&th[i], NULL, caller, NULL);
	t0 = now();
	for (w = 0; now() - t0 < 1.0; w++)
		if (setreg(fd, w & 1, w) < 0)
			return 2;
	atomic_store(&stop, 1);
	for (i = 0; i < nth; i++)
		pthread_join(th[i], NULL);
	printf("%d callers: %d writes/s, %lu calls\n", nth, w, (unsigned long)calls);
	return 0;
}
