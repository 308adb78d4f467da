// SPDX-License-Identifier: MIT
/*
 * The program's own SIGSEGV disposition, kept here while the library's
 * handler stays the kernel's: sigaction(2) and the signal(3) family are
 * interposed for SIGSEGV alone, so a handler the program installs later
 * is recorded as the one to pass other faults to, and reading the
 * disposition back gives what the program set. Delivery to it follows
 * the kernel's rules: its flags (SA_SIGINFO, SA_RESETHAND, SA_NODEFER),
 * its mask, or the default action. Other signals go straight to libc.
 *
 * The record is read from the signal handler: a sequence counter, and a
 * writer that blocks signals around its update, so a reader never sees
 * half a struct and never waits on a thread it interrupted.
 */
#include <dlfcn.h>
#include <errno.h>
#include <pthread.h>
#include <stdatomic.h>
#include <string.h>
#include "nested.h"

/* glibc's own, under the name it also exports: ours shadows sigaction. */
extern int __sigaction(int sig, const struct sigaction *act, struct sigaction *old);

static struct sigaction prog;
static _Atomic unsigned int seq;
static atomic_flag wlock = ATOMIC_FLAG_INIT;
static struct sigaction ours;
static bool installed;

static void read_prog(struct sigaction *a)
{
	unsigned int s;

	do {
		while ((s = atomic_load_explicit(&seq, memory_order_acquire)) & 1)
			;
		memcpy(a, &prog, sizeof(*a));
		atomic_thread_fence(memory_order_acquire);
	} while (atomic_load_explicit(&seq, memory_order_relaxed) != s);
}

/* The kernel's SA_RESTART follows the program's: it decides for syscalls a kill interrupts. */
static void write_prog(const struct sigaction *a)
{
	struct sigaction k = ours;
	sigset_t all, old;

	sigfillset(&all);
	pthread_sigmask(SIG_SETMASK, &all, &old);
	while (atomic_flag_test_and_set_explicit(&wlock, memory_order_acquire))
		;
	atomic_fetch_add_explicit(&seq, 1, memory_order_relaxed);
	atomic_thread_fence(memory_order_release);
	memcpy(&prog, a, sizeof(*a));
	atomic_fetch_add_explicit(&seq, 1, memory_order_release);
	k.sa_flags |= a->sa_flags & SA_RESTART;
	__sigaction(SIGSEGV, &k, NULL);
	atomic_flag_clear_explicit(&wlock, memory_order_release);
	pthread_sigmask(SIG_SETMASK, &old, NULL);
}

/* Hidden, so the library can tell its own definition from libc's. */
NT_HIDDEN int nt_sigaction(int sig, const struct sigaction *act, struct sigaction *old)
{
	struct sigaction cur;

	if (sig != SIGSEGV || !installed)
		return __sigaction(sig, act, old);
	read_prog(&cur);
	if (act)
		write_prog(act);
	if (old)
		*old = cur;
	return 0;
}

NT_EXPORT int sigaction(int sig, const struct sigaction *act, struct sigaction *old)
	__attribute__((alias("nt_sigaction")));

/* signal(3)'s BSD and System V flavours, as glibc builds them. */
static sighandler_t set_handler(sighandler_t h, int flags, bool mask_self)
{
	struct sigaction a = { .sa_handler = h, .sa_flags = flags }, old;

	sigemptyset(&a.sa_mask);
	if (mask_self)
		sigaddset(&a.sa_mask, SIGSEGV);
	nt_sigaction(SIGSEGV, &a, &old);
	return old.sa_handler;
}

static sighandler_t (*libc_signal)(int, sighandler_t);
static sighandler_t (*libc_sysv_signal)(int, sighandler_t);

NT_EXPORT sighandler_t signal(int sig, sighandler_t h)
{
	if (sig != SIGSEGV || !installed || h == SIG_ERR)
		return libc_signal(sig, h);
	return set_handler(h, SA_RESTART, true);
}

NT_EXPORT sighandler_t bsd_signal(int sig, sighandler_t h) __attribute__((alias("signal"), copy(signal)));

/* ISO C's signal() in strict modes: __sysv_signal. */
NT_EXPORT sighandler_t __sysv_signal(int sig, sighandler_t h)
{
	if (sig != SIGSEGV || !installed || h == SIG_ERR)
		return libc_sysv_signal(sig, h);
	return set_handler(h, SA_RESETHAND | SA_NODEFER, false);
}

NT_EXPORT sighandler_t sysv_signal(int sig, sighandler_t h) __attribute__((alias("__sysv_signal")));

/* A static program has no libc to look signal() up in: glibc's, built here. */
static sighandler_t own_signal(int sig, sighandler_t h)
{
	struct sigaction a = { .sa_handler = h, .sa_flags = SA_RESTART }, old;

	sigemptyset(&a.sa_mask);
	sigaddset(&a.sa_mask, sig);
	return __sigaction(sig, &a, &old) ? SIG_ERR : old.sa_handler;
}

static sighandler_t own_sysv_signal(int sig, sighandler_t h)
{
	struct sigaction a = { .sa_handler = h, .sa_flags = SA_RESETHAND | SA_NODEFER }, old;

	sigemptyset(&a.sa_mask);
	return __sigaction(sig, &a, &old) ? SIG_ERR : old.sa_handler;
}

void nt_chain(int sig, siginfo_t *si, void *ucv)
{
	ucontext_t *uc = ucv;
	struct sigaction a, dfl = { .sa_handler = SIG_DFL };
	sigset_t mask, old;

	read_prog(&a);
	if (a.sa_handler == SIG_IGN && si->si_code <= 0)
		return;
	if (a.sa_handler == SIG_DFL || a.sa_handler == SIG_IGN) {
		/* A fault re-executes and now kills (the kernel ignores SIG_IGN there too); a kill is re-sent. */
		__sigaction(sig, &dfl, NULL);
		if (si->si_code <= 0) {
			sigemptyset(&mask);
			sigaddset(&mask, sig);
			pthread_sigmask(SIG_UNBLOCK, &mask, NULL);
			raise(sig);
		}
		return;
	}
	if (a.sa_flags & SA_RESETHAND)
		write_prog(&dfl);
	/* The mask the kernel would have given the program's handler. */
	sigorset(&mask, &uc->uc_sigmask, &a.sa_mask);
	if (!(a.sa_flags & SA_NODEFER))
		sigaddset(&mask, sig);
	pthread_sigmask(SIG_SETMASK, &mask, &old);
	if (a.sa_flags & SA_SIGINFO)
		a.sa_sigaction(sig, si, ucv);
	else
		a.sa_handler(sig);
	pthread_sigmask(SIG_SETMASK, &old, NULL);
}

int nt_chain_install(void (*handler)(int, siginfo_t *, void *))
{
	struct sigaction cur;

	void *def = dlsym(RTLD_DEFAULT, "sigaction");

	/* Only where the program's sigaction is ours: preloaded, linked before libc, or static. */
	if (def && def != (void *)nt_sigaction)
		return -ENOSYS;
	libc_signal = (sighandler_t (*)(int, sighandler_t))dlsym(RTLD_NEXT, "signal");
	libc_sysv_signal = (sighandler_t (*)(int, sighandler_t))dlsym(RTLD_NEXT, "__sysv_signal");
	if (!libc_signal || !libc_sysv_signal) {
		libc_signal = own_signal;
		libc_sysv_signal = own_sysv_signal;
	}
	if (__sigaction(SIGSEGV, NULL, &cur))
		return -errno;
	/* NODEFER: a trampoline stays callable from the program's own SIGSEGV handler. */
	ours.sa_sigaction = handler;
	ours.sa_flags = SA_SIGINFO | SA_ONSTACK | SA_NODEFER;
	sigemptyset(&ours.sa_mask);
	memcpy(&prog, &cur, sizeof(prog));
	installed = true;
	write_prog(&cur);
	return 0;
}
