// SPDX-License-Identifier: MIT
/*
 * Stack contexts in both modes (docs/design.md §3.2): data lands at
 * [S - offset - size, S - offset), SET_SP moves the stack pointer there;
 * also onto a stack page that was never touched (fault mode stores it
 * from task_work, since the fault handler must not fault).
 */
#include "kt.h"

struct stk {
	struct trampfd_stack h;
	uint64_t d[8];
};

static void set_stack(int fd, unsigned int flags, unsigned int off)
{
	struct stk s = { { flags, off, 64, 0 }, { 0 } };
	int k;

	for (k = 0; k < 8; k++)
		s.d[k] = 0x1111111111111111ULL * (k + 1);
	KT_EQ(pwrite(fd, &s, sizeof(s), TRAMPFD_OFFSET(0, TRAMPFD_STACK_OFFSET)),
	      sizeof(s));
}

static void check_buf(const char *what)
{
	int k;

	for (k = 0; k < 8; k++)
		if (kt_buf[k] != 0x1111111111111111ULL * (k + 1))
			kt_fail("%s: word %d is %#llx", what, k,
				(unsigned long long)kt_buf[k]);
	memset(kt_buf, 0, sizeof(kt_buf));
}

int main(void)
{
	int m;

	for (m = 0; m < 2; m++) {
		struct trampfd_map map;
		int fd = kt_create(kt_mode_flags[m], 1);
		char *base, *stk;
		void *t;

		if (fd < 0)
			kt_fail("create: %s", strerror(-fd));
		base = kt_map(fd, &map);
		t = kt_addr(base, &map, 0);
		KT_EQ(kt_set(fd, 0, kt_grab, 0, 0, 0, 0), 24);
		set_stack(fd, 0, 0);
		((void (*)(void))t)();
		check_buf("offset 0");

		/* A fresh stack: the data's page was never touched. */
		stk = mmap(NULL, 3 * 4096, PROT_READ | PROT_WRITE,
			   MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
		if (stk == MAP_FAILED)
			kt_fail("mmap stack");
		kt_call_on(stk + 2 * 4096 + 16, t);
		check_buf("untouched stack page");
		munmap(stk, 3 * 4096);

		KT_EQ(kt_set(fd, 0, kt_grab_sp, 0, 0, 0, 0), 24);
		set_stack(fd, TRAMPFD_SET_SP, 0);
		((void (*)(void))t)();
		check_buf("SET_SP");
		munmap(base, map.size);
		close(fd);
	}
	return 0;
}
