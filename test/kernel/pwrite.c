// SPDX-License-Identifier: MIT
/*
 * pread/pwrite abuse in both modes: exact sizes, reserved fields, names,
 * PC rules, stack limits, index and offset decoding, bad pointers, the
 * allowed-PC list rules, and exact read-back.
 */
#include "kt.h"

static void pc(void) {}
static void *volatile nul;
static unsigned char huge[2048];

/* n - 1 general registers (n <= 16), then the PC. */
static struct kt_regs rg(unsigned int n)
{
	struct kt_regs r = { .h.nregs = n };
	unsigned int k;

	for (k = 0; k + 1 < n; k++) {
		r.r[k].name = KT_REG_FIRST + k;
		r.r[k].value = 0x1000 + k;
	}
	if (n)
		r.r[n - 1].name = TRAMPFD_REG_PC, r.r[n - 1].value = (uintptr_t)pc;
	return r;
}

#define RLEN(n) (8 + 16 * (n))
#define W(fd, b, l, i, c) pwrite(fd, b, l, TRAMPFD_OFFSET(i, c))
#define R(fd, b, l, i, c) pread(fd, b, l, TRAMPFD_OFFSET(i, c))

static void one(unsigned int mode)
{
	struct {
		struct trampfd_stack h;
		uint8_t d[72];
	} st = { { 0, 8, 16, 0 }, { 1, 2, 3, 4, 5, 6, 7, 8, 9, 10 } };
	struct {
		struct trampfd_values h;
		uint64_t v[17];
	} pcs = { { 1, 0 }, { (uintptr_t)pc } };
	struct kt_regs r, back;
	unsigned char big[1024];
	int fd = kt_create(mode, 4), k;

	if (fd < 0)
		kt_fail("create: %s", strerror(-fd));
	/* Unset contexts read as their header alone. */
	memset(big, 0xff, sizeof(big));
	KT_EQ(R(fd, big, sizeof(big), 1, TRAMPFD_REGS_OFFSET), 8);
	for (k = 0; k < 8; k++)
		if (big[k])
			kt_fail("unset regs header not zero");
	KT_EQ(R(fd, big, sizeof(big), 1, TRAMPFD_STACK_OFFSET), 16);
	KT_EQ(R(fd, big, 7, 1, TRAMPFD_REGS_OFFSET), -EINVAL);
	KT_EQ(R(fd, big, 15, 1, TRAMPFD_STACK_OFFSET), -EINVAL);
	KT_EQ(R(fd, big, 23, 0, TRAMPFD_MAP_OFFSET), -EINVAL);
	KT_EQ(R(fd, big, 24, 0, TRAMPFD_MAP_OFFSET), 24);
	KT_EQ(R(fd, big, 24, 1, TRAMPFD_MAP_OFFSET), -EINVAL);
	KT_EQ(R(fd, big, 1024, 0, TRAMPFD_ALLOWED_PCS_OFFSET), -EINVAL);
	KT_EQ(R(fd, big, 1024, 4, TRAMPFD_REGS_OFFSET), -EINVAL);
	KT_EQ(R(fd, big, 1024, 0, 0x4000), -EINVAL);
	KT_EQ(R(fd, big, 1024, 0, 0x1008), -EINVAL);
	KT_EQ(R(fd, nul, 1024, 0, TRAMPFD_MAP_OFFSET), -EFAULT);
	KT_EQ(R(fd, (char *)nul + 1, 1024, 0, TRAMPFD_REGS_OFFSET), -EFAULT);

	/* Register contexts. */
	r = rg(3);
	KT_EQ(W(fd, &r, RLEN(3) - 1, 0, TRAMPFD_REGS_OFFSET), -EINVAL);
	KT_EQ(W(fd, &r, RLEN(3) + 1, 0, TRAMPFD_REGS_OFFSET), -EINVAL);
	KT_EQ(W(fd, &r, RLEN(3) + 16, 0, TRAMPFD_REGS_OFFSET), -EINVAL);
	KT_EQ(W(fd, &r, 4, 0, TRAMPFD_REGS_OFFSET), -EINVAL);
	KT_EQ(W(fd, &r, 0, 0, TRAMPFD_REGS_OFFSET), -EINVAL);
	KT_EQ(W(fd, &r, RLEN(3), 4, TRAMPFD_REGS_OFFSET), -EINVAL);
	KT_EQ(W(fd, &r, RLEN(3), 1, TRAMPFD_MAP_OFFSET), -EINVAL);
	KT_EQ(W(fd, &r, RLEN(3), 0, TRAMPFD_MAP_OFFSET), -EINVAL);
	KT_EQ(W(fd, &r, RLEN(3), 0, 0x1010), -EINVAL);
	KT_EQ(W(fd, nul, RLEN(3), 0, TRAMPFD_REGS_OFFSET), -EFAULT);
	KT_EQ(W(fd, (void *)-4096L, RLEN(3), 0, TRAMPFD_REGS_OFFSET), -EFAULT);
	r.h.reserved = 1;
	KT_EQ(W(fd, &r, RLEN(3), 0, TRAMPFD_REGS_OFFSET), -EINVAL);
	r = rg(3); r.r[0].reserved = 1;
	KT_EQ(W(fd, &r, RLEN(3), 0, TRAMPFD_REGS_OFFSET), -EINVAL);
	r = rg(3); r.r[0].name = x32_eax;
	KT_EQ(W(fd, &r, RLEN(3), 0, TRAMPFD_REGS_OFFSET), -EINVAL);
	r = rg(3); r.r[0].name = KT_REG_FOREIGN;
	KT_EQ(W(fd, &r, RLEN(3), 0, TRAMPFD_REGS_OFFSET), -EINVAL);
	r = rg(3); r.r[0].name = 0xffffffff;
	KT_EQ(W(fd, &r, RLEN(3), 0, TRAMPFD_REGS_OFFSET), -EINVAL);
	r = rg(3); r.r[1].name = r.r[0].name;
	KT_EQ(W(fd, &r, RLEN(3), 0, TRAMPFD_REGS_OFFSET), -EINVAL);
	r = rg(3); r.r[2].name = KT_REG_LAST;	/* no PC */
	KT_EQ(W(fd, &r, RLEN(3), 0, TRAMPFD_REGS_OFFSET), -EINVAL);
	r = rg(3); r.r[2].value = 0;		/* PC 0 */
	KT_EQ(W(fd, &r, RLEN(3), 0, TRAMPFD_REGS_OFFSET), -EINVAL);
	r = rg(16); r.r[16] = r.r[3]; r.h.nregs = 17;	/* repeats a name */
	KT_EQ(W(fd, &r, RLEN(17), 0, TRAMPFD_REGS_OFFSET), -EINVAL);
	memcpy(huge, &r, sizeof(r));
	((struct trampfd_regs *)huge)->nregs = 41;
	KT_EQ(W(fd, huge, RLEN(41), 0, TRAMPFD_REGS_OFFSET), -EINVAL);
	((struct trampfd_regs *)huge)->nregs = 0x10000001; /* 8 + 16n wraps */
	KT_EQ(W(fd, huge, 24, 0, TRAMPFD_REGS_OFFSET), -EINVAL);
	/* Nothing changed on failure. */
	KT_EQ(R(fd, big, sizeof(big), 0, TRAMPFD_REGS_OFFSET), 8);
	r = rg(16);
	KT_EQ(W(fd, &r, RLEN(16), 3, TRAMPFD_REGS_OFFSET), RLEN(16));
	memset(&back, 0xee, sizeof(back));
	KT_EQ(R(fd, &back, RLEN(16) - 1, 3, TRAMPFD_REGS_OFFSET), -EINVAL);
	KT_EQ(R(fd, &back, sizeof(back), 3, TRAMPFD_REGS_OFFSET), RLEN(16));
	if (memcmp(&back, &r, RLEN(16)))
		kt_fail("regs read-back differs");

	/* Stack contexts. */
	KT_EQ(W(fd, &st, 16 + 16, 3, TRAMPFD_STACK_OFFSET), 32);
	memset(big, 0, sizeof(big));
	KT_EQ(R(fd, big, sizeof(big), 3, TRAMPFD_STACK_OFFSET), 32);
	if (memcmp(big, &st, 32))
		kt_fail("stack read-back differs");
	KT_EQ(W(fd, &st, 16 + 15, 0, TRAMPFD_STACK_OFFSET), -EINVAL);
	KT_EQ(W(fd, &st, 16 + 17, 0, TRAMPFD_STACK_OFFSET), -EINVAL);
	KT_EQ(W(fd, &st, 8, 0, TRAMPFD_STACK_OFFSET), -EINVAL);
	st.h.flags = 2;
	KT_EQ(W(fd, &st, 32, 0, TRAMPFD_STACK_OFFSET), -EINVAL);
	st.h.flags = TRAMPFD_SET_SP; st.h.reserved = 1;
	KT_EQ(W(fd, &st, 32, 0, TRAMPFD_STACK_OFFSET), -EINVAL);
	st.h.reserved = 0; st.h.size = 72;
	KT_EQ(W(fd, &st, 16 + 72, 0, TRAMPFD_STACK_OFFSET), -EINVAL);
	st.h.size = 12;
	KT_EQ(W(fd, &st, 16 + 12, 0, TRAMPFD_STACK_OFFSET), -EINVAL);
	st.h.size = 16; st.h.offset = 264;
	KT_EQ(W(fd, &st, 32, 0, TRAMPFD_STACK_OFFSET), -EINVAL);
	st.h.offset = 4;
	KT_EQ(W(fd, &st, 32, 0, TRAMPFD_STACK_OFFSET), -EINVAL);
	/* A moved stack pointer keeps the ABI's alignment; an unmoved one need not. */
	st.h.offset = 8;
	KT_EQ(W(fd, &st, 32, 0, TRAMPFD_STACK_OFFSET), KT_SP_ALIGN > 8 ? -EINVAL : 32);
	st.h.offset = 16; st.h.size = 8;
	KT_EQ(W(fd, &st, 24, 0, TRAMPFD_STACK_OFFSET), KT_SP_ALIGN > 8 ? -EINVAL : 24);
	st.h.offset = 8; st.h.size = 8;
	KT_EQ(W(fd, &st, 24, 0, TRAMPFD_STACK_OFFSET), 24);
	st.h.offset = 16; st.h.size = 16;
	KT_EQ(W(fd, &st, 32, 0, TRAMPFD_STACK_OFFSET), 32);
	st.h.flags = 0; st.h.offset = 8; st.h.size = 8;
	KT_EQ(W(fd, &st, 24, 0, TRAMPFD_STACK_OFFSET), 24);
	st.h.flags = TRAMPFD_SET_SP;
	st.h.offset = 256; st.h.size = 64;
	KT_EQ(W(fd, &st, 16 + 64, 0, TRAMPFD_STACK_OFFSET), 80);
	st.h.size = 0;
	KT_EQ(W(fd, &st, 16, 0, TRAMPFD_STACK_OFFSET), 16);
	KT_EQ(R(fd, big, sizeof(big), 0, TRAMPFD_STACK_OFFSET), 16);
	for (k = 0; k < 16; k++)
		if (big[k])
			kt_fail("removed stack does not read as zero header");

	/* Allowed PCs: only before any register context, once. */
	KT_EQ(W(fd, &pcs, 16, 0, TRAMPFD_ALLOWED_PCS_OFFSET), -EPERM);
	close(fd);
	fd = kt_create(mode, 2);
	KT_EQ(W(fd, &pcs, 16, 1, TRAMPFD_ALLOWED_PCS_OFFSET), -EINVAL);
	KT_EQ(W(fd, &pcs, 15, 0, TRAMPFD_ALLOWED_PCS_OFFSET), -EINVAL);
	KT_EQ(W(fd, &pcs, 24, 0, TRAMPFD_ALLOWED_PCS_OFFSET), -EINVAL);
	pcs.h.nvalues = 0;
	KT_EQ(W(fd, &pcs, 8, 0, TRAMPFD_ALLOWED_PCS_OFFSET), -EINVAL);
	pcs.h.nvalues = 17;
	KT_EQ(W(fd, &pcs, 8 + 8 * 17, 0, TRAMPFD_ALLOWED_PCS_OFFSET), -EINVAL);
	pcs.h.nvalues = 2; pcs.v[1] = 0;
	KT_EQ(W(fd, &pcs, 24, 0, TRAMPFD_ALLOWED_PCS_OFFSET), -EINVAL);
	pcs.h.nvalues = 1; pcs.h.reserved = 1;
	KT_EQ(W(fd, &pcs, 16, 0, TRAMPFD_ALLOWED_PCS_OFFSET), -EINVAL);
	pcs.h.reserved = 0;
	KT_EQ(W(fd, nul, 16, 0, TRAMPFD_ALLOWED_PCS_OFFSET), -EFAULT);
	KT_EQ(W(fd, &pcs, 16, 0, TRAMPFD_ALLOWED_PCS_OFFSET), 16);
	KT_EQ(W(fd, &pcs, 16, 0, TRAMPFD_ALLOWED_PCS_OFFSET), -EPERM);
	r = rg(2);
	KT_EQ(W(fd, &r, RLEN(2), 1, TRAMPFD_REGS_OFFSET), RLEN(2));
	r.r[1].value = (uintptr_t)pc + 1;
	KT_EQ(W(fd, &r, RLEN(2), 1, TRAMPFD_REGS_OFFSET), -EINVAL);
	KT_EQ(R(fd, &back, sizeof(back), 1, TRAMPFD_REGS_OFFSET), RLEN(2));
	if (back.r[1].value != (uintptr_t)pc)
		kt_fail("rejected write changed the context");
	close(fd);
}

int main(void)
{
	one(TRAMPFD_FAULT);
	one(TRAMPFD_CODE);
	return 0;
}
