// SPDX-License-Identifier: MIT
/*
 * The program installs its own SIGSEGV handlers after the library: the
 * library's stays the kernel's, trampolines keep working, and every other
 * fault reaches the program's handler as the kernel would deliver it:
 * SA_SIGINFO or not, sa_mask and SA_NODEFER, SA_RESETHAND, SIG_IGN and
 * SIG_DFL; reading the disposition back gives what the program set.
 */
#include <stdint.h>
#include <sys/mman.h>
#include "nt.h"

static char *none;	/* a PROT_NONE page */
static volatile int plain_calls;
static sigjmp_buf plain_env;

static void plain(int sig)
{
	plain_calls += sig == SIGSEGV;
	siglongjmp(plain_env, 1);
}

static void read_none(void)
{
	(void)*(volatile char *)none;
}

static void install(int flags, int masked)
{
	struct sigaction sa = { .sa_sigaction = nt_catch, .sa_flags = SA_SIGINFO | flags }, back;

	sigemptyset(&sa.sa_mask);
	if (masked)
		sigaddset(&sa.sa_mask, masked);
	T_ASSERT(!sigaction(SIGSEGV, &sa, NULL), "sigaction");
	T_ASSERT(!sigaction(SIGSEGV, NULL, &back), "sigaction read back");
	T_ASSERT(back.sa_sigaction == nt_catch && (back.sa_flags & (SA_SIGINFO | flags)) == (SA_SIGINFO | flags) &&
		 (!masked || sigismember(&back.sa_mask, masked) == 1),
		 "the disposition read back is not the one the program set");
	T_ASSERT(nt_kernel_handler() != (void *)nt_catch, "the program's sigaction reached the kernel");
}

int main(void)
{
	long k = 9;
	long f(long x) { return k + x; }
	struct sigaction back;
	sighandler_t old;

	none = mmap(NULL, 4096, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	T_ASSERT(none != MAP_FAILED, "mmap");

	/* sa_mask applies, SIGSEGV is deferred. */
	install(0, SIGUSR1);
	T_ASSERT(nt_apply(f, 1) == 10, "trampoline after the program's sigaction");
	NT_CATCH(read_none());
	T_ASSERT(nt_caught.count == 1 && nt_caught.addr == none && nt_caught.code == SEGV_ACCERR,
		 "data fault: handler saw addr %p code %d, want %p SEGV_ACCERR", nt_caught.addr, nt_caught.code, none);
	T_ASSERT(sigismember(&nt_caught.mask, SIGUSR1) == 1, "sa_mask was not applied");
	T_ASSERT(sigismember(&nt_caught.mask, SIGSEGV) == 1, "SIGSEGV was not blocked in its handler");

	/* SA_NODEFER. */
	install(SA_NODEFER, 0);
	NT_CATCH(read_none());
	T_ASSERT(sigismember(&nt_caught.mask, SIGSEGV) == 0, "SA_NODEFER: SIGSEGV blocked in its handler");
	T_ASSERT(sigismember(&nt_caught.mask, SIGUSR1) == 0, "a previous handler's sa_mask leaked");

	/* SA_RESETHAND: once, then the default. */
	install(SA_RESETHAND, 0);
	NT_CATCH(read_none());
	T_ASSERT(!sigaction(SIGSEGV, NULL, &back) && back.sa_handler == SIG_DFL,
		 "SA_RESETHAND: the disposition read back is not SIG_DFL");
	T_ASSERT(nt_child_dies(read_none) == SIGSEGV, "SIG_DFL: a fault did not kill with SIGSEGV");
	T_ASSERT(nt_apply(f, 2) == 11, "trampoline after SA_RESETHAND");

	/* signal(3): no siginfo, the old handler returned. */
	old = signal(SIGSEGV, plain);
	T_ASSERT(old == SIG_DFL, "signal() returned %p, want SIG_DFL", (void *)old);
	if (!sigsetjmp(plain_env, 1))
		read_none();
	T_ASSERT(plain_calls == 1, "signal(): handler calls %d, want 1", plain_calls);
	T_ASSERT(signal(SIGSEGV, SIG_IGN) == plain, "signal() did not return the program's handler");

	/* SIG_IGN: a kill is ignored, a fault still kills. */
	T_ASSERT(!kill(getpid(), SIGSEGV), "kill");
	T_ASSERT(nt_child_dies(read_none) == SIGSEGV, "SIG_IGN: a fault did not kill with SIGSEGV");
	T_ASSERT(nt_apply(f, 3) == 12, "trampoline under SIG_IGN");

	/* A fetch from a non-executable page that is no trampoline is the program's. */
	install(0, 0);
	{
		char *p = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

		T_ASSERT(p != MAP_FAILED, "mmap");
		NT_CATCH(nt_apply((long (*)(long))p, 0));
		T_ASSERT(nt_caught.addr == p && nt_caught.fetch, "fetch from a zero page: handler saw %p, want the call at %p",
			 nt_caught.addr, p);
	}
	return nt_pass();
}
