// SPDX-License-Identifier: MIT
/*
 * From a signal handler on a sigaltstack: a nested function whose
 * trampoline is written on the alternate stack, and one written on the
 * main stack by the code the signal interrupted.
 */
#include <stdint.h>
#include "nt.h"

static long (*volatile outer_fn)(long);
static volatile long got_inner, got_outer;
static char *alt;
static volatile int on_alt;

static void handler(int sig)
{
	long k = 5;
	long inner(long x) { return k * x; }

	on_alt = (char *)&k >= alt && (char *)&k < alt + 65536;
	got_inner = nt_apply(inner, 3);
	got_outer = nt_apply(outer_fn, 4);
}

int main(void)
{
	struct sigaction sa = { .sa_handler = handler, .sa_flags = SA_ONSTACK };
	long base = 100;
	long outer(long x) { return base + x; }
	stack_t ss;

	alt = malloc(65536);
	T_ASSERT(alt, "malloc");
	ss = (stack_t){ .ss_sp = alt, .ss_size = 65536 };
	T_ASSERT(!sigaltstack(&ss, NULL), "sigaltstack");
	sigemptyset(&sa.sa_mask);
	T_ASSERT(!sigaction(SIGUSR1, &sa, NULL), "sigaction");
	outer_fn = outer;
	raise(SIGUSR1);
	T_ASSERT(on_alt, "the handler did not run on the alternate stack");
	T_ASSERT(got_inner == 15, "trampoline on the alternate stack: %ld, want 15", got_inner);
	T_ASSERT(got_outer == 104, "main-stack trampoline from the handler: %ld, want 104", got_outer);
	return nt_pass();
}
