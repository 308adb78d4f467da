// SPDX-License-Identifier: MIT
/*
 * Resource limits instead of injected faults, each in its own child:
 *  nofile   RLIMIT_NOFILE just above the fds in use (+0 .. +6);
 *  as       RLIMIT_AS just above the address space in use (+0 .. +64 MiB),
 *           with tables of 1, 4096 and 1M trampolines;
 *  maps     the process's own mapping count driven up to vm.max_map_count
 *           (a global sysctl, not per namespace, so it is never changed:
 *           the test fills the count with one-page mappings instead).
 * Every API step returns a clean -errno or works; a table made before keeps
 * working; once the limit is lifted nothing is left behind and a full pass
 * succeeds.
 */
#include <sys/resource.h>
#include "common.h"

static long vm_size(void)
{
	FILE *f = fopen("/proc/self/status", "re");
	char line[128];
	long kb = -1;

	if (!f)
		t_fail("cannot open /proc/self/status");
	while (fgets(line, sizeof(line), f))
		if (sscanf(line, "VmSize: %ld kB", &kb) == 1)
			break;
	fclose(f);
	return kb * 1024;
}

/* n tables at once, as many as the limit lets through; all released. */
static void burst(unsigned int n, unsigned int ntramp, uint64_t v)
{
	int fds[16];
	void *bases[16];
	unsigned int k;

	for (k = 0; k < n && k < 16; k++) {
		struct trampfd_map map;
		long r;

		bases[k] = NULL;
		fds[k] = t_create_raw(ntramp, ic_flags);
		ic_clean(fds[k], "burst: trampfd_create", 0);
		if (fds[k] < 0)
			continue;
		r = t_set_call(fds[k], ntramp - 1, (void *)t_ret_arg0, v + k);
		ic_clean(r, "burst: pwrite", 0);
		T_EXPECT(trampfd_pread(fds[k], &map, sizeof(map), TRAMPFD_MAP_OFFSET), sizeof(map));
		r = trampfd_mmap(fds[k], &bases[k]);
		ic_clean(r, "burst: trampfd_mmap", 0);
		if (r)
			bases[k] = NULL;
		else if (t_set_call(fds[k], ntramp - 1, (void *)t_ret_arg0, v + k) > 0)
			T_EXPECT(ic_call(trampfd_addr(bases[k], &map, ntramp - 1)), v + k);
	}
	for (k = 0; k < n && k < 16; k++) {
		if (fds[k] >= 0)
			T_EXPECT(trampfd_close(fds[k]), 0);
		if (bases[k])
			T_EXPECT(trampfd_munmap(bases[k]), 0);
	}
}

static int nofile(void *arg)
{
	long extra = (long)(intptr_t)arg;
	struct rlimit old, rl;
	struct ic_witness w;
	struct ic_counts c0;

	ic_witness_make(&w, 0x4e4f);
	ic_pass(1, 0);
	c0 = ic_count();
	getrlimit(RLIMIT_NOFILE, &old);
	/* t_count_fds needs one fd of its own: count it in. */
	rl.rlim_cur = c0.fds + extra;
	rl.rlim_max = old.rlim_max;
	T_ASSERT(!setrlimit(RLIMIT_NOFILE, &rl), "setrlimit(NOFILE)");
	ic_pass(2, 0);
	burst(8, 2, 0x100);
	ic_witness_check(&w, "at the fd limit");
	T_ASSERT(!setrlimit(RLIMIT_NOFILE, &old), "setrlimit back");
	ic_same(c0, ic_count(), "fd limit lifted");
	if (!ic_pass(3, 0))
		return 4;	/* sticky: the parent says so */
	ic_witness_check(&w, "fd limit lifted");
	return 0;
}

static int as(void *arg)
{
	long extra = (long)(intptr_t)arg;
	struct rlimit old, rl;
	struct ic_witness w;
	struct ic_counts c0;

	ic_witness_make(&w, 0x4153);
	ic_pass(1, 0);
	c0 = ic_count();
	getrlimit(RLIMIT_AS, &old);
	rl.rlim_cur = vm_size() + extra;
	rl.rlim_max = old.rlim_max;
	T_ASSERT(!setrlimit(RLIMIT_AS, &rl), "setrlimit(AS)");
	ic_pass(2, 0);
	burst(4, 1, 0x200);
	burst(2, 4096, 0x300);
	burst(1, 1 << 20, 0x400);
	ic_witness_check(&w, "at the address-space limit");
	T_ASSERT(!setrlimit(RLIMIT_AS, &old), "setrlimit back");
	ic_same(c0, ic_count(), "address-space limit lifted");
	if (!ic_pass(3, 0))
		return 4;	/* sticky: the parent says so */
	ic_witness_check(&w, "address-space limit lifted");
	return 0;
}

static long max_map_count(void)
{
	FILE *f = fopen("/proc/sys/vm/max_map_count", "re");
	long n = -1;

	if (f) {
		if (fscanf(f, "%ld", &n) != 1)
			n = -1;
		fclose(f);
	}
	return n;
}

/* Fills the mapping count to max - room with one-page mappings. */
static int maps(void *arg)
{
	long room = (long)(intptr_t)arg, max = max_map_count(), k, n;
	struct ic_witness w;
	struct ic_counts c0, c1;
	char *fill;
	size_t pg = 4096;

	if (max < 0 || max > 1 << 20)
		t_skip("vm.max_map_count unreadable or too large (%ld)", max);
	ic_witness_make(&w, 0x4d50);
	ic_pass(1, 0);
	c0 = ic_count();
	n = max - c0.maps - room;
	if (n < 0)
		n = 0;
	/* One reservation, then every other page made readable: n VMAs. */
	fill = mmap(NULL, (2 * n + 1) * pg, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE,
		    -1, 0);
	T_ASSERT(fill != MAP_FAILED, "mmap fill");
	for (k = 0; k < n; k++)
		if (mprotect(fill + (2 * k + 1) * pg, pg, PROT_READ))
			break;
	ic_pass(2, 0);
	burst(4, 1, 0x500);
	burst(2, 5000, 0x600);
	ic_witness_check(&w, "at the mapping limit");
	munmap(fill, (2 * n + 1) * pg);
	c1 = ic_count();
	ic_same(c0, c1, "mapping limit lifted");
	if (!ic_pass(3, 0))
		return 4;	/* sticky: the parent says so */
	ic_witness_check(&w, "mapping limit lifted");
	return 0;
}

int main(void)
{
	static const long as_extra[] = { 0, 4096, 65536, 1 << 20, 4 << 20, 16 << 20, 64 << 20 };
	static const long map_room[] = { 0, 1, 2, 3, 4, 6, 8, 16 };
	char why[512];
	unsigned int k;
	int st;

	setvbuf(stdout, NULL, _IONBF, 0);
	t_sig_install();
	ic_cell_from_env();
	ic_errs = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	T_ASSERT(ic_errs != MAP_FAILED, "mmap");
	st = ic_child(ic_probe, NULL, why, sizeof(why));
	if (st == T_SKIP)
		t_skip("%s", why);
	if (st)
		t_fail("probe: %s", why);
	for (k = 0; k <= 6; k++) {
		st = ic_child(nofile, (void *)(intptr_t)k, why, sizeof(why));
		if (st == 4)
			t_fail("RLIMIT_NOFILE = fds in use + %u: once lifted, a pass still fails "
			       "(sticky)", k);
		if (st)
			t_fail("RLIMIT_NOFILE = fds in use + %u: %s", k,
			       st < 0 ? t_signame(-st) : why);
	}
	printf("nofile: limits at +0..+6 fds: %lu clean errors, no leaks, witness intact\n",
	       *ic_errs);
	*ic_errs = 0;
	for (k = 0; k < sizeof(as_extra) / sizeof(as_extra[0]); k++) {
		st = ic_child(as, (void *)(intptr_t)as_extra[k], why, sizeof(why));
		if (st == 4)
			t_fail("RLIMIT_AS = in use + %ld: once lifted, a pass still fails (sticky)",
			       as_extra[k]);
		if (st)
			t_fail("RLIMIT_AS = in use + %ld: %s", as_extra[k],
			       st < 0 ? t_signame(-st) : why);
	}
	printf("as: limits at +0..+64 MiB: %lu clean errors, no leaks, witness intact\n",
	       *ic_errs);
	*ic_errs = 0;
	for (k = 0; k < sizeof(map_room) / sizeof(map_room[0]); k++) {
		st = ic_child(maps, (void *)(intptr_t)map_room[k], why, sizeof(why));
		if (st == T_SKIP) {
			printf("maps: skipped: %s\n", why);
			break;
		}
		if (st == 4)
			t_fail("max_map_count - %ld: once freed, a pass still fails (sticky)",
			       map_room[k]);
		if (st)
			t_fail("mapping count at max_map_count - %ld: %s", map_room[k],
			       st < 0 ? t_signame(-st) : why);
	}
	printf("maps: count filled to vm.max_map_count (%ld) - 0..16: %lu clean errors, "
	       "no leaks, witness intact\n", max_map_count(), *ic_errs);
	return t_pass();
}
