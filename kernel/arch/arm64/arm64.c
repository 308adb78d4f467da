// SPDX-License-Identifier: GPL-2.0
/*
 * arm64: register names, pt_regs edits (fault mode) and the machine code
 * the module writes for code mode.
 *
 * Code mode is an AAPCS64 veneer: x16 and x17 (IP0, IP1) are not
 * preserved, so a code table refuses them as names. The target is
 * reached by "br x16", which a BTI target's "bti c" accepts; every entry
 * and body starts with "bti c" too: the module maps code tables as
 * guarded pages where the CPU has BTI (tfd_arch_code_vm_flags()).
 *
 * Entry (16 bytes), at i * 16:
 *   bti c; adrp x16, ptr_off >> 12; ldr x16, [x16, (i * 16) & 0xfff];
 *   br x16
 * Pointers sit at ptr_off + i * 16 with ptr_off 4K-aligned, so every entry
 * page is the same. Between the entries and the pointers is one page
 * that is never mapped: an unset slot points there (SIGSEGV).
 * Entering an entry after its "bti c" (where the page is not guarded) is
 * entering it; further in, it jumps through the caller's own x16.
 *
 * Body (at most 432 of TFD_BODY_SIZE bytes), entered with x16 = its start:
 *   bti c
 *   sub sp, sp, #K                       stack data: K = offset + size,
 *   ldr x17, [x16, lit]; str x17, [sp]   rounded up to 16 without SET_SP
 *   ... per 8 bytes                      (sp never holds a misaligned
 *   [add sp, sp, #K]                     value), put back without SET_SP
 *   ldp xa, xb, [x16, lit] / ldr         the registers, two at a time
 *   ldr x16, [x16, lit]; br x16          the target
 *   literals: stack words, registers, pc
 * The literals are addressed from x16, not from the pc: a jump into the
 * middle of a body loads them from the caller's x16, not from the body,
 * so it does not run that body's context.
 */
#include <linux/kernel.h>
#include <linux/smp.h>
#include <linux/string.h>
#include <asm/barrier.h>
#include <asm/cache.h>
#include <asm/cacheflush.h>
#include <asm/cpufeature.h>
#include <asm/ptrace.h>
#include <asm/sysreg.h>
#include "trampfd_int.h"

#define A64_X16		16
#define A64_X17		17
#define A64_SP		31

#define A64_BTI_C		0xd503245fU
#define A64_BR(n)		(0xd61f0000U | (n) << 5)
#define A64_LDR(t, n, off)	(0xf9400000U | ((off) / 8) << 10 | (n) << 5 | (t))
#define A64_LDP(t, t2, n, off)	(0xa9400000U | ((off) / 8) << 15 | \
				 (t2) << 10 | (n) << 5 | (t))
#define A64_STR(t, n, off)	(0xf9000000U | ((off) / 8) << 10 | (n) << 5 | (t))
#define A64_SUB_SP(imm)		(0xd1000000U | (imm) << 10 | A64_SP << 5 | A64_SP)
#define A64_ADD_SP(imm)		(0x91000000U | (imm) << 10 | A64_SP << 5 | A64_SP)

/* CTR_EL0.L1Ip: the kernel takes any other I-cache policy as aliasing. */
#define TFD_L1IP_VPIPT	0
#define TFD_L1IP_PIPT	3

/* adrp xd, . + pages * 4K (from the 4K page of the adrp itself) */
static u32 tfd_adrp(unsigned int d, unsigned long pages)
{
	return 0x90000000U | (pages & 3) << 29 | ((pages >> 2) & 0x7ffff) << 5 | d;
}

/**
 * tfd_arch_apply() - load a register context into the user registers.
 * @regs: the task's user pt_regs.
 * @mask: bit k set when name TFD_REG_FIRST + k is in the context.
 * @val: the values, indexed the same way.
 */
void tfd_arch_apply(struct pt_regs *regs, u32 mask, const u64 *val)
{
	unsigned int k;

	for (k = 0; k < TFD_NUM_ARCH_REGS - 1; k++)
		if (mask & BIT(k))
			regs->regs[k] = val[k];
	if (mask & BIT(TFD_REG_PC - TFD_REG_FIRST))
		regs->pc = val[TFD_REG_PC - TFD_REG_FIRST];
}

/**
 * tfd_arch_ptr_off() - where a code table's body pointers start.
 * @n: trampolines in the table.
 *
 * After the entries and one unmapped page; adrp reaches 4 GiB, far more
 * than the largest table needs.
 *
 * Return: the offset.
 */
long tfd_arch_ptr_off(unsigned int n)
{
	BUILD_BUG_ON(TFD_PTR_STRIDE != TFD_ENTRY_SIZE);
	return PAGE_ALIGN((unsigned long)n * TFD_ENTRY_SIZE) + PAGE_SIZE;
}

/**
 * tfd_arch_unset_off() - where an unset slot's pointer leads.
 * @t: the table.
 * @i: the slot.
 *
 * Return: the offset of the unmapped page before the pointers.
 */
unsigned long tfd_arch_unset_off(const struct tfd_table *t, unsigned int i)
{
	return t->ptr_off - PAGE_SIZE;
}

/* A64 instructions are little-endian whatever the data endianness. */
static u8 *tfd_put_insn(u8 *p, u32 insn)
{
	__le32 v = cpu_to_le32(insn);

	memcpy(p, &v, 4);
	return p + 4;
}

/**
 * tfd_arch_gen_body() - write the code of one context.
 * @buf: TFD_BODY_SIZE bytes.
 * @c: the context; it has a register context without x16 and x17.
 *
 * Return: bytes of code and literals; the rest of @buf is udf.
 */
unsigned int tfd_arch_gen_body(u8 *buf, const struct tfd_ctx *c)
{
	const struct trampfd_stack *s = (const void *)c->stack;
	unsigned int nw = 0, nr = 0, k, j, ninsn, lit, kk = 0, kpad = 0;
	u8 reg[TFD_NUM_ARCH_REGS - 1];
	bool set_sp = false;
	u8 *p = buf;

	/* The contract refuses exactly the registers this code uses. */
	BUILD_BUG_ON(TFD_CODE_RESERVED != (BIT(A64_X16) | BIT(A64_X17)));
	if (c->stack_len) {
		nw = s->size / 8;
		set_sp = s->flags & TRAMPFD_SET_SP;
		kk = s->offset + s->size;
		kpad = set_sp ? kk : ALIGN(kk, 16);
	}
	for (k = 0; k < TFD_NUM_ARCH_REGS - 1; k++)
		if (c->rs.mask & BIT(k))
			reg[nr++] = k;
	ninsn = 1 + (nw ? 2 + 2 * nw - set_sp : 0) + (nr + 1) / 2 + 2;
	lit = ALIGN(ninsn * 4, 8);

	p = tfd_put_insn(p, A64_BTI_C);
	if (nw) {
		p = tfd_put_insn(p, A64_SUB_SP(kpad));
		for (j = 0; j < nw; j++) {
			memcpy(buf + lit, s->data + 8 * j, 8);
			p = tfd_put_insn(p, A64_LDR(A64_X17, A64_X16, lit));
			p = tfd_put_insn(p, A64_STR(A64_X17, A64_SP,
						    kpad - kk + 8 * j));
			lit += 8;
		}
		if (!set_sp)
			p = tfd_put_insn(p, A64_ADD_SP(kpad));
	}
	for (k = 0; k < nr; k += 2) {
		memcpy(buf + lit, &c->rs.val[reg[k]], 8);
		if (k + 1 < nr) {
			memcpy(buf + lit + 8, &c->rs.val[reg[k + 1]], 8);
			p = tfd_put_insn(p, A64_LDP(reg[k], reg[k + 1],
						    A64_X16, lit));
			lit += 16;
		} else {
			p = tfd_put_insn(p, A64_LDR(reg[k], A64_X16, lit));
			lit += 8;
		}
	}
	memcpy(buf + lit, &c->pc, 8);
	p = tfd_put_insn(p, A64_LDR(A64_X16, A64_X16, lit));
	p = tfd_put_insn(p, A64_BR(A64_X16));
	lit += 8;
	/* The gap before the literals, if any, and the tail: udf. */
	memset(p, TFD_CODE_FILL, ALIGN(ninsn * 4, 8) - ninsn * 4);
	memset(buf + lit, TFD_CODE_FILL, TFD_BODY_SIZE - lit);
	return lit;
}

/**
 * tfd_arch_gen_entries() - fill a page with entries, then udf.
 * @page: the page's kernel address.
 * @count: entries in this page.
 * @ptr_off: where the body pointers start (tfd_arch_ptr_off()).
 */
void tfd_arch_gen_entries(u8 *page, unsigned int count,
			  unsigned long ptr_off)
{
	unsigned int i;
	u8 *p = page;

	memset(page, TFD_CODE_FILL, PAGE_SIZE);
	for (i = 0; i < count; i++) {
		p = tfd_put_insn(p, A64_BTI_C);
		p = tfd_put_insn(p, tfd_adrp(A64_X16, ptr_off >> 12));
		p = tfd_put_insn(p, A64_LDR(A64_X16, A64_X16,
					    (i * TFD_ENTRY_SIZE) & 0xfff));
		p = tfd_put_insn(p, A64_BR(A64_X16));
	}
}

/**
 * tfd_arch_sync_code() - make code the module wrote fetchable.
 * @addr: its kernel address.
 * @len: its length.
 *
 * Instruction fetch is not coherent with stores: clean the D-cache to the
 * PoU and invalidate the I-cache, as the kernel does for a new executable
 * user mapping. The module writes through the linear map and user space
 * fetches through another address, so an I-cache that may alias (VIPT:
 * the kernel assumes it does, and so do we, from the sanitised CTR_EL0 of
 * all CPUs) is invalidated whole. Both paths end with a dsb, so the pointer
 * store that publishes the code is observed after them. As for any user
 * code the kernel makes coherent, no IPI follows: a body is rewritten
 * only a grace period after its last use, in which every CPU passed a
 * context synchronization event (with nohz_full, code.c interrupts them).
 */
void tfd_arch_sync_code(const void *addr, size_t len)
{
	unsigned long start = (unsigned long)addr;
	u64 ctr = read_sanitised_ftr_reg(SYS_CTR_EL0);

	caches_clean_inval_pou(start, start + len);
	if (!(ctr & CTR_EL0_DIC) && CTR_L1IP(ctr) != TFD_L1IP_PIPT &&
	    CTR_L1IP(ctr) != TFD_L1IP_VPIPT) {
		asm volatile("ic ialluis" : : : "memory");
		dsb(ish);
	}
}

/**
 * tfd_arch_sync_mm() - interrupt every CPU that may run @mm and wait.
 * @mm: the address space.
 *
 * arm64 does not track mm_cpumask(), so every CPU; the exception return
 * is a context synchronization event and refreshes the saved user PCs.
 */
void tfd_arch_sync_mm(struct mm_struct *mm)
{
	kick_all_cpus_sync();
}
