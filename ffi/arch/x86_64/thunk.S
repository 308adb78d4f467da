/* SPDX-License-Identifier: MIT */
/*
 * tfd_ffi_thunk: a slot's target (x86_64). r10 = a closure's read-only
 * record: word 0 is the libffi entry, the words at the record's
 * trampoline size are {cif, fun, user_data}, the layout libffi's
 * ffi_closure_unix64 / ffi_closure_win64 read through r10. Every argument
 * register, the stack and rax (the vector-argument count) pass untouched.
 * tfd_ffi_unset: the entry of a record that is not prepared or was freed:
 * a load from address 0 raises SIGSEGV here, never a jump anywhere (not
 * hlt: its #GP is logged as a "general protection fault", which kernel
 * log checks take for a kernel problem).
 */
#include <cet.h>

	.text
	.globl	tfd_ffi_thunk, tfd_ffi_unset
	.hidden	tfd_ffi_thunk, tfd_ffi_unset
	.type	tfd_ffi_thunk, @function
	.type	tfd_ffi_unset, @function
	.balign	16
tfd_ffi_thunk:
	endbr64
	jmp	*(%r10)
	.size	tfd_ffi_thunk, . - tfd_ffi_thunk
	.balign	16
tfd_ffi_unset:
	endbr64
	xor	%eax, %eax
	mov	(%rax), %rax
	ud2
	.size	tfd_ffi_unset, . - tfd_ffi_unset
	.section .note.GNU-stack, "", @progbits
