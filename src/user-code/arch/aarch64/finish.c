// SPDX-License-Identifier: MIT
/*
 * User provider, code mode, aarch64: a grace period's work in one thread
 * (src/user-code/grace.c). A call stopped inside a slot's window (after the
 * ldarb that read sel, before the br) is finished in the context: R or
 * x16 = the bank's value, x17 = pc = its target, so the thread never reads
 * the retired bank. One inside the general loader, or in the stub before
 * it, has the record applied the same way.
 */
#include <signal.h>
#include <stddef.h>
#include <string.h>
#include <ucontext.h>
#include "user-code/code.h"

/* loader.S: labels inside uc_common (the states finish_loader knows). */
extern const char uc_common[], uc_common_body[], uc_common_done[];

/* The head of struct sigcontext (glibc's mcontext_t): all we touch. */
struct a64_regs {
	uint64_t fault_address;
	uint64_t x[31];
	uint64_t sp, pc, pstate;
};

/*
 * Finishes a call stopped in a uc_gen stub or inside uc_common before
 * uc_common_done: applies the record (still intact) as the loader would.
 * Every step the loader already took is idempotent.
 */
static void finish_loader(struct a64_regs *g, uintptr_t pc)
{
	const struct uc_rec *rec = (const struct uc_rec *)g->x[16];
	uintptr_t s = g->sp + (pc <= (uintptr_t)uc_common ? 0 : UC_FRAME);
	const uint64_t *frame = (const uint64_t *)(s - UC_FRAME);
	unsigned int k;

	/* Past the frame's stores, x0-x3 may hold the loader's temporaries. */
	if (pc > (uintptr_t)uc_common_body)
		for (k = 0; k < 4; k++)
			g->x[k] = frame[k];
	if (rec->nwords)
		memcpy((void *)(s - rec->lo), rec->data, rec->nwords * 8);
	for (k = 0; k < UC_NGREGS; k++)
		if (rec->mask & (1ULL << k))
			g->x[k] = rec->val[k];
	g->x[16] = rec->final;
	g->x[17] = rec->target;
	g->sp = s - rec->final;
	g->pc = rec->target;
	atomic_fetch_add_explicit(&uc_finished[UC_FIN_LOADER], 1, memory_order_relaxed);
}

/* Finishes a slot whose window pc is in. */
static int finish_slot(struct a64_regs *g)
{
	uintptr_t pc = g->pc, s, slot, sel_at;
	uint64_t x17 = g->x[17];
	const uint64_t *bank;
	unsigned int b, ind, r;

	if (pc >= (uintptr_t)uc_gen[0] && pc < (uintptr_t)uc_common_done) {
		finish_loader(g, pc);
		return UC_ACK_DONE;
	}
	s = uc_region_of(pc);
	if (!s)
		return UC_ACK_DONE;
	slot = pc - (pc - s) % UC_STRIDE;
	sel_at = slot + UC_DIST + UC_D_SEL;
	switch (pc - slot) {
	case UC_O_TBZ:
		if (!(x17 & 2))
			return UC_ACK_DONE;	/* on to the fault */
		/* fall through */
	case UC_O_TBNZ:
		ind = !!(x17 & 4);
		b = x17 & 1;
		break;
	case UC_O_UBFIZ:
	case UC_O_IND:
		ind = pc - slot == UC_O_IND;
		b = x17 & 1;
		break;
	case UC_O_ADD:
	case UC_O_IND + 4:
		ind = pc - slot != UC_O_ADD;
		b = x17 >> 4;
		break;
	case UC_O_LDP:
	case UC_O_IND_LDP:
		ind = pc - slot == UC_O_IND_LDP;
		b = (g->x[16] - sel_at) >> 4;
		break;
	default:
		return UC_ACK_DONE;
	}
	bank = (const uint64_t *)(sel_at - UC_D_SEL + (b ? UC_D_V1 : UC_D_V0));
	if (ind) {
		g->x[16] = bank[0];
	} else {
		/* R from the slot's own "ldp R, x17, [x16, #-32]": Rt. */
		r = *(const uint32_t *)(slot + UC_O_LDP) & 31;
		g->x[16] = sel_at + 16 * b;
		g->x[r] = bank[0];
	}
	g->x[17] = bank[1];
	g->pc = bank[1];
	atomic_fetch_add_explicit(&uc_finished[UC_FIN_SLOT], 1, memory_order_relaxed);
	return UC_ACK_DONE;
}

int uc_arch_finish(struct ucontext_t *uc)
{
	return finish_slot((struct a64_regs *)&uc->uc_mcontext);
}

/*
 * An outer handler's frame (uc_scan_frames): a struct sigcontext whose
 * reserved area starts with the FP/SIMD record (magic, size), found by
 * that record's head. Checked (EL0 pstate, no uc_link) before anything is
 * changed; only a pc inside a window changes anything.
 */
#define A64_RESERVED	288	/* offsetof(struct sigcontext, __reserved) */
#define A64_MC_IN_UC	176	/* offsetof(struct ucontext, uc_mcontext) */
/* The FP/SIMD record's head as one little-endian word: magic, then size. */
#define A64_FPSIMD_HEAD	(0x46508001U | (uint64_t)528U << 32)

static int finish_frame(uintptr_t mc)
{
	struct a64_regs g, before;
	uint64_t link;

	if (uc_self_rw(false, &g, mc, sizeof(g)) != sizeof(g) ||
	    uc_self_rw(false, &link, mc - A64_MC_IN_UC + 8, 8) != 8 || link ||
	    (g.pstate & 0xf) || (g.pstate >> 32))
		return UC_ACK_DONE;
	before = g;
	finish_slot(&g);
	if (!memcmp(&before, &g, sizeof(g)))
		return UC_ACK_DONE;
	if (uc_self_rw(true, &g, mc, sizeof(g)) != sizeof(g))
		return UC_ACK_BUSY;
	atomic_fetch_add_explicit(&uc_finished[UC_FIN_OUTER], 1, memory_order_relaxed);
	return UC_ACK_DONE;
}

/* __reserved, where the record starts, is 16-aligned. */
static int found_fpsimd(uintptr_t at)
{
	if ((at & 15) || at < A64_RESERVED + A64_MC_IN_UC)
		return UC_ACK_DONE;
	return finish_frame(at - A64_RESERVED);
}

/* arm64 frames do not hold the restorer: their FP/SIMD record's head marks them. */
uint64_t uc_arch_frame_key(const struct sigaction *installed)
{
	(void)installed;
	return A64_FPSIMD_HEAD;
}

int uc_arch_finish_outer(struct ucontext_t *uc, uintptr_t restorer)
{
	(void)restorer;		/* arm64 frames do not hold it */
	return uc_scan_frames(uc->uc_mcontext.sp, A64_FPSIMD_HEAD, found_fpsimd);
}
