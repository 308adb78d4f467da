// SPDX-License-Identifier: MIT
/*
 * Closures and fork (trampfd_closure_create(3)): the child's closures keep
 * working, and from then on a create or free in one process never changes
 * the other's. The child frees A and creates closures until A's address
 * comes back with another context; the parent's A must still call and
 * read back its own. Then the parent does the same with B while the
 * child checks its B. Hardened and, in user cells, FASTWRITE.
 */
#include <errno.h>
#include <sys/wait.h>
#include <unistd.h>
#include "t.h"

static uint64_t ret_ctx(void *ctx) { return (uintptr_t)ctx; }

static void expect(void *c, uint64_t v, const char *who)
{
	void *fn, *ctx;

	T_ASSERT(((uint64_t (*)(void))c)() == v, "%s: closure %p calls with %#llx, want %#llx",
		 who, c, (unsigned long long)((uint64_t (*)(void))c)(), (unsigned long long)v);
	T_EXPECT(trampfd_closure_get(c, &fn, &ctx), 0);
	T_ASSERT(fn == (void *)ret_ctx && ctx == (void *)(uintptr_t)v,
		 "%s: closure %p reads back %p %p", who, c, fn, ctx);
}

/* Frees c, then creates and frees until c's address is handed out again, with v. */
static void reuse(void *c, uint64_t v, unsigned int how, const char *who)
{
	unsigned int n;
	void *x = NULL;

	T_EXPECT(trampfd_closure_free(c), 0);
	for (n = 0; n < 3000; n++) {
		T_EXPECT(trampfd_closure_create(&x, (void *)ret_ctx, (void *)(uintptr_t)v, how), 0);
		if (x == c)
			break;
		T_EXPECT(trampfd_closure_free(x), 0);
	}
	T_ASSERT(x == c, "%s: %p did not come back in 3000 creates", who, c);
	expect(c, v, who);
}

static void one(unsigned int how)
{
	void *a, *b;
	int p2c[2], c2p[2], st;
	char x;
	pid_t pid;

	T_EXPECT(trampfd_closure_create(&a, (void *)ret_ctx, (void *)0xa1, how), 0);
	T_EXPECT(trampfd_closure_create(&b, (void *)ret_ctx, (void *)0xb1, how), 0);
	T_ASSERT(!pipe(p2c) && !pipe(c2p), "pipe");
	pid = fork();
	T_ASSERT(pid >= 0, "fork");
	if (!pid) {
		close(p2c[1]), close(c2p[0]);
		expect(a, 0xa1, "child");
		expect(b, 0xb1, "child");
		reuse(a, 0xa2, how, "child");
		if (write(c2p[1], "a", 1) != 1 || read(p2c[0], &x, 1) != 1)
			_exit(3);
		expect(b, 0xb1, "child, after the parent's reuse of b");
		expect(a, 0xa2, "child, at the end");
		_exit(0);
	}
	close(p2c[0]), close(c2p[1]);
	T_ASSERT(read(c2p[0], &x, 1) == 1, "the child failed before its reuse of a");
	expect(a, 0xa1, "parent, after the child's reuse of a");
	reuse(b, 0xb2, how, "parent");
	T_ASSERT(write(p2c[1], "b", 1) == 1, "write");
	T_ASSERT(waitpid(pid, &st, 0) == pid, "waitpid");
	T_ASSERT(WIFEXITED(st) && !WEXITSTATUS(st), "how %#x: the child failed (status %#x)",
		 how, st);
	expect(a, 0xa1, "parent, at the end");
	T_EXPECT(trampfd_closure_free(a), 0);
	T_EXPECT(trampfd_closure_free(b), 0);
	close(p2c[1]), close(c2p[0]);
}

int main(void)
{
	t_init();
	one(TRAMPFD_CTX_ARG(0));
	one(TRAMPFD_CTX_FIRST);
	if (!(t_cell_flags & TRAMPFD_KERNEL))
		one(TRAMPFD_CTX_ARG(0) | TRAMPFD_CLOSURE_FASTWRITE);
	return t_pass();
}
