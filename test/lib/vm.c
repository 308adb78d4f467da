// SPDX-License-Identifier: MIT
/* The process's mapped size, from /proc/self/statm. */
#include <unistd.h>
#include "t.h"

long t_vm_bytes(void)
{
	long pages = 0;
	FILE *f = fopen("/proc/self/statm", "r");

	if (f) {
		if (fscanf(f, "%ld", &pages) != 1)
			pages = 0;
		fclose(f);
	}
	return pages * sysconf(_SC_PAGESIZE);
}
