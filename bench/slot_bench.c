// SPDX-License-Identifier: MIT
/*
 * A trampoline against a plain call, as ratios measured in one run: the
 * fast slot (first argument + PC), a PC-only slot, the general loader
 * (two registers + PC) and, for scale, user-fault. Built for x86_64 and
 * aarch64; under qemu-user only the ratios mean anything (every indirect
 * branch leaves the translated block, which emulation prices its own way).
 * Usage: slot_bench [-r] [rounds]   (-r: ratios only, for emulated runs)
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <trampfd.h>
#include "bench.h"


#define CALLS 200000L

static __attribute__((noinline)) long plain(long x) { return x + 1; }
static __attribute__((noinline)) long target(long x) { return x + 1; }

struct row {
	const char *name;
	unsigned int flags, nregs;
	bench_fn fn;
	double ns[64];
};

static bench_fn make(unsigned int flags, unsigned int nregs)
{
	struct trampfd_user u = { .flags = flags, .ntrampolines = 1 };
	struct {
		struct trampfd_regs h;
		struct trampfd_reg r[3];
	} c = { { nregs, 0 }, { { TRAMPFD_REG_PC, 0, (unsigned long)target }, { TRAMPFD_REG_ARG0, 0, 41 },
				{ TRAMPFD_REG_ARG1, 0, 7 } } };
	struct trampfd_map map;
	void *base;
	int fd = trampfd_create(TRAMPFD_USER, &u, 0);

	if (fd < 0 || trampfd_pread(fd, &map, sizeof(map), TRAMPFD_MAP_OFFSET) < 0 ||
	    trampfd_pwrite(fd, &c, sizeof(c.h) + nregs * sizeof(c.r[0]), TRAMPFD_REGS_OFFSET) < 0 ||
	    trampfd_mmap(fd, &base) < 0)
		return NULL;
	return (bench_fn)trampfd_addr(base, &map, 0);
}

int main(int argc, char **argv)
{
	struct row rows[] = {
		{ "plain call", 0, 0, plain, { 0 } },
		{ "user-code fast slot (arg0 + PC)", TRAMPFD_NOKERNEL | TRAMPFD_CODE, 2, NULL, { 0 } },
		{ "user-code PC only", TRAMPFD_NOKERNEL | TRAMPFD_CODE, 1, NULL, { 0 } },
		{ "user-code general (arg0, arg1 + PC)", TRAMPFD_NOKERNEL | TRAMPFD_CODE, 3, NULL, { 0 } },
		{ "user-fault (arg0 + PC)", TRAMPFD_NOKERNEL | TRAMPFD_FAULT, 2, NULL, { 0 } },
	};
	const unsigned int nrows = sizeof(rows) / sizeof(rows[0]);
	int ratios = argc > 1 && !strcmp(argv[1], "-r"), r;
	int rounds = argc > 1 + ratios ? atoi(argv[1 + ratios]) : 9;
	unsigned int k;

	if (rounds < 1 || rounds > 64)
		rounds = 9;
	for (k = 1; k < nrows; k++) {
		rows[k].fn = make(rows[k].flags, rows[k].nregs);
		if (!rows[k].fn || rows[k].fn(0) != (rows[k].nregs == 1 ? 1 : 42)) {
			fprintf(stderr, "%s: trampoline failed\n", rows[k].name);
			return 1;
		}
	}
	/* Rounds interleave the rows; user-fault costs a signal: fewer calls. */
	for (r = 0; r < rounds; r++)
		for (k = 0; k < nrows; k++)
			rows[k].ns[r] = bench_per_call(rows[k].fn, k == nrows - 1 ? CALLS / 100 : CALLS);
	printf(ratios ? "| mechanism | x plain call |\n|---|---|\n"
		      : "| mechanism | x plain call | median ns |\n|---|---|---|\n");
	for (k = 0; k < nrows; k++) {
		double m = bench_median(rows[k].ns, rounds);

		printf("| %s | %.2f |", rows[k].name, m / bench_median(rows[0].ns, rounds));
		printf(ratios ? "\n" : " %.1f |\n", m);
	}
	return 0;
}
