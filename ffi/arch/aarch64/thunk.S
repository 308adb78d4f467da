/* SPDX-License-Identifier: MIT */
/*
 * tfd_ffi_thunk: a slot's target (aarch64). x18 = a closure's read-only
 * record (the slot cannot set x17: code mode's veneer owns x16/x17):
 * word 0 is the libffi entry, the words at the record's trampoline size
 * are {cif, fun, user_data}, the layout libffi's ffi_closure_SYSV reads
 * through x17; the entry is reached through x16, as from libffi's own
 * trampoline (br x16 may land on "bti c"). Argument registers x0-x8,
 * v0-v7 and the stack pass untouched; x18 is a temporary on Linux.
 * tfd_ffi_unset: the entry of a record that is not prepared or was freed:
 * a load from address 0 raises SIGSEGV here, never a jump anywhere.
 */
	.text
	.globl	tfd_ffi_thunk, tfd_ffi_unset
	.hidden	tfd_ffi_thunk, tfd_ffi_unset
	.type	tfd_ffi_thunk, %function
	.type	tfd_ffi_unset, %function
	.balign	16
tfd_ffi_thunk:
	bti	jc
	mov	x17, x18
	ldr	x16, [x17]
	br	x16
	.size	tfd_ffi_thunk, . - tfd_ffi_thunk
	.balign	16
tfd_ffi_unset:
	bti	jc
	mov	x16, #0
	ldr	x16, [x16]
	brk	#0
	.size	tfd_ffi_unset, . - tfd_ffi_unset
#include "../../../src/arch/aarch64/gnu_property.h"
	.section .note.GNU-stack, "", %progbits
