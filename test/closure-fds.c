// SPDX-License-Identifier: MIT
/*
 * The fds behind closures (trampfd_closure_create(3), "Scale, fds and
 * mappings"): one per table, close-on-exec, moved to the upper half of the
 * soft RLIMIT_NOFILE, so the low numbers stay the program's; unknown to
 * the table calls (trampfd_pwrite and trampfd_close: -EBADF). A cell may
 * keep one process-wide fd of its own below that (the user-fault cell's
 * anchor store), which more closures and tables never add to.
 */
#include <errno.h>
#include <dirent.h>
#include <fcntl.h>
#include <sys/resource.h>
#include <unistd.h>
#include "t.h"

#define MAXFD 65536
static unsigned char before[MAXFD];

static uint64_t ret_ctx(void *ctx) { return (uintptr_t)ctx; }

/* Marks the open fds in set (1), or returns how many are open and not in set. */
static unsigned int scan(unsigned char *set, unsigned int floor, unsigned int *low)
{
	DIR *d = opendir("/proc/self/fd");
	struct dirent *e;
	unsigned int n = 0;

	T_ASSERT(d, "opendir(/proc/self/fd): %s", strerror(errno));
	*low = 0;
	while ((e = readdir(d))) {
		int fd = atoi(e->d_name);

		if (e->d_name[0] == '.' || fd == dirfd(d) || fd >= MAXFD)
			continue;
		if (set) {
			set[fd] = 1;
			continue;
		}
		if (before[fd])
			continue;
		n++;
		T_ASSERT(fcntl(fd, F_GETFD) & FD_CLOEXEC, "the library's fd %d is not close-on-exec", fd);
		T_EXPECT(trampfd_close(fd), -EBADF);
		T_EXPECT(trampfd_pwrite(fd, &fd, sizeof(fd), TRAMPFD_REGS_OFFSET), -EBADF);
		if ((unsigned int)fd < floor)
			(*low)++;
	}
	closedir(d);
	return n;
}

int main(void)
{
	static const unsigned int hows[] = { TRAMPFD_CTX_ARG(0), TRAMPFD_CTX_ARG(1),
		TRAMPFD_CTX_CHAIN, TRAMPFD_CTX_FIRST, TRAMPFD_CTX_ARG(2), TRAMPFD_CTX_ARG(3) };
	struct rlimit rl;
	unsigned int floor, i, n1, n2, low1, low2;
	void *c[6];

	t_init();
	T_ASSERT(!getrlimit(RLIMIT_NOFILE, &rl), "getrlimit");
	if (rl.rlim_cur < 64)
		t_skip("RLIMIT_NOFILE %llu: no upper half to move to", (unsigned long long)rl.rlim_cur);
	floor = (rl.rlim_cur > (1U << 20) ? (1U << 20) : rl.rlim_cur) / 2;
	scan(before, floor, &low1);
	for (i = 0; i < 3; i++)
		T_EXPECT(trampfd_closure_create(&c[i], (void *)ret_ctx, (void *)(uintptr_t)i, hows[i]), 0);
	n1 = scan(NULL, floor, &low1);
	T_ASSERT(n1 >= 3, "3 placements, %u new fds: where are their tables?", n1);
	T_ASSERT(low1 <= 1, "%u of the library's fds below %u", low1, floor);
	for (i = 3; i < 6; i++)
		T_EXPECT(trampfd_closure_create(&c[i], (void *)ret_ctx, (void *)(uintptr_t)i, hows[i]), 0);
	n2 = scan(NULL, floor, &low2);
	T_ASSERT(n2 >= n1 + 3, "3 more placements, %u more fds", n2 - n1);
	T_ASSERT(low2 == low1, "more tables took fds below %u (%u, then %u)", floor, low1, low2);
	/* ctx in argument 0: ARG(0) and FIRST. */
	T_EXPECT(((uint64_t (*)(void))c[0])(), 0);
	T_EXPECT(((uint64_t (*)(void))c[3])(), 3);
	for (i = 0; i < 6; i++)
		T_EXPECT(trampfd_closure_free(c[i]), 0);
	printf("%u fds for 6 placements' tables, %u below %u\n", n2, low2, floor);
	return t_pass();
}
