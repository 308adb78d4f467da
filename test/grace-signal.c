// SPDX-License-Identifier: MIT
/*
 * The grace signal is API (trampfd(7), "The grace signal"): user-code
 * rewrites that must wait for other threads send it. Promised and checked
 * here (user-code; the other cells send no signal):
 *  - a program's own handler on it, or SIG_DFL: the rewrite fails with
 *    -EBUSY, the process lives, the call and pread keep the old context;
 *    the library's handler put back, rewrites work again;
 *  - a thread that blocks every signal and never enters a system call:
 *    the rewrite fails with -EAGAIN within the bound, nothing changes;
 *  - a thread blocked in a system call is not interrupted (poll: no EINTR),
 *    unless it waits inside a signal handler: that handler may have
 *    interrupted a call inside a slot's window, so that thread is asked
 *    (its poll sees EINTR);
 *  - the signal is SIGRTMAX - 4, or SIGRTMAX - 5 when the program handles
 *    SIGRTMAX - 4 before the first table; TRAMPFD_GRACE_SIGNAL=RTMIN+7
 *    chooses it, a bad value makes such rewrites fail with -EINVAL
 *    (checked in re-executed copies).
 */
#include <errno.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>
#include "t.h"
/* uc_grace_signal(): the library's choice, hidden; this test links the static library. */
#include "user-code/code.h"

static struct t_table t;
static atomic_int spin_mode, blocked, stop, eintr, poll_tid, h_eintr, h_tid, h_in;

/* 1: spin with every signal blocked; 0: spin open. */
static void *spinner(void *arg)
{
	sigset_t all, none;

	sigfillset(&all);
	sigemptyset(&none);
	while (!atomic_load(&stop)) {
		if (atomic_load(&spin_mode) == 1) {
			pthread_sigmask(SIG_BLOCK, &all, NULL);
			atomic_store(&blocked, 1);
			while (atomic_load(&spin_mode) == 1)
				;
			pthread_sigmask(SIG_SETMASK, &none, NULL);
			atomic_store(&blocked, 0);
		}
	}
	return NULL;
}

#if defined(__SANITIZE_THREAD__)
#define T_TSAN 1
#elif defined(__has_feature)
#if __has_feature(thread_sanitizer)
#define T_TSAN 1
#endif
#endif
#ifndef T_TSAN
#define T_TSAN 0
#endif

static _Atomic uintptr_t poll_sp;

static void *poller(void *arg)
{
	int here;

	atomic_store(&poll_sp, (uintptr_t)&here);
	atomic_store(&poll_tid, syscall(SYS_gettid));
	/* No timeout: it returns only when a signal interrupts it. */
	while (!atomic_load(&stop))
		if (poll(NULL, 0, -1) < 0 && errno == EINTR && !atomic_load(&stop))
			atomic_fetch_add(&eintr, 1);
	return NULL;
}

/* SIGUSR1's handler: waits in poll() until the test stops. */
static void in_handler(int sig)
{
	int saved = errno;

	atomic_store(&h_in, 1);
	while (!atomic_load(&stop))
		if (poll(NULL, 0, -1) < 0 && errno == EINTR && !atomic_load(&stop))
			atomic_fetch_add(&h_eintr, 1);
	errno = saved;
}

static void *handler_poller(void *arg)
{
	atomic_store(&h_tid, syscall(SYS_gettid));
	while (!atomic_load(&stop))
		pause();
	return NULL;
}

/*
 * Waits until tid is inside a system call (its /proc syscall line starts
 * with a number); returns the stack pointer that line gives.
 */
static uintptr_t wait_in_syscall(int tid)
{
	char path[64], buf[256];
	FILE *f;
	int k;

	snprintf(path, sizeof(path), "/proc/self/task/%d/syscall", tid);
	for (k = 0; k < 5000; k++) {
		f = fopen(path, "r");
		buf[0] = 0;
		if (f) {
			if (!fgets(buf, sizeof(buf), f))
				buf[0] = 0;
			fclose(f);
		}
		if (buf[0] >= '0' && buf[0] <= '9') {
			char *p = buf;
			int fld;

			for (fld = 0; fld < 7 && p; fld++)	/* the number, six arguments */
				if ((p = strchr(p, ' ')))
					p++;
			return p ? strtoull(p, NULL, 16) : 0;
		}
		usleep(1000);
	}
	t_fail("thread %d never entered a system call", tid);
}

static uint64_t last;	/* the value of the last write that succeeded */

/* Three writes that alternate banks: one at least needs a grace period. */
static long rewrite(uint64_t v)
{
	long r = 0;
	int k;

	for (k = 0; k < 3 && r >= 0; k++) {
		r = t_set_call(t.fd, 0, (void *)t_ret_arg0, v + k);
		if (r >= 0)
			last = v + k;
	}
	return r;
}

static void expect_ctx(const char *what)
{
	uint64_t v = last;
	struct t_regs rr;

	memset(&rr, 0, sizeof(rr));
	T_ASSERT(((t_fn0)t_slot(&t, 0))() == v, "%s: the call changed", what);
	T_ASSERT(trampfd_pread(t.fd, &rr, sizeof(rr), TRAMPFD_REGS_OFFSET) > 0 &&
		 (rr.r[0].value == v || rr.r[1].value == v), "%s: pread changed", what);
}

static void on_mine(int sig) { }

/* Re-executed: the signal chosen by the environment. */
static int env_child(const char *val)
{
	struct sigaction mine = { .sa_handler = on_mine };
	long r;

	/* "taken": SIGRTMAX - 4 is the program's, so the next one down. */
	if (!strcmp(val, "taken"))
		T_ASSERT(!sigaction(SIGRTMAX - 4, &mine, NULL), "sigaction");
	t_init();
	t_table(&t, 1, 0);
	atomic_store(&spin_mode, 0);
	{
		pthread_t th;

		T_ASSERT(!pthread_create(&th, NULL, spinner, NULL), "pthread_create");
		r = rewrite(10);
		atomic_store(&stop, 1);
		pthread_join(th, NULL);
	}
	if (!strcmp(val, "taken")) {
		T_EXPECT(uc_grace_signal(), SIGRTMAX - 5);
		T_ASSERT(r >= 0, "rewrite with SIGRTMAX - 4 taken: %ld", r);
	} else if (!strcmp(val, "RTMIN+7")) {
		T_EXPECT(uc_grace_signal(), SIGRTMIN + 7);
		T_ASSERT(r >= 0, "rewrite with TRAMPFD_GRACE_SIGNAL=RTMIN+7: %ld", r);
	} else {
		T_EXPECT(r, -EINVAL);
	}
	return t_pass();
}

static void env_run(char **argv, const char *val)
{
	pid_t pid = fork();
	int st;

	T_ASSERT(pid >= 0, "fork");
	if (!pid) {
		char *args[] = { argv[0], "--env", (char *)val, NULL };

		if (strcmp(val, "taken"))
			setenv("TRAMPFD_GRACE_SIGNAL", val, 1);
		else
			unsetenv("TRAMPFD_GRACE_SIGNAL");
		t_exec_self(args);
		_exit(2);
	}
	T_ASSERT(waitpid(pid, &st, 0) == pid && WIFEXITED(st) && !WEXITSTATUS(st),
		 "TRAMPFD_GRACE_SIGNAL=%s: child status %#x", val, st);
}

int main(int argc, char **argv)
{
	struct sigaction mine = { .sa_handler = on_mine }, lib;
	struct sigaction usr1 = { .sa_handler = in_handler };
	pthread_t th[3];
	int sig, k;
	uintptr_t sp;
	const char *unseen = NULL;
	long r;

	if (argc == 3 && !strcmp(argv[1], "--env"))
		return env_child(argv[2]);
	t_init();
	t_table(&t, 1, 0);
	if (!t_is_user(t.fd) || t_is_fault(t.fd))
		t_skip("only the user code cell sends a grace signal (%s)", t_cell);
	T_ASSERT(!pthread_create(&th[0], NULL, spinner, NULL), "pthread_create");
	T_ASSERT(!pthread_create(&th[1], NULL, poller, NULL), "pthread_create");
	sigemptyset(&usr1.sa_mask);
	T_ASSERT(!sigaction(SIGUSR1, &usr1, NULL), "sigaction SIGUSR1");
	T_ASSERT(!pthread_create(&th[2], NULL, handler_poller, NULL), "pthread_create");
	T_ASSERT((r = rewrite(100)) >= 0, "rewrite with every thread answering: %ld", r);
	sig = uc_grace_signal();
	if (getenv("TRAMPFD_GRACE_SIGNAL"))
		T_ASSERT(sig >= SIGRTMIN && sig <= SIGRTMAX, "grace signal %d", sig);
	else
		T_ASSERT(sig == SIGRTMAX - 4, "grace signal %d, want SIGRTMAX - 4 (%d)", sig,
			 SIGRTMAX - 4);

	/* The program's own handler, then SIG_DFL: -EBUSY, nothing changes. */
	sigemptyset(&mine.sa_mask);
	T_ASSERT(!sigaction(sig, &mine, &lib), "sigaction");
	T_EXPECT(rewrite(200), -EBUSY);
	expect_ctx("own handler");
	signal(sig, SIG_DFL);
	T_EXPECT(rewrite(300), -EBUSY);
	expect_ctx("SIG_DFL");
	T_ASSERT(!sigaction(sig, &lib, NULL), "sigaction back");
	T_ASSERT(rewrite(400) >= 0, "rewrite with the library's handler back");
	expect_ctx("handler back");

	/* A thread that blocks every signal and computes: -EAGAIN, bounded. */
	atomic_store(&spin_mode, 1);
	while (!atomic_load(&blocked))
		;
	T_EXPECT(rewrite(500), -EAGAIN);
	expect_ctx("blocked thread");
	atomic_store(&spin_mode, 0);
	T_ASSERT(rewrite(600) >= 0, "rewrite after the thread unblocked");
	expect_ctx("unblocked");

	/*
	 * The poller, once in poll(), is never interrupted; the thread waiting
	 * in poll() inside its SIGUSR1 handler is, at each grace period.
	 */
	sp = wait_in_syscall(atomic_load(&poll_tid));
	/*
	 * Where the library cannot see a thread's signal frames it goes by the
	 * system call alone (below: a SKIP once the rest has passed): under
	 * qemu-user /proc shows the emulator's own thread, whose stack is not
	 * the program's; under TSan handlers run deferred, out of TSan's own.
	 */
	if (sp - atomic_load(&poll_sp) + (1UL << 20) > (2UL << 20))
		unseen = "under an emulator /proc shows its own threads";
	if (T_TSAN)
		unseen = "under TSan sigaction does not give the restorer a frame is found by";
	while (!atomic_load(&h_tid))
		usleep(1000);
	/* TSan runs a handler only at its own safe points: not inside pause(). */
	if (!T_TSAN) {
		pthread_kill(th[2], SIGUSR1);
		while (!atomic_load(&h_in))
			usleep(1000);
		wait_in_syscall(atomic_load(&h_tid));
	}
	atomic_store(&eintr, 0);
	atomic_store(&h_eintr, 0);
	for (k = 0; k < 50; k++)
		T_ASSERT(rewrite(1000 + 10 * k) >= 0, "rewrite %d", k);
	T_EXPECT(atomic_load(&eintr), 0);
	if (!unseen)
		T_ASSERT(atomic_load(&h_eintr) > 0,
			 "the thread waiting inside a signal handler was never asked");

	atomic_store(&stop, 1);
	pthread_join(th[0], NULL);
	signal(SIGUSR2, on_mine);
	pthread_kill(th[1], SIGUSR2);	/* out of its poll */
	pthread_join(th[1], NULL);
	pthread_kill(th[2], SIGUSR2);	/* out of its handler's poll */
	pthread_join(th[2], NULL);
	env_run(argv, "RTMIN+7");
	env_run(argv, "taken");
	env_run(argv, "bogus");
	if (unseen)
		t_skip("all passed but one promise: %s, so a thread waiting in a system call "
		       "inside a signal handler cannot be told from any other thread in a system "
		       "call, and is not asked", unseen);
	return t_pass();
}
