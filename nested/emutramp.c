// SPDX-License-Identifier: MIT
/*
 * Stack-trampoline emulation: a GCC nested function's trampoline, written
 * on a stack that is not executable, faults at its first instruction. If
 * the bytes there are exactly one of GCC's forms (nested/arch/$(ARCH)/
 * form.c), the handler does what they would have done: static chain,
 * scratch register, PC. Nothing written is ever executed. Any other fault
 * goes to the program's own disposition (sigchain.c).
 *
 * The bytes are read without faulting: directly only where the fault
 * proves the page readable, otherwise with process_vm_readv, or through a
 * pipe where that is missing (qemu-user) or refused (seccomp). A
 * trampoline that runs into an unmapped page reads short and is no match.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/auxv.h>
#include <sys/syscall.h>
#include <sys/uio.h>
#include <unistd.h>
#include "nested.h"

static uintptr_t page_size;

static size_t peek_pipe(void *dst, uintptr_t addr, size_t len)
{
	int p[2];
	ssize_t n;

	if (syscall(SYS_pipe2, p, O_CLOEXEC | O_NONBLOCK))
		return 0;
	/* A pipe takes at least a page: a short write stopped at a bad page. */
	n = write(p[1], (const void *)addr, len);
	if (n > 0)
		n = read(p[0], dst, n);
	close(p[0]);
	close(p[1]);
	return n > 0 ? (size_t)n : 0;
}

size_t nt_peek(void *dst, uintptr_t addr, size_t len)
{
	struct iovec l = { dst, len }, r = { (void *)addr, len };
	/* Asked each time: a child of a raw clone(2) must not read its parent. */
	ssize_t n = syscall(SYS_process_vm_readv, syscall(SYS_getpid), &l, 1UL, &r, 1UL, 0UL);
	size_t got;

	if (n >= 0)
		return n;
	if (errno != ENOSYS && errno != EPERM)
		return 0;
	/* The pipe stops at the first bad byte only page by page: go page by page. */
	for (got = 0; got < len;) {
		size_t chunk = page_size - ((addr + got) & (page_size - 1)), k;

		if (chunk > len - got)
			chunk = len - got;
		k = peek_pipe((char *)dst + got, addr + got, chunk);
		got += k;
		if (k < chunk)
			break;
	}
	return got;
}

/*
 * Reads and decodes the bytes at a; true with *f for one of GCC's forms.
 * The rest of the page is read directly when the fault proved it readable.
 */
static bool read_form(uintptr_t a, bool readable, struct nt_form *f)
{
	unsigned char b[NT_FORM_MAX];
	size_t have = 0;
	int r;

	if (readable) {
		have = page_size - (a & (page_size - 1));
		if (have > sizeof(b))
			have = sizeof(b);
		memcpy(b, (const void *)a, have);
		r = nt_decode(b, have, f);
		if (r <= 0)
			return r == 0;
	}
	have += nt_peek(b + have, a + have, sizeof(b) - have);
	return nt_decode(b, have, f) == 0;
}

static void on_segv(int sig, siginfo_t *si, void *ucv)
{
	ucontext_t *uc = ucv;
	struct nt_form f;
	bool readable;
	int saved = errno;

	if (si->si_code > 0 && nt_fetch_fault(uc, si, &readable) &&
	    read_form((uintptr_t)si->si_addr, readable, &f))
		nt_enter(uc, &f);
	else
		nt_chain(sig, si, ucv);
	errno = saved;
}

/*
 * Loaded with the program (preloaded or linked): the handler goes in
 * before main, and sigchain.c keeps it first. TRAMPFD_NESTED_EMULATE=0
 * leaves SIGSEGV alone.
 */
__attribute__((constructor)) static void nt_emulate_init(void)
{
	const char *e = getenv("TRAMPFD_NESTED_EMULATE");

	if (e && !strcmp(e, "0"))
		return;
	page_size = getauxval(AT_PAGESZ);
	if (!page_size)
		page_size = 4096;
	nt_chain_install(on_segv);
}
