// SPDX-License-Identifier: MIT
/*
 * Issue 3's table: trampfd user-code against a plain call, libffi,
 * libffcall, GCC nested functions (rows from bench/nested) and user-fault.
 * Every figure is a median over rounds that interleave the mechanisms.
 * Usage: code_bench [nested-rows-file]
 */
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <trampfd.h>
#include "anchors.h"
#include "bench.h"

#define ROUNDS 11
#define CALLS 2000000L
#define CYCLES 20000L

struct table {
	int fd;
	void *base;
	struct trampfd_map map;
};

static __attribute__((noinline)) long plain(long x) { return x + 1; }
static __attribute__((noinline)) long target(long x) { return x + 1; }

static int set_ctx(int fd, unsigned int i, long v, unsigned int nregs)
{
	struct {
		struct trampfd_regs h;
		struct trampfd_reg r[2];
	} c = { { nregs, 0 }, { { TRAMPFD_REG_PC, 0, (unsigned long)target }, { TRAMPFD_REG_ARG0, 0, v } } };

	return trampfd_pwrite(fd, &c, sizeof(c.h) + nregs * sizeof(c.r[0]),
			      TRAMPFD_OFFSET(i, TRAMPFD_REGS_OFFSET)) < 0;
}

static int table_open(struct table *t, unsigned int flags, unsigned int n)
{
	struct trampfd_user u = { .flags = flags, .ntrampolines = n };

	t->fd = trampfd_create(TRAMPFD_USER, &u, 0);
	if (t->fd < 0)
		return t->fd;
	if (trampfd_pread(t->fd, &t->map, sizeof(t->map), TRAMPFD_MAP_OFFSET) < 0 ||
	    trampfd_mmap(t->fd, &t->base) < 0)
		return -EIO;
	return 0;
}

static void table_close(struct table *t)
{
	trampfd_munmap(t->base);
	trampfd_close(t->fd);
}

static bench_fn slot(struct table *t, unsigned int i)
{
	return (bench_fn)trampfd_addr(t->base, &t->map, i);
}

/* create + first call + free of one trampoline in an existing table */
static double cycle_trampfd(struct table *t)
{
	double s = bench_now();
	long i;

	for (i = 0; i < CYCLES; i++) {
		unsigned int k = 1 + i % 1023;	/* slot 0 stays set for the call rows */

		if (set_ctx(t->fd, k, i, 2) || slot(t, k)(0) != i + 1 || set_ctx(t->fd, k, 0, 0))
			return -1;
	}
	return (bench_now() - s) / CYCLES;
}

static double cycle_ffi(void)
{
	double s = bench_now();
	void *h;
	long i;

	for (i = 0; i < CYCLES; i++) {
		bench_fn f = ffi_make(i, &h);

		if (!f || f(0) != i + 1)
			return -1;
		ffi_free(h);
	}
	return (bench_now() - s) / CYCLES;
}

static double cycle_ffcall(void)
{
	double s = bench_now();
	long i;

	for (i = 0; i < CYCLES; i++) {
		bench_fn f = ffcall_make(i);

		if (!f || f(0) != i + 1)
			return -1;
		ffcall_free(f);
	}
	return (bench_now() - s) / CYCLES;
}

/* ns per creation of 10000 more trampolines with `live` already live. */
static double create_at_trampfd(unsigned long live)
{
	struct table t;
	unsigned long i;
	double s;

	if (table_open(&t, TRAMPFD_NOKERNEL | TRAMPFD_CODE, live + 10000))
		return -1;
	for (i = 0; i < live; i++)
		if (set_ctx(t.fd, i, i, 2))
			return -1;
	s = bench_now();
	for (; i < live + 10000; i++)
		if (set_ctx(t.fd, i, i, 2))
			return -1;
	s = (bench_now() - s) / 10000;
	table_close(&t);
	return s;
}

static double create_at_ffi(unsigned long live)
{
	void **h = calloc(live + 10000, sizeof(*h));
	unsigned long i, made = 0;
	double s = -1, t;

	if (!h)
		return -1;
	for (i = 0; i < live; i++, made++)
		if (!ffi_make(i, &h[i]))
			goto out;
	t = bench_now();
	for (; i < live + 10000; i++, made++)
		if (!ffi_make(i, &h[i]))
			goto out;
	s = (bench_now() - t) / 10000;
out:
	for (i = 0; i < made; i++)
		ffi_free(h[i]);
	free(h);
	return s;
}

/*
 * Bytes per live fast-slot trampoline: the table's store (its memfd, the
 * only memory a slot adds: the code is the library's file) over 1M slots.
 */
static double bytes_per_trampoline(void)
{
	const unsigned int n = 1000000;
	struct table t;
	struct stat st;
	unsigned int i;

	if (table_open(&t, TRAMPFD_NOKERNEL | TRAMPFD_CODE, n))
		return -1;
	for (i = 0; i < n; i++)
		if (set_ctx(t.fd, i, i, 2))
			return -1;
	if (fstat(t.fd, &st))
		return -1;
	table_close(&t);
	return (double)st.st_blocks * 512 / n;
}

struct par { struct table *t; unsigned int from, n; };

static void *par_create(void *arg)
{
	struct par *p = arg;
	unsigned int i;

	for (i = p->from; i < p->from + p->n; i++)
		set_ctx(p->t->fd, i, i, 2);
	return NULL;
}

/* Creations per second with `threads` writers, each in its own table. */
static double create_rate(int threads, unsigned int n)
{
	struct table t[2];
	struct par p[2];
	pthread_t th[2];
	double s;
	int k;

	for (k = 0; k < threads; k++) {
		if (table_open(&t[k], TRAMPFD_NOKERNEL | TRAMPFD_CODE, n))
			return -1;
		p[k] = (struct par){ &t[k], 0, n };
	}
	s = bench_now();
	for (k = 0; k < threads; k++)
		pthread_create(&th[k], NULL, par_create, &p[k]);
	for (k = 0; k < threads; k++)
		pthread_join(th[k], NULL);
	s = bench_now() - s;
	for (k = 0; k < threads; k++)
		table_close(&t[k]);
	return threads * (double)n / s * 1e9;
}

static void row(const char *what, double v, const char *unit, const char *vs, const char *goal)
{
	printf("| %-44s | %10.2f %-3s | %-26s | %-14s |\n", what, v, unit, vs, goal);
}

int main(int argc, char **argv)
{
	double pl[ROUNDS], uc[ROUNDS], ff[ROUNDS], fc[ROUNDS], uf[ROUNDS];
	double cyh[ROUNDS], cyf[ROUNDS], cyffi[ROUNDS], cyfc[ROUNDS];
	double nested_call = 0, nested_ratio = 0, nested_cycle = 0;
	struct table code, fault, fast;
	char vs[64];
	void *h;
	bench_fn ffi, fcall;
	int k;

	if (table_open(&code, TRAMPFD_NOKERNEL | TRAMPFD_CODE, 1024) ||
	    table_open(&fast, TRAMPFD_NOKERNEL | TRAMPFD_CODE | TRAMPFD_FASTWRITE, 1024) ||
	    table_open(&fault, TRAMPFD_NOKERNEL | TRAMPFD_FAULT, 1) ||
	    set_ctx(code.fd, 0, 41, 2) || set_ctx(fault.fd, 0, 41, 2)) {
		fprintf(stderr, "code_bench: user-code cell unavailable (see trampfd probe)\n");
		return 1;
	}
	ffi = ffi_make(41, &h);
	fcall = ffcall_make(41);
	if (argc > 1) {
		FILE *f = fopen(argv[1], "r");

		if (f && fscanf(f, "call gcc-nested %lf %lf cycle gcc-nested %lf",
				&nested_call, &nested_ratio, &nested_cycle) != 3)
			nested_call = 0;
		if (f)
			fclose(f);
	}
	for (k = 0; k < ROUNDS; k++) {
		pl[k] = bench_per_call(plain, CALLS);
		uc[k] = bench_per_call(slot(&code, 0), CALLS) / pl[k];
		ff[k] = bench_per_call(ffi, CALLS) / pl[k];
		fc[k] = bench_per_call(fcall, CALLS) / pl[k];
		uf[k] = bench_per_call(slot(&fault, 0), CALLS / 1000) / pl[k];
		cyh[k] = cycle_trampfd(&code);
		cyf[k] = cycle_trampfd(&fast);
		cyffi[k] = cycle_ffi();
		cyfc[k] = cycle_ffcall();
	}
	double p = bench_median(pl, ROUNDS), ffi_cy = bench_median(cyffi, ROUNDS);

	printf("| measure | value | vs | goal |\n|---|---|---|---|\n");
	row("call: plain function pointer", p, "ns", "1.00x", "");
	row("call: trampfd user-code", bench_median(uc, ROUNDS) * p, "ns",
	    (snprintf(vs, sizeof(vs), "%.2fx plain", bench_median(uc, ROUNDS)), vs), "<= 1.5x plain");
	row("call: libffi closure", bench_median(ff, ROUNDS) * p, "ns",
	    (snprintf(vs, sizeof(vs), "%.2fx plain", bench_median(ff, ROUNDS)), vs), "");
	row("call: libffcall trampoline", bench_median(fc, ROUNDS) * p, "ns",
	    (snprintf(vs, sizeof(vs), "%.2fx plain", bench_median(fc, ROUNDS)), vs), "");
	if (nested_call)
		row("call: GCC nested function (own process)", nested_call, "ns",
		    (snprintf(vs, sizeof(vs), "%.2fx plain", nested_ratio), vs), "");
	row("call: trampfd user-fault", bench_median(uf, ROUNDS) * p, "ns",
	    (snprintf(vs, sizeof(vs), "%.0fx plain", bench_median(uf, ROUNDS)), vs), "");
	row("create+call+free: trampfd hardened", bench_median(cyh, ROUNDS), "ns",
	    (snprintf(vs, sizeof(vs), "%.2fx libffi", bench_median(cyh, ROUNDS) / ffi_cy), vs),
	    "<= 1x libffi");
	double fw = bench_median(cyf, ROUNDS) / ffi_cy;

	if (fw < 1)
		snprintf(vs, sizeof(vs), "1/%.1f of libffi", 1 / fw);
	else
		snprintf(vs, sizeof(vs), "%.2fx libffi", fw);
	row("create+call+free: trampfd FASTWRITE", fw * ffi_cy, "ns", vs, "<= 1/20 libffi");
	row("create+call+free: libffi", ffi_cy, "ns", "1.00x libffi", "");
	row("create+call+free: libffcall", bench_median(cyfc, ROUNDS), "ns",
	    (snprintf(vs, sizeof(vs), "%.2fx libffi", bench_median(cyfc, ROUNDS) / ffi_cy), vs), "");
	if (nested_cycle)
		row("create+call+free: GCC nested (own process)", nested_cycle, "ns", "", "");
	fflush(stdout);

	static const unsigned long lives[] = { 10000, 1000000, 10000000 };
	double c0 = 0;
	for (k = 0; k < 3; k++) {
		char what[64];
		double c = create_at_trampfd(lives[k]), f;

		if (!k)
			c0 = c;
		snprintf(what, sizeof(what), "create at %lu live: trampfd user-code", lives[k]);
		row(what, c, "ns", (snprintf(vs, sizeof(vs), "%.2fx the 10K cost", c / c0), vs),
		    k ? "<= 1.2x 10K" : "");
		fflush(stdout);
		f = create_at_ffi(lives[k]);
		snprintf(what, sizeof(what), "create at %lu live: libffi", lives[k]);
		if (f < 0)
			printf("| %-44s | %14s | %-26s | %-14s |\n", what, "fails", "", "");
		else
			row(what, f, "ns", "", "");
		fflush(stdout);
	}
	row("memory per live fast trampoline (1M live)", bytes_per_trampoline(), "B", "", "<= 16 B");
	double r1 = create_rate(1, 1000000), r2 = create_rate(2, 1000000);
	row("creations/s, 1 thread", r1 / 1e6, "M/s", "", "");
	row("creations/s, 2 threads", r2 / 1e6, "M/s",
	    (snprintf(vs, sizeof(vs), "%.2fx 1 thread", r2 / r1), vs), ">= 1.6x");
	table_close(&code);
	table_close(&fast);
	table_close(&fault);
	return 0;
}
