// SPDX-License-Identifier: MIT
/*
 * aarch64, both modes, on a CPU with BTI: a guarded table (code mode: as
 * mapped, fault mode: after mprotect PROT_BTI) still calls through, so
 * every entry and body starts with a landing pad; the target is reached
 * by a branch that a guarded "bti c" accepts (code mode: br x16), and one
 * without a landing pad is refused (SIGILL), so the guard is live; in a
 * code table, entering an entry past its "bti c" is refused too.
 */
#include <sys/auxv.h>
#include "../kt.h"

#ifndef PROT_BTI
#define PROT_BTI	0x10
#endif
#ifndef HWCAP2_BTI
#define HWCAP2_BTI	(1 << 17)
#endif

typedef long (*fn0)(void);

static void call_it(void *p)
{
	_exit(((fn0)p)() == 42 ? 3 : 4);
}

/* A guarded page: "bti c; mov x0, #42; ret" at 0, "nop; ..." at 16. */
static char *guarded_targets(void)
{
	static const uint32_t code[] = {
		0xd503245f, 0xd2800540, 0xd65f03c0, 0,
		0xd503201f, 0xd2800540, 0xd65f03c0, 0,
	};
	char *p = mmap(NULL, 4096, PROT_READ | PROT_WRITE,
		       MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

	if (p == MAP_FAILED)
		kt_fail("mmap: %s", strerror(errno));
	memcpy(p, code, sizeof(code));
	__builtin___clear_cache(p, p + sizeof(code));
	if (mprotect(p, 4096, PROT_READ | PROT_EXEC | PROT_BTI))
		kt_fail("mprotect PROT_BTI: %s", strerror(errno));
	return p;
}

int main(void)
{
	char *tg;
	int m, sig;

	if (!(getauxval(AT_HWCAP2) & HWCAP2_BTI))
		kt_skip("this CPU has no BTI");
	tg = guarded_targets();
	sig = kt_child(call_it, tg);
	if (sig != 1003)
		kt_fail("direct call of the guarded target: %d", sig);
	sig = kt_child(call_it, tg + 16);
	if (sig != SIGILL)
		kt_fail("guarded target without a landing pad ran (%d): BTI is not enforced", sig);
	for (m = 0; m < 2; m++) {
		struct trampfd_map map;
		int fd = kt_create(kt_mode_flags[m], 2);
		char *base;

		if (fd < 0)
			kt_fail("create: %s", strerror(-fd));
		KT_EQ(kt_set(fd, 0, tg, 0, 0, 0, 0), 24);
		KT_EQ(kt_set(fd, 1, tg + 16, 0, 0, 0, 0), 24);
		base = kt_map(fd, &map);
		if (m == 0)
			KT_EQ(mprotect(base, map.size, map.prot | PROT_BTI), 0);
		sig = kt_child(call_it, kt_addr(base, &map, 0));
		if (sig != 1003)
			kt_fail("%s: guarded table, guarded target: %d", kt_modes[m], sig);
		sig = kt_child(call_it, kt_addr(base, &map, 1));
		if (sig != SIGILL)
			kt_fail("%s: target without a landing pad: %d, want SIGILL",
				kt_modes[m], sig);
		if (m == 1) {
			sig = kt_child(call_it, (char *)kt_addr(base, &map, 0) + 4);
			if (sig != SIGILL)
				kt_fail("code: entry entered past its bti: %d, want SIGILL (not mapped guarded?)",
					sig);
		}
		munmap(base, map.size);
		close(fd);
	}
	return 0;
}
