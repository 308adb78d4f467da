// SPDX-License-Identifier: MIT
/*
 * docs/design.md §5: 100 million live trampolines (96 tables of 2^20) fit in one
 * process without exhausting vm.max_map_count; one slot of each table is
 * written and called, then everything is freed. The user provider's
 * promise: kernel cells skip.
 */
#include "t.h"

enum { TABLES = 96, PER = 1 << 20 };

int main(void)
{
	static struct t_table t[TABLES];
	unsigned int i;
	long max = 65530;
	int maps0, peak;
	FILE *f;

	t_init();
	if (t_cell_flags & TRAMPFD_KERNEL)
		t_skip("%s: 100 million live trampolines is the user provider's promise", t_cell);
	f = fopen("/proc/sys/vm/max_map_count", "re");
	if (f) {
		if (fscanf(f, "%ld", &max) != 1)
			max = 65530;
		fclose(f);
	}
	maps0 = t_count_maps();
	for (i = 0; i < TABLES; i++) {
		unsigned int k = (i * 7919u) % PER;

		t_table(&t[i], PER, 0);
		t_set_call_ok(t[i].fd, k, (void *)t_ret_arg0, 0x100000000ULL * i + k);
		T_EXPECT(((t_fn0)t_slot(&t[i], k))(), 0x100000000ULL * i + k);
	}
	peak = t_count_maps();
	/* All still callable once all exist. */
	for (i = 0; i < TABLES; i++) {
		unsigned int k = (i * 7919u) % PER;

		T_EXPECT(((t_fn0)t_slot(&t[i], k))(), 0x100000000ULL * i + k);
	}
	printf("%d live trampolines: %d mappings (vm.max_map_count %ld)\n",
	       TABLES * PER, peak - maps0, max);
	/* Creating them all was the test; a heavy share is worth a note. */
	if (peak - maps0 > max / 2)
		t_note("%d mappings for 100M trampolines: %ld%% of vm.max_map_count",
		       peak - maps0, (peak - maps0) * 100L / max);
	for (i = 0; i < TABLES; i++) {
		T_EXPECT(trampfd_close(t[i].fd), 0);
		T_EXPECT(trampfd_munmap(t[i].base), 0);
	}
	return t_pass();
}
