/* SPDX-License-Identifier: MIT */
/*
 * Register harness (aarch64, AAPCS64); the contract is in t.h.
 *
 * void t_regs_call(void *tramp, const struct t_cpu *in)
 *   loads in->gpr[] into x0-x29 and in->vec[] into v0-v31, fills [S-512, S)
 *   with a canary and enters tramp by blr (x30 = t_regs_back); with
 *   t_regs_jmp nonzero by br x17, x17 = tramp, x30 set by hand.
 * t_regs_record: stores x0-x29, v0-v31, sp, x30 and [S-512, S) into t_seen.
 *   Its only store to the stack is 1 KiB under sp, past [S-512, S) even
 *   when the trampoline moved sp down by 320.
 */
#if defined(__aarch64__)
#define SEEN_VEC	256
#define SEEN_SP		768
#define SEEN_RET	776
#define SEEN_BELOW	784

	.macro	ldgpr			/* x2-x29 from [x1] */
	ldp	x2, x3, [x1, #16]
	ldp	x4, x5, [x1, #32]
	ldp	x6, x7, [x1, #48]
	ldp	x8, x9, [x1, #64]
	ldp	x10, x11, [x1, #80]
	ldp	x12, x13, [x1, #96]
	ldp	x14, x15, [x1, #112]
	ldp	x16, x17, [x1, #128]
	ldp	x18, x19, [x1, #144]
	ldp	x20, x21, [x1, #160]
	ldp	x22, x23, [x1, #176]
	ldp	x24, x25, [x1, #192]
	ldp	x26, x27, [x1, #208]
	ldp	x28, x29, [x1, #224]
	.endm

	.text
	.globl	t_regs_call, t_regs_back
	.type	t_regs_call,@function
t_regs_call:
	stp	x29, x30, [sp, #-96]!
	stp	x19, x20, [sp, #16]
	stp	x21, x22, [sp, #32]
	stp	x23, x24, [sp, #48]
	stp	x25, x26, [sp, #64]
	stp	x27, x28, [sp, #80]
	stp	d8, d9, [sp, #-64]!
	stp	d10, d11, [sp, #16]
	stp	d12, d13, [sp, #32]
	stp	d14, d15, [sp, #48]
	adrp	x2, t_regs_tramp
	str	x0, [x2, :lo12:t_regs_tramp]
	mov	x3, sp
	adrp	x2, t_call_sp
	str	x3, [x2, :lo12:t_call_sp]
	adrp	x2, t_S
	str	x3, [x2, :lo12:t_S]
	sub	x4, x3, #512
	mov	x5, #0xc0c0c0c0c0c0c0c0
1:	str	x5, [x4], #8
	cmp	x4, x3
	b.lo	1b
	add	x2, x1, #SEEN_VEC	/* in->vec: the same layout */
	ld1	{v0.2d-v3.2d}, [x2], #64
	ld1	{v4.2d-v7.2d}, [x2], #64
	ld1	{v8.2d-v11.2d}, [x2], #64
	ld1	{v12.2d-v15.2d}, [x2], #64
	ld1	{v16.2d-v19.2d}, [x2], #64
	ld1	{v20.2d-v23.2d}, [x2], #64
	ld1	{v24.2d-v27.2d}, [x2], #64
	ld1	{v28.2d-v31.2d}, [x2], #64
	adrp	x2, t_regs_jmp
	ldrb	w2, [x2, :lo12:t_regs_jmp]
	cbnz	w2, 2f
	ldgpr
	adrp	x30, t_regs_tramp
	ldr	x30, [x30, :lo12:t_regs_tramp]
	ldp	x0, x1, [x1]
	blr	x30
t_regs_back:
	adrp	x0, t_call_sp
	ldr	x0, [x0, :lo12:t_call_sp]
	mov	sp, x0
	ldp	d10, d11, [sp, #16]
	ldp	d12, d13, [sp, #32]
	ldp	d14, d15, [sp, #48]
	ldp	d8, d9, [sp], #64
	ldp	x19, x20, [sp, #16]
	ldp	x21, x22, [sp, #32]
	ldp	x23, x24, [sp, #48]
	ldp	x25, x26, [sp, #64]
	ldp	x27, x28, [sp, #80]
	ldp	x29, x30, [sp], #96
	ret
2:	ldgpr
	adrp	x17, t_regs_tramp
	ldr	x17, [x17, :lo12:t_regs_tramp]
	adr	x30, t_regs_back
	ldp	x0, x1, [x1]
	br	x17
	.size	t_regs_call, .-t_regs_call

	.globl	t_regs_record
	.type	t_regs_record,@function
t_regs_record:
	sub	sp, sp, #1024
	stp	x0, x1, [sp]
	adrp	x0, t_seen
	add	x0, x0, :lo12:t_seen
	stp	x2, x3, [x0, #16]
	stp	x4, x5, [x0, #32]
	stp	x6, x7, [x0, #48]
	stp	x8, x9, [x0, #64]
	stp	x10, x11, [x0, #80]
	stp	x12, x13, [x0, #96]
	stp	x14, x15, [x0, #112]
	stp	x16, x17, [x0, #128]
	stp	x18, x19, [x0, #144]
	stp	x20, x21, [x0, #160]
	stp	x22, x23, [x0, #176]
	stp	x24, x25, [x0, #192]
	stp	x26, x27, [x0, #208]
	stp	x28, x29, [x0, #224]
	ldp	x2, x3, [sp]
	stp	x2, x3, [x0]
	add	x2, sp, #1024
	str	x2, [x0, #SEEN_SP]
	str	x30, [x0, #SEEN_RET]
	add	x2, x0, #SEEN_VEC
	st1	{v0.2d-v3.2d}, [x2], #64
	st1	{v4.2d-v7.2d}, [x2], #64
	st1	{v8.2d-v11.2d}, [x2], #64
	st1	{v12.2d-v15.2d}, [x2], #64
	st1	{v16.2d-v19.2d}, [x2], #64
	st1	{v20.2d-v23.2d}, [x2], #64
	st1	{v24.2d-v27.2d}, [x2], #64
	st1	{v28.2d-v31.2d}, [x2], #64
	adrp	x3, t_S
	ldr	x3, [x3, :lo12:t_S]
	sub	x3, x3, #512
	add	x2, x0, #SEEN_BELOW
	mov	x4, #64
1:	ldr	x5, [x3], #8
	str	x5, [x2], #8
	subs	x4, x4, #1
	b.ne	1b
	b	t_regs_back
	.size	t_regs_record, .-t_regs_record

	.data
	.globl	t_regs_jmp
t_regs_jmp:
	.byte	0
	.bss
	.balign	64
	.globl	t_seen, t_S, t_regs_tramp
t_seen:	.zero	2048
t_S:	.zero	8
t_call_sp:
	.zero	8
t_regs_tramp:
	.zero	8
#endif
	.section .note.GNU-stack,"",@progbits
