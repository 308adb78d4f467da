/* SPDX-License-Identifier: GPL-2.0 */
/*
 * trampfd.ko internals: tables, per-mm context sets, the two modes.
 */
#ifndef TRAMPFD_INT_H
#define TRAMPFD_INT_H

#include <linux/fs.h>
#include <linux/list.h>
#include <linux/mm.h>
#include <linux/mman.h>
#include <linux/mutex.h>
#include <linux/rcupdate.h>
#include <linux/trampfd.h>
#include <linux/trampfd_contract.h>
#include <linux/xarray.h>
/* Per-arch constants: kernel/arch/$(SRCARCH)/tfd_arch.h. */
#include "compat.h"
#include "tfd_arch.h"

/* Each name at most once: a valid register context is small. */
#define TFD_REGS_MAX_LEN	(8 + 16 * TRAMPFD_MAX_REGS)
#define TFD_REGS_STORE		(8 + 16 * TFD_NUM_ARCH_REGS)
#define TFD_STACK_MAX_LEN	(16 + TRAMPFD_MAX_STACK_SIZE)

/* One trampoline's context, immutable once published (RCU). */
struct tfd_ctx {
	struct rcu_head rcu;
	u32 regs_len;			/* 0: no register context */
	u32 stack_len;			/* 0: no stack context */
	u64 pc;
	u32 body;			/* code mode: its body (writer only) */
	struct tfd_regset rs;		/* bit (name - TFD_REG_FIRST) */
	u8 regs[TFD_REGS_STORE];	/* exactly what was written */
	u8 stack[TFD_STACK_MAX_LEN];
};

/*
 * The contexts one address space sees. fork() gives the child its own
 * copy (vm_ops->open), so a write in one process never reaches the other.
 */
struct tfd_ctxset {
	struct list_head node;
	struct tfd_table *t;
	struct mm_struct *mm;		/* mmgrab()ed: the key */
	struct mutex lock;		/* serialises writers */
	struct xarray slots;		/* index -> struct tfd_ctx, RCU */
	unsigned int npcs;		/* 0: no allowed-PC list */
	bool regs_written;
	u64 pcs[TRAMPFD_MAX_PCS];
	/* code mode */
	int nvmas;
	unsigned long base;		/* user address of the mapping */
	struct page **ptr_pages;	/* one u64 body pointer per slot */
	struct page **body_pages;	/* allocated on demand */
	u32 *fifo;			/* free bodies, oldest first */
	unsigned long *retired;		/* RCU state when each was freed */
	u32 fifo_head;
	u32 fifo_len;
};

struct tfd_table {
	const struct tfd_mode_ops *ops;
	unsigned int n;
	struct trampfd_map map;
	struct mutex lock;		/* protects sets */
	struct list_head sets;
	struct tfd_ctxset *first;
	/* code mode layout, in bytes from the mapping's start */
	unsigned long ptr_off;
	unsigned long body_off;
	unsigned long nptr_pages;
	unsigned long nbodies;
	unsigned long nbody_pages;
	unsigned long nentry_pages;
	struct page *entry_full;	/* shared by all full entry pages */
	struct page *entry_last;	/* the last, partial entry page */
};

/*
 * A mode: what differs between fault and code mode, picked once when a
 * table is created (main.c), as the library's struct tfd_ops picks a cell.
 * table.c and main.c call the mode only through here. Hooks marked
 * "optional" may be NULL: the mode keeps no state of that kind.
 */
struct tfd_mode_ops {
	const char *name;		/* "fault" or "code", as trampfd_mode() */
	bool code;			/* for tfd_reserved_regs() */
	/* Sets t->map and the mode's layout; 0 or -errno. */
	int (*layout)(struct tfd_table *t);
	void (*free_table)(struct tfd_table *t);	/* optional */
	int (*init_set)(struct tfd_ctxset *cs);		/* optional */
	void (*free_set)(struct tfd_ctxset *cs);	/* optional */
	/*
	 * Makes slot @i run @c (NULL: unset) in place of @old; @quiet: a fresh
	 * fork copy no thread runs yet. 0, or -errno with the slot unchanged.
	 * Optional: fault mode reads the slots at each call.
	 */
	int (*publish)(struct tfd_ctxset *cs, unsigned int i, struct tfd_ctx *c,
		       const struct tfd_ctx *old, bool quiet);
	/* After a fork copy's publishes; cs->lock held. Optional. */
	void (*copied)(struct tfd_ctxset *cs);
	/* Binds @cs to a new mapping; 0 or -errno. Optional. */
	int (*mmap)(struct tfd_ctxset *cs, struct vm_area_struct *vma);
	unsigned long (*vm_flags)(void);		/* optional */
	const struct vm_operations_struct *vm_ops;
};

extern unsigned int tfd_max_trampolines;

/* table.c */
struct tfd_table *tfd_table_create(const struct tfd_mode_ops *ops,
				   unsigned int n);
void tfd_table_free(struct tfd_table *t);
struct tfd_ctxset *tfd_ctxset_get(struct tfd_table *t, struct mm_struct *mm);
struct tfd_ctxset *tfd_ctxset_fork(struct tfd_ctxset *src,
				   struct mm_struct *mm);
ssize_t tfd_write_ctx(struct tfd_ctxset *cs, unsigned int index,
		      unsigned int ctx, const void __user *buf, size_t len);
ssize_t tfd_read_ctx(struct tfd_ctxset *cs, unsigned int index,
		     unsigned int ctx, void __user *buf, size_t len);

/* The modes (fault.c, code.c): main.c picks one per table. */
extern const struct tfd_mode_ops tfd_fault_mode;
extern const struct tfd_mode_ops tfd_code_mode;

/* kernel/arch/$(SRCARCH)/: registers, code mode's layout and code */
void tfd_arch_apply(struct pt_regs *regs, u32 mask, const u64 *val);
long tfd_arch_ptr_off(unsigned int n);
unsigned long tfd_arch_unset_off(const struct tfd_table *t, unsigned int i);
unsigned int tfd_arch_gen_body(u8 *buf, const struct tfd_ctx *c);
void tfd_arch_gen_entries(u8 *page, unsigned int count,
			  unsigned long ptr_off);
void tfd_arch_sync_code(const void *addr, size_t len);
void tfd_arch_sync_mm(struct mm_struct *mm);

#endif /* TRAMPFD_INT_H */
