// SPDX-License-Identifier: MIT
/*
 * fork (docs/design.md §3.9), both modes: the child keeps the contexts it had, and
 * a write in either process, through the shared fd, never reaches the
 * other. Also: a second fork from the child, and a write before mapping.
 */
#include "kt.h"

static long ret0(long a) { return a; }
typedef long (*fn1)(long);

static void wait_ok(pid_t pid, const char *what)
{
	int st;

	if (waitpid(pid, &st, 0) != pid || !WIFEXITED(st) || WEXITSTATUS(st))
		kt_fail("%s: child failed (status %#x)", what, st);
}

static void one(unsigned int mode)
{
	struct trampfd_map map;
	int fd = kt_create(mode, 3), p2c[2], c2p[2];
	char c, *base;
	fn1 f;
	pid_t pid;

	if (fd < 0)
		kt_fail("create: %s", strerror(-fd));
	KT_EQ(kt_set(fd, 2, ret0, 1, 100, 0, 0), 8 + 32);
	base = kt_map(fd, &map);
	f = (fn1)kt_addr(base, &map, 2);
	if (f(0) != 100)
		kt_fail("before fork: %ld", f(0));
	if (pipe(p2c) || pipe(c2p))
		kt_fail("pipe");
	pid = fork();
	if (!pid) {
		alarm(20);
		if (f(0) != 100)
			_exit(10);
		/* Parent writes 200: we must still see 100. */
		if (read(p2c[0], &c, 1) != 1 || f(0) != 100)
			_exit(11);
		if (kt_set(fd, 2, ret0, 1, 300, 0, 0) != 40 || f(0) != 300)
			_exit(12);
		if (write(c2p[1], "x", 1) != 1)
			_exit(13);
		/* A grandchild inherits 300 and is isolated from us too. */
		pid = fork();
		if (!pid) {
			_exit(f(0) == 300 &&
			      kt_set(fd, 2, ret0, 1, 500, 0, 0) == 40 &&
			      f(0) == 500 ? 0 : 14);
		}
		wait_ok(pid, "grandchild");
		_exit(f(0) == 300 ? 0 : 15);
	}
	KT_EQ(kt_set(fd, 2, ret0, 1, 200, 0, 0), 40);
	if (f(0) != 200)
		kt_fail("parent after own write: %ld", f(0));
	if (write(p2c[1], "x", 1) != 1 || read(c2p[0], &c, 1) != 1)
		kt_fail("pipe io");
	if (f(0) != 200)
		kt_fail("%s: child's write reached the parent: %ld",
			kt_modes[mode == TRAMPFD_CODE], f(0));
	wait_ok(pid, "child");
	if (f(0) != 200)
		kt_fail("parent after child exit: %ld", f(0));
	munmap(base, map.size);
	/* Mapped again after munmap: contexts still there. */
	base = kt_map(fd, &map);
	f = (fn1)kt_addr(base, &map, 2);
	if (f(0) != 200)
		kt_fail("after remap: %ld", f(0));
	munmap(base, map.size);
	close(fd);
	close(p2c[0]); close(p2c[1]); close(c2p[0]); close(c2p[1]);
}

int main(void)
{
	one(TRAMPFD_FAULT);
	one(TRAMPFD_CODE);
	return 0;
}
