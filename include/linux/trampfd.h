/* SPDX-License-Identifier: (GPL-2.0 WITH Linux-syscall-note) OR MIT */
/*
 * trampfd UAPI: shared verbatim by libtrampfd and trampfd.ko.
 *
 * Names and layouts follow the trampfd RFC v1; fields marked "extension"
 * replace RFC v1 reserved fields, so RFC v1 programs work unchanged.
 */
#ifndef _UAPI_LINUX_TRAMPFD_H
#define _UAPI_LINUX_TRAMPFD_H

#include <linux/types.h>
#include <linux/ioctl.h>

enum trampfd_type {
	TRAMPFD_USER,
	TRAMPFD_NUM_TYPES,
};

/* struct trampfd_user.flags */
#define TRAMPFD_FAULT		(1U << 0)	/* force fault mode */
#define TRAMPFD_CODE		(1U << 1)	/* force code mode */
#define TRAMPFD_KERNEL		(1U << 2)	/* force the kernel provider */
#define TRAMPFD_NOKERNEL	(1U << 3)	/* force the user provider */
#define TRAMPFD_FASTWRITE	(1U << 4)	/* user provider: plain-store contexts */
#define TRAMPFD_USER_FLAGS	(TRAMPFD_FAULT | TRAMPFD_CODE | TRAMPFD_KERNEL | \
				 TRAMPFD_NOKERNEL | TRAMPFD_FASTWRITE)

/* Largest table; 0 in ntrampolines means 1. */
#define TRAMPFD_MAX_TRAMPOLINES	(1U << 24)

struct trampfd_user {
	__u32 flags;
	__u32 ntrampolines;	/* extension: RFC v1 "reserved" */
};

/*
 * Symbolic pread/pwrite offsets. Trampoline i of a table is addressed as
 * TRAMPFD_OFFSET(i, ctx); TRAMPFD_OFFSET(0, ctx) == ctx (RFC v1).
 * MAP and ALLOWED_PCS belong to the table and take index 0 only.
 */
#define TRAMPFD_MAP_OFFSET		0x0000
#define TRAMPFD_REGS_OFFSET		0x1000
#define TRAMPFD_STACK_OFFSET		0x2000
#define TRAMPFD_ALLOWED_PCS_OFFSET	0x3000
#define TRAMPFD_CTX_MASK		0xffffULL
#define TRAMPFD_INDEX_SHIFT		16
#define TRAMPFD_OFFSET(i, ctx) \
	((((__u64)(i)) << TRAMPFD_INDEX_SHIFT) | (__u64)(ctx))

/* Read at TRAMPFD_MAP_OFFSET: how to map the table. */
struct trampfd_map {
	__u32 size;	/* bytes to map */
	__u32 prot;	/* PROT_* the mapping must have */
	__u32 flags;	/* MAP_* the mapping must have */
	__u32 offset;	/* mmap offset */
	__u32 ioffset;	/* trampoline 0's offset in the mapping */
	__u32 stride;	/* extension: distance between trampolines */
};

/* Register names (RFC v1 numbering: 32-bit x86 first, so x64_rax == 8). */
enum trampfd_reg_name {
	x32_eax, x32_ebx, x32_ecx, x32_edx, x32_esi, x32_edi, x32_ebp, x32_eip,
	x64_rax, x64_rbx, x64_rcx, x64_rdx, x64_rsi, x64_rdi, x64_rbp,
	x64_r8, x64_r9, x64_r10, x64_r11, x64_r12, x64_r13, x64_r14, x64_r15,
	x64_rip,
	arm64_r0 = 32,
	arm64_r28 = arm64_r0 + 28,
	arm64_pc,
	TRAMPFD_NUM_REGS,
};

#define TRAMPFD_MAX_REGS	40

struct trampfd_reg {
	__u32 name;
	__u32 reserved;
	__u64 value;
};

struct trampfd_regs {
	__u32 nregs;		/* 0 removes the register context */
	__u32 reserved;
	struct trampfd_reg regs[];
};

#define TRAMPFD_SET_SP		(1U << 0)
#define TRAMPFD_STACK_FLAGS	TRAMPFD_SET_SP
#define TRAMPFD_MAX_STACK_SIZE	64
#define TRAMPFD_MAX_STACK_OFFSET 256

struct trampfd_stack {
	__u32 flags;
	__u32 offset;		/* data ends at S - offset */
	__u32 size;		/* 0 removes the stack context */
	__u32 reserved;
	__u8 data[];
};

#define TRAMPFD_MAX_PCS		16

struct trampfd_values {
	__u32 nvalues;
	__u32 reserved;
	__u64 values[];
};

/* /dev/trampfd: create a table; returns a new close-on-exec fd. */
struct trampfd_create_args {
	__u32 type;		/* enum trampfd_type */
	__u32 flags;		/* trampfd_create() flags: must be 0 */
	__u64 data;		/* user pointer to struct trampfd_user */
	__u32 data_size;	/* sizeof(struct trampfd_user) */
	__u32 reserved;
};

#define TRAMPFD_IOC_MAGIC	0xE7
#define TRAMPFD_IOC_CREATE	_IOW(TRAMPFD_IOC_MAGIC, 1, struct trampfd_create_args)

#endif /* _UAPI_LINUX_TRAMPFD_H */
