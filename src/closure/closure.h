/* SPDX-License-Identifier: MIT */
/*
 * Closures (trampfd_closure_create(3), docs/design.md §8): slots of tables
 * the library keeps for itself, one set of tables per class (where ctx
 * goes, FASTWRITE or not), so every slot of a table is written with the
 * same register and a code table's chunks keep their fast form.
 */
#ifndef TRAMPFD_CLOSURE_H
#define TRAMPFD_CLOSURE_H

#include "internal.h"

/* Placements: argument registers 0..TRAMPFD_NUM_ARG_REGS-1, then these. */
enum {
	CL_KIND_CHAIN = TRAMPFD_NUM_ARG_REGS,
	CL_KIND_FIRST,
	CL_NKINDS,
};
#define CL_NCLASSES	(CL_NKINDS * 2)	/* hardened, FASTWRITE */

/* Slot ids: table id << CL_IDX_BITS | index. */
#define CL_IDX_BITS	20
#define CL_MIN_SLOTS	(1U << 16)
#define CL_MAX_SLOTS	(1U << CL_IDX_BITS)
#define CL_MAX_TABLES	4096

/*
 * Per slot, private: what free() and get() may touch. CL_INNER: the
 * second slot of a linked CTX_FIRST closure (closure.c), never handed out.
 */
enum { CL_FREE, CL_LIVE, CL_BUSY, CL_INNER };

struct cl_table {
	struct tfd_handle *h;		/* never in the fd registry */
	char *base;			/* the mapping, kept for the process's life */
	size_t size;
	uint32_t ioffset, stride;
	unsigned int n, id, cls, lane;
	_Atomic unsigned char *state;
};

/* src/closure/alloc.c */
/* A slot of class cls, in state CL_BUSY, or -errno. */
int cl_alloc(unsigned int cls, struct cl_table **t, unsigned int *idx) TFD_HIDDEN;
/* Gives a CL_BUSY slot back (state CL_FREE). */
void cl_release(struct cl_table *t, unsigned int idx) TFD_HIDDEN;
/* The table and index of a slot's callable address, or NULL: lock-free, O(1). */
struct cl_table *cl_lookup(const void *addr, unsigned int *idx) TFD_HIDDEN;

static inline void *cl_addr(const struct cl_table *t, unsigned int idx)
{
	return t->base + t->ioffset + (size_t)idx * t->stride;
}

/* first.S: shifts the integer arguments up one (CTX_FIRST). */
extern const char tfd_closure_first[] TFD_HIDDEN;

#endif
