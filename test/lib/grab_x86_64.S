/* SPDX-License-Identifier: MIT */
/*
 * Grabbing targets (x86_64, SysV): entered by a trampoline's jump with
 * rsp = S, they store every GPR, rsp and [S-64, S) into this thread's
 * t_grab_area (which: 0 for t_grab, 1 for t_grab_b), then tail-jump to
 * t_grab_next, a C function that returns to the trampoline's caller.
 * Local-exec TLS: the tests are static executables.
 *
 * void t_grab_call(void *tramp): calls tramp with rbx, rbp, r12-r15 set to
 *   T_CS(0..5) and stores what they hold on return into t_grab_after[].
 * t_pair_a, t_pair_b: minimal targets; unless rdi's top 16 bits are 0xaaaa
 *   (resp. 0xbbbb) they count a mismatch in t_pair_bad, rdi in t_pair_last.
 */
#if defined(__x86_64__)
	.text
	.globl	t_grab, t_grab_b
	.type	t_grab,@function
	.type	t_grab_b,@function
t_grab_b:
	movq	$1, %fs:t_grab_area@tpoff+200
	jmp	1f
t_grab:
	movq	$0, %fs:t_grab_area@tpoff+200
1:	mov	%rax, %fs:t_grab_area@tpoff+0
	mov	%rbx, %fs:t_grab_area@tpoff+8
	mov	%rcx, %fs:t_grab_area@tpoff+16
	mov	%rdx, %fs:t_grab_area@tpoff+24
	mov	%rsi, %fs:t_grab_area@tpoff+32
	mov	%rdi, %fs:t_grab_area@tpoff+40
	mov	%rbp, %fs:t_grab_area@tpoff+48
	.irp	n, 8,9,10,11,12,13,14,15
	mov	%r\n, %fs:t_grab_area@tpoff+56+8*(\n-8)
	.endr
	mov	%rsp, %fs:t_grab_area@tpoff+128
	.irp	n, 1,2,3,4,5,6,7,8
	mov	-8*\n(%rsp), %rax
	mov	%rax, %fs:t_grab_area@tpoff+136+8*(8-\n)
	.endr
	jmp	*t_grab_next(%rip)
	.size	t_grab_b, .-t_grab_b
	.size	t_grab, .-t_grab


	.globl	t_grab_call
	.type	t_grab_call,@function
t_grab_call:
	push	%rbx
	push	%rbp
	push	%r12
	push	%r13
	push	%r14
	push	%r15
	sub	$8, %rsp
	movabs	$0xc5c5c5c500000000, %rbx
	lea	1(%rbx), %rbp
	lea	2(%rbx), %r12
	lea	3(%rbx), %r13
	lea	4(%rbx), %r14
	lea	5(%rbx), %r15
	call	*%rdi
	mov	%rbx, %fs:t_grab_after@tpoff+0
	mov	%rbp, %fs:t_grab_after@tpoff+8
	mov	%r12, %fs:t_grab_after@tpoff+16
	mov	%r13, %fs:t_grab_after@tpoff+24
	mov	%r14, %fs:t_grab_after@tpoff+32
	mov	%r15, %fs:t_grab_after@tpoff+40
	add	$8, %rsp
	pop	%r15
	pop	%r14
	pop	%r13
	pop	%r12
	pop	%rbp
	pop	%rbx
	ret
	.size	t_grab_call, .-t_grab_call

	.globl	t_pair_a, t_pair_b
	.type	t_pair_a,@function
	.type	t_pair_b,@function
t_pair_a:
	mov	%rdi, %rax
	shr	$48, %rax
	cmp	$0xaaaa, %eax
	jne	1f
	ret
t_pair_b:
	mov	%rdi, %rax
	shr	$48, %rax
	cmp	$0xbbbb, %eax
	jne	1f
	ret
1:	lock incq t_pair_bad(%rip)
	mov	%rdi, t_pair_last(%rip)
	ret
	.size	t_pair_a, .-t_pair_a
	.size	t_pair_b, .-t_pair_b

	.bss
	.balign	8
	.globl	t_pair_bad, t_pair_last
t_pair_bad:
	.zero	8
t_pair_last:
	.zero	8

	.data
	.globl	t_grab_next
	.balign	8
t_grab_next:
	.quad	0
#endif
	.section .note.GNU-stack,"",@progbits
