/* SPDX-License-Identifier: MIT */
/*
 * Helpers of libtrampfd-nested's tests (test/nested/): the suite's pass
 * rule (t.h), a function that calls through a pointer the compiler cannot
 * see through, and a way to catch a fault and go on.
 */
#ifndef NT_TEST_H
#define NT_TEST_H

#include <setjmp.h>
#include <signal.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <ucontext.h>
#include <unistd.h>
#include "t.h"

static inline int nt_pass(void)
{
	printf("%s\n", T_DONE_MARK);
	fflush(stdout);
	return T_PASS;
}

/* Calls f(x) without the compiler inlining the nested function. */
__attribute__((noinline, unused)) static long nt_apply(long (*f)(long), long x)
{
	long (*volatile g)(long) = f;

	return g(x);
}

/* The test's own SIGSEGV handler records what it saw and jumps back. */
struct nt_caught {
	sigjmp_buf env;
	volatile int count, sig;
	void *volatile addr;
	volatile int code;
	volatile int fetch;	/* the PC was the fault address: a call, not a load */
	sigset_t mask;		/* the mask the handler ran with */
};
static struct nt_caught nt_caught __attribute__((unused));

/* A handler with SA_SIGINFO: records the fault and its mask, jumps back. */
static void __attribute__((unused)) nt_catch(int sig, siginfo_t *si, void *uc)
{
	nt_caught.count++;
	nt_caught.sig = sig;
	nt_caught.addr = si->si_addr;
	nt_caught.code = si->si_code;
#if defined(__x86_64__)
	nt_caught.fetch = ((ucontext_t *)uc)->uc_mcontext.gregs[REG_RIP] == (greg_t)si->si_addr;
#elif defined(__aarch64__)
	nt_caught.fetch = ((ucontext_t *)uc)->uc_mcontext.pc == (unsigned long)si->si_addr;
#endif
	sigprocmask(SIG_SETMASK, NULL, &nt_caught.mask);
	siglongjmp(nt_caught.env, 1);
}

/* Runs stmt, which must fault into nt_catch; goes on after the jump. */
#define NT_CATCH(stmt) do { \
	nt_caught.count = 0; \
	if (!sigsetjmp(nt_caught.env, 1)) { \
		stmt; \
		t_fail("%s: no fault reached the program's handler", #stmt); \
	} \
} while (0)

/* The handler the kernel itself has for SIGSEGV (its struct starts with it). */
static inline void *nt_kernel_handler(void)
{
	void *k[8] = { 0 };

	if (syscall(SYS_rt_sigaction, SIGSEGV, NULL, k, 8))
		t_fail("rt_sigaction: %m");
	return k[0];
}

/* Runs fn in a child: the signal that killed it, or minus its exit status. */
static inline int nt_child_dies(void (*fn)(void))
{
	int st;
	pid_t p = fork();

	if (p < 0)
		t_fail("fork: %m");
	if (!p) {
		fn();
		_exit(0);
	}
	if (waitpid(p, &st, 0) != p)
		t_fail("waitpid: %m");
	return WIFSIGNALED(st) ? WTERMSIG(st) : -WEXITSTATUS(st);
}

#endif
