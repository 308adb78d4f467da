// SPDX-License-Identifier: MIT
/*
 * The largest table, TRAMPFD_MAX_TRAMPOLINES (2^24; the 100 million
 * live trampolines of docs/design.md §5 take several tables): created, described by a map whose
 * 32-bit size covers every slot, mapped with a handful of mappings, its
 * first, middle and last trampolines called, then freed.
 */
#include <errno.h>
#include "t.h"

int main(void)
{
	const unsigned int n = TRAMPFD_MAX_TRAMPOLINES;
	const unsigned int idx[3] = { 0, n / 2 + 1, n - 1 };
	struct t_table t;
	int maps0, fds0;
	unsigned int i;

	t_init();
	maps0 = t_count_maps();
	fds0 = t_count_fds();
	i = t_create_raw(n, t_cell_flags);
	if ((int)i == -ENOMEM) {
		unsigned int k = 23;
		int fd;

		/* Say how far it does go. */
		while (k > 0 && (fd = t_create_raw(1U << k, t_cell_flags)) < 0)
			k--;
		if (k > 0)
			trampfd_close(fd);
		t_skip("%s: a table of TRAMPFD_MAX_TRAMPOLINES (2^24): -ENOMEM; largest power of two: 2^%u",
		       t_cell, k);
	}
	if ((int)i < 0)
		t_fail("trampfd_create(n = TRAMPFD_MAX_TRAMPOLINES): %s, want a table",
		       strerror(-(int)i));
	T_EXPECT(trampfd_close((int)i), 0);
	t_table(&t, n, 0);	/* checks ioffset + n * stride <= size */
	for (i = 0; i < 3; i++)
		t_set_call_ok(t.fd, idx[i], (void *)t_ret_arg0, 0xb16000000ULL + idx[i]);
	for (i = 0; i < 3; i++)
		T_EXPECT(((t_fn0)t_slot(&t, idx[i]))(), 0xb16000000ULL + idx[i]);
	T_EXPECT(t_sig_call_tramp(t_slot(&t, 1), NULL), SIGSEGV);
	/*
	 * Per-slot mappings would be millions: a mapping must cover at least
	 * 1024 slots; a sanitizer adds a few dozen of its own.
	 */
	T_ASSERT(t_count_maps() - maps0 <= (int)(n / 1024) + 256,
		 "a table of 2^24 took %d mappings", t_count_maps() - maps0);
	T_EXPECT(trampfd_close(t.fd), 0);
	T_EXPECT(trampfd_munmap(t.base), 0);
	T_ASSERT(t_count_fds() == fds0, "fds left behind");
	T_ASSERT(t_count_maps() <= maps0 + 64, "mappings left behind: %d before, %d after",
		 maps0, t_count_maps());
	return t_pass();
}
