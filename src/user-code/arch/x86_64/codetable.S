/* SPDX-License-Identifier: MIT */
/*
 * The user provider's code table (x86_64): one template chunk of
 * UC_CHUNK_SLOTS slots per register variant R, mapped again read+exec from
 * the library's file. Slot i reaches its data at +UC_DIST (../../code.h):
 *
 *   entry: [rsp] = return address; R saved at [rsp-8] (red zone) for the
 *   general path; sel = 0 -> hlt (#GP: SIGSEGV); 2 -> bank 0; 3 -> bank 1;
 *   bank b = {value -> R, target}: R = value, jump to target.
 *
 * One byte (sel) decides, so a half-written bank is never used.
 */
#include <cet.h>			/* the CET property note, as the C objects have */
#include "user-code/code.h"

	.macro	uc_slot r
0:	endbr64
	mov	%\r, -8(%rsp)
	cmpb	$2, 0b+UC_DIST+UC_D_SEL(%rip)
	.byte	0x72, 3f - . - 1	/* jb rel8, ja rel8: sizes fixed */
	.byte	0x77, 2f - . - 1
	mov	0b+UC_DIST+UC_D_V0(%rip), %\r
	jmp	*0b+UC_DIST+UC_D_T0(%rip)
2:	mov	0b+UC_DIST+UC_D_V1(%rip), %\r
	jmp	*0b+UC_DIST+UC_D_T1(%rip)
3:	hlt
	.org	0b + UC_STRIDE, 0xf4
	.endm

	.section .text.trampfd_table,"ax",@progbits
	.balign	UC_TMPL_ALIGN
	.globl	uc_tmpl_start, uc_tmpl_end
	.hidden	uc_tmpl_start, uc_tmpl_end
uc_tmpl_start:
	.irp	r, rax, rcx, rdx, rsi, rdi, r8, r9, r10, r11
	.rept	UC_CHUNK_SLOTS
	uc_slot	\r
	.endr
	.endr
uc_tmpl_end:
	.balign	UC_TMPL_ALIGN, 0xf4

	.section .note.GNU-stack,"",@progbits
