// SPDX-License-Identifier: MIT
/*
 * docs/design.md §4: no /tmp files. With tables of every kind created, mapped and
 * called, no fd or mapping of the process names a file under /tmp,
 * /var/tmp or /dev/shm (memfds are fine: they are no files); fds and
 * mappings the process had before the library ran are left out.
 */
#include <dirent.h>
#include <unistd.h>
#include "t.h"

static char self[4096];
static char *before[1024];	/* fd -> link at the start: inherited ones */

static int tmp_path(const char *p)
{
	return (!strncmp(p, "/tmp/", 5) || !strncmp(p, "/var/tmp/", 9) ||
		!strncmp(p, "/dev/shm/", 9)) && strcmp(p, self);
}

static char *maps_before[256];	/* paths mapped before the library ran */

static int remember(const struct t_map *m, void *arg)
{
	int *n = arg;

	if (tmp_path(m->path) && *n < 256)
		maps_before[(*n)++] = strdup(m->path);
	return 0;
}

static int in_maps(const struct t_map *m, void *arg)
{
	int i;

	for (i = 0; i < 256 && maps_before[i]; i++)
		if (!strcmp(maps_before[i], m->path))
			return 0;
	if (tmp_path(m->path))
		t_fail("mapping of a temporary file: %lx-%lx %s %s", m->lo, m->hi,
		       m->perms, m->path);
	return 0;
}

/* snap: remember the links; else fail on new ones into temporary dirs. */
static void scan_fds(int snap)
{
	DIR *d = opendir("/proc/self/fd");
	struct dirent *e;
	char p[300], l[4096];
	ssize_t n;
	int fd;

	T_ASSERT(d, "opendir /proc/self/fd");
	while ((e = readdir(d))) {
		if (e->d_name[0] == '.')
			continue;
		snprintf(p, sizeof(p), "/proc/self/fd/%s", e->d_name);
		n = readlink(p, l, sizeof(l) - 1);
		if (n < 0)
			continue;
		l[n] = 0;
		fd = atoi(e->d_name);
		if (snap) {
			if (fd >= 0 && fd < 1024)
				before[fd] = strdup(l);
			continue;
		}
		if (fd >= 0 && fd < 1024 && before[fd] && !strcmp(before[fd], l))
			continue;
		if (tmp_path(l))
			t_fail("fd %s is a temporary file: %s", e->d_name, l);
	}
	closedir(d);
}

int main(void)
{
	struct t_table a, b;
	int nb = 0;

	scan_fds(1);
	t_maps_each(remember, &nb);	/* e.g. a sanitizer's own files */
	t_init();
	if (readlink("/proc/self/exe", self, sizeof(self) - 1) < 0)
		self[0] = 0;
	t_table(&a, 1, 0);
	t_table(&b, 4096, 0);
	t_set_call_ok(a.fd, 0, (void *)t_ret_arg0, 1);
	t_set_call_ok(b.fd, 4095, (void *)t_ret_arg0, 2);
	T_EXPECT(((t_fn0)t_slot(&a, 0))(), 1);
	T_EXPECT(((t_fn0)t_slot(&b, 4095))(), 2);
	if (!(t_cell_flags & TRAMPFD_KERNEL)) {
		struct t_table c;

		t_table(&c, 2, TRAMPFD_FASTWRITE);
		t_set_call_ok(c.fd, 1, (void *)t_ret_arg0, 3);
		T_EXPECT(((t_fn0)t_slot(&c, 1))(), 3);
	}
	scan_fds(0);
	t_maps_each(in_maps, NULL);
	return t_pass();
}
