/* SPDX-License-Identifier: MIT */
/*
 * Vector harness (aarch64, AAPCS64, Advanced SIMD).
 *
 * void t_vec_call(void *tramp, const uint64_t in[64], uint32_t fpcr)
 *   loads v0-v31 from in[] and FPCR from fpcr, calls tramp, restores d8-d15
 *   and the caller's FPCR. t_vec_record, the target, stores v0-v31 into
 *   t_vec_seen[] and FPCR into t_vec_ctl, then unwinds to the caller.
 */
#if defined(__aarch64__)
	.text
	.globl	t_vec_call
	.type	t_vec_call,@function
t_vec_call:
	stp	x29, x30, [sp, #-96]!
	mov	x29, sp
	stp	d8, d9, [sp, #16]
	stp	d10, d11, [sp, #32]
	stp	d12, d13, [sp, #48]
	stp	d14, d15, [sp, #64]
	mrs	x3, fpcr
	str	x3, [sp, #80]
	adrp	x3, vec_sp
	mov	x4, sp
	str	x4, [x3, :lo12:vec_sp]
	ld1	{v0.2d-v3.2d}, [x1], #64
	ld1	{v4.2d-v7.2d}, [x1], #64
	ld1	{v8.2d-v11.2d}, [x1], #64
	ld1	{v12.2d-v15.2d}, [x1], #64
	ld1	{v16.2d-v19.2d}, [x1], #64
	ld1	{v20.2d-v23.2d}, [x1], #64
	ld1	{v24.2d-v27.2d}, [x1], #64
	ld1	{v28.2d-v31.2d}, [x1], #64
	msr	fpcr, x2
	blr	x0
vec_back:
	adrp	x3, vec_sp
	ldr	x4, [x3, :lo12:vec_sp]
	mov	sp, x4
	ldr	x3, [sp, #80]
	msr	fpcr, x3
	ldp	d8, d9, [sp, #16]
	ldp	d10, d11, [sp, #32]
	ldp	d12, d13, [sp, #48]
	ldp	d14, d15, [sp, #64]
	ldp	x29, x30, [sp], #96
	ret
	.size	t_vec_call, .-t_vec_call

	.globl	t_vec_record
	.type	t_vec_record,@function
t_vec_record:
	adrp	x9, t_vec_seen
	add	x9, x9, :lo12:t_vec_seen
	st1	{v0.2d-v3.2d}, [x9], #64
	st1	{v4.2d-v7.2d}, [x9], #64
	st1	{v8.2d-v11.2d}, [x9], #64
	st1	{v12.2d-v15.2d}, [x9], #64
	st1	{v16.2d-v19.2d}, [x9], #64
	st1	{v20.2d-v23.2d}, [x9], #64
	st1	{v24.2d-v27.2d}, [x9], #64
	st1	{v28.2d-v31.2d}, [x9], #64
	mrs	x10, fpcr
	adrp	x9, t_vec_ctl
	str	w10, [x9, :lo12:t_vec_ctl]
	b	vec_back
	.size	t_vec_record, .-t_vec_record

	.bss
	.balign	16
	.globl	t_vec_seen, t_vec_ctl
t_vec_seen:
	.zero	512
t_vec_ctl:
	.zero	8
vec_sp:	.zero	8
#endif
	.section .note.GNU-stack,"",@progbits
