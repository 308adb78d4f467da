/* SPDX-License-Identifier: MIT */
/*
 * TRAMPFD_CTX_FIRST (src/closure/closure.c), aarch64: the closure's slot left
 * x18 = its inner slot, which sets x0 = ctx and enters fn. Here the
 * caller's integer arguments move up one (x0..x6 into x1..x7, so at most
 * seven); x8 (a returned structure's address), the vector registers and
 * the stack are left as the caller had them. The inner slot is entered by
 * br x16, which its "bti c" accepts.
 */
#include "gnu_property.h"

	.text
	.balign	16
	.globl	tfd_closure_first
	.hidden	tfd_closure_first
	.type	tfd_closure_first,%function
tfd_closure_first:
	hint	34			/* bti c */
	mov	x7, x6
	mov	x6, x5
	mov	x5, x4
	mov	x4, x3
	mov	x3, x2
	mov	x2, x1
	mov	x1, x0
	mov	x16, x18
	br	x16
	.size	tfd_closure_first, .-tfd_closure_first

	.section .note.GNU-stack,"",%progbits
