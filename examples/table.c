// SPDX-License-Identifier: MIT
/* The README's example: 5,000 trampolines, each with its own context. */
#include <stdint.h>
#include <stdio.h>
#include <trampfd.h>

static long target(long i) { return 1000 + i; }

int main(void)
{
	struct trampfd_user u = { .ntrampolines = 5000 };   /* flags 0: best cell available */
	TRAMPFD_REGS_CTX(2) ctx = { .nregs = 2, .regs = {        /* argument, then target */
		{ .name = TRAMPFD_REG_ARG0 }, { .name = TRAMPFD_REG_PC, .value = (unsigned long)target } } };
	struct trampfd_map map;
	void *base;
	int fd = trampfd_create(TRAMPFD_USER, &u, 0);        /* -> fd, or -errno */

	if (fd < 0)
		return 1;
	for (unsigned i = 0; i < u.ntrampolines; i++) {      /* each its own context */
		ctx.regs[0].value = i;
		if (trampfd_pwrite(fd, &ctx, sizeof(ctx), TRAMPFD_OFFSET(i, TRAMPFD_REGS_OFFSET)) < 0)
			return 1;
	}
	if (trampfd_pread(fd, &map, sizeof(map), TRAMPFD_MAP_OFFSET) < 0 || trampfd_mmap(fd, &base) < 0)
		return 1;
	for (unsigned i = 0; i < u.ntrampolines; i++) {
		long (*fn)(void) = (long (*)(void))(uintptr_t)trampfd_addr(base, &map, i);
		if (fn() != 1000 + i)
			return 1;
	}
	printf("%s-%s: all %u called\n", trampfd_provider(fd), trampfd_mode(fd), u.ntrampolines);
	trampfd_close(fd);          /* the mapping keeps working until ... */
	return trampfd_munmap(base);
}
