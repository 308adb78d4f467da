// SPDX-License-Identifier: MIT
/*
 * Closures called from signal handlers (trampfd_closure_create(3)): a
 * handler on an alternate stack calls a closure of each placement while
 * the interrupted thread is itself inside a closure's target; and a
 * program's own SIGSEGV handler still sees its own faults with closures
 * around (the library passes them on).
 */
#include <errno.h>
#include <setjmp.h>
#include <unistd.h>
#include "t.h"

static void *arg0, *first, *chainc;
static volatile uint64_t in_handler[3];
static volatile int handled;

static uint64_t ret_ctx(void *ctx) { return (uintptr_t)ctx; }
static uint64_t ret_sum(void *ctx, uint64_t a, uint64_t b) { return (uintptr_t)ctx + a + b; }
static uint64_t ret_one(void) { return 1; }

static void on_usr1(int sig)
{
	in_handler[0] = ((uint64_t (*)(void))arg0)();
	in_handler[1] = ((uint64_t (*)(uint64_t, uint64_t))first)(10, 20);
	in_handler[2] = ((uint64_t (*)(void))chainc)();
	handled++;
}

/* The target of an outer closure: the signal arrives while it runs. */
static uint64_t outer(void *ctx)
{
	raise(SIGUSR1);
	return (uintptr_t)ctx;
}

int main(void)
{
	static char alt[65536];
	stack_t ss = { .ss_sp = alt, .ss_size = sizeof(alt) };
	struct sigaction sa = { .sa_handler = on_usr1, .sa_flags = SA_ONSTACK };
	void *o;
	int round;

	t_init();
	T_ASSERT(!sigaltstack(&ss, NULL) && !sigaction(SIGUSR1, &sa, NULL), "sigaction");
	T_EXPECT(trampfd_closure_create(&arg0, (void *)ret_ctx, (void *)0x11, TRAMPFD_CTX_ARG(0)), 0);
	T_EXPECT(trampfd_closure_create(&first, (void *)ret_sum, (void *)0x100, TRAMPFD_CTX_FIRST), 0);
	T_EXPECT(trampfd_closure_create(&chainc, (void *)ret_one, (void *)0x33, TRAMPFD_CTX_CHAIN), 0);
	T_EXPECT(trampfd_closure_create(&o, (void *)outer, (void *)0x44, TRAMPFD_CTX_ARG(0)), 0);
	for (round = 0; round < 3; round++) {
		T_EXPECT(((uint64_t (*)(void))o)(), 0x44);
		T_ASSERT(handled == round + 1, "the handler did not run");
		T_EXPECT(in_handler[0], 0x11);
		T_EXPECT(in_handler[1], 0x100 + 30);
		T_EXPECT(in_handler[2], 1);
	}
	/* A fault of the program's own still reaches its handler (t_sig_call's). */
	T_ASSERT(t_sig_call_tramp((void *)16, NULL) == SIGSEGV,
		 "a call to address 16 was not the program's SIGSEGV");
	T_EXPECT(trampfd_closure_free(o), 0);
	T_EXPECT(trampfd_closure_free(arg0), 0);
	T_EXPECT(trampfd_closure_free(first), 0);
	T_EXPECT(trampfd_closure_free(chainc), 0);
	return t_pass();
}
