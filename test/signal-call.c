// SPDX-License-Identifier: MIT
/*
 * docs/design.md §3.10: a trampoline may be called from a signal handler: SIGUSR1
 * on the thread's stack and on a sigaltstack, and a 1 kHz timer whose
 * handler calls while the main thread is itself calling in a loop, then
 * while the main thread rewrites that very trampoline (the handler must
 * see one whole context or the other).
 */
#include <signal.h>
#include <sys/time.h>
#include "t.h"

static struct t_table t;
static volatile uint64_t got;
static volatile int ticks, bad_ticks;

static __attribute__((noinline)) uint64_t plus1(uint64_t a)
{
	__asm__ volatile("" : "+r"(a));
	return a + 1;
}

static void on_usr1(int sig)
{
	got = ((t_fn0)t_slot(&t, 0))();
}

static void on_alrm(int sig)
{
	if (((t_fn0)t_slot(&t, 1))() != 0xa1a)
		bad_ticks++;
	ticks++;
}

static void handle(int sig, void (*fn)(int), int flags)
{
	struct sigaction sa;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = fn;
	sa.sa_flags = flags;
	sigemptyset(&sa.sa_mask);
	T_ASSERT(!sigaction(sig, &sa, NULL), "sigaction");
}

int main(void)
{
	static char alt[1 << 16] __attribute__((aligned(16)));
	struct itimerval it = { { 0, 1000 }, { 0, 1000 } };
	stack_t ss = { .ss_sp = alt, .ss_size = sizeof(alt) };
	unsigned long calls = 0;
	struct timeval t0, now;

	t_init();
	t_table(&t, 2, 0);
	t_set_call_ok(t.fd, 0, (void *)t_ret_arg0, 0x5167);
	t_set_call_ok(t.fd, 1, (void *)t_ret_arg0, 0xa1a);

	handle(SIGUSR1, on_usr1, 0);
	raise(SIGUSR1);
	T_EXPECT(got, 0x5167);

	T_ASSERT(!sigaltstack(&ss, NULL), "sigaltstack");
	handle(SIGUSR1, on_usr1, SA_ONSTACK);
	got = 0;
	raise(SIGUSR1);
	T_EXPECT(got, 0x5167);

	handle(SIGALRM, on_alrm, SA_RESTART);
	T_ASSERT(!setitimer(ITIMER_REAL, &it, NULL), "setitimer");
	gettimeofday(&t0, NULL);
	do {
		if (((t_fn0)t_slot(&t, 0))() != 0x5167)
			t_fail("main loop: wrong value while the timer fires");
		calls++;
		gettimeofday(&now, NULL);
	} while (ticks < 200 && (now.tv_sec - t0.tv_sec) < 3);
	T_ASSERT(ticks >= 20, "only %d timer ticks in 3 s", ticks);
	ticks = 0;
	gettimeofday(&t0, NULL);
	do {
		/* Both contexts return 0xa1a. */
		t_set_call_ok(t.fd, 1, calls & 1 ? (void *)plus1 : (void *)t_ret_arg0,
			      calls & 1 ? 0xa19 : 0xa1a);
		calls++;
		gettimeofday(&now, NULL);
	} while (ticks < 200 && (now.tv_sec - t0.tv_sec) < 3);
	memset(&it, 0, sizeof(it));
	setitimer(ITIMER_REAL, &it, NULL);
	T_ASSERT(ticks >= 20, "only %d timer ticks in 3 s while rewriting", ticks);
	T_ASSERT(!bad_ticks, "%d of %d calls from the timer handler got a wrong value",
		 bad_ticks, ticks);
	T_EXPECT(trampfd_close(t.fd), 0);
	T_EXPECT(trampfd_munmap(t.base), 0);
	return t_pass();
}
