/* SPDX-License-Identifier: MIT */
/*
 * TRAMPFD_CTX_FIRST (src/closure/closure.c), x86_64: the closure's slot left
 * r11 = its inner slot, which sets rdi = ctx and enters fn. Here the
 * caller's integer arguments move up one (rdi..r8 into rsi..r9, so at
 * most five); rax (the vector-register count of a variadic call), the
 * vector registers and the stack are left as the caller had them.
 */
#include <cet.h>			/* the CET property note, as the C objects have */

	.text
	.balign	16
	.globl	tfd_closure_first
	.hidden	tfd_closure_first
	.type	tfd_closure_first,@function
tfd_closure_first:
	endbr64
	mov	%r8, %r9
	mov	%rcx, %r8
	mov	%rdx, %rcx
	mov	%rsi, %rdx
	mov	%rdi, %rsi
	jmp	*%r11
	.size	tfd_closure_first, .-tfd_closure_first

	.section .note.GNU-stack,"",@progbits
