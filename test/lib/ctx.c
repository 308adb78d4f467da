// SPDX-License-Identifier: MIT
/* Building, writing and checking contexts. */
#include <errno.h>
#include "t.h"

size_t t_regs_fill(struct t_regs *r, unsigned int n, const uint32_t *names,
		   const uint64_t *values)
{
	unsigned int i;

	memset(r, 0, sizeof(*r));
	r->h.nregs = n;
	for (i = 0; i < n; i++) {
		r->r[i].name = names[i];
		r->r[i].value = values[i];
	}
	return sizeof(r->h) + n * sizeof(r->r[0]);
}

long t_set_call(int fd, unsigned int i, void *pc, uint64_t arg)
{
	uint32_t names[2] = { TRAMPFD_REG_ARG0, TRAMPFD_REG_PC };
	uint64_t vals[2] = { arg, (uint64_t)(uintptr_t)pc };
	struct t_regs r;
	size_t len = t_regs_fill(&r, 2, names, vals);

	return trampfd_pwrite(fd, &r, len, TRAMPFD_OFFSET(i, TRAMPFD_REGS_OFFSET));
}

void t_set_call_ok(int fd, unsigned int i, void *pc, uint64_t arg)
{
	long r = t_set_call(fd, i, pc, arg);

	if (r != (long)(sizeof(struct trampfd_regs) + 2 * sizeof(struct trampfd_reg)))
		t_fail("pwrite(REGS of %u): %ld", i, r);
}

long t_remove_regs(int fd, unsigned int i)
{
	struct trampfd_regs h = { 0 };

	return trampfd_pwrite(fd, &h, sizeof(h), TRAMPFD_OFFSET(i, TRAMPFD_REGS_OFFSET));
}

long t_remove_stack(int fd, unsigned int i)
{
	struct trampfd_stack h = { 0 };

	return trampfd_pwrite(fd, &h, sizeof(h), TRAMPFD_OFFSET(i, TRAMPFD_STACK_OFFSET));
}

size_t t_stack_fill(struct t_stack *s, uint32_t flags, uint32_t offset,
		    uint32_t size, const void *data)
{
	memset(s, 0, sizeof(*s));
	s->h.flags = flags;
	s->h.offset = offset;
	s->h.size = size;
	if (data && size <= sizeof(s->d))
		memcpy(s->d, data, size);
	return sizeof(s->h) + size;
}

void t_expect_ctx(int fd, unsigned int i, unsigned int ctx,
		  const void *want, size_t wantlen, const char *what)
{
	unsigned char buf[T_REGS_MAX_BYTES + 64];
	long r;

	memset(buf, 0xa5, sizeof(buf));
	r = trampfd_pread(fd, buf, sizeof(buf), TRAMPFD_OFFSET(i, ctx));
	if (r < 0)
		t_fail("%s: pread(%#x of %u): %s", what, ctx, i, strerror((int)-r));
	if ((size_t)r != wantlen)
		t_fail("%s: pread(%#x of %u) returned %ld bytes, want %zu", what,
		       ctx, i, r, wantlen);
	if (memcmp(buf, want, wantlen))
		t_fail("%s: pread(%#x of %u) bytes differ from the last write",
		       what, ctx, i);
}

__attribute__((noinline)) uint64_t t_ret_arg0(uint64_t a)
{
	__asm__ volatile("" : "+r"(a));
	return a;
}

__thread struct t_grab t_grab_area;
__thread uint64_t t_grab_after[T_NCS];

#include <stddef.h>
/* The offsets the assembly uses. */
#if defined(__x86_64__)
_Static_assert(offsetof(struct t_cpu, vec) == 128, "SEEN_XMM");
_Static_assert(offsetof(struct t_cpu, sp) == 384, "SEEN_RSP");
_Static_assert(offsetof(struct t_cpu, ret) == 392, "SEEN_RET");
_Static_assert(offsetof(struct t_cpu, below) == 400, "SEEN_BELOW");
_Static_assert(sizeof(struct t_cpu) <= 1024, "t_seen size");
_Static_assert(offsetof(struct t_grab, rsp) == 128, "grab rsp");
_Static_assert(offsetof(struct t_grab, stk) == 136, "grab stk");
_Static_assert(offsetof(struct t_grab, which) == 200, "grab which");
#elif defined(__aarch64__)
_Static_assert(offsetof(struct t_cpu, vec) == 256, "SEEN_VEC");
_Static_assert(offsetof(struct t_cpu, sp) == 768, "SEEN_SP");
_Static_assert(offsetof(struct t_cpu, ret) == 776, "SEEN_RET");
_Static_assert(offsetof(struct t_cpu, below) == 784, "SEEN_BELOW");
_Static_assert(sizeof(struct t_cpu) <= 2048, "t_seen size");
_Static_assert(offsetof(struct t_grab, rsp) == 256, "grab sp");
_Static_assert(offsetof(struct t_grab, stk) == 264, "grab stk");
_Static_assert(offsetof(struct t_grab, which) == 328, "grab which");
#endif
