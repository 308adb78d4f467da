// SPDX-License-Identifier: MIT
/*
 * dlclose of a dlopened libtrampfd.so must not unmap it: trampolines made
 * before keep calling their targets (user-code slots and PC-only entries
 * jump into the library's text; user-fault's SIGSEGV handler is in it),
 * and dlopen(RTLD_NOLOAD) still finds it. The library is $TRAMPFD_SO;
 * the cell is $TRAMPFD_CELL (user-fault or user-code), as for the suite.
 * Exit 0 after "trampfd-test: done", 1 fail, 77 skip.
 */
#include <dlfcn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <trampfd.h>

static __attribute__((noinline)) unsigned long ret_arg0(unsigned long a) { return a; }
static __attribute__((noinline)) unsigned long ret_7(void) { return 7; }

#define FAIL(...) do { fprintf(stderr, __VA_ARGS__); fputc('\n', stderr); exit(1); } while (0)

int main(void)
{
	const char *so = getenv("TRAMPFD_SO"), *cell = getenv("TRAMPFD_CELL");
	struct trampfd_user u = { .flags = TRAMPFD_NOKERNEL, .ntrampolines = 2 };
	struct { struct trampfd_regs h; struct trampfd_reg r[2]; } fast = {
		{ 2, 0 }, { { TRAMPFD_REG_ARG0, 0, 42 }, { TRAMPFD_REG_PC, 0, (unsigned long)ret_arg0 } },
	};
	struct { struct trampfd_regs h; struct trampfd_reg r[1]; } pconly = {
		{ 1, 0 }, { { TRAMPFD_REG_PC, 0, (unsigned long)ret_7 } },
	};
	int (*create)(int, const void *, unsigned int);
	ssize_t (*pwrite_)(int, const void *, size_t, off_t);
	int (*mmap_)(int, void **);
	void *h, *base;
	int fd;

	if (!so)
		FAIL("TRAMPFD_SO names no library");
	if (cell && !strcmp(cell, "user-code"))
		u.flags |= TRAMPFD_CODE;
	else if (cell && !strcmp(cell, "user-fault"))
		u.flags |= TRAMPFD_FAULT;
	else {
		fprintf(stderr, "the user cells only, not %s\n", cell ? cell : "the default");
		return 77;
	}
	h = dlopen(so, RTLD_NOW | RTLD_LOCAL);
	if (!h)
		FAIL("dlopen: %s", dlerror());
	create = (int (*)(int, const void *, unsigned int))dlsym(h, "trampfd_create");
	pwrite_ = (ssize_t (*)(int, const void *, size_t, off_t))dlsym(h, "trampfd_pwrite");
	mmap_ = (int (*)(int, void **))dlsym(h, "trampfd_mmap");
	if (!create || !pwrite_ || !mmap_)
		FAIL("dlsym: %s", dlerror());
	fd = create(TRAMPFD_USER, &u, 0);
	if (fd < 0) {
		fprintf(stderr, "cell cannot run here: %s\n", strerror(-fd));
		return 77;
	}
	if (pwrite_(fd, &fast, sizeof(fast), TRAMPFD_OFFSET(0, TRAMPFD_REGS_OFFSET)) != sizeof(fast) ||
	    pwrite_(fd, &pconly, sizeof(pconly), TRAMPFD_OFFSET(1, TRAMPFD_REGS_OFFSET)) !=
		    sizeof(pconly) || mmap_(fd, &base))
		FAIL("pwrite or mmap failed");
	/* Both calls once while loaded; the stride is the table's. */
	{
		struct trampfd_map map;
		ssize_t (*pread_)(int, void *, size_t, off_t) =
			(ssize_t (*)(int, void *, size_t, off_t))dlsym(h, "trampfd_pread");

		if (!pread_ || pread_(fd, &map, sizeof(map), TRAMPFD_MAP_OFFSET) != sizeof(map))
			FAIL("pread of the map failed");
		if (dlclose(h))
			FAIL("dlclose: %s", dlerror());
		if (!dlopen(so, RTLD_NOW | RTLD_NOLOAD))
			FAIL("dlclose unloaded the library");
		if (((unsigned long (*)(void))((char *)base + map.ioffset))() != 42 ||
		    ((unsigned long (*)(void))((char *)base + map.ioffset + map.stride))() != 7)
			FAIL("a trampoline made before dlclose missed its target");
	}
	printf("trampfd-test: done\n");
	return 0;
}
