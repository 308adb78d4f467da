// SPDX-License-Identifier: MIT
/*
 * pread read-back (docs/design.md §2, §3.7): a context reads back exactly the bytes
 * last written, returning their length; an unset or removed one reads as
 * its header alone with a zero count; a buffer that cannot hold the whole
 * context is -EINVAL; MAP reads the same every time, never writable.
 */
#include <errno.h>
#include <sys/mman.h>
#include "t.h"

int main(void)
{
	struct trampfd_regs h0 = { 0 };
	struct trampfd_stack s0 = { 0 };
	/* Distinct on every arch (on aarch64, ARG0 is also FIRST). */
	uint32_t names[5] = { TRAMPFD_REG_PC, TRAMPFD_REG_ARG2, TRAMPFD_REG_ARG0, T_REG_LAST, T_REG_SCRATCH };
	uint64_t vals[5] = { (uint64_t)(uintptr_t)t_ret_arg0, 0x0123456789abcdefULL,
			     0xfedcba9876543210ULL, 1, ~0ULL };
	unsigned char buf[1024];
	struct trampfd_map m1, m2;
	struct t_regs r, r2;
	struct t_stack s;
	size_t len, len2, slen;
	unsigned int i;
	int fd;

	t_init();
	fd = t_create(4, 0);
	for (i = 0; i < 4; i++) {
		t_expect_ctx(fd, i, TRAMPFD_REGS_OFFSET, &h0, sizeof(h0), "unset regs");
		t_expect_ctx(fd, i, TRAMPFD_STACK_OFFSET, &s0, sizeof(s0), "unset stack");
	}
	T_EXPECT(trampfd_pread(fd, buf, sizeof(h0), TRAMPFD_REGS_OFFSET), sizeof(h0));
	T_EXPECT(trampfd_pread(fd, buf, sizeof(h0) - 1, TRAMPFD_REGS_OFFSET), -EINVAL);
	T_EXPECT(trampfd_pread(fd, buf, sizeof(s0) - 1, TRAMPFD_STACK_OFFSET), -EINVAL);

	len = t_regs_fill(&r, 5, names, vals);
	T_EXPECT(trampfd_pwrite(fd, &r, len, TRAMPFD_OFFSET(3, TRAMPFD_REGS_OFFSET)), len);
	t_expect_ctx(fd, 3, TRAMPFD_REGS_OFFSET, &r, len, "5 registers");
	T_EXPECT(trampfd_pread(fd, buf, len, TRAMPFD_OFFSET(3, TRAMPFD_REGS_OFFSET)), len);
	T_ASSERT(!memcmp(buf, &r, len), "exact-size read differs");
	T_EXPECT(trampfd_pread(fd, buf, len - 1, TRAMPFD_OFFSET(3, TRAMPFD_REGS_OFFSET)), -EINVAL);
	T_EXPECT(trampfd_pread(fd, buf, sizeof(h0), TRAMPFD_OFFSET(3, TRAMPFD_REGS_OFFSET)), -EINVAL);
	for (i = 0; i < 3; i++)
		t_expect_ctx(fd, i, TRAMPFD_REGS_OFFSET, &h0, sizeof(h0), "other indices");

	/* A shorter rewrite reads back shorter. */
	len2 = t_regs_fill(&r2, 2, names + 1, vals + 1);
	r2.r[1].name = TRAMPFD_REG_PC;
	T_EXPECT(trampfd_pwrite(fd, &r2, len2, TRAMPFD_OFFSET(3, TRAMPFD_REGS_OFFSET)), len2);
	t_expect_ctx(fd, 3, TRAMPFD_REGS_OFFSET, &r2, len2, "rewrite with 2 registers");

	slen = t_stack_fill(&s, TRAMPFD_SET_SP, 32, 48, "abcdefghijklmnopqrstuvwxyz0123456789ABCDEFGHIJKLMNOP");
	T_EXPECT(trampfd_pwrite(fd, &s, slen, TRAMPFD_OFFSET(3, TRAMPFD_STACK_OFFSET)), slen);
	t_expect_ctx(fd, 3, TRAMPFD_STACK_OFFSET, &s, slen, "stack 48 bytes");
	T_EXPECT(trampfd_pread(fd, buf, slen - 1, TRAMPFD_OFFSET(3, TRAMPFD_STACK_OFFSET)), -EINVAL);
	t_expect_ctx(fd, 3, TRAMPFD_REGS_OFFSET, &r2, len2, "regs after stack write");

	/* Removal. */
	T_EXPECT(t_remove_stack(fd, 3), sizeof(s0));
	t_expect_ctx(fd, 3, TRAMPFD_STACK_OFFSET, &s0, sizeof(s0), "removed stack");
	t_expect_ctx(fd, 3, TRAMPFD_REGS_OFFSET, &r2, len2, "regs after stack removal");
	T_EXPECT(t_remove_regs(fd, 3), sizeof(h0));
	t_expect_ctx(fd, 3, TRAMPFD_REGS_OFFSET, &h0, sizeof(h0), "removed regs");
	T_EXPECT(t_remove_regs(fd, 2), sizeof(h0));
	t_expect_ctx(fd, 2, TRAMPFD_REGS_OFFSET, &h0, sizeof(h0), "removing an unset context");

	/* MAP: stable, never writable, large enough. */
	memset(&m1, 0xa5, sizeof(m1));
	memset(&m2, 0x5a, sizeof(m2));
	T_EXPECT(trampfd_pread(fd, &m1, sizeof(m1), TRAMPFD_MAP_OFFSET), sizeof(m1));
	T_EXPECT(trampfd_pread(fd, &m2, sizeof(m2), TRAMPFD_MAP_OFFSET), sizeof(m2));
	T_ASSERT(!memcmp(&m1, &m2, sizeof(m1)), "MAP reads differ");
	T_ASSERT(!(m1.prot & PROT_WRITE), "MAP prot %#x includes PROT_WRITE", m1.prot);
	T_ASSERT(m1.stride > 0 && m1.size > 0, "MAP size %u stride %u", m1.size, m1.stride);
	T_ASSERT((uint64_t)m1.ioffset + 4ULL * m1.stride <= m1.size,
		 "MAP ioffset %u + 4 * stride %u > size %u", m1.ioffset, m1.stride, m1.size);
	T_EXPECT(trampfd_close(fd), 0);
	return t_pass();
}
