/* SPDX-License-Identifier: MIT */
/*
 * aarch64 part of the kernel tests (included by kt.h): register names and
 * the few helpers that must be written in assembly.
 */
#ifndef KT_ARCH_H
#define KT_ARCH_H

#define KT_REG_ARG2	(arm64_r0 + 2)
#define KT_REG_FIRST	arm64_r0	/* KT_REG_FIRST + 0..14: general registers */
#define KT_REG_LAST	arm64_r28	/* the last general register */
#define KT_REG_FOREIGN	x64_rax		/* valid on another architecture only */
/* IP0: a code table's veneer register, set in fault mode only (kt_ret_scratch). */
#define KT_REG_SCRATCH	(arm64_r0 + 16)
/* Caller-saved names a random context may set, then rarer ones. */
#define KT_CHAOS_NAMES	arm64_r0, arm64_r0 + 1, arm64_r0 + 2, arm64_r0 + 3, \
			arm64_r0 + 8, arm64_r0 + 9, arm64_r0 + 15, arm64_r0 + 16, \
			arm64_r0 + 17, arm64_pc, arm64_pc, arm64_pc
#define KT_CHAOS_RARE	arm64_r0 + 19, x32_eax, x64_rax
/* AAPCS64: a moved stack pointer stays 16-byte aligned. */
#define KT_SP_ALIGN	16
/*
 * A code table's entry size, and the one offset inside an entry that
 * runs its own slot: entries start with "bti c", a no-op where the page
 * is not guarded. No offset inside an entry runs another slot's.
 */
#define KT_CODE_STRIDE	16
#define KT_CODE_MID_OWN	4

/* x16 and x17 are the code mode veneer's own: fault mode only. */
static inline int kt_name_ok(unsigned int name, unsigned int mode)
{
	if (name < arm64_r0 || name > arm64_pc)
		return 0;
	return mode == TRAMPFD_FAULT || (name != arm64_r0 + 16 && name != arm64_r0 + 17);
}

/*
 * kt_grab: copies [S - 64, S) to kt_buf, S the stack pointer at the
 * trampoline. kt_grab_sp: for SET_SP with size 64: records the stack
 * pointer in kt_sp, copies the 64 bytes it points at, moves it back and
 * returns. kt_ret_scratch: returns x16.
 */
uint64_t kt_buf[8], kt_sp;
void kt_grab(void);
void kt_grab_sp(void);
long kt_ret_scratch(void);
__asm__(".text\n.globl kt_grab\nkt_grab:\n"
	"\tsub x9, sp, #64\n"
	"\tb 1f\n"
	".globl kt_grab_sp\nkt_grab_sp:\n"
	"\tmov x9, sp\n\tadrp x10, kt_sp\n\tstr x9, [x10, :lo12:kt_sp]\n"
	"\tadd sp, sp, #64\n"
	"1:\tadrp x10, kt_buf\n\tadd x10, x10, :lo12:kt_buf\n"
	"\tldp x11, x12, [x9]\n\tstp x11, x12, [x10]\n"
	"\tldp x11, x12, [x9, #16]\n\tstp x11, x12, [x10, #16]\n"
	"\tldp x11, x12, [x9, #32]\n\tstp x11, x12, [x10, #32]\n"
	"\tldp x11, x12, [x9, #48]\n\tstp x11, x12, [x10, #48]\n"
	"\tret\n"
	".globl kt_ret_scratch\nkt_ret_scratch:\n"
	"\tmov x0, x16\n\tret\n");

/* Calls @f with the stack pointer at @top (16-aligned), on a caller-provided stack. */
static inline void kt_call_on(void *top, void *f)
{
	__asm__ volatile("mov x19, sp\n\tmov sp, %0\n\tblr %1\n\tmov sp, x19"
			 : : "r"(top), "r"(f)
			 : "x0", "x1", "x2", "x3", "x4", "x5", "x6", "x7", "x8",
			   "x9", "x10", "x11", "x12", "x13", "x14", "x15", "x16",
			   "x17", "x18", "x19", "x30", "memory", "cc");
}

/*
 * Calls @p(a) with x16 and x17 zero: an entry or body entered past its
 * start then loads from or jumps to address 0 (SIGSEGV), whatever the
 * caller's code left in them.
 */
static inline long kt_call_wild(void *p, long a)
{
	register long x0 __asm__("x0") = a;

	__asm__ volatile("mov x16, xzr\n\tmov x17, xzr\n\tblr %1"
			 : "+r"(x0) : "r"(p)
			 : "x1", "x2", "x3", "x4", "x5", "x6", "x7", "x8", "x9",
			   "x10", "x11", "x12", "x13", "x14", "x15", "x16", "x17",
			   "x18", "x30", "memory", "cc");
	return x0;
}

#endif
