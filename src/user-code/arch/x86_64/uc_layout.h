/* SPDX-License-Identifier: MIT */
/*
 * User provider, code mode, x86_64: the slot's instructions and the
 * general loader's record and frame (codetable.S, loader.S, finish.c).
 */
#ifndef TRAMPFD_UC_LAYOUT_H
#define TRAMPFD_UC_LAYOUT_H

/* Page granule the template is aligned to in the library's file. */
#define UC_TMPL_ALIGN	4096
/* sel's extra bit for a bank that is not {value of R, target}: none here. */
#define UC_SEL_INDIRECT	0

/* Slot code: offsets of its instructions (finish.c reads the window). */
#define UC_O_SAVE	4	/* mov R, -8(%rsp) */
#define UC_O_CMP	9
#define UC_O_JB		16
#define UC_O_JA		18
#define UC_O_MOV0	20
#define UC_O_JMP0	27
#define UC_O_MOV1	33
#define UC_O_JMP1	40
#define UC_O_HLT	46

/* Full-context record for the general loader (immutable once published). */
#define UC_NGREGS	15	/* x64_rax .. x64_r15 */
#define UC_R_MASK	0	/* bit k: register x64_rax + k is set */
#define UC_R_VAL	8	/* UC_NGREGS values */
#define UC_R_TARGET	128
#define UC_R_NWORDS	136	/* stack data, in 8-byte words */
#define UC_R_LO		144	/* data starts at S - LO */
#define UC_R_FINAL	152	/* rsp at the target = S - FINAL */
#define UC_R_JSLOT	160	/* 0: target parked at [rsp-8], 1: at [rsp-72] */
#define UC_R_DATA	168
#define UC_R_PAD	3	/* words up to UC_R_RAW */
#define UC_R_RAW	256	/* u32 regs_len, u32 stack_len, regs, stack */
/* The loader's frame: below the deepest stack data (S - 320) and the parked target. */
#define UC_FRAME	640
/* Entry stubs (loader.S), one per variant, UC_STUB bytes apart. */
#define UC_STUB		32

/* The variants' registers, as trampfd names, in template order. */
#define UC_NVARIANTS	9
#define UC_VARIANT_NAMES \
	x64_rax, x64_rcx, x64_rdx, x64_rsi, x64_rdi, x64_r8, x64_r9, x64_r10, x64_r11

#endif
