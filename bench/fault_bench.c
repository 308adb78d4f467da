// SPDX-License-Identifier: MIT
/*
 * User-fault call cost against a plain pointer call and against a raw
 * SIGSEGV round trip (a call into PROT_NONE whose handler only skips the
 * faulting call, i.e. emulates the callee's ret). Rounds alternate between
 * the three so that machine noise hits them alike; medians are reported.
 */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <trampfd.h>
#include "bench.h"

#define ROUNDS 15
#define CALLS 20000

static __attribute__((noinline)) long plain(long x) { return x + 1; }

static void skip_call(int sig, siginfo_t *si, void *ucv)
{
	ucontext_t *uc = ucv;
	greg_t *g = uc->uc_mcontext.gregs;

	g[REG_RIP] = *(greg_t *)g[REG_RSP];
	g[REG_RSP] += 8;
	g[REG_RAX] = g[REG_RDI] + 1;
}

int main(void)
{
	struct trampfd_user u = { .flags = TRAMPFD_NOKERNEL | TRAMPFD_FAULT };
	struct {
		struct trampfd_regs h;
		struct trampfd_reg r[1];
	} ctx = { { 1, 0 }, { { TRAMPFD_REG_PC, 0, (unsigned long)plain } } };
	struct sigaction raw = { .sa_sigaction = skip_call, .sa_flags = SA_SIGINFO | SA_NODEFER };
	struct sigaction lib;
	double tp[ROUNDS], tf[ROUNDS], tr[ROUNDS], r1[ROUNDS], r2[ROUNDS];
	struct trampfd_map map;
	void *base, *none;
	long (*tramp)(long), (*fault)(long);
	int fd, i;

	none = mmap(NULL, 4096, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	fd = trampfd_create(TRAMPFD_USER, &u, 0);
	if (fd < 0 || trampfd_pwrite(fd, &ctx, sizeof(ctx), TRAMPFD_REGS_OFFSET) < 0 ||
	    trampfd_pread(fd, &map, sizeof(map), TRAMPFD_MAP_OFFSET) < 0 ||
	    trampfd_mmap(fd, &base) < 0 || none == MAP_FAILED) {
		fprintf(stderr, "fault_bench: setup failed: %s\n", strerror(fd < 0 ? -fd : EINVAL));
		return 1;
	}
	tramp = (long (*)(long))trampfd_addr(base, &map, 0);
	fault = (long (*)(long))none;
	sigemptyset(&raw.sa_mask);
	sigaction(SIGSEGV, NULL, &lib);
	for (i = 0; i < ROUNDS; i++) {
		tp[i] = bench_per_call(plain, CALLS * 100L);
		tf[i] = bench_per_call(tramp, CALLS);
		sigaction(SIGSEGV, &raw, NULL);
		tr[i] = bench_per_call(fault, CALLS);
		sigaction(SIGSEGV, &lib, NULL);
		r1[i] = tf[i] / tp[i];
		r2[i] = tf[i] / tr[i];
	}
	printf("| user-fault | call | vs plain pointer call | vs raw SIGSEGV round trip (goal <= 1.10x) |\n");
	printf("|---|---|---|---|\n");
	printf("| median of %d rounds | %.0f ns | %.0fx (plain %.2f ns) | %.3fx (raw %.0f ns) |\n",
	       ROUNDS, bench_median(tf, ROUNDS), bench_median(r1, ROUNDS), bench_median(tp, ROUNDS),
	       bench_median(r2, ROUNDS), bench_median(tr, ROUNDS));
	trampfd_close(fd);
	return trampfd_munmap(base) ? 1 : 0;
}
