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
#include <linux/xarray.h>
/* Per-arch constants: kernel/arch/$(SRCARCH)/tfd_arch.h. */
#include "compat.h"
#include "tfd_arch.h"

enum tfd_mode {
	TFD_FAULT,
	TFD_CODE,
};

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
	u32 mask;			/* bit (name - TFD_REG_FIRST) */
	u32 body;			/* code mode: its body (writer only) */
	u64 val[TFD_NUM_ARCH_REGS];
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
	enum tfd_mode mode;
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

extern unsigned int tfd_max_trampolines;

/* table.c */
struct tfd_table *tfd_table_create(enum tfd_mode mode, unsigned int n);
void tfd_table_free(struct tfd_table *t);
struct tfd_ctxset *tfd_ctxset_get(struct tfd_table *t, struct mm_struct *mm);
struct tfd_ctxset *tfd_ctxset_fork(struct tfd_ctxset *src,
				   struct mm_struct *mm);
ssize_t tfd_write_ctx(struct tfd_ctxset *cs, unsigned int index,
		      unsigned int ctx, const void __user *buf, size_t len);
ssize_t tfd_read_ctx(struct tfd_ctxset *cs, unsigned int index,
		     unsigned int ctx, void __user *buf, size_t len);

/* fault.c */
extern const struct vm_operations_struct tfd_fault_vm_ops;

/* code.c */
extern const struct vm_operations_struct tfd_code_vm_ops;
int tfd_code_layout(struct tfd_table *t);
void tfd_code_free_table(struct tfd_table *t);
int tfd_code_init_set(struct tfd_ctxset *cs);
void tfd_code_free_set(struct tfd_ctxset *cs);
int tfd_code_publish(struct tfd_ctxset *cs, unsigned int i,
		     struct tfd_ctx *c, const struct tfd_ctx *old, bool quiet);
void tfd_code_set_ptrs(struct tfd_ctxset *cs);
int tfd_code_mmap(struct tfd_ctxset *cs, struct vm_area_struct *vma);

/* kernel/arch/$(SRCARCH)/: registers, code mode's layout and code */
bool tfd_arch_reg_valid(u32 name, enum tfd_mode mode);
void tfd_arch_apply(struct pt_regs *regs, u32 mask, const u64 *val);
long tfd_arch_ptr_off(unsigned int n);
unsigned long tfd_arch_unset_off(const struct tfd_table *t, unsigned int i);
unsigned int tfd_arch_gen_body(u8 *buf, const struct tfd_ctx *c);
void tfd_arch_gen_entries(u8 *page, unsigned int count,
			  unsigned long ptr_off);
void tfd_arch_sync_code(const void *addr, size_t len);
void tfd_arch_sync_mm(struct mm_struct *mm);

#endif /* TRAMPFD_INT_H */
