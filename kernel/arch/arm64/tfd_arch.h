/* SPDX-License-Identifier: GPL-2.0 */
/*
 * arm64 constants and helpers of trampfd.ko; the code is in arm64.c.
 */
#ifndef TFD_ARCH_H
#define TFD_ARCH_H

#include <linux/mm.h>
#include <asm/cpufeature.h>
#include <asm/ptrace.h>

/*
 * Register names, TFD_SP_ALIGN and the names code mode refuses (x16, x17,
 * which entries and bodies branch with): include/linux/trampfd_contract.h.
 */

/*
 * Code mode: an entry is "bti c; adrp x16; ldr x16, [x16, lo]; br x16".
 * With pointers as far apart as entries, the adrp page distance is the
 * same for every entry, so one entry page serves every page of entries.
 */
#define TFD_ENTRY_SIZE		16
#define TFD_PTR_STRIDE		16
#define TFD_BODY_SIZE		512
/* 0x00000000 is udf #0: SIGILL. */
#define TFD_CODE_FILL		0
/*
 * A thread stopped between an entry's ldr and its br holds its body's
 * address in x16, not in pc.
 */
#define TFD_NEXT_PCS		2

/*
 * Code tables are guarded pages where the CPU has BTI, like the library's:
 * an indirect branch into one anywhere but an entry's "bti c" is SIGILL.
 * A branch from unguarded code, by any register, still lands.
 */
static inline unsigned long tfd_arch_code_vm_flags(void)
{
	return system_supports_bti() ? VM_ARM64_BTI : 0;
}

static inline bool tfd_arch_user64(struct pt_regs *regs)
{
	return !compat_user_mode(regs);
}

static inline unsigned int tfd_arch_next_pcs(struct pt_regs *regs,
					     unsigned long *pc)
{
	pc[0] = READ_ONCE(regs->pc);
	pc[1] = READ_ONCE(regs->regs[16]);
	return 2;
}

#endif /* TFD_ARCH_H */
