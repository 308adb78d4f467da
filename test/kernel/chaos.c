// SPDX-License-Identifier: MIT
/*
 * Robustness: random ioctls, pread/pwrite with random offsets, lengths
 * and pointers, mmap/mprotect/mremap/madvise/munmap, fork and calls to
 * random addresses inside tables, from several processes and threads at
 * once. Passes when nothing hangs (a process of the test may die of what
 * it did to itself); the guest's init then fails the run if the kernel
 * log shows BUG, WARNING or Oops, or if the module cannot be removed.
 */
#include <pthread.h>
#include <setjmp.h>
#include <stdatomic.h>
#include <time.h>
#include "kt.h"

#define NTAB 4
#define SECONDS 6

static int tab[NTAB];
static atomic_uintptr_t maps[NTAB];
static atomic_uint sizes[NTAB];
static atomic_int stop;
static __thread sigjmp_buf jb;
static __thread unsigned long long rs;

static unsigned long long rnd(void)
{
	rs ^= rs << 13;
	rs ^= rs >> 7;
	rs ^= rs << 17;
	return rs;
}

static void on_sig(int sig)
{
	siglongjmp(jb, 1);
}

static long target(long a) { return a; }

static void *bad_ptr(void)
{
	static void *const p[] = { NULL, (void *)1, (void *)-4096L,
				   (void *)0x7fffffffe000UL, (void *)~0UL };

	return p[rnd() % 5];
}

static void random_write(int fd)
{
	unsigned char buf[1024];
	unsigned int i, len = rnd() % 700, idx = rnd() % 12;
	unsigned int ctx = (rnd() % 5) << 12;

	for (i = 0; i < sizeof(buf); i++)
		buf[i] = rnd();
	if (rnd() % 2) {	/* a plausible register context */
		struct kt_regs *r = (void *)buf;
		unsigned int n = rnd() % 17;

		r->h.nregs = n;
		r->h.reserved = 0;
		/* Caller-saved names mostly, and PCs that are ours or fault. */
		static const unsigned int common[] = { KT_CHAOS_NAMES };
		static const unsigned int names[] = { KT_CHAOS_NAMES, KT_CHAOS_RARE };
		const unsigned int ncommon = sizeof(common) / sizeof(common[0]);
		const unsigned int nnames = sizeof(names) / sizeof(names[0]);

		for (i = 0; i < n; i++) {
			r->r[i].name = names[rnd() % (rnd() % 64 ? ncommon : nnames)];
			r->r[i].reserved = 0;
			r->r[i].value = r->r[i].name != TRAMPFD_REG_PC ? rnd() :
					rnd() % 4 ? (uintptr_t)target : rnd() % 65536;
		}
		len = 8 + 16 * n;
		ctx = TRAMPFD_REGS_OFFSET;
	}
	if (rnd() % 16 == 0)
		ctx = rnd() & 0xffff;
	pwrite(fd, rnd() % 20 ? buf : bad_ptr(), len,
	       TRAMPFD_OFFSET(idx, ctx) | (rnd() % 32 ? 0 : rnd() << 20));
	pread(fd, rnd() % 20 ? buf : bad_ptr(), rnd() % 700,
	      TRAMPFD_OFFSET(rnd() % 12, (rnd() % 4) << 12));
}

static void random_map(int k)
{
	struct trampfd_map m;
	void *p = (void *)atomic_exchange(&maps[k], 0);
	unsigned int sz = atomic_load(&sizes[k]);

	if (p) {
		switch (rnd() % 5) {
		case 0:
			mprotect(p, 4096, PROT_READ | PROT_WRITE);
			break;
		case 1:
			madvise(p, sz, MADV_DONTNEED);
			break;
		case 2:
			mremap(p, sz, sz, MREMAP_MAYMOVE);
			break;
		case 3:
			munmap((char *)p + 4096, 4096);
			break;
		}
		munmap(p, sz);
		return;
	}
	if (pread(tab[k], &m, sizeof(m), 0) != sizeof(m))
		return;
	p = mmap(NULL, m.size, m.prot, m.flags, tab[k], 0);
	if (p != MAP_FAILED) {
		atomic_store(&sizes[k], m.size);
		atomic_store(&maps[k], (uintptr_t)p);
	}
}

static void random_call(void)
{
	int k = rnd() % NTAB;
	char *p = (char *)atomic_load(&maps[k]);

	if (!p)
		return;
	if (sigsetjmp(jb, 1) == 0)
		kt_call_wild(p + (rnd() % 4 ? (rnd() % 12) * 8 : rnd() % 8192), 1);
}

static void *worker(void *arg)
{
	rs = (uintptr_t)arg * 0x9e3779b97f4a7c15ULL + time(NULL);
	while (!atomic_load(&stop)) {
		switch (rnd() % 8) {
		case 0:
			random_map(rnd() % NTAB);
			break;
		case 1:
		case 2:
			random_call();
			break;
		default:
			random_write(tab[rnd() % NTAB]);
			break;
		}
	}
	return NULL;
}

static void chaos(int seed)
{
	struct sigaction sa = { .sa_handler = on_sig, .sa_flags = SA_NODEFER };
	pthread_t th[4];
	int i;

	sigaction(SIGSEGV, &sa, NULL);
	sigaction(SIGBUS, &sa, NULL);
	sigaction(SIGILL, &sa, NULL);
	sigaction(SIGTRAP, &sa, NULL);
	sigaction(SIGFPE, &sa, NULL);
	for (i = 0; i < 4; i++)
		pthread_create(&th[i], NULL, worker, (void *)(uintptr_t)(seed * 8 + i));
	sleep(SECONDS);
	atomic_store(&stop, 1);
	for (i = 0; i < 4; i++)
		pthread_join(th[i], NULL);
}

int main(void)
{
	struct trampfd_create_args a;
	int dev = kt_dev(), i, st = 0;
	pid_t pid[3];

	rs = time(NULL);
	for (i = 0; i < 2000; i++) {	/* ioctl noise */
		unsigned char junk[64];
		unsigned int k;

		for (k = 0; k < sizeof(junk); k++)
			junk[k] = rnd();
		memcpy(&a, junk, sizeof(a));
		if (rnd() % 2)
			a.type = 0, a.flags = 0, a.reserved = 0, a.data_size = 8;
		if (rnd() % 2)
			a.data = (uintptr_t)(junk + 32);
		st = ioctl(dev, rnd() % 4 ? TRAMPFD_IOC_CREATE : (unsigned int)rnd(),
			   rnd() % 8 ? (void *)&a : bad_ptr());
		if (st >= 0)
			close(st);
	}
	close(dev);
	for (i = 0; i < NTAB; i++) {
		tab[i] = kt_create(i % 2 ? TRAMPFD_CODE : TRAMPFD_FAULT, 12);
		if (tab[i] < 0)
			kt_fail("create: %s", strerror(-tab[i]));
	}
	for (i = 0; i < 3; i++) {
		pid[i] = fork();
		if (!pid[i]) {
			alarm(30);
			chaos(i + 1);
			_exit(0);
		}
	}
	for (i = 0; i < NTAB; i++)
		close(tab[i]);
	for (i = 0; i < 3; i++) {
		if (waitpid(pid[i], &st, 0) != pid[i])
			kt_fail("waitpid");
		if (WIFSIGNALED(st) && WTERMSIG(st) == SIGALRM)
			kt_fail("chaos child %d hung", i);
		if (WIFSIGNALED(st))
			fprintf(stderr, "note: child %d died of signal %d\n", i, WTERMSIG(st));
	}
	return 0;
}
