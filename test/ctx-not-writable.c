// SPDX-License-Identifier: MIT
/*
 * docs/design.md §4: contexts are not in memory the process can write. After a
 * context is written, every copy of its random 8-byte values found in any
 * writable mapping is overwritten; calls and pread must still give the
 * original values. Tables created with TRAMPFD_FASTWRITE are exempt by
 * design: they are exercised, and the result is only noted.
 */
#include <sys/random.h>
#include <time.h>
#include "t.h"

#ifdef T_HAVE_HARNESS
#define NV 4
static uint64_t key;	/* values are key ^ K[i]: key itself is never one */
static const uint64_t K[NV] = { 0x9e3779b97f4a7c15ULL, 0xbf58476d1ce4e5b9ULL,
				0x94d049bb133111ebULL, 0xd6e8feb86659fd93ULL };
static unsigned long found;

static uint64_t val(unsigned int i)
{
	return key ^ K[i];
}

static int smash(const struct t_map *m, void *arg)
{
	uint8_t *p, *end;
	unsigned int i;

	if (m->perms[0] != 'r' || m->perms[1] != 'w' || !strcmp(m->path, "[vvar]"))
		return 0;
	end = (uint8_t *)m->hi - 8;
	for (p = (uint8_t *)m->lo; p <= end; p++) {
		for (i = 0; i < NV; i++) {
			uint64_t v = val(i), w;

			if (*p != (uint8_t)v)
				continue;
			memcpy(&w, p, 8);
			if (w == v) {
				w = ~v;
				memcpy(p, &w, 8);
				found++;
			}
		}
	}
	return 0;
}

static void check_grab(void)
{
	const struct t_grab *g = &t_grab_area;

	if (g->gpr[T_GPR(TRAMPFD_REG_ARG0)] != val(0) || g->gpr[T_GPR(TRAMPFD_REG_ARG1)] != val(1))
		t_fail("register context changed by a store to writable memory");
	if (g->stk[6] != val(2) || g->stk[7] != val(3))
		t_fail("stack context changed by a store to writable memory");
}

static void one(unsigned int extra, const char *what)
{
	uint32_t names[3] = { TRAMPFD_REG_ARG0, TRAMPFD_REG_ARG1, TRAMPFD_REG_PC };
	uint64_t vals[3] = { val(0), val(1), (uint64_t)(uintptr_t)t_grab };
	uint64_t data[2] = { val(2), val(3) };
	struct t_regs r, rr;
	struct t_stack s, ss;
	struct t_table t;
	size_t len, slen;

	t_table(&t, 2, extra);
	len = t_regs_fill(&r, 3, names, vals);
	T_EXPECT(trampfd_pwrite(t.fd, &r, len, TRAMPFD_OFFSET(1, TRAMPFD_REGS_OFFSET)), len);
	slen = t_stack_fill(&s, 0, 0, 16, data);
	T_EXPECT(trampfd_pwrite(t.fd, &s, slen, TRAMPFD_OFFSET(1, TRAMPFD_STACK_OFFSET)), slen);
	((void (*)(void))t_slot(&t, 1))();	/* materialise lazy state */
	memcpy(&rr, &r, sizeof(r));
	memcpy(&ss, &s, sizeof(s));
	found = 0;
	t_maps_each(smash, NULL);
	/* Our own copies were smashed too: rebuild the expected bytes. */
	len = t_regs_fill(&rr, 3, names, (uint64_t[3]){ val(0), val(1), vals[2] });
	slen = t_stack_fill(&ss, 0, 0, 16, (uint64_t[2]){ val(2), val(3) });
	if (extra & TRAMPFD_FASTWRITE) {
		t_note("%s: contexts in writable memory by design; %lu copies smashed, not asserted",
		       what, found);
		return;
	}
	((void (*)(void))t_slot(&t, 1))();
	t_expect_ctx(t.fd, 1, TRAMPFD_REGS_OFFSET, &rr, len, "regs pread after smashing");
	t_expect_ctx(t.fd, 1, TRAMPFD_STACK_OFFSET, &ss, slen, "stack pread after smashing");
	printf("%s: %lu copies in writable memory smashed, contexts intact\n", what, found);
	T_EXPECT(trampfd_close(t.fd), 0);
	T_EXPECT(trampfd_munmap(t.base), 0);
}

int main(void)
{
	t_init();
	if (getrandom(&key, sizeof(key), 0) != sizeof(key))
		key = (uint64_t)time(NULL) * 0x2545f4914f6cdd1dULL;
	t_grab_next = (void *)check_grab;
	one(0, t_cell);
	if (!(t_cell_flags & TRAMPFD_KERNEL))
		one(TRAMPFD_FASTWRITE, "FASTWRITE table");
	return t_pass();
}
#else
int main(void)
{
	t_skip("no register harness for this architecture yet");
}
#endif
