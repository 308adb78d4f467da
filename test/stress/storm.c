// SPDX-License-Identifier: MIT
/*
 * Bounded stress (STORM_SECONDS, default 3 s), all at once on one table:
 *  - a writer rewrites every slot's context with new versions, and removes
 *    and restores slots 6 and 7;
 *  - two callers call random slots; the target (t_grab) records every
 *    register and checks that all nine registers of the context belong to
 *    one written version of that slot (no torn context);
 *  - a churner creates, maps, writes, calls, unmaps and closes other tables
 *    in varying orders;
 *  - a fork storm: children call the table (contexts as at the fork) and
 *    rewrite their own copy, then exit; the parent's contexts stay its own;
 *  - a 50 us interval timer whose SIGALRM handler calls slot 0 (whichever
 *    thread it lands on, in the library or not).
 * At the end: no torn context, no crash, every fault explained (a removed
 * slot), fd and mapping counts back to the start.
 */
#include <pthread.h>
#include <errno.h>
#include <malloc.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <sys/time.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include "t.h"

#ifdef T_HAVE_HARNESS
enum { N = 8, NREG = 9 };
/* Caller-saved registers only: the target returns to C code. */
static const uint32_t regs[NREG] = { x64_rax, x64_rcx, x64_rdx, x64_rsi, x64_rdi,
				     x64_r8, x64_r9, x64_r10, x64_r11 };
#define TORN	0xdeadULL

static struct t_table t;
static atomic_int stop;
static atomic_ulong calls, faults, writes, removes, churns, forks, ticks;
static atomic_int bad;
static char why[256];
static _Atomic uint64_t ver[N];		/* latest version written, per slot */

static uint64_t enc(unsigned int slot, uint64_t v, unsigned int r)
{
	return ((uint64_t)slot << 56) | ((v & 0xffffffffffULL) << 8) | r;
}

static __attribute__((format(printf, 1, 2))) void report(const char *fmt, ...)
{
	va_list ap;

	if (atomic_exchange(&bad, 1))
		return;
	va_start(ap, fmt);
	vsnprintf(why, sizeof(why), fmt, ap);
	va_end(ap);
}

/* The C half of the target: all registers from one version, or TORN. */
static uint64_t verify(void)
{
	const struct t_grab *g = &t_grab_area;
	uint64_t v0 = g->gpr[regs[0] - x64_rax];
	unsigned int k;

	for (k = 0; k < NREG; k++)
		if (g->gpr[regs[k] - x64_rax] != (v0 & ~0xffULL) + regs[k])
			return TORN;
	return v0;
}

static long write_ctx(int fd, unsigned int slot, uint64_t v)
{
	uint32_t names[NREG + 1];
	uint64_t vals[NREG + 1];
	struct t_regs r;
	unsigned int k;
	size_t len;

	for (k = 0; k < NREG; k++) {
		names[k] = regs[k];
		vals[k] = enc(slot, v, regs[k]);
	}
	names[NREG] = x64_rip;
	vals[NREG] = (uintptr_t)t_grab;
	len = t_regs_fill(&r, NREG + 1, names, vals);
	return trampfd_pwrite(fd, &r, len, TRAMPFD_OFFSET(slot, TRAMPFD_REGS_OFFSET));
}

/* Calls slot i; checks the value. Returns the signal, if any. */
static int call_check(unsigned int i, int may_fault)
{
	uint64_t ret = 0;
	int s = t_sig_call_tramp(t_slot(&t, i), &ret);

	if (s) {
		if (s != SIGSEGV || !may_fault)
			report("slot %u raised %s", i, t_signame(s));
		atomic_fetch_add(&faults, 1);
		return s;
	}
	if (ret == TORN)
		report("slot %u: torn context (registers from two versions)", i);
	else if (ret >> 56 != i)
		report("slot %u: got slot %u's context", i, (unsigned int)(ret >> 56));
	atomic_fetch_add(&calls, 1);
	return 0;
}

static void *caller(void *arg)
{
	unsigned int seed = (unsigned int)(uintptr_t)arg;

	while (!atomic_load(&stop)) {
		unsigned int i = rand_r(&seed) % N;

		call_check(i, i >= 6);
	}
	return NULL;
}

static void *writer(void *arg)
{
	unsigned int seed = 7;
	uint64_t v = 1;

	while (!atomic_load(&stop)) {
		unsigned int i = rand_r(&seed) % N;
		long r;

		v++;
		if (i >= 6 && rand_r(&seed) % 4 == 0) {
			T_EXPECT(t_remove_regs(t.fd, i), sizeof(struct trampfd_regs));
			atomic_fetch_add(&removes, 1);
		}
		r = write_ctx(t.fd, i, v);
		if (r <= 0)
			report("writer: pwrite slot %u: %ld", i, r);
		atomic_store(&ver[i], v);
		atomic_fetch_add(&writes, 1);
	}
	return NULL;
}

static void *churner(void *arg)
{
	unsigned int seed = 11, k = 0;

	while (!atomic_load(&stop)) {
		struct t_table u;
		uint64_t r;
		int order = rand_r(&seed) % 3;

		u.fd = t_create(1 + rand_r(&seed) % 64, 0);
		T_EXPECT(trampfd_pread(u.fd, &u.map, sizeof(u.map), TRAMPFD_MAP_OFFSET),
			 sizeof(u.map));
		if (order == 0)
			t_set_call_ok(u.fd, 0, (void *)t_ret_arg0, 0xc0 + k);
		T_EXPECT(trampfd_mmap(u.fd, &u.base), 0);
		if (order)
			t_set_call_ok(u.fd, 0, (void *)t_ret_arg0, 0xc0 + k);
		if (t_sig_call_tramp((char *)u.base + u.map.ioffset, &r) || r != 0xc0 + k)
			report("churn: table %u returned %#llx", k, (unsigned long long)r);
		if (order == 2) {
			T_EXPECT(trampfd_close(u.fd), 0);
			if (t_sig_call_tramp((char *)u.base + u.map.ioffset, &r) || r != 0xc0 + k)
				report("churn: closed table %u returned %#llx", k, (unsigned long long)r);
			T_EXPECT(trampfd_munmap(u.base), 0);
		} else {
			T_EXPECT(trampfd_munmap(u.base), 0);
			T_EXPECT(trampfd_close(u.fd), 0);
		}
		k++;
		atomic_fetch_add(&churns, 1);
	}
	return NULL;
}

/* Child of the fork storm: the table works, and writes stay its own. */
static int child(void)
{
	unsigned int i;

	for (i = 0; i < 6; i++)
		if (call_check(i, 0))
			return 1;
	if (write_ctx(t.fd, 0, 0xfffff) <= 0)
		return 2;
	if (call_check(0, 0) || bad)
		return 3;
	return 0;
}

static void *forker(void *arg)
{
	while (!atomic_load(&stop)) {
		pid_t pid = fork();
		int st;

		if (pid < 0)
			continue;
		if (!pid)
			_exit(child());
		while (waitpid(pid, &st, 0) < 0)
			;
		if (!WIFEXITED(st) || WEXITSTATUS(st))
			report("fork child: status %#x", st);
		atomic_fetch_add(&forks, 1);
	}
	return NULL;
}

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec * 1e-9;
}

static void on_alrm(int sig)
{
	struct t_grab saved = t_grab_area;	/* we may have interrupted a check */
	int e = errno;
	uint64_t r = ((t_fn0)t_slot(&t, 0))();

	if (r == TORN || r >> 56 != 0)
		report("SIGALRM handler: slot 0 returned %#llx", (unsigned long long)r);
	atomic_fetch_add(&ticks, 1);
	t_grab_area = saved;
	errno = e;
}

static void *idle(void *arg)
{
	return arg;
}

/*
 * What stays mapped on purpose is mapped before counting: glibc keeps the
 * stacks of joined threads for reuse, and a cell may set up state on first use.
 */
static void warm_up(void)
{
	pthread_t th[5];
	struct t_table u;
	unsigned int i;

	for (i = 0; i < 5; i++)
		T_ASSERT(!pthread_create(&th[i], NULL, idle, NULL), "pthread_create");
	for (i = 0; i < 5; i++)
		pthread_join(th[i], NULL);
	t_table(&u, N, 0);
	for (i = 0; i < N; i++)
		T_ASSERT(write_ctx(u.fd, i, 1) > 0, "warm-up write");
	t_set_call_ok(u.fd, 0, (void *)t_ret_arg0, 1);
	T_EXPECT(((t_fn0)t_slot(&u, 0))(), 1);
	T_EXPECT(trampfd_close(u.fd), 0);
	T_EXPECT(trampfd_munmap(u.base), 0);
}

int main(void)
{
	struct itimerval it = { { 0, 50 }, { 0, 50 } };
	pthread_t th[5];
	struct sigaction sa;
	const char *env = getenv("STORM_SECONDS");
	int secs = env ? atoi(env) : 3, fds0, maps0;
	double t0;
	unsigned int i;

	/* One malloc arena: per-thread arenas would be mappings of their own. */
	mallopt(M_ARENA_MAX, 1);
	t_init();
	t_grab_next = (void *)verify;
	warm_up();
	fds0 = t_count_fds();
	maps0 = t_count_maps();
	t_table(&t, N, 0);
	for (i = 0; i < N; i++)
		T_ASSERT(write_ctx(t.fd, i, 1) > 0, "first write of slot %u", i);
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_alrm;
	sa.sa_flags = SA_RESTART;
	sigemptyset(&sa.sa_mask);
	T_ASSERT(!sigaction(SIGALRM, &sa, NULL), "sigaction");
	T_ASSERT(!pthread_create(&th[0], NULL, writer, NULL), "pthread_create");
	T_ASSERT(!pthread_create(&th[1], NULL, caller, (void *)1), "pthread_create");
	T_ASSERT(!pthread_create(&th[2], NULL, caller, (void *)2), "pthread_create");
	T_ASSERT(!pthread_create(&th[3], NULL, churner, NULL), "pthread_create");
	T_ASSERT(!pthread_create(&th[4], NULL, forker, NULL), "pthread_create");
	T_ASSERT(!setitimer(ITIMER_REAL, &it, NULL), "setitimer");
	t0 = now();
	/* The timer interrupts every sleep: wait for the clock instead. */
	while (!bad && now() < t0 + secs)
		usleep(100000);
	memset(&it, 0, sizeof(it));
	setitimer(ITIMER_REAL, &it, NULL);
	atomic_store(&stop, 1);
	for (i = 0; i < 5; i++)
		pthread_join(th[i], NULL);
	if (bad)
		t_fail("%s", why);
	printf("%s: %lu calls (%lu faults on removed slots), %lu writes, %lu removals, "
	       "%lu churned tables, %lu forks, %lu timer calls\n", t_cell, calls, faults,
	       writes, removes, churns, forks, ticks);
	T_ASSERT(calls > 1000 && writes > 100 && churns > 10 && forks > 5 && ticks > 100,
		 "too little happened to count as stress");
	/* The parent's contexts are its own after all those children wrote. */
	for (i = 0; i < 6; i++) {
		uint64_t r = 0;

		T_ASSERT(!t_sig_call_tramp(t_slot(&t, i), &r), "slot %u faults", i);
		T_ASSERT(r == enc(i, ver[i], regs[0]), "slot %u: not the last version written", i);
	}
	T_EXPECT(trampfd_close(t.fd), 0);
	T_EXPECT(trampfd_munmap(t.base), 0);
	T_ASSERT(t_count_fds() == fds0, "fds: %d at the start, %d at the end", fds0, t_count_fds());
	if (getenv("STORM_DEBUG") && t_count_maps() != maps0) {
		char cmd[64];

		snprintf(cmd, sizeof(cmd), "cat /proc/%d/maps >&2", (int)getpid());
		system(cmd);
	}
	T_ASSERT(t_count_maps() == maps0, "mappings: %d at the start, %d at the end", maps0,
		 t_count_maps());
	return t_pass();
}
#else
int main(void)
{
	t_skip("no register harness for this architecture yet");
}
#endif
