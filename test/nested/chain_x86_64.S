// SPDX-License-Identifier: MIT
// long nt_chain_value(void): the static chain register (r10) it was entered with.
	.text
	.globl nt_chain_value
	.type nt_chain_value, @function
nt_chain_value:
	endbr64
	mov %r10, %rax
	ret
	.size nt_chain_value, . - nt_chain_value
	.section .note.GNU-stack, "", @progbits
