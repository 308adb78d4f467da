/* SPDX-License-Identifier: MIT */
/*
 * Shared by the user-code unit tests (test/code/, mk/code-unit.mk): the
 * pass marker the runner requires, and the seccomp policy that refuses
 * process_vm_readv/writev (EPERM), as some containers do.
 */
#ifndef TRAMPFD_CODE_TEST_H
#define TRAMPFD_CODE_TEST_H

#include <errno.h>
#include <linux/audit.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <stddef.h>
#include <sys/prctl.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>
#include <trampfd.h>

/* Printed last by a passing unit test: an exit 0 without it is a failure. */
#define CT_DONE "trampfd-test: done"

#if defined(__x86_64__)
#define CT_ARCH_NR AUDIT_ARCH_X86_64
#elif defined(__aarch64__)
#define CT_ARCH_NR AUDIT_ARCH_AARCH64
#endif

/* The three kinds of bank a slot keeps, and what their targets check. */
#define CT_A 0xaaaa0000aaaa0000UL
#define CT_C 0xcccc0000cccc0000UL

/*
 * Writes slot 0's context of kind k: 0 fast {arg0 = CT_A, f[0]}, 1 PC-only
 * {f[1]}, 2 general {arg1 = ~CT_C, f[2], arg0 = CT_C}. pwrite's result.
 */
static inline long ct_put(int fd, unsigned int k, void *const f[3])
{
	struct { struct trampfd_regs h; struct trampfd_reg r[3]; } r;
	unsigned int n = 0;

	memset(&r, 0, sizeof(r));
	if (k == 0)
		r.r[n++] = (struct trampfd_reg){ TRAMPFD_REG_ARG0, 0, CT_A };
	if (k == 2)
		r.r[n++] = (struct trampfd_reg){ TRAMPFD_REG_ARG1, 0, ~CT_C };
	r.r[n++] = (struct trampfd_reg){ TRAMPFD_REG_PC, 0, (unsigned long)f[k] };
	if (k == 2)
		r.r[n++] = (struct trampfd_reg){ TRAMPFD_REG_ARG0, 0, CT_C };
	r.h.nregs = n;
	return trampfd_pwrite(fd, &r, sizeof(r.h) + n * sizeof(r.r[0]), TRAMPFD_REGS_OFFSET);
}

/* 0, or -1 with errno. */
static inline int ct_no_vm_rw(void)
{
	struct sock_filter f[] = {
		BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, arch)),
		BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, CT_ARCH_NR, 1, 0),
		BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW),
		BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, nr)),
		BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, __NR_process_vm_readv, 1, 0),
		BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, __NR_process_vm_writev, 0, 1),
		BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ERRNO | EPERM),
		BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW),
	};
	struct sock_fprog prog = { .len = sizeof(f) / sizeof(f[0]), .filter = f };

	return prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) ||
	       syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER, 0, &prog);
}

#endif
