// SPDX-License-Identifier: MIT
/*
 * A SIGSEGV handler installed before the library gets, when a fault is not
 * a trampoline call, what its flags asked the kernel for: SA_RESETHAND
 * runs it once and then the default action (a crash reporter that returns
 * to let the fault repeat is not called in a loop); its sa_mask, and
 * SIGSEGV unless SA_NODEFER, are blocked while it runs; SA_SIGINFO gives
 * it the fault's siginfo. Each case runs in a child that installs its
 * handler first, then makes the cell's first table.
 */
#include <setjmp.h>
#include <signal.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>
#include "t.h"

/* Unmapped: the fault is not a trampoline call. */
static volatile int *volatile bad_addr = (volatile int *)16;

static volatile int *calls;	/* shared with the parent */
static sigjmp_buf out;
static int want_segv_blocked;

static void reporter(int sig)
{
	(*calls)++;		/* and return: the fault repeats */
}

static void checker(int sig, siginfo_t *si, void *uc)
{
	sigset_t now;
	int ok;

	(*calls)++;
	pthread_sigmask(SIG_BLOCK, NULL, &now);
	ok = si->si_addr == (void *)bad_addr && sigismember(&now, SIGUSR2) &&
	     sigismember(&now, SIGSEGV) == want_segv_blocked;
	siglongjmp(out, ok ? 1 : 2);
}

/* Child: install, make a table, fault. Exit 0 if the handler saw right. */
static void child(int flags)
{
	struct sigaction sa = { .sa_flags = flags };

	alarm(10);		/* a handler called in a loop dies of SIGALRM */
	sigemptyset(&sa.sa_mask);
	if (flags & SA_SIGINFO) {
		sa.sa_sigaction = checker;
		sigaddset(&sa.sa_mask, SIGUSR2);
		want_segv_blocked = !(flags & SA_NODEFER);
	} else {
		sa.sa_handler = reporter;
	}
	sigaction(SIGSEGV, &sa, NULL);
	t_probe();		/* the cell's first table: its handler goes in now */
	switch (sigsetjmp(out, 1)) {
	case 0:
		(void)*bad_addr;
		_exit(3);
	case 1:
		_exit(0);
	default:
		_exit(4);
	}
}

static int run(int flags)
{
	pid_t pid;
	int st;

	*calls = 0;		/* before the child can count */
	pid = fork();
	T_ASSERT(pid >= 0, "fork");
	if (!pid)
		child(flags);
	T_ASSERT(waitpid(pid, &st, 0) == pid, "waitpid");
	if (WIFEXITED(st) && WEXITSTATUS(st) == T_SKIP)
		t_skip("cell unavailable");
	/* Its first create failed: its reason is the last line on stderr. */
	if (WIFEXITED(st) && WEXITSTATUS(st) == T_FAIL)
		exit(T_FAIL);
	return st;
}

int main(void)
{
	int st;

	setvbuf(stdout, NULL, _IONBF, 0);
	calls = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	T_ASSERT(calls != MAP_FAILED, "mmap");

	st = run(SA_RESETHAND);
	T_ASSERT(WIFSIGNALED(st) && WTERMSIG(st) == SIGSEGV && *calls == 1,
		 "SA_RESETHAND handler: status %#x after %d calls (want SIGSEGV after 1)",
		 st, *calls);
	st = run(SA_SIGINFO);
	T_ASSERT(WIFEXITED(st) && !WEXITSTATUS(st),
		 "SA_SIGINFO handler with sa_mask: status %#x (4: wrong siginfo or mask)", st);
	st = run(SA_SIGINFO | SA_NODEFER);
	T_ASSERT(WIFEXITED(st) && !WEXITSTATUS(st),
		 "SA_NODEFER handler: status %#x (4: wrong siginfo or mask)", st);
	return t_pass();
}
