// SPDX-License-Identifier: MIT
/*
 * Register-context validation (docs/design.md §3.3): reserved fields, exact length,
 * nregs > TRAMPFD_MAX_REGS, duplicate names, names not valid for this
 * architecture, no PC, PC 0. Each is -EINVAL and changes nothing: a set
 * context reads back as before, an unset one stays unset and faults.
 */
#include <errno.h>
#include "t.h"

static int fd;
static struct t_regs a;
static size_t alen;

/* A length past the end of the buffer may also be -EFAULT. */
static int refused(long got, size_t len)
{
	return got == -EINVAL || (got == -EFAULT && len > sizeof(struct t_regs) + 64);
}

static void bad(const struct t_regs *r, size_t len, const char *what)
{
	struct trampfd_regs h0 = { 0 };
	long got;

	got = trampfd_pwrite(fd, r, len, TRAMPFD_OFFSET(0, TRAMPFD_REGS_OFFSET));
	if (!refused(got, len))
		t_fail("%s: pwrite over a set context: %ld, want -EINVAL", what, got);
	t_expect_ctx(fd, 0, TRAMPFD_REGS_OFFSET, &a, alen, what);
	got = trampfd_pwrite(fd, r, len, TRAMPFD_OFFSET(1, TRAMPFD_REGS_OFFSET));
	if (!refused(got, len))
		t_fail("%s: pwrite to an unset context: %ld, want -EINVAL", what, got);
	t_expect_ctx(fd, 1, TRAMPFD_REGS_OFFSET, &h0, sizeof(h0), what);
}

/* Builds {ARG0 = 7, extra..., PC = target}. */
static size_t build(struct t_regs *r, uint32_t extra_name, int with_extra)
{
	uint32_t names[3] = { TRAMPFD_REG_ARG0, TRAMPFD_REG_PC, extra_name };
	uint64_t vals[3] = { 7, (uint64_t)(uintptr_t)t_ret_arg0, 0x99 };

	return t_regs_fill(r, with_extra ? 3 : 2, names, vals);
}

int main(void)
{
#if defined(__x86_64__)
	static const uint32_t invalid[] = { x32_eax, x32_ebx, x32_ecx, x32_edx,
		x32_esi, x32_edi, x32_ebp, x32_eip, 24, 25, 26, 27, 28, 29, 30, 31,
		arm64_r0, arm64_r0 + 1, arm64_r0 + 29 - 1, arm64_r28, arm64_pc,
		TRAMPFD_NUM_REGS, TRAMPFD_NUM_REGS + 1, 64, 0x80000000U, 0xffffffffU };
#else
	static const uint32_t invalid[] = { x32_eax, x32_eip, x64_rax, x64_rdi,
		x64_r15, x64_rip, 24, 31, TRAMPFD_NUM_REGS, 64, 0xffffffffU };
#endif
	struct t_regs r;
	struct { struct trampfd_regs h; struct trampfd_reg r[TRAMPFD_MAX_REGS + 1]; } big;
	size_t len, i;
	uint64_t ret;
	struct t_table t;

	t_init();
	t_table(&t, 2, 0);
	fd = t.fd;
	alen = build(&a, 0, 0);
	a.r[0].value = 0xa11ce;
	T_EXPECT(trampfd_pwrite(fd, &a, alen, TRAMPFD_REGS_OFFSET), alen);

	len = build(&r, 0, 0);
	r.h.reserved = 1;
	bad(&r, len, "regs.reserved = 1");
	r.h.reserved = 0x80000000U;
	bad(&r, len, "regs.reserved = 0x80000000");
	len = build(&r, 0, 0);
	r.r[0].reserved = 1;
	bad(&r, len, "reg[0].reserved = 1");
	len = build(&r, 0, 0);
	r.r[1].reserved = 0xffffffffU;
	bad(&r, len, "reg[1].reserved = ~0");

	len = build(&r, 0, 0);
	bad(&r, len - 1, "length one short");
	bad(&r, len + 1, "length one long");
	bad(&r, len - sizeof(struct trampfd_reg), "length one reg short");
	bad(&r, len + sizeof(struct trampfd_reg), "length one reg long");
	bad(&r, sizeof(struct trampfd_regs) - 1, "half a header");
	bad(&r, 0, "length 0");
	r.h.nregs = 0xffffffffU;
	bad(&r, len, "nregs ~0");
	r.h.nregs = 0x10000001U;	/* * 16 wraps to 16 in 32 bits */
	bad(&r, sizeof(r.h) + 16, "nregs overflowing the length");

	bad(&r, (size_t)-1, "length SIZE_MAX");
	bad(&r, 1 << 20, "length 1 MiB");

	/* Removal is a context write too: header only, reserved 0. */
	memset(&r, 0, sizeof(r));
	r.h.reserved = 1;
	bad(&r, sizeof(r.h), "removal with reserved 1");
	r.h.reserved = 0;
	bad(&r, sizeof(r.h) + sizeof(r.r[0]), "removal with a register's length");
	bad(&r, sizeof(r.h) + 1, "removal one long");

	memset(&big, 0, sizeof(big));
	big.h.nregs = TRAMPFD_MAX_REGS + 1;
	for (i = 0; i <= TRAMPFD_MAX_REGS; i++) {
		big.r[i].name = i ? TRAMPFD_REG_ARG0 : TRAMPFD_REG_PC;
		big.r[i].value = i ? i : (uint64_t)(uintptr_t)t_ret_arg0;
	}
	bad((struct t_regs *)&big, sizeof(big), "nregs 41");

	len = build(&r, TRAMPFD_REG_ARG0, 1);
	bad(&r, len, "ARG0 twice");
	len = build(&r, TRAMPFD_REG_PC, 1);
	bad(&r, len, "PC twice");
	for (i = 0; i < sizeof(invalid) / sizeof(invalid[0]); i++) {
		char what[64];

		len = build(&r, invalid[i], 1);
		snprintf(what, sizeof(what), "register name %u", invalid[i]);
		bad(&r, len, what);
	}

	len = build(&r, 0, 0);
	r.h.nregs = 1;	/* ARG0 only: no PC */
	bad(&r, sizeof(r.h) + sizeof(r.r[0]), "no PC");
	len = build(&r, 0, 0);
	r.r[1].value = 0;
	bad(&r, len, "PC = 0");

	/* Still callable with the first context; unset index 1 still faults. */
	T_EXPECT(t_sig_call_tramp(t_slot(&t, 0), &ret), 0);
	T_EXPECT(ret, 0xa11ce);
	T_EXPECT(t_sig_call_tramp(t_slot(&t, 1), NULL), SIGSEGV);

	/* Positive control: the same builder with valid input is accepted. */
	len = build(&r, TRAMPFD_REG_ARG1, 1);
	T_EXPECT(trampfd_pwrite(fd, &r, len, TRAMPFD_OFFSET(1, TRAMPFD_REGS_OFFSET)), len);
	t_expect_ctx(fd, 1, TRAMPFD_REGS_OFFSET, &r, len, "valid write");
	T_EXPECT(t_sig_call_tramp(t_slot(&t, 1), &ret), 0);
	T_EXPECT(ret, 7);
	T_EXPECT(trampfd_close(fd), 0);
	T_EXPECT(trampfd_munmap(t.base), 0);
	return t_pass();
}
