/* SPDX-License-Identifier: MIT */
/*
 * Call harness for fuzz/api_seq.c (x86_64, SysV).
 *
 * void fz_call(void *tramp)
 *   saves the callee-saved registers, loads every GPR from fz_in.gpr[]
 *   (trampfd name order: rax rbx rcx rdx rsi rdi rbp r8-r15) and calls
 *   tramp; fz_S is the stack pointer at the trampoline's first instruction.
 * fz_record, fz_record_b: targets that store every GPR, rsp, [S] and
 *   [S-320, S) into fz_seen (which = 0 or 1) without touching the stack,
 *   then unwind to fz_back whatever the trampoline did to rsp.
 */
#define OFF_RSP		128
#define OFF_RET		136
#define OFF_WHICH	144
#define OFF_BELOW	152

	.text
	.globl	fz_call
	.hidden	fz_call
	.type	fz_call,@function
fz_call:
	push	%rbp
	push	%rbx
	push	%r12
	push	%r13
	push	%r14
	push	%r15
	sub	$8, %rsp
	mov	%rdi, fz_tramp(%rip)
	mov	%rsp, fz_sp(%rip)
	lea	-8(%rsp), %rax
	mov	%rax, fz_S(%rip)
	lea	fz_in(%rip), %rsi
	mov	0(%rsi), %rax
	mov	8(%rsi), %rbx
	mov	16(%rsi), %rcx
	mov	24(%rsi), %rdx
	mov	40(%rsi), %rdi
	mov	48(%rsi), %rbp
	.irp	n, 8,9,10,11,12,13,14,15
	mov	56+8*(\n-8)(%rsi), %r\n
	.endr
	mov	32(%rsi), %rsi
	call	*fz_tramp(%rip)
fz_back:
	mov	fz_sp(%rip), %rsp
	add	$8, %rsp
	pop	%r15
	pop	%r14
	pop	%r13
	pop	%r12
	pop	%rbx
	pop	%rbp
	ret
	.size	fz_call, .-fz_call

	.globl	fz_record, fz_record_b
	.hidden	fz_record, fz_record_b
	.type	fz_record,@function
	.type	fz_record_b,@function
fz_record_b:
	movq	$1, fz_seen+OFF_WHICH(%rip)
	jmp	1f
fz_record:
	movq	$0, fz_seen+OFF_WHICH(%rip)
1:	mov	%rax, fz_seen+0(%rip)
	mov	%rbx, fz_seen+8(%rip)
	mov	%rcx, fz_seen+16(%rip)
	mov	%rdx, fz_seen+24(%rip)
	mov	%rsi, fz_seen+32(%rip)
	mov	%rdi, fz_seen+40(%rip)
	mov	%rbp, fz_seen+48(%rip)
	.irp	n, 8,9,10,11,12,13,14,15
	mov	%r\n, fz_seen+56+8*(\n-8)(%rip)
	.endr
	mov	%rsp, fz_seen+OFF_RSP(%rip)
	mov	fz_S(%rip), %rsi
	mov	(%rsi), %rax
	mov	%rax, fz_seen+OFF_RET(%rip)
	lea	-320(%rsi), %rsi
	lea	fz_seen+OFF_BELOW(%rip), %rdi
	mov	$40, %ecx
	cld
	rep movsq
	jmp	fz_back
	.size	fz_record_b, .-fz_record_b
	.size	fz_record, .-fz_record

	.globl	fz_back_addr
	.hidden	fz_back_addr
	.section .data.rel.ro,"aw"
	.balign	8
fz_back_addr:
	.quad	fz_back

	.bss
	.balign	64
	.globl	fz_in, fz_seen, fz_S
	.hidden	fz_in, fz_seen, fz_S
fz_in:	.zero	128
fz_seen:
	.zero	512
fz_S:	.zero	8
fz_sp:	.zero	8
fz_tramp:
	.zero	8
	.section .note.GNU-stack,"",@progbits
