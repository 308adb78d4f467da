// SPDX-License-Identifier: MIT
/*
 * The suite's handler for synchronous signals. It is installed before any
 * table exists, so in fault mode the library's handler chains to it.
 */
#include <setjmp.h>
#include <signal.h>
#include <unistd.h>
#include "t.h"

static __thread sigjmp_buf *jmp;
static __thread int got_sig;
static __thread void *got_addr;

static const int sigs[] = { SIGSEGV, SIGILL, SIGBUS, SIGTRAP, SIGFPE };

const char *t_signame(int sig)
{
	switch (sig) {
	case 0: return "no signal";
	case SIGSEGV: return "SIGSEGV";
	case SIGILL: return "SIGILL";
	case SIGBUS: return "SIGBUS";
	case SIGTRAP: return "SIGTRAP";
	case SIGFPE: return "SIGFPE";
	}
	return "another signal";
}

static void say(const char *s)
{
	if (write(2, s, strlen(s)) < 0)
		_exit(T_FAIL);
}

static void handler(int sig, siginfo_t *si, void *uc)
{
	char hex[19];
	uintptr_t a = (uintptr_t)si->si_addr;
	int i;

	if (jmp) {
		sigjmp_buf *j = jmp;

		jmp = NULL;
		got_sig = sig;
		got_addr = si->si_addr;
		siglongjmp(*j, 1);
	}
	hex[0] = '0';
	hex[1] = 'x';
	for (i = 0; i < 16; i++)
		hex[2 + i] = "0123456789abcdef"[(a >> (60 - 4 * i)) & 15];
	hex[18] = 0;
	say("unexpected ");
	say(t_signame(sig));
	say(" at ");
	say(hex);
	say("\n");
	_exit(T_FAIL);
}

void t_sig_install(void)
{
	struct sigaction sa;
	size_t i;

	memset(&sa, 0, sizeof(sa));
	sa.sa_sigaction = handler;
	/*
	 * NODEFER: a signal that lands while this handler runs may call a
	 * user-fault trampoline (test/stress/storm's timer), which needs
	 * SIGSEGV unblocked; the library honours the flag when it chains
	 * (test/chain-flags).
	 */
	sa.sa_flags = SA_SIGINFO | SA_ONSTACK | SA_NODEFER;
	sigemptyset(&sa.sa_mask);
	for (i = 0; i < sizeof(sigs) / sizeof(sigs[0]); i++)
		if (sigaction(sigs[i], &sa, NULL))
			t_fail("sigaction");
}

int t_sig_call(void (*fn)(void *), void *arg, void **addr)
{
	sigjmp_buf env;

	got_sig = 0;
	got_addr = NULL;
	if (!sigsetjmp(env, 1)) {
		jmp = &env;
		fn(arg);
		jmp = NULL;
	}
	if (addr)
		*addr = got_addr;
	return got_sig;
}

struct tramp_call {
	void *p;
	uint64_t ret;
};

static void call_tramp(void *arg)
{
	struct tramp_call *c = arg;

	c->ret = ((t_fn0)c->p)();
}

int t_sig_call_tramp(void *p, uint64_t *ret)
{
	struct tramp_call c = { p, 0 };
	int s = t_sig_call(call_tramp, &c, NULL);

	if (ret)
		*ret = c.ret;
	return s;
}
