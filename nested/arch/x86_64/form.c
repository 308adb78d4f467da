// SPDX-License-Identifier: MIT
/*
 * x86_64: GCC's stack trampoline (gcc/config/i386's trampoline_init, as
 * gcc 12 writes it; trampfd-nested(7)):
 *   [f3 0f 1e fa]                endbr64, with -fcf-protection
 *   49 bb <fn:8> | 41 bb <fn:4>  movabs $fn, %r11 | movl $fn, %r11d
 *   49 ba <chain:8>              movabs $chain, %r10
 *   49 ff e3 90                  jmp *%r11; nop (pads one 32-bit store)
 */
#include <string.h>
#include "nested.h"

#define PF_PROT		0x1	/* page-fault error code: the page was present */
#define PF_INSTR	0x10	/* ... the access was an instruction fetch */
#define TRAP_PF		14

static uint64_t imm(const unsigned char *p, size_t n)
{
	uint64_t v = 0;

	memcpy(&v, p, n);	/* little endian */
	return v;
}

int nt_decode(const unsigned char *b, size_t avail, struct nt_form *f)
{
	static const unsigned char endbr[4] = { 0xf3, 0x0f, 0x1e, 0xfa };
	static const unsigned char jmp[4] = { 0x49, 0xff, 0xe3, 0x90 };
	size_t i = 0, fnlen, need;

	if (avail < 4)
		return 4;
	if (!memcmp(b, endbr, 4))
		i = 4;
	if (avail < i + 2)
		return i + 2;
	if (b[i] == 0x49 && b[i + 1] == 0xbb)
		fnlen = 8;
	else if (b[i] == 0x41 && b[i + 1] == 0xbb)
		fnlen = 4;
	else
		return -1;
	need = i + 2 + fnlen + 10 + 4;
	if (avail < need)
		return need;
	if (b[i + 2 + fnlen] != 0x49 || b[i + 3 + fnlen] != 0xba ||
	    memcmp(b + i + 12 + fnlen, jmp, 4))
		return -1;
	f->fn = imm(b + i + 2, fnlen);
	f->chain = imm(b + i + 4 + fnlen, 8);
	return 0;
}

/* The kernel passes the page fault's error code in the frame (err). */
bool nt_fetch_fault(const ucontext_t *uc, const siginfo_t *si, bool *readable)
{
	const greg_t *g = uc->uc_mcontext.gregs;

	if (g[REG_TRAPNO] != TRAP_PF || !(g[REG_ERR] & PF_INSTR) ||
	    (uintptr_t)g[REG_RIP] != (uintptr_t)si->si_addr)
		return false;
	/* Present: x86 user pages are all readable (PROT_NONE is not present). */
	*readable = g[REG_ERR] & PF_PROT;
	return true;
}

void nt_enter(ucontext_t *uc, const struct nt_form *f)
{
	uc->uc_mcontext.gregs[REG_R11] = f->fn;
	uc->uc_mcontext.gregs[REG_R10] = f->chain;
	uc->uc_mcontext.gregs[REG_RIP] = f->fn;
}
