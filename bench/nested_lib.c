// SPDX-License-Identifier: MIT
/*
 * libtrampfd-nested's costs, in one run (linked with the library, as when
 * preloaded). Goals (trampfd-nested(7)):
 *   emulated stack-trampoline call / raw SIGSEGV round trip  <= 1.1x
 *   heap-ABI trampoline call / plain indirect call           <= 1.5x
 * The raw round trip is a handler that only sets the PC, installed with
 * libc's own __sigaction in place of the library's for that measurement.
 */
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <ucontext.h>
#include "bench.h"

#define ROUNDS 31
#define FAULTS 10000L
#define CALLS 5000000L

extern int __sigaction(int sig, const struct sigaction *act, struct sigaction *old);
void __gcc_nested_func_ptr_created(void *chain, void *func, void *dst);
void __gcc_nested_func_ptr_deleted(void);

static __attribute__((noinline)) long plain(long x) { return x + 1; }

static void raw(int sig, siginfo_t *si, void *ucv)
{
	ucontext_t *uc = ucv;

#if defined(__x86_64__)
	uc->uc_mcontext.gregs[REG_RIP] = (greg_t)plain;
#elif defined(__aarch64__)
	uc->uc_mcontext.pc = (unsigned long)plain;
#endif
}

static __attribute__((noinline)) double time_emulated(long k, long n)
{
	long f(long x) { return k + x; }

	return bench_per_call(f, n);
}

static void row(const char *what, double num, double den, double goal)
{
	double r = num / den;

	printf("| %s | %.1f | %.1f | %.2fx | <= %.1fx | %s |\n", what, num, den, r, goal,
	       r <= goal ? "met" : "MISSED");
}

int main(void)
{
	struct sigaction sa = { .sa_sigaction = raw, .sa_flags = SA_SIGINFO | SA_ONSTACK | SA_NODEFER }, lib;
	double e[ROUNDS], s[ROUNDS], h[ROUNDS], p[ROUNDS];
	char *page = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	long (*heap)(long);
	int k;

	if (page == MAP_FAILED)
		return 1;
	sigemptyset(&sa.sa_mask);
	__gcc_nested_func_ptr_created(NULL, (void *)plain, &heap);
	for (k = 0; k < ROUNDS; k++) {
		e[k] = time_emulated(k, FAULTS);
		__sigaction(SIGSEGV, &sa, &lib);
		s[k] = bench_per_call((bench_fn)page, FAULTS);
		__sigaction(SIGSEGV, &lib, NULL);
		h[k] = bench_per_call(heap, CALLS);
		p[k] = bench_per_call(plain, CALLS);
	}
	__gcc_nested_func_ptr_deleted();
	printf("heap-ABI closures from cell %s (TRAMPFD_CELL; unset: the default)\n\n",
	       getenv("TRAMPFD_CELL") ? getenv("TRAMPFD_CELL") : "default");
	printf("| measured (median of %d rounds) | ns | baseline ns | ratio | goal | |\n", ROUNDS);
	printf("|---|---|---|---|---|---|\n");
	row("emulated stack trampoline / raw SIGSEGV round trip", bench_median(e, ROUNDS),
	    bench_median(s, ROUNDS), 1.1);
	row("heap-ABI trampoline / plain indirect call", bench_median(h, ROUNDS), bench_median(p, ROUNDS), 1.5);
	return 0;
}
