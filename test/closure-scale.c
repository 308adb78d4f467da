// SPDX-License-Identifier: MIT
/*
 * Closures' tables grow geometrically (trampfd_closure_create(3), "Scale,
 * fds and mappings"): 200,000 live closures of one placement, made by one
 * thread, take three tables (2^16, 2^17, 2^18 slots): three fds, however
 * many closures; a sample of them (a fault each, in fault mode) call their
 * own contexts; all are freed. FASTWRITE, so the user cells do it in a
 * blink; the growth is the closure layer's, the same for every cell
 * (src/closure/alloc.c), and 200,000 kernel-mediated creates would take
 * minutes in the emulated guests: kernel cells skip.
 */
#include <dirent.h>
#include <errno.h>
#include "t.h"

#define N 200000

static uint64_t ret_ctx(void *ctx) { return (uintptr_t)ctx; }

static unsigned int count_fds(void)
{
	DIR *d = opendir("/proc/self/fd");
	unsigned int n = 0;

	T_ASSERT(d, "opendir(/proc/self/fd): %s", strerror(errno));
	while (readdir(d))
		n++;
	closedir(d);
	return n;
}

int main(void)
{
	static void *c[N];
	unsigned int i, fds0, fds1;
	int maps0, maps1;

	t_init();
	if (t_cell_flags & TRAMPFD_KERNEL)
		t_skip("%s: the growth is the closure layer's (user cells check it); "
		       "200,000 kernel-mediated creates are minutes in the guests", t_cell);
	fds0 = count_fds();
	maps0 = t_count_maps();
	for (i = 0; i < N; i++)
		T_EXPECT(trampfd_closure_create(&c[i], (void *)ret_ctx, (void *)(uintptr_t)(i + 1),
						TRAMPFD_CTX_ARG(0) | TRAMPFD_CLOSURE_FASTWRITE), 0);
	fds1 = count_fds();
	maps1 = t_count_maps();
	T_ASSERT(fds1 - fds0 == 3, "%u live closures: %u new fds, want 3 tables (2^16, 2^17, 2^18)",
		 N, fds1 - fds0);
	for (i = 0; i < N; i += i % 2 ? 997 : 1)
		if (((uint64_t (*)(void))c[i])() != i + 1)
			t_fail("closure %u calls with %#llx", i,
			       (unsigned long long)((uint64_t (*)(void))c[i])());
	for (i = 0; i < N; i++)
		T_EXPECT(trampfd_closure_free(c[i]), 0);
	T_EXPECT(count_fds(), fds1);
	printf("%u live closures: 3 tables, %d new mappings\n", N, maps1 - maps0);
	return t_pass();
}
