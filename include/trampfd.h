/* SPDX-License-Identifier: MIT */
/*
 * trampfd: trampolines without writable+executable memory.
 *
 * Every call returns a non-negative value or -errno and never sets errno.
 * See trampfd(7).
 */
#ifndef TRAMPFD_H
#define TRAMPFD_H

#include <stddef.h>
#include <sys/types.h>
#include <linux/trampfd.h>

#ifdef __cplusplus
extern "C" {
#endif

#define TRAMPFD_VERSION_MAJOR 0
#define TRAMPFD_VERSION_MINOR 2	/* 2: closures (TRAMPFD_0.2) */

/*
 * A register context of n registers, written whole at TRAMPFD_REGS_OFFSET
 * (the length trampfd_pwrite wants is its sizeof when nregs == n): struct
 * trampfd_regs's layout with a fixed array instead of a flexible one, so
 * it can be declared and initialised in ISO C without -Wpedantic warnings:
 *   TRAMPFD_REGS_CTX(2) ctx = { .nregs = 2, .regs = { { ... }, { ... } } };
 */
#define TRAMPFD_REGS_CTX(n) \
	struct { __u32 nregs; __u32 reserved; struct trampfd_reg regs[n]; }

/*
 * This architecture's PC and its first two integer argument registers, as
 * register names: a context written with these works on x86_64 and aarch64.
 */
#if defined(__x86_64__)
#define TRAMPFD_REG_PC		x64_rip
#define TRAMPFD_REG_ARG0	x64_rdi
#define TRAMPFD_REG_ARG1	x64_rsi
#define TRAMPFD_REG_ARG2	x64_rdx
#define TRAMPFD_REG_ARG3	x64_rcx
#define TRAMPFD_REG_ARG4	x64_r8
#define TRAMPFD_REG_ARG5	x64_r9
#define TRAMPFD_NUM_ARG_REGS	6
#define TRAMPFD_REG_CHAIN	x64_r10		/* GCC's static chain */
#elif defined(__aarch64__)
#define TRAMPFD_REG_PC		arm64_pc
#define TRAMPFD_REG_ARG0	arm64_r0
#define TRAMPFD_REG_ARG1	(arm64_r0 + 1)
#define TRAMPFD_REG_ARG2	(arm64_r0 + 2)
#define TRAMPFD_REG_ARG3	(arm64_r0 + 3)
#define TRAMPFD_REG_ARG4	(arm64_r0 + 4)
#define TRAMPFD_REG_ARG5	(arm64_r0 + 5)
#define TRAMPFD_REG_ARG6	(arm64_r0 + 6)
#define TRAMPFD_REG_ARG7	(arm64_r0 + 7)
#define TRAMPFD_NUM_ARG_REGS	8
#define TRAMPFD_REG_CHAIN	(arm64_r0 + 18)	/* GCC's static chain */
#endif

/*
 * Closures: trampfd_closure_create(3). how is one placement of ctx, or-ed
 * with TRAMPFD_CLOSURE_FASTWRITE if wanted.
 */
/* Integer argument n; an n past 255 gives a value the call refuses. */
#define TRAMPFD_CTX_ARG(n)	((unsigned int)(n) < 0x100U ? 0x100U | (unsigned int)(n) : ~0U)
#define TRAMPFD_CTX_FIRST	0x200U		/* argument 0, the caller's move up one */
#define TRAMPFD_CTX_CHAIN	0x400U		/* TRAMPFD_REG_CHAIN */
#define TRAMPFD_CLOSURE_FASTWRITE 0x10000U	/* plain-store context: libffi's trade */

/* Tables */
int trampfd_create(int type, const void *data, unsigned int flags);
int trampfd_close(int fd);

/* Contexts, at TRAMPFD_OFFSET(index, TRAMPFD_*_OFFSET) */
ssize_t trampfd_pwrite(int fd, const void *buf, size_t len, off_t offset);
ssize_t trampfd_pread(int fd, void *buf, size_t len, off_t offset);

/* Mappings */
int trampfd_mmap(int fd, void **base);
int trampfd_munmap(void *base);
void *trampfd_addr(void *base, const struct trampfd_map *map, unsigned int index);

/* Closures: one callable address bound to fn and ctx; no fd, table or index */
int trampfd_closure_create(void **closure, void *fn, void *ctx, unsigned int how);
int trampfd_closure_free(void *closure);
int trampfd_closure_get(void *closure, void **fn, void **ctx);

/* Introspection */
const char *trampfd_provider(int fd);
const char *trampfd_mode(int fd);

#ifdef __cplusplus
}
#endif

#endif /* TRAMPFD_H */
