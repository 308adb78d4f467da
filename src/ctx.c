// SPDX-License-Identifier: MIT
/*
 * Context validation (DESIGN §3.3, §3.4). Pure functions over a caller's
 * buffer: they decide, they never store, so a failed write changes nothing.
 */
#include <errno.h>
#include <string.h>
#include "internal.h"
#include "arch.h"

static int pc_allowed(uint64_t pc, const struct tfd_pcs *allowed)
{
	unsigned int i;

	if (!allowed || !allowed->n)
		return 1;
	for (i = 0; i < allowed->n; i++)
		if (allowed->pc[i] == pc)
			return 1;
	return 0;
}

int tfd_check_regs(const void *buf, size_t len, const struct tfd_pcs *allowed,
		   uint32_t reserved)
{
	struct trampfd_regs hdr;
	uint64_t seen[(TRAMPFD_NUM_REGS + 63) / 64] = { 0 };
	uint64_t pc = 0;
	unsigned int i;
	int have_pc = 0;

	if (len < sizeof(hdr))
		return -EINVAL;
	memcpy(&hdr, buf, sizeof(hdr));
	if (hdr.reserved || hdr.nregs > TRAMPFD_MAX_REGS ||
	    len != sizeof(hdr) + (size_t)hdr.nregs * sizeof(struct trampfd_reg))
		return -EINVAL;
	for (i = 0; i < hdr.nregs; i++) {
		struct trampfd_reg r;

		memcpy(&r, (const char *)buf + sizeof(hdr) + i * sizeof(r), sizeof(r));
		if (r.reserved || !tfd_reg_valid(r.name) ||
		    (r.name != TFD_REG_PC && (reserved >> (r.name - TFD_REG_FIRST)) & 1))
			return -EINVAL;
		if (seen[r.name / 64] & (1ULL << (r.name % 64)))
			return -EINVAL;
		seen[r.name / 64] |= 1ULL << (r.name % 64);
		if (r.name == TFD_REG_PC) {
			have_pc = 1;
			pc = r.value;
		}
	}
	if (hdr.nregs && (!have_pc || !pc || !pc_allowed(pc, allowed)))
		return -EINVAL;
	return 0;
}

int tfd_check_stack(const void *buf, size_t len)
{
	struct trampfd_stack s;

	if (len < sizeof(s))
		return -EINVAL;
	memcpy(&s, buf, sizeof(s));
	if (s.reserved || (s.flags & ~TRAMPFD_STACK_FLAGS) ||
	    s.size > TRAMPFD_MAX_STACK_SIZE || s.offset > TRAMPFD_MAX_STACK_OFFSET ||
	    len != sizeof(s) + s.size)
		return -EINVAL;
	if (s.size % 8 || s.offset % 8)
		return -EINVAL;
	if ((s.flags & TRAMPFD_SET_SP) && ((s.size + s.offset) % TFD_SP_ALIGN))
		return -EINVAL;
	return 0;
}

int tfd_check_pcs(const void *buf, size_t len, struct tfd_pcs *out)
{
	struct trampfd_values v;
	unsigned int i;

	if (len < sizeof(v))
		return -EINVAL;
	memcpy(&v, buf, sizeof(v));
	if (v.reserved || !v.nvalues || v.nvalues > TRAMPFD_MAX_PCS ||
	    len != sizeof(v) + (size_t)v.nvalues * sizeof(uint64_t))
		return -EINVAL;
	out->n = v.nvalues;
	memcpy(out->pc, (const char *)buf + sizeof(v), v.nvalues * sizeof(uint64_t));
	for (i = 0; i < v.nvalues; i++)
		if (!out->pc[i])
			return -EINVAL;
	return 0;
}

void tfd_decode_regs(const void *buf, struct tfd_regset *rs)
{
	struct trampfd_regs hdr;
	unsigned int i;

	memcpy(&hdr, buf, sizeof(hdr));
	rs->mask = 0;
	for (i = 0; i < hdr.nregs; i++) {
		struct trampfd_reg r;

		memcpy(&r, (const char *)buf + sizeof(hdr) + i * sizeof(r), sizeof(r));
		rs->mask |= 1U << (r.name - TFD_REG_FIRST);
		rs->val[r.name - TFD_REG_FIRST] = r.value;
	}
}

bool tfd_reg_valid(uint32_t name)
{
	return tfd_arch_reg_valid(name);
}
