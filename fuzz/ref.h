/* SPDX-License-Identifier: MIT */
/*
 * Reference validators for the fuzz targets, written from docs/design.md §2/§3.3
 * and not from src/ctx.c, so the two can disagree.
 */
#ifndef FUZZ_REF_H
#define FUZZ_REF_H

#include <errno.h>
#include <stdint.h>
#include <string.h>
#include <linux/trampfd.h>

#if defined(__x86_64__)
#define REF_REG_FIRST	x64_rax
#define REF_REG_LAST	x64_rip
#define REF_REG_PC	x64_rip
#define REF_SP_ALIGN	8
/* A code-mode slot on x86_64 loads every name itself: none is reserved. */
#define REF_CODE_RESERVED(name)	0
#else
#error "fuzz/ref.h knows x86_64"
#endif

struct ref_pcs {
	unsigned int n;
	uint64_t pc[TRAMPFD_MAX_PCS];
};

static uint32_t get32(const uint8_t *p)
{
	uint32_t v;

	memcpy(&v, p, 4);
	return v;
}

static uint64_t get64(const uint8_t *p)
{
	uint64_t v;

	memcpy(&v, p, 8);
	return v;
}

/* Reference: docs/design.md §3.3 for a register context. */
static int ref_regs(const uint8_t *b, size_t len, const struct ref_pcs *pcs, int code)
{
	uint32_t nregs, k;
	int seen[256] = { 0 };
	uint64_t pc = 0;
	int have_pc = 0;

	if (len < 8)
		return -EINVAL;
	nregs = get32(b);
	if (get32(b + 4) || nregs > TRAMPFD_MAX_REGS || len != 8 + 16 * (size_t)nregs)
		return -EINVAL;
	for (k = 0; k < nregs; k++) {
		uint32_t name = get32(b + 8 + 16 * k);

		if (get32(b + 12 + 16 * k))
			return -EINVAL;
		if (name < REF_REG_FIRST || name > REF_REG_LAST || seen[name]++)
			return -EINVAL;
		if (code && name != REF_REG_PC && REF_CODE_RESERVED(name))
			return -EINVAL;
		if (name == REF_REG_PC) {
			have_pc = 1;
			pc = get64(b + 16 + 16 * k);
		}
	}
	if (!nregs)
		return 0;
	if (!have_pc || !pc)
		return -EINVAL;
	if (pcs && pcs->n) {
		for (k = 0; k < pcs->n; k++)
			if (pcs->pc[k] == pc)
				return 0;
		return -EINVAL;
	}
	return 0;
}

static int ref_stack(const uint8_t *b, size_t len)
{
	uint32_t flags, off, size;

	if (len < 16)
		return -EINVAL;
	flags = get32(b);
	off = get32(b + 4);
	size = get32(b + 8);
	if (get32(b + 12) || (flags & ~TRAMPFD_SET_SP) || size > TRAMPFD_MAX_STACK_SIZE ||
	    off > TRAMPFD_MAX_STACK_OFFSET || len != 16 + (size_t)size ||
	    size % 8 || off % 8)
		return -EINVAL;
	if ((flags & TRAMPFD_SET_SP) && (size + off) % REF_SP_ALIGN)
		return -EINVAL;
	return 0;
}

static int ref_pcs(const uint8_t *b, size_t len)
{
	uint32_t n, k;

	if (len < 8)
		return -EINVAL;
	n = get32(b);
	if (get32(b + 4) || !n || n > TRAMPFD_MAX_PCS || len != 8 + 8 * (size_t)n)
		return -EINVAL;
	for (k = 0; k < n; k++)
		if (!get64(b + 8 + 8 * k))
			return -EINVAL;
	return 0;
}

/* Reference: symbolic offsets of a table of n trampolines. */
static inline int ref_offset(int64_t pos, uint32_t n, uint32_t *index, uint32_t *ctx)
{
	if (pos < 0 || (uint64_t)pos / 65536 >= n)
		return -EINVAL;
	*index = (uint64_t)pos / 65536;
	*ctx = (uint64_t)pos % 65536;
	if (*ctx == TRAMPFD_REGS_OFFSET || *ctx == TRAMPFD_STACK_OFFSET)
		return 0;
	if (*ctx == TRAMPFD_MAP_OFFSET || *ctx == TRAMPFD_ALLOWED_PCS_OFFSET)
		return *index == 0 ? 0 : -EINVAL;
	return -EINVAL;
}

#endif
