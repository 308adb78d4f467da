/* SPDX-License-Identifier: GPL-2.0 */
/*
 * What differs between the kernels the module builds for: Debian 12's
 * 6.1 and the 6.12 of bookworm-backports and Debian 13.
 */
#ifndef TRAMPFD_COMPAT_H
#define TRAMPFD_COMPAT_H

#include <linux/mm.h>

/*
 * vm_flags became read-only in 6.3, changed through vm_flags_mod():
 * Kbuild looks for it in the headers (TFD_HAVE_VM_FLAGS_MOD).
 */
static inline void tfd_vm_flags_mod(struct vm_area_struct *vma,
				    vm_flags_t set, vm_flags_t clear)
{
#ifdef TFD_HAVE_VM_FLAGS_MOD
	vm_flags_mod(vma, set, clear);
#else
	vma->vm_flags = (vma->vm_flags | set) & ~clear;
#endif
}

#endif /* TRAMPFD_COMPAT_H */
