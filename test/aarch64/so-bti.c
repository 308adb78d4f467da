// SPDX-License-Identifier: MIT
/*
 * aarch64: libtrampfd.so is BTI-marked and ld.so maps its code guarded.
 * A user-code trampoline made and called through the shared library must
 * work, and an indirect call to an exported function past its landing pad
 * must raise SIGILL at exactly that address, before running anything.
 * Linked against libtrampfd.so, run where the CPU has BTI (qemu's max
 * CPU). Exit 0 pass, 1 fail, 77 no BTI.
 */
#include <setjmp.h>
#include <signal.h>
#include <stdio.h>
#include <sys/auxv.h>
#include <ucontext.h>
#include <trampfd.h>

#ifndef HWCAP2_BTI
#define HWCAP2_BTI (1UL << 17)
#endif

static sigjmp_buf jb;
static volatile unsigned long sig_pc;
static volatile int sig_no;

static void on_sig(int sig, siginfo_t *si, void *ucv)
{
	sig_no = sig;
	sig_pc = ((ucontext_t *)ucv)->uc_mcontext.pc;
	siglongjmp(jb, 1);
}

static long target(long a) { return a + 1; }

int main(void)
{
	struct trampfd_user u = { .flags = TRAMPFD_CODE | TRAMPFD_NOKERNEL, .ntrampolines = 1 };
	struct { struct trampfd_regs h; struct trampfd_reg r[2]; } c = {
		{ 2, 0 }, { { TRAMPFD_REG_ARG0, 0, 41 }, { TRAMPFD_REG_PC, 0, (unsigned long)target } } };
	struct sigaction sa = { .sa_sigaction = on_sig, .sa_flags = SA_SIGINFO };
	const char *(*volatile past)(int) =
		(const char *(*)(int))((const char *)trampfd_provider + 4);
	void *base;
	long r;
	int fd;

	if (!(getauxval(AT_HWCAP2) & HWCAP2_BTI)) {
		printf("no BTI on this CPU\n");
		return 77;
	}
	fd = trampfd_create(TRAMPFD_USER, &u, 0);
	if (fd < 0 || trampfd_pwrite(fd, &c, sizeof(c), TRAMPFD_REGS_OFFSET) < 0 ||
	    trampfd_mmap(fd, &base)) {
		printf("FAIL: user-code trampoline through libtrampfd.so: %d\n", fd);
		return 1;
	}
	r = ((long (*)(long))base)(0);
	if (r != 42) {
		printf("FAIL: the trampoline returned %ld, want 42\n", r);
		return 1;
	}
	sigaction(SIGILL, &sa, NULL);
	sigaction(SIGSEGV, &sa, NULL);
	if (!sigsetjmp(jb, 1)) {
		past(-1);
		printf("FAIL: trampfd_provider + 4 ran: libtrampfd.so is not guarded\n");
		return 1;
	}
	if (sig_no != SIGILL || sig_pc != (unsigned long)past) {
		printf("FAIL: signal %d at %#lx, want SIGILL at %p\n", sig_no, sig_pc, (void *)past);
		return 1;
	}
	printf("guarded: a call to trampfd_provider + 4 raised SIGILL there; trampoline ok\n");
	return 0;
}
