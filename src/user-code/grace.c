// SPDX-License-Identifier: MIT
/*
 * User provider, code mode: grace periods for bank reuse.
 *
 * A caller reads sel, then its bank's value and target: it may be stopped
 * in between, so a bank that callers could see is rewritten only after a
 * grace period has passed since it was retired (sel moved away from it).
 * A grace period sends grace_sig to every other thread; the handler
 * (src/user-code/arch/<arch>/finish.c), if the thread stopped inside a slot's
 * window (after the load of sel, before the final jump), finishes the
 * slot in the ucontext (R = the bank's value, pc = its target), so no
 * thread stays inside a retired bank, then acknowledges; the same for a
 * call stopped in the general loader, or in a window under another signal
 * handler still running (its frame is found on the stack and written with
 * process_vm_writev, or through a pipe: uc_self_rw). A thread sitting in a
 * system call is not inside a window: it is not signalled (so its call
 * sees no EINTR), nor waited for once it enters one.
 *
 * The writer sleeps on a futex the handlers bump: spinning would starve
 * the very threads it waits for (measured: 40x slower on 2 CPUs).
 *
 * A process with one thread needs none of this (__libc_single_threaded).
 * The signal is API (trampfd(7), "The grace signal"): SIGRTMAX - 4 or the
 * highest free one below, or TRAMPFD_GRACE_SIGNAL's. A rewrite that needs
 * a grace period fails, changing nothing, with -EBUSY when the handler on
 * the signal is no longer the library's (a program's own handler, or
 * SIG_DFL, which would kill the process), and with -EAGAIN when a thread
 * that blocks the signal has computed for UC_GRACE_MAX_NS of CPU time
 * without answering (a thread that does not block it, or waits for a CPU,
 * is waited for, however loaded the machine). Writes from signal handlers are not supported
 * (trampfd_pwrite takes a mutex).
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <linux/futex.h>
#include <sys/single_threaded.h>
#include <stddef.h>
#include <sys/syscall.h>
#include <sys/uio.h>
#include <time.h>
#include <ucontext.h>
#include <unistd.h>
#include "user-code/code.h"

_Atomic unsigned long uc_finished[UC_FIN_N];

/* The signal: the highest real-time one from SIGRTMAX - 4 down that nobody handles. */
static int grace_sig;
#define UC_ACK_BATCH	4096

struct ack {
	_Atomic int tid;
	_Atomic int state;
	uint64_t cpu0;			/* the thread's CPU time when asked (writer only) */
};

/* The regions calls are finished in: read-only anchors (src/user/anchor.h). */
static pthread_mutex_t regions_lock = PTHREAD_MUTEX_INITIALIZER;

static struct ack acks[UC_ACK_BATCH];
static _Atomic unsigned int nacks;
static _Atomic uint32_t grace_started, grace_done;
static _Atomic int ack_seq;		/* bumped by each answer: the writer sleeps on it */
static pthread_mutex_t grace_lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_once_t grace_once = PTHREAD_ONCE_INIT;
/*
 * The grace period under way (grace_lock held to touch it): begun by
 * signals sent to acks[0..n), ended once every thread answered. (Beginning
 * one at each retirement, to overlap the answers with the writer's work,
 * measured slower here: the thread listing costs more than it hides.)
 */
static struct {
	bool active;
	uint32_t g;
	unsigned int n;
	uint64_t t0;
} flight;

static int grace_err;
static uint64_t grace_frame_key;	/* what marks a signal frame (uc_scan_frames) */
/* How much CPU time a thread blocking the signal may hold a rewrite up for: 2 s. */
#define UC_GRACE_MAX_NS	2000000000ULL

uint32_t uc_grace_stamp(void)
{
	return atomic_load(&grace_started) + 1;
}

bool uc_grace_passed(uint32_t stamp)
{
	return __libc_single_threaded || (int32_t)(atomic_load(&grace_done) - stamp) >= 0;
}

uintptr_t uc_region_of(uintptr_t pc)
{
	const struct uc_anchor *r = tfd_anchors.uc;
	unsigned int i, hwm = __atomic_load_n(&tfd_anchors.uc_hwm, __ATOMIC_ACQUIRE);

	for (i = 0; i < hwm && i < UC_MAX_REGIONS; i++) {
		uintptr_t s = __atomic_load_n(&r[i].start, __ATOMIC_ACQUIRE);
		size_t len = __atomic_load_n(&r[i].len, __ATOMIC_RELAXED);

		/* start read twice: a late handler may race a reuse of the entry. */
		if (s && pc >= s && pc - s < len &&
		    __atomic_load_n(&r[i].start, __ATOMIC_ACQUIRE) == s)
			return s;
	}
	return 0;
}

const struct uc_anchor *uc_region_next(const struct uc_table *t, const struct uc_anchor *after)
{
	const struct uc_anchor *r = after ? after + 1 : tfd_anchors.uc;
	const struct uc_anchor *end = tfd_anchors.uc +
		(tfd_anchors.uc_hwm < UC_MAX_REGIONS ? tfd_anchors.uc_hwm : UC_MAX_REGIONS);

	for (; r < end; r++)
		if (r->start && r->owner == (uintptr_t)t)
			return r;
	return NULL;
}

#if defined(__SANITIZE_THREAD__)
#define UC_DEFERRED_HANDLERS 1
#elif defined(__has_feature)
#if __has_feature(thread_sanitizer)
#define UC_DEFERRED_HANDLERS 1
#endif
#endif

static _Atomic int handlers;	/* handlers running: unmap waits for none */

/*
 * Through a pipe: the kernel copies from and to the given addresses and
 * answers EFAULT where one is not mapped, as process_vm_readv does.
 */
static ssize_t self_rw_pipe(bool wr, void *local, uintptr_t remote, size_t len)
{
	void *from = wr ? local : (void *)remote, *to = wr ? (void *)remote : local;
	ssize_t n = -1;
	int p[2];

	if (syscall(SYS_pipe2, p, O_CLOEXEC))
		return -1;
	if (syscall(SYS_write, p[1], from, len) == (ssize_t)len)
		n = syscall(SYS_read, p[0], to, len);
	syscall(SYS_close, p[0]);
	syscall(SYS_close, p[1]);
	return n;
}

/*
 * process_vm_readv/writev on this process; a pipe where they are missing
 * (qemu-user answers ENOSYS) or refused (a seccomp policy). Without one of
 * the two, a call stopped inside a window under another handler would not
 * be finished, and its bank could be refilled under it.
 */
ssize_t uc_self_rw(bool wr, void *local, uintptr_t remote, size_t len)
{
	static _Atomic bool no_vm_rw;
	struct iovec l = { local, len }, r = { (void *)remote, len };
	ssize_t n;

	if (!atomic_load_explicit(&no_vm_rw, memory_order_relaxed)) {
		n = syscall(wr ? SYS_process_vm_writev : SYS_process_vm_readv, getpid(),
			    &l, 1, &r, 1, 0);
		if (n >= 0 || (errno != ENOSYS && errno != EPERM))
			return n;
		atomic_store_explicit(&no_vm_rw, true, memory_order_relaxed);
	}
	return self_rw_pipe(wr, local, remote, len);
}

/*
 * A call may also be stopped inside a window by another signal handler
 * that is still running: its context is then in that signal's frame,
 * higher on the stack. Each arch names a word its frames hold (key) and
 * checks each candidate (found); the stack is read with uc_self_rw, so a
 * scan past its end cannot fault. Bounded to UC_SCAN bytes above sp.
 */
#define UC_SCAN		65536
#define UC_CHUNK_READ	2048

int uc_scan_frames(uintptr_t sp, uint64_t key, int (*found)(uintptr_t at))
{
	uint64_t buf[UC_CHUNK_READ / 8];
	uintptr_t lo = sp & ~(uintptr_t)7, off;
	int st = UC_ACK_DONE;
	ssize_t n;
	size_t k;

	for (off = 0; off < UC_SCAN; off += sizeof(buf)) {
		n = uc_self_rw(false, buf, lo + off, sizeof(buf));
		for (k = 0; n > 0 && k < (size_t)n / 8; k++)
			if (buf[k] == key && found(lo + off + 8 * k) == UC_ACK_BUSY)
				st = UC_ACK_BUSY;
		if (n != sizeof(buf))
			break;
	}
	return st;
}

static void on_grace(int sig, siginfo_t *si, void *ucv)
{
	atomic_fetch_add(&handlers, 1);
	{
#ifdef UC_DEFERRED_HANDLERS
	/*
	 * TSan runs handlers late, at its own safe points, with a copy of the
	 * context: the thread has left any window by then, and the copy must
	 * not be acted on.
	 */
	int saved = errno, tid = syscall(SYS_gettid), st = UC_ACK_DONE;
#else
	int saved = errno, tid = syscall(SYS_gettid), st = uc_arch_finish(ucv);

	if (uc_arch_finish_outer(ucv, (uintptr_t)__builtin_return_address(0)) == UC_ACK_BUSY)
		st = UC_ACK_BUSY;
#endif
	unsigned int i, n = atomic_load(&nacks);

	for (i = 0; i < n; i++)
		if (atomic_load(&acks[i].tid) == tid)
			atomic_store(&acks[i].state, st);
	atomic_fetch_add(&ack_seq, 1);
	syscall(SYS_futex, &ack_seq, FUTEX_WAKE_PRIVATE, 1, NULL, NULL, 0);
	errno = saved;
	}
	atomic_fetch_sub(&handlers, 1);
}

/*
 * Across fork (src/fork.c, after every table's lock): no grace period is
 * under way while the forking thread holds grace_lock, and the child's
 * one thread owes no handler counts.
 */
void tfd_user_code_fork(int phase)
{
	if (phase == TFD_FORK_PREPARE) {
		pthread_mutex_lock(&grace_lock);
		pthread_mutex_lock(&regions_lock);
		uc_map_fork(phase);
		return;
	}
	if (phase == TFD_FORK_CHILD) {
		atomic_store(&nacks, 0);
		atomic_store(&handlers, 0);
	}
	uc_map_fork(phase);
	pthread_mutex_unlock(&regions_lock);
	pthread_mutex_unlock(&grace_lock);
}

/*
 * TRAMPFD_GRACE_SIGNAL: a number, or RTMIN+n / RTMAX-n; 0 if unset, -1 if
 * it names no real-time signal.
 */
static int env_signal(void)
{
	const char *e = getenv("TRAMPFD_GRACE_SIGNAL");
	long base = 0, n;
	char *end;

	if (!e || !*e)
		return 0;
	if (!strncmp(e, "RTMIN", 5) || !strncmp(e, "RTMAX", 5)) {
		base = e[4] == 'N' ? SIGRTMIN : SIGRTMAX;
		e += 5;
		if (!*e)
			return base;
	}
	n = strtol(e, &end, 10);
	if (*end || end == e)
		return -1;
	n += base;
	return n >= SIGRTMIN && n <= SIGRTMAX ? (int)n : -1;
}

static void grace_setup(void)
{
	struct sigaction sa = { .sa_sigaction = on_grace }, old;
	int sig, want = env_signal();

	sa.sa_flags = SA_SIGINFO | SA_RESTART | SA_ONSTACK;
	sigemptyset(&sa.sa_mask);
	grace_err = want < 0 ? -EINVAL : -EBUSY;
	for (sig = want ? want : SIGRTMAX - 4; want >= 0 && grace_err && sig > SIGRTMIN + 4; sig--) {
		if (!sigaction(sig, NULL, &old) && old.sa_handler == SIG_DFL) {
			grace_sig = sig;
			grace_err = sigaction(sig, &sa, NULL) < 0 ? -errno : 0;
		}
		if (want)
			break;		/* the one asked for, or none */
	}
#ifndef UC_DEFERRED_HANDLERS
	if (!grace_err && !sigaction(grace_sig, NULL, &old))
		grace_frame_key = uc_arch_frame_key(&old);
#endif
}

/* Is the library's handler still on the signal? A rewrite asks first. */
static bool handler_ours(void)
{
	struct sigaction cur;

	return !sigaction(grace_sig, NULL, &cur) && (cur.sa_flags & SA_SIGINFO) &&
	       cur.sa_sigaction == on_grace;
}

/*
 * Reads /proc/self/task/<tid>/<leaf> into buf (NUL-terminated): its length,
 * 0 for a thread that is gone, -1 on another failure. No snprintf: writers
 * may run in signal handlers (the suite does).
 */
static ssize_t task_file(int tid, const char *leaf, size_t llen, char *buf, size_t len)
{
	char path[64], *q = path + sizeof(path) - llen - 1;
	ssize_t n;
	int fd;

	memcpy(q, leaf, llen + 1);
	*--q = '/';
	do
		*--q = '0' + tid % 10;
	while (tid /= 10);
	q -= 16;
	memcpy(q, "/proc/self/task/", 16);
	fd = open(q, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return errno == ENOENT ? 0 : -1;
	n = read(fd, buf, len - 1);
	close(fd);
	buf[n > 0 ? n : 0] = 0;
	return n < 0 ? -1 : n;
}

static uint64_t hex_field(const char **p)
{
	uint64_t v = 0;

	while (**p == ' ')
		(*p)++;
	if ((*p)[0] == '0' && (*p)[1] == 'x')
		*p += 2;
	for (;; (*p)++) {
		char c = **p;

		if (c >= '0' && c <= '9')
			v = v << 4 | (uint64_t)(c - '0');
		else if (c >= 'a' && c <= 'f')
			v = v << 4 | (uint64_t)(c - 'a' + 10);
		else
			return v;
	}
}

static int frame_seen(uintptr_t at)
{
	(void)at;
	return UC_ACK_BUSY;
}

/*
 * Can tid be left out of a grace period? Only a thread inside a system call
 * (so not inside a slot's window) with no signal frame on its stack: a
 * handler that interrupted a call inside a window and now waits in a system
 * call would return into the window with a retired bank (docs/security.md,
 * test/grace-signal's handler case). Such a thread is asked, at the cost of
 * an EINTR; any word that looks like a frame counts, so a false match only
 * costs that too.
 */
static bool grace_exempt(int tid)
{
	char buf[256];
	const char *p = buf;
	ssize_t n = task_file(tid, "syscall", 7, buf, sizeof(buf));
	unsigned int i;
	uint64_t sp, w;

	if (n == 0)
		return true;			/* gone */
	if (n < 0 || buf[0] < '0' || buf[0] > '9')
		return false;			/* running, or "-1 sp pc": not in a call */
	hex_field(&p);				/* the number is decimal: digits only */
	for (i = 0; i < 6; i++)
		hex_field(&p);			/* its arguments */
	sp = hex_field(&p);
	/*
	 * A stack we cannot read: an emulator's /proc shows its own threads
	 * (qemu-user: its helper threads too, which never answer), so the
	 * system call is all there is to go by (trampfd(7), "The grace signal").
	 */
	if (!sp || uc_self_rw(false, &w, sp & ~(uint64_t)7, sizeof(w)) != sizeof(w))
		return true;
	/*
	 * No key to find a frame by: a sanitizer's sigaction answered without
	 * the restorer (TSan, whose own threads block every signal and would
	 * never answer). Its handlers run deferred and finish nothing anyway.
	 */
	if (!grace_frame_key)
		return true;
	return uc_scan_frames(sp, grace_frame_key, frame_seen) != UC_ACK_BUSY;
}

/* Does tid block the grace signal (so cannot answer until it unblocks it)? */
static bool grace_blocked(int tid)
{
	char buf[2048];
	const char *p;
	uint64_t mask;

	if (task_file(tid, "status", 6, buf, sizeof(buf)) <= 0 || !(p = strstr(buf, "SigBlk:")))
		return false;
	p += 7;
	while (*p == '\t' || *p == ' ')
		p++;
	mask = hex_field(&p);
	return mask >> (grace_sig - 1) & 1;
}

static uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ULL + ts.tv_nsec;
}

/* Another thread's CPU time (its per-thread CPU clock), 0 if it is gone. */
static uint64_t thread_cpu_ns(int tid)
{
	struct timespec ts;
	/* The kernel's per-thread scheduler clock id (CPUCLOCK_SCHED | PERTHREAD). */
	clockid_t id = (clockid_t)((~(unsigned int)tid) << 3) | 6;

	if (clock_gettime(id, &ts))
		return 0;
	return (uint64_t)ts.tv_sec * 1000000000ULL + ts.tv_nsec;
}

static void send_batch(unsigned int n)
{
	pid_t pid = getpid();
	unsigned int i;

	flight.t0 = now_ns();
	flight.n = n;
	atomic_store(&nacks, n);
	for (i = 0; i < n; i++) {
		acks[i].cpu0 = thread_cpu_ns(acks[i].tid);
		if (syscall(SYS_tgkill, pid, acks[i].tid, grace_sig) < 0)
			atomic_store(&acks[i].state, UC_ACK_DONE);
	}
}

/*
 * Threads of the batch yet to answer; resends to busy ones. probe: after
 * 2 ms, count a thread found in a system call as answered.
 */
static unsigned int batch_left(bool probe)
{
	bool slow = probe && now_ns() - flight.t0 > 2000000;
	unsigned int i, left = 0;
	pid_t pid = getpid();

	for (i = 0; i < flight.n; i++) {
		int st = atomic_load(&acks[i].state), tid = atomic_load(&acks[i].tid);

		if (st == UC_ACK_BUSY) {
			atomic_store(&acks[i].state, UC_ACK_PENDING);
			if (syscall(SYS_tgkill, pid, tid, grace_sig) < 0)
				atomic_store(&acks[i].state, UC_ACK_DONE);
			left++;
		} else if (st == UC_ACK_PENDING) {
			if (slow && grace_exempt(tid))
				atomic_store(&acks[i].state, UC_ACK_DONE);
			else
				left++;
		}
	}
	return left;
}

/*
 * Has a thread yet to answer kept the signal blocked while it computed for
 * UC_GRACE_MAX_NS of its own CPU time? CPU time, not the clock's: a thread
 * the scheduler keeps waiting on a loaded machine (or a slow one, or under
 * a sanitizer) is not refusing, only late.
 */
static bool batch_blocked(void)
{
	unsigned int i;

	for (i = 0; i < flight.n; i++) {
		int tid = atomic_load(&acks[i].tid);

		if (atomic_load(&acks[i].state) == UC_ACK_PENDING && grace_blocked(tid) &&
		    thread_cpu_ns(tid) - acks[i].cpu0 > UC_GRACE_MAX_NS)
			return true;
	}
	return false;
}

/*
 * 0 once every thread asked answered. A thread that keeps the signal
 * blocked while it computes past the bound fails the rewrite with -EAGAIN;
 * one that does not block it, or is not given a CPU, is waited for, so a
 * slow or loaded machine never turns into an error.
 */
static int wait_batch(void)
{
	for (;;) {
		int seq = atomic_load(&ack_seq);

		if (!batch_left(true))
			return 0;
		if (now_ns() - flight.t0 > UC_GRACE_MAX_NS && batch_blocked())
			return -EAGAIN;
		/* Sleep, not spin: the threads asked need the CPU to answer. */
		syscall(SYS_futex, &ack_seq, FUTEX_WAIT_PRIVATE, seq,
			&(struct timespec){ 0, 1000000 }, NULL, 0);
	}
}

/* Begins a grace period: every other thread not in a system call is asked. */
static int flight_begin(void)
{
	int self = syscall(SYS_gettid), fd, k, nb, err = 0;
	unsigned int n = 0;
	char buf[4096];

	/* Another handler (or SIG_DFL: death) on the signal: refuse, change nothing. */
	if (!handler_ours())
		return -EBUSY;
	flight.g = atomic_fetch_add(&grace_started, 1) + 1;
	flight.active = true;
	flight.n = 0;
	/* getdents64, not opendir: no allocation, writers may be in handlers. */
	fd = open("/proc/self/task", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0) {
		flight.active = false;
		return -errno;
	}
	while (!err && (nb = syscall(SYS_getdents64, fd, buf, sizeof(buf))) > 0) {
		for (k = 0; k < nb; k += ((struct dirent64 *)(buf + k))->d_reclen) {
			const char *d = ((struct dirent64 *)(buf + k))->d_name;
			int tid = 0;

			while (*d >= '0' && *d <= '9')
				tid = tid * 10 + *d++ - '0';
			/* In a system call, outside any handler: spared an EINTR. */
			if (tid <= 0 || tid == self || grace_exempt(tid))
				continue;
			if (n == UC_ACK_BATCH) {	/* past a batch: the earlier ones wait */
				send_batch(n);
				err = wait_batch();
				n = 0;
				if (err)
					break;
			}
			atomic_store(&acks[n].state, UC_ACK_PENDING);
			atomic_store(&acks[n].tid, tid);
			n++;
		}
	}
	close(fd);
	if (!err && nb < 0)
		err = -EIO;
	if (err) {
		atomic_store(&nacks, 0);
		flight.active = false;
		return err;
	}
	send_batch(n);
	return 0;
}

/* Waits for the answers; on a failure the grace period is not counted. */
static int flight_end(void)
{
	int err = wait_batch();

	atomic_store(&nacks, 0);
	if (!err)
		atomic_store(&grace_done, flight.g);
	flight.active = false;
	return err;
}

int uc_grace_wait(uint32_t stamp)
{
	int err = 0;

	pthread_once(&grace_once, grace_setup);
	if (grace_err)
		return grace_err;
	while (!err && !uc_grace_passed(stamp)) {
		pthread_mutex_lock(&grace_lock);
		if (!flight.active && !uc_grace_passed(stamp))
			err = flight_begin();
		if (!err && flight.active)
			err = flight_end();
		pthread_mutex_unlock(&grace_lock);
	}
	return err;
}

int uc_grace_signal(void)
{
	pthread_once(&grace_once, grace_setup);
	return grace_err ? grace_err : grace_sig;
}

int uc_region_add(const struct uc_table *t, uintptr_t start, size_t len)
{
	struct uc_anchor an = { start, len, (uintptr_t)t, 0 };
	uint64_t hwm;
	unsigned int i;
	int err = 0;

	pthread_once(&grace_once, grace_setup);
	pthread_mutex_lock(&regions_lock);
	for (i = 0; i < UC_MAX_REGIONS; i++)
		if (!tfd_anchors.uc[i].start)
			break;
	if (i == UC_MAX_REGIONS)
		err = -ENOMEM;
	hwm = i + 1;
	if (!err && i >= tfd_anchors.uc_hwm)
		err = tfd_anchor_put(&tfd_anchors.uc_hwm, &hwm, sizeof(hwm));
	if (!err)
		err = tfd_anchor_put(&tfd_anchors.uc[i], &an, sizeof(an));
	pthread_mutex_unlock(&regions_lock);
	return err ? err : (int)i;
}

void uc_region_del(int idx)
{
	pthread_mutex_lock(&regions_lock);
	if (idx >= 0 && idx < UC_MAX_REGIONS)
		tfd_anchor_put(&tfd_anchors.uc[idx], &(struct uc_anchor){ 0 },
			       sizeof(struct uc_anchor));
	pthread_mutex_unlock(&regions_lock);
	/* A handler that found the region before may still read its slots. */
	while (atomic_load(&handlers))
		sched_yield();
}
