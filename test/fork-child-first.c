// SPDX-License-Identifier: MIT
/*
 * docs/design.md §3.9, the other order: after fork the child writes first, then the
 * parent; neither sees the other's write. The child then forks a grandchild
 * that keeps the child's contexts while the child rewrites them.
 */
#include <sys/wait.h>
#include <unistd.h>
#include "t.h"

static struct t_table t;

static void expect(unsigned int i, uint64_t want, const char *who)
{
	uint64_t ret;
	int s = t_sig_call_tramp(t_slot(&t, i), &ret);

	if (s || ret != want)
		t_fail("%s: index %u: %s, %#llx, want %#llx", who, i, t_signame(s),
		       (unsigned long long)ret, (unsigned long long)want);
}

static void sync_rw(int rfd, int wfd)
{
	char c = 1;

	if (wfd >= 0)
		T_ASSERT(write(wfd, &c, 1) == 1, "pipe write");
	if (rfd >= 0)
		T_ASSERT(read(rfd, &c, 1) == 1, "pipe read: the other process is gone");
}

static void reap(pid_t pid, const char *who)
{
	int st;

	T_ASSERT(waitpid(pid, &st, 0) == pid, "waitpid");
	if (!WIFEXITED(st) || WEXITSTATUS(st) != 42)
		t_fail("%s failed (status %#x; its stderr above)", who, st);
}

int main(void)
{
	int a[2], b[2], c[2], d[2];
	pid_t pid, gpid;

	t_init();
	t_table(&t, 2, 0);
	t_set_call_ok(t.fd, 0, (void *)t_ret_arg0, 0x10);
	T_ASSERT(!pipe(a) && !pipe(b) && !pipe(c) && !pipe(d), "pipe");
	pid = fork();
	T_ASSERT(pid >= 0, "fork");
	if (!pid) {
		t_set_call_ok(t.fd, 0, (void *)t_ret_arg0, 0xc0);
		expect(0, 0xc0, "child after its write");
		sync_rw(a[0], b[1]);	/* tell the parent; wait for its write */
		expect(0, 0xc0, "child after the parent's write");
		T_EXPECT(t_sig_call_tramp(t_slot(&t, 1), NULL), SIGSEGV);
		gpid = fork();
		T_ASSERT(gpid >= 0, "fork");
		if (!gpid) {
			sync_rw(c[0], -1);	/* wait for the child's rewrite */
			expect(0, 0xc0, "grandchild after the child's rewrite");
			T_EXPECT(t_sig_call_tramp(t_slot(&t, 1), NULL), SIGSEGV);
			t_set_call_ok(t.fd, 1, (void *)t_ret_arg0, 0x91);
			expect(1, 0x91, "grandchild after its write");
			sync_rw(-1, d[1]);
			_exit(42);
		}
		t_set_call_ok(t.fd, 0, (void *)t_ret_arg0, 0xc1);
		sync_rw(d[0], c[1]);
		expect(0, 0xc1, "child after the grandchild's write");
		T_EXPECT(t_sig_call_tramp(t_slot(&t, 1), NULL), SIGSEGV);
		reap(gpid, "grandchild");
		_exit(42);
	}
	sync_rw(b[0], -1);	/* the child wrote */
	expect(0, 0x10, "parent after the child's write");
	t_set_call_ok(t.fd, 0, (void *)t_ret_arg0, 0x20);
	expect(0, 0x20, "parent after its write");
	sync_rw(-1, a[1]);
	reap(pid, "child");
	expect(0, 0x20, "parent at the end");
	T_EXPECT(t_sig_call_tramp(t_slot(&t, 1), NULL), SIGSEGV);
	T_EXPECT(trampfd_close(t.fd), 0);
	T_EXPECT(trampfd_munmap(t.base), 0);
	return t_pass();
}
