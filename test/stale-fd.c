// SPDX-License-Identifier: MIT
/*
 * A table's fd closed with close(2), its number reused for a data file:
 * every call on the number is -EBADF and touches nothing (the file keeps
 * its size and bytes, and stays open after trampfd_close); the table's
 * mapping keeps working; a new table on the same number works.
 */
#include <errno.h>
#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>
#include "t.h"

int main(void)
{
	char data[] = "user data, not a table", got[sizeof(data)];
	unsigned char buf[512];
	struct t_table t;
	struct stat st;
	void *base;
	int fd, n;

	t_init();
	t_table(&t, 4, 0);
	t_set_call_ok(t.fd, 0, (void *)t_ret_arg0, 42);
	fd = t.fd;
	close(fd);
	n = memfd_create("user-file", MFD_CLOEXEC);
	T_ASSERT(n >= 0, "memfd_create failed");
	if (n != fd) {
		T_ASSERT(dup2(n, fd) == fd, "dup2 failed");
		close(n);
	}
	T_EXPECT(write(fd, data, sizeof(data)), sizeof(data));

	T_EXPECT(t_set_call(fd, 1, (void *)t_ret_arg0, 7), -EBADF);
	T_EXPECT(trampfd_pread(fd, buf, sizeof(buf), TRAMPFD_REGS_OFFSET), -EBADF);
	T_EXPECT(trampfd_pread(fd, buf, sizeof(buf), TRAMPFD_MAP_OFFSET), -EBADF);
	T_EXPECT(trampfd_mmap(fd, &base), -EBADF);
	T_ASSERT(!trampfd_provider(fd) && !trampfd_mode(fd), "a stale fd still has a provider");
	T_EXPECT(trampfd_close(fd), -EBADF);

	/* The user's file: open, untouched. */
	T_ASSERT(fcntl(fd, F_GETFD) >= 0, "trampfd_close closed the user's file");
	T_ASSERT(!fstat(fd, &st) && st.st_size == (off_t)sizeof(data),
		 "the user's file changed size: %lld", (long long)st.st_size);
	T_EXPECT(pread(fd, got, sizeof(got), 0), sizeof(got));
	T_ASSERT(!memcmp(got, data, sizeof(data)), "the user's file changed");

	/* The old mapping still calls its context. */
	T_EXPECT(((t_fn0)t_slot(&t, 0))(), 42);
	T_EXPECT(trampfd_munmap(t.base), 0);

	/* The number, free again, serves a new table. */
	close(fd);
	t_table(&t, 1, 0);
	t_set_call_ok(t.fd, 0, (void *)t_ret_arg0, 9);
	T_EXPECT(((t_fn0)t_slot(&t, 0))(), 9);
	T_EXPECT(trampfd_close(t.fd), 0);
	T_EXPECT(trampfd_munmap(t.base), 0);
	return t_pass();
}
