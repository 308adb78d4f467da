/* SPDX-License-Identifier: MIT */
/*
 * Shared by the fault-injection programs: one API pass whose every step
 * must either succeed and work, or fail with a clean -errno that does not
 * blame the caller; and a child runner that captures a failing child's
 * last stderr line.
 */
#ifndef INJECT_COMMON_H
#define INJECT_COMMON_H

#include <errno.h>
#include <fcntl.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>
#include "t.h"
#include "inject.h"

static unsigned int ic_flags;	/* the cell's create flags */
/* Clean failures seen, in memory shared with the parent (if set). */
static unsigned long *ic_errs;
static const char *ic_cell;

/* TRAMPFD_CELL, user cells only (the kernel cells have their own tests). */
static void ic_cell_from_env(void)
{
	const char *c = getenv("TRAMPFD_CELL");

	ic_cell = c && *c ? c : "default";
	if (!strcmp(ic_cell, "user-fault"))
		ic_flags = TRAMPFD_NOKERNEL | TRAMPFD_FAULT;
	else if (!strcmp(ic_cell, "user-code"))
		ic_flags = TRAMPFD_NOKERNEL | TRAMPFD_CODE;
	else
		t_skip("fault injection covers the user cells; %s is not one", ic_cell);
}

/* Errnos that would tell the caller its arguments were wrong. */
static void ic_clean(long r, const char *what, int allow)
{
	if (r >= 0)
		return;
	if (ic_errs)
		__atomic_add_fetch(ic_errs, 1, __ATOMIC_RELAXED);
	if (getenv("INJECT_VERBOSE"))
		fprintf(stderr, "  %s: %s\n", what, strerror((int)-r));
	if (r < -4095)
		t_fail("%s: %ld is not a -errno", what, r);
	if (-r == allow)
		return;
	if (r == -EINVAL || r == -EBADF || r == -EFAULT || r == -EPERM)
		t_fail("%s: %s after a resource failure blames the caller", what,
		       strerror((int)-r));
}

static uint64_t ic_call(void *p)
{
	uint64_t ret = 0;
	int sig = t_sig_call_tramp(p, &ret);

	if (sig)
		t_fail("a trampoline the library said was ready raised %s", t_signame(sig));
	return ret;
}

static int ic_weak;	/* store mappings seen accepting PROT_WRITE */

static int ic_weak_cb(const struct t_map *m, void *arg)
{
	if (strncmp(m->path, "/memfd:trampfd ", 15) && strcmp(m->path, "/memfd:trampfd"))
		return 0;
	if (!mprotect((void *)m->lo, m->hi - m->lo, PROT_READ | PROT_WRITE)) {
		mprotect((void *)m->lo, m->hi - m->lo, PROT_READ);
		(*(int *)arg)++;
	}
	return 0;
}

/*
 * Create, write two contexts, read back, map, call, rewrite while mapped
 * and call again, unmap, close. Returns 1 if every step succeeded.
 * allow: an errno the current fault may legitimately produce (or 0).
 */
static int ic_pass(uint64_t v, int allow)
{
	const size_t len = sizeof(struct trampfd_regs) + 2 * sizeof(struct trampfd_reg);
	struct trampfd_map map;
	long r0, r1, r;
	int fd, all = 1, mapped = 0;
	void *base = NULL;

	fd = t_create_raw(4, ic_flags);
	ic_clean(fd, "trampfd_create", allow);
	if (fd < 0)
		return 0;
	r0 = t_set_call(fd, 0, (void *)t_ret_arg0, v);
	ic_clean(r0, "pwrite(REGS 0)", allow);
	r1 = t_set_call(fd, 3, (void *)t_ret_arg0, v ^ 1);
	ic_clean(r1, "pwrite(REGS 3)", allow);
	all &= r0 == (long)len && r1 == (long)len;
	r = trampfd_pread(fd, &map, sizeof(map), TRAMPFD_MAP_OFFSET);
	ic_clean(r, "pread(MAP)", allow);
	inj_pause(1);
	t_maps_each(ic_weak_cb, &ic_weak);
	inj_pause(0);
	if (r == sizeof(map)) {
		r = trampfd_mmap(fd, &base);
		ic_clean(r, "trampfd_mmap", allow);
		mapped = !r;
	}
	all &= mapped;
	if (mapped && r0 == (long)len) {
		void *p = trampfd_addr(base, &map, 0);

		T_EXPECT(ic_call(p), v);
		/* A failed rewrite changes nothing; a good one takes effect. */
		r = t_set_call(fd, 0, (void *)t_ret_arg0, v + 2);
		ic_clean(r, "pwrite(REGS 0) while mapped", allow);
		T_EXPECT(ic_call(p), r == (long)len ? v + 2 : v);
		all &= r == (long)len;
	}
	if (mapped && r1 == (long)len)
		T_EXPECT(ic_call(trampfd_addr(base, &map, 3)), v ^ 1);
	T_EXPECT(trampfd_close(fd), 0);
	if (mapped)
		T_EXPECT(trampfd_munmap(base), 0);
	return all;
}

/* A table made before the fault, checked after it. */
struct ic_witness {
	int fd;
	void *base;
	struct trampfd_map map;
	uint64_t v;
};

static void ic_witness_make(struct ic_witness *w, uint64_t v)
{
	w->v = v;
	w->fd = t_create_raw(2, ic_flags);
	if (w->fd < 0)
		t_fail("witness: trampfd_create: %s", strerror(-w->fd));
	t_set_call_ok(w->fd, 1, (void *)t_ret_arg0, v);
	T_EXPECT(trampfd_pread(w->fd, &w->map, sizeof(w->map), TRAMPFD_MAP_OFFSET),
		 sizeof(w->map));
	T_EXPECT(trampfd_mmap(w->fd, &w->base), 0);
	T_EXPECT(ic_call(trampfd_addr(w->base, &w->map, 1)), v);
}

static void ic_witness_check(const struct ic_witness *w, const char *what)
{
	uint64_t r = ic_call(trampfd_addr(w->base, &w->map, 1));

	if (r != w->v)
		t_fail("%s: the witness trampoline returned %#llx, want %#llx", what,
		       (unsigned long long)r, (unsigned long long)w->v);
}

static __attribute__((unused)) void ic_witness_drop(struct ic_witness *w)
{
	T_EXPECT(trampfd_close(w->fd), 0);
	T_EXPECT(trampfd_munmap(w->base), 0);
}

struct ic_counts {
	int fds, maps;
};

/* Child body: skip when the cell is unavailable, fail on any other error. */
static __attribute__((unused)) int ic_probe(void *arg)
{
	int fd = t_create_raw(1, ic_flags);

	if (fd == -ENODEV || fd == -EOPNOTSUPP)
		t_skip("cell %s unavailable: trampfd_create: %s", ic_cell, strerror(-fd));
	if (fd < 0)
		t_fail("cell %s: trampfd_create: %s", ic_cell, strerror(-fd));
	return 0;
}

static struct ic_counts ic_count(void)
{
	struct ic_counts c = { t_count_fds(), t_count_maps() };

	return c;
}

static void ic_same(struct ic_counts a, struct ic_counts b, const char *what)
{
	if (a.fds != b.fds || a.maps != b.maps)
		t_fail("%s: fds %d -> %d, mappings %d -> %d", what, a.fds, b.fds,
		       a.maps, b.maps);
}

/*
 * Runs fn(arg) in a child; returns its exit status (>= 0) or -signal. A
 * failing child's last stderr line is copied to *why (and its whole
 * stderr to ours).
 */
static int ic_child(int (*fn)(void *), void *arg, char *why, size_t whylen)
{
	char buf[4096], line[512] = "", last[512] = "";
	size_t ll = 0;
	int p[2], st;
	pid_t pid;
	ssize_t n, k;

	if (pipe(p))
		t_fail("pipe");
	pid = fork();
	if (pid < 0)
		t_fail("fork");
	if (!pid) {
		close(p[0]);
		dup2(p[1], 2);
		_exit(fn(arg));
	}
	close(p[1]);
	/* The child writes a line in pieces: assemble it across reads. */
	while ((n = read(p[0], buf, sizeof(buf))) > 0) {
		if (fwrite(buf, 1, n, stderr) != (size_t)n)
			break;
		for (k = 0; k < n; k++) {
			if (buf[k] != '\n') {
				if (ll < sizeof(line) - 1)
					line[ll++] = buf[k];
				continue;
			}
			line[ll] = 0;
			if (ll)
				memcpy(last, line, ll + 1);
			ll = 0;
		}
	}
	close(p[0]);
	if (waitpid(pid, &st, 0) != pid)
		t_fail("waitpid");
	if (why)
		snprintf(why, whylen, "%s", last);
	return WIFEXITED(st) ? WEXITSTATUS(st) : -WTERMSIG(st);
}

#endif
