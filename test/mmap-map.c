// SPDX-License-Identifier: MIT
/*
 * Mapping (docs/design.md §2): struct trampfd_map describes the mapping that
 * trampfd_mmap makes (size covered; the slots have map.prot; nothing in it
 * is writable); trampfd_addr is
 * base + ioffset + i * stride; trampfd_mmap(fd, NULL) and trampfd_munmap of
 * an address that is not a table's base are refused.
 */
#include <errno.h>
#include <sys/mman.h>
#include "t.h"

static const struct t_table *cur;
static int seen;
static unsigned int cur_n;

static int find(const struct t_map *m, void *arg)
{
	uintptr_t b = (uintptr_t)cur->base;
	char want[4] = { cur->map.prot & PROT_READ ? 'r' : '-',
			 cur->map.prot & PROT_WRITE ? 'w' : '-',
			 cur->map.prot & PROT_EXEC ? 'x' : '-', 0 };

	uintptr_t s0 = b + cur->map.ioffset, s1 = s0 + (uintptr_t)cur_n * cur->map.stride;

	if (m->hi <= b || m->lo >= b + cur->map.size)
		return 0;
	seen += (int)((m->hi < b + cur->map.size ? m->hi : b + cur->map.size) -
		      (m->lo > b ? m->lo : b));
	if (m->perms[1] == 'w')
		t_fail("table mapping %lx-%lx is writable (%s)", m->lo, m->hi, m->perms);
	/* The slots have map.prot; other parts (data) may differ. */
	if (m->lo < s1 && s0 < m->hi && strncmp(m->perms, want, 3))
		t_fail("table mapping %lx-%lx is %s, map.prot says %s", m->lo, m->hi,
		       m->perms, want);
	return 0;
}

int main(void)
{
	unsigned int sizes[] = { 1, 2, 63, 64, 65, 1000 };
	struct t_table t;
	unsigned int s, i;

	t_init();
	for (s = 0; s < sizeof(sizes) / sizeof(sizes[0]); s++) {
		unsigned int n = sizes[s];

		t_table(&t, n, 0);
		T_ASSERT(!(t.map.prot & PROT_WRITE), "map.prot has PROT_WRITE");
		for (i = 0; i < n; i++)
			(void)t_slot(&t, i);	/* checks trampfd_addr */
		cur = &t;
		cur_n = n;
		seen = 0;
		t_maps_each(find, NULL);
		T_ASSERT((unsigned int)seen >= t.map.size, "table of %u: %d bytes mapped, map.size %u",
			 n, seen, t.map.size);
		t_set_call_ok(t.fd, n - 1, (void *)t_ret_arg0, n);
		T_EXPECT(((t_fn0)t_slot(&t, n - 1))(), n);
		T_EXPECT2(trampfd_mmap(t.fd, NULL), EFAULT, EINVAL);
		T_EXPECT(trampfd_munmap((char *)t.base + 1), -EINVAL);
		T_EXPECT(trampfd_munmap((char *)t_slot(&t, n - 1) + t.map.stride), -EINVAL);
		T_EXPECT(trampfd_close(t.fd), 0);
		T_EXPECT(trampfd_munmap(t.base), 0);
	}
	return t_pass();
}
