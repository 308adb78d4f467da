// SPDX-License-Identifier: MIT
/*
 * docs/design.md §4, W^X: once tables exist, are written, mapped and called, no
 * mapping is writable and executable; no executable file mapping is also
 * mapped writable and shared anywhere; no executable memfd, /tmp or
 * /dev/shm mapping; the table mapping itself is not writable.
 */
#include <pthread.h>
#include <sys/mman.h>
#include <unistd.h>
#include "t.h"

#define MAXX 256
static struct { unsigned long maj, min, ino; char path[256]; } xs[MAXX];
static int nx;
static uintptr_t tbl_lo, tbl_hi;
static char self[4096];	/* this test may itself live in /tmp */

static int wx(const struct t_map *m, void *arg)
{
	if (m->perms[1] == 'w' && m->perms[2] == 'x')
		t_fail("writable and executable: %lx-%lx %s %s", m->lo, m->hi,
		       m->perms, m->path);
	if (m->perms[2] == 'x') {
		if (!strncmp(m->path, "/memfd:", 7))
			t_fail("executable memfd: %lx-%lx %s", m->lo, m->hi, m->path);
		if ((!strncmp(m->path, "/tmp/", 5) || !strncmp(m->path, "/dev/shm/", 9)) &&
		    strcmp(m->path, self))
			t_fail("executable temporary file: %lx-%lx %s", m->lo, m->hi, m->path);
		if (m->ino && nx < MAXX) {
			xs[nx].maj = m->dev_maj;
			xs[nx].min = m->dev_min;
			xs[nx].ino = m->ino;
			snprintf(xs[nx].path, sizeof(xs[nx].path), "%s", m->path);
			nx++;
		}
	}
	if (m->lo < tbl_hi && tbl_lo < m->hi && m->perms[1] == 'w')
		t_fail("the table mapping is writable: %lx-%lx %s", m->lo, m->hi, m->perms);
	return 0;
}

static int alias(const struct t_map *m, void *arg)
{
	int i;

	if (m->perms[1] != 'w' || m->perms[3] != 's' || !m->ino)
		return 0;
	for (i = 0; i < nx; i++)
		if (xs[i].maj == m->dev_maj && xs[i].min == m->dev_min && xs[i].ino == m->ino)
			t_fail("executable file %s also mapped writable and shared: %lx-%lx %s",
			       xs[i].path, m->lo, m->hi, m->perms);
	return 0;
}

static void *call_in_thread(void *p)
{
	return (void *)(uintptr_t)((t_fn0)p)();
}

int main(void)
{
	struct t_table t1, t2, t3;
	struct t_stack s;
	pthread_t th;
	void *res;
	size_t len;
	unsigned int i;

	t_init();
	if (readlink("/proc/self/exe", self, sizeof(self) - 1) < 0)
		self[0] = 0;
	t_table(&t1, 1, 0);
	t_table(&t2, 300, 0);
	t_set_call_ok(t1.fd, 0, (void *)t_ret_arg0, 1);
	len = t_stack_fill(&s, 0, 0, 16, "0123456789abcdef");
	for (i = 0; i < 300; i++) {
		t_set_call_ok(t2.fd, i, (void *)t_ret_arg0, i);
		T_EXPECT(trampfd_pwrite(t2.fd, &s, len, TRAMPFD_OFFSET(i, TRAMPFD_STACK_OFFSET)), len);
	}
	T_EXPECT(((t_fn0)t_slot(&t1, 0))(), 1);
	for (i = 0; i < 300; i++)
		T_EXPECT(((t_fn0)t_slot(&t2, i))(), i);
	T_ASSERT(!pthread_create(&th, NULL, call_in_thread, t_slot(&t2, 7)), "pthread_create");
	pthread_join(th, &res);
	T_EXPECT((uintptr_t)res, 7);
	if (!(t_cell_flags & TRAMPFD_KERNEL)) {
		t_table(&t3, 4, TRAMPFD_FASTWRITE);
		t_set_call_ok(t3.fd, 3, (void *)t_ret_arg0, 3);
		T_EXPECT(((t_fn0)t_slot(&t3, 3))(), 3);
	}

	tbl_lo = (uintptr_t)t2.base;
	tbl_hi = tbl_lo + t2.map.size;
	t_maps_each(wx, NULL);
	T_ASSERT(nx > 0, "no executable mapping found: the scan is broken");
	t_maps_each(alias, NULL);
	/* Still true after close (user provider may drop fds, not mappings). */
	T_EXPECT(trampfd_close(t1.fd), 0);
	T_EXPECT(trampfd_close(t2.fd), 0);
	nx = 0;
	t_maps_each(wx, NULL);
	t_maps_each(alias, NULL);
	return t_pass();
}
