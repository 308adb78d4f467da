// SPDX-License-Identifier: MIT
/*
 * Unit test: the grace period's finishers (src/user-code/arch/<arch>/finish.c),
 * entered deterministically at every instruction of a call. A call is
 * single-stepped with the trap flag; at its k-th instruction inside the
 * library (the slot, an entry stub, the general loader) the SIGTRAP
 * handler makes the grace signal pending, so the grace handler runs with
 * the call stopped exactly there; k runs over the whole path, for a fast,
 * a PC-only and a general context, in both banks. "outer": the SIGTRAP
 * handler makes SIGUSR1 pending instead, whose handler raises the grace
 * signal, so the call is finished in an outer handler's frame. Every call
 * must reach its context's target with its registers, and the finishers
 * must have acted (hidden counters uc_finished). argv[1] "no-vm-rw": with
 * process_vm_readv/writev refused by seccomp, as fastrace.
 * x86_64 only: aarch64 has no trap flag a process can set on itself.
 * Exit 0 after "trampfd-test: done", 1 fail, 77 skip.
 */
#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <ucontext.h>
#include <unistd.h>
#include <trampfd.h>
#include "user-code/code.h"
#include "code_test.h"

#if defined(__x86_64__)
extern const char uc_common_done[];

static char *base;
static size_t code_len;
static int gsig, outer;
static volatile int inject_at, steps, injected, in_lib_seen;
static unsigned long bad;
static int hit[3];

static __attribute__((noinline)) unsigned long fa(unsigned long a0, unsigned long a1)
{
	hit[0]++;
	return a0 == CT_A ? 1 : 0;
}

static __attribute__((noinline)) unsigned long fb(unsigned long a0, unsigned long a1)
{
	hit[1]++;
	return a0 == 7 && a1 == 9 ? 1 : 0;	/* the caller's own arguments */
}

static __attribute__((noinline)) unsigned long fc(unsigned long a0, unsigned long a1)
{
	hit[2]++;
	return a0 == CT_C && a1 == ~CT_C ? 1 : 0;
}

static int in_lib(uintptr_t pc)
{
	return (pc >= (uintptr_t)base && pc < (uintptr_t)base + code_len) ||
	       (pc >= (uintptr_t)uc_pconly && pc < (uintptr_t)uc_common_done);
}

static void on_trap(int sig, siginfo_t *si, void *ucv)
{
	greg_t *g = ((ucontext_t *)ucv)->uc_mcontext.gregs;

	if (!in_lib(g[REG_RIP])) {
		if (in_lib_seen)
			g[REG_EFL] &= ~0x100UL;	/* left the library: stop stepping */
		return;
	}
	in_lib_seen = 1;
	/* Pending until this handler returns (sa_mask blocks everything). */
	if (steps++ == inject_at) {
		syscall(SYS_tgkill, getpid(), syscall(SYS_gettid), outer ? SIGUSR1 : gsig);
		injected = 1;
	}
}

/* The outer handler: the grace signal arrives while it runs. */
static void on_usr1(int sig)
{
	syscall(SYS_tgkill, getpid(), syscall(SYS_gettid), gsig);
}

/* Calls base(7, 9) with the trap flag set from the call on. */
static unsigned long call_stepped(void)
{
	unsigned long r, a0 = 7, a1 = 9;
	void *f = base;

	/* rbx keeps rsp; the red zone and alignment are kept clear of the call. */
	__asm__ volatile("mov %%rsp, %%rbx\n\t"
			 "sub $256, %%rsp\n\t"
			 "and $-16, %%rsp\n\t"
			 "pushf\n\t"
			 "orq $0x100, (%%rsp)\n\t"
			 "popf\n\t"
			 "call *%[f]\n\t"
			 "mov %%rbx, %%rsp"
			 : "=a"(r), "+D"(a0), "+S"(a1), [f] "+r"(f)
			 :
			 : "rbx", "rcx", "rdx", "r8", "r9", "r10", "r11", "memory", "cc",
			   "xmm0", "xmm1", "xmm2", "xmm3", "xmm4", "xmm5", "xmm6", "xmm7",
			   "xmm8", "xmm9", "xmm10", "xmm11", "xmm12", "xmm13", "xmm14", "xmm15");
	return r;
}

static void put(int fd, unsigned int k)
{
	void *const f[3] = { (void *)fa, (void *)fb, (void *)fc };

	if (ct_put(fd, k, f) < 0) {
		printf("FAIL: pwrite of context kind %u\n", k);
		exit(1);
	}
}

/* One stepped call, the grace signal injected at library step k (-1: none). */
static int one_call(unsigned int kind, int k)
{
	int before = hit[kind];

	inject_at = k;
	steps = injected = in_lib_seen = 0;
	if (call_stepped() != 1 || hit[kind] != before + 1)
		bad++;
	return steps;
}

int main(int argc, char **argv)
{
	struct trampfd_user u = { .flags = TRAMPFD_NOKERNEL | TRAMPFD_CODE, .ntrampolines = 1 };
	struct sigaction st = { .sa_sigaction = on_trap, .sa_flags = SA_SIGINFO };
	struct sigaction s1 = { .sa_handler = on_usr1 };
	unsigned long fin0[UC_FIN_N], d[UC_FIN_N];
	unsigned int kind, bank, i;
	int fd, k, len, total = 0;

	outer = argc > 1 && !strcmp(argv[1], "outer");
	if (argc > 2 && !strcmp(argv[2], "no-vm-rw") && t_no_vm_rw()) {
		printf("FAIL: seccomp: %s\n", strerror(errno));
		return 1;
	}
	fd = trampfd_create(TRAMPFD_USER, &u, 0);
	if (fd < 0 || trampfd_mmap(fd, (void **)&base)) {
		printf("FAIL: no user-code trampoline: %s\n", strerror(fd < 0 ? -fd : errno));
		return 1;
	}
	code_len = 4096;
	gsig = uc_grace_signal();
	if (gsig <= 0) {
		printf("FAIL: no grace signal: %s\n", strerror(-gsig));
		return 1;
	}
	sigfillset(&st.sa_mask);
	sigaction(SIGTRAP, &st, NULL);
	sigaction(SIGUSR1, &s1, NULL);
	for (i = 0; i < UC_FIN_N; i++)
		fin0[i] = uc_finished[i];
	for (kind = 0; kind < 3; kind++)
		for (bank = 0; bank < 2; bank++) {
			put(fd, kind);		/* the other bank each time */
			len = one_call(kind, -1);
			for (k = 0; k < len; k++) {
				one_call(kind, k);
				if (!injected)
					bad++;
			}
			total += len;
		}
	for (i = 0; i < UC_FIN_N; i++)
		d[i] = uc_finished[i] - fin0[i];
	printf("%d stepped injections (%s), %lu bad; finished %lu in a slot, %lu in the loader, "
	       "%lu in an outer frame\n", total, outer ? "outer" : "direct", bad,
	       d[UC_FIN_SLOT], d[UC_FIN_LOADER], d[UC_FIN_OUTER]);
	if (bad) {
		printf("FAIL: a call stopped inside the library missed its context\n");
		return 1;
	}
	if (!d[UC_FIN_SLOT] || !d[UC_FIN_LOADER] || (outer && !d[UC_FIN_OUTER])) {
		printf("FAIL: a finisher never acted although every step was covered\n");
		return 1;
	}
	printf(CT_DONE "\n");
	return 0;
}
#else
int main(void)
{
	printf("no trap flag to single-step a call on this architecture\n");
	return 77;
}
#endif
