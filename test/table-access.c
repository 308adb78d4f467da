// SPDX-License-Identifier: MIT
/*
 * The table as data (docs/design.md §3.5, §4): a store anywhere in a mapped table
 * raises SIGSEGV in every cell; in fault mode a load does too (nothing is
 * mapped there). si_addr is the address touched.
 */
#include "t.h"

static void load(void *p)
{
	(void)*(volatile uint8_t *)p;
}

static void store(void *p)
{
	*(volatile uint8_t *)p = 0xcc;
}

static void expect(void (*fn)(void *), uint8_t *p, const char *what)
{
	void *addr;
	int s = t_sig_call(fn, p, &addr);

	if (s != SIGSEGV)
		t_fail("%s at %p: %s, want SIGSEGV", what, (void *)p, t_signame(s));
	if (addr != p)
		t_fail("%s at %p: si_addr %p", what, (void *)p, addr);
}

int main(void)
{
	struct t_table t;
	uint8_t *b;
	uint64_t ret;
	size_t offs[4];
	unsigned int i;

	t_init();
	t_table(&t, 3, 0);
	t_set_call_ok(t.fd, 1, (void *)t_ret_arg0, 9);
	b = t.base;
	offs[0] = 0;
	offs[1] = t.map.ioffset + t.map.stride;
	offs[2] = t.map.ioffset + t.map.stride + t.map.stride / 2;
	offs[3] = t.map.size - 1;
	for (i = 0; i < 4; i++) {
		expect(store, b + offs[i], "store");
		if (t_is_fault(t.fd))
			expect(load, b + offs[i], "load (fault mode)");
	}
	T_EXPECT(t_sig_call_tramp(t_slot(&t, 1), &ret), 0);
	T_EXPECT(ret, 9);
	T_EXPECT(trampfd_close(t.fd), 0);
	T_EXPECT(trampfd_munmap(t.base), 0);
	return t_pass();
}
