/* SPDX-License-Identifier: MIT */
/*
 * Register harness (x86_64, SysV).
 *
 * void t_regs_call(void *tramp, const struct t_cpu *in)
 *   loads in->gpr[] (trampfd name order rax rbx rcx rdx rsi rdi rbp r8-r15)
 *   and in->xmm[] into the CPU, fills [S-512, S) with a canary and calls
 *   tramp with S = the stack pointer at its first instruction (saved in t_S);
 *   if t_regs_jmp is nonzero it pushes the return address and jumps instead.
 * t_regs_record: a target that stores every GPR, xmm0-15, rsp, [S] and
 *   [S-512, S) into t_seen without touching the stack, then unwinds to
 *   t_regs_back whatever the trampoline did to rsp.
 */
#if defined(__x86_64__)
#define SEEN_XMM	128
#define SEEN_RSP	384
#define SEEN_RET	392
#define SEEN_BELOW	400

	.text
	.globl	t_regs_call
	.type	t_regs_call,@function
t_regs_call:
	push	%rbp
	push	%rbx
	push	%r12
	push	%r13
	push	%r14
	push	%r15
	sub	$8, %rsp
	mov	%rdi, t_regs_tramp(%rip)
	mov	%rsp, t_call_sp(%rip)
	lea	-8(%rsp), %rax
	mov	%rax, t_S(%rip)
	lea	-512(%rax), %rdi
	mov	$64, %ecx
	movabs	$0xc0c0c0c0c0c0c0c0, %rax
	cld
	rep stosq
	cmpb	$0, t_regs_jmp(%rip)	/* the loads below keep the flags */
	.irp	n, 0,1,2,3,4,5,6,7,8,9,10,11,12,13,14,15
	movdqu	128+16*\n(%rsi), %xmm\n
	.endr
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
	jne	2f
	call	*t_regs_tramp(%rip)
	.globl	t_regs_back
t_regs_back:
	mov	t_call_sp(%rip), %rsp
	add	$8, %rsp
	pop	%r15
	pop	%r14
	pop	%r13
	pop	%r12
	pop	%rbx
	pop	%rbp
	ret
2:	pushq	t_back_ptr(%rip)
	jmp	*t_regs_tramp(%rip)
	.size	t_regs_call, .-t_regs_call

	.globl	t_regs_record
	.type	t_regs_record,@function
t_regs_record:
	mov	%rax, t_seen+0(%rip)
	mov	%rbx, t_seen+8(%rip)
	mov	%rcx, t_seen+16(%rip)
	mov	%rdx, t_seen+24(%rip)
	mov	%rsi, t_seen+32(%rip)
	mov	%rdi, t_seen+40(%rip)
	mov	%rbp, t_seen+48(%rip)
	.irp	n, 8,9,10,11,12,13,14,15
	mov	%r\n, t_seen+56+8*(\n-8)(%rip)
	.endr
	mov	%rsp, t_seen+SEEN_RSP(%rip)
	.irp	n, 0,1,2,3,4,5,6,7,8,9,10,11,12,13,14,15
	movdqu	%xmm\n, t_seen+SEEN_XMM+16*\n(%rip)
	.endr
	mov	t_S(%rip), %rsi
	mov	(%rsi), %rax
	mov	%rax, t_seen+SEEN_RET(%rip)
	lea	-512(%rsi), %rsi
	lea	t_seen+SEEN_BELOW(%rip), %rdi
	mov	$64, %ecx
	cld
	rep movsq
	jmp	t_regs_back
	.size	t_regs_record, .-t_regs_record

	.data
	.globl	t_regs_jmp
t_regs_jmp:
	.byte	0
	.balign	8
t_back_ptr:
	.quad	t_regs_back
	.bss
	.balign	64
	.globl	t_seen, t_S, t_regs_tramp
t_seen:	.zero	1024
t_S:	.zero	8
t_call_sp:
	.zero	8
t_regs_tramp:
	.zero	8
#endif
	.section .note.GNU-stack,"",@progbits
