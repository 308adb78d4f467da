// SPDX-License-Identifier: MIT
/*
 * libtrampfd-ffi against stock libffi, in one process (linked before
 * -lffi; stock is the real libffi's own functions, through dlvsym):
 *   call: a closure called through its code address, long f(long),
 *         provider / stock (goal <= 1.05x);
 *   cycle: ffi_closure_alloc + ffi_prep_closure_loc + ffi_closure_free,
 *         provider (hardened: read-only records) / two 16-byte pwrites to
 *         a memfd (goal <= 1.2x).
 * Ratios are medians of per-round ratios (a round's pair shares the load
 * of a busy machine); ratios, not absolute times, are the claim.
 */
#include <dlfcn.h>
#include <ffi.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>
#include "bench.h"

#define ROUNDS	31
#define CALLS	300000
#define CYCLES	5000

static ffi_cif cif;
static ffi_type *atypes[1] = { &ffi_type_sint64 };

static void add_fn(ffi_cif *c, void *ret, void **args, void *ud)
{
	*(ffi_arg *)ret = (ffi_arg)(*(long *)args[0] + (long)ud);
}

struct ffi_api {
	void *(*alloc)(size_t, void **);
	void (*free)(void *);
	ffi_status (*prep)(ffi_closure *, ffi_cif *, void (*)(ffi_cif *, void *, void **, void *),
			   void *, void *);
};

static bench_fn make(const struct ffi_api *a)
{
	void *code;
	ffi_closure *c = a->alloc(sizeof(*c), &code);

	if (!c || a->prep(c, &cif, add_fn, (void *)41, code) != FFI_OK)
		return NULL;
	return (bench_fn)code;
}

static double cycle(const struct ffi_api *a)
{
	double t = bench_now();

	for (int i = 0; i < CYCLES; i++) {
		void *code;
		ffi_closure *c = a->alloc(sizeof(*c), &code);

		if (!c || a->prep(c, &cif, add_fn, (void *)41, code) != FFI_OK)
			return -1;
		a->free(c);
	}
	return (bench_now() - t) / CYCLES;
}

static double two_pwrites(int fd)
{
	char buf[16] = { 1 };
	double t = bench_now();

	for (int i = 0; i < CYCLES; i++)
		if (pwrite(fd, buf, 16, 0) != 16 || pwrite(fd, buf, 16, 64) != 16)
			return -1;
	return (bench_now() - t) / CYCLES;
}

static void row(const char *what, double v, const char *vs, const char *goal)
{
	printf("| %-46s | %8.1f ns | %-22s | %-8s |\n", what, v, vs, goal);
}

int main(void)
{
	struct ffi_api prov = { ffi_closure_alloc, ffi_closure_free, ffi_prep_closure_loc }, stock;
	double pc[ROUNDS], sc[ROUNDS], cy[ROUNDS], pw[ROUNDS], rc[ROUNDS], rw[ROUNDS], p, s, c, w;
	void *h = dlopen("libffi.so.8", RTLD_NOLOAD | RTLD_LAZY);
	int fd = memfd_create("ffi-bench", MFD_CLOEXEC);
	bench_fn fp, fs;
	Dl_info di;
	char vs[64];

	if (!dladdr((void *)ffi_closure_alloc, &di) || !strstr(di.dli_fname, "libtrampfd-ffi") || !h) {
		fprintf(stderr, "ffi_bench: not linked before -lffi, or no libffi.so.8\n");
		return 1;
	}
	stock.alloc = (void *(*)(size_t, void **))dlvsym(h, "ffi_closure_alloc", "LIBFFI_CLOSURE_8.0");
	stock.free = (void (*)(void *))dlvsym(h, "ffi_closure_free", "LIBFFI_CLOSURE_8.0");
	stock.prep = (ffi_status (*)(ffi_closure *, ffi_cif *,
				     void (*)(ffi_cif *, void *, void **, void *), void *, void *))
		dlvsym(h, "ffi_prep_closure_loc", "LIBFFI_CLOSURE_8.0");
	if (ffi_prep_cif(&cif, FFI_DEFAULT_ABI, 1, &ffi_type_sint64, atypes) != FFI_OK ||
	    !stock.alloc || !stock.free || !stock.prep || fd < 0 || ftruncate(fd, 4096) ||
	    !(fp = make(&prov)) || !(fs = make(&stock)) || fp(1) != 42 || fs(1) != 42) {
		fprintf(stderr, "ffi_bench: cannot set up a closure of each kind\n");
		return 1;
	}
	for (int k = 0; k < ROUNDS; k++) {
		/* Each round's pair shares the machine's load: ratios per round. */
		sc[k] = bench_per_call(fs, CALLS);
		pc[k] = bench_per_call(fp, CALLS);
		rc[k] = pc[k] / sc[k];
		pw[k] = two_pwrites(fd);
		cy[k] = cycle(&prov);
		rw[k] = cy[k] / pw[k];
	}
	p = bench_median(pc, ROUNDS);
	s = bench_median(sc, ROUNDS);
	c = bench_median(cy, ROUNDS);
	w = bench_median(pw, ROUNDS);
	printf("| measure | value | vs | goal |\n|---|---|---|---|\n");
	row("call: libffi closure, libtrampfd-ffi", p,
	    (snprintf(vs, sizeof(vs), "%.3fx stock", bench_median(rc, ROUNDS)), vs), "<= 1.05x");
	row("call: libffi closure, stock (rwx page)", s, "1.000x stock", "");
	row("alloc+prep+free: libtrampfd-ffi, hardened", c,
	    (snprintf(vs, sizeof(vs), "%.2fx two pwrites", bench_median(rw, ROUNDS)), vs), "<= 1.2x");
	row("two 16-byte pwrites to a memfd", w, "1.00x two pwrites", "");
	return 0;
}
