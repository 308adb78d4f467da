// SPDX-License-Identifier: MIT
/*
 * docs/design.md §3.5: an address inside the table that is not a trampoline's start
 * raises SIGSEGV in fault mode; in code mode it must never reach another
 * slot's target (each address runs in a child, whatever it does), and
 * where the table is BTI-guarded (aarch64, t_guarded) an instruction that
 * is not a slot's start raises SIGILL.
 */
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>
#include "t.h"

static __attribute__((noinline)) uint64_t other(uint64_t a)
{
	_exit(42);
}

static __attribute__((noinline)) uint64_t own(uint64_t a)
{
	_exit(43);
}

/* Offsets to try: every byte of slot 1 but its start, and the edges. */
static size_t offsets(const struct t_table *t, size_t *o, size_t max)
{
	size_t n = 0, k, s1 = t->map.ioffset + t->map.stride;

	for (k = 1; k < t->map.stride && n < max; k++)
		o[n++] = s1 + k;
	for (k = 1; k <= 16 && k <= t->map.ioffset && n < max; k++)
		o[n++] = t->map.ioffset - k;
	for (k = t->map.ioffset + 3 * t->map.stride; k < t->map.size && n < max;
	     k += 1 + (t->map.size - k) / 32)
		o[n++] = k;
	return n;
}

int main(void)
{
	static size_t o[1024];
	struct t_table t;
	size_t n, k;
	int fault, guarded;

	t_init();
	t_table(&t, 3, 0);
	fault = t_is_fault(t.fd);
	guarded = t_guarded(t.fd);
	t_set_call_ok(t.fd, 0, (void *)other, 0);
	t_set_call_ok(t.fd, 1, (void *)own, 1);
	t_set_call_ok(t.fd, 2, (void *)other, 2);
	n = offsets(&t, o, sizeof(o) / sizeof(o[0]));
	T_ASSERT(n > 0, "no mid-slot addresses to try");
	for (k = 0; k < n; k++) {
		uint8_t *p = (uint8_t *)t.base + o[k];
		pid_t pid;
		int st, s;

		if (fault) {
			s = t_sig_call_tramp(p, NULL);
			if (s != SIGSEGV)
				t_fail("fault mode: call at table + %zu: %s, want SIGSEGV",
				       o[k], t_signame(s));
			continue;
		}
		pid = fork();
		T_ASSERT(pid >= 0, "fork");
		if (!pid) {
			alarm(5);
			s = t_sig_call_tramp(p, NULL);
			_exit(s ? 100 + s : 44);
		}
		T_ASSERT(waitpid(pid, &st, 0) == pid, "waitpid");
		if (WIFEXITED(st) && WEXITSTATUS(st) == 42)
			t_fail("code mode: call at table + %zu (slot 1 + %zd) reached another slot's target",
			       o[k], (ssize_t)o[k] - (ssize_t)(t.map.ioffset + t.map.stride));
		if (WIFEXITED(st) && WEXITSTATUS(st) == 1)
			t_fail("code mode: child at table + %zu failed", o[k]);
		if (guarded && !(o[k] % 4) && o[k] % t.map.stride &&
		    !(WIFEXITED(st) && WEXITSTATUS(st) == 100 + SIGILL))
			t_fail("guarded table: call at table + %zu: status %#x, want SIGILL",
			       o[k], st);
	}
	/* The slot starts still work. */
	{
		pid_t pid = fork();
		int st;

		if (!pid) {
			((t_fn0)t_slot(&t, 1))();
			_exit(0);
		}
		T_ASSERT(waitpid(pid, &st, 0) == pid, "waitpid");
		T_ASSERT(WIFEXITED(st) && WEXITSTATUS(st) == 43,
			 "slot 1 start did not reach its own target (status %#x)", st);
	}
	T_EXPECT(trampfd_close(t.fd), 0);
	T_EXPECT(trampfd_munmap(t.base), 0);
	return t_pass();
}
