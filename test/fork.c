// SPDX-License-Identifier: MIT
/*
 * docs/design.md §3.9: after fork the child's trampolines keep their contexts; a
 * write in the parent never reaches the child and a write in the child never
 * reaches the parent (sequenced through pipes).
 */
#include <sys/wait.h>
#include <unistd.h>
#include "t.h"

static void put(int fd)
{
	char c = 1;

	T_ASSERT(write(fd, &c, 1) == 1, "pipe write");
}

static void get(int fd)
{
	char c;

	T_ASSERT(read(fd, &c, 1) == 1, "pipe read: the other process is gone");
}

static void expect(struct t_table *t, unsigned int i, uint64_t want, const char *who)
{
	uint64_t ret;
	int s = t_sig_call_tramp(t_slot(t, i), &ret);

	if (s)
		t_fail("%s: index %u: %s", who, i, t_signame(s));
	if (ret != want)
		t_fail("%s: index %u returned %#llx, want %#llx", who, i,
		       (unsigned long long)ret, (unsigned long long)want);
}

int main(void)
{
	int p2c[2], c2p[2], st;
	struct t_table t;
	pid_t pid;

	t_init();
	t_table(&t, 3, 0);
	t_set_call_ok(t.fd, 0, (void *)t_ret_arg0, 0xa);
	t_set_call_ok(t.fd, 1, (void *)t_ret_arg0, 0xb);
	T_ASSERT(!pipe(p2c) && !pipe(c2p), "pipe");
	pid = fork();
	T_ASSERT(pid >= 0, "fork");
	if (!pid) {
		struct t_table c;

		close(p2c[1]);
		close(c2p[0]);
		expect(&t, 0, 0xa, "child before parent writes");
		expect(&t, 1, 0xb, "child before parent writes");
		get(p2c[0]);	/* parent rewrote 0 and set 2 */
		expect(&t, 0, 0xa, "child after parent rewrote 0");
		T_EXPECT(t_sig_call_tramp(t_slot(&t, 2), NULL), SIGSEGV);
		t_set_call_ok(t.fd, 1, (void *)t_ret_arg0, 0xc1);
		expect(&t, 1, 0xc1, "child after its own write");
		t_table(&c, 1, 0);
		t_set_call_ok(c.fd, 0, (void *)t_ret_arg0, 0xcc);
		expect(&c, 0, 0xcc, "child's own new table");
		put(c2p[1]);
		get(p2c[0]);	/* parent checked */
		expect(&t, 0, 0xa, "child at the end");
		expect(&t, 1, 0xc1, "child at the end");
		T_EXPECT(trampfd_close(t.fd), 0);
		expect(&t, 1, 0xc1, "child after close");
		_exit(42);	/* not 0: an early exit(0) must not pass */
	}
	close(p2c[0]);
	close(c2p[1]);
	t_set_call_ok(t.fd, 0, (void *)t_ret_arg0, 0xa2);
	t_set_call_ok(t.fd, 2, (void *)t_ret_arg0, 0x22);
	expect(&t, 0, 0xa2, "parent after its own write");
	put(p2c[1]);
	get(c2p[0]);	/* child rewrote 1 */
	expect(&t, 1, 0xb, "parent after child rewrote 1");
	expect(&t, 0, 0xa2, "parent");
	expect(&t, 2, 0x22, "parent");
	put(p2c[1]);
	T_ASSERT(waitpid(pid, &st, 0) == pid, "waitpid");
	if (!WIFEXITED(st) || WEXITSTATUS(st) != 42)
		t_fail("child failed (status %#x; its stderr above)", st);
	expect(&t, 1, 0xb, "parent after the child exited");
	T_EXPECT(trampfd_close(t.fd), 0);
	T_EXPECT(trampfd_munmap(t.base), 0);
	return t_pass();
}
