// SPDX-License-Identifier: MIT
/*
 * The program's SIGSEGV handler is installed before the library's
 * (.preinit_array runs ahead of every library constructor): the library
 * records it and passes it every fault that is not a trampoline.
 */
#include <sys/mman.h>
#include "nt.h"

static void early(void)
{
	struct sigaction sa = { .sa_sigaction = nt_catch, .sa_flags = SA_SIGINFO };

	sigemptyset(&sa.sa_mask);
	sigaction(SIGSEGV, &sa, NULL);
}
__attribute__((section(".preinit_array"), used)) static void (*const early_ptr)(void) = early;

int main(void)
{
	long k = 4;
	long f(long x) { return k * x; }
	struct sigaction back;
	char *none = mmap(NULL, 4096, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

	T_ASSERT(none != MAP_FAILED, "mmap");
	T_ASSERT(!sigaction(SIGSEGV, NULL, &back) && back.sa_sigaction == nt_catch,
		 "the handler installed before the library is not the one read back");
	T_ASSERT(nt_kernel_handler() != (void *)nt_catch, "the library's handler is not installed");
	T_ASSERT(nt_apply(f, 5) == 20, "trampoline: wrong value");
	NT_CATCH((void)*(volatile char *)none);
	T_ASSERT(nt_caught.addr == none, "data fault: handler saw %p, want %p", nt_caught.addr, none);
	return nt_pass();
}
