// SPDX-License-Identifier: MIT
/*
 * Both modes: a call loads the registers and continues at the PC; other
 * slots stay independent; unset and removed slots die by SIGSEGV; a call
 * inside a slot dies by a signal (code mode: or, at KT_CODE_MID_OWN, runs
 * that slot); a data read of a fault-mode table is SIGSEGV.
 */
#include "kt.h"

static long add3(long a, long b, long c)
{
	return a * 10000 + b * 100 + c;
}

typedef long (*fn3)(long, long, long);

static void call_it(void *p)
{
	((fn3)p)(0, 0, 0);
	_exit(3);		/* reached: the test fails */
}

/* Exits 3 when the call ran slot 0's context (add3(0, 2, 3)). */
static void call_mid(void *p)
{
	_exit(kt_call_wild(p, 0) == 203 ? 3 : 4);
}

static void read_it(void *p)
{
	volatile char c = *(volatile char *)p;

	(void)c;
	_exit(3);
}

int main(void)
{
	int m;

	for (m = 0; m < 2; m++) {
		struct trampfd_map map;
		unsigned int i, n = 1000;
		char *base;
		int fd, sig;

		fd = kt_create(kt_mode_flags[m], n);
		if (fd < 0)
			kt_fail("%s: create: %s", kt_modes[m], strerror(-fd));
		base = kt_map(fd, &map);
		if (map.stride == 0 || map.ioffset + (n - 1) * map.stride >= map.size)
			kt_fail("%s: bad map", kt_modes[m]);
		for (i = 0; i < n; i += 7)
			KT_EQ(kt_set(fd, i, add3, 3, i, 2, 3), 8 + 16 * 4);
		for (i = 0; i < n; i += 7) {
			long r = ((fn3)kt_addr(base, &map, i))(0, 0, 0);

			if (r != (long)i * 10000 + 203)
				kt_fail("%s: slot %u returned %ld", kt_modes[m], i, r);
		}
		/* Only the first argument set: the caller's other two stay. */
		KT_EQ(kt_set(fd, 7, add3, 1, 5, 0, 0), 8 + 16 * 2);
		if (((fn3)kt_addr(base, &map, 7))(0, 8, 9) != 50809)
			kt_fail("%s: unnamed registers were not preserved", kt_modes[m]);
		sig = kt_child(call_it, kt_addr(base, &map, 1));
		if (sig != SIGSEGV)
			kt_fail("%s: unset slot: got %d, want SIGSEGV", kt_modes[m], sig);
		KT_EQ(kt_set(fd, 14, add3, 0, 0, 0, 0), 8 + 16);
		{
			struct trampfd_regs none = { 0 };

			KT_EQ(pwrite(fd, &none, 8, TRAMPFD_OFFSET(14, TRAMPFD_REGS_OFFSET)), 8);
		}
		sig = kt_child(call_it, kt_addr(base, &map, 14));
		if (sig != SIGSEGV)
			kt_fail("%s: removed slot: got %d, want SIGSEGV", kt_modes[m], sig);
		for (i = 1; i < map.stride; i++) {
			sig = kt_child(call_mid, (char *)kt_addr(base, &map, 0) + i);
			if (sig < 1000 || (m == 1 && i == KT_CODE_MID_OWN && sig == 1003))
				continue;
			kt_fail("%s: mid-slot +%u returned normally%s", kt_modes[m], i,
				sig == 1003 ? " from its own target" : "");
		}
		if (m == 0) {
			sig = kt_child(read_it, kt_addr(base, &map, 0));
			if (sig != SIGSEGV)
				kt_fail("fault: data read: got %d, want SIGSEGV", sig);
		}
		munmap(base, map.size);
		close(fd);
	}
	return 0;
}
