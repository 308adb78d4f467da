// SPDX-License-Identifier: MIT
/*
 * Measurement of the user-code cell: call cost of each bank kind next to
 * a plain function pointer, and the cost of a trampoline's life (write,
 * first call, removal) and of a whole table's. Single-threaded.
 */
#include <stdio.h>
#include <string.h>
#include <stdlib.h>
#include <time.h>
#include <trampfd.h>

typedef unsigned long (*fn)(unsigned long);
static __attribute__((noinline)) unsigned long f(unsigned long a) { return a + 1; }
static fn volatile plain = f;

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec * 1e-9;
}

struct ctx {
	struct trampfd_regs h;
	struct trampfd_reg r[4];
};

static long set(int fd, unsigned int i, unsigned int n, const unsigned int *names,
		const unsigned long *vals)
{
	struct ctx c;
	unsigned int k;

	memset(&c, 0, sizeof(c));
	c.h.nregs = n;
	for (k = 0; k < n; k++) {
		c.r[k].name = names[k];
		c.r[k].value = vals[k];
	}
	return trampfd_pwrite(fd, &c, sizeof(c.h) + n * sizeof(c.r[0]),
			      TRAMPFD_OFFSET(i, TRAMPFD_REGS_OFFSET));
}

static double loop(fn p, long n)
{
	double t0 = now();
	unsigned long s = 0;
	long k;

	for (k = 0; k < n; k++)
		s += ((fn volatile)p)(k);
	if (s == 42)
		puts("");
	return (now() - t0) / n * 1e9;
}

int main(int argc, char **argv)
{
	struct trampfd_user u = { .flags = TRAMPFD_NOKERNEL | TRAMPFD_CODE, .ntrampolines = 8 };
	struct { struct trampfd_stack h; unsigned long d[1]; } st = { { 0, 0, 8, 0 }, { 7 } };
	long n = argc > 1 ? atol(argv[1]) : 50000000;
	unsigned int fw = argc > 2 ? TRAMPFD_FASTWRITE : 0;
	struct trampfd_map map;
	unsigned int k, i, rounds = 20000;
	void *base;
	double t0, tp;
	int fd;


	u.flags |= fw;
	fd = trampfd_create(TRAMPFD_USER, &u, 0);
	if (fd < 0 || trampfd_pread(fd, &map, sizeof(map), TRAMPFD_MAP_OFFSET) < 0 ||
	    trampfd_mmap(fd, &base))
		return 1;
	/* Slot 0: {rdi, rip} fast; 1: {rip} PC-only; 2: {rdi, rsi, rip} general; 3: + stack. */
	set(fd, 0, 2, (unsigned int[]){ TRAMPFD_REG_ARG0, TRAMPFD_REG_PC }, (unsigned long[]){ 1, (unsigned long)f });
	set(fd, 1, 1, (unsigned int[]){ TRAMPFD_REG_PC }, (unsigned long[]){ (unsigned long)f });
	set(fd, 2, 3, (unsigned int[]){ TRAMPFD_REG_ARG0, TRAMPFD_REG_ARG1, TRAMPFD_REG_PC },
	    (unsigned long[]){ 2, 3, (unsigned long)f });
	set(fd, 3, 2, (unsigned int[]){ TRAMPFD_REG_ARG0, TRAMPFD_REG_PC }, (unsigned long[]){ 4, (unsigned long)f });
	trampfd_pwrite(fd, &st, sizeof(st), TRAMPFD_OFFSET(3, TRAMPFD_STACK_OFFSET));
	tp = loop(f, n);
	printf("plain pointer      %6.2f ns/call\n", tp);
	for (k = 0; k < 4; k++) {
		static const char *what[] = { "fast {rdi,rip}", "PC only {rip}",
					      "general {rdi,rsi,rip}", "general + 8B stack" };
		double t = loop((fn)trampfd_addr(base, &map, k), n);

		printf("%-18s %6.2f ns/call (%.2fx)\n", what[k], t, t / tp);
	}
	/* A trampoline's life in a table: write, first call, remove. */
	t0 = now();
	for (k = 0; k < rounds; k++) {
		i = 4 + k % 4;
		set(fd, i, 2, (unsigned int[]){ TRAMPFD_REG_ARG0, TRAMPFD_REG_PC },
		    (unsigned long[]){ k, (unsigned long)f });
		((fn)trampfd_addr(base, &map, i))(0);
		set(fd, i, 0, NULL, NULL);
	}
	printf("write + call + remove: %.0f ns\n", (now() - t0) / rounds * 1e9);
	/* A whole table's life. */
	t0 = now();
	for (k = 0; k < rounds / 10; k++) {
		struct trampfd_user u1 = { .flags = TRAMPFD_NOKERNEL | TRAMPFD_CODE | fw, .ntrampolines = 1 };
		int f1 = trampfd_create(TRAMPFD_USER, &u1, 0);
		void *b1;

		trampfd_mmap(f1, &b1);
		set(f1, 0, 2, (unsigned int[]){ TRAMPFD_REG_ARG0, TRAMPFD_REG_PC }, (unsigned long[]){ k, (unsigned long)f });
		((fn)b1)(0);
		trampfd_close(f1);
		trampfd_munmap(b1);
	}
	printf("table create + mmap + write + call + unmap + close: %.0f ns\n",
	       (now() - t0) / (rounds / 10) * 1e9);
	return 0;
}
