// SPDX-License-Identifier: MIT
/*
 * Stack context (docs/design.md §3.2): size bytes land at [S - offset - size,
 * S - offset) for several offsets and sizes up to the deepest (256, 64);
 * with TRAMPFD_SET_SP sp becomes S - offset - size, without it sp stays S
 * (a SET_SP that would misalign sp is -EINVAL: on aarch64, 16 bytes);
 * registers are untouched; a removed stack context writes nothing. Run on
 * a thread without sigaltstack, on one with it, and in a signal handler
 * running on the sigaltstack.
 */
#include <pthread.h>
#include <errno.h>
#include <signal.h>
#include "t.h"

#ifdef T_HAVE_HARNESS
static const struct { uint32_t off, size; } cases[] = {
	{ 0, 8 }, { 0, 64 }, { 8, 16 }, { 16, 32 }, { 64, 48 }, { 128, 64 },
	{ 248, 8 }, { 256, 8 }, { 256, 64 },
};
static struct t_table t;
static struct t_cpu in;

static void check_regs(const char *what)
{
	unsigned int k;

	for (k = 0; k < T_NGPR_SEEN; k++)
		if (!((t_reserved(t.fd) >> k) & 1) && t_seen.gpr[k] != in.gpr[k])
			t_fail("%s: register %u changed", what, T_REG_FIRST + k);
	for (k = 0; k < T_NVEC; k++)
		if (t_seen.vec[k] != in.vec[k])
			t_fail("%s: " T_VEC_NAME "%u changed", what, k / 2);
	if (t_seen.ret != (uint64_t)(uintptr_t)t_regs_back)
		t_fail("%s: return address at S was overwritten", what);
}

static void run_cases(const char *where)
{
	uint8_t data[64];
	struct t_stack s;
	size_t len, c, k;
	unsigned int f;
	for (c = 0; c < sizeof(cases) / sizeof(cases[0]); c++) {
		for (f = 0; f < 2; f++) {
			uint32_t off = cases[c].off, size = cases[c].size;
			uint32_t flags = f ? TRAMPFD_SET_SP : 0;
			char what[96];
			uint8_t *seen;

			snprintf(what, sizeof(what), "%s, offset %u size %u%s",
				 where, off, size,
				 f ? " SET_SP" : "");
			for (k = 0; k < size; k++)
				data[k] = (uint8_t)(0x40 + c * 7 + f * 3 + k);
			len = t_stack_fill(&s, flags, off, size, data);
			if (f && (off + size) % T_STACK_ALIGN) {
				T_EXPECT(trampfd_pwrite(t.fd, &s, len, TRAMPFD_STACK_OFFSET), -EINVAL);
				continue;
			}
			T_EXPECT(trampfd_pwrite(t.fd, &s, len, TRAMPFD_STACK_OFFSET), len);
			memset(&t_seen, 0, sizeof(t_seen));
			t_regs_call(t_slot(&t, 0), &in);
			check_regs(what);
			seen = (uint8_t *)t_seen.below + 512 - off - size;
			if (memcmp(seen, data, size))
				t_fail("%s: data not at [S - %u, S - %u)", what,
				       off + size, off);
			if (t_seen.sp != t_S - (f ? off + size : 0))
				t_fail("%s: sp = S - %lld, want S - %u", what,
				       (long long)(t_S - t_seen.sp), f ? off + size : 0);
		}
	}
	/* Removed: the old data is not written again. */
	T_EXPECT(t_remove_stack(t.fd, 0), sizeof(struct trampfd_stack));
	memset(&t_seen, 0, sizeof(t_seen));
	t_regs_call(t_slot(&t, 0), &in);
	check_regs("removed stack context");
	T_ASSERT(t_seen.sp == t_S, "removed stack context: sp moved");
	T_ASSERT(memcmp((uint8_t *)t_seen.below + 512 - 256 - 64, data, 64),
		 "removed stack context: data written anyway");
}

static void *run(void *alt)
{
	stack_t ss = { .ss_sp = alt, .ss_size = 1 << 16 };

	if (alt)
		T_ASSERT(!sigaltstack(&ss, NULL), "sigaltstack");
	run_cases(alt ? "thread with sigaltstack" : "thread without sigaltstack");
	if (alt) {
		ss.ss_flags = SS_DISABLE;
		sigaltstack(&ss, NULL);
	}
	return NULL;
}

static void on_usr1(int sig)
{
	run_cases("SA_ONSTACK handler on the sigaltstack");
}

int main(void)
{
	uint32_t names[1] = { TRAMPFD_REG_PC };
	uint64_t vals[1] = { (uint64_t)(uintptr_t)t_regs_record };
	static char alt[1 << 16] __attribute__((aligned(16)));
	struct t_regs r;
	pthread_t th;
	size_t len;
	unsigned int k;

	t_init();
	t_table(&t, 1, 0);
	for (k = 0; k < sizeof(in.gpr) / sizeof(in.gpr[0]); k++)
		in.gpr[k] = 0x0101010101010101ULL * (k + 1);
	for (k = 0; k < T_NVEC; k++)
		in.vec[k] = 0x7f4a7c159e3779b9ULL * (k + 5);
	len = t_regs_fill(&r, 1, names, vals);
	T_EXPECT(trampfd_pwrite(t.fd, &r, len, TRAMPFD_REGS_OFFSET), len);
	T_ASSERT(!pthread_create(&th, NULL, run, NULL), "pthread_create");
	pthread_join(th, NULL);
	T_ASSERT(!pthread_create(&th, NULL, run, alt), "pthread_create");
	pthread_join(th, NULL);
	{
		stack_t ss = { .ss_sp = alt, .ss_size = sizeof(alt) };
		struct sigaction sa;

		T_ASSERT(!sigaltstack(&ss, NULL), "sigaltstack");
		memset(&sa, 0, sizeof(sa));
		sa.sa_handler = on_usr1;
		sa.sa_flags = SA_ONSTACK;
		T_ASSERT(!sigaction(SIGUSR1, &sa, NULL), "sigaction");
		T_EXPECT(t_remove_stack(t.fd, 0), sizeof(struct trampfd_stack));
		raise(SIGUSR1);
	}
	T_EXPECT(trampfd_close(t.fd), 0);
	T_EXPECT(trampfd_munmap(t.base), 0);
	return t_pass();
}
#else
int main(void)
{
	t_skip("no register harness for this architecture yet");
}
#endif
