// SPDX-License-Identifier: MIT
/*
 * GCC nested functions: the trampoline is written on the stack, so this
 * binary alone is linked with an executable stack. Prints table rows.
 */
#include <stdio.h>
#include "bench.h"

#define ROUNDS 15
#define CALLS 2000000L
#define CYCLES 20000L

static __attribute__((noinline)) long plain(long x) { return x + 1; }

static __attribute__((noinline)) long call_n(long (*fn)(long), long n)
{
	long i, s = 0;

	for (i = 0; i < n; i++)
		s += fn(i);
	return s;
}

/* One nested function per call: a fresh trampoline written on the stack. */
static __attribute__((noinline)) long cycle(long ctx)
{
	long inner(long x) { return ctx + 1; }

	return call_n(inner, 1);
}

static __attribute__((noinline)) double time_nested(long ctx)
{
	long inner(long x) { return ctx + x; }
	double t = bench_now();

	call_n(inner, CALLS);
	return (bench_now() - t) / CALLS;
}

int main(void)
{
	double p[ROUNDS], n[ROUNDS], c[ROUNDS], r[ROUNDS], t;
	long i, k;

	for (k = 0; k < ROUNDS; k++) {
		t = bench_now();
		call_n(plain, CALLS);
		p[k] = (bench_now() - t) / CALLS;
		n[k] = time_nested(k);
		t = bench_now();
		for (i = 0; i < CYCLES; i++)
			cycle(i);
		c[k] = (bench_now() - t) / CYCLES;
		r[k] = n[k] / p[k];
	}
	printf("call gcc-nested %.2f %.2f\n", bench_median(n, ROUNDS), bench_median(r, ROUNDS));
	printf("cycle gcc-nested %.0f\n", bench_median(c, ROUNDS));
	return 0;
}
