/* SPDX-License-Identifier: GPL-2.0 */
/*
 * x86_64 constants and helpers of trampfd.ko; the code is in x86_64.c.
 */
#ifndef TFD_ARCH_H
#define TFD_ARCH_H

#include <asm/ptrace.h>

/* Register names and TFD_SP_ALIGN: include/linux/trampfd_contract.h. */

/*
 * Code mode: an entry is "jmp *ptr(%rip); hlt; hlt" and its body pointer
 * is 8 bytes, so every entry reaches its pointer at the same distance.
 */
#define TFD_ENTRY_SIZE		8
#define TFD_PTR_STRIDE		8
#define TFD_BODY_SIZE		384
/* hlt: #GP, so SIGSEGV, in user mode. */
#define TFD_CODE_FILL		0xf4
/* User PCs a thread may be about to run from a body: its saved rip. */
#define TFD_NEXT_PCS		1

/* No user-space branch target checks on x86 in this kernel. */
static inline unsigned long tfd_arch_code_vm_flags(void)
{
	return 0;
}

static inline bool tfd_arch_user64(struct pt_regs *regs)
{
	return user_64bit_mode(regs);
}

static inline unsigned int tfd_arch_next_pcs(struct pt_regs *regs,
					     unsigned long *pc)
{
	pc[0] = READ_ONCE(regs->ip);
	return 1;
}

#endif /* TFD_ARCH_H */
