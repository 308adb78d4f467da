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
#define TRAMPFD_VERSION_MINOR 1

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
#elif defined(__aarch64__)
#define TRAMPFD_REG_PC		arm64_pc
#define TRAMPFD_REG_ARG0	arm64_r0
#define TRAMPFD_REG_ARG1	(arm64_r0 + 1)
#endif

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

/* Introspection */
const char *trampfd_provider(int fd);
const char *trampfd_mode(int fd);

#ifdef __cplusplus
}
#endif

#endif /* TRAMPFD_H */
