// SPDX-License-Identifier: MIT
/*
 * Stack-context validation (docs/design.md §2, §3.3): size > 64, offset > 256, not
 * multiples of 8 (16 on aarch64 when SP moves), unknown flags, reserved != 0
 * and wrong lengths are -EINVAL and change nothing; the limits themselves
 * (offset 256, size 64) are accepted.
 */
#include <errno.h>
#include "t.h"

static int fd;
static struct t_stack a;
static size_t alen;
static const uint8_t data[80] = "0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ!@#$%^&*()_+-=[]";

static void bad(uint32_t flags, uint32_t off, uint32_t size, uint32_t resv,
		long delta, const char *what)
{
	struct trampfd_stack s0 = { 0 };
	struct { struct trampfd_stack h; uint8_t d[160]; } s;
	long got;
	size_t len;

	memset(&s, 0, sizeof(s));
	s.h.flags = flags;
	s.h.offset = off;
	s.h.size = size;
	s.h.reserved = resv;
	memcpy(s.d, data, sizeof(data));
	len = sizeof(s.h) + (size <= 128 ? size : 0) + delta;
	got = trampfd_pwrite(fd, &s, len, TRAMPFD_OFFSET(0, TRAMPFD_STACK_OFFSET));
	if (got != -EINVAL)
		t_fail("%s: pwrite over a set stack context: %ld, want -EINVAL", what, got);
	t_expect_ctx(fd, 0, TRAMPFD_STACK_OFFSET, &a, alen, what);
	got = trampfd_pwrite(fd, &s, len, TRAMPFD_OFFSET(1, TRAMPFD_STACK_OFFSET));
	if (got != -EINVAL)
		t_fail("%s: pwrite to an unset stack context: %ld, want -EINVAL", what, got);
	t_expect_ctx(fd, 1, TRAMPFD_STACK_OFFSET, &s0, sizeof(s0), what);
}

static void good(uint32_t flags, uint32_t off, uint32_t size)
{
	struct t_stack s;
	size_t len = t_stack_fill(&s, flags, off, size, data);

	if (trampfd_pwrite(fd, &s, len, TRAMPFD_OFFSET(2, TRAMPFD_STACK_OFFSET)) != (long)len)
		t_fail("valid stack context flags %u offset %u size %u rejected",
		       flags, off, size);
	t_expect_ctx(fd, 2, TRAMPFD_STACK_OFFSET, &s, len, "valid stack context");
}

int main(void)
{
	uint32_t bit;

	t_init();
	fd = t_create(3, 0);
	alen = t_stack_fill(&a, 0, 16, 16, data + 40);
	T_EXPECT(trampfd_pwrite(fd, &a, alen, TRAMPFD_STACK_OFFSET), alen);

	bad(0, 0, 72, 0, 0, "size 72");
	bad(0, 0, 128, 0, 0, "size 128");
	bad(0, 0, 0xffffffffU, 0, 0, "size ~0");
	bad(0, 264, 8, 0, 0, "offset 264");
	bad(0, 512, 8, 0, 0, "offset 512");
	bad(0, 0xfffffff8U, 8, 0, 0, "offset ~7");
	bad(0, 0, 12, 0, 0, "size 12");
	bad(0, 0, 4, 0, 0, "size 4");
	bad(0, 0, 1, 0, 0, "size 1");
	bad(0, 4, 8, 0, 0, "offset 4");
	bad(0, 12, 8, 0, 0, "offset 12");
	bad(0, 255, 8, 0, 0, "offset 255");
	for (bit = 1; bit < 32; bit++) {
		char what[32];

		snprintf(what, sizeof(what), "flags bit %u", bit);
		bad(1U << bit, 0, 8, 0, 0, what);
	}
	bad(TRAMPFD_SET_SP | 2, 0, 8, 0, 0, "flags SET_SP|2");
	bad(0, 0, 8, 1, 0, "reserved 1");
	bad(0, 0, 8, 0x80000000U, 0, "reserved 0x80000000");
	bad(0, 0, 16, 0, -1, "length one short");
	bad(0, 0, 16, 0, 1, "length one long");
	bad(0, 0, 16, 0, -16, "header only with size 16");
	bad(0, 0, 16, 0, 8, "length 8 long");
	bad(0, 0, 16, 0, -20, "half a header");
	bad(0, 0, 0, 1, 0, "removal with reserved 1");
	bad(0, 0, 0, 0, 8, "removal with 8 bytes of data");
	bad(0, 0, 0, 0, 1, "removal one long");
	if (T_STACK_ALIGN == 16) {
		bad(TRAMPFD_SET_SP, 0, 8, 0, 0, "SET_SP size 8 (aarch64)");
		bad(TRAMPFD_SET_SP, 8, 16, 0, 0, "SET_SP offset 8 (aarch64)");
	}

	good(0, 256, 64);
	good(TRAMPFD_SET_SP, 256, 64);
	good(0, 0, 8);
	good(0, 248, 16);
	good(TRAMPFD_SET_SP, 0, 16);
	if (T_STACK_ALIGN == 8) {
		good(TRAMPFD_SET_SP, 8, 8);
		good(TRAMPFD_SET_SP, 0, 24);
	}
	t_expect_ctx(fd, 0, TRAMPFD_STACK_OFFSET, &a, alen, "index 0 at the end");
	T_EXPECT(trampfd_close(fd), 0);
	return t_pass();
}
