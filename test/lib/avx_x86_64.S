/* SPDX-License-Identifier: MIT */
/*
 * Vector harness (x86_64, SysV, AVX).
 *
 * void t_vec_call(void *tramp, const uint64_t in[64], uint32_t mxcsr)
 *   loads ymm0-15 from in[] and MXCSR from mxcsr, calls tramp, restores
 *   the caller's MXCSR. t_vec_record, the target, stores ymm0-15 into
 *   t_vec_seen[] and MXCSR into t_vec_ctl, then unwinds to the caller.
 */
#if defined(__x86_64__)
	.text
	.globl	t_vec_call
	.type	t_vec_call,@function
t_vec_call:
	sub	$24, %rsp
	stmxcsr	8(%rsp)
	mov	%edx, 12(%rsp)
	mov	%rdi, avx_tramp(%rip)
	mov	%rsp, avx_sp(%rip)
	.irp	n, 0,1,2,3,4,5,6,7,8,9,10,11,12,13,14,15
	vmovdqu	32*\n(%rsi), %ymm\n
	.endr
	ldmxcsr	12(%rsp)
	call	*avx_tramp(%rip)
avx_back:
	mov	avx_sp(%rip), %rsp
	ldmxcsr	8(%rsp)
	vzeroupper
	add	$24, %rsp
	ret
	.size	t_vec_call, .-t_vec_call

	.globl	t_vec_record
	.type	t_vec_record,@function
t_vec_record:
	.irp	n, 0,1,2,3,4,5,6,7,8,9,10,11,12,13,14,15
	vmovdqu	%ymm\n, t_vec_seen+32*\n(%rip)
	.endr
	stmxcsr	t_vec_ctl(%rip)
	jmp	avx_back
	.size	t_vec_record, .-t_vec_record

	.bss
	.balign	32
	.globl	t_vec_seen, t_vec_ctl
t_vec_seen:
	.zero	512
t_vec_ctl:
	.zero	8
avx_sp:	.zero	8
avx_tramp:
	.zero	8
#endif
	.section .note.GNU-stack,"",@progbits
