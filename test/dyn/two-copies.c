// SPDX-License-Identifier: MIT
/*
 * Two copies of the library in one process: this program links the
 * static one and dlopens $TRAMPFD_SO. Each copy's fault-mode tables keep
 * working and both keep creating them (the second copy's SIGSEGV handler
 * chains to the first's, which the first trusts: no -EBUSY). The user
 * fault cell only: other cells use no handler (SKIP).
 * Exit 0 after "trampfd-test: done", 1 fail, 77 skip.
 */
#include <dlfcn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <trampfd.h>

static __attribute__((noinline)) unsigned long ret_arg0(unsigned long a) { return a; }

#define FAIL(...) do { fprintf(stderr, __VA_ARGS__); fputc('\n', stderr); exit(1); } while (0)

struct api {
	int (*create)(int, const void *, unsigned int);
	ssize_t (*pwrite)(int, const void *, size_t, off_t);
	ssize_t (*pread)(int, void *, size_t, off_t);
	int (*mmap)(int, void **);
};

/* A fault-mode table of one trampoline returning v, through copy a. */
static unsigned long (*table(const struct api *a, unsigned long v, const char *who))(void)
{
	struct trampfd_user u = { .flags = TRAMPFD_NOKERNEL | TRAMPFD_FAULT, .ntrampolines = 1 };
	struct { struct trampfd_regs h; struct trampfd_reg r[2]; } c = {
		{ 2, 0 }, { { TRAMPFD_REG_ARG0, 0, v }, { TRAMPFD_REG_PC, 0, (unsigned long)ret_arg0 } },
	};
	struct trampfd_map map;
	void *base;
	int fd = a->create(TRAMPFD_USER, &u, 0);

	if (fd < 0)
		FAIL("%s copy: trampfd_create: %s", who, strerror(-fd));
	if (a->pwrite(fd, &c, sizeof(c), TRAMPFD_REGS_OFFSET) != sizeof(c) ||
	    a->pread(fd, &map, sizeof(map), TRAMPFD_MAP_OFFSET) != sizeof(map) || a->mmap(fd, &base))
		FAIL("%s copy: pwrite, pread or mmap failed", who);
	return (unsigned long (*)(void))((char *)base + map.ioffset);
}

int main(void)
{
	const char *so = getenv("TRAMPFD_SO"), *cell = getenv("TRAMPFD_CELL");
	struct api st = { trampfd_create, trampfd_pwrite, trampfd_pread, trampfd_mmap }, dy;
	unsigned long (*a)(void), (*b)(void), (*c)(void);
	void *h;

	if (!cell || strcmp(cell, "user-fault")) {
		fprintf(stderr, "only the user fault cell has a SIGSEGV handler\n");
		return 77;
	}
	if (!so)
		FAIL("TRAMPFD_SO names no library");
	h = dlopen(so, RTLD_NOW | RTLD_LOCAL);
	if (!h)
		FAIL("dlopen: %s", dlerror());
	dy.create = (int (*)(int, const void *, unsigned int))dlsym(h, "trampfd_create");
	dy.pwrite = (ssize_t (*)(int, const void *, size_t, off_t))dlsym(h, "trampfd_pwrite");
	dy.pread = (ssize_t (*)(int, void *, size_t, off_t))dlsym(h, "trampfd_pread");
	dy.mmap = (int (*)(int, void **))dlsym(h, "trampfd_mmap");
	if (!dy.create || !dy.pwrite || !dy.pread || !dy.mmap || dy.create == trampfd_create)
		FAIL("dlsym did not find the dlopened copy");
	a = table(&st, 1, "static");
	b = table(&dy, 2, "dlopened");
	c = table(&st, 3, "static, after the dlopened one's handler");
	if (a() != 1 || b() != 2 || c() != 3)
		FAIL("a call missed its context");
	printf("trampfd-test: done\n");
	return 0;
}
