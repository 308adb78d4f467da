// SPDX-License-Identifier: MIT
/*
 * Scale: one table of 5,000 trampolines, each with its own context, all
 * called, rewritten in reverse and called again; the table costs a handful
 * of mappings, not one per trampoline, and leaves none behind.
 */
#include "t.h"

enum { N = 5000 };

static __attribute__((noinline)) uint64_t mix(uint64_t a)
{
	__asm__ volatile("" : "+r"(a));
	return a ^ 0x5555555555555555ULL;
}

int main(void)
{
	struct t_table t;
	unsigned int i, k;
	int maps0, maps1, fds0;

	t_init();
	fds0 = t_count_fds();
	maps0 = t_count_maps();
	t_table(&t, N, 0);
	for (i = 0; i < N; i++)
		t_set_call_ok(t.fd, i, (void *)t_ret_arg0, 3ULL * i + 1);
	maps1 = t_count_maps();
	T_ASSERT(maps1 - maps0 <= 16, "a table of %d took %d mappings", N, maps1 - maps0);
	for (k = 0; k < 2; k++)
		for (i = 0; i < N; i++)
			if (((t_fn0)t_slot(&t, i))() != 3ULL * i + 1)
				t_fail("round %u: trampoline %u returned %#llx", k, i,
				       (unsigned long long)((t_fn0)t_slot(&t, i))());
	for (i = N; i-- > 0;)
		t_set_call_ok(t.fd, i, (void *)(i & 1 ? mix : t_ret_arg0), (uint64_t)i << 20);
	for (i = 0; i < N; i++) {
		uint64_t want = ((uint64_t)i << 20) ^ (i & 1 ? 0x5555555555555555ULL : 0);

		if (((t_fn0)t_slot(&t, i))() != want)
			t_fail("after rewrite: trampoline %u wrong", i);
	}
	T_EXPECT(trampfd_close(t.fd), 0);
	T_EXPECT(trampfd_munmap(t.base), 0);
	T_ASSERT(t_count_fds() == fds0, "fds left behind");
	T_ASSERT(t_count_maps() <= maps0 + 2, "mappings: %d before, %d after", maps0, t_count_maps());
	return t_pass();
}
