// SPDX-License-Identifier: MIT
/*
 * Unit test: pread returns exactly what was written for every way a
 * context is kept (fast in either order, PC only, general, with stack,
 * stack after regs, regs removed under a stack), and calls still work.
 * Every write must succeed. Exit 0 after "trampfd-test: done", 1 fail.
 */
#include <stdio.h>
#include <string.h>
#include <trampfd.h>
#include "code_test.h"

static __attribute__((noinline)) unsigned long f(unsigned long a) { return a + 1; }

struct ctx {
	struct trampfd_regs h;
	struct trampfd_reg r[3];
};

/* Writes len bytes at ctx of slot i; 1 (and says so) unless all were taken. */
static int put(int fd, unsigned int i, const void *buf, size_t len, unsigned int ctx)
{
	long n = trampfd_pwrite(fd, buf, len, TRAMPFD_OFFSET(i, ctx));

	if (n != (long)len) {
		printf("slot %u ctx %#x: pwrite %ld, want %zu\n", i, ctx, n, len);
		return 1;
	}
	return 0;
}

static int check(int fd, unsigned int i, const void *want, size_t len, unsigned int ctx)
{
	unsigned char got[1024];
	long n = trampfd_pread(fd, got, sizeof(got), TRAMPFD_OFFSET(i, ctx));

	if (n != (long)len || memcmp(got, want, len)) {
		printf("slot %u ctx %#x: pread %ld, want %zu\n", i, ctx, n, len);
		return 1;
	}
	return 0;
}

int main(void)
{
	struct trampfd_user u = { .flags = TRAMPFD_NOKERNEL | TRAMPFD_CODE, .ntrampolines = 8 };
	struct { struct trampfd_stack h; unsigned long d[2]; } st = { { 0, 8, 16, 0 }, { 1, 2 } };
	struct trampfd_stack nost = { 0, 0, 0, 0 };
	struct trampfd_regs none = { 0, 0 };
	struct ctx c[4] = {
		{ { 2, 0 }, { { TRAMPFD_REG_ARG0, 0, 5 }, { TRAMPFD_REG_PC, 0, (unsigned long)f } } },
		{ { 2, 0 }, { { TRAMPFD_REG_PC, 0, (unsigned long)f }, { TRAMPFD_REG_ARG0, 0, 6 } } },
		{ { 1, 0 }, { { TRAMPFD_REG_PC, 0, (unsigned long)f } } },
		{ { 3, 0 }, { { TRAMPFD_REG_ARG1, 0, 1 }, { TRAMPFD_REG_PC, 0, (unsigned long)f }, { TRAMPFD_REG_ARG0, 0, 7 } } },
	};
	int fd = trampfd_create(TRAMPFD_USER, &u, 0), bad = 0;
	unsigned int k;
	struct trampfd_map map;
	void *base;

	if (fd < 0 || trampfd_pread(fd, &map, sizeof(map), TRAMPFD_MAP_OFFSET) < 0 ||
	    trampfd_mmap(fd, &base)) {
		printf("forms: FAIL: no user-code trampolines (%d)\n", fd);
		return 1;
	}
	for (k = 0; k < 4; k++) {
		size_t len = sizeof(c[k].h) + c[k].h.nregs * sizeof(c[k].r[0]);

		bad |= put(fd, k, &c[k], len, TRAMPFD_REGS_OFFSET);
		bad |= check(fd, k, &c[k], len, TRAMPFD_REGS_OFFSET);
		bad |= check(fd, k, &nost, sizeof(nost), TRAMPFD_STACK_OFFSET);
		/* Add a stack context: now general; both read back. */
		bad |= put(fd, k, &st, sizeof(st), TRAMPFD_STACK_OFFSET);
		bad |= check(fd, k, &c[k], len, TRAMPFD_REGS_OFFSET);
		bad |= check(fd, k, &st, sizeof(st), TRAMPFD_STACK_OFFSET);
		if (k != 2 && ((unsigned long (*)(unsigned long))trampfd_addr(base, &map, k))(0) != c[k].r[k == 1 ? 1 : k == 3 ? 2 : 0].value + 1)
			bad |= 1, printf("slot %u: call\n", k);
		/* Remove the stack again: back to the form. */
		bad |= put(fd, k, &nost, sizeof(nost), TRAMPFD_STACK_OFFSET);
		bad |= check(fd, k, &c[k], len, TRAMPFD_REGS_OFFSET);
		/* Remove the registers under a stack context. */
		bad |= put(fd, k, &st, sizeof(st), TRAMPFD_STACK_OFFSET);
		bad |= put(fd, k, &none, sizeof(none), TRAMPFD_REGS_OFFSET);
		bad |= check(fd, k, &none, sizeof(none), TRAMPFD_REGS_OFFSET);
		bad |= check(fd, k, &st, sizeof(st), TRAMPFD_STACK_OFFSET);
	}
	printf("forms: %s\n", bad ? "FAIL" : "ok");
	if (!bad)
		printf(CT_DONE "\n");
	return bad;
}
