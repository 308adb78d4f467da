// SPDX-License-Identifier: MIT
/*
 * libFuzzer target: the shared contract (include/linux/trampfd_contract.h,
 * which trampfd.ko compiles too) through src/ctx.c, against an
 * independent reference written from docs/design.md §2/§3.3, on buffers of the
 * exact fuzzed size (so ASan sees any read past len).
 *
 * Input: byte 0 picks the validator and an allowed-PC list shape, the rest
 * is the buffer; register contexts are checked for both modes' reserved
 * registers, and the input's first 12 bytes also decode as an offset and a
 * table size. Invariants: each validator returns 0 or -EINVAL, agrees with
 * the reference, decodes accepted regs losslessly, and leaves its input
 * untouched.
 */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "internal.h"
#include "arch.h"
#include "ref.h"

static void die(const char *why)
{
	fprintf(stderr, "ctx_parse invariant: %s\n", why);
	abort();
}

#define CHECK(c) do { if (!(c)) die(#c); } while (0)

_Static_assert(sizeof(struct tfd_pcs) == sizeof(struct ref_pcs), "ref_pcs mirrors tfd_pcs");

/* The fuzzer mutates structure better when it can hit exact lengths. */
static uint8_t *copy_exact(const uint8_t *d, size_t n)
{
	uint8_t *p = malloc(n ? n : 1);

	if (!p)
		abort();
	memcpy(p, d, n);
	return p;
}

static void fuzz_regs(const uint8_t *d, size_t n, unsigned int pcmode)
{
	struct tfd_pcs pcs = { 0 }, *pp = NULL;
	struct tfd_regset rs;
	uint8_t *b = copy_exact(d, n), *orig = copy_exact(d, n);
	int r, want;
	uint32_t k;

	/*
	 * pcmode 0: no list; 1: empty list; 2: the list holds the buffer's own
	 * PC (when it names one) plus a decoy; 3: only decoys.
	 */
	if (pcmode) {
		pp = &pcs;
		if (pcmode >= 2) {
			pcs.pc[pcs.n++] = 0x1000;
			pcs.pc[pcs.n++] = ~0ULL;
		}
		if (pcmode == 2 && n >= 8) {
			uint32_t nr = get32(b);

			for (k = 0; k < nr && 8 + 16 * (size_t)(k + 1) <= n && pcs.n < TRAMPFD_MAX_PCS; k++)
				if (get32(b + 8 + 16 * k) == TFD_REG_PC)
					pcs.pc[pcs.n++] = get64(b + 16 + 16 * k);
		}
	}
	/* Code mode's reserved registers, then fault mode's (none). */
	r = tfd_check_regs(b, n, pp, tfd_reserved_regs(1));
	CHECK(r == ref_regs(b, n, (const struct ref_pcs *)pp, 1));
	r = tfd_check_regs(b, n, pp, tfd_reserved_regs(0));
	want = ref_regs(b, n, (const struct ref_pcs *)pp, 0);
	CHECK(r == 0 || r == -EINVAL);
	CHECK(r == want);
	CHECK(!memcmp(b, orig, n));
	if (!r) {
		uint32_t nregs = get32(b), mask = 0;

		/* Exact size, unique valid names, a nonzero allowed PC. */
		CHECK(n == 8 + 16 * (size_t)nregs);
		memset(&rs, 0xa5, sizeof(rs));
		tfd_decode_regs(b, &rs);
		for (k = 0; k < nregs; k++) {
			uint32_t name = get32(b + 8 + 16 * k);

			CHECK(name >= REF_REG_FIRST && name <= REF_REG_LAST);
			CHECK(!(mask & (1U << (name - TFD_REG_FIRST))));
			mask |= 1U << (name - TFD_REG_FIRST);
			CHECK(rs.val[name - TFD_REG_FIRST] == get64(b + 16 + 16 * k));
		}
		CHECK(rs.mask == mask);
		if (nregs) {
			uint64_t pc = rs.val[TFD_REG_PC - TFD_REG_FIRST];

			CHECK(mask & (1U << (TFD_REG_PC - TFD_REG_FIRST)));
			CHECK(pc != 0);
			if (pcmode >= 2) {
				int ok = 0;

				for (k = 0; k < pcs.n; k++)
					ok |= pcs.pc[k] == pc;
				CHECK(ok);
			}
			CHECK(pcmode != 3 || pc == 0x1000 || pc == ~0ULL);
		}
	}
	free(b);
	free(orig);
}

static void fuzz_stack(const uint8_t *d, size_t n)
{
	uint8_t *b = copy_exact(d, n);
	int r = tfd_check_stack(b, n);

	CHECK(r == 0 || r == -EINVAL);
	CHECK(r == ref_stack(b, n));
	if (!r) {
		uint32_t flags = get32(b), off = get32(b + 4), size = get32(b + 8);

		CHECK(size <= TRAMPFD_MAX_STACK_SIZE && off <= TRAMPFD_MAX_STACK_OFFSET);
		CHECK(n == 16 + size && !(size % 8) && !(off % 8));
		CHECK(!(flags & ~TRAMPFD_STACK_FLAGS));
		/* What a provider writes stays inside [S - 320, S). */
		CHECK(off + size <= TRAMPFD_MAX_STACK_OFFSET + TRAMPFD_MAX_STACK_SIZE);
	}
	CHECK(!memcmp(b, d, n));
	free(b);
}

static void fuzz_pcs(const uint8_t *d, size_t n)
{
	struct tfd_pcs out;
	uint8_t *b = copy_exact(d, n);
	int r;
	uint32_t k;

	memset(&out, 0x5a, sizeof(out));
	r = tfd_check_pcs(b, n, &out);
	CHECK(r == 0 || r == -EINVAL);
	CHECK(r == ref_pcs(b, n));
	if (!r) {
		CHECK(out.n == get32(b) && out.n >= 1 && out.n <= TRAMPFD_MAX_PCS);
		for (k = 0; k < out.n; k++) {
			CHECK(out.pc[k] == get64(b + 8 + 8 * k));
			CHECK(out.pc[k] != 0);
		}
		/* A list the validator accepted is accepted as a filter. */
		if (get32(b) <= TRAMPFD_MAX_REGS) {
			uint8_t regs[8 + 16];

			memset(regs, 0, sizeof(regs));
			regs[0] = 1;
			memcpy(regs + 8, &(uint32_t){ TFD_REG_PC }, 4);
			memcpy(regs + 16, &out.pc[out.n - 1], 8);
			CHECK(tfd_check_regs(regs, sizeof(regs), &out, 0) == 0);
			memcpy(regs + 16, &(uint64_t){ 0 }, 8);
			CHECK(tfd_check_regs(regs, sizeof(regs), &out, 0) == -EINVAL);
		}
	}
	CHECK(!memcmp(b, d, n));
	free(b);
}

/* The offset decoding both providers share, against ref_offset(). */
static void fuzz_offset(const uint8_t *d, size_t n)
{
	uint32_t i = 0, c = 0, ri = 0, rc = 0, tn;
	int64_t pos;
	int r;

	if (n < 12)
		return;
	memcpy(&pos, d, 8);
	tn = get32(d + 8) % (TRAMPFD_MAX_TRAMPOLINES + 1);
	r = tfd_offset(pos, tn, &i, &c);
	CHECK(r == ref_offset(pos, tn, &ri, &rc));
	if (!r)
		CHECK(i == ri && c == rc && i < tn);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (!size)
		return 0;
	fuzz_offset(data + 1, size - 1);
	switch (data[0] % 6) {
	case 0: case 1: case 2: case 3:
		fuzz_regs(data + 1, size - 1, data[0] % 6);
		break;
	case 4:
		fuzz_stack(data + 1, size - 1);
		break;
	case 5:
		fuzz_pcs(data + 1, size - 1);
		break;
	}
	return 0;
}
