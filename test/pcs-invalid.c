// SPDX-License-Identifier: MIT
/*
 * The allowed-PC list (docs/design.md §2, §3.4): nvalues 0 or > 16, a zero value,
 * reserved != 0 and wrong lengths are -EINVAL and do not use up the one
 * write; the list cannot be read; a second write is -EPERM; so is a first
 * write after a register context.
 */
#include <errno.h>
#include "t.h"

struct pcs {
	struct trampfd_values h;
	uint64_t v[TRAMPFD_MAX_PCS + 2];
};

static size_t fill(struct pcs *p, unsigned int n)
{
	unsigned int i;

	memset(p, 0, sizeof(*p));
	p->h.nvalues = n;
	for (i = 0; i < n; i++)
		p->v[i] = (uint64_t)(uintptr_t)t_ret_arg0 + 16 * i;
	return sizeof(p->h) + n * 8;
}

static void bad(int fd, const struct pcs *p, size_t len, const char *what)
{
	long got = trampfd_pwrite(fd, p, len, TRAMPFD_ALLOWED_PCS_OFFSET);

	if (got != -EINVAL)
		t_fail("%s: %ld, want -EINVAL", what, got);
}

int main(void)
{
	unsigned char buf[512];
	struct pcs p;
	size_t len;
	uint64_t ret;
	struct t_table t;
	int fd;
	volatile uintptr_t f0 = (uintptr_t)t_ret_arg0;

	t_init();
	t_table(&t, 2, 0);
	fd = t.fd;
	len = fill(&p, 0);
	bad(fd, &p, len, "nvalues 0");
	len = fill(&p, TRAMPFD_MAX_PCS + 1);
	bad(fd, &p, len, "nvalues 17");
	p.h.nvalues = 0xffffffffU;
	bad(fd, &p, len, "nvalues ~0");
	p.h.nvalues = 0x20000002U;	/* * 8 wraps to 16 in 32 bits */
	bad(fd, &p, sizeof(p.h) + 16, "nvalues overflowing the length");
	len = fill(&p, 3);
	p.v[1] = 0;
	bad(fd, &p, len, "a zero value");
	len = fill(&p, 1);
	p.v[0] = 0;
	bad(fd, &p, len, "the only value zero");
	len = fill(&p, 3);
	p.h.reserved = 1;
	bad(fd, &p, len, "reserved 1");
	len = fill(&p, 3);
	bad(fd, &p, len - 1, "length one short");
	bad(fd, &p, len + 1, "length one long");
	bad(fd, &p, len + 8, "length one value long");
	bad(fd, &p, 4, "half a header");
	T_EXPECT(trampfd_pread(fd, buf, sizeof(buf), TRAMPFD_ALLOWED_PCS_OFFSET), -EINVAL);

	/* None of that used up the one write. */
	len = fill(&p, TRAMPFD_MAX_PCS);
	T_EXPECT(trampfd_pwrite(fd, &p, len, TRAMPFD_ALLOWED_PCS_OFFSET), len);
	T_EXPECT(trampfd_pread(fd, buf, sizeof(buf), TRAMPFD_ALLOWED_PCS_OFFSET), -EINVAL);
	len = fill(&p, 1);
	T_EXPECT(trampfd_pwrite(fd, &p, len, TRAMPFD_ALLOWED_PCS_OFFSET), -EPERM);
	len = fill(&p, TRAMPFD_MAX_PCS);
	T_EXPECT(trampfd_pwrite(fd, &p, len, TRAMPFD_ALLOWED_PCS_OFFSET), -EPERM);
	len = fill(&p, 0);
	T_EXPECT2(trampfd_pwrite(fd, &p, len, TRAMPFD_ALLOWED_PCS_OFFSET), EPERM, EINVAL);
	/* The list written is the 16-value one: its first value works. */
	t_set_call_ok(fd, 1, (void *)t_ret_arg0, 42);
	T_EXPECT(t_sig_call_tramp(t_slot(&t, 1), &ret), 0);
	T_EXPECT(ret, 42);
	T_EXPECT(trampfd_close(fd), 0);
	T_EXPECT(trampfd_munmap(t.base), 0);

	/* A refused register write and a stack context do not count. */
	fd = t_create(2, 0);
	T_EXPECT(t_set_call(fd, 0, NULL, 1), -EINVAL);
	{
		struct t_stack s;
		size_t slen = t_stack_fill(&s, 0, 0, 8, "8 bytes!");

		T_EXPECT(trampfd_pwrite(fd, &s, slen, TRAMPFD_STACK_OFFSET), slen);
	}
	len = fill(&p, 1);
	T_EXPECT(trampfd_pwrite(fd, &p, len, TRAMPFD_ALLOWED_PCS_OFFSET), len);
	T_EXPECT(t_set_call(fd, 1, (void *)(f0 + 1), 1), -EINVAL);
	T_EXPECT(trampfd_close(fd), 0);

	/* After a register context: too late. */
	fd = t_create(2, 0);
	t_set_call_ok(fd, 1, (void *)t_ret_arg0, 1);
	len = fill(&p, 1);
	T_EXPECT(trampfd_pwrite(fd, &p, len, TRAMPFD_ALLOWED_PCS_OFFSET), -EPERM);
	/* And no list got installed: another PC is still accepted. */
	T_EXPECT(t_set_call(fd, 0, (void *)(f0 + 1), 1),
		 sizeof(struct trampfd_regs) + 2 * sizeof(struct trampfd_reg));
	T_EXPECT(trampfd_close(fd), 0);
	return t_pass();
}
