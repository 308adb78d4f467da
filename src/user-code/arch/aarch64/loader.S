/* SPDX-License-Identifier: MIT */
/*
 * Entries an indirect bank jumps to (aarch64); the slot left x16 = the
 * bank's value, x17 = the entry, every other register as the caller had it.
 *
 * uc_pconly[v]: x16 = target: go there.
 * uc_gen[v]:    x16 = struct uc_rec *: on to
 * uc_common:    applies the record (docs/design.md §3.1-3.2): stack data, the
 *   named registers, sp; jumps to the target by br x17. x0-x3 are saved
 *   in a frame at S - UC_FRAME, below the deepest data, with sp moved
 *   down to it first, so a signal cannot clobber them. The labels inside
 *   let a grace period finish a call stopped here (finish.c).
 */
#include "user-code/code.h"

	.macro	stub_end
	.org	9b + UC_STUB, 0
	.endm

	.text
	.balign	64
	.globl	uc_gen, uc_pconly, uc_common, uc_common_body, uc_common_done
	.hidden	uc_gen, uc_pconly, uc_common, uc_common_body, uc_common_done
uc_pconly:
	.rept	UC_NVARIANTS
9:	hint	34			/* bti c */
	br	x16
	stub_end
	.endr
uc_gen:
	.rept	UC_NVARIANTS
9:	hint	34
	b	uc_common
	stub_end
	.endr

	.type	uc_common,@function
uc_common:
	sub	sp, sp, #UC_FRAME
	stp	x0, x1, [sp]
	stp	x2, x3, [sp, #16]
uc_common_body:				/* frame complete: x0-x3 are free */
	ldr	x0, [x16, #UC_R_NWORDS]
	ldr	x1, [x16, #UC_R_LO]
	add	x2, sp, #UC_FRAME
	sub	x1, x2, x1
	add	x2, x16, #UC_R_DATA
	cbz	x0, 2f
1:	ldr	x3, [x2], #8
	str	x3, [x1], #8
	subs	x0, x0, #1
	b.ne	1b
2:	ldr	x0, [x16, #UC_R_MASK]
	.irp	k, 0, 1, 2, 3			/* into the frame: restored last */
	tbz	x0, #\k, 3f
	ldr	x1, [x16, #UC_R_VAL + 8 * \k]
	str	x1, [sp, #8 * \k]
3:
	.endr
	.irp	k, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 18, 19, 20, 21, 22, 23, 24, 25, 26, 27, 28
	tbz	x0, #\k, 3f
	ldr	x\k, [x16, #UC_R_VAL + 8 * \k]
3:
	.endr
	ldr	x17, [x16, #UC_R_TARGET]
	ldr	x16, [x16, #UC_R_FINAL]
uc_common_done:				/* the record is no longer read */
	sub	x16, sp, x16
	add	x16, x16, #UC_FRAME	/* sp at the target: S - final */
	ldp	x2, x3, [sp, #16]
	ldp	x0, x1, [sp]
	mov	sp, x16
	br	x17
	.size	uc_common, .-uc_common

#include "gnu_property.h"
	.section .note.GNU-stack,"",%progbits
