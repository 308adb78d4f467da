// SPDX-License-Identifier: MIT
/*
 * Fault injection, per function the library uses (wrap.c) and per N: the
 * N-th call of it fails while one API pass runs (common.h: create, write,
 * read, map, call, rewrite, unmap, close). Each step returns a clean
 * -errno or works; afterwards no fd or mapping is left behind, a table made
 * before keeps working, and an unarmed pass succeeds (recovery).
 *   cold: in a fresh process, so the library's first-use paths (handler
 *         installation, finding its own file) take the fault;
 *   warm: after a first table exists.
 * Each (function, mode, N) runs in its own child; N grows until the pass
 * makes fewer than N calls of the function.
 * A fault that stays (a later unarmed pass in the same process fails too)
 * and a store mapped with weaker protection (mprotect(PROT_WRITE) works on
 * it) are failures: docs/security.md promises neither happens.
 */
#include "common.h"
#include "inject.h"

#define NMAX 64

struct job {
	int fn;
	unsigned long n;
	int warm;
	struct ic_counts ref;	/* cold: counts after a clean process's two passes */
};

/* Child results: 0 ok, 3 ok and the N-th call never came, 4 the fault is
 * sticky, 5 a store was mapped writable-capable. */
enum { IR_OK = 0, IR_FAIL = 1, IR_DONE = 3, IR_STICKY = 4, IR_WEAK = 5 };

static int run_job(void *arg)
{
	struct job *j = arg;
	struct ic_witness w;
	struct ic_counts c0, c1;
	unsigned long hit;
	int ok, ret = IR_OK, allow = inj_errno(j->fn);

	if (j->warm)
		ic_witness_make(&w, 0x5151);
	c0 = ic_count();
	inj_arm(j->fn, j->n);
	ic_pass(0x1000 + j->n, allow);
	hit = inj_disarm();
	if (!hit)
		return IR_DONE;
	if (j->warm) {
		c1 = ic_count();
		ic_same(c0, c1, "after the failed pass");
		ic_witness_check(&w, "after the failed pass");
	}
	ok = ic_pass(0x2000 + j->n, 0);
	if (!ok)
		ret = IR_STICKY;
	c1 = ic_count();
	if (j->warm) {
		ic_same(c0, c1, "after recovery");
		ic_witness_check(&w, "after recovery");
		ic_witness_drop(&w);
	} else if (ret != IR_STICKY) {
		ic_same(j->ref, c1, "cold, against a clean process");
	}
	if (ret == IR_OK && ic_weak)
		ret = IR_WEAK;
	return ret;
}

/* A clean process's counts after two passes (what lazy setup keeps). */
static int reference(void *arg)
{
	struct ic_counts *out = arg;

	if (!ic_pass(1, 0) || !ic_pass(2, 0))
		t_fail("an unarmed pass fails");
	*out = ic_count();
	return 0;
}

int main(void)
{
	struct ic_counts *shared;
	char why[512];
	unsigned int cases = 0;
	int fn, warm, st;

	setvbuf(stdout, NULL, _IONBF, 0);
	t_sig_install();
	ic_cell_from_env();
	st = ic_child(ic_probe, NULL, why, sizeof(why));
	if (st == T_SKIP)
		t_skip("%s", why);
	if (st)
		t_fail("probe: %s", why);
	shared = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	T_ASSERT(shared != MAP_FAILED, "mmap");
	if (ic_child(reference, shared, why, sizeof(why)))
		t_fail("reference: %s", why);
	for (fn = 0; fn < INJ_NFN; fn++) {
		unsigned long nmax[2] = { 0, 0 };

		for (warm = 0; warm < 2; warm++) {
			struct job j = { fn, 1, warm, *shared };

			for (j.n = 1; j.n <= NMAX; j.n++) {
				st = ic_child(run_job, &j, why, sizeof(why));
				if (st == IR_DONE)
					break;
				cases++;
				if (st == IR_STICKY)
					t_fail("%s %s, call %lu fails: later passes in the process "
					       "fail too (sticky)", inj_name(fn), warm ? "warm" : "cold",
					       j.n);
				if (st == IR_WEAK)
					t_fail("%s %s, call %lu fails: the context store is mapped "
					       "from a writable fd (mprotect(PROT_WRITE) works)",
					       inj_name(fn), warm ? "warm" : "cold", j.n);
				if (st != IR_OK)
					t_fail("%s %s, call %lu fails: %s", inj_name(fn),
					       warm ? "warm" : "cold", j.n,
					       st < 0 ? t_signame(-st) : why);
			}
			nmax[warm] = j.n - 1;
		}
		printf("%-12s calls per pass: cold %lu, warm %lu%s\n", inj_name(fn), nmax[0],
		       nmax[1], nmax[0] + nmax[1] ? "" : " (never called)");
	}
	printf("%s: %u injected faults, all clean, none sticky, no weaker store\n", ic_cell,
	       cases);
	return t_pass();
}
