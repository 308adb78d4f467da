// SPDX-License-Identifier: MIT
/*
 * The user provider's context store: a memfd mapped read-only, written by
 * pwrite(). After fork() parent and child still share the memfd, so the
 * first write in either process after a fork first moves that process's
 * table to a private copy (copy-on-first-write, one table at a time), and
 * a fork waits for in-flight writes so no write straddles it.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>
#include "user/store.h"

#ifndef MFD_NOEXEC_SEAL
#define MFD_NOEXEC_SEAL 0x0008U
#endif

static _Atomic unsigned long fork_gen;
static pthread_mutex_t live_lock = PTHREAD_MUTEX_INITIALIZER;
static struct ut_table *live;
/* Every table's writer lock across fork (src/fork.c): the outermost locks. */
void tfd_user_table_fork(int phase)
{
	struct ut_table *t;

	if (phase == TFD_FORK_PREPARE) {
		pthread_mutex_lock(&live_lock);
		for (t = live; t; t = t->next_live)
			pthread_mutex_lock(&t->lock);
		return;
	}
	atomic_fetch_add(&fork_gen, 1);
	for (t = live; t; t = t->next_live) {
		/* Handlers in threads the child does not have left counts behind. */
		if (phase == TFD_FORK_CHILD)
			memset((void *)t->lr, 0, sizeof(t->lr));
		pthread_mutex_unlock(&t->lock);
	}
	pthread_mutex_unlock(&live_lock);
}

int ut_new_memfd(size_t len)
{
	int fd = memfd_create("trampfd", MFD_CLOEXEC | MFD_ALLOW_SEALING | MFD_NOEXEC_SEAL);

	if (fd < 0 && errno == EINVAL)	/* before 6.3: no exec seal to ask for */
		fd = memfd_create("trampfd", MFD_CLOEXEC | MFD_ALLOW_SEALING);
	if (fd < 0)
		return -errno;
	if (ftruncate(fd, len) < 0 ||
	    fcntl(fd, F_ADD_SEALS, F_SEAL_SHRINK | F_SEAL_GROW | F_SEAL_SEAL) < 0) {
		int err = -errno;

		close(fd);
		return err;
	}
	return fd;
}

/*
 * Maps the memfd from off read-only at addr (or anywhere): every read-only
 * view of a store (its contexts, the anchors, user-code's slot data) is
 * made here, by one rule (docs/design.md §4.2, §4.4). Through /proc an O_RDONLY
 * description of the same file gives a mapping without VM_MAYWRITE, so even
 * mprotect(PROT_WRITE) fails; without /proc the view is weaker, and says so.
 */
void *ut_map_view(int fd, size_t len, off_t off, void *addr)
{
	char path[64];
	/*
	 * NORESERVE changes nothing for a file mapping; qemu-user first
	 * reserves the range as shared anonymous memory, which without it
	 * is accounted: a 2^24-slot store (35 GB) then fails with ENOMEM.
	 */
	int flags = MAP_SHARED | MAP_NORESERVE | (addr ? MAP_FIXED : 0);
	void *p;
	int rfd;

	snprintf(path, sizeof(path), "/proc/self/fd/%d", fd);
	rfd = open(path, O_RDONLY | O_CLOEXEC);
	/* No /proc: the weaker view; any other failure (EMFILE...) is the caller's. */
	if (rfd < 0 && errno != ENOENT)
		return MAP_FAILED;
	p = mmap(addr, len, PROT_READ, flags, rfd >= 0 ? rfd : fd, off);
	if (rfd >= 0)
		close(rfd);
	return p;
}

/*
 * Asked at each user-cell create until it once succeeds: a memfd that worked
 * keeps working, and a policy added later refuses the create itself with its
 * own errno. A failure (EMFILE...) is asked again next time.
 */
int ut_available(const char **why)
{
	static _Atomic bool ok;
	int fd;

	if (atomic_load_explicit(&ok, memory_order_relaxed))
		return 0;
	fd = memfd_create("trampfd-probe", MFD_CLOEXEC | MFD_NOEXEC_SEAL);
	if (fd < 0 && errno == EINVAL)
		fd = memfd_create("trampfd-probe", MFD_CLOEXEC);
	if (fd < 0) {
		int err = -errno;

		*why = "memfd_create refused (seccomp or policy): contexts need a memfd";
		return err;
	}
	close(fd);
	atomic_store(&ok, true);
	return 0;
}

const struct ut_anchor *ut_anchor(const struct ut_table *t)
{
	const struct ut_anchor *a = &tfd_anchors.ut[t->anchor % UT_MAX_TABLES];

	if (a->owner != (uintptr_t)t)
		abort();
	return a;
}

/* A free anchor for t, filled; live_lock held. */
static int anchor_new(struct ut_table *t, void *view, size_t len, int fd)
{
	struct ut_anchor an = { (uintptr_t)t, (uintptr_t)view, len, fd };
	unsigned int i;

	for (i = 0; i < UT_MAX_TABLES; i++)
		if (!tfd_anchors.ut[i].owner)
			break;
	if (i == UT_MAX_TABLES)
		return -ENOMEM;
	t->anchor = i;
	return tfd_anchor_put(&tfd_anchors.ut[i], &an, sizeof(an));
}

int ut_create(struct ut_table *t, unsigned int n, unsigned int uflags, size_t store_len)
{
	struct ut_header hdr = { .n = n };
	size_t pg = (size_t)sysconf(_SC_PAGESIZE);
	void *view;
	int fd, err;

	err = tfd_anchor_init();
	if (err)
		return err;
	/*
	 * Whole pages: a user-mode emulator whose page is larger than the
	 * host's (qemu-user -p 65536) fakes a file mapping's partial last page
	 * with a private copy, which would stop seeing later pwrites.
	 */
	store_len = (store_len + pg - 1) & ~(pg - 1);
	t->fastwrite = uflags & TRAMPFD_FASTWRITE;
	t->h.n = n;
	atomic_init(&t->refs, 1);
	pthread_mutex_init(&t->lock, NULL);
	/* Even a fastwrite table has a memfd: it is the table's fd. */
	fd = ut_new_memfd(t->fastwrite ? 0 : store_len);
	if (fd < 0)
		return fd;
	if (uflags & TFD_CREATE_FD_HIGH)
		fd = tfd_fd_move_high(fd);
	t->h.fd = fd;
	if (t->fastwrite)
		view = mmap(NULL, store_len, PROT_READ | PROT_WRITE,
			    MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
	else
		view = ut_map_view(fd, store_len, 0, NULL);
	if (view == MAP_FAILED) {
		err = -errno;
		close(fd);
		return err;
	}
	t->fork_gen = atomic_load(&fork_gen);
	pthread_mutex_lock(&live_lock);
	err = anchor_new(t, view, store_len, fd);
	if (!err) {
		err = ut_store(t, 0, &hdr, sizeof(hdr));
		if (err)
			tfd_anchor_put(&tfd_anchors.ut[t->anchor], &(struct ut_anchor){ 0 },
				       sizeof(struct ut_anchor));
	}
	if (!err) {
		t->next_live = live;
		live = t;
	}
	pthread_mutex_unlock(&live_lock);
	if (err) {
		munmap(view, store_len);
		close(fd);
		return err;
	}
	return fd;
}

void ut_put(struct ut_table *t)
{
	const struct ut_anchor *a;
	struct ut_table **p;

	if (atomic_fetch_sub(&t->refs, 1) != 1)
		return;
	a = ut_anchor(t);
	if (t->release)
		t->release(t);
	munmap((void *)(uintptr_t)a->view, a->view_len);
	pthread_mutex_lock(&live_lock);
	for (p = &live; *p; p = &(*p)->next_live)
		if (*p == t) {
			*p = t->next_live;
			break;
		}
	tfd_anchor_put(a, &(struct ut_anchor){ 0 }, sizeof(*a));
	pthread_mutex_unlock(&live_lock);
	pthread_mutex_destroy(&t->lock);
	free(t);
}

int ut_close(struct tfd_handle *h)
{
	struct ut_table *t = (struct ut_table *)h;
	int err = close(h->fd) < 0 ? -errno : 0;

	ut_put(t);
	return err;
}

/* Copies the shared store into a memfd of our own, in place (see top). */
static int ut_unshare(struct ut_table *t)
{
	const struct ut_anchor *a = ut_anchor(t);
	unsigned char *view = (unsigned char *)(uintptr_t)a->view;
	off_t data, hole = 0;
	int fd, old = a->fd;

	fd = ut_new_memfd(a->view_len);
	if (fd < 0)
		return fd;
	for (;;) {
		data = lseek(old, hole, SEEK_DATA);
		if (data < 0)
			break;
		hole = lseek(old, data, SEEK_HOLE);
		if (hole < 0 || pwrite(fd, view + data, hole - data, data) != hole - data)
			goto fail;
	}
	/* MAP_FIXED swaps the pages under concurrent callers: same bytes, new file. */
	if (tfd_fdtab_renew(&t->h, fd) ||
	    ut_map_view(fd, a->view_len, 0, view) == MAP_FAILED ||
	    dup3(fd, old, O_CLOEXEC) < 0)
		goto fail;
	close(fd);
	t->fork_gen = atomic_load(&fork_gen);
	return 0;
fail:
	close(fd);
	return -ENOMEM;
}

int ut_prepare_write(struct ut_table *t)
{
	if (t->fastwrite || t->fork_gen == atomic_load(&fork_gen))
		return 0;
	return ut_unshare(t);
}

int ut_store(struct ut_table *t, size_t off, const void *buf, size_t len)
{
	const struct ut_anchor *a = ut_anchor(t);
	ssize_t r;

	if (off > a->view_len || len > a->view_len - off)
		return -EIO;
	if (t->fastwrite) {
		memcpy((unsigned char *)(uintptr_t)a->view + off, buf, len);
		return 0;
	}
	r = pwrite(a->fd, buf, len, off);
	if (r == (ssize_t)len)
		return 0;
	return r < 0 ? -errno : -EIO;
}

const struct ut_header *ut_hdr(const struct ut_table *t)
{
	return (const struct ut_header *)ut_view(t);
}

void ut_fill_pcs(const struct ut_table *t, struct tfd_pcs *p)
{
	const struct ut_header *hdr = ut_hdr(t);

	p->n = hdr->pcs_set ? hdr->npcs : 0;
	memcpy(p->pc, hdr->pcs, sizeof(p->pc));
}

ssize_t ut_write_pcs(struct ut_table *t, const void *buf, size_t len)
{
	struct ut_header hdr;
	struct tfd_pcs pcs;
	int err = tfd_check_pcs(buf, len, &pcs);

	if (err)
		return err;
	pthread_mutex_lock(&t->lock);
	memcpy(&hdr, ut_hdr(t), sizeof(hdr));
	if (hdr.pcs_set || hdr.regs_written) {
		err = -EPERM;
		goto out;
	}
	hdr.pcs_set = 1;
	hdr.npcs = pcs.n;
	memcpy(hdr.pcs, pcs.pc, sizeof(hdr.pcs));
	err = ut_prepare_write(t);
	if (!err)
		err = ut_store(t, 0, &hdr, sizeof(hdr));
out:
	pthread_mutex_unlock(&t->lock);
	return err ? err : (ssize_t)len;
}
