/* SPDX-License-Identifier: MIT */
/*
 * The user provider's anchors: what decides where a call goes that is not
 * in a table's own store, kept read-only (src/user/anchor.c): per table,
 * the store's view and fd; per fault-mode mapping, where the handler finds
 * its table; per code-mode mapping, the region a grace period may finish
 * calls in. docs/security.md: an arbitrary write cannot change them.
 */
#ifndef TRAMPFD_USER_ANCHOR_H
#define TRAMPFD_USER_ANCHOR_H

#include <stdint.h>
#include "internal.h"

#define UT_MAX_TABLES	65536		/* live user-provider tables */
#define UF_MAX_REGIONS	4096		/* fault-mode mappings */
#define UC_MAX_REGIONS	16384		/* code-mode mappings */

/* A table's store: only the table at owner may use it. */
struct ut_anchor {
	uint64_t owner;			/* the struct ut_table; 0: free */
	uint64_t view;			/* read-only (private writable if fastwrite) */
	uint64_t view_len;
	int64_t fd;			/* the memfd the library writes through */
};

/* What the fault handler trusts about mapping i. */
struct uf_anchor {
	uint64_t start;			/* the reservation */
	uint64_t len;			/* slots; stage-2 twins follow */
	uint64_t view;			/* the table's store, read-only */
	uint64_t n;			/* trampolines */
};

/* A code-mode mapping: calls stopped in [start, start + len) are finished. */
struct uc_anchor {
	uint64_t start;			/* 0: free */
	uint64_t len;
	uint64_t owner;			/* the struct uc_table */
	uint64_t pad;
};

struct tfd_anchors {
	struct uf_anchor uf[UF_MAX_REGIONS];
	struct uc_anchor uc[UC_MAX_REGIONS];
	struct ut_anchor ut[UT_MAX_TABLES];
	uint64_t uc_hwm;		/* uc[] entries ever used */
	uint64_t pad[8191];
};

/* Read-only pages once tfd_anchor_init() succeeded. */
extern struct tfd_anchors tfd_anchors TFD_HIDDEN;
int tfd_anchor_init(void) TFD_HIDDEN;
/* Stores len bytes at field (inside tfd_anchors) through the memfd. */
int tfd_anchor_put(const void *field, const void *val, size_t len) TFD_HIDDEN;
/* Across fork (src/fork.c): the child moves to a copy of its own. */
void tfd_anchor_fork(int phase) TFD_HIDDEN;

#endif
