// SPDX-License-Identifier: MIT
/*
 * docs/design.md §3.1, "every vector register ... unchanged", all of it: on x86_64
 * the full 256-bit ymm0-15 (upper halves included) and MXCSR, on aarch64
 * v0-v31 and FPCR, with a non-default rounding mode, survive a call through
 * a trampoline. x86_64 needs AVX.
 */
#include "t.h"

#ifdef T_HAVE_HARNESS
int main(void)
{
	static uint64_t in[T_VEC_WORDS];
	const uint32_t ctl = T_VEC_CTL;
	const char *missing;
	struct t_table t;
	unsigned int k, round;

	t_init();
	missing = t_vec_missing();
	if (missing)
		t_skip("%s", missing);
	for (k = 0; k < T_VEC_WORDS; k++)
		in[k] = 0xa5a5000000000000ULL ^ (0x0123456789ULL * (k + 1));
	t_table(&t, 2, 0);
	t_set_call_ok(t.fd, 1, (void *)t_vec_record, 0x77);
	for (round = 0; round < 3; round++) {
		memset(t_vec_seen, 0, sizeof(t_vec_seen));
		t_vec_ctl = 0;
		t_vec_call(t_slot(&t, 1), in, ctl);
		for (k = 0; k < T_VEC_WORDS; k++)
			if (t_vec_seen[k] != in[k])
				t_fail("%s%u bits %u-%u changed: %#llx, want %#llx",
				       T_VEC_REGWORDS == 4 ? "ymm" : "v", k / T_VEC_REGWORDS,
				       (k % T_VEC_REGWORDS) * 64, (k % T_VEC_REGWORDS) * 64 + 63,
				       (unsigned long long)t_vec_seen[k], (unsigned long long)in[k]);
		if ((t_vec_ctl & T_VEC_CTL_MASK) != (ctl & T_VEC_CTL_MASK))
			t_fail("%s %#x, want %#x", T_VEC_CTL_NAME, t_vec_ctl, ctl);
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
