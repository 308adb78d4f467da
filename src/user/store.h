/* SPDX-License-Identifier: MIT */
/*
 * The user provider's context store, shared by its fault and code modes.
 *
 * Contexts live in a memfd that the process maps read-only through a
 * read-only file description, so no store (and no mprotect) can change
 * them: only the library's pwrite() on the memfd does. TRAMPFD_FASTWRITE
 * tables keep the same layout in private writable memory instead.
 */
#ifndef TRAMPFD_USER_H
#define TRAMPFD_USER_H

#include <pthread.h>
#include "internal.h"
#include "user/anchor.h"

#define UT_LR_BUCKETS	64

/* Page 0 of the store: the table's own state, also read-only to the process. */
struct ut_header {
	uint32_t n;
	uint32_t pcs_set;		/* allowed-PC list written */
	uint32_t regs_written;		/* a register context was ever written */
	uint32_t npcs;
	uint64_t pcs[TRAMPFD_MAX_PCS];
};

struct ut_ops;

struct ut_table {
	struct tfd_handle h;		/* first: the api layer's view */
	const struct ut_ops *store;	/* the mode's record layout */
	unsigned int anchor;		/* tfd_anchors.ut[]: the store's view and fd */
	bool fastwrite;
	unsigned long fork_gen;		/* tfd_fork_gen when the memfd was ours alone */
	pthread_mutex_t lock;		/* serialises writers */
	_Atomic int refs;		/* the fd and each mapping */
	struct ut_table *next_live;
	/* The mode's own teardown, run by the last ut_put before the free. */
	void (*release)(struct ut_table *t);
	/* Left-right reader counts for the fault handler (src/user-fault/fault.c). */
	_Atomic unsigned int lr[UT_LR_BUCKETS][2];
};

/*
 * t's anchor (src/user/anchor.h), checked to be t's: the view, read-only
 * unless fastwrite, and the fd come only from there. A mismatch means the
 * library's writable state was forged: the process is aborted.
 */
const struct ut_anchor *ut_anchor(const struct ut_table *t) TFD_HIDDEN;
static inline unsigned char *ut_view(const struct ut_table *t)
{
	return (unsigned char *)(uintptr_t)ut_anchor(t)->view;
}

int ut_create(struct ut_table *t, unsigned int n, unsigned int uflags,
	      size_t store_len) TFD_HIDDEN;
void ut_put(struct ut_table *t) TFD_HIDDEN;
/* Writers: call with t->lock held, after ut_prepare_write(). */
int ut_prepare_write(struct ut_table *t) TFD_HIDDEN;
int ut_store(struct ut_table *t, size_t off, const void *buf, size_t len) TFD_HIDDEN;
const struct ut_header *ut_hdr(const struct ut_table *t) TFD_HIDDEN;
/* Table-level contexts shared by both modes (allowed PCs). */
ssize_t ut_write_pcs(struct ut_table *t, const void *buf, size_t len) TFD_HIDDEN;
void ut_fill_pcs(const struct ut_table *t, struct tfd_pcs *p) TFD_HIDDEN;
int ut_close(struct tfd_handle *h) TFD_HIDDEN;
/* A sealed-size memfd of len bytes, or -errno. */
int ut_new_memfd(size_t len) TFD_HIDDEN;
/* fd's first len bytes read-only at addr (or anywhere), through an O_RDONLY description. */
void *ut_map_view(int fd, size_t len, off_t off, void *addr) TFD_HIDDEN;
/* Why the user provider cannot run here, or NULL. */
int ut_available(const char **why) TFD_HIDDEN;

#endif
