// SPDX-License-Identifier: MIT
/*
 * Every call that takes an fd returns -EBADF for -1, a huge number, a
 * regular fd (/dev/null), a closed trampfd and a trampfd's recycled number;
 * trampfd_provider/trampfd_mode return NULL for them.
 */
#include <errno.h>
#include <fcntl.h>
#include <unistd.h>
#include "t.h"

static void expect_bad(int fd, const char *what)
{
	struct t_regs r;
	struct trampfd_map m;
	void *base = NULL;
	uint32_t names[2] = { TRAMPFD_REG_ARG0, TRAMPFD_REG_PC };
	uint64_t vals[2] = { 1, (uint64_t)(uintptr_t)t_ret_arg0 };
	size_t len = t_regs_fill(&r, 2, names, vals);

	if (trampfd_pwrite(fd, &r, len, TRAMPFD_REGS_OFFSET) != -EBADF)
		t_fail("%s: pwrite: %zd, want -EBADF", what,
		       trampfd_pwrite(fd, &r, len, TRAMPFD_REGS_OFFSET));
	if (trampfd_pread(fd, &m, sizeof(m), TRAMPFD_MAP_OFFSET) != -EBADF)
		t_fail("%s: pread(MAP) != -EBADF", what);
	if (trampfd_pread(fd, &r, sizeof(r), TRAMPFD_REGS_OFFSET) != -EBADF)
		t_fail("%s: pread(REGS) != -EBADF", what);
	if (trampfd_mmap(fd, &base) != -EBADF)
		t_fail("%s: mmap != -EBADF", what);
	T_ASSERT(base == NULL, "%s: failed mmap set *base", what);
	if (trampfd_provider(fd) || trampfd_mode(fd))
		t_fail("%s: provider/mode not NULL", what);
	if (trampfd_close(fd) != -EBADF)
		t_fail("%s: close != -EBADF", what);
}

int main(void)
{
	int fd, null, n;

	t_init();
	expect_bad(-1, "fd -1");
	expect_bad(-1000, "fd -1000");
	expect_bad(1 << 30, "fd 2^30");
	expect_bad(0x7fffffff, "fd INT_MAX");

	null = open("/dev/null", O_RDWR | O_CLOEXEC);
	T_ASSERT(null >= 0, "open /dev/null");
	expect_bad(null, "/dev/null");
	T_ASSERT(fcntl(null, F_GETFD) >= 0, "trampfd_close closed /dev/null");
	close(null);
	expect_bad(null, "closed plain fd");

	fd = t_create(1, 0);
	T_EXPECT(trampfd_close(fd), 0);
	expect_bad(fd, "closed trampfd");
	T_ASSERT(fcntl(fd, F_GETFD) < 0, "trampfd_close left fd %d open", fd);

	/* The number comes back for another file: still not a trampfd. */
	fd = t_create(1, 0);
	T_EXPECT(trampfd_close(fd), 0);
	n = open("/dev/null", O_RDONLY);
	T_ASSERT(n == fd, "open did not reuse fd %d (got %d)", fd, n);
	expect_bad(n, "recycled trampfd number");
	close(n);

	/* A good fd next to all of that still works. */
	fd = t_create(1, 0);
	t_set_call_ok(fd, 0, (void *)t_ret_arg0, 3);
	T_EXPECT(trampfd_close(fd), 0);
	return t_pass();
}
