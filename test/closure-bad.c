// SPDX-License-Identifier: MIT
/*
 * Closures, bad input (trampfd_closure_create(3)): -EINVAL for a NULL
 * closure pointer or fn, unknown how bits, no placement or two, an
 * argument register out of range; free and get of anything that is not a
 * live closure (NULL, freed, never handed out, mid-slot, a function, the
 * stack, the heap) are -EINVAL too. None of them changes anything: *closure
 * keeps its value, live closures keep calling their target with their
 * context and read back the same.
 */
#include <errno.h>
#include "t.h"

static uint64_t ret_arg0(uint64_t a) { return a + 1; }

static void *live[4];

/* The live closures still call and read back as created. */
static void unchanged(const char *after)
{
	unsigned int i;
	void *fn, *ctx;

	for (i = 0; i < 4; i++) {
		T_ASSERT(((uint64_t (*)(uint64_t))live[i])(0) == 100 + i + 1,
			 "after %s: closure %u calls elsewhere", after, i);
		T_EXPECT(trampfd_closure_get(live[i], &fn, &ctx), 0);
		T_ASSERT(fn == (void *)ret_arg0 && ctx == (void *)(uintptr_t)(100 + i),
			 "after %s: closure %u reads back %p %p", after, i, fn, ctx);
	}
}

static void bad_create(void **where, void *fn, unsigned int how, const char *what)
{
	void *c = (void *)0x5eed;

	T_ASSERT(trampfd_closure_create(where ? &c : NULL, fn, NULL, how) == -EINVAL,
		 "create with %s: not -EINVAL", what);
	T_ASSERT(c == (void *)0x5eed, "create with %s wrote *closure", what);
	unchanged(what);
}

static void bad_addr(void *p, const char *what)
{
	void *fn = (void *)1, *ctx = (void *)2;

	T_ASSERT(trampfd_closure_free(p) == -EINVAL, "free(%s): not -EINVAL", what);
	T_ASSERT(trampfd_closure_get(p, &fn, &ctx) == -EINVAL, "get(%s): not -EINVAL", what);
	T_ASSERT(fn == (void *)1 && ctx == (void *)2, "get(%s) wrote its results", what);
	unchanged(what);
}

int main(void)
{
	void *freed, *fresh, *heap = malloc(64);
	uintptr_t stride;
	unsigned int i;
	int stack;

	t_init();
	for (i = 0; i < 4; i++)
		T_EXPECT(trampfd_closure_create(&live[i], (void *)ret_arg0,
						(void *)(uintptr_t)(100 + i), TRAMPFD_CTX_ARG(0)), 0);
	/* Handed out in order from a fresh table: the slots' distance. */
	stride = (uintptr_t)live[1] - (uintptr_t)live[0];
	T_ASSERT(live[1] > live[0] && stride < 4096, "closures %p, %p: not neighbours",
		 live[0], live[1]);
	bad_create(NULL, (void *)ret_arg0, TRAMPFD_CTX_ARG(0), "a NULL closure pointer");
	bad_create(&freed, NULL, TRAMPFD_CTX_ARG(0), "a NULL fn");
	bad_create(&freed, (void *)ret_arg0, 0, "no placement");
	bad_create(&freed, (void *)ret_arg0, TRAMPFD_CLOSURE_FASTWRITE, "FASTWRITE alone");
	bad_create(&freed, (void *)ret_arg0, TRAMPFD_CTX_ARG(0) | TRAMPFD_CTX_CHAIN,
		   "ARG(0) and CHAIN");
	bad_create(&freed, (void *)ret_arg0, TRAMPFD_CTX_FIRST | TRAMPFD_CTX_CHAIN,
		   "FIRST and CHAIN");
	bad_create(&freed, (void *)ret_arg0, TRAMPFD_CTX_ARG(1) | TRAMPFD_CTX_FIRST,
		   "ARG(1) and FIRST");
	bad_create(&freed, (void *)ret_arg0, TRAMPFD_CTX_ARG(TRAMPFD_NUM_ARG_REGS),
		   "ARG(the ABI's last + 1)");
	bad_create(&freed, (void *)ret_arg0, TRAMPFD_CTX_ARG(255), "ARG(255)");
	bad_create(&freed, (void *)ret_arg0, TRAMPFD_CTX_ARG(256), "ARG(256)");
	bad_create(&freed, (void *)ret_arg0, TRAMPFD_CTX_ARG(-1), "ARG(-1)");
	bad_create(&freed, (void *)ret_arg0, TRAMPFD_CTX_ARG(0) | 0x800, "bit 11");
	bad_create(&freed, (void *)ret_arg0, TRAMPFD_CTX_CHAIN | 1, "CHAIN | 1");
	bad_create(&freed, (void *)ret_arg0, TRAMPFD_CTX_ARG(0) | (1U << 31), "bit 31");

	T_EXPECT(trampfd_closure_create(&freed, (void *)ret_arg0, NULL, TRAMPFD_CTX_ARG(0)), 0);
	T_EXPECT(trampfd_closure_free(freed), 0);
	bad_addr(freed, "a freed closure");
	fresh = (char *)live[3] + 1000 * stride;	/* same table, never handed out */
	bad_addr(fresh, "a slot never handed out");
	bad_addr(NULL, "NULL");
	for (i = 1; i < stride; i *= 2)
		bad_addr((char *)live[2] + i, "a mid-slot address");
	bad_addr((char *)live[0] - stride / 2, "half a slot before one");
	bad_addr((void *)ret_arg0, "a function");
	bad_addr(&stack, "the stack");
	bad_addr(heap, "the heap");
	bad_addr((void *)~(uintptr_t)0, "the last address");
	for (i = 0; i < 4; i++)
		T_EXPECT(trampfd_closure_free(live[i]), 0);
	free(heap);
	return t_pass();
}
