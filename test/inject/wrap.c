// SPDX-License-Identifier: MIT
/*
 * Fault-injection shim, linked with -Wl,--wrap=<fn> for each function
 * below: while armed, the N-th call of one function (counted from arming)
 * fails with the errno a real failure of it would give. Every call the
 * library makes, and every one libc makes on its behalf, goes through here.
 * inj_arm() is also read from INJECT_FN / INJECT_N at startup, so a program
 * can be run under injection without changing it.
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>
#include "inject.h"

static const struct {
	const char *name;
	int err;
} fns[INJ_NFN] = {
	[INJ_MMAP] = { "mmap", ENOMEM },
	[INJ_MEMFD] = { "memfd_create", EMFILE },
	[INJ_OPEN] = { "open", EMFILE },
	[INJ_SIGACTION] = { "sigaction", EINVAL },
	[INJ_SIGALTSTACK] = { "sigaltstack", ENOMEM },
	[INJ_MALLOC] = { "malloc", ENOMEM },
	[INJ_CALLOC] = { "calloc", ENOMEM },
	[INJ_PWRITE] = { "pwrite", ENOSPC },
	[INJ_FTRUNCATE] = { "ftruncate", ENOSPC },
	[INJ_MREMAP] = { "mremap", ENOMEM },
};

static volatile int armed_fn = -1;
static volatile unsigned long armed_n, calls, hit;
static volatile int paused;

void inj_pause(int on) { paused = on; }

const char *inj_name(int fn) { return fn >= 0 && fn < INJ_NFN ? fns[fn].name : "?"; }
int inj_errno(int fn) { return fns[fn].err; }

void inj_arm(int fn, unsigned long n)
{
	calls = hit = 0;
	armed_n = n;
	armed_fn = fn;
}

unsigned long inj_disarm(void)
{
	armed_fn = -1;
	return hit;
}

unsigned long inj_calls(void) { return calls; }

/* Should this call of fn fail? Sets errno when it does. */
static int fail(int fn)
{
	if (armed_fn != fn || paused)
		return 0;
	if (++calls != armed_n)
		return 0;
	hit++;
	errno = fns[fn].err;
	return 1;
}

__attribute__((constructor)) static void from_env(void)
{
	const char *f = getenv("INJECT_FN"), *n = getenv("INJECT_N");
	int k;

	if (!f || !n)
		return;
	for (k = 0; k < INJ_NFN; k++)
		if (!strcmp(f, fns[k].name))
			inj_arm(k, strtoul(n, NULL, 0));
}

void *__real_mmap(void *, size_t, int, int, int, off_t);
void *__wrap_mmap(void *a, size_t l, int p, int f, int fd, off_t o)
{
	return fail(INJ_MMAP) ? MAP_FAILED : __real_mmap(a, l, p, f, fd, o);
}

void *__real_mremap(void *, size_t, size_t, int, ...);
void *__wrap_mremap(void *a, size_t o, size_t n, int f, ...)
{
	void *na = NULL;
	va_list ap;

	if (f & MREMAP_FIXED) {
		va_start(ap, f);
		na = va_arg(ap, void *);
		va_end(ap);
	}
	return fail(INJ_MREMAP) ? MAP_FAILED : __real_mremap(a, o, n, f, na);
}

int __real_memfd_create(const char *, unsigned int);
int __wrap_memfd_create(const char *name, unsigned int flags)
{
	return fail(INJ_MEMFD) ? -1 : __real_memfd_create(name, flags);
}

int __real_open(const char *, int, ...);
int __wrap_open(const char *path, int flags, ...)
{
	mode_t mode = 0;
	va_list ap;

	if (flags & (O_CREAT | __O_TMPFILE)) {
		va_start(ap, flags);
		mode = va_arg(ap, mode_t);
		va_end(ap);
	}
	return fail(INJ_OPEN) ? -1 : __real_open(path, flags, mode);
}

int __real_sigaction(int, const struct sigaction *, struct sigaction *);
int __wrap_sigaction(int sig, const struct sigaction *sa, struct sigaction *old)
{
	/* Only changes can fail: a query never does. */
	return sa && fail(INJ_SIGACTION) ? -1 : __real_sigaction(sig, sa, old);
}

int __real_sigaltstack(const stack_t *, stack_t *);
int __wrap_sigaltstack(const stack_t *ss, stack_t *old)
{
	return ss && fail(INJ_SIGALTSTACK) ? -1 : __real_sigaltstack(ss, old);
}

void *__real_malloc(size_t);
void *__wrap_malloc(size_t n)
{
	return fail(INJ_MALLOC) ? NULL : __real_malloc(n);
}

void *__real_calloc(size_t, size_t);
void *__wrap_calloc(size_t n, size_t s)
{
	return fail(INJ_CALLOC) ? NULL : __real_calloc(n, s);
}

ssize_t __real_pwrite(int, const void *, size_t, off_t);
ssize_t __wrap_pwrite(int fd, const void *b, size_t n, off_t o)
{
	return fail(INJ_PWRITE) ? -1 : __real_pwrite(fd, b, n, o);
}

int __real_ftruncate(int, off_t);
int __wrap_ftruncate(int fd, off_t len)
{
	return fail(INJ_FTRUNCATE) ? -1 : __real_ftruncate(fd, len);
}
