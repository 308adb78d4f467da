// SPDX-License-Identifier: MIT
/*
 * Register semantics (docs/design.md §3.1), with the assembly harness: every
 * settable register, one at a time and all at once, gets its value; every
 * other GPR, the vector registers and sp are unchanged; the return address
 * is intact. Entered by call, then again by jump (return address set by
 * hand; on aarch64 through x17, as a veneer does). Registers the cell's
 * trampolines use themselves (aarch64 code mode: x16, x17) are refused
 * with -EINVAL, leave the slot as it was, and are not compared.
 */
#include <errno.h>
#include "t.h"

#ifdef T_HAVE_HARNESS
static struct t_cpu in;
static uint64_t reserved;	/* the cell's own registers: not compared */

static void check(const uint64_t *want, const char *what0)
{
	char what[96];
	unsigned int k;

	snprintf(what, sizeof(what), "%s, by %s", what0, t_regs_jmp ? "jump" : "call");
	for (k = 0; k < T_NGPR_SEEN; k++) {
		uint64_t w = want[k];

		if ((reserved >> k) & 1)
			continue;

#ifdef T_JMP_REG
		/* Entered by br: unless the context set it, it holds the trampoline. */
		if (t_regs_jmp && k == T_GPR(T_JMP_REG) && w == in.gpr[k])
			w = (uint64_t)(uintptr_t)t_regs_tramp;
#endif
		if (t_seen.gpr[k] != w)
			t_fail("%s: register %u is %#llx, want %#llx", what,
			       T_REG_FIRST + k, (unsigned long long)t_seen.gpr[k],
			       (unsigned long long)w);
	}
	for (k = 0; k < T_NVEC; k++)
		if (t_seen.vec[k] != in.vec[k])
			t_fail("%s: " T_VEC_NAME "%u changed", what, k / 2);
	if (t_seen.sp != t_S)
		t_fail("%s: sp %#llx, want S = %#llx", what,
		       (unsigned long long)t_seen.sp, (unsigned long long)t_S);
	if (t_seen.ret != (uint64_t)(uintptr_t)t_regs_back)
		t_fail("%s: return address at S was overwritten", what);
}

static void one_pass(void)
{
	const unsigned int nr = T_REG_LAST - T_REG_FIRST + 1;
	uint64_t want[sizeof(in.gpr) / sizeof(in.gpr[0])];
	uint32_t names[T_NGPR_SEEN + 1];
	uint64_t vals[T_NGPR_SEEN + 1];
	struct t_regs r;
	struct t_table t;
	unsigned int k, j;
	size_t len;

	t_table(&t, 2, 0);
	reserved = t_reserved(t.fd);
	for (k = 0; k < sizeof(in.gpr) / sizeof(in.gpr[0]); k++)
		in.gpr[k] = 0x1111111111111111ULL * (k + 1) ^ 0x0123456789abcdefULL;
	for (k = 0; k < T_NVEC; k++)
		in.vec[k] = 0x9e3779b97f4a7c15ULL * (k + 3);

	/* Only the PC: nothing else changes. */
	names[0] = TRAMPFD_REG_PC;
	vals[0] = (uint64_t)(uintptr_t)t_regs_record;
	len = t_regs_fill(&r, 1, names, vals);
	T_EXPECT(trampfd_pwrite(t.fd, &r, len, TRAMPFD_REGS_OFFSET), len);
	t_regs_call(t_slot(&t, 0), &in);
	check(in.gpr, "PC only");

	for (k = 0; k < nr; k++) {
		char what[48];

		names[0] = T_REG_FIRST + k;
		vals[0] = 0xc0de000000000000ULL | (k << 8) | 0x5a;
		names[1] = TRAMPFD_REG_PC;
		vals[1] = (uint64_t)(uintptr_t)t_regs_record;
		len = t_regs_fill(&r, 2, names, vals);
		if ((reserved >> k) & 1) {
			/* Refused, and the slot keeps the context it had. */
			T_EXPECT(trampfd_pwrite(t.fd, &r, len,
						TRAMPFD_OFFSET(1, TRAMPFD_REGS_OFFSET)), -EINVAL);
			T_EXPECT(trampfd_pread(t.fd, &r, sizeof(r),
					       TRAMPFD_OFFSET(1, TRAMPFD_REGS_OFFSET)),
				 k ? 40 : 8);
			continue;
		}
		T_EXPECT(trampfd_pwrite(t.fd, &r, len, TRAMPFD_OFFSET(1, TRAMPFD_REGS_OFFSET)), len);
		memcpy(want, in.gpr, sizeof(want));
		want[k] = vals[0];
		t_regs_call(t_slot(&t, 1), &in);
		snprintf(what, sizeof(what), "register %u alone", T_REG_FIRST + k);
		check(want, what);
	}

	/* All at once, PC first and last. */
	for (j = 0; j < 2; j++) {
		unsigned int n = 0;

		if (!j) {
			names[n] = TRAMPFD_REG_PC;
			vals[n++] = (uint64_t)(uintptr_t)t_regs_record;
		}
		for (k = 0; k < nr; k++) {
			want[k] = ~(0x0f0f0f0f00000000ULL * (k + 1) + k);
			if ((reserved >> k) & 1)
				continue;
			names[n] = T_REG_FIRST + k;
			vals[n++] = want[k];
		}
		if (j) {
			names[n] = TRAMPFD_REG_PC;
			vals[n++] = (uint64_t)(uintptr_t)t_regs_record;
		}
		len = t_regs_fill(&r, n, names, vals);
		T_EXPECT(trampfd_pwrite(t.fd, &r, len, TRAMPFD_REGS_OFFSET), len);
		t_regs_call(t_slot(&t, 0), &in);
		check(want, j ? "all registers, PC last" : "all registers, PC first");
	}
	/* And the first context still works as written for index 1. */
	t_regs_call(t_slot(&t, 1), &in);
	memcpy(want, in.gpr, sizeof(want));
	want[nr - 1] = 0xc0de000000000000ULL | ((nr - 1) << 8) | 0x5a;
	check(want, "index 1 after index 0 rewrites");
	T_EXPECT(trampfd_close(t.fd), 0);
	T_EXPECT(trampfd_munmap(t.base), 0);
}

int main(void)
{
	t_init();
	t_regs_jmp = 0;
	one_pass();
	t_regs_jmp = 1;
	one_pass();
	return t_pass();
}
#else
int main(void)
{
	t_skip("no register harness for this architecture yet");
}
#endif
