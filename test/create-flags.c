// SPDX-License-Identifier: MIT
/*
 * trampfd_create argument checks (docs/design.md §2): create's own flags must be 0,
 * type < TRAMPFD_NUM_TYPES, data not NULL, unknown or contradictory user
 * flags and too many trampolines are -EINVAL, with no fd left behind;
 * ntrampolines 0 means 1; FASTWRITE works in user cells only.
 */
#include <errno.h>
#include "t.h"

static int create(int type, unsigned int uflags, unsigned int n,
		  unsigned int flags)
{
	struct trampfd_user u = { .flags = uflags, .ntrampolines = n };

	return trampfd_create(type, &u, flags);
}

int main(void)
{
	unsigned int cf, bit;
	int fds, fd;
	uint64_t ret;

	t_init();
	cf = t_cell_flags;
	/*
	 * Warm-up: a library may keep one fd per process (its own file), opened
	 * when the user provider is first asked; the default may pick a kernel
	 * cell, so the user provider is asked too.
	 */
	fd = t_create_raw(1, 0);
	T_ASSERT(fd >= 0, "create with flags 0: %s", strerror(-fd));
	T_EXPECT(trampfd_close(fd), 0);
	fd = t_create_raw(1, TRAMPFD_NOKERNEL);
	if (fd >= 0)
		T_EXPECT(trampfd_close(fd), 0);
	fds = t_count_fds();

	for (bit = 0; bit < 32; bit++)
		T_EXPECT(create(TRAMPFD_USER, cf, 1, 1U << bit), -EINVAL);
	T_EXPECT(create(TRAMPFD_NUM_TYPES, cf, 1, 0), -EINVAL);
	T_EXPECT(create(TRAMPFD_NUM_TYPES + 1, cf, 1, 0), -EINVAL);
	T_EXPECT(create(-1, cf, 1, 0), -EINVAL);
	T_EXPECT(create(0x7fffffff, cf, 1, 0), -EINVAL);
	T_EXPECT(trampfd_create(TRAMPFD_USER, NULL, 0), -EINVAL);	/* RFC v1's answer */

	for (bit = 0; bit < 32; bit++) {
		if ((1U << bit) & TRAMPFD_USER_FLAGS)
			continue;
		T_EXPECT(create(TRAMPFD_USER, cf | (1U << bit), 1, 0), -EINVAL);
	}
	T_EXPECT(create(TRAMPFD_USER, (cf & ~(TRAMPFD_FAULT | TRAMPFD_CODE)) |
			TRAMPFD_FAULT | TRAMPFD_CODE, 1, 0), -EINVAL);
	T_EXPECT(create(TRAMPFD_USER, TRAMPFD_FAULT | TRAMPFD_CODE, 1, 0), -EINVAL);
	T_EXPECT(create(TRAMPFD_USER, (cf & ~(TRAMPFD_KERNEL | TRAMPFD_NOKERNEL)) |
			TRAMPFD_KERNEL | TRAMPFD_NOKERNEL, 1, 0), -EINVAL);
	T_EXPECT(create(TRAMPFD_USER, TRAMPFD_KERNEL | TRAMPFD_FASTWRITE, 1, 0), -EINVAL);
	T_EXPECT(create(TRAMPFD_USER, TRAMPFD_KERNEL | TRAMPFD_FASTWRITE |
			(cf & (TRAMPFD_FAULT | TRAMPFD_CODE)), 1, 0), -EINVAL);
	T_EXPECT(create(TRAMPFD_USER, cf, TRAMPFD_MAX_TRAMPOLINES + 1, 0), -EINVAL);
	T_EXPECT(create(TRAMPFD_USER, cf, 0xffffffffU, 0), -EINVAL);
	T_ASSERT(t_count_fds() == fds, "failed creates left %d fds open",
		 t_count_fds() - fds);

	/* ntrampolines 0 means 1: index 0 exists, index 1 does not. */
	fd = t_create(0, 0);
	T_ASSERT(fd >= 0, "create n=0");
	t_set_call_ok(fd, 0, (void *)t_ret_arg0, 5);
	T_EXPECT(t_set_call(fd, 1, (void *)t_ret_arg0, 5), -EINVAL);
	{
		struct t_table t;

		T_EXPECT(trampfd_close(fd), 0);
		t_table(&t, 0, 0);
		t_set_call_ok(t.fd, 0, (void *)t_ret_arg0, 0x1234);
		T_EXPECT(t_sig_call_tramp(t_slot(&t, 0), &ret), 0);
		T_EXPECT(ret, 0x1234);
		T_EXPECT(trampfd_close(t.fd), 0);
		T_EXPECT(trampfd_munmap(t.base), 0);
	}

	/* FASTWRITE: a user-provider option. */
	fd = t_create_raw(1, cf | TRAMPFD_FASTWRITE);
	if (cf & TRAMPFD_KERNEL) {
		T_EXPECT(fd, -EINVAL);
	} else if (fd < 0) {
		t_fail("create with TRAMPFD_FASTWRITE: %s", strerror(-fd));
	} else {
		struct t_table t;

		T_ASSERT(t_is_user(fd), "FASTWRITE table has provider %s",
			 trampfd_provider(fd));
		T_EXPECT(trampfd_close(fd), 0);
		t_table(&t, 3, TRAMPFD_FASTWRITE);
		t_set_call_ok(t.fd, 2, (void *)t_ret_arg0, 77);
		T_EXPECT(t_sig_call_tramp(t_slot(&t, 2), &ret), 0);
		T_EXPECT(ret, 77);
		T_EXPECT(trampfd_close(t.fd), 0);
		T_EXPECT(trampfd_munmap(t.base), 0);
	}
	/* No forcing: some cell runs (the probe found this one can). */
	fd = t_create_raw(1, 0);
	T_ASSERT(fd >= 0, "create with flags 0: %s", strerror(-fd));
	T_ASSERT(trampfd_provider(fd) && trampfd_mode(fd), "provider/mode NULL");
	T_ASSERT(!strcmp(trampfd_provider(fd), "user") || !strcmp(trampfd_provider(fd), "kernel"),
		 "provider %s", trampfd_provider(fd));
	T_ASSERT(!strcmp(trampfd_mode(fd), "fault") || !strcmp(trampfd_mode(fd), "code"),
		 "mode %s", trampfd_mode(fd));
	T_EXPECT(trampfd_close(fd), 0);
	if (cf & TRAMPFD_NOKERNEL) {
		fd = t_create_raw(1, TRAMPFD_NOKERNEL);
		T_ASSERT(fd >= 0 && !strcmp(trampfd_provider(fd), "user"),
			 "NOKERNEL alone: %d %s", fd, fd >= 0 ? trampfd_provider(fd) : "");
		T_EXPECT(trampfd_close(fd), 0);
	}
	T_ASSERT(t_count_fds() == fds, "fd count %d, was %d", t_count_fds(), fds);
	return t_pass();
}
