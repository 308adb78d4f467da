// SPDX-License-Identifier: MIT
/*
 * Closures (trampfd_closure_create(3)) in the cell under test: the library
 * takes the cell from TRAMPFD_CELL as the runner sets it, and the mapping
 * that holds a closure must be that cell's (fault: neither readable nor
 * writable; code: read+exec). For each placement, hardened and FASTWRITE:
 * a C target gets ctx where asked and the caller's arguments elsewhere;
 * get reads fn and ctx back; after free, get and free are -EINVAL and a
 * call raises SIGSEGV; a closure created again at a freed address works.
 */
#include <errno.h>
#include "t.h"

#define NA TRAMPFD_NUM_ARG_REGS
typedef uint64_t (*fn8)(uint64_t, uint64_t, uint64_t, uint64_t, uint64_t,
			uint64_t, uint64_t, uint64_t);
static uint64_t got[8];

static __attribute__((noinline)) uint64_t target(uint64_t a0, uint64_t a1, uint64_t a2,
						 uint64_t a3, uint64_t a4, uint64_t a5,
						 uint64_t a6, uint64_t a7)
{
	got[0] = a0, got[1] = a1, got[2] = a2, got[3] = a3;
	got[4] = a4, got[5] = a5, got[6] = a6, got[7] = a7;
	return a0 ^ 0x5555;
}

static uint64_t in_arg(unsigned int k) { return 0xa000 + k; }

static struct mapping_want { uintptr_t a; int found, exec, none; } mw;

static int find_map(const struct t_map *m, void *arg)
{
	struct mapping_want *w = arg;

	if (w->a < m->lo || w->a >= m->hi)
		return 0;
	w->found = 1;
	w->exec = m->perms[2] == 'x';
	w->none = !strncmp(m->perms, "--", 2);	/* kernel-fault maps PROT_EXEC alone */
	return 1;
}

/* The closure's mapping is the cell's: unreadable for fault, r-x for code. */
static void check_cell(void *c)
{
	mw = (struct mapping_want){ (uintptr_t)c, 0, 0, 0 };
	t_maps_each(find_map, &mw);
	T_ASSERT(mw.found, "closure %p is in no mapping", c);
	if (t_cell_flags & TRAMPFD_FAULT)
		T_ASSERT(mw.none, "cell %s: closure %p in a readable or writable mapping",
			 t_cell, c);
	if (t_cell_flags & TRAMPFD_CODE)
		T_ASSERT(mw.exec && !mw.none,
			 "cell %s: closure %p not in a readable, executable mapping", t_cell, c);
}

/* Calls closure c with the caller's arguments in_arg(k); checks what target saw. */
static void call_check(void *c, unsigned int how, void *ctx)
{
	uint64_t r = ((fn8)c)(in_arg(0), in_arg(1), in_arg(2), in_arg(3), in_arg(4),
			      in_arg(5), in_arg(6), in_arg(7));
	unsigned int k;

	for (k = 0; k < 8; k++) {
		uint64_t w = in_arg(k);

		if (how == TRAMPFD_CTX_FIRST)
			w = k == 0 ? (uintptr_t)ctx : k < NA ? in_arg(k - 1) : in_arg(k);
		else if ((how & 0xf00) == TRAMPFD_CTX_ARG(0) && k == (how & 0xff))
			w = (uintptr_t)ctx;
		if (got[k] != w)
			t_fail("how %#x: argument %u is %#llx, want %#llx", how, k,
			       (unsigned long long)got[k], (unsigned long long)w);
	}
	T_EXPECT(r, got[0] ^ 0x5555);
}

static void one(unsigned int how, unsigned int fast)
{
	void *c = NULL, *c2 = NULL, *fn, *ctx, *x = (void *)0x7e57c7c7ULL;
	uint64_t ret;
	int sig;

	T_EXPECT(trampfd_closure_create(&c, (void *)target, x, how | fast), 0);
	T_ASSERT(c, "how %#x: no address", how);
	check_cell(c);
	if (how != TRAMPFD_CTX_CHAIN)
		call_check(c, how, x);
	else
		T_EXPECT(((fn8)c)(1, 2, 3, 4, 5, 6, 7, 8), 1 ^ 0x5555);
	fn = ctx = NULL;
	T_EXPECT(trampfd_closure_get(c, &fn, &ctx), 0);
	T_ASSERT(fn == (void *)target && ctx == x, "how %#x: get gave %p %p", how, fn, ctx);
	T_EXPECT(trampfd_closure_get(c, NULL, &ctx), 0);
	T_EXPECT(trampfd_closure_free(c), 0);
	T_EXPECT(trampfd_closure_get(c, &fn, &ctx), -EINVAL);
	T_EXPECT(trampfd_closure_free(c), -EINVAL);
	sig = t_sig_call_tramp(c, &ret);
	T_ASSERT(sig == SIGSEGV, "how %#x: a freed closure's call gave %s, want SIGSEGV",
		 how, sig ? t_signame(sig) : "a return");
	/*
	 * Creates and frees: the freed address comes back (after about a
	 * thousand others: trampfd_closure_create(3)), and works.
	 */
	for (unsigned int i = 0; i < 3000 && c2 != c; i++) {
		if (c2)
			T_EXPECT(trampfd_closure_free(c2), 0);
		T_EXPECT(trampfd_closure_create(&c2, (void *)target, (void *)(uintptr_t)i,
						how | fast), 0);
	}
	T_ASSERT(c2 == c, "how %#x: a freed address did not come back in 3000 creates", how);
	T_EXPECT(trampfd_closure_get(c2, &fn, &ctx), 0);
	T_ASSERT(fn == (void *)target, "how %#x: reused: get gave fn %p", how, fn);
	if (how != TRAMPFD_CTX_CHAIN)
		call_check(c2, how, ctx);
	T_EXPECT(trampfd_closure_free(c2), 0);
}

int main(void)
{
	unsigned int k, f, fast[2] = { 0, TRAMPFD_CLOSURE_FASTWRITE };

	t_init();
	for (f = 0; f < 2; f++) {
		if (f && (t_cell_flags & TRAMPFD_KERNEL)) {
			void *c;

			/* FASTWRITE is the user provider's: a kernel cell has none. */
			T_EXPECT(trampfd_closure_create(&c, (void *)target, NULL,
							TRAMPFD_CTX_ARG(0) | fast[f]), -ENODEV);
			t_note("%s: FASTWRITE closures are the user provider's", t_cell);
			continue;
		}
		for (k = 0; k < NA; k++)
			one(TRAMPFD_CTX_ARG(k), fast[f]);
		one(TRAMPFD_CTX_CHAIN, fast[f]);
		one(TRAMPFD_CTX_FIRST, fast[f]);
	}
	return t_pass();
}
