// SPDX-License-Identifier: MIT
/*
 * The table fd is close-on-exec (docs/design.md §3.8); a mapped table keeps
 * working after its fd is closed, and across exec nothing leaks.
 */
#include "kt.h"

static long ret0(long a) { return a; }

int main(int argc, char **argv)
{
	struct trampfd_map map;
	long (*f)(long);
	char num[16], *base;
	int fd;

	if (argc == 2) {		/* after exec */
		fd = atoi(argv[1]);
		if (fcntl(fd, F_GETFD) >= 0 || errno != EBADF)
			kt_fail("fd %d survived exec", fd);
		return 0;
	}
	fd = kt_create(0, 1);
	if (fd < 0)
		kt_fail("create: %s", strerror(-fd));
	if (!(fcntl(fd, F_GETFD) & FD_CLOEXEC))
		kt_fail("no FD_CLOEXEC");
	KT_EQ(kt_set(fd, 0, ret0, 1, 77, 0, 0), 40);
	base = kt_map(fd, &map);
	close(fd);
	f = (long (*)(long))kt_addr(base, &map, 0);
	if (f(0) != 77)
		kt_fail("call after close: %ld", f(0));
	snprintf(num, sizeof(num), "%d", fd);
	fd = kt_create(0, 1);
	snprintf(num, sizeof(num), "%d", fd);
	execl("/proc/self/exe", argv[0], num, (char *)NULL);
	kt_fail("exec: %s", strerror(errno));
}
