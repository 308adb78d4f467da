// SPDX-License-Identifier: MIT
/*
 * Closures, register by register (trampfd_closure_create(3)), with the
 * assembly harness: CTX_ARG(n) and CTX_CHAIN set their one register to
 * ctx and enter fn; CTX_FIRST sets argument 0 to ctx and moves the
 * caller's integer arguments up one. Every other general register, every
 * vector register, sp and the return address are as the caller left
 * them, except the scratch registers the man page names: CTX_FIRST's
 * (x86_64 r11; aarch64 x18) and, on aarch64, x16 and x17, which
 * a call through any veneer may change (AAPCS64).
 */
#include <errno.h>
#include "t.h"

#if defined(__x86_64__)
static const uint32_t args[] = { x64_rdi, x64_rsi, x64_rdx, x64_rcx, x64_r8, x64_r9 };
static const uint64_t first_scratch = 1ULL << T_GPR(x64_r11);
static const uint64_t veneer = 0;
#else
static const uint32_t args[] = { arm64_r0, arm64_r0 + 1, arm64_r0 + 2, arm64_r0 + 3,
				 arm64_r0 + 4, arm64_r0 + 5, arm64_r0 + 6, arm64_r0 + 7 };
static const uint64_t first_scratch = 1ULL << 18;
static const uint64_t veneer = 3ULL << 16;
#endif
#define NA (sizeof(args) / sizeof(args[0]))

static struct t_cpu in;

static void check(unsigned int how, const uint64_t *want, uint64_t skip)
{
	unsigned int k;

	for (k = 0; k < T_NGPR_SEEN; k++) {
		if ((skip >> k) & 1)
			continue;
		if (t_seen.gpr[k] != want[k])
			t_fail("how %#x: register %u is %#llx, want %#llx", how,
			       T_REG_FIRST + k, (unsigned long long)t_seen.gpr[k],
			       (unsigned long long)want[k]);
	}
	for (k = 0; k < T_NVEC; k++)
		if (t_seen.vec[k] != in.vec[k])
			t_fail("how %#x: " T_VEC_NAME "%u changed", how, k / 2);
	if (t_seen.sp != t_S)
		t_fail("how %#x: sp %#llx, want S = %#llx", how,
		       (unsigned long long)t_seen.sp, (unsigned long long)t_S);
	if (t_seen.ret != (uint64_t)(uintptr_t)t_regs_back)
		t_fail("how %#x: the return address was changed", how);
}

static void one(unsigned int how)
{
	uint64_t want[sizeof(in.gpr) / sizeof(in.gpr[0])], skip = veneer;
	void *ctx = (void *)0xc7c7c7c7d00dULL, *c;
	unsigned int k;

	T_EXPECT(trampfd_closure_create(&c, (void *)t_regs_record, ctx, how), 0);
	memcpy(want, in.gpr, sizeof(want));
	if (how == TRAMPFD_CTX_CHAIN) {
		want[T_GPR(TRAMPFD_REG_CHAIN)] = (uintptr_t)ctx;
	} else if (how == TRAMPFD_CTX_FIRST) {
		for (k = 1; k < NA; k++)
			want[T_GPR(args[k])] = in.gpr[T_GPR(args[k - 1])];
		want[T_GPR(args[0])] = (uintptr_t)ctx;
		skip |= first_scratch;
	} else {
		want[T_GPR(args[how & 0xff])] = (uintptr_t)ctx;
	}
	t_regs_call(c, &in);
	check(how, want, skip);
	T_EXPECT(trampfd_closure_free(c), 0);
}

int main(void)
{
	unsigned int k;

	t_init();
	for (k = 0; k < sizeof(in.gpr) / sizeof(in.gpr[0]); k++)
		in.gpr[k] = 0x1111111111111111ULL * (k + 1) ^ 0x0123456789abcdefULL;
	for (k = 0; k < T_NVEC; k++)
		in.vec[k] = 0x9e3779b97f4a7c15ULL * (k + 3);
	{
		/* <trampfd.h>'s names are the ABI's argument registers. */
		const uint32_t hdr[] = { TRAMPFD_REG_ARG0, TRAMPFD_REG_ARG1, TRAMPFD_REG_ARG2,
					 TRAMPFD_REG_ARG3, TRAMPFD_REG_ARG4, TRAMPFD_REG_ARG5,
#if TRAMPFD_NUM_ARG_REGS > 6
					 TRAMPFD_REG_ARG6, TRAMPFD_REG_ARG7,
#endif
		};

		T_ASSERT(NA == TRAMPFD_NUM_ARG_REGS && !memcmp(hdr, args, sizeof(args)),
			 "<trampfd.h>: the argument registers are not the ABI's");
	}
	for (k = 0; k < NA; k++)
		one(TRAMPFD_CTX_ARG(k));
	one(TRAMPFD_CTX_CHAIN);
	one(TRAMPFD_CTX_FIRST);
	return t_pass();
}
