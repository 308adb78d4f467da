// SPDX-License-Identifier: MIT
/*
 * Calling (docs/design.md §2, §3.1): trampoline i of a table sets its argument
 * register and continues at its PC, which returns to the caller; indices
 * are independent, a rewrite takes effect at the next call, the address is
 * base + ioffset + i * stride and TRAMPFD_OFFSET(0, ctx) == ctx.
 */
#include "t.h"

static __attribute__((noinline)) uint64_t twice(uint64_t a)
{
	__asm__ volatile("" : "+r"(a));
	return 2 * a;
}

_Static_assert(TRAMPFD_OFFSET(0, TRAMPFD_REGS_OFFSET) == TRAMPFD_REGS_OFFSET,
	       "TRAMPFD_OFFSET(0, ctx) == ctx");

int main(void)
{
	enum { N = 8 };
	struct t_table t;
	uint64_t ret;
	unsigned int i, k;

	t_init();
	t_table(&t, N, 0);
	for (i = 0; i < N; i++)
		t_set_call_ok(t.fd, i, i & 1 ? (void *)twice : (void *)t_ret_arg0,
			      0x1001ULL * i + 7);
	for (k = 0; k < 1000; k++) {
		for (i = 0; i < N; i++) {
			uint64_t want = (0x1001ULL * i + 7) * (i & 1 ? 2 : 1);

			ret = ((t_fn0)t_slot(&t, i))();
			if (ret != want)
				t_fail("round %u: trampoline %u returned %#llx, want %#llx",
				       k, i, (unsigned long long)ret,
				       (unsigned long long)want);
		}
	}
	/* A rewrite takes effect at the next call; neighbours are untouched. */
	t_set_call_ok(t.fd, 3, (void *)t_ret_arg0, 0xdead0000beefULL);
	T_EXPECT(((t_fn0)t_slot(&t, 3))(), 0xdead0000beefULL);
	T_EXPECT(((t_fn0)t_slot(&t, 2))(), 0x1001ULL * 2 + 7);
	T_EXPECT(((t_fn0)t_slot(&t, 4))(), 0x1001ULL * 4 + 7);
	/* Full 64-bit values, both extremes. */
	t_set_call_ok(t.fd, 5, (void *)t_ret_arg0, ~0ULL);
	T_EXPECT(((t_fn0)t_slot(&t, 5))() == ~0ULL, 1);
	t_set_call_ok(t.fd, 5, (void *)t_ret_arg0, 0);
	T_EXPECT(((t_fn0)t_slot(&t, 5))(), 0);
	T_EXPECT(trampfd_close(t.fd), 0);
	T_EXPECT(trampfd_munmap(t.base), 0);
	return t_pass();
}
