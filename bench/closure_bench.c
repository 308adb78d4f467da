// SPDX-License-Identifier: MIT
/*
 * Issue 11's table: closures (trampfd_closure_create(3)) in the default
 * cell against a plain indirect call, libffi, two pwrites to a memfd, one
 * thread, and a memory budget. Every ratio is taken within one run, as a
 * median of ROUNDS rounds that interleave the two sides. Usage:
 * closure_bench [-q] (-q: 1M live closures for the memory row, not 10M).
 */
#include <pthread.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>
#include <trampfd.h>
#include "anchors.h"

#define ROUNDS	9
#define FW	TRAMPFD_CLOSURE_FASTWRITE

static __attribute__((noinline)) long plain(long x) { return x + 1; }
static __attribute__((noinline)) long t_arg1(long x, long ctx) { return x + ctx; }
static __attribute__((noinline)) long t_first(long ctx, long x) { return x + ctx; }

static void die(const char *what, int err)
{
	fprintf(stderr, "closure_bench: %s: %s\n", what, strerror(-err));
	exit(1);
}

static void *make(void *fn, long ctx, unsigned int how)
{
	void *c;
	int err = trampfd_closure_create(&c, fn, (void *)ctx, how);

	if (err)
		die("trampfd_closure_create", err);
	return c;
}

/* ns per create + first call + free of one closure. */
static __attribute__((noinline)) double cycle(unsigned int how, long n)
{
	volatile long sink = 0;
	double t = bench_now();
	long i;

	for (i = 0; i < n; i++) {
		void *c = make((void *)t_arg1, 1, how);

		sink += ((bench_fn)c)(i);
		trampfd_closure_free(c);
	}
	(void)sink;
	return (bench_now() - t) / n;
}

static __attribute__((noinline)) double ffi_cycle(long n)
{
	volatile long sink = 0;
	double t = bench_now();
	void *h;
	long i;

	for (i = 0; i < n; i++) {
		bench_fn f = ffi_make(i, &h);

		if (!f)
			die("ffi_closure_alloc", -12);
		sink += f(i);
		ffi_free(h);
	}
	(void)sink;
	return (bench_now() - t) / n;
}

/* The floor of a hardened design: two 16-byte pwrites to a memfd. */
static __attribute__((noinline)) double pwrite_cycle(int fd, long n)
{
	char buf[16] = { 1 };
	double t = bench_now();
	long i;

	for (i = 0; i < n; i++) {
		off_t o = (i % 4096) * 64;

		if (pwrite(fd, buf, 16, o) != 16 || pwrite(fd, buf, 16, o + 32) != 16)
			die("pwrite", -5);
	}
	return (bench_now() - t) / n;
}

struct rate_arg {
	unsigned int how;
	long n;
	pthread_barrier_t *bar;
};

static void *rate_thread(void *p)
{
	struct rate_arg *a = p;
	long i;

	pthread_barrier_wait(a->bar);
	for (i = 0; i < a->n; i++)
		trampfd_closure_free(make((void *)t_arg1, i, a->how));
	return NULL;
}

/* Wall ns for nthreads threads doing n create + free each, started together. */
static double rate_run(unsigned int how, unsigned int nthreads, long n)
{
	pthread_barrier_t bar;
	struct rate_arg a = { how, n, &bar };
	pthread_t th[2];
	unsigned int k;
	double t;

	pthread_barrier_init(&bar, NULL, nthreads + 1);
	for (k = 0; k < nthreads; k++)
		pthread_create(&th[k], NULL, rate_thread, &a);
	pthread_barrier_wait(&bar);
	t = bench_now();
	for (k = 0; k < nthreads; k++)
		pthread_join(th[k], NULL);
	t = bench_now() - t;
	pthread_barrier_destroy(&bar);
	return t;
}

static long private_kb(void)
{
	FILE *f = fopen("/proc/self/smaps_rollup", "re");
	char line[256];
	long kb, sum = 0;

	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f))
		if ((sscanf(line, "Private_Dirty: %ld kB", &kb) == 1) ||
		    (sscanf(line, "Private_Clean: %ld kB", &kb) == 1))
			sum += kb;
	fclose(f);
	return sum;
}

static void row(const char *what, double v, const char *unit, double ratio,
		const char *vs, const char *goal, int met)
{
	printf("| %s | %.2f %s | %.2fx %s | %s | %s |\n", what, v, unit, ratio, vs, goal,
	       met ? "met" : "not met");
}

int main(int argc, char **argv)
{
	long nlive = argc > 1 && !strcmp(argv[1], "-q") ? 1000000 : 10000000;
	double pl[ROUNDS], ar[ROUNDS], ch[ROUNDS], fi[ROUNDS], fw[ROUNDS], ff[ROUNDS];
	double hd[ROUNDS], pw[ROUNDS], r1[ROUNDS], r2[ROUNDS], f1[ROUNDS], f2[ROUNDS];
	void *ca = make((void *)t_arg1, 1, TRAMPFD_CTX_ARG(1));
	void *cc = make((void *)plain, 1, TRAMPFD_CTX_CHAIN);
	void *cf = make((void *)t_first, 1, TRAMPFD_CTX_FIRST);
	int fd = memfd_create("bench", MFD_CLOEXEC), r;
	long n = 2000000, before, after, i;
	void **live;
	double m;

	if (fd < 0 || ftruncate(fd, 4096 * 64) < 0)
		die("memfd", -5);
	/* Warm up every path once (tables, pages, libffi's pool). */
	cycle(TRAMPFD_CTX_ARG(1), 1000);
	cycle(TRAMPFD_CTX_ARG(1) | FW, 1000);
	ffi_cycle(1000);
	for (r = 0; r < ROUNDS; r++) {
		pl[r] = bench_per_call(plain, n);
		ar[r] = bench_per_call((bench_fn)ca, n);
		ch[r] = bench_per_call((bench_fn)cc, n);
		fi[r] = bench_per_call((bench_fn)cf, n);
		fw[r] = cycle(TRAMPFD_CTX_ARG(1) | FW, 20000);
		ff[r] = ffi_cycle(20000);
		hd[r] = cycle(TRAMPFD_CTX_ARG(1), 5000);
		pw[r] = pwrite_cycle(fd, 5000);
	}
	/* Threads: ratios of rates, the 1-thread run right before the 2-thread one. */
	for (r = 0; r < ROUNDS; r++) {
		r1[r] = rate_run(TRAMPFD_CTX_ARG(1), 1, 5000);
		r2[r] = rate_run(TRAMPFD_CTX_ARG(1), 2, 5000);
		f1[r] = rate_run(TRAMPFD_CTX_ARG(1) | FW, 1, 50000);
		f2[r] = rate_run(TRAMPFD_CTX_ARG(1) | FW, 2, 50000);
	}
	m = bench_median(pl, ROUNDS);
	printf("Closures (bench/closure_bench.c), default cell; medians of %d rounds\n\n", ROUNDS);
	printf("| measure | value | ratio | goal | |\n|---|---|---|---|---|\n");
	row("call, CTX_ARG(1)", bench_median(ar, ROUNDS), "ns", bench_median(ar, ROUNDS) / m,
	    "plain indirect", "<= 1.5x", bench_median(ar, ROUNDS) / m <= 1.5);
	row("call, CTX_CHAIN", bench_median(ch, ROUNDS), "ns", bench_median(ch, ROUNDS) / m,
	    "plain indirect", "<= 1.5x", bench_median(ch, ROUNDS) / m <= 1.5);
	row("call, CTX_FIRST", bench_median(fi, ROUNDS), "ns", bench_median(fi, ROUNDS) / m,
	    "plain indirect", "<= 2.0x", bench_median(fi, ROUNDS) / m <= 2.0);
	printf("| plain indirect call | %.2f ns | | | |\n", m);
	m = bench_median(ff, ROUNDS);
	row("create+call+free, FASTWRITE", bench_median(fw, ROUNDS), "ns",
	    bench_median(fw, ROUNDS) / m, "libffi", "<= 0.5x", bench_median(fw, ROUNDS) / m <= 0.5);
	printf("| libffi alloc+prep+call+free | %.0f ns | | | |\n", m);
	m = bench_median(pw, ROUNDS);
	row("create+call+free, hardened", bench_median(hd, ROUNDS), "ns",
	    bench_median(hd, ROUNDS) / m, "2 pwrites", "<= 1.2x", bench_median(hd, ROUNDS) / m <= 1.2);
	printf("| two 16-byte pwrites to a memfd | %.0f ns | | | |\n", m);
	for (r = 0; r < ROUNDS; r++) {
		r1[r] = 2 * r1[r] / r2[r];	/* rate(2 threads) / rate(1 thread) */
		f1[r] = 2 * f1[r] / f2[r];
	}
	m = bench_median(r1, ROUNDS);
	row("create+free rate, hardened", m, "", m, "2 threads / 1", ">= 1.6x", m >= 1.6);
	m = bench_median(f1, ROUNDS);
	row("create+free rate, FASTWRITE", m, "", m, "2 threads / 1", ">= 1.6x", m >= 1.6);
	fflush(stdout);
	live = malloc(nlive * sizeof(*live));
	if (!live)
		die("malloc", -12);
	memset(live, 0, nlive * sizeof(*live));
	before = private_kb();
	for (i = 0; i < nlive; i++)
		live[i] = make((void *)t_arg1, i, TRAMPFD_CTX_ARG(1) | FW);
	after = private_kb();
	for (i = 0; i < nlive; i += nlive / 1000)
		if (((bench_fn)live[i])(0) != i)
			die("a live closure calls elsewhere", -5);
	m = (after - before) * 1024.0 / nlive;
	printf("| private memory per live closure, %ldM live FASTWRITE | %.1f B | | <= 32 B | %s |\n",
	       nlive / 1000000, m, m <= 32 ? "met" : "not met");
	printf("\n(the closure array itself, %zu B per closure, is the program's and not counted)\n",
	       sizeof(*live));
	return 0;
}
