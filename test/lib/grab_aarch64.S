/* SPDX-License-Identifier: MIT */
/*
 * Grabbing targets (aarch64, AAPCS64); the contract is in t.h. Entered
 * with sp = S and x30 = the caller's return, t_grab and t_grab_b store
 * x0-x29, sp and [S-64, S) into this thread's t_grab_area (which: 0 or 1),
 * where S = sp + t_grab_lift (set by a test whose stack data moved sp),
 * then tail-jump to t_grab_next, which returns to the trampoline's caller.
 * Their one store to the stack is 1 KiB under S, clear of [S-64, S).
 * Local-exec TLS: the tests are static executables.
 *
 * void t_grab_call(void *tramp): calls tramp with x19-x28 = T_CS(0..9),
 *   then stores x19-x28 into t_grab_after[].
 * t_pair_a, t_pair_b: minimal targets checking x0's top 16 bits.
 */
#if defined(__aarch64__)
	.macro	tls reg, sym
	mrs	\reg, tpidr_el0
	add	\reg, \reg, #:tprel_hi12:\sym, lsl #12
	add	\reg, \reg, #:tprel_lo12_nc:\sym
	.endm

	.text
	.globl	t_grab, t_grab_b
	.type	t_grab,@function
	.type	t_grab_b,@function
t_grab_b:
	sub	sp, sp, #1024
	stp	x0, x1, [sp]
	mov	x0, #1
	b	1f
t_grab:
	sub	sp, sp, #1024
	stp	x0, x1, [sp]
	mov	x0, #0
1:	tls	x1, t_grab_area
	str	x0, [x1, #328]
	stp	x2, x3, [x1, #16]
	stp	x4, x5, [x1, #32]
	stp	x6, x7, [x1, #48]
	stp	x8, x9, [x1, #64]
	stp	x10, x11, [x1, #80]
	stp	x12, x13, [x1, #96]
	stp	x14, x15, [x1, #112]
	stp	x16, x17, [x1, #128]
	stp	x18, x19, [x1, #144]
	stp	x20, x21, [x1, #160]
	stp	x22, x23, [x1, #176]
	stp	x24, x25, [x1, #192]
	stp	x26, x27, [x1, #208]
	stp	x28, x29, [x1, #224]
	ldp	x2, x3, [sp]
	stp	x2, x3, [x1]
	add	sp, sp, #1024
	mov	x2, sp
	str	x2, [x1, #256]
	adrp	x3, t_grab_lift
	ldr	x3, [x3, :lo12:t_grab_lift]
	add	x2, x2, x3
	ldp	x4, x5, [x2, #-64]
	stp	x4, x5, [x1, #264]
	ldp	x4, x5, [x2, #-48]
	stp	x4, x5, [x1, #280]
	ldp	x4, x5, [x2, #-32]
	stp	x4, x5, [x1, #296]
	ldp	x4, x5, [x2, #-16]
	stp	x4, x5, [x1, #312]
	adrp	x16, t_grab_next
	ldr	x16, [x16, :lo12:t_grab_next]
	br	x16
	.size	t_grab_b, .-t_grab_b
	.size	t_grab, .-t_grab

	.bss
	.balign	8
	.globl	t_grab_lift
t_grab_lift:
	.quad	0
	.text

	.globl	t_grab_call
	.type	t_grab_call,@function
t_grab_call:
	stp	x29, x30, [sp, #-96]!
	mov	x29, sp
	stp	x19, x20, [sp, #16]
	stp	x21, x22, [sp, #32]
	stp	x23, x24, [sp, #48]
	stp	x25, x26, [sp, #64]
	stp	x27, x28, [sp, #80]
	mov	x9, x0
	movz	x19, #0xc5c5, lsl #48
	movk	x19, #0xc5c5, lsl #32
	.irp	n, 20,21,22,23,24,25,26,27,28
	add	x\n, x19, #\n - 19
	.endr
	blr	x9
	mov	sp, x29			/* a context with SET_SP returns with sp moved */
	tls	x1, t_grab_after
	stp	x19, x20, [x1]
	stp	x21, x22, [x1, #16]
	stp	x23, x24, [x1, #32]
	stp	x25, x26, [x1, #48]
	stp	x27, x28, [x1, #64]
	ldp	x19, x20, [sp, #16]
	ldp	x21, x22, [sp, #32]
	ldp	x23, x24, [sp, #48]
	ldp	x25, x26, [sp, #64]
	ldp	x27, x28, [sp, #80]
	ldp	x29, x30, [sp], #96
	ret
	.size	t_grab_call, .-t_grab_call

	.globl	t_pair_a, t_pair_b
	.type	t_pair_a,@function
	.type	t_pair_b,@function
t_pair_a:
	mov	x2, #0xaaaa
	b	2f
t_pair_b:
	mov	x2, #0xbbbb
2:	cmp	x2, x0, lsr #48
	b.ne	1f
	ret
1:	adrp	x1, t_pair_bad
	add	x1, x1, :lo12:t_pair_bad
3:	ldxr	x2, [x1]
	add	x2, x2, #1
	stxr	w3, x2, [x1]
	cbnz	w3, 3b
	adrp	x1, t_pair_last
	str	x0, [x1, :lo12:t_pair_last]
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
