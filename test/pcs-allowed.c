// SPDX-License-Identifier: MIT
/*
 * With an allowed-PC list (docs/design.md §3.3, §3.4), every register context of
 * every index must name a PC in it: others are -EINVAL and change nothing
 * (no range semantics: PC + 1 is refused); listed PCs are called.
 */
#include <errno.h>
#include "t.h"

static __attribute__((noinline)) uint64_t plus1(uint64_t a)
{
	__asm__ volatile("" : "+r"(a));
	return a + 1;
}

static __attribute__((noinline)) uint64_t plus2(uint64_t a)
{
	__asm__ volatile("" : "+r"(a));
	return a + 2;
}

int main(void)
{
	struct { struct trampfd_values h; uint64_t v[2]; } p;
	const size_t rlen = sizeof(struct trampfd_regs) + 2 * sizeof(struct trampfd_reg);
	struct trampfd_regs h0 = { 0 };
	uint32_t names[2] = { TRAMPFD_REG_ARG0, TRAMPFD_REG_PC };
	uint64_t vals[2] = { 100, (uint64_t)(uintptr_t)t_ret_arg0 };
	struct t_regs a;
	struct t_table t;
	uint64_t ret;
	size_t alen;
	unsigned int i;
	volatile uintptr_t f0 = (uintptr_t)t_ret_arg0, f1 = (uintptr_t)plus1;

	t_init();
	t_table(&t, 4, 0);
	memset(&p, 0, sizeof(p));
	p.h.nvalues = 2;
	p.v[0] = (uint64_t)(uintptr_t)t_ret_arg0;
	p.v[1] = (uint64_t)(uintptr_t)plus1;
	T_EXPECT(trampfd_pwrite(t.fd, &p, sizeof(p), TRAMPFD_ALLOWED_PCS_OFFSET), sizeof(p));

	alen = t_regs_fill(&a, 2, names, vals);
	T_EXPECT(trampfd_pwrite(t.fd, &a, alen, TRAMPFD_REGS_OFFSET), alen);
	T_EXPECT(t_set_call(t.fd, 1, (void *)plus1, 200), rlen);
	T_EXPECT(t_set_call(t.fd, 2, (void *)plus2, 300), -EINVAL);
	T_EXPECT(t_set_call(t.fd, 2, (void *)(f0 + 1), 300), -EINVAL);
	T_EXPECT(t_set_call(t.fd, 2, (void *)(f1 - 1), 300), -EINVAL);
	T_EXPECT(t_set_call(t.fd, 3, (void *)(uintptr_t)0x1000, 300), -EINVAL);
	T_EXPECT(t_set_call(t.fd, 0, (void *)plus2, 300), -EINVAL);
	t_expect_ctx(t.fd, 0, TRAMPFD_REGS_OFFSET, &a, alen, "refused PC over index 0");
	t_expect_ctx(t.fd, 2, TRAMPFD_REGS_OFFSET, &h0, sizeof(h0), "refused PC on index 2");

	T_EXPECT(t_sig_call_tramp(t_slot(&t, 0), &ret), 0);
	T_EXPECT(ret, 100);
	T_EXPECT(t_sig_call_tramp(t_slot(&t, 1), &ret), 0);
	T_EXPECT(ret, 201);
	T_EXPECT(t_sig_call_tramp(t_slot(&t, 2), NULL), SIGSEGV);
	T_EXPECT(t_sig_call_tramp(t_slot(&t, 3), NULL), SIGSEGV);

	/* Removal names no PC: allowed; so is writing it again. */
	T_EXPECT(t_remove_regs(t.fd, 1), sizeof(h0));
	t_expect_ctx(t.fd, 1, TRAMPFD_REGS_OFFSET, &h0, sizeof(h0), "removed with a PC list");
	T_EXPECT(t_sig_call_tramp(t_slot(&t, 1), NULL), SIGSEGV);
	T_EXPECT(t_set_call(t.fd, 1, (void *)plus1, 200), rlen);

	/* Listed PCs go anywhere in the table, in any order. */
	for (i = 0; i < 4; i++)
		T_EXPECT(t_set_call(t.fd, i, i & 1 ? (void *)t_ret_arg0 : (void *)plus1, i), rlen);
	for (i = 0; i < 4; i++) {
		T_EXPECT(t_sig_call_tramp(t_slot(&t, i), &ret), 0);
		T_EXPECT(ret, i & 1 ? i : i + 1);
	}
	T_EXPECT(trampfd_close(t.fd), 0);
	T_EXPECT(trampfd_munmap(t.base), 0);
	return t_pass();
}
