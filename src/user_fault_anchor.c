// SPDX-License-Identifier: MIT
/*
 * User provider, fault mode: where the SIGSEGV handler finds a table's
 * store. Each mapping's anchor {start, len, view, n} lives in uf_anchors,
 * an array in the library's own bss that is replaced at first use by a
 * read-only view of a memfd (MAP_FIXED over the same addresses), so the
 * handler reaches it PC-relative and no pointer to it sits in writable
 * memory. Only uf_anchor_set()'s pwrite changes it: an attacker who can
 * write memory cannot point the handler at a forged store.
 *
 * fork: the child's view would still share the parent's memfd, so the
 * child moves to a copy of its own at once (uf_anchor_fork_child); if that
 * fails, the child maps no new fault-mode tables (-ENOMEM), keeping the
 * ones it has.
 */
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>
#include "user_fault.h"

/* Page-aligned and a page multiple for every page size (4K, 16K, 64K). */
#define UF_ANCHOR_ALIGN	65536
_Static_assert(sizeof(struct uf_anchor) * UF_MAX_REGIONS % UF_ANCHOR_ALIGN == 0,
	       "uf_anchors must cover whole 64K pages");

/*
 * Not const: the compiler must not fold loads of a zero-initialised
 * object; the pages are read-only all the same once mapped over.
 */
struct uf_anchor uf_anchors[UF_MAX_REGIONS] __attribute__((aligned(UF_ANCHOR_ALIGN)));
static int anchor_fd = -1;
static bool anchor_shared;	/* a child that could not copy the parent's */

int uf_anchor_init(void)
{
	int fd;

	if (anchor_fd >= 0)
		return 0;
	fd = ut_new_memfd(sizeof(uf_anchors));
	if (fd < 0)
		return fd;
	if (ut_map_view(fd, sizeof(uf_anchors), (void *)uf_anchors) == MAP_FAILED) {
		int err = -errno;

		close(fd);
		return err;
	}
	anchor_fd = fd;
	return 0;
}

int uf_anchor_set(unsigned int i, const struct uf_anchor *a)
{
	off_t off = (off_t)i * sizeof(*a);

	if (anchor_fd < 0 || anchor_shared)
		return -ENOMEM;
	return pwrite(anchor_fd, a, sizeof(*a), off) == sizeof(*a) ? 0 : -ENOMEM;
}

void uf_anchor_fork_child(void)
{
	int fd;

	if (anchor_fd < 0)
		return;
	fd = ut_new_memfd(sizeof(uf_anchors));
	if (fd >= 0 && pwrite(fd, uf_anchors, sizeof(uf_anchors), 0) == sizeof(uf_anchors) &&
	    ut_map_view(fd, sizeof(uf_anchors), (void *)uf_anchors) != MAP_FAILED &&
	    dup3(fd, anchor_fd, O_CLOEXEC) >= 0) {
		close(fd);
		return;
	}
	if (fd >= 0)
		close(fd);
	anchor_shared = true;
}
