// SPDX-License-Identifier: MIT
/* /proc/self/maps and /proc/self/fd, read without allocating per line. */
#include <dirent.h>
#include "t.h"

int t_maps_each(int (*cb)(const struct t_map *m, void *arg), void *arg)
{
	FILE *f = fopen("/proc/self/maps", "re");
	char line[512];
	int r = 0;

	if (!f)
		t_fail("cannot open /proc/self/maps");
	while (!r && fgets(line, sizeof(line), f)) {
		struct t_map m;
		int n = 0;

		memset(&m, 0, sizeof(m));
		if (sscanf(line, "%lx-%lx %4s %llx %lx:%lx %lu %n", &m.lo, &m.hi,
			   m.perms, &m.off, &m.dev_maj, &m.dev_min, &m.ino, &n) < 7)
			t_fail("cannot parse maps line: %s", line);
		line[strcspn(line, "\n")] = 0;
		snprintf(m.path, sizeof(m.path), "%s", line + n);
		r = cb(&m, arg);
	}
	fclose(f);
	return r;
}

static int count_cb(const struct t_map *m, void *arg)
{
	(*(int *)arg)++;
	return 0;
}

int t_count_maps(void)
{
	int n = 0;

	t_maps_each(count_cb, &n);
	return n;
}

int t_count_fds(void)
{
	DIR *d = opendir("/proc/self/fd");
	struct dirent *e;
	int n = 0;

	if (!d)
		t_fail("cannot open /proc/self/fd");
	while ((e = readdir(d)))
		if (e->d_name[0] != '.')
			n++;
	closedir(d);
	return n - 1;	/* the directory's own fd */
}
