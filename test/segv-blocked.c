// SPDX-License-Identifier: MIT
/*
 * The one limit of the user fault cell that is inherent (trampfd(7),
 * trampfd_create(3), trampfd probe): a call made with SIGSEGV blocked,
 * by the thread's mask or by a handler's sa_mask, cannot reach the
 * library's handler, and the kernel ends the process with SIGSEGV. Every
 * other cell calls normally with SIGSEGV blocked. Both are asserted, in a
 * child, for the thread mask and for a handler's sa_mask.
 */
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>
#include "t.h"

static struct t_table t;
static volatile uint64_t got;

static void call(void)
{
	got = ((t_fn0)t_slot(&t, 0))();
}

static void on_usr1(int sig)
{
	call();
}

/* Child: the call with SIGSEGV blocked; exit 0 if it returned right. */
static int blocked_call(int by_handler)
{
	pid_t pid = fork();
	int st;

	T_ASSERT(pid >= 0, "fork");
	if (!pid) {
		struct sigaction sa = { .sa_handler = on_usr1 };
		sigset_t m;

		sigemptyset(&m);
		sigaddset(&m, SIGSEGV);
		if (by_handler) {
			sa.sa_mask = m;
			sigaction(SIGUSR1, &sa, NULL);
			raise(SIGUSR1);
		} else {
			pthread_sigmask(SIG_BLOCK, &m, NULL);
			call();
		}
		_exit(got == 0x5e9 ? 0 : 1);
	}
	T_ASSERT(waitpid(pid, &st, 0) == pid, "waitpid");
	return st;
}

int main(void)
{
	int k, st;

	t_init();
	t_table(&t, 1, 0);
	t_set_call_ok(t.fd, 0, (void *)t_ret_arg0, 0x5e9);
	for (k = 0; k < 2; k++) {
		st = blocked_call(k);
		if (t_is_user(t.fd) && t_is_fault(t.fd))
			T_ASSERT(WIFSIGNALED(st) && WTERMSIG(st) == SIGSEGV,
				 "%s: status %#x, want death by SIGSEGV", k ? "sa_mask" : "thread mask", st);
		else
			T_ASSERT(WIFEXITED(st) && !WEXITSTATUS(st),
				 "%s: status %#x, want the call's value", k ? "sa_mask" : "thread mask", st);
	}
	return t_pass();
}
