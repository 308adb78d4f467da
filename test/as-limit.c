// SPDX-License-Identifier: MIT
/*
 * RLIMIT_AS: a table reserves only the address space it uses (user-code
 * no longer holds 2 GiB per mapping), so with 256 MiB of headroom three
 * tables create, map and call in every cell; a first create with no
 * headroom at all fails cleanly and, the limit lifted, the cell works
 * again (a shortage is not cached as the cell being unavailable, nor
 * reported as a noexec mount). Each part runs in a child of its own.
 */
#include <errno.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>
#include "t.h"

static void limit(long headroom)
{
	struct rlimit rl = { t_vm_bytes() + headroom, RLIM_INFINITY };

	T_ASSERT(!setrlimit(RLIMIT_AS, &rl), "setrlimit");
}

static void headroom_child(void)
{
	struct t_table t[3];
	int k;

	limit(256L << 20);
	t_probe();
	for (k = 0; k < 3; k++) {
		t_table(&t[k], 64, 0);
		t_set_call_ok(t[k].fd, 5, (void *)t_ret_arg0, 100 + k);
		T_EXPECT(((t_fn0)t_slot(&t[k], 5))(), 100 + k);
	}
	exit(0);
}

static void none_child(void)
{
	struct rlimit rl = { RLIM_INFINITY, RLIM_INFINITY };
	struct t_table t;
	int fd;

	limit(0);
	fd = trampfd_create(TRAMPFD_USER, &(struct trampfd_user){ 0, 1 }, 0);
	if (fd >= 0)
		trampfd_close(fd);	/* enough was left after all: nothing to check */
	else
		T_ASSERT(fd == -ENOMEM || fd == -EAGAIN || fd == -ENODEV,
			 "create with no headroom: %d, want -ENOMEM", fd);
	T_ASSERT(!setrlimit(RLIMIT_AS, &rl), "setrlimit back");
	t_probe();		/* the cell asked for works now */
	t_table(&t, 1, 0);
	t_set_call_ok(t.fd, 0, (void *)t_ret_arg0, 7);
	T_EXPECT(((t_fn0)t_slot(&t, 0))(), 7);
	exit(0);
}

static void run(void (*fn)(void), const char *what)
{
	pid_t pid = fork();
	int st;

	T_ASSERT(pid >= 0, "fork");
	if (!pid)
		fn();
	T_ASSERT(waitpid(pid, &st, 0) == pid, "waitpid");
	if (WIFEXITED(st) && WEXITSTATUS(st) == T_SKIP)
		t_skip("cell unavailable");
	/* The child's reason is the last line on stderr already. */
	if (WIFEXITED(st) && WEXITSTATUS(st) == T_FAIL)
		exit(T_FAIL);
	T_ASSERT(WIFEXITED(st) && !WEXITSTATUS(st), "%s: child status %#x (its stderr above)",
		 what, st);
}

int main(void)
{
	setvbuf(stdout, NULL, _IONBF, 0);
	t_sig_install();
	run(headroom_child, "three tables in 256 MiB of headroom");
	run(none_child, "a first create without headroom, then lifted");
	return t_pass();
}
