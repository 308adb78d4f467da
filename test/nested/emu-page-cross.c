// SPDX-License-Identifier: MIT
/*
 * A trampoline that crosses a page boundary, made by copying the bytes GCC
 * wrote on the stack to just before the end of a page: emulated when the
 * next page is there; when it is not (unmapped), or the first page cannot
 * be read (PROT_NONE), or the access is a load rather than a call, the
 * fault is the program's. The same again in a child where seccomp refuses
 * process_vm_readv, so the library reads through its pipe instead (under
 * qemu-user, which has neither the call nor seccomp, that is the first run).
 */
#include <errno.h>
#include <sys/mman.h>
#include "nt.h"
#include "no_vm_rw.h"

#define FORM_MAX 40	/* GCC's longest form, aarch64's */

static void install(void)
{
	struct sigaction sa = { .sa_sigaction = nt_catch, .sa_flags = SA_SIGINFO };

	sigemptyset(&sa.sa_mask);
	T_ASSERT(!sigaction(SIGSEGV, &sa, NULL), "sigaction");
}

static __attribute__((noinline)) void cross(const char *how)
{
	long ps = sysconf(_SC_PAGESIZE), k = 77, at;
	long f(long x) { return k + x; }
	char *two = mmap(NULL, 2 * ps, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	long (*g)(long);

	T_ASSERT(two != MAP_FAILED, "mmap");
	/* Every split of the form across the boundary, 1 byte to all but 1 on the first page. */
	for (at = 1; at < FORM_MAX; at++) {
		g = (long (*)(long))(two + ps - at);
		memcpy((char *)g, (const char *)f, FORM_MAX);
		T_ASSERT(nt_apply(g, at) == 77 + at, "%s: crossing after %ld bytes: wrong value", how, at);
	}
	/* The first 4 bytes on the page, the rest past it in an unmapped page. */
	g = (long (*)(long))(two + ps - 4);
	T_ASSERT(!munmap(two + ps, ps), "munmap");
	NT_CATCH(nt_apply(g, 0));
	T_ASSERT(nt_caught.addr == (void *)g && nt_caught.fetch,
		 "%s: into an unmapped page: handler saw %p (fetch %d), want the call at %p",
		 how, nt_caught.addr, nt_caught.fetch, (void *)g);
	/* A whole form on a page that cannot be read. */
	g = (long (*)(long))(two + 64);
	memcpy((char *)g, (const char *)f, FORM_MAX);
	T_ASSERT(!mprotect(two, ps, PROT_NONE), "mprotect");
	NT_CATCH(nt_apply(g, 0));
	T_ASSERT(nt_caught.addr == (void *)g && nt_caught.fetch,
		 "%s: PROT_NONE page: handler saw %p (fetch %d), want the call", how, nt_caught.addr, nt_caught.fetch);
	/* A load from those bytes is a data fault, never emulated. */
	NT_CATCH((void)*(volatile char *)g);
	T_ASSERT(nt_caught.addr == (void *)g && !nt_caught.fetch, "%s: load: handler saw %p", how, nt_caught.addr);
	munmap(two, ps);
}

static void cross_no_vm_rw(void)
{
	if (t_no_vm_rw()) {
		printf("seccomp unavailable (%s): the first run was the pipe's\n", strerror(errno));
		_exit(0);
	}
	cross("without process_vm_readv");
	_exit(0);
}

int main(void)
{
	install();
	cross("process_vm_readv");
	T_ASSERT(nt_child_dies(cross_no_vm_rw) == 0, "the run without process_vm_readv died");
	return nt_pass();
}
