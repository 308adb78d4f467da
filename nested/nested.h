/* SPDX-License-Identifier: MIT */
/* libtrampfd-nested's internal interfaces (docs/design.md §10): never installed. */
#ifndef TRAMPFD_NESTED_H
#define TRAMPFD_NESTED_H

#include <signal.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <ucontext.h>

#define NT_HIDDEN __attribute__((visibility("hidden")))
#define NT_EXPORT __attribute__((visibility("default")))

/* What a GCC stack trampoline does: load the chain, jump to fn. */
struct nt_form {
	uintptr_t fn, chain;
};

/* ---- per architecture (nested/arch/$(ARCH)/form.c) ---- */
/* Bytes the longest form takes. */
#define NT_FORM_MAX 40
/*
 * Decodes b[0..avail): 0 and *f when it is exactly one of GCC's forms, a
 * number > avail when that many bytes are needed to tell, -1 when it is not.
 */
int nt_decode(const unsigned char *b, size_t avail, struct nt_form *f) NT_HIDDEN;
/*
 * An instruction fetch faulted at si_addr. *readable: the fault itself
 * proves the page under si_addr is mapped readable (present, and only
 * execute permission missing), so it can be read without a system call.
 */
bool nt_fetch_fault(const ucontext_t *uc, const siginfo_t *si, bool *readable) NT_HIDDEN;
/* Continues as the trampoline would have: chain, scratch register, PC. */
void nt_enter(ucontext_t *uc, const struct nt_form *f) NT_HIDDEN;

/* ---- the program's own SIGSEGV disposition (sigchain.c) ---- */
/* Records the disposition in force, makes ours the kernel's; 0 or -errno. */
int nt_chain_install(void (*ours)(int, siginfo_t *, void *)) NT_HIDDEN;
/* Delivers a fault that is not a trampoline as the kernel would have. */
void nt_chain(int sig, siginfo_t *si, void *uc) NT_HIDDEN;
/* Reads len bytes at addr without faulting; returns how many it could. */
size_t nt_peek(void *dst, uintptr_t addr, size_t len) NT_HIDDEN;

#endif
