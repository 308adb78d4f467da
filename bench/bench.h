/* SPDX-License-Identifier: MIT */
/* Timing helpers shared by the benchmarks: medians of repeated rounds. */
#ifndef TRAMPFD_BENCH_H
#define TRAMPFD_BENCH_H

#include <stdlib.h>
#include <time.h>

static inline double bench_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e9 + ts.tv_nsec;
}

static int bench_cmp(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

static inline double bench_median(double *v, int n)
{
	qsort(v, n, sizeof(*v), bench_cmp);
	return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

typedef long (*bench_fn)(long);

/* ns per call of fn(i), over n calls. */
static __attribute__((noinline, unused)) double bench_per_call(bench_fn fn, long n)
{
	volatile long sink = 0;
	double t = bench_now();
	long i;

	for (i = 0; i < n; i++)
		sink += fn(i);
	(void)sink;
	return (bench_now() - t) / n;
}

#endif
