// SPDX-License-Identifier: MIT
/*
 * User provider, code mode: the direct path of a FASTWRITE table's fast
 * slots, for closures (src/closure/closure.c). A FASTWRITE table's slot data is
 * plain writable memory (docs/security.md), so publishing {R's value,
 * target} needs no validation of a caller's buffer and no syscall: the
 * same bank/selector protocol as uc_pwrite (code.c), done with plain
 * stores in the order callers need.
 *
 * No lock: only for tables whose slots are each written by one thread at a
 * time (the closure allocator hands a slot to one owner), whose every
 * context names the same register (a closure table's class), so a chunk's
 * register never changes once picked, and whose mappings are made once
 * and kept (closure tables are never unmapped). uc_pwrite, which takes the
 * lock, then never touches a slot these are writing, and what it reads of
 * other slots (sel bytes, for chunk_live) is a byte at a time.
 *
 * Callers read sel (one byte), then the bank it names. So a new context
 * goes into a bank no caller can still be reading (sel does not name it,
 * and its grace period since it was last retired has passed), then sel
 * flips to it with one release store; a removal is sel = 0 first. The
 * store's copy (for get, chunk_live and uc_pwrite's merges) and every
 * mapping's are written alike.
 *
 * Anything off the common case (a slot with contexts, another form, a
 * chunk of another register, a bank still in its grace period, the
 * table's first write, an allowed-PC list) answers -EAGAIN: the caller
 * then takes uc_pwrite, which handles all of it.
 */
#include <errno.h>
#include <string.h>
#include "user-code/code.h"

/* Bank b of slot data sd: {R's value, target} (UC_D_V0.. in code.h). */
static void store_bank(unsigned char *sd, unsigned int b, uint64_t val, uint64_t target)
{
	uint64_t bank[2] = { val, target };

	memcpy(sd + b * (UC_D_V1 - UC_D_V0), bank, sizeof(bank));
}

/* sel last, released: a caller that reads it sees the bank's stores. */
static void store_sel(unsigned char *sd, unsigned char sel, unsigned char cur,
		      unsigned char name)
{
	sd[UC_D_NAME] = name;
	sd[UC_D_CUR] = cur;
	__atomic_store_n(sd + UC_D_SEL, sel, __ATOMIC_RELEASE);
}

static unsigned char *map_slot(const struct uc_map *m, unsigned int i)
{
	return (unsigned char *)m->base + UC_DIST + (size_t)i * UC_STRIDE;
}

int uc_fast_set(struct tfd_handle *h, unsigned int i, unsigned int reg, uint64_t val,
		uint64_t target)
{
	struct uc_table *t = (struct uc_table *)h;
	unsigned char *view = ut_view(&t->ut), *sd;
	const struct ut_header *hdr = (const struct ut_header *)view;
	const struct uc_map *m;
	unsigned int b;
	uint32_t st;

	if (!t->ut.fastwrite || i >= hdr->n || !hdr->regs_written || hdr->pcs_set)
		return -EAGAIN;
	sd = view + UC_SLOT_BASE + (size_t)i * UC_STRIDE;
	if (sd[UC_D_CUR] || sd[UC_D_SEL] ||
	    uc_variant_reg[view[UC_VARIANT_BASE + i / UC_CHUNK_SLOTS] % UC_NVARIANTS] != reg)
		return -EAGAIN;
	b = uc_free_bank(&t->slots[i]);
	st = t->slots[i].stamp[b];
	if (st && !uc_grace_passed(st))
		return -EAGAIN;
	/* The store's copy, then each mapping's: the banks, then the selectors. */
	store_bank(sd, b, val, target);
	for (m = t->maps; m; m = m->next)
		store_bank(map_slot(m, i), b, val, target);
	store_sel(sd, 2 | b, 2 | b | UC_FORM_R_PC << 2, reg);
	for (m = t->maps; m; m = m->next)
		store_sel(map_slot(m, i), 2 | b, 2 | b | UC_FORM_R_PC << 2, reg);
	return 0;
}

int uc_fast_clear(struct tfd_handle *h, unsigned int i)
{
	struct uc_table *t = (struct uc_table *)h;
	unsigned char *view = ut_view(&t->ut), *sd, sel, cur;
	const struct uc_map *m;
	uint32_t now;

	if (!t->ut.fastwrite || i >= ((const struct ut_header *)view)->n)
		return -EAGAIN;
	sd = view + UC_SLOT_BASE + (size_t)i * UC_STRIDE;
	sel = sd[UC_D_SEL];
	cur = sd[UC_D_CUR];
	/* Only what uc_fast_set makes: {R, PC}, no stack data, callable. */
	if (cur >> 2 != UC_FORM_R_PC || sel != (2 | (cur & 1)))
		return -EAGAIN;
	store_sel(sd, 0, 0, 0);
	for (m = t->maps; m; m = m->next)
		store_sel(map_slot(m, i), 0, 0, 0);
	/*
	 * As uc_pwrite's removal: the bank and the chunk retire now, a stamp
	 * read only once sel = 0 is visible (a full fence, not just program
	 * order: a grace period begun before must not count).
	 */
	atomic_thread_fence(memory_order_seq_cst);
	now = uc_grace_stamp();
	t->slots[i].stamp[sel & 1] = now;
	__atomic_store_n(&t->chunks[i / UC_CHUNK_SLOTS].stamp, now, __ATOMIC_RELAXED);
	return 0;
}
