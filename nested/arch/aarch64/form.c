// SPDX-License-Identifier: MIT
/*
 * aarch64: GCC's stack trampoline (gcc/config/aarch64's trampoline
 * template; gcc 12 writes the first, older releases the others):
 *   bti c; ldr x17, F; ldr x18, C; br x17; dsb sy; isb;  F: fn  C: chain
 *   ldr x17, F; ldr x18, C; br x17; dsb sy; isb; .word 0; F: fn  C: chain
 * and both without "dsb sy; isb" (before the straight-line-speculation
 * barrier). The literals follow the code; both loads must point at them.
 */
#include <string.h>
#include "nested.h"

#define BTI_C		0xd503245fu
#define BR_X17		0xd61f0220u
#define DSB_SY		0xd5033f9fu
#define ISB		0xd5033fdfu
#define LDR_LIT_X(rt)	(0x58000000u | (rt))	/* imm19 in bits 5..23 */
#define LDR_LIT_MASK	0xff00001fu
#ifndef ESR_MAGIC	/* <asm/sigcontext.h>, through <signal.h> */
#define ESR_MAGIC	0x45535201
#endif
#define ESR_EC_IABT_LOW	0x20u
#ifndef PSR_BTYPE_MASK
#define PSR_BTYPE_MASK	0xc00u
#endif
#define PSR_BTYPE_J	0x400u	/* what br x17 leaves for the target's bti */

static uint32_t word(const unsigned char *b, size_t i)
{
	uint32_t w;

	memcpy(&w, b + 4 * i, 4);
	return w;
}

/* Does instruction i load register rt from byte offset lit of the form? */
static bool ldr_to(uint32_t w, unsigned int rt, size_t i, size_t lit)
{
	return (w & LDR_LIT_MASK) == LDR_LIT_X(rt) && ((w >> 5) & 0x7ffff) * 4 == lit - 4 * i;
}

int nt_decode(const unsigned char *b, size_t avail, struct nt_form *f)
{
	size_t i = 0, n, code;

	if (avail < 4)
		return 4;
	if (word(b, 0) == BTI_C)
		i = 1;
	/* Enough for the longest code that can follow: ldr, ldr, br, dsb, isb, pad. */
	n = (i + 6) * 4;
	if (avail < n)
		return n;
	if (word(b, i + 2) != BR_X17)
		return -1;
	code = i + 3;
	if (word(b, code) == DSB_SY && word(b, code + 1) == ISB)
		code += 2;
	if (!i) {
		if (word(b, code) != 0)
			return -1;
		code++;
	}
	code *= 4;
	if (!ldr_to(word(b, i), 17, i, code) || !ldr_to(word(b, i + 1), 18, i + 1, code + 8))
		return -1;
	if (avail < code + 16)
		return code + 16;
	memcpy(&f->fn, b + code, 8);
	memcpy(&f->chain, b + code + 8, 8);
	return 0;
}

/* The ESR record of the signal frame, or 0 where there is none (qemu-user). */
static uint64_t frame_esr(const ucontext_t *uc)
{
	const unsigned char *p = (const unsigned char *)uc->uc_mcontext.__reserved;
	size_t off = 0, len = sizeof(uc->uc_mcontext.__reserved);
	uint32_t magic, size;
	uint64_t esr;

	while (off + 16 <= len) {
		memcpy(&magic, p + off, 4);
		memcpy(&size, p + off + 4, 4);
		if (!magic || size < 8 || size > len - off)
			break;
		if (magic == ESR_MAGIC) {
			memcpy(&esr, p + off + 8, 8);
			return esr;
		}
		off += size;
	}
	return 0;
}

bool nt_fetch_fault(const ucontext_t *uc, const siginfo_t *si, bool *readable)
{
	uint64_t esr = frame_esr(uc);

	if ((uintptr_t)uc->uc_mcontext.pc != (uintptr_t)si->si_addr)
		return false;
	if (esr && ((esr >> 26) & 0x3f) != ESR_EC_IABT_LOW)
		return false;
	/* A permission fault (IFSC 0b0011xx): the page is valid, hence readable. */
	*readable = esr && (esr & 0x3c) == 0x0c;
	return true;
}

void nt_enter(ucontext_t *uc, const struct nt_form *f)
{
	uc->uc_mcontext.regs[17] = f->fn;
	uc->uc_mcontext.regs[18] = f->chain;
	uc->uc_mcontext.pc = f->fn;
	uc->uc_mcontext.pstate = (uc->uc_mcontext.pstate & ~PSR_BTYPE_MASK) | PSR_BTYPE_J;
}
