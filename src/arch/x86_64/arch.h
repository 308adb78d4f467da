/* SPDX-License-Identifier: MIT */
/* x86_64: register names, ucontext mapping and stack rules. */
#ifndef TRAMPFD_ARCH_H
#define TRAMPFD_ARCH_H

#include <sys/ucontext.h>
/* Register names, TFD_SP_ALIGN, TFD_CODE_RESERVED: the shared contract. */
#include <linux/trampfd_contract.h>

/* Bytes below sp the kernel leaves alone when it builds a signal frame. */
#define TFD_REDZONE	128
/* Extra protection bits for code-mode tables (endbr64 needs none). */
static inline int tfd_arch_code_prot(void)
{
	return 0;
}
/* A signal frame, xsave area included, is smaller than this. */
#define TFD_FRAME_MAX	65536

/* Index into uc_mcontext.gregs, in enum trampfd_regs order from x64_rax. */
static const unsigned char tfd_greg_of[] = {
	REG_RAX, REG_RBX, REG_RCX, REG_RDX, REG_RSI, REG_RDI, REG_RBP,
	REG_R8, REG_R9, REG_R10, REG_R11, REG_R12, REG_R13, REG_R14, REG_R15,
	REG_RIP,
};

#define TFD_UC_PC(uc)	((uc)->uc_mcontext.gregs[REG_RIP])
#define TFD_UC_SP(uc)	((uc)->uc_mcontext.gregs[REG_RSP])
#define TFD_UC_REG(uc, i) ((uc)->uc_mcontext.gregs[tfd_greg_of[i]])
/* An instruction fetch faulted: the PC is the faulting address itself. */
#define TFD_UC_IS_FETCH(uc, addr) \
	((uintptr_t)TFD_UC_PC(uc) == (uintptr_t)(addr))

#endif
