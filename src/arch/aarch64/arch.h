/* SPDX-License-Identifier: MIT */
/* aarch64: register names, ucontext mapping and stack rules. */
#ifndef TRAMPFD_ARCH_H
#define TRAMPFD_ARCH_H

#include <sys/auxv.h>
#include <sys/ucontext.h>
/* Register names, TFD_SP_ALIGN, TFD_CODE_RESERVED: the shared contract. */
#include <linux/trampfd_contract.h>

/*
 * A code-mode trampoline is an AAPCS64 veneer: it branches through x17
 * and uses x16, the two registers a veneer may clobber, so a context in
 * code mode cannot set them (TFD_CODE_RESERVED; fault mode can: the kernel
 * or the handler sets every register).
 */
#ifndef PROT_BTI
#define PROT_BTI	0x10
#endif
#ifndef HWCAP2_BTI
#define HWCAP2_BTI	(1UL << 17)
#endif
/*
 * Code-mode tables are guarded pages where the CPU has BTI: an indirect
 * branch anywhere but a slot's "bti c" (past the selector check, say)
 * raises SIGILL.
 */
static inline int tfd_arch_code_prot(void)
{
	return (getauxval(AT_HWCAP2) & HWCAP2_BTI) ? PROT_BTI : 0;
}
/* No red zone: a signal frame starts right under sp. */
#define TFD_REDZONE	0
/*
 * A signal frame is smaller than this: with SME at the largest vector
 * length, ZA alone is 64 KiB. Too large a bound is harmless: a frame
 * elsewhere taken for one under S costs one more fault (stage 2).
 */
#define TFD_FRAME_MAX	(1 << 20)

#define TFD_UC_PC(uc)	((uc)->uc_mcontext.pc)
#define TFD_UC_SP(uc)	((uc)->uc_mcontext.sp)
/* Names are x0..x28 in order, then pc. */
#define TFD_UC_REG(uc, i) \
	(*((i) == TFD_REG_PC - TFD_REG_FIRST ? &(uc)->uc_mcontext.pc : &(uc)->uc_mcontext.regs[i]))
#define TFD_UC_IS_FETCH(uc, addr) \
	((uintptr_t)TFD_UC_PC(uc) == (uintptr_t)(addr))

#endif
