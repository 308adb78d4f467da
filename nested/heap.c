// SPDX-License-Identifier: MIT
/*
 * gcc >= 14's heap trampolines (-ftrampoline-impl=heap): a function whose
 * nested function's address is taken calls __gcc_nested_func_ptr_created
 * on entry and __gcc_nested_func_ptr_deleted on exit. Each trampoline is a
 * closure with TRAMPFD_CTX_CHAIN, so nothing is writable and executable,
 * and chain and target are as protected as any closure's.
 *
 * Per thread, a LIFO of {closure, frame}: frame is the creator's stack
 * pointer (the CFA of the call). A longjmp past creators skips their
 * "deleted": their entries are left on top with frames below the stack
 * pointer of the next call, which drops them first. An entry on another
 * stack is never taken for a skipped one: running on the sigaltstack, the
 * entries of the code the signal interrupted stay (trampfd-nested(7)).
 */
#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "trampfd.h"
#include "nested.h"

struct entry {
	void *closure;
	uintptr_t frame;
};

struct lifo {
	struct entry *e;
	size_t n, cap;
};

static __thread struct lifo lifo __attribute__((tls_model("initial-exec")));
static pthread_key_t exit_key;
static pthread_once_t key_once = PTHREAD_ONCE_INIT;

/* A thread that exits inside a creator (pthread_exit) leaves its closures here. */
static void on_thread_exit(void *p)
{
	struct lifo *l = p;

	while (l->n)
		trampfd_closure_free(l->e[--l->n].closure);
	free(l->e);
	l->e = NULL;
	l->cap = 0;
}

static void make_key(void)
{
	pthread_key_create(&exit_key, on_thread_exit);
}

static __attribute__((noreturn)) void fail(const char *what, int err)
{
	char msg[160];
	int n = snprintf(msg, sizeof(msg), "libtrampfd-nested: %s: %s\n", what, strerror(err));

	if (n > 0)
		write(STDERR_FILENO, msg, (size_t)n < sizeof(msg) ? (size_t)n : sizeof(msg) - 1);
	abort();	/* as libgcc's own does: there is no way to report it */
}

/* Is frame f on the stack the caller runs on (cfa), for all we can tell? */
static bool same_stack(uintptr_t f, uintptr_t cfa)
{
	stack_t ss;
	uintptr_t lo, hi;

	if (sigaltstack(NULL, &ss) || (ss.ss_flags & SS_DISABLE))
		return true;
	lo = (uintptr_t)ss.ss_sp;
	hi = lo + ss.ss_size;
	/* On the alternate stack now, f is not: f belongs to interrupted code. */
	return !(cfa >= lo && cfa < hi) || (f >= lo && f < hi);
}

/* Drops entries whose creator a longjmp left: frames below the caller's. */
static void reclaim(struct lifo *l, uintptr_t cfa)
{
	while (l->n && l->e[l->n - 1].frame < cfa && same_stack(l->e[l->n - 1].frame, cfa))
		trampfd_closure_free(l->e[--l->n].closure);
}

NT_EXPORT __attribute__((noinline)) void __gcc_nested_func_ptr_created(void *chain, void *func, void *dst)
{
	uintptr_t cfa = (uintptr_t)__builtin_dwarf_cfa();
	struct lifo *l = &lifo;
	void *c;
	int err;

	reclaim(l, cfa);
	if (l->n == l->cap) {
		size_t cap = l->cap ? 2 * l->cap : 16;
		struct entry *e = realloc(l->e, cap * sizeof(*e));

		if (!e)
			fail("nested function trampoline", ENOMEM);
		if (!l->e) {
			pthread_once(&key_once, make_key);
			pthread_setspecific(exit_key, l);
		}
		l->e = e;
		l->cap = cap;
	}
	err = trampfd_closure_create(&c, func, chain, TRAMPFD_CTX_CHAIN);
	if (err)
		fail("nested function trampoline", -err);
	l->e[l->n++] = (struct entry){ c, cfa };
	*(void **)dst = c;
}

NT_EXPORT __attribute__((noinline)) void __gcc_nested_func_ptr_deleted(void)
{
	struct lifo *l = &lifo;

	reclaim(l, (uintptr_t)__builtin_dwarf_cfa());
	if (l->n)
		trampfd_closure_free(l->e[--l->n].closure);
}
