// SPDX-License-Identifier: MIT
// long nt_chain_value(void): the static chain register (x18) it was entered with.
	.text
	.globl nt_chain_value
	.type nt_chain_value, %function
nt_chain_value:
	hint 34		// bti c
	mov x0, x18
	ret
	.size nt_chain_value, . - nt_chain_value
	.section .note.GNU-stack, "", %progbits
