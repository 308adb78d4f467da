// SPDX-License-Identifier: MIT
/*
 * docs/design.md §3.5: calling an index that never had a register context, one
 * whose context was removed, or one with only a stack context raises
 * SIGSEGV and never reaches any target; the set index keeps working.
 */
#include "t.h"

static volatile int hits;

static __attribute__((noinline)) uint64_t hit(uint64_t a)
{
	hits++;
	return a;
}

static void expect_segv(struct t_table *t, unsigned int i, const char *what)
{
	int before = hits, s;

	s = t_sig_call_tramp(t_slot(t, i), NULL);
	if (s != SIGSEGV)
		t_fail("%s (index %u): %s, want SIGSEGV", what, i, t_signame(s));
	if (hits != before)
		t_fail("%s (index %u): a target ran", what, i);
}

int main(void)
{
	struct t_stack s;
	struct t_table t;
	uint64_t ret;
	size_t len;
	int k;

	t_init();
	t_table(&t, 5, 0);
	t_set_call_ok(t.fd, 0, (void *)hit, 10);
	for (k = 0; k < 3; k++) {
		expect_segv(&t, 1, "never set");
		expect_segv(&t, 4, "never set, last index");
	}

	t_set_call_ok(t.fd, 2, (void *)hit, 12);
	T_EXPECT(t_sig_call_tramp(t_slot(&t, 2), &ret), 0);
	T_EXPECT(ret, 12);
	T_EXPECT(t_remove_regs(t.fd, 2), sizeof(struct trampfd_regs));
	expect_segv(&t, 2, "removed");
	expect_segv(&t, 2, "removed, again");

	len = t_stack_fill(&s, 0, 0, 8, "stackonl");
	T_EXPECT(trampfd_pwrite(t.fd, &s, len, TRAMPFD_OFFSET(3, TRAMPFD_STACK_OFFSET)), len);
	expect_segv(&t, 3, "stack context only");

	/* Set again after removal: works again. */
	t_set_call_ok(t.fd, 2, (void *)hit, 22);
	T_EXPECT(t_sig_call_tramp(t_slot(&t, 2), &ret), 0);
	T_EXPECT(ret, 22);
	T_EXPECT(t_sig_call_tramp(t_slot(&t, 0), &ret), 0);
	T_EXPECT(ret, 10);

	/* Removing index 0 of a one-entry table. */
	T_EXPECT(trampfd_close(t.fd), 0);
	T_EXPECT(trampfd_munmap(t.base), 0);
	t_table(&t, 1, 0);
	expect_segv(&t, 0, "one-entry table, never set");
	t_set_call_ok(t.fd, 0, (void *)hit, 1);
	T_EXPECT(t_remove_regs(t.fd, 0), sizeof(struct trampfd_regs));
	expect_segv(&t, 0, "one-entry table, removed");
	T_EXPECT(trampfd_close(t.fd), 0);
	T_EXPECT(trampfd_munmap(t.base), 0);
	return t_pass();
}
