// SPDX-License-Identifier: MIT
/*
 * vm_bench: call cost of each cell, measured in one guest as ratios
 * (issue 4 item 7): kernel-fault vs user-fault (goal <= 0.5x) and
 * kernel-code vs a plain function pointer (goal <= 1.5x).
 */
#include <stdint.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <trampfd.h>

typedef long (*fn1)(long);

__attribute__((noinline)) long vm_bench_target(long x);
__attribute__((noinline)) long vm_bench_target(long x)
{
	__asm__ volatile("");
	return x + 1;
}
#define target vm_bench_target

/*
 * The instructions a kernel-code trampoline runs, assembled here (never
 * written at run time), to show what the cell costs on a CPU that is not
 * emulated: entry "jmp *ptr(%rip)", body "movabs $v, %rdi; jmp *pc(%rip)".
 */
long vm_bench_model(long x);
__asm__(".text\n.globl vm_bench_model\nvm_bench_model:\n"
	"\tjmp *vm_bench_ptr(%rip)\n"
	"vm_bench_body:\n\tmovabs $41, %rdi\n\tjmp *vm_bench_pc(%rip)\n"
	".section .data.rel.ro,\"aw\"\n.balign 8\n"
	"vm_bench_ptr: .quad vm_bench_body\nvm_bench_pc: .quad vm_bench_target\n"
	".text\n");

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e9 + ts.tv_nsec;
}

/* One run of n calls, in ns per call. */
static double time_calls(fn1 f, long n)
{
	double t0 = now();
	long i, acc = 0;

	for (i = 0; i < n; i++)
		acc += f(i);
	t0 = (now() - t0) / n;
	if (acc == 42)
		puts("");
	return t0;
}

/* Returns a callable trampoline of the forced cell, or NULL. */
static fn1 make(unsigned int flags, const char **why)
{
	struct trampfd_user u = { .flags = flags, .ntrampolines = 1 };
	struct {
		struct trampfd_regs h;
		struct trampfd_reg r[1];
	} regs = { { 1, 0 }, { { TRAMPFD_REG_PC, 0, (uintptr_t)target } } };
	struct trampfd_map map;
	void *base;
	int fd, r;

	fd = trampfd_create(TRAMPFD_USER, &u, 0);
	if (fd < 0) {
		*why = strerror(-fd);
		return NULL;
	}
	r = trampfd_pwrite(fd, &regs, sizeof(regs), TRAMPFD_REGS_OFFSET);
	if (r >= 0)
		r = trampfd_pread(fd, &map, sizeof(map), TRAMPFD_MAP_OFFSET);
	if (r >= 0)
		r = trampfd_mmap(fd, &base);
	if (r < 0) {
		*why = strerror(-r);
		return NULL;
	}
	return (fn1)trampfd_addr(base, &map, 0);
}

#define ROUNDS 7

/* One ratio line; a cell that could not run has none. */
static void ratio(const char *what, bool have, double r, const char *goal)
{
	if (have)
		printf("ratio %s = %6.3f%s\n", what, r, goal);
	else
		printf("ratio %s =    n/a%s\n", what, goal);
}

int main(void)
{
	static const struct {
		const char *name;
		unsigned int flags;
		long n;
	} cells[] = {
		{ "kernel-fault", TRAMPFD_KERNEL | TRAMPFD_FAULT, 3000 },
		{ "user-fault", TRAMPFD_NOKERNEL | TRAMPFD_FAULT, 3000 },
		{ "kernel-code", TRAMPFD_KERNEL | TRAMPFD_CODE, 3000000 },
		{ "user-code", TRAMPFD_NOKERNEL | TRAMPFD_CODE, 3000000 },
	};
	double ns[4], plain = 1e30, model = 1e30, t;
	const char *why[4] = { 0 };
	fn1 f[4];
	unsigned int i, r;

	/* Rounds interleave the cells, and each keeps its best: the host is
	 * noisy, and a ratio of two bests taken side by side is stable. */
	for (i = 0; i < 4; i++) {
		ns[i] = 1e30;
		f[i] = make(cells[i].flags, &why[i]);
		if (f[i] && f[i](41) != 42) {
			why[i] = "wrong result";
			f[i] = NULL;
		}
	}
	for (r = 0; r < ROUNDS; r++) {
		t = time_calls(target, 3000000);
		plain = t < plain ? t : plain;
		t = time_calls(vm_bench_model, 3000000);
		model = t < model ? t : model;
		for (i = 0; i < 4; i++) {
			if (!f[i])
				continue;
			t = time_calls(f[i], cells[i].n);
			ns[i] = t < ns[i] ? t : ns[i];
		}
	}
	printf("%-14s %12s   (best of %d interleaved rounds)\n", "cell", "ns/call", ROUNDS);
	printf("%-14s %12.2f\n", "plain-pointer", plain);
	printf("%-14s %12.2f  (kernel-code's instructions, assembled in)\n",
	       "code-model", model);
	for (i = 0; i < 4; i++) {
		if (f[i])
			printf("%-14s %12.2f\n", cells[i].name, ns[i]);
		else
			printf("%-14s %12s  (%s)\n", cells[i].name, "n/a", why[i]);
	}
	putchar('\n');
	ratio("kernel-fault / user-fault  ", f[0] && f[1], ns[0] / ns[1], "  (goal <= 0.5)");
	ratio("kernel-code / plain pointer", f[2] != NULL, ns[2] / plain, "  (goal <= 1.5)");
	ratio("user-code / plain pointer  ", f[3] != NULL, ns[3] / plain, "");
	printf("ratio code-model / plain pointer  = %6.3f  (same instructions as kernel-code)\n",
	       model / plain);
	return 0;
}
