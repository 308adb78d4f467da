// SPDX-License-Identifier: MIT
/*
 * Measurement of the user-code cell: write + call + remove, in 1 then 2
 * threads, one table each.
 */
#include <pthread.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <trampfd.h>

enum { ROUNDS = 20000 };
static __attribute__((noinline)) unsigned long f(unsigned long a) { return a; }

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec * 1e-9;
}

static void *run(void *arg)
{
	struct trampfd_user u = { .flags = TRAMPFD_NOKERNEL | TRAMPFD_CODE, .ntrampolines = 64 };
	struct { struct trampfd_regs h; struct trampfd_reg r[2]; } r;
	struct trampfd_regs none = { 0, 0 };
	struct trampfd_map map;
	int fd = trampfd_create(TRAMPFD_USER, &u, 0);
	unsigned int k, i;
	void *base;

	trampfd_pread(fd, &map, sizeof(map), TRAMPFD_MAP_OFFSET);
	trampfd_mmap(fd, &base);
	memset(&r, 0, sizeof(r));
	r.h.nregs = 2;
	r.r[0].name = TRAMPFD_REG_ARG0;
	r.r[1].name = TRAMPFD_REG_PC;
	r.r[1].value = (unsigned long)f;
	for (k = 0; k < ROUNDS; k++) {
		i = k % 64;
		r.r[0].value = k;
		trampfd_pwrite(fd, &r, sizeof(r), TRAMPFD_OFFSET(i, TRAMPFD_REGS_OFFSET));
		if (((unsigned long (*)(void))trampfd_addr(base, &map, i))() != k)
			puts("bad");
		trampfd_pwrite(fd, &none, sizeof(none), TRAMPFD_OFFSET(i, TRAMPFD_REGS_OFFSET));
	}
	trampfd_close(fd);
	trampfd_munmap(base);
	return NULL;
}

int main(void)
{
	pthread_t th[2];
	double t0 = now();
	int i;

	run(NULL);
	printf("1 thread:  %.0f ns per write + call + remove\n", (now() - t0) / ROUNDS * 1e9);
	t0 = now();
	for (i = 0; i < 2; i++)
		pthread_create(&th[i], NULL, run, NULL);
	for (i = 0; i < 2; i++)
		pthread_join(th[i], NULL);
	printf("2 threads: %.0f ns per write + call + remove (wall / total)\n",
	       (now() - t0) / (2 * ROUNDS) * 1e9);
	return 0;
}
