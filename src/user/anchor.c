// SPDX-License-Identifier: MIT
/*
 * The user provider's anchors (src/user/anchor.h): one array in the library's
 * own bss, replaced at first use by a read-only view of a memfd (MAP_FIXED
 * over the same addresses), so the library reaches it PC-relative and no
 * pointer to it sits in writable memory. Only tfd_anchor_put()'s pwrite
 * changes it: an attacker who can write memory cannot point the library
 * at a forged store, fd or region. Users check the owner field against
 * the object asking, so swapping an index in writable memory gains nothing.
 *
 * fork: the child's view would still share the parent's memfd, so the
 * child moves to a copy of its own at once; if it cannot make a memfd, a
 * private read-only copy is moved over the array instead (the parent's
 * later changes must not reach the child), and the child creates and
 * maps no new user tables (-ENOMEM), keeping the ones it has.
 */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>
#include "user/store.h"
#include "user/anchor.h"

/* Page-aligned and a page multiple for every page size (4K, 16K, 64K). */
#define ANCHOR_ALIGN	65536
_Static_assert(sizeof(struct tfd_anchors) % ANCHOR_ALIGN == 0,
	       "tfd_anchors must cover whole 64K pages");

/*
 * Not const: the compiler must not fold loads of a zero-initialised
 * object; the pages are read-only all the same once mapped over.
 */
struct tfd_anchors tfd_anchors __attribute__((aligned(ANCHOR_ALIGN)));
static int anchor_fd = -1;
static bool anchor_shared;	/* a child that could not copy the parent's */
static pthread_mutex_t anchor_lock = PTHREAD_MUTEX_INITIALIZER;

int tfd_anchor_init(void)
{
	int fd, err = 0;

	pthread_mutex_lock(&anchor_lock);
	if (anchor_fd >= 0)
		goto out;
	fd = ut_new_memfd(sizeof(tfd_anchors));
	if (fd < 0) {
		err = fd;
		goto out;
	}
	if (ut_map_view(fd, sizeof(tfd_anchors), 0, (void *)&tfd_anchors) == MAP_FAILED) {
		err = -errno;
		close(fd);
		goto out;
	}
	anchor_fd = fd;
out:
	pthread_mutex_unlock(&anchor_lock);
	return err;
}

int tfd_anchor_put(const void *field, const void *val, size_t len)
{
	off_t off = (const char *)field - (const char *)&tfd_anchors;

	if (anchor_fd < 0 || anchor_shared)
		return -ENOMEM;
	return pwrite(anchor_fd, val, len, off) == (ssize_t)len ? 0 : -ENOMEM;
}

/* Copies the pages in use (a page of zeroes stays a hole). */
static int copy_anchors(int fd)
{
	static const unsigned char zero[4096];
	const unsigned char *p = (const unsigned char *)&tfd_anchors;
	size_t off;

	for (off = 0; off < sizeof(tfd_anchors); off += sizeof(zero))
		if (memcmp(p + off, zero, sizeof(zero)) &&
		    pwrite(fd, p + off, sizeof(zero), off) != sizeof(zero))
			return -1;
	return 0;
}

static void fork_child(void)
{
	int fd;

	if (anchor_fd < 0)
		return;
	fd = ut_new_memfd(sizeof(tfd_anchors));
	if (fd >= 0 && !copy_anchors(fd) &&
	    ut_map_view(fd, sizeof(tfd_anchors), 0, (void *)&tfd_anchors) != MAP_FAILED &&
	    dup3(fd, anchor_fd, O_CLOEXEC) >= 0) {
		close(fd);
		return;
	}
	if (fd >= 0)
		close(fd);
	anchor_shared = true;
	/* A frozen private copy: read-only, moved over the shared view. */
	{
		void *p = mmap(NULL, sizeof(tfd_anchors), PROT_READ | PROT_WRITE,
			       MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

		if (p == MAP_FAILED)
			return;
		memcpy(p, (const void *)&tfd_anchors, sizeof(tfd_anchors));
		if (mprotect(p, sizeof(tfd_anchors), PROT_READ) ||
		    mremap(p, sizeof(tfd_anchors), sizeof(tfd_anchors),
			   MREMAP_MAYMOVE | MREMAP_FIXED, (void *)&tfd_anchors) == MAP_FAILED)
			munmap(p, sizeof(tfd_anchors));
	}
}

void tfd_anchor_fork(int phase)
{
	if (phase == TFD_FORK_PREPARE) {
		pthread_mutex_lock(&anchor_lock);
		return;
	}
	if (phase == TFD_FORK_CHILD)
		fork_child();
	pthread_mutex_unlock(&anchor_lock);
}
