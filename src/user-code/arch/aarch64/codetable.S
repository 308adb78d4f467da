/* SPDX-License-Identifier: MIT */
/*
 * The user provider's code table (aarch64): one template chunk of
 * UC_CHUNK_SLOTS slots per register variant R, mapped again read+exec from
 * the library's file. Slot i reaches its data at +UC_DIST (../../code.h)
 * with adrp, whose page arithmetic holds wherever the chunk is mapped.
 *
 *   x16 = &sel; w17 = sel (load-acquire: the bank is read after it);
 *   sel & 2 clear -> br x16: the data is not executable, SIGSEGV;
 *   b = sel & 1; sel & 4 clear: R, x17 = bank b; br x17;
 *                sel & 4 set:   x16, x17 = bank b; br x17 (R untouched).
 *
 * One byte (sel) decides, so a half-written bank is never used. Offsets
 * are fixed (uc_layout.h: UC_O_*): the grace handler reads the window.
 */
#include "user-code/code.h"

	.macro	uc_slot r
0:	hint	34			/* bti c */
	adrp	x16, 0b + UC_DIST + UC_D_SEL
	add	x16, x16, #:lo12:(0b + UC_DIST + UC_D_SEL)
	ldarb	w17, [x16]
	tbz	w17, #1, 3f
	tbnz	w17, #2, 2f
	ubfiz	x17, x17, #4, #1
	add	x16, x16, x17
	ldp	\r, x17, [x16, #UC_D_V0 - UC_D_SEL]
	br	x17
2:	ubfiz	x17, x17, #4, #1
	add	x16, x16, x17
	ldp	x16, x17, [x16, #UC_D_V0 - UC_D_SEL]
	br	x17
3:	br	x16
	.if	3b - 0b - UC_O_FAULT
	.error	"slot layout differs from UC_O_*"
	.endif
	.org	0b + UC_STRIDE, 0	/* udf #0 */
	.endm

	.section .text.trampfd_table,"ax",%progbits
	.balign	UC_TMPL_ALIGN
	.globl	uc_tmpl_start, uc_tmpl_end
	.hidden	uc_tmpl_start, uc_tmpl_end
uc_tmpl_start:
	.irp	r, x0, x1, x2, x3, x4, x5, x6, x7, x8, x18
	.rept	UC_CHUNK_SLOTS
	uc_slot	\r
	.endr
	.endr
uc_tmpl_end:
	.balign	UC_TMPL_ALIGN, 0

#include "gnu_property.h"
	.section .note.GNU-stack,"",%progbits
