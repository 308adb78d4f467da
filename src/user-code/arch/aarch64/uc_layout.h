/* SPDX-License-Identifier: MIT */
/*
 * User provider, code mode, aarch64: the slot's instructions and the
 * general loader's record and frame (codetable.S, loader.S, finish.c).
 *
 * A slot is an AAPCS64 veneer: it uses x16 (the slot's data) and x17
 * (sel, then the target, entered by br x17 so a BTI-guarded target's
 * "bti c" accepts it). Neither is preserved nor settable in code mode
 * (TFD_CODE_RESERVED). With no red zone, R keeps the caller's value
 * until it gets the bank's: banks that are not {value of R, target} are
 * "indirect" (sel bit 2): x16 = value, x17 = target, R untouched.
 */
#ifndef TRAMPFD_UC_LAYOUT_H
#define TRAMPFD_UC_LAYOUT_H

/* The largest page the kernel may use (64K): the template's file offset is a multiple. */
#define UC_TMPL_ALIGN	65536
#define UC_SEL_INDIRECT	4

/* Slot code: offsets of its instructions (finish.c reads the window). */
#define UC_O_LDAR	12	/* ldarb w17, [x16]: sel */
#define UC_O_TBZ	16	/* sel & 2, else -> UC_O_FAULT */
#define UC_O_TBNZ	20	/* sel & 4 -> UC_O_IND */
#define UC_O_UBFIZ	24	/* x17 = (sel & 1) * 16 */
#define UC_O_ADD	28	/* x16 = &sel + x17 */
#define UC_O_LDP	32	/* ldp R, x17, [x16, #-32] */
#define UC_O_BR		36
#define UC_O_IND	40	/* the same three with x16 for R */
#define UC_O_IND_LDP	48
#define UC_O_IND_BR	52
#define UC_O_FAULT	56	/* br x16: the data is not executable, SIGSEGV */

#define UC_NGREGS	29	/* arm64_r0 .. arm64_r28 */
#define UC_R_MASK	0
#define UC_R_VAL	8
#define UC_R_TARGET	240
#define UC_R_NWORDS	248
#define UC_R_LO		256
#define UC_R_FINAL	264
#define UC_R_JSLOT	272	/* unused here: the target travels in x17 */
#define UC_R_DATA	280
#define UC_R_PAD	1
#define UC_R_RAW	352
/* The loader's frame (x0-x3), 16-aligned, below the deepest stack data (S - 320). */
#define UC_FRAME	384
#define UC_STUB		8

/* The argument registers, x8 (a returned structure), x18 (the static chain). */
#define UC_NVARIANTS	10
#define UC_VARIANT_NAMES \
	arm64_r0, arm64_r0 + 1, arm64_r0 + 2, arm64_r0 + 3, arm64_r0 + 4, \
	arm64_r0 + 5, arm64_r0 + 6, arm64_r0 + 7, arm64_r0 + 8, arm64_r0 + 18

#endif
