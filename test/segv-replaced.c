// SPDX-License-Identifier: MIT
/*
 * What -EBUSY means (trampfd_create.3): a program that installs its own
 * SIGSEGV handler after creating tables and chains to the old one, as
 * trampfd(7) asks, keeps creating and calling tables in every cell; only
 * a SIGSEGV reset to SIG_DFL (or SIG_IGN), which the library's handler
 * can then never see, makes later fault-mode creates -EBUSY.
 */
#include <errno.h>
#include <signal.h>
#include "t.h"

static struct sigaction old;
static volatile int chained;

static void chaining(int sig, siginfo_t *si, void *uc)
{
	chained++;
	if (old.sa_flags & SA_SIGINFO)
		old.sa_sigaction(sig, si, uc);
	else if (old.sa_handler != SIG_DFL && old.sa_handler != SIG_IGN)
		old.sa_handler(sig);
	else
		signal(sig, SIG_DFL);
}

int main(void)
{
	struct sigaction sa = { .sa_sigaction = chaining, .sa_flags = SA_SIGINFO | SA_NODEFER };
	struct t_table a, b;
	int fd;

	t_init();
	t_table(&a, 1, 0);
	t_set_call_ok(a.fd, 0, (void *)t_ret_arg0, 1);
	sigemptyset(&sa.sa_mask);
	T_ASSERT(!sigaction(SIGSEGV, &sa, &old), "sigaction");

	/* A chaining handler: creates and calls go on, old tables and new. */
	t_table(&b, 1, 0);
	t_set_call_ok(b.fd, 0, (void *)t_ret_arg0, 2);
	T_EXPECT(((t_fn0)t_slot(&a, 0))(), 1);
	T_EXPECT(((t_fn0)t_slot(&b, 0))(), 2);
	if (t_is_user(a.fd) && t_is_fault(a.fd))
		T_ASSERT(chained >= 2, "the calls did not pass through the program's handler");

	/*
	 * SIGSEGV reset to SIG_DFL, then ignored (a fault's SIGSEGV is fatal
	 * then anyway): fault-mode calls could never be emulated again.
	 */
	for (int k = 0; k < 2; k++) {
		signal(SIGSEGV, k ? SIG_IGN : SIG_DFL);
		fd = t_create_raw(1, t_cell_flags);
		if (t_is_user(a.fd) && t_is_fault(a.fd)) {
			T_EXPECT(fd, -EBUSY);
		} else {
			T_ASSERT(fd >= 0, "create after SIGSEGV %s: %d", k ? "ignored" : "reset", fd);
			T_EXPECT(trampfd_close(fd), 0);
		}
	}
	return t_pass();
}
