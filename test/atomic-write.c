// SPDX-License-Identifier: MIT
/*
 * docs/design.md §3.6: a context write is atomic against concurrent calls. Two
 * threads call while a third alternates two full contexts (9 registers +
 * PC, and 64 bytes of stack data) on the same trampolines; every call must
 * see one whole register context (PC included) and one whole stack context,
 * and the callee-saved registers outside the context must be intact at the
 * target and after the return. Where no red zone keeps signals off the
 * data (aarch64), the stack context moves sp over it (T_DATA_FLAGS).
 */
#include <pthread.h>
#include <stdatomic.h>
#include <time.h>
#include "t.h"

#ifdef T_HAVE_HARNESS
#define TAG_A 0xaaaa000000000000ULL
#define TAG_B 0xbbbb000000000000ULL
static const uint32_t names[9] = T_CTX9_NAMES;
static struct t_table t;
static atomic_int stop;
static atomic_ulong calls, writes, seen_a, seen_b, mixed;
static char why[160];

static const uint32_t saved[T_NCS] = T_CS_NAMES;

static void check(void)
{
	const struct t_grab *g = &t_grab_area;
	uint64_t rt = g->which ? TAG_B : TAG_A, st = g->stk[0] & 0xffff000000000000ULL;
	unsigned int k;

	for (k = 0; k < T_NCS; k++) {
		if (g->gpr[T_GPR(saved[k])] != T_CS(k)) {
			snprintf(why, sizeof(why), "register %u (not in the context) = %#llx at the target",
				 saved[k], (unsigned long long)g->gpr[T_GPR(saved[k])]);
			atomic_fetch_add(&mixed, 1);
			return;
		}
	}
	for (k = 0; k < 9; k++) {
		if (g->gpr[T_GPR(names[k])] != (rt | k)) {
			snprintf(why, sizeof(why), "register %u = %#llx with the %s PC",
				 names[k], (unsigned long long)g->gpr[T_GPR(names[k])],
				 g->which ? "B" : "A");
			atomic_fetch_add(&mixed, 1);
			return;
		}
	}
	for (k = 0; k < 8; k++) {
		if (g->stk[k] != (st | 0x100 | k) || (st != TAG_A && st != TAG_B)) {
			snprintf(why, sizeof(why), "stack word %u = %#llx, word 0 = %#llx",
				 k, (unsigned long long)g->stk[k],
				 (unsigned long long)g->stk[0]);
			atomic_fetch_add(&mixed, 1);
			return;
		}
	}
	atomic_fetch_add(rt == TAG_A ? &seen_a : &seen_b, 1);
}

static void write_ctx(unsigned int i, uint64_t tag)
{
	uint64_t vals[10], data[8];
	uint32_t nm[10];
	struct t_regs r;
	struct t_stack s;
	size_t len;
	unsigned int k;

	for (k = 0; k < 9; k++) {
		nm[k] = names[k];
		vals[k] = tag | k;
	}
	nm[9] = TRAMPFD_REG_PC;
	vals[9] = (uint64_t)(uintptr_t)(tag == TAG_A ? t_grab : t_grab_b);
	len = t_regs_fill(&r, 10, nm, vals);
	if (trampfd_pwrite(t.fd, &r, len, TRAMPFD_OFFSET(i, TRAMPFD_REGS_OFFSET)) != (long)len)
		t_fail("regs write failed");
	for (k = 0; k < 8; k++)
		data[k] = tag | 0x100 | k;
	len = t_stack_fill(&s, T_DATA_FLAGS, 0, 64, data);
	if (trampfd_pwrite(t.fd, &s, len, TRAMPFD_OFFSET(i, TRAMPFD_STACK_OFFSET)) != (long)len)
		t_fail("stack write failed");
}

static void *caller(void *arg)
{
	unsigned long n = 0;

	unsigned int k;

	while (!atomic_load(&stop)) {
		t_grab_call(t_slot(&t, n & 1));
		for (k = 0; k < T_NCS; k++)
			if (t_grab_after[k] != T_CS(k)) {
				snprintf(why, sizeof(why), "register %u = %#llx after the call",
					 saved[k], (unsigned long long)t_grab_after[k]);
				atomic_fetch_add(&mixed, 1);
			}
		if (!(++n & 255))
			atomic_fetch_add(&calls, 256);
	}
	atomic_fetch_add(&calls, n & 255);
	return NULL;
}

static void *writer(void *arg)
{
	unsigned long n = 0;

	while (!atomic_load(&stop)) {
		write_ctx(n & 1, (n & 2) ? TAG_B : TAG_A);
		atomic_store(&writes, ++n);
	}
	return NULL;
}

int main(void)
{
	struct timespec d = { 0, 50000000 };
	pthread_t th[3];
	int ms = 0;
	unsigned int i;

	t_init();
	t_table(&t, 2, 0);
	T_GRAB_LIFT(T_DATA_FLAGS ? 64 : 0);
	t_grab_next = (void *)check;
	write_ctx(0, TAG_A);
	write_ctx(1, TAG_B);
	for (i = 0; i < 3; i++)
		T_ASSERT(!pthread_create(&th[i], NULL, i ? caller : writer, NULL),
			 "pthread_create");
	/* 1.5 s at least; up to 6 s until enough writes and calls. */
	do {
		nanosleep(&d, NULL);
		ms += 50;
	} while (ms < 1500 || (ms < 6000 && (writes < 200 || calls < 10000)));
	atomic_store(&stop, 1);
	for (i = 0; i < 3; i++)
		pthread_join(th[i], NULL);
	if (mixed)
		t_fail("%lu of %lu calls saw a mixed context (last: %s)",
		       (unsigned long)mixed, (unsigned long)calls, why);
	T_ASSERT(writes >= 20 && calls >= 1000, "too little contention: %lu writes, %lu calls",
		 (unsigned long)writes, (unsigned long)calls);
	T_ASSERT(seen_a && seen_b, "only one context ever seen (A %lu, B %lu)",
		 (unsigned long)seen_a, (unsigned long)seen_b);
	printf("%lu calls, %lu writes, A %lu, B %lu\n", (unsigned long)calls,
	       (unsigned long)writes, (unsigned long)seen_a, (unsigned long)seen_b);
	T_EXPECT(trampfd_close(t.fd), 0);
	T_EXPECT(trampfd_munmap(t.base), 0);
	return t_pass();
}
#else
int main(void)
{
	t_skip("no register harness for this architecture yet");
}
#endif
