/* SPDX-License-Identifier: MIT */
/*
 * User provider, code mode: layout shared by the code table (assembly:
 * arch/<arch>/codetable.S and loader.S in this folder) and the C files
 * beside this header.
 *
 * A mapping of a table is code chunks from base, then (after a gap given
 * back to the system) the slot data at base + UC_DIST: slot i's code is at
 * base + i * UC_STRIDE and its data at that address + UC_DIST, a distance
 * fixed at link time. The code comes from the library's own file (one
 * template chunk per register variant), the data from the table's memfd,
 * read-only. UC_DIST bounds a table: x86_64's rip-relative reach is 2 GiB
 * (aarch64's adrp reaches 4 GiB), so at most UC_MAX_SLOTS (about 2^25)
 * trampolines.
 */
#ifndef TRAMPFD_USER_CODE_H
#define TRAMPFD_USER_CODE_H

#define UC_STRIDE	64
#define UC_CHUNK_SLOTS	2048
#define UC_CHUNK_BYTES	(UC_STRIDE * UC_CHUNK_SLOTS)
/* Slot -> data distance: rip-relative, so under 2 GiB; page multiple. */
#define UC_DIST		0x7ff00000	/* also a multiple of 64K */
#define UC_MAX_SLOTS	(UC_DIST / UC_STRIDE)
/* UC_NVARIANTS, the code table's register variants: uc_layout.h. */

/* Slot data (UC_STRIDE bytes per slot, at code + UC_DIST). */
#define UC_D_V0		0
#define UC_D_T0		8
#define UC_D_V1		16
#define UC_D_T1		24
#define UC_D_SEL	32	/* 0: not callable, 2: bank 0, 3: bank 1, | UC_SEL_INDIRECT */
#define UC_D_CUR	33	/* 0: no contexts, else 2 | b | form << 2 */
#define UC_D_NAME	34	/* the register of a fast form */
/* How cur's contexts are kept: in record b, or rebuilt from bank b. */
#define UC_FORM_REC	0
#define UC_FORM_R_PC	1	/* {R, PC}: bank = {R's value, target} */
#define UC_FORM_PC_R	2	/* {PC, R} */
#define UC_FORM_PC	3	/* {PC}: bank = {target, uc_pconly[v]} */
/* sel is only ever 0 or 2 | b (| UC_SEL_INDIRECT for a bank that is not fast). */

#define UC_REC_SIZE	1024
#define UC_GREG_MASK	((1U << UC_NGREGS) - 1)	/* every register but the PC */

/* The slot's instructions, the record's layout, the loader's frame. */
#include "uc_layout.h"

#ifndef __ASSEMBLER__
#include <stdint.h>

struct uc_rec {
	uint64_t mask;
	uint64_t val[UC_NGREGS];
	uint64_t target;
	uint64_t nwords;
	uint64_t lo;
	uint64_t final;
	uint64_t jslot;
	uint64_t data[8];
	uint64_t pad[UC_R_PAD];
	uint32_t regs_len;
	uint32_t stack_len;
	unsigned char raw[UC_REC_SIZE - UC_R_RAW - 8];
};

#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include "user/store.h"

_Static_assert(__builtin_offsetof(struct uc_rec, regs_len) == UC_R_RAW, "uc_layout.h");
_Static_assert(__builtin_offsetof(struct uc_rec, data) == UC_R_DATA, "uc_layout.h");

/*
 * Store (memfd) layout: header, slot data, then two records per slot. The
 * slot data is mapped from UC_SLOT_BASE: a multiple of any page size
 * (4K, 16K, 64K).
 */
#define UC_SLOT_BASE	65536UL

/*
 * A chunk's register variant is a byte of the read-only store (below the
 * slot data), and whether a slot of it is live is read from the slots'
 * sel bytes there: no store to writable memory can make the library map a
 * live chunk's code for another register. Writable: only the grace stamp.
 */
#define UC_VARIANT_BASE	4096
_Static_assert(UC_VARIANT_BASE + UC_MAX_SLOTS / UC_CHUNK_SLOTS + 1 <= UC_SLOT_BASE,
	       "chunk variants must fit below the slot data");

struct uc_chunk {
	uint32_t stamp;			/* grace stamp when a slot of it last died */
};

/*
 * src/user-code/fast.c: a FASTWRITE table's {reg = val, PC = target} into
 * empty slot i, and its removal, with plain stores; -EAGAIN where only
 * uc_pwrite can (closures then take it).
 */
int uc_fast_set(struct tfd_handle *h, unsigned int i, unsigned int reg, uint64_t val,
		uint64_t target) TFD_HIDDEN;
int uc_fast_clear(struct tfd_handle *h, unsigned int i) TFD_HIDDEN;

/* src/user-code/grace.c */
uint32_t uc_grace_stamp(void) TFD_HIDDEN;
/* 0 once no thread can still be inside a bank retired at stamp. */
int uc_grace_wait(uint32_t stamp) TFD_HIDDEN;
bool uc_grace_passed(uint32_t stamp) TFD_HIDDEN;

/* Per slot: grace stamps of the banks, set when sel moved away from them. */
struct uc_slot {
	uint32_t stamp[2];
};

/* The bank for a slot without contexts: not one still in its grace period. */
static inline unsigned int uc_free_bank(const struct uc_slot *ss)
{
	return ss->stamp[0] && !uc_grace_passed(ss->stamp[0]) &&
	       (!ss->stamp[1] || (int32_t)(ss->stamp[1] - ss->stamp[0]) < 0);
}

struct uc_map;

/* A code-mode table: extends the user provider's table (freed by ut_put). */
struct uc_table {
	struct ut_table ut;		/* first */
	unsigned int nchunks;
	size_t code_len, data_len;	/* per mapping, page-rounded */
	struct uc_slot *slots;		/* private, mmap'd */
	struct uc_chunk *chunks;
	size_t priv_len;
	struct uc_map *maps;		/* live mappings, under ut.lock */
};

struct uc_map {
	struct uc_map *next;
	struct uc_table *t;
	char *base;			/* code; data at base + UC_DIST */
	int region;			/* grace registry entry */
};

static inline unsigned int uc_chunk_variant(const struct uc_table *t, unsigned int c)
{
	return ut_view(&t->ut)[UC_VARIANT_BASE + c] % UC_NVARIANTS;
}

static inline size_t uc_rec_off(const struct uc_table *t, unsigned int i, unsigned int b)
{
	return UC_SLOT_BASE + t->data_len + ((size_t)i * 2 + b) * UC_REC_SIZE;
}

/* src/user-code/map.c */
int uc_self_init(const char **why) TFD_HIDDEN;
int uc_map_table(struct uc_table *t, struct uc_map **out) TFD_HIDDEN;
void uc_unmap_table(struct uc_map *m) TFD_HIDDEN;
void uc_map_fork(int phase) TFD_HIDDEN;	/* src/fork.c */
int uc_remap_chunk(struct uc_table *t, unsigned int c) TFD_HIDDEN;
int uc_remap_data(struct uc_table *t) TFD_HIDDEN;
extern const unsigned char uc_variant_reg[UC_NVARIANTS] TFD_HIDDEN;

/* The signal grace periods send (after setting it up), or -errno. */
int uc_grace_signal(void) TFD_HIDDEN;
/* Anchors [start, start + len) as a mapping of t: its index, or -errno. */
int uc_region_add(const struct uc_table *t, uintptr_t start, size_t len) TFD_HIDDEN;
/* t's mappings from the anchors, one after another (after NULL: the first). */
const struct uc_anchor *uc_region_next(const struct uc_table *t,
				       const struct uc_anchor *after) TFD_HIDDEN;
void uc_region_del(int idx) TFD_HIDDEN;
/* The start of the code region holding pc, or 0. */
uintptr_t uc_region_of(uintptr_t pc) TFD_HIDDEN;
/* Reads (wr false) or writes this process's memory without faulting. */
ssize_t uc_self_rw(bool wr, void *local, uintptr_t remote, size_t len) TFD_HIDDEN;

/* arch/<arch>/finish.c: a grace period's answer for one thread. */
enum { UC_ACK_PENDING, UC_ACK_DONE, UC_ACK_BUSY };
/*
 * Calls found(at) for each 8-aligned word equal to key above sp (outer
 * handlers' frames); UC_ACK_BUSY if any call answered so.
 */
int uc_scan_frames(uintptr_t sp, uint64_t key, int (*found)(uintptr_t at)) TFD_HIDDEN;
struct ucontext_t;
/*
 * Calls grace periods finished, by where they had stopped: inside a slot's
 * window, in the general loader, and (counted again) in the frame of an
 * outer handler. Only tests read them: a window too narrow to be hit by a
 * signal would otherwise leave the finishers untested without a sign.
 */
enum { UC_FIN_SLOT, UC_FIN_LOADER, UC_FIN_OUTER, UC_FIN_N };
extern _Atomic unsigned long uc_finished[UC_FIN_N] TFD_HIDDEN;
struct sigaction;
/* The word uc_scan_frames finds a signal frame by; installed: the grace handler's action. */
uint64_t uc_arch_frame_key(const struct sigaction *installed) TFD_HIDDEN;
/* Finishes a call the interrupted context stopped inside a window. */
int uc_arch_finish(struct ucontext_t *uc) TFD_HIDDEN;
/* The same for handlers still running under it; restorer: this handler's return. */
int uc_arch_finish_outer(struct ucontext_t *uc, uintptr_t restorer) TFD_HIDDEN;

/* codetable.S, loader.S */
extern const char uc_tmpl_start[], uc_tmpl_end[];
extern const char uc_gen[UC_NVARIANTS][UC_STUB];	/* general entry per variant */
extern const char uc_pconly[UC_NVARIANTS][UC_STUB];	/* PC-only entry per variant */
#endif

#endif
