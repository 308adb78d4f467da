// SPDX-License-Identifier: MIT
/*
 * Closures against an arbitrary write (docs/security.md): every copy of a
 * closure's fn and ctx in writable memory is overwritten (fn with another
 * function, ctx with its complement), for each placement. Hardened: calls
 * still reach fn with ctx and get reads back both unchanged. FASTWRITE
 * (user cells): the trade it makes, shown; the smash reaches its context
 * and the call changes, so the smash is known to find a store's copies.
 */
#include <errno.h>
#include <sys/random.h>
#include "t.h"

static __attribute__((noinline)) uint64_t good(uint64_t a, uint64_t b, uint64_t c)
{
	__asm__ volatile("" : "+r"(a));
	return a ^ b ^ c;
}

static __attribute__((noinline)) uint64_t evil(uint64_t a, uint64_t b, uint64_t c)
{
	__asm__ volatile("" : "+r"(a));
	return (a ^ b ^ c) + 1;
}

/* What to overwrite: never kept in the clear here, so our copies are not hits. */
static uint64_t key, enc[2], rep[2];
static unsigned long hits;

/*
 * Every copy, at any byte offset: memchr finds a nonzero byte j of the
 * value (stores are mostly untouched zero pages), then all 8 compare.
 */
static int smash_cb(const struct t_map *m, void *arg)
{
	uint8_t *p, *lo = (uint8_t *)m->lo, *end = (uint8_t *)m->hi - 8, v[8];
	unsigned int k, j;

	if (m->perms[0] != 'r' || m->perms[1] != 'w' || !strcmp(m->path, "[vvar]"))
		return 0;
	for (k = 0; k < 2; k++) {
		uint64_t w, from = enc[k] ^ key, to = rep[k] ^ key;

		memcpy(v, &from, 8);
		for (j = 0; !v[j]; j++)
			;
		for (p = lo; p <= end; p++) {
			p = memchr(p + j, v[j], end + j + 1 - (p + j));
			if (!p)
				break;
			p -= j;
			memcpy(&w, p, 8);
			if (w == from) {
				memcpy(p, &to, 8);
				hits++;
			}
		}
	}
	return 0;
}

static uint64_t call(void *c, unsigned int how, uint64_t ctx)
{
	/* Arguments such that the target's answer tells fn and ctx apart. */
	uint64_t a = 0x1000, b = 0x20000;

	if ((how & 0xfff) == TRAMPFD_CTX_FIRST)
		return ((uint64_t (*)(uint64_t, uint64_t))c)(a, b);
	return ((uint64_t (*)(uint64_t, uint64_t, uint64_t))c)(a, b, 0x300000);
	(void)ctx;
}

/* Not inlined: main must not keep good in a register the smash rewrites on the stack. */
static __attribute__((noinline)) void one(unsigned int how)
{
	uint64_t ctx, want, got;
	void *c, *fn, *gctx;
	unsigned int fast = how & TRAMPFD_CLOSURE_FASTWRITE;

	T_ASSERT(getrandom(&ctx, sizeof(ctx), 0) == sizeof(ctx), "getrandom");
	ctx |= 1ULL << 40;
	T_EXPECT(trampfd_closure_create(&c, (void *)good, (void *)(uintptr_t)ctx, how), 0);
	want = call(c, how, ctx);
	enc[0] = (uintptr_t)good ^ key;
	enc[1] = ctx ^ key;
	rep[0] = (uintptr_t)evil ^ key;
	rep[1] = ~ctx ^ key;
	ctx = 0;
	hits = 0;
	t_maps_each(smash_cb, NULL);
	got = call(c, how, 0);
	T_EXPECT(trampfd_closure_get(c, &fn, &gctx), 0);
	/* From enc, rep: the smash also rewrote saved registers that held good. */
	ctx = enc[1] ^ key;
	if (fast) {
		T_ASSERT(got != want && fn == (void *)(uintptr_t)(rep[0] ^ key),
			 "how %#x FASTWRITE: %lu copies smashed, yet the closure is unchanged (call %#llx, was %#llx; fn %p)",
			 how, hits, (unsigned long long)got, (unsigned long long)want, fn);
	} else {
		T_ASSERT(got == want, "how %#x: the call changed after %lu copies of fn and ctx "
			 "in writable memory were overwritten", how, hits);
		T_ASSERT(fn == (void *)(uintptr_t)(enc[0] ^ key) && gctx == (void *)(uintptr_t)ctx,
			 "how %#x: get reads back %p %p after the smash", how, fn, gctx);
	}
	printf("how %#x%s: %lu copies smashed, %s\n", how & 0xfff, fast ? " FASTWRITE" : "",
	       hits, fast ? "the closure changed (by design)" : "calls and get unchanged");
	T_EXPECT(trampfd_closure_free(c), 0);
}

int main(void)
{
	unsigned int f, hows[] = { TRAMPFD_CTX_ARG(0), TRAMPFD_CTX_ARG(2), TRAMPFD_CTX_CHAIN,
				   TRAMPFD_CTX_FIRST }, k;

	t_init();
	T_ASSERT(getrandom(&key, sizeof(key), 0) == sizeof(key), "getrandom");
	for (f = 0; f < 2; f++) {
		if (f && (t_cell_flags & TRAMPFD_KERNEL))
			break;		/* FASTWRITE is the user provider's */
		/*
		 * FASTWRITE: a fast form and CTX_FIRST only; each such table
		 * adds a private store of 128 MiB (mostly untouched) to scan.
		 */
		for (k = f; k < sizeof(hows) / sizeof(hows[0]); k += 1 + f)
			one(hows[k] | (f ? TRAMPFD_CLOSURE_FASTWRITE : 0));
	}
	return t_pass();
}
