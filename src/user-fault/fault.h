/* SPDX-License-Identifier: MIT */
/* User provider, fault mode: layout of the store and of a mapping. */
#ifndef TRAMPFD_USER_FAULT_H
#define TRAMPFD_USER_FAULT_H

#include <unistd.h>
#include "user/store.h"
#include "user/anchor.h"
#include "arch.h"

#define UF_STRIDE	16
/* Store: header block, one selector byte per slot, two records per slot. */
#define UF_SEL_BASE	4096
/* sp drop before a stage-2 fault: puts the new frame under S - 320. */
#define UF_STAGE2_DROP	512
/* A signal frame is smaller than this (per arch: xsave, SVE/SME state). */
#define UF_FRAME_MAX	TFD_FRAME_MAX

/* One immutable copy of a slot's contexts, exactly as written. */
struct uf_rec {
	uint32_t regs_len;		/* 0: no register context */
	uint32_t stack_len;		/* 0: no stack context */
	unsigned char regs[sizeof(struct trampfd_regs) +
			   TRAMPFD_MAX_REGS * sizeof(struct trampfd_reg)];
	unsigned char stack[sizeof(struct trampfd_stack) + TRAMPFD_MAX_STACK_SIZE];
};


/*
 * The writable side of mapping i: publication and the handlers' counts.
 * start only says "published": the handler acts only where anchor i says
 * the same, and takes the store from the anchor.
 */
struct uf_region {
	_Atomic uintptr_t start;	/* 0 while unpublished */
	struct ut_table *t;		/* its left-right counters and refs */
	_Atomic unsigned int inflight;	/* handlers reading this region */
	bool used;
};

static inline size_t uf_map_len(unsigned int n)
{
	size_t pg = (size_t)sysconf(_SC_PAGESIZE);

	return ((size_t)n * UF_STRIDE + pg - 1) & ~(pg - 1);
}

#endif
