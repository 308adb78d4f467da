/* SPDX-License-Identifier: MIT */
/*
 * Shared by the user-code unit tests (test/code/, mk/code-unit.mk): the
 * pass marker the runner requires and the three kinds of bank a slot keeps.
 */
#ifndef TRAMPFD_CODE_TEST_H
#define TRAMPFD_CODE_TEST_H

#include <errno.h>
#include <stddef.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>
#include <trampfd.h>
#include "../lib/no_vm_rw.h"	/* t_no_vm_rw */

/* Printed last by a passing unit test: an exit 0 without it is a failure. */
#define CT_DONE "trampfd-test: done"

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

#endif
