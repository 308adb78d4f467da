/* SPDX-License-Identifier: MIT */
/*
 * x86_64 part of the kernel tests (included by kt.h): register names and
 * the few helpers that must be written in assembly.
 */
#ifndef KT_ARCH_H
#define KT_ARCH_H

#define KT_REG_ARG2	x64_rdx
#define KT_REG_FIRST	x64_rax		/* KT_REG_FIRST + 0..14: general registers */
#define KT_REG_LAST	x64_r15		/* the last general register */
#define KT_REG_FOREIGN	arm64_r0	/* valid on another architecture only */
#define KT_REG_SCRATCH	x64_r11		/* caller-saved, no argument: kt_ret_scratch */
/* Caller-saved names a random context may set, then rarer ones. */
#define KT_CHAOS_NAMES	x64_rax, x64_rcx, x64_rdx, x64_rsi, x64_rdi, x64_r8, \
			x64_r9, x64_r10, x64_r11, x64_rip, x64_rip, x64_rip
#define KT_CHAOS_RARE	x64_rbx, x32_eax, arm64_r0
/* Moving the stack pointer keeps it 8-byte aligned. */
#define KT_SP_ALIGN	8
/*
 * A code table's entry size, and the one offset inside an entry that
 * runs its own slot (0: none; no offset inside an entry runs another's).
 */
#define KT_CODE_STRIDE	8
#define KT_CODE_MID_OWN	0

/* Whether @name may be set in a table of @mode (TRAMPFD_FAULT, TRAMPFD_CODE). */
static inline int kt_name_ok(unsigned int name, unsigned int mode)
{
	return name >= x64_rax && name <= x64_rip;
}

/*
 * kt_grab: copies [S - 64, S) to kt_buf, S the stack pointer at the
 * trampoline (pointing at the return address). kt_grab_sp: for SET_SP
 * with size 64: records the stack pointer in kt_sp, copies the 64 bytes it
 * points at, moves it back and returns. kt_ret_scratch: returns r11.
 */
uint64_t kt_buf[8], kt_sp;
void kt_grab(void);
void kt_grab_sp(void);
long kt_ret_scratch(void);
__asm__(".text\n.globl kt_grab\nkt_grab:\n"
	"\tlea -64(%rsp), %rsi\n\tlea kt_buf(%rip), %rdi\n"
	"\tmov $8, %ecx\n\trep movsq\n\tret\n"
	".globl kt_grab_sp\nkt_grab_sp:\n"
	"\tmov %rsp, kt_sp(%rip)\n\tmov %rsp, %rsi\n\tlea kt_buf(%rip), %rdi\n"
	"\tmov $8, %ecx\n\trep movsq\n\tadd $64, %rsp\n\tret\n"
	".globl kt_ret_scratch\nkt_ret_scratch:\n"
	"\tmov %r11, %rax\n\tret\n");

/* Calls @f with the stack pointer at @top (16-aligned), on a caller-provided stack. */
static inline void kt_call_on(void *top, void *f)
{
	__asm__ volatile("mov %%rsp, %%rbx\n\tmov %0, %%rsp\n\tcall *%1\n\t"
			 "mov %%rbx, %%rsp"
			 : : "r"(top), "r"(f)
			 : "rbx", "rax", "rcx", "rdx", "rsi", "rdi", "r8", "r9",
			   "r10", "r11", "memory", "cc");
}

/* Calls @p(a) with no scratch register pointing anywhere useful. */
static inline long kt_call_wild(void *p, long a)
{
	return ((long (*)(long))p)(a);
}

#endif
