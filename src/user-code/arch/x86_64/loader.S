/* SPDX-License-Identifier: MIT */
/*
 * Entries a slot's bank jumps to (x86_64), for variant R of the code table:
 *
 * uc_pconly[v]: R = target, [rsp-8] = R's old value: restore R, jump.
 * uc_gen[v]:    R = struct uc_rec *, [rsp-8] = R's old value; on to
 * uc_common:    rax = rec, [rsp-16] = rax's old value, every other register
 *   as at the slot, rsp = S. Applies the record (docs/design.md §3.1-3.2): stack
 *   data, the named registers, rsp; parks the target in the red zone of the
 *   final rsp (UC_R_JSLOT picks a spot the data does not cover) and jumps.
 *   Scratch lives in a frame at S - UC_FRAME: below the deepest data, and
 *   above rsp, so a signal cannot clobber it. Flags are not preserved.
 *   The labels inside let a grace period finish a call stopped here
 *   (src/user-code/grace.c: finish_loader).
 */
#include <cet.h>			/* the CET property note, as the C objects have */
#include "user-code/code.h"

	.macro	stub_end
	.org	9b + UC_STUB, 0xf4
	.endm

	.text
	.balign	64
	.globl	uc_gen, uc_pconly, uc_common, uc_common_rcx, uc_common_body, uc_common_done
	.hidden	uc_gen, uc_pconly, uc_common, uc_common_rcx, uc_common_body, uc_common_done
uc_pconly:
	.irp	r, rax, rcx, rdx, rsi, rdi, r8, r9, r10, r11
9:	endbr64
	mov	%\r, -16(%rsp)
	mov	-8(%rsp), %\r
	jmp	*-16(%rsp)
	stub_end
	.endr
uc_gen:
9:	endbr64
	mov	%rcx, -24(%rsp)
	mov	-8(%rsp), %rcx
	mov	%rcx, -16(%rsp)
	mov	-24(%rsp), %rcx
	.byte	0xe9		/* jmp rel32: fixed size */
	.long	uc_common - . - 4
	stub_end
	.irp	r, rcx, rdx, rsi, rdi, r8, r9, r10, r11
9:	endbr64
	mov	%rax, -16(%rsp)
	mov	%\r, %rax
	mov	-8(%rsp), %\r
	.byte	0xe9		/* jmp rel32: fixed size */
	.long	uc_common - . - 4
	stub_end
	.endr

	.type	uc_common,@function
uc_common:
	lea	-UC_FRAME(%rsp), %rsp
	mov	%rcx, 16(%rsp)
	mov	%rdx, 24(%rsp)
	mov	%rsi, 32(%rsp)
	mov	%rdi, 40(%rsp)
	mov	UC_FRAME-16(%rsp), %rcx
uc_common_rcx:				/* rcx no longer the caller's */
	mov	%rcx, 0(%rsp)
uc_common_body:				/* frame complete */
	mov	UC_R_NWORDS(%rax), %rcx
	test	%rcx, %rcx
	jz	2f
	lea	UC_FRAME(%rsp), %rdi
	sub	UC_R_LO(%rax), %rdi
1:	mov	UC_R_DATA-8(%rax,%rcx,8), %rdx
	mov	%rdx, -8(%rdi,%rcx,8)
	dec	%rcx
	jnz	1b
2:	lea	UC_FRAME(%rsp), %rdi
	sub	UC_R_FINAL(%rax), %rdi
	mov	%rdi, 120(%rsp)
	mov	UC_R_TARGET(%rax), %rdx
	cmpq	$0, UC_R_JSLOT(%rax)
	jne	3f
	mov	%rdx, -8(%rdi)
	jmp	4f
3:	mov	%rdx, -72(%rdi)
4:	mov	UC_R_MASK(%rax), %rcx
	.irp	k, 0, 2, 3, 4, 5
	mov	8*\k(%rsp), %rsi
	bt	$\k, %rcx
	cmovc	UC_R_VAL+8*\k(%rax), %rsi
	mov	%rsi, 8*\k(%rsp)
	.endr
	bt	$1, %rcx
	cmovc	UC_R_VAL+8*1(%rax), %rbx
	bt	$6, %rcx
	cmovc	UC_R_VAL+8*6(%rax), %rbp
	.irp	n, 8, 9, 10, 11, 12, 13, 14, 15
	bt	$\n-1, %rcx
	cmovc	UC_R_VAL+8*(\n-1)(%rax), %r\n
	.endr
	cmpq	$0, UC_R_JSLOT(%rax)
uc_common_done:				/* the record is no longer read */
	mov	0(%rsp), %rax
	mov	16(%rsp), %rcx
	mov	24(%rsp), %rdx
	mov	32(%rsp), %rsi
	mov	40(%rsp), %rdi
	mov	120(%rsp), %rsp
	jne	5f
	jmp	*-8(%rsp)
5:	jmp	*-72(%rsp)
	.size	uc_common, .-uc_common

	.section .note.GNU-stack,"",@progbits
