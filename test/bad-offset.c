// SPDX-License-Identifier: MIT
/*
 * Symbolic offsets (docs/design.md §2): index >= n, MAP/ALLOWED_PCS with an index,
 * unknown context offsets, negative offsets, writing MAP, reading
 * ALLOWED_PCS, NULL buffers and a short MAP buffer are rejected, and none
 * of it changes the contexts already written.
 */
#include <errno.h>
#include "t.h"

int main(void)
{
	static const uint64_t bad_ctx[] = { 0x0008, 0x0800, 0x1001, 0x1008,
		0x1800, 0x2004, 0x3008, 0x4000, 0x8000, 0xffff };
	uint32_t names[2] = { TRAMPFD_REG_ARG0, TRAMPFD_REG_PC };
	uint64_t vals[2] = { 0x1111, (uint64_t)(uintptr_t)t_ret_arg0 };
	struct trampfd_values pcs = { .nvalues = 1 };
	struct { struct trampfd_values h; uint64_t v[1]; } pc1;
	unsigned char big[256];
	struct trampfd_map m;
	struct t_regs r, a;
	struct t_stack s;
	size_t len, alen, slen, i;
	int fd, fd2;

	t_init();
	fd = t_create(4, 0);
	alen = t_regs_fill(&a, 2, names, vals);
	T_EXPECT(trampfd_pwrite(fd, &a, alen, TRAMPFD_OFFSET(0, TRAMPFD_REGS_OFFSET)), alen);
	vals[0] = 0x2222;
	len = t_regs_fill(&r, 2, names, vals);
	slen = t_stack_fill(&s, 0, 0, 8, "12345678");

	T_EXPECT(trampfd_pwrite(fd, &r, len, TRAMPFD_OFFSET(4, TRAMPFD_REGS_OFFSET)), -EINVAL);
	T_EXPECT(trampfd_pwrite(fd, &r, len, TRAMPFD_OFFSET(5, TRAMPFD_REGS_OFFSET)), -EINVAL);
	T_EXPECT(trampfd_pwrite(fd, &r, len, TRAMPFD_OFFSET(1 << 20, TRAMPFD_REGS_OFFSET)), -EINVAL);
	T_EXPECT(trampfd_pwrite(fd, &r, len, (off_t)TRAMPFD_OFFSET(0xffffffffULL, TRAMPFD_REGS_OFFSET)), -EINVAL);
	T_EXPECT(trampfd_pwrite(fd, &s, slen, TRAMPFD_OFFSET(4, TRAMPFD_STACK_OFFSET)), -EINVAL);
	T_EXPECT(trampfd_pread(fd, big, sizeof(big), TRAMPFD_OFFSET(4, TRAMPFD_REGS_OFFSET)), -EINVAL);
	T_EXPECT(trampfd_pread(fd, big, sizeof(big), TRAMPFD_OFFSET(4, TRAMPFD_STACK_OFFSET)), -EINVAL);
	T_EXPECT(trampfd_pread(fd, &m, sizeof(m), TRAMPFD_OFFSET(1, TRAMPFD_MAP_OFFSET)), -EINVAL);
	T_EXPECT(trampfd_pread(fd, &m, sizeof(m), TRAMPFD_OFFSET(4, TRAMPFD_MAP_OFFSET)), -EINVAL);
	for (i = 0; i < sizeof(bad_ctx) / sizeof(bad_ctx[0]); i++) {
		if (trampfd_pwrite(fd, &r, len, bad_ctx[i]) != -EINVAL)
			t_fail("pwrite at %#llx not -EINVAL", (unsigned long long)bad_ctx[i]);
		if (trampfd_pread(fd, big, sizeof(big), bad_ctx[i]) != -EINVAL)
			t_fail("pread at %#llx not -EINVAL", (unsigned long long)bad_ctx[i]);
		if (trampfd_pwrite(fd, &r, len, TRAMPFD_OFFSET(1, bad_ctx[i])) != -EINVAL)
			t_fail("pwrite at index 1 ctx %#llx not -EINVAL",
			       (unsigned long long)bad_ctx[i]);
	}
	T_EXPECT(trampfd_pwrite(fd, &r, len, -1), -EINVAL);
	T_EXPECT(trampfd_pwrite(fd, &r, len, -(off_t)TRAMPFD_REGS_OFFSET), -EINVAL);
	T_EXPECT(trampfd_pread(fd, big, sizeof(big), -1), -EINVAL);
	memset(&m, 0, sizeof(m));
	T_EXPECT(trampfd_pwrite(fd, &m, sizeof(m), TRAMPFD_MAP_OFFSET), -EINVAL);
	T_EXPECT(trampfd_pread(fd, &m, sizeof(m) - 1, TRAMPFD_MAP_OFFSET), -EINVAL);
	T_EXPECT(trampfd_pread(fd, &m, 0, TRAMPFD_MAP_OFFSET), -EINVAL);
	T_EXPECT(trampfd_pread(fd, big, sizeof(big), TRAMPFD_MAP_OFFSET), sizeof(m));
	T_EXPECT(trampfd_pread(fd, big, sizeof(big), TRAMPFD_ALLOWED_PCS_OFFSET), -EINVAL);
	T_EXPECT2(trampfd_pwrite(fd, NULL, len, TRAMPFD_REGS_OFFSET), EFAULT, EINVAL);
	T_EXPECT2(trampfd_pread(fd, NULL, sizeof(big), TRAMPFD_REGS_OFFSET), EFAULT, EINVAL);
	T_EXPECT2(trampfd_pread(fd, NULL, sizeof(m), TRAMPFD_MAP_OFFSET), EFAULT, EINVAL);
	T_EXPECT2(trampfd_pwrite(fd, NULL, sizeof(pcs) + 8, TRAMPFD_ALLOWED_PCS_OFFSET),
		  EFAULT, EINVAL);

	/* ALLOWED_PCS at index 1: rejected, and the one write is not used up. */
	fd2 = t_create(4, 0);
	memset(&pc1, 0, sizeof(pc1));
	pc1.h.nvalues = 1;
	pc1.v[0] = (uint64_t)(uintptr_t)t_ret_arg0;
	T_EXPECT(trampfd_pwrite(fd2, &pc1, sizeof(pc1),
				TRAMPFD_OFFSET(1, TRAMPFD_ALLOWED_PCS_OFFSET)), -EINVAL);
	T_EXPECT(trampfd_pwrite(fd2, &pc1, sizeof(pc1), TRAMPFD_ALLOWED_PCS_OFFSET),
		 sizeof(pc1));
	T_EXPECT(trampfd_close(fd2), 0);

	/* Nothing changed: index 0 still holds a; 1..3 still unset. */
	t_expect_ctx(fd, 0, TRAMPFD_REGS_OFFSET, &a, alen, "index 0 after bad offsets");
	for (i = 1; i < 4; i++) {
		struct trampfd_regs h0 = { 0 };
		struct trampfd_stack s0 = { 0 };

		t_expect_ctx(fd, i, TRAMPFD_REGS_OFFSET, &h0, sizeof(h0), "unset regs");
		t_expect_ctx(fd, i, TRAMPFD_STACK_OFFSET, &s0, sizeof(s0), "unset stack");
	}
	T_EXPECT(trampfd_close(fd), 0);
	return t_pass();
}
