// SPDX-License-Identifier: MIT
/*
 * A package upgrade while the program runs: a new libtrampfd.so is written
 * and renamed over the one the program loaded. User-code mappings are
 * made from the file actually loaded, so mapping an existing table again,
 * new user-code tables and the default cell's choice are all unchanged.
 * Runs a copy of $TRAMPFD_SO in a directory of its own under $TMPDIR,
 * removed at the end. Exit 0 after "trampfd-test: done", 1 fail, 77 skip.
 */
#include <dlfcn.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <trampfd.h>

static __attribute__((noinline)) unsigned long ret_arg0(unsigned long a) { return a; }

#define FAIL(...) do { fprintf(stderr, __VA_ARGS__); fputc('\n', stderr); goto out; } while (0)

static int copy(const char *from, const char *to, int change)
{
	char buf[65536];
	int in = open(from, O_RDONLY), o = open(to, O_WRONLY | O_CREAT | O_TRUNC, 0755);
	ssize_t n;
	int ok = in >= 0 && o >= 0;

	while (ok && (n = read(in, buf, sizeof(buf))) > 0) {
		if (change)	/* a different build: every byte differs */
			for (ssize_t k = 0; k < n; k++)
				buf[k] ^= 0x5a;
		ok = write(o, buf, n) == n;
	}
	if (in >= 0)
		close(in);
	if (o >= 0)
		close(o);
	return ok ? 0 : -1;
}

int main(void)
{
	const char *so = getenv("TRAMPFD_SO"), *cell = getenv("TRAMPFD_CELL");
	const char *tmp = getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp";
	char dir[4096], lib[4200], next[4200];
	struct trampfd_user u = { .flags = TRAMPFD_NOKERNEL | TRAMPFD_CODE, .ntrampolines = 1 };
	struct { struct trampfd_regs h; struct trampfd_reg r[2]; } c = {
		{ 2, 0 }, { { TRAMPFD_REG_ARG0, 0, 42 }, { TRAMPFD_REG_PC, 0, (unsigned long)ret_arg0 } },
	};
	int (*create)(int, const void *, unsigned int);
	ssize_t (*pwrite_)(int, const void *, size_t, off_t);
	int (*mmap_)(int, void **);
	const char *(*mode)(int);
	void *h, *base, *base2;
	int fd, fd2, rc = 1;

	if (!cell || strcmp(cell, "user-code")) {
		fprintf(stderr, "the user code cell maps the library's file; not %s\n",
			cell ? cell : "the default");
		return 77;
	}
	snprintf(dir, sizeof(dir), "%s/trampfd-upgrade.XXXXXX", tmp);
	if (!so || !mkdtemp(dir)) {
		fprintf(stderr, "no library or no directory under %s\n", tmp);
		return 1;
	}
	snprintf(lib, sizeof(lib), "%s/libtrampfd.so.0", dir);
	snprintf(next, sizeof(next), "%s/libtrampfd.so.0.new", dir);
	if (copy(so, lib, 0))
		FAIL("copy of %s failed", so);
	h = dlopen(lib, RTLD_NOW | RTLD_LOCAL);
	if (!h)
		FAIL("dlopen: %s", dlerror());
	create = (int (*)(int, const void *, unsigned int))dlsym(h, "trampfd_create");
	pwrite_ = (ssize_t (*)(int, const void *, size_t, off_t))dlsym(h, "trampfd_pwrite");
	mmap_ = (int (*)(int, void **))dlsym(h, "trampfd_mmap");
	mode = (const char *(*)(int))dlsym(h, "trampfd_mode");
	if (!create || !pwrite_ || !mmap_ || !mode)
		FAIL("dlsym: %s", dlerror());
	fd = create(TRAMPFD_USER, &u, 0);
	if (fd < 0 || pwrite_(fd, &c, sizeof(c), TRAMPFD_REGS_OFFSET) != sizeof(c) || mmap_(fd, &base))
		FAIL("user-code table before the upgrade: %d", fd);
	/* The upgrade: a new file renamed over the loaded one. */
	if (copy(so, next, 1) || rename(next, lib))
		FAIL("writing the new file failed");
	if (mmap_(fd, &base2))
		FAIL("trampfd_mmap of an existing table after the upgrade failed");
	fd2 = create(TRAMPFD_USER, &u, 0);
	if (fd2 < 0 || pwrite_(fd2, &c, sizeof(c), TRAMPFD_REGS_OFFSET) != sizeof(c) ||
	    mmap_(fd2, &base))
		FAIL("a user-code table after the upgrade: %d", fd2);
	if (((unsigned long (*)(void))base)() != 42 || ((unsigned long (*)(void))base2)() != 42)
		FAIL("a call after the upgrade missed its context");
	fd2 = create(TRAMPFD_USER, &(struct trampfd_user){ TRAMPFD_NOKERNEL, 1 }, 0);
	if (fd2 < 0 || strcmp(mode(fd2), "code"))
		FAIL("the default user cell after the upgrade: %s", fd2 < 0 ? "none" : mode(fd2));
	printf("trampfd-test: done\n");
	rc = 0;
out:
	unlink(next);
	unlink(lib);
	rmdir(dir);
	return rc;
}
