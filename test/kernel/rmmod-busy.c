// SPDX-License-Identifier: MIT
/*
 * Unload safety: the module cannot be removed while a table is open or
 * mapped (even after its fd is closed). Needs CAP_SYS_MODULE: skip if not.
 */
#include <sys/syscall.h>
#include "kt.h"

static long try_rmmod(void)
{
	long r = syscall(SYS_delete_module, "trampfd", O_NONBLOCK);

	return r < 0 ? -errno : r;
}

int main(void)
{
	struct trampfd_map map;
	void *base;
	long r;
	int fd = kt_create(TRAMPFD_FAULT, 1), fd2 = kt_create(TRAMPFD_CODE, 1);

	if (fd < 0 || fd2 < 0)
		kt_fail("create");
	r = try_rmmod();
	if (r == -EPERM)
		kt_skip("no CAP_SYS_MODULE");
	if (r == -ENOENT)
		kt_skip("trampfd is built in or not a module");
	if (r != -EWOULDBLOCK && r != -EBUSY)
		kt_fail("rmmod with open tables: %ld", r);
	base = kt_map(fd, &map);
	close(fd);
	r = try_rmmod();
	if (r != -EWOULDBLOCK && r != -EBUSY)
		kt_fail("rmmod with a mapped table: %ld", r);
	base = kt_map(fd2, &map);
	close(fd2);
	r = try_rmmod();
	if (r != -EWOULDBLOCK && r != -EBUSY)
		kt_fail("rmmod with a mapped code table: %ld", r);
	(void)base;
	return 0;
}
