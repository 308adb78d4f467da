// SPDX-License-Identifier: MIT
/*
 * docs/design.md §3.1, "continues at the PC": a trampoline's PC may be another
 * trampoline (same table or another one); each sets its own registers and
 * the last one's target sees them all. A register set by both keeps the
 * later value.
 */
#include "t.h"

static __attribute__((noinline)) uint64_t sum3(uint64_t a, uint64_t b, uint64_t c)
{
	__asm__ volatile("" : "+r"(a), "+r"(b), "+r"(c));
	return a * 1000000 + b * 1000 + c;
}

static void set(int fd, unsigned int i, uint32_t reg, uint64_t v, void *pc)
{
	uint32_t names[2] = { reg, TRAMPFD_REG_PC };
	uint64_t vals[2] = { v, (uint64_t)(uintptr_t)pc };
	struct t_regs r;
	size_t len = t_regs_fill(&r, 2, names, vals);

	T_EXPECT(trampfd_pwrite(fd, &r, len, TRAMPFD_OFFSET(i, TRAMPFD_REGS_OFFSET)), len);
}

int main(void)
{
	struct t_table a, b;

	t_init();
	t_table(&a, 3, 0);
	t_table(&b, 2, 0);
	/* a0 -> a1 -> b1 -> sum3 */
	set(a.fd, 0, TRAMPFD_REG_ARG2, 3, t_slot(&a, 1));
	set(a.fd, 1, TRAMPFD_REG_ARG1, 2, t_slot(&b, 1));
	set(b.fd, 1, TRAMPFD_REG_ARG0, 1, (void *)sum3);
	T_EXPECT(((t_fn0)t_slot(&a, 0))(), 1002003);
	/* a2 sets ARG0 = 9, then b0 sets ARG0 = 4: the later one wins. */
	set(a.fd, 2, TRAMPFD_REG_ARG0, 9, t_slot(&b, 0));
	set(b.fd, 0, TRAMPFD_REG_ARG0, 4, (void *)t_ret_arg0);
	T_EXPECT(((t_fn0)t_slot(&a, 2))(), 4);
	/* Breaking the chain in the middle faults. */
	T_EXPECT(t_remove_regs(a.fd, 1), sizeof(struct trampfd_regs));
	T_EXPECT(t_sig_call_tramp(t_slot(&a, 0), NULL), SIGSEGV);
	T_EXPECT(trampfd_close(a.fd), 0);
	T_EXPECT(trampfd_close(b.fd), 0);
	T_EXPECT(trampfd_munmap(a.base), 0);
	T_EXPECT(trampfd_munmap(b.base), 0);
	return t_pass();
}
