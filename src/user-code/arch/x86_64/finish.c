// SPDX-License-Identifier: MIT
/*
 * User provider, code mode, x86_64: a grace period's work in one thread
 * (src/user-code/grace.c). A call stopped inside a slot's window (after the
 * cmp that read sel, before the final jmp) is finished in the ucontext:
 * R = the bank's value, rip = its target, so the thread never reads the
 * retired bank. One inside the general loader has the record applied the
 * same way; one inside an entry stub answers "busy" and is asked again.
 */
#include <signal.h>
#include <stddef.h>
#include <string.h>
#include <ucontext.h>
#include "user-code/code.h"

/* loader.S: labels inside uc_common (the states finish_loader knows). */
extern const char uc_common[], uc_common_rcx[], uc_common_body[], uc_common_done[];

/* Hardware register number -> gregs index. */
static const unsigned char greg_hw[16] = {
	REG_RAX, REG_RCX, REG_RDX, REG_RBX, REG_RSP, REG_RBP, REG_RSI, REG_RDI,
	REG_R8, REG_R9, REG_R10, REG_R11, REG_R12, REG_R13, REG_R14, REG_R15,
};

/*
 * Finishes a call stopped inside uc_common before uc_common_done: applies
 * the record (still intact) as the loader would, so the thread never reads
 * it again. Every step before is idempotent: a register the loader already
 * set gets the same value again.
 */
static void finish_loader(greg_t *g, uintptr_t pc)
{
	static const unsigned char temp[5] = { 0, 2, 3, 4, 5 };
	static const unsigned char greg_name[15] = {
		REG_RAX, REG_RBX, REG_RCX, REG_RDX, REG_RSI, REG_RDI, REG_RBP,
		REG_R8, REG_R9, REG_R10, REG_R11, REG_R12, REG_R13, REG_R14, REG_R15,
	};
	const struct uc_rec *rec = (const struct uc_rec *)g[REG_RAX];
	uintptr_t s = g[REG_RSP] + (pc == (uintptr_t)uc_common ? 0 : UC_FRAME);
	const uint64_t *frame = (const uint64_t *)(s - UC_FRAME);
	unsigned int k;

	/* The temporaries' values as the caller had them. */
	if (pc >= (uintptr_t)uc_common_body) {
		for (k = 0; k < 5; k++)
			g[greg_name[temp[k]]] = frame[temp[k]];
	} else {
		g[REG_RAX] = *(const uint64_t *)(s - 16);
		if (pc >= (uintptr_t)uc_common_rcx)
			g[REG_RCX] = frame[2];
	}
	if (rec->nwords)
		memcpy((void *)(s - rec->lo), rec->data, rec->nwords * 8);
	for (k = 0; k < 15; k++)
		if (rec->mask & (1U << k))
			g[greg_name[k]] = rec->val[k];
	g[REG_RSP] = s - rec->final;
	g[REG_RIP] = rec->target;
	atomic_fetch_add_explicit(&uc_finished[UC_FIN_LOADER], 1, memory_order_relaxed);
}

/* Finishes a slot whose window pc is in; UC_ACK_BUSY in an entry stub. */
static int finish_slot(greg_t *g)
{
	uintptr_t pc = g[REG_RIP], s = uc_region_of(pc), slot, off;
	const unsigned char *code;
	const uint64_t *bank;
	unsigned int b, r;

	if (pc >= (uintptr_t)uc_common && pc < (uintptr_t)uc_common_done) {
		finish_loader(g, pc);
		return UC_ACK_DONE;
	}
	if (pc >= (uintptr_t)uc_gen[0] && pc < (uintptr_t)uc_common)
		return UC_ACK_BUSY;
	if (!s)
		return UC_ACK_DONE;
	off = (pc - s) % UC_STRIDE;
	slot = pc - off;
	switch (off) {
	case UC_O_JB:
		if (g[REG_EFL] & 0x1)		/* CF: sel was 0, on to hlt */
			return UC_ACK_DONE;
		/* fall through */
	case UC_O_JA:
		b = !(g[REG_EFL] & 0x40);	/* ZF: sel was 2 */
		break;
	case UC_O_MOV0:
	case UC_O_JMP0:
		b = 0;
		break;
	case UC_O_MOV1:
	case UC_O_JMP1:
		b = 1;
		break;
	default:
		return UC_ACK_DONE;
	}
	/* R from the slot's own "mov R, -8(%rsp)": REX.R and ModRM.reg. */
	code = (const unsigned char *)slot;
	r = ((code[UC_O_SAVE + 2] >> 3) & 7) | ((code[UC_O_SAVE] & 4) << 1);
	bank = (const uint64_t *)(slot + UC_DIST + (b ? UC_D_V1 : UC_D_V0));
	g[greg_hw[r]] = bank[0];
	g[REG_RIP] = bank[1];
	atomic_fetch_add_explicit(&uc_finished[UC_FIN_SLOT], 1, memory_order_relaxed);
	return UC_ACK_DONE;
}

/*
 * An outer handler's frame (uc_scan_frames), found by its pretcode: the
 * restorer, which is also where this handler returns. Checked field by
 * field before anything is changed.
 */
static int finish_frame(uintptr_t a)
{
	struct {
		uint64_t pretcode, flags, link, ss_sp, ss_flags, ss_size;
		greg_t gregs[NGREG];
		uint64_t fpregs;
	} f;
	greg_t before[NGREG];
	int st;

	if (uc_self_rw(false, &f, a, sizeof(f)) != sizeof(f) || f.link || (f.flags & ~7UL) ||
	    (f.fpregs && (f.fpregs <= a || f.fpregs - a > 65536)))
		return UC_ACK_DONE;
	memcpy(before, f.gregs, sizeof(before));
	st = finish_slot(f.gregs);
	if (!memcmp(before, f.gregs, sizeof(before)))
		return st;
	if (uc_self_rw(true, f.gregs, a + offsetof(__typeof__(f), gregs), sizeof(f.gregs)) !=
	    sizeof(f.gregs))
		return UC_ACK_BUSY;
	atomic_fetch_add_explicit(&uc_finished[UC_FIN_OUTER], 1, memory_order_relaxed);
	return st;
}

/* A frame's pretcode: the restorer every handler installed by libc returns to. */
uint64_t uc_arch_frame_key(const struct sigaction *installed)
{
	return (uint64_t)(uintptr_t)installed->sa_restorer;
}

int uc_arch_finish(struct ucontext_t *uc)
{
	return finish_slot(uc->uc_mcontext.gregs);
}

int uc_arch_finish_outer(struct ucontext_t *uc, uintptr_t restorer)
{
	return uc_scan_frames(uc->uc_mcontext.gregs[REG_RSP], restorer, finish_frame);
}
