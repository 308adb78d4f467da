// SPDX-License-Identifier: MIT
/*
 * DESIGN §3.1, "every vector register ... unchanged", all of it: the full
 * 256-bit ymm0-15 (upper halves included) and MXCSR (a non-default
 * rounding mode) survive a call through a trampoline. Needs AVX.
 */
#include "t.h"

#ifdef T_HAVE_HARNESS
int main(void)
{
	static uint64_t in[64];
	const uint32_t mxcsr = 0x1f80 | (3 << 13) | (1 << 15);	/* round to 0, FTZ */
	struct t_table t;
	unsigned int k, round;

	t_init();
	__builtin_cpu_init();
	if (!__builtin_cpu_supports("avx"))
		t_skip("no AVX on this CPU: ymm upper halves not checked");
	for (k = 0; k < 64; k++)
		in[k] = 0xa5a5000000000000ULL ^ (0x0123456789ULL * (k + 1));
	t_table(&t, 2, 0);
	t_set_call_ok(t.fd, 1, (void *)t_avx_record, 0x77);
	for (round = 0; round < 3; round++) {
		memset(t_avx_seen, 0, sizeof(t_avx_seen));
		t_avx_mxcsr = 0;
		t_avx_call(t_slot(&t, 1), in, mxcsr);
		for (k = 0; k < 64; k++)
			if (t_avx_seen[k] != in[k])
				t_fail("ymm%u bits %u-%u changed: %#llx, want %#llx", k / 4,
				       (k % 4) * 64, (k % 4) * 64 + 63,
				       (unsigned long long)t_avx_seen[k], (unsigned long long)in[k]);
		if ((t_avx_mxcsr & ~0x3fU) != (mxcsr & ~0x3fU))
			t_fail("MXCSR %#x, want %#x (exception flags aside)", t_avx_mxcsr, mxcsr);
	}
	T_EXPECT(trampfd_close(t.fd), 0);
	T_EXPECT(trampfd_munmap(t.base), 0);
	return t_pass();
}
#else
int main(void)
{
	t_skip("no vector harness for this architecture yet");
}
#endif
