// SPDX-License-Identifier: MIT
/*
 * User provider, code mode: grace periods for bank reuse.
 *
 * A caller reads sel, then its bank's value and target: it may be stopped
 * in between, so a bank that callers could see is rewritten only after a
 * grace period has passed since it was retired (sel moved away from it).
 * A grace period sends grace_sig to every other thread; the handler, if
 * the thread stopped inside a slot's window (after the cmp that read sel,
 * before the final jmp), finishes the slot in the ucontext (R = the bank's
 * value, pc = its target), so no thread stays inside a retired bank, then
 * acknowledges. A thread inside the general loader has it finished the same
 * way; one inside an entry stub answers "busy" and is asked again. A thread
 * sitting in a system call is not inside a window: it is not signalled
 * (so its call sees no EINTR), nor waited for once it enters one.
 *
 * The writer sleeps on a futex the handlers bump: spinning would starve
 * the very threads it waits for (measured: 40x slower on 2 CPUs).
 *
 * A process with one thread needs none of this (__libc_single_threaded).
 * Not covered: a thread stopped inside a window by another signal handler
 * that is still running (the handler sees that handler's pc, not the
 * window's), and a running thread that blocks grace_sig (waited for
 * until it enters a system call). Writes from signal handlers are not
 * supported (trampfd_pwrite takes a mutex).
 */
#if defined(__x86_64__)	/* the code table exists for x86_64 only, so far */
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
#include "user_code.h"

/* The signal: the highest real-time one from SIGRTMAX - 4 down that nobody handles. */
static int grace_sig;
#define UC_MAX_REGIONS	16384
#define UC_ACK_BATCH	4096

enum { ACK_PENDING, ACK_DONE, ACK_BUSY };

struct region {
	_Atomic uintptr_t start;	/* 0: free */
	_Atomic size_t len;
};

struct ack {
	_Atomic int tid;
	_Atomic int state;
};

static struct region regions[UC_MAX_REGIONS];
static _Atomic unsigned int regions_hwm;
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

/* Hardware register number -> gregs index. */
static const unsigned char greg_hw[16] = {
	REG_RAX, REG_RCX, REG_RDX, REG_RBX, REG_RSP, REG_RBP, REG_RSI, REG_RDI,
	REG_R8, REG_R9, REG_R10, REG_R11, REG_R12, REG_R13, REG_R14, REG_R15,
};

uint32_t uc_grace_stamp(void)
{
	return atomic_load(&grace_started) + 1;
}

bool uc_grace_passed(uint32_t stamp)
{
	return __libc_single_threaded || (int32_t)(atomic_load(&grace_done) - stamp) >= 0;
}

static uintptr_t region_of(uintptr_t pc)
{
	unsigned int i, hwm = atomic_load(&regions_hwm);

	for (i = 0; i < hwm; i++) {
		uintptr_t s = atomic_load(&regions[i].start);
		size_t len = atomic_load(&regions[i].len);

		/* start read twice: a late handler may race a reuse of the entry. */
		if (s && pc >= s && pc - s < len && atomic_load(&regions[i].start) == s)
			return s;
	}
	return 0;
}

/*
 * Finishes a call stopped inside uc_common before uc_common_done: applies
 * the record (still intact) as the loader would, so the thread never reads
 * it again. Every step before is idempotent: a register the loader already
 * set gets the same value again.
 */
static void finish_loader(greg_t *g, uintptr_t pc)
{
	static const unsigned char temp[5] = { 0, 2, 3, 4, 5 };
	static const unsigned char greg_name[15] = {
		REG_RAX, REG_RBX, REG_RCX, REG_RDX, REG_RSI, REG_RDI, REG_RBP,
		REG_R8, REG_R9, REG_R10, REG_R11, REG_R12, REG_R13, REG_R14, REG_R15,
	};
	const struct uc_rec *rec = (const struct uc_rec *)g[REG_RAX];
	uintptr_t s = g[REG_RSP] + (pc == (uintptr_t)uc_common ? 0 : UC_FRAME);
	const uint64_t *frame = (const uint64_t *)(s - UC_FRAME);
	unsigned int k;

	/* The temporaries' values as the caller had them. */
	if (pc >= (uintptr_t)uc_common_body) {
		for (k = 0; k < 5; k++)
			g[greg_name[temp[k]]] = frame[temp[k]];
	} else {
		g[REG_RAX] = *(const uint64_t *)(s - 16);
		if (pc >= (uintptr_t)uc_common_rcx)
			g[REG_RCX] = frame[2];
	}
	if (rec->nwords)
		memcpy((void *)(s - rec->lo), rec->data, rec->nwords * 8);
	for (k = 0; k < 15; k++)
		if (rec->mask & (1U << k))
			g[greg_name[k]] = rec->val[k];
	g[REG_RSP] = s - rec->final;
	g[REG_RIP] = rec->target;
}

/* Finishes a slot whose window pc is in; ACK_BUSY in an entry stub. */
static int finish_slot(greg_t *g)
{
	uintptr_t pc = g[REG_RIP], s = region_of(pc), slot, off;
	const unsigned char *code;
	const uint64_t *bank;
	unsigned int b, r;

	if (pc >= (uintptr_t)uc_common && pc < (uintptr_t)uc_common_done) {
		finish_loader(g, pc);
		return ACK_DONE;
	}
	if (pc >= (uintptr_t)uc_gen[0] && pc < (uintptr_t)uc_common)
		return ACK_BUSY;
	if (!s)
		return ACK_DONE;
	off = (pc - s) % UC_STRIDE;
	slot = pc - off;
	switch (off) {
	case UC_O_JB:
		if (g[REG_EFL] & 0x1)		/* CF: sel was 0, on to hlt */
			return ACK_DONE;
		/* fall through */
	case UC_O_JA:
		b = !(g[REG_EFL] & 0x40);	/* ZF: sel was 2 */
		break;
	case UC_O_MOV0:
	case UC_O_JMP0:
		b = 0;
		break;
	case UC_O_MOV1:
	case UC_O_JMP1:
		b = 1;
		break;
	default:
		return ACK_DONE;
	}
	/* R from the slot's own "mov R, -8(%rsp)": REX.R and ModRM.reg. */
	code = (const unsigned char *)slot;
	r = ((code[UC_O_SAVE + 2] >> 3) & 7) | ((code[UC_O_SAVE] & 4) << 1);
	bank = (const uint64_t *)(slot + UC_DIST + (b ? UC_D_V1 : UC_D_V0));
	g[greg_hw[r]] = bank[0];
	g[REG_RIP] = bank[1];
	return ACK_DONE;
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
 * A call may also be stopped inside a window by another signal handler
 * that is still running: then the window's context is in that signal's
 * frame, higher on the stack, and the handler's return will resume it.
 * Frames are found by their pretcode (the restorer, which is also where
 * this handler returns), checked field by field, read and written with
 * process_vm_readv/writev so that a wrong guess cannot fault. Bounded to
 * UC_SCAN bytes above the interrupted stack pointer.
 */
#define UC_SCAN		65536
#define UC_CHUNK_READ	2048

static ssize_t self_rw(bool wr, void *local, uintptr_t remote, size_t len)
{
	struct iovec l = { local, len }, r = { (void *)remote, len };

	return syscall(wr ? SYS_process_vm_writev : SYS_process_vm_readv, getpid(),
		       &l, 1, &r, 1, 0);
}

static int finish_frame(uintptr_t a)
{
	struct {
		uint64_t pretcode, flags, link, ss_sp, ss_flags, ss_size;
		greg_t gregs[NGREG];
		uint64_t fpregs;
	} f;
	greg_t before[NGREG];
	int st;

	if (self_rw(false, &f, a, sizeof(f)) != sizeof(f) || f.link || (f.flags & ~7UL) ||
	    (f.fpregs && (f.fpregs <= a || f.fpregs - a > 65536)))
		return ACK_DONE;
	memcpy(before, f.gregs, sizeof(before));
	st = finish_slot(f.gregs);
	if (memcmp(before, f.gregs, sizeof(before)) &&
	    self_rw(true, f.gregs, a + offsetof(__typeof__(f), gregs), sizeof(f.gregs)) !=
	    sizeof(f.gregs))
		return ACK_BUSY;
	return st;
}

static int finish_outer(uintptr_t sp, uint64_t restorer)
{
	uint64_t buf[UC_CHUNK_READ / 8];
	uintptr_t lo = sp & ~(uintptr_t)7, off;
	int st = ACK_DONE;
	ssize_t n;
	size_t k;

	for (off = 0; off < UC_SCAN; off += sizeof(buf)) {
		n = self_rw(false, buf, lo + off, sizeof(buf));
		for (k = 0; n > 0 && k < (size_t)n / 8; k++)
			if (buf[k] == restorer && finish_frame(lo + off + 8 * k) == ACK_BUSY)
				st = ACK_BUSY;
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
	int saved = errno, tid = syscall(SYS_gettid), st = ACK_DONE;
#else
	ucontext_t *uc = ucv;
	int saved = errno, tid = syscall(SYS_gettid), st = finish_slot(uc->uc_mcontext.gregs);

	if (finish_outer(uc->uc_mcontext.gregs[REG_RSP],
			 (uintptr_t)__builtin_return_address(0)) == ACK_BUSY)
		st = ACK_BUSY;
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
 * The child has one thread: a grace period the parent had under way is not
 * its concern. (Taking grace_lock before fork would invert the order
 * table lock -> grace_lock that writers follow.)
 */
static void grace_child(void)
{
	pthread_mutex_init(&grace_lock, NULL);
	pthread_mutex_init(&regions_lock, NULL);
	atomic_store(&nacks, 0);
	atomic_store(&handlers, 0);
	flight.active = false;
}

static void grace_setup(void)
{
	struct sigaction sa = { .sa_sigaction = on_grace }, old;
	int sig;

	sa.sa_flags = SA_SIGINFO | SA_RESTART | SA_ONSTACK;
	sigemptyset(&sa.sa_mask);
	grace_err = -EBUSY;
	for (sig = SIGRTMAX - 4; sig > SIGRTMIN + 4 && grace_err; sig--) {
		if (sigaction(sig, NULL, &old) || old.sa_handler != SIG_DFL)
			continue;
		grace_sig = sig;
		grace_err = sigaction(sig, &sa, NULL) < 0 ? -errno : 0;
	}
	pthread_atfork(NULL, NULL, grace_child);
}

/* Is tid inside a system call now (so not inside a slot window)? */
static bool in_syscall(int tid)
{
	char path[64], buf[32] = "", *q = path + sizeof(path) - 9;
	ssize_t n;
	int fd;

	/* No snprintf: writers may run in signal handlers (the suite does). */
	memcpy(q, "/syscall", 9);
	do
		*--q = '0' + tid % 10;
	while (tid /= 10);
	q -= 16;
	memcpy(q, "/proc/self/task/", 16);
	fd = open(q, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return errno == ENOENT;		/* gone */
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	return n > 0 && buf[0] >= '0' && buf[0] <= '9';
}

static uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ULL + ts.tv_nsec;
}

static void send_batch(unsigned int n)
{
	pid_t pid = getpid();
	unsigned int i;

	flight.t0 = now_ns();
	flight.n = n;
	atomic_store(&nacks, n);
	for (i = 0; i < n; i++)
		if (syscall(SYS_tgkill, pid, acks[i].tid, grace_sig) < 0)
			atomic_store(&acks[i].state, ACK_DONE);
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

		if (st == ACK_BUSY) {
			atomic_store(&acks[i].state, ACK_PENDING);
			if (syscall(SYS_tgkill, pid, tid, grace_sig) < 0)
				atomic_store(&acks[i].state, ACK_DONE);
			left++;
		} else if (st == ACK_PENDING) {
			if (slow && in_syscall(tid))
				atomic_store(&acks[i].state, ACK_DONE);
			else
				left++;
		}
	}
	return left;
}

static void wait_batch(void)
{
	for (;;) {
		int seq = atomic_load(&ack_seq);

		if (!batch_left(true))
			break;
		/* Sleep, not spin: the threads asked need the CPU to answer. */
		syscall(SYS_futex, &ack_seq, FUTEX_WAIT_PRIVATE, seq,
			&(struct timespec){ 0, 1000000 }, NULL, 0);
	}
}

/* Begins a grace period: every other thread not in a system call is asked. */
static int flight_begin(void)
{
	int self = syscall(SYS_gettid), fd, k, nb;
	unsigned int n = 0;
	char buf[4096];

	flight.g = atomic_fetch_add(&grace_started, 1) + 1;
	flight.active = true;
	flight.n = 0;
	/* getdents64, not opendir: no allocation, writers may be in handlers. */
	fd = open("/proc/self/task", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0) {
		flight.active = false;
		return -errno;
	}
	while ((nb = syscall(SYS_getdents64, fd, buf, sizeof(buf))) > 0) {
		for (k = 0; k < nb; k += ((struct dirent64 *)(buf + k))->d_reclen) {
			const char *d = ((struct dirent64 *)(buf + k))->d_name;
			int tid = 0;

			while (*d >= '0' && *d <= '9')
				tid = tid * 10 + *d++ - '0';
			/* In a system call: not inside a window, and spared an EINTR. */
			if (tid <= 0 || tid == self || in_syscall(tid))
				continue;
			if (n == UC_ACK_BATCH) {	/* past a batch: the earlier ones wait */
				send_batch(n);
				wait_batch();
				n = 0;
			}
			atomic_store(&acks[n].state, ACK_PENDING);
			atomic_store(&acks[n].tid, tid);
			n++;
		}
	}
	close(fd);
	if (nb < 0) {
		wait_batch();
		flight.active = false;
		return -EIO;
	}
	send_batch(n);
	return 0;
}

static void flight_end(void)
{
	wait_batch();
	atomic_store(&nacks, 0);
	atomic_store(&grace_done, flight.g);
	flight.active = false;
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
		if (flight.active)
			flight_end();
		pthread_mutex_unlock(&grace_lock);
	}
	return err;
}

int uc_region_add(uintptr_t start, size_t len)
{
	unsigned int i;

	pthread_once(&grace_once, grace_setup);
	pthread_mutex_lock(&regions_lock);
	for (i = 0; i < UC_MAX_REGIONS; i++)
		if (!atomic_load(&regions[i].start))
			break;
	if (i < UC_MAX_REGIONS) {
		atomic_store(&regions[i].len, len);
		atomic_store(&regions[i].start, start);
		if (i >= atomic_load(&regions_hwm))
			atomic_store(&regions_hwm, i + 1);
	}
	pthread_mutex_unlock(&regions_lock);
	return i < UC_MAX_REGIONS ? (int)i : -ENOMEM;
}

void uc_region_del(int idx)
{
	pthread_mutex_lock(&regions_lock);
	atomic_store(&regions[idx].start, 0);
	atomic_store(&regions[idx].len, 0);
	pthread_mutex_unlock(&regions_lock);
	/* A handler that found the region before may still read its slots. */
	while (atomic_load(&handlers))
		sched_yield();
}

#endif
