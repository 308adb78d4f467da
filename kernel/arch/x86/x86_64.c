// SPDX-License-Identifier: GPL-2.0
/*
 * x86_64: register names, pt_regs edits (fault mode) and the machine code
 * the module writes for code mode.
 *
 * Entry (8 bytes):  jmp *ptr(%rip); hlt; hlt
 *   ptr = entry + 6 + rel, the slot's body pointer, at the same distance
 *   for every slot. rel is 0x00fbf4fa or 0x40fbf4fa (pointers at
 *   0xfbf500 or 0x40fbf500): its bytes decode as cli, hlt, sti (all #GP
 *   in user mode) and add ah,dh / a REX prefix that run into the hlts,
 *   and "and eax, imm32" from entry + 1 does too: an address inside an
 *   entry never reaches any target. An unset slot points at its hlt.
 * Body (at most 348 of TFD_BODY_SIZE bytes):
 *   [lea -(off+size)(%rsp), %rsp]        SET_SP
 *   movl $imm32, disp32(%rsp)   x 2/qword stack data below S - off
 *   movabs $imm64, %reg         x nregs (no scratch register is used)
 *   jmp *0(%rip); .quad pc
 */
#include <linux/kernel.h>
#include <linux/smp.h>
#include <linux/string.h>
#include <asm/ptrace.h>
#include <asm/sync_core.h>
#include "trampfd_int.h"

#define TFD_PTR_OFF	0xfbf500UL
#define TFD_PTR_OFF_BIG	0x40fbf500UL

#define PT(r)	(offsetof(struct pt_regs, r) / sizeof(unsigned long))

/* pt_regs word of each name, in enum trampfd_regs order from x64_rax. */
static const u8 tfd_pt_index[TFD_NUM_ARCH_REGS] = {
	PT(ax), PT(bx), PT(cx), PT(dx), PT(si), PT(di), PT(bp),
	PT(r8), PT(r9), PT(r10), PT(r11), PT(r12), PT(r13), PT(r14), PT(r15),
	PT(ip),
};

/* Hardware register number of each name (rip excluded). */
static const u8 tfd_hw_reg[TFD_NUM_ARCH_REGS - 1] = {
	0, 3, 1, 2, 6, 7, 5, 8, 9, 10, 11, 12, 13, 14, 15,
};

/**
 * tfd_arch_apply() - load a register context into the user registers.
 * @regs: the task's user pt_regs.
 * @mask: bit k set when name TFD_REG_FIRST + k is in the context.
 * @val: the values, indexed the same way.
 */
void tfd_arch_apply(struct pt_regs *regs, u32 mask, const u64 *val)
{
	unsigned long *w = (unsigned long *)regs;
	unsigned int k;

	for (k = 0; k < TFD_NUM_ARCH_REGS; k++)
		if (mask & BIT(k))
			w[tfd_pt_index[k]] = val[k];
}

/**
 * tfd_arch_ptr_off() - where a code table's body pointers start.
 * @n: trampolines in the table.
 *
 * Return: the offset, or -EINVAL when @n entries do not fit below it.
 */
long tfd_arch_ptr_off(unsigned int n)
{
	if ((unsigned long)n * TFD_ENTRY_SIZE <= TFD_PTR_OFF)
		return TFD_PTR_OFF;
	if ((unsigned long)n * TFD_ENTRY_SIZE <= TFD_PTR_OFF_BIG)
		return TFD_PTR_OFF_BIG;
	return -EINVAL;
}

/**
 * tfd_arch_unset_off() - where an unset slot's pointer leads.
 * @t: the table.
 * @i: the slot.
 *
 * Return: the offset of slot @i's first hlt.
 */
unsigned long tfd_arch_unset_off(const struct tfd_table *t, unsigned int i)
{
	return (unsigned long)i * TFD_ENTRY_SIZE + 6;
}

static u8 *tfd_put32(u8 *p, u32 v)
{
	memcpy(p, &v, 4);
	return p + 4;
}

static u8 *tfd_put64(u8 *p, u64 v)
{
	memcpy(p, &v, 8);
	return p + 8;
}

/**
 * tfd_arch_gen_body() - write the code of one context.
 * @buf: TFD_BODY_SIZE bytes.
 * @c: the context; it has a register context.
 *
 * Return: bytes of code; the rest of @buf is filled with hlt.
 */
unsigned int tfd_arch_gen_body(u8 *buf, const struct tfd_ctx *c)
{
	u8 *p = buf;
	unsigned int k;

	if (c->stack_len) {
		const struct trampfd_stack *s = (const void *)c->stack;
		s32 disp = -(s32)(s->offset + s->size);
		unsigned int j;

		if (s->flags & TRAMPFD_SET_SP) {
			*p++ = 0x48;	/* lea disp32(%rsp), %rsp */
			*p++ = 0x8d;
			*p++ = 0xa4;
			*p++ = 0x24;
			p = tfd_put32(p, disp);
			disp = 0;
		}
		for (j = 0; j < s->size; j += 4) {
			u32 v;

			memcpy(&v, s->data + j, 4);
			*p++ = 0xc7;	/* movl $imm32, disp32(%rsp) */
			*p++ = 0x84;
			*p++ = 0x24;
			p = tfd_put32(p, disp + j);
			p = tfd_put32(p, v);
		}
	}
	for (k = 0; k < TFD_NUM_ARCH_REGS - 1; k++) {
		if (!(c->rs.mask & BIT(k)))
			continue;
		*p++ = 0x48 | (tfd_hw_reg[k] >> 3);	/* movabs $imm64, %reg */
		*p++ = 0xb8 | (tfd_hw_reg[k] & 7);
		p = tfd_put64(p, c->rs.val[k]);
	}
	*p++ = 0xff;		/* jmp *0(%rip) */
	*p++ = 0x25;
	p = tfd_put32(p, 0);
	p = tfd_put64(p, c->pc);
	memset(p, TFD_CODE_FILL, TFD_BODY_SIZE - (p - buf));
	return p - buf;
}

/**
 * tfd_arch_gen_entries() - fill a page with entries, then hlt.
 * @page: the page's kernel address.
 * @count: entries in this page.
 * @ptr_off: where the body pointers start (tfd_arch_ptr_off()).
 */
void tfd_arch_gen_entries(u8 *page, unsigned int count,
			  unsigned long ptr_off)
{
	unsigned int i;

	memset(page, TFD_CODE_FILL, PAGE_SIZE);
	for (i = 0; i < count; i++) {
		page[i * 8] = 0xff;	/* jmp *rel(%rip) */
		page[i * 8 + 1] = 0x25;
		tfd_put32(page + i * 8 + 2, ptr_off - 6);
	}
}

/**
 * tfd_arch_sync_code() - make code the module wrote fetchable.
 * @addr: its kernel address.
 * @len: its length.
 *
 * x86 keeps instruction fetch coherent with stores.
 */
void tfd_arch_sync_code(const void *addr, size_t len)
{
}

static void tfd_sync_fn(void *unused)
{
	sync_core();
}

/**
 * tfd_arch_sync_mm() - interrupt every CPU running @mm and wait.
 * @mm: the address space.
 *
 * Refreshes their saved user PCs and serialises their instruction stream.
 */
void tfd_arch_sync_mm(struct mm_struct *mm)
{
	on_each_cpu_mask(mm_cpumask(mm), tfd_sync_fn, NULL, true);
}
