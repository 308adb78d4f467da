// SPDX-License-Identifier: MIT
/*
 * Closures and threads (trampfd_closure_create(3)): four threads create,
 * call, read back and free closures of every placement at once, hand a
 * share of them to the next thread to free, and keep calling a set of
 * closures shared by all. Every call must reach its own target with its
 * own context and every get read back what its create wrote: a slot
 * handed out twice, or freed under a live closure, shows as a wrong
 * value. Bounded work, no timing.
 */
#include <errno.h>
#include <pthread.h>
#include <stdatomic.h>
#include "t.h"

#define NT	4
#define ROUNDS	300
#define BATCH	24
#define NSHARED	16

static uint64_t ctx_of(void *ctx) { return (uintptr_t)ctx; }
static uint64_t first(void *ctx, uint64_t a) { return (uintptr_t)ctx + a; }

static void *shared[NSHARED];
/* Closures one thread hands to the next to free: a ring per thread. */
static void *_Atomic handoff[NT][BATCH];

static unsigned int placement(unsigned int i)
{
	static const unsigned int hows[] = { TRAMPFD_CTX_ARG(0), TRAMPFD_CTX_FIRST,
		TRAMPFD_CTX_ARG(0) | TRAMPFD_CLOSURE_FASTWRITE,
		TRAMPFD_CTX_FIRST | TRAMPFD_CLOSURE_FASTWRITE };
	return hows[i % ((t_cell_flags & TRAMPFD_KERNEL) ? 2 : 4)];
}

static uint64_t call(void *c, unsigned int how)
{
	if ((how & ~TRAMPFD_CLOSURE_FASTWRITE) == TRAMPFD_CTX_FIRST)
		return ((uint64_t (*)(uint64_t))c)(7) - 7;
	return ((uint64_t (*)(void))c)();
}

static void *worker(void *arg)
{
	unsigned int me = (unsigned int)(uintptr_t)arg, r, i;
	void *c[BATCH], *fn, *ctx;

	for (r = 0; r < ROUNDS; r++) {
		for (i = 0; i < BATCH; i++) {
			unsigned int how = placement(i);
			uint64_t v = (uint64_t)me << 48 | (uint64_t)r << 16 | i;

			T_EXPECT(trampfd_closure_create(&c[i],
				(how & ~TRAMPFD_CLOSURE_FASTWRITE) == TRAMPFD_CTX_FIRST ?
				(void *)first : (void *)ctx_of, (void *)(uintptr_t)v, how), 0);
		}
		for (i = 0; i < BATCH; i++) {
			unsigned int how = placement(i);
			uint64_t v = (uint64_t)me << 48 | (uint64_t)r << 16 | i;

			T_ASSERT(call(c[i], how) == v, "thread %u: closure %p calls %#llx, want %#llx",
				 me, c[i], (unsigned long long)call(c[i], how),
				 (unsigned long long)v);
			T_EXPECT(trampfd_closure_get(c[i], &fn, &ctx), 0);
			T_ASSERT(ctx == (void *)(uintptr_t)v, "thread %u: get of %p: ctx %p", me,
				 c[i], ctx);
		}
		for (i = 0; i < NSHARED; i++)
			T_ASSERT(call(shared[i], TRAMPFD_CTX_ARG(0)) == 0x5000 + i,
				 "shared closure %u changed", i);
		/* Half freed here, half handed to the next thread, which frees the last round's. */
		for (i = 0; i < BATCH; i++) {
			if (i % 2) {
				void *old = atomic_exchange(&handoff[(me + 1) % NT][i], c[i]);

				if (old)
					T_EXPECT(trampfd_closure_free(old), 0);
			} else {
				T_EXPECT(trampfd_closure_free(c[i]), 0);
			}
		}
		for (i = 1; i < BATCH; i += 2) {
			void *mine = atomic_exchange(&handoff[me][i], NULL);

			if (mine)
				T_EXPECT(trampfd_closure_free(mine), 0);
		}
	}
	return NULL;
}

int main(void)
{
	pthread_t th[NT];
	unsigned int i, k;

	t_init();
	for (i = 0; i < NSHARED; i++)
		T_EXPECT(trampfd_closure_create(&shared[i], (void *)ctx_of,
						(void *)(uintptr_t)(0x5000 + i), TRAMPFD_CTX_ARG(0)), 0);
	for (i = 0; i < NT; i++)
		T_EXPECT(pthread_create(&th[i], NULL, worker, (void *)(uintptr_t)i), 0);
	for (i = 0; i < NT; i++)
		T_EXPECT(pthread_join(th[i], NULL), 0);
	for (i = 0; i < NT; i++)
		for (k = 0; k < BATCH; k++)
			if (handoff[i][k])
				T_EXPECT(trampfd_closure_free(handoff[i][k]), 0);
	for (i = 0; i < NSHARED; i++) {
		T_ASSERT(call(shared[i], TRAMPFD_CTX_ARG(0)) == 0x5000 + i, "shared closure %u", i);
		T_EXPECT(trampfd_closure_free(shared[i]), 0);
	}
	printf("%u threads: %u closures created, called and freed\n", NT, NT * ROUNDS * BATCH);
	return t_pass();
}
