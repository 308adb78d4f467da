// SPDX-License-Identifier: MIT
/*
 * The table can never become writable: mmap with PROT_WRITE and
 * mprotect(PROT_WRITE) fail, a wrong size or offset is refused, and no
 * mapping in /proc/self/maps is both writable and executable. A code
 * table's mapping cannot be moved (its body pointers are absolute).
 */
#include "kt.h"

static void maps_no_wx(void)
{
	FILE *f = fopen("/proc/self/maps", "r");
	char line[512];

	if (!f)
		kt_fail("open maps");
	while (fgets(line, sizeof(line), f)) {
		char perm[5];

		if (sscanf(line, "%*x-%*x %4s", perm) == 1 &&
		    perm[1] == 'w' && perm[2] == 'x')
			kt_fail("W+X mapping: %s", line);
	}
	fclose(f);
}

int main(void)
{
	int m;

	for (m = 0; m < 2; m++) {
		struct trampfd_map map;
		int fd = kt_create(kt_mode_flags[m], 10);
		void *p, *q;

		if (fd < 0)
			kt_fail("create: %s", strerror(-fd));
		KT_EQ(pread(fd, &map, sizeof(map), TRAMPFD_MAP_OFFSET), 24);
		if (map.prot & PROT_WRITE)
			kt_fail("map.prot has PROT_WRITE");
		p = mmap(NULL, map.size, map.prot | PROT_WRITE, map.flags, fd, 0);
		if (p != MAP_FAILED)
			kt_fail("%s: mmap with PROT_WRITE worked", kt_modes[m]);
		p = mmap(NULL, map.size, PROT_READ | PROT_WRITE, MAP_PRIVATE, fd, 0);
		if (p != MAP_FAILED)
			kt_fail("%s: private writable mmap worked", kt_modes[m]);
		p = mmap(NULL, map.size + 4096, map.prot, map.flags, fd, 0);
		if (p != MAP_FAILED)
			kt_fail("%s: oversized mmap worked", kt_modes[m]);
		p = mmap(NULL, map.size, map.prot, map.flags, fd, 4096);
		if (p != MAP_FAILED)
			kt_fail("%s: mmap at offset 4096 worked", kt_modes[m]);
		p = kt_map(fd, &map);
		KT_EQ(mprotect(p, map.size, map.prot | PROT_WRITE), -EACCES);
		KT_EQ(mprotect(p, 4096, PROT_READ | PROT_WRITE), -EACCES);
		maps_no_wx();
		if (m == 1) {
			q = mremap(p, map.size, map.size, MREMAP_MAYMOVE | MREMAP_FIXED,
				   (char *)p + (1UL << 32));
			if (q != MAP_FAILED)
				kt_fail("code: mremap moved the table");
			/* Still works in place: a second mapping is refused. */
			q = mmap(NULL, map.size, map.prot, map.flags, fd, 0);
			if (q != MAP_FAILED)
				kt_fail("code: second mapping in one process worked");
		}
		munmap(p, map.size);
		close(fd);
	}
	return 0;
}
