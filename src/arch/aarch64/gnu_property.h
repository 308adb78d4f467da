/* SPDX-License-Identifier: MIT */
/*
 * The GNU property note an assembly file needs so that the library keeps
 * BTI (every indirect-branch target here starts with "bti c") when the C
 * objects are built with -mbranch-protection.
 */
	.pushsection .note.gnu.property, "a"
	.balign	8
	.long	4			/* name size */
	.long	16			/* descriptor size */
	.long	5			/* NT_GNU_PROPERTY_TYPE_0 */
	.asciz	"GNU"
	.long	0xc0000000		/* GNU_PROPERTY_AARCH64_FEATURE_1_AND */
	.long	4
	.long	1			/* BTI */
	.long	0
	.popsection
