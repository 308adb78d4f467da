// SPDX-License-Identifier: GPL-2.0
/*
 * Code mode (RFC v2): the module writes the code, the user maps it
 * read+exec and can never write it.
 *
 * Layout of a table's mapping (offsets from its start):
 *   0            entries, TFD_ENTRY_SIZE bytes each: load the slot's body
 *                pointer, jump to it
 *   ptr_off      one u64 body pointer per slot, TFD_PTR_STRIDE apart
 *                (read-only to user)
 *   body_off     a pool of n + TFD_SPARE bodies, TFD_BODY_SIZE bytes each
 *
 * The entries, ptr_off and where an unset slot's pointer leads (an
 * address that faults) are the architecture's: kernel/arch/. Pointer
 * pages are allocated on first touch, filled with the slots' unset
 * addresses; the body pool is capped at TFD_MAX_POOL.
 *
 * A context write generates the slot's code into a free body, then flips
 * the slot's pointer with one aligned 8-byte store, so a call runs the
 * whole old body or the whole new one; the old body goes to the tail of a
 * FIFO of free bodies. A body is rewritten only while no thread of the
 * process has its user PC inside it (nor, where an entry loads the
 * pointer into a register before it jumps, that register:
 * tfd_arch_next_pcs()). A thread's saved user PC is fresh
 * from its last kernel entry, and an RCU grace period ends only once every
 * CPU has entered the kernel (a tick in user mode, a switch, idle): so once
 * a grace period has passed since a body was retired, no thread can be
 * inside it unless its saved PC says so. A busy body goes back to the tail;
 * a thread holds at most one body. With nohz_full (user mode is an RCU
 * quiescent state there) an IPI to the CPUs running the mm refreshes the
 * saved PCs and serialises them instead. Where instruction fetch is not
 * coherent with stores, a new body is made fetchable
 * (tfd_arch_sync_code()) before its pointer is published.
 *
 * Pointer and body pages belong to a per-mm context set and are supplied
 * by the fault handler (not VM_MIXEDMAP), so fork() copies no page table
 * entries and the child faults in its own copy.
 */
#define pr_fmt(fmt) "trampfd: " fmt

#include <linux/sched/isolation.h>
#include <linux/sched/signal.h>
#include <linux/sched/task_stack.h>
#include <linux/slab.h>
#include "trampfd_int.h"

#define TFD_MAX_POOL	BIT(20)
/* Bodies beyond one per slot, so that stalled threads never block writers. */
#define TFD_SPARE	128
#define TFD_NO_BODY	U32_MAX
/* How many times a writer waits for a free body (a grace period or tick). */
#define TFD_BUSY_TRIES	2000

/**
 * tfd_code_free_table() - free the entry pages.
 * @t: the table.
 */
static void tfd_code_free_table(struct tfd_table *t)
{
	if (t->entry_full)
		__free_page(t->entry_full);
	if (t->entry_last)
		__free_page(t->entry_last);
	t->entry_full = NULL;
	t->entry_last = NULL;
}

/**
 * tfd_code_layout() - compute a code table's layout and its entry pages.
 * @t: the table, with n set.
 *
 * Return: 0 or -errno.
 */
static int tfd_code_layout(struct tfd_table *t)
{
	unsigned int per_page = PAGE_SIZE / TFD_ENTRY_SIZE;
	unsigned long end;
	long off;

	off = tfd_arch_ptr_off(t->n);
	if (off < 0)
		return off;
	t->ptr_off = off;
	end = t->ptr_off + (unsigned long)t->n * TFD_PTR_STRIDE;
	t->nptr_pages = DIV_ROUND_UP(end, PAGE_SIZE) -
			(t->ptr_off >> PAGE_SHIFT);
	t->body_off = PAGE_ALIGN(end);
	t->nbodies = min_t(unsigned long, t->n + TFD_SPARE, TFD_MAX_POOL);
	t->nbody_pages = DIV_ROUND_UP((unsigned long)t->nbodies *
				      TFD_BODY_SIZE, PAGE_SIZE);
	t->nentry_pages = DIV_ROUND_UP(t->n, per_page);
	t->map.prot = PROT_READ | PROT_EXEC;
	t->map.stride = TFD_ENTRY_SIZE;
	t->map.size = t->body_off + t->nbody_pages * PAGE_SIZE;

	if (t->n >= per_page) {
		t->entry_full = alloc_page(GFP_KERNEL_ACCOUNT);
		if (!t->entry_full)
			return -ENOMEM;
		tfd_arch_gen_entries(page_address(t->entry_full), per_page,
				     t->ptr_off);
		tfd_arch_sync_code(page_address(t->entry_full), PAGE_SIZE);
	}
	if (t->n % per_page) {
		t->entry_last = alloc_page(GFP_KERNEL_ACCOUNT);
		if (!t->entry_last) {
			tfd_code_free_table(t);
			return -ENOMEM;
		}
		tfd_arch_gen_entries(page_address(t->entry_last),
				     t->n % per_page, t->ptr_off);
		tfd_arch_sync_code(page_address(t->entry_last), PAGE_SIZE);
	}
	return 0;
}

/**
 * tfd_code_free_set() - free a set's pages.
 * @cs: the set; nothing maps it any more.
 */
static void tfd_code_free_set(struct tfd_ctxset *cs)
{
	unsigned long k;

	for (k = 0; cs->ptr_pages && k < cs->t->nptr_pages; k++)
		if (cs->ptr_pages[k])
			__free_page(cs->ptr_pages[k]);
	for (k = 0; cs->body_pages && k < cs->t->nbody_pages; k++)
		if (cs->body_pages[k])
			__free_page(cs->body_pages[k]);
	kvfree(cs->ptr_pages);
	kvfree(cs->body_pages);
	kvfree(cs->fifo);
	kvfree(cs->retired);
	cs->fifo = NULL;
	cs->retired = NULL;
	cs->ptr_pages = NULL;
	cs->body_pages = NULL;
}

/**
 * tfd_code_init_set() - allocate a set's pointer pages and body page map.
 * @cs: the new set.
 *
 * Return: 0 or -ENOMEM.
 */
static int tfd_code_init_set(struct tfd_ctxset *cs)
{
	struct tfd_table *t = cs->t;
	unsigned long k;

	cs->ptr_pages = kvcalloc(t->nptr_pages, sizeof(struct page *),
				 GFP_KERNEL_ACCOUNT);
	cs->body_pages = kvcalloc(t->nbody_pages, sizeof(struct page *),
				  GFP_KERNEL_ACCOUNT);
	cs->fifo = kvmalloc_array(t->nbodies, sizeof(u32), GFP_KERNEL_ACCOUNT);
	cs->retired = kvmalloc_array(t->nbodies, sizeof(unsigned long),
				     GFP_KERNEL_ACCOUNT);
	if (!cs->ptr_pages || !cs->body_pages || !cs->fifo || !cs->retired)
		goto err_free;
	for (k = 0; k < t->nbodies; k++) {
		cs->fifo[k] = k;
		cs->retired[k] = get_completed_synchronize_rcu();
	}
	cs->fifo_head = 0;
	cs->fifo_len = t->nbodies;
	return 0;

err_free:
	tfd_code_free_set(cs);
	return -ENOMEM;
}

/* Points every slot of pointer page @k at its unset address. */
static void tfd_fill_ptr_page(struct tfd_ctxset *cs, unsigned long k,
			      u64 *w)
{
	struct tfd_table *t = cs->t;
	unsigned long a = ((t->ptr_off >> PAGE_SHIFT) + k) << PAGE_SHIFT;
	unsigned long base = READ_ONCE(cs->base), j;

	for (j = 0; j < PAGE_SIZE / 8; j++, a += 8) {
		unsigned long i = (a - t->ptr_off) / TFD_PTR_STRIDE;

		w[j] = a >= t->ptr_off && i < t->n &&
		       (a - t->ptr_off) % TFD_PTR_STRIDE == 0 ?
		       base + tfd_arch_unset_off(t, i) : 0;
	}
}

/* Pointer page @k, allocated on first use by a writer or a fault. */
static struct page *tfd_ptr_page(struct tfd_ctxset *cs, unsigned long k,
				 bool alloc)
{
	/* Pairs with the cmpxchg below: see the page filled. */
	struct page *p = smp_load_acquire(&cs->ptr_pages[k]), *old;

	if (p || !alloc)
		return p;
	p = alloc_page(GFP_KERNEL_ACCOUNT);
	if (!p)
		return NULL;
	tfd_fill_ptr_page(cs, k, page_address(p));
	old = cmpxchg_release(&cs->ptr_pages[k], NULL, p);
	if (old) {
		__free_page(p);
		p = old;
	}
	return p;
}

static u64 *tfd_ptr(struct tfd_ctxset *cs, unsigned int i, bool alloc)
{
	unsigned long off = cs->t->ptr_off + (unsigned long)i * TFD_PTR_STRIDE;
	struct page *p;

	p = tfd_ptr_page(cs, (off >> PAGE_SHIFT) -
			 (cs->t->ptr_off >> PAGE_SHIFT), alloc);
	return p ? page_address(p) + offset_in_page(off) : NULL;
}

static unsigned long tfd_body_off(struct tfd_ctxset *cs, u32 b)
{
	return cs->t->body_off + (unsigned long)b * TFD_BODY_SIZE;
}

static u32 tfd_fifo_pop(struct tfd_ctxset *cs)
{
	u32 b = cs->fifo[cs->fifo_head];

	cs->fifo_head = (cs->fifo_head + 1) % cs->t->nbodies;
	cs->fifo_len--;
	return b;
}

static void tfd_fifo_push(struct tfd_ctxset *cs, u32 b)
{
	cs->fifo[(cs->fifo_head + cs->fifo_len) % cs->t->nbodies] = b;
	cs->fifo_len++;
}

/* Frees body @b: it goes to the tail, stamped with a grace period. */
static void tfd_retire(struct tfd_ctxset *cs, u32 b)
{
	cs->retired[b] = start_poll_synchronize_rcu();
	tfd_fifo_push(cs, b);
}

/**
 * tfd_code_set_ptrs() - point every slot at its body or its hlt.
 * @cs: the set, with its base set and no thread running its code.
 */
static void tfd_code_set_ptrs(struct tfd_ctxset *cs)
{
	struct tfd_ctx *c;
	unsigned long k, i;
	u64 *w;

	for (k = 0; k < cs->t->nptr_pages; k++)
		if (cs->ptr_pages[k])
			tfd_fill_ptr_page(cs, k, page_address(cs->ptr_pages[k]));
	xa_for_each(&cs->slots, i, c) {
		if (!c->regs_len || c->body == TFD_NO_BODY)
			continue;
		w = tfd_ptr(cs, i, false);
		if (w)
			WRITE_ONCE(*w, cs->base + tfd_body_off(cs, c->body));
	}
}

/* Copies a body into the set's pages, allocating them on first use. */
static int tfd_put_body(struct tfd_ctxset *cs, unsigned long off,
			const u8 *code)
{
	unsigned long done = 0;

	while (done < TFD_BODY_SIZE) {
		unsigned long o = off + done - cs->t->body_off;
		unsigned long k = o >> PAGE_SHIFT;
		unsigned long len = min_t(unsigned long, TFD_BODY_SIZE - done,
					  PAGE_SIZE - offset_in_page(o));
		struct page *p = cs->body_pages[k];

		if (!p) {
			p = alloc_page(GFP_KERNEL_ACCOUNT);
			if (!p)
				return -ENOMEM;
			memset(page_address(p), TFD_CODE_FILL, PAGE_SIZE);
			/* Pairs with the fault handler: filled first. */
			smp_store_release(&cs->body_pages[k], p);
		}
		memcpy(page_address(p) + offset_in_page(o), code + done, len);
		tfd_arch_sync_code(page_address(p) + offset_in_page(o), len);
		done += len;
	}
	return 0;
}

/*
 * @t's saved user registers, or NULL for a thread that will not run user
 * code again. Under rcu_read_lock(): a thread that exits releases its
 * stack (t->stack becomes NULL, and task_pt_regs() would then read near
 * address 0: an oops seen on arm64 6.1 while closure-threads' threads
 * exited), but the memory itself is freed after an RCU grace period or
 * kept in a cache of stacks, so a pointer read once stays mapped; if the
 * stack is reused meanwhile, the PCs read are another thread's, which only
 * keeps a body back longer. put_task_stack() would pin it but is not
 * exported to modules.
 */
static struct pt_regs *tfd_user_regs(struct task_struct *t)
{
	/* Where pt_regs sit in a stack: the same for every thread of an arch. */
	unsigned long at = (unsigned long)task_pt_regs(current) -
			   (unsigned long)task_stack_page(current);
	void *stack;

	if (t->flags & PF_EXITING)
		return NULL;
	stack = READ_ONCE(t->stack);
	return stack ? (struct pt_regs *)((unsigned long)stack + at) : NULL;
}

/*
 * Records the user PCs @t may run next that are inside [lo, hi); false
 * when @pc is full.
 */
static bool tfd_note_pc(struct task_struct *t, unsigned long lo,
			unsigned long hi, unsigned long *pc, unsigned int *n,
			unsigned int max)
{
	unsigned long next[TFD_NEXT_PCS];
	unsigned int k, nnext;
	struct pt_regs *regs;

	if (t == current || (t->flags & (PF_KTHREAD | PF_IO_WORKER)))
		return true;
	regs = tfd_user_regs(t);
	if (!regs)
		return true;
	nnext = tfd_arch_next_pcs(regs, next);
	for (k = 0; k < nnext; k++) {
		if (next[k] < lo || next[k] >= hi)
			continue;
		if (*n == max)
			return false;
		pc[(*n)++] = next[k];
	}
	return true;
}

/*
 * The saved user PCs inside [lo, hi) of every other task using @mm: the
 * writer's threads, or every task when something else shares the mm
 * (CLONE_VM without CLONE_THREAD). More than @max: returns @max + 1.
 */
static unsigned int tfd_busy_pcs(struct mm_struct *mm, unsigned long lo,
				 unsigned long hi, unsigned long *pc,
				 unsigned int max)
{
	struct task_struct *p, *t;
	unsigned int n = 0;

	rcu_read_lock();
	if (atomic_read(&mm->mm_users) <= current->signal->nr_threads) {
		for_each_thread(current, t)
			if (!tfd_note_pc(t, lo, hi, pc, &n, max))
				goto out_full;
	} else {
		for_each_process_thread(p, t)
			if (READ_ONCE(t->mm) == mm &&
			    !tfd_note_pc(t, lo, hi, pc, &n, max))
				goto out_full;
	}
	rcu_read_unlock();
	return n;

out_full:
	rcu_read_unlock();
	return max + 1;
}

/* Takes a free body that no thread runs, oldest first. */
static int tfd_take_body(struct tfd_ctxset *cs, bool live, u32 *out)
{
	unsigned long lo = cs->base + cs->t->body_off, pc[TFD_SPARE];
	unsigned long hi = lo + (unsigned long)cs->t->nbodies * TFD_BODY_SIZE;
	bool ipi = live && housekeeping_enabled(HK_TYPE_TICK);
	unsigned int tries, nbusy = 0, k, j;

	/* Every body of the pool is some slot's current one. */
	if (!cs->fifo_len)
		return -ENOSPC;
	for (tries = 0; ; tries++) {
		if (live) {
			if (ipi)
				tfd_arch_sync_mm(cs->mm);
			nbusy = tfd_busy_pcs(cs->mm, lo, hi, pc,
					     ARRAY_SIZE(pc));
		}
		for (k = nbusy > ARRAY_SIZE(pc) ? 0 : cs->fifo_len; k; k--) {
			u32 b = cs->fifo[cs->fifo_head];
			unsigned long s = lo + (unsigned long)b * TFD_BODY_SIZE;

			/* Oldest first: the rest are younger still. */
			if (live && !ipi &&
			    !poll_state_synchronize_rcu(cs->retired[b]))
				break;
			tfd_fifo_pop(cs);
			for (j = 0; j < nbusy; j++)
				if (pc[j] >= s && pc[j] < s + TFD_BODY_SIZE)
					break;
			if (j == nbusy) {
				*out = b;
				return 0;
			}
			tfd_fifo_push(cs, b);
		}
		if (signal_pending(current))
			return -EINTR;
		if (tries >= TFD_BUSY_TRIES)
			return -EBUSY;
		if (live && !ipi && cs->fifo_len &&
		    !poll_state_synchronize_rcu(cs->retired[cs->fifo[cs->fifo_head]]))
			cond_synchronize_rcu(cs->retired[cs->fifo[cs->fifo_head]]);
		else
			schedule_timeout_interruptible(1);
	}
}

/**
 * tfd_code_publish() - make slot @i run context @c.
 * @cs: the set, locked by the caller (or not yet visible).
 * @i: the slot.
 * @c: the new context, or NULL / no registers for "unset".
 * @old: the context it replaces, or NULL.
 * @quiet: no thread can run this set's code (fresh fork copy).
 *
 * Return: 0, or -errno with the slot unchanged.
 */
static int tfd_code_publish(struct tfd_ctxset *cs, unsigned int i,
			    struct tfd_ctx *c, const struct tfd_ctx *old,
			    bool quiet)
{
	/* No other user of the mm: nobody can be running the old code. */
	bool live = !quiet && cs->nvmas > 0 &&
		    atomic_read(&cs->mm->mm_users) > 1;
	u32 b, prev = TFD_NO_BODY;
	u8 code[TFD_BODY_SIZE];
	unsigned long off;
	u64 *w;
	int err;

	if (old && old->regs_len)
		prev = old->body;
	if (!c || !c->regs_len) {
		if (c)
			c->body = TFD_NO_BODY;
		w = tfd_ptr(cs, i, false);
		if (w)
			WRITE_ONCE(*w, cs->base + tfd_arch_unset_off(cs->t, i));
		if (prev != TFD_NO_BODY)
			tfd_retire(cs, prev);
		return 0;
	}
	w = tfd_ptr(cs, i, true);
	if (!w)
		return -ENOMEM;
	tfd_arch_gen_body(code, c);
	err = tfd_take_body(cs, live, &b);
	if (err)
		return err;
	off = tfd_body_off(cs, b);
	err = tfd_put_body(cs, off, code);
	if (err) {
		tfd_fifo_push(cs, b);
		return err;
	}
	/* nohz_full: serialise the CPUs that may run the new code. */
	if (live && housekeeping_enabled(HK_TYPE_TICK))
		tfd_arch_sync_mm(cs->mm);
	c->body = b;
	WRITE_ONCE(*w, cs->base + off);
	if (prev != TFD_NO_BODY)
		tfd_retire(cs, prev);
	return 0;
}

/**
 * tfd_code_mmap() - bind @cs to its (only) mapping in its mm.
 * @cs: the set of vma->vm_mm.
 * @vma: the new mapping.
 *
 * Body pointers are absolute, so one mapping per table and mm.
 *
 * Return: 0 or -EBUSY.
 */
static int tfd_code_mmap(struct tfd_ctxset *cs, struct vm_area_struct *vma)
{
	mutex_lock(&cs->lock);
	if (cs->nvmas) {
		mutex_unlock(&cs->lock);
		return -EBUSY;
	}
	cs->nvmas = 1;
	cs->base = vma->vm_start;
	tfd_code_set_ptrs(cs);
	mutex_unlock(&cs->lock);
	return 0;
}

static vm_fault_t tfd_code_fault(struct vm_fault *vmf)
{
	struct tfd_ctxset *cs = vmf->vma->vm_private_data;
	unsigned long pg = vmf->pgoff, ptr0, body0;
	struct tfd_table *t;
	struct page *page = NULL;

	if (!cs)
		return VM_FAULT_SIGSEGV;
	t = cs->t;
	ptr0 = t->ptr_off >> PAGE_SHIFT;
	body0 = t->body_off >> PAGE_SHIFT;
	if (pg < t->nentry_pages)
		page = pg == t->nentry_pages - 1 && t->entry_last ?
		       t->entry_last : t->entry_full;
	else if (pg >= ptr0 && pg < ptr0 + t->nptr_pages)
		page = tfd_ptr_page(cs, pg - ptr0, true);
	else if (pg >= body0 && pg < body0 + t->nbody_pages)
		/* Pairs with tfd_put_body(): see the page filled. */
		page = smp_load_acquire(&cs->body_pages[pg - body0]);
	if (!page)
		return VM_FAULT_SIGSEGV;
	get_page(page);
	vmf->page = page;
	return 0;
}

static void tfd_code_open(struct vm_area_struct *vma)
{
	struct tfd_ctxset *cs = vma->vm_private_data;

	/* fork: the child gets its own copy of the contexts and pages. */
	if (cs && cs->mm != vma->vm_mm) {
		cs = tfd_ctxset_fork(cs, vma->vm_mm);
		vma->vm_private_data = cs;
	}
	if (!cs)
		return;
	mutex_lock(&cs->lock);
	cs->nvmas++;
	mutex_unlock(&cs->lock);
}

static void tfd_code_close(struct vm_area_struct *vma)
{
	struct tfd_ctxset *cs = vma->vm_private_data;

	if (!cs)
		return;
	mutex_lock(&cs->lock);
	cs->nvmas--;
	mutex_unlock(&cs->lock);
}

/* Body pointers hold absolute addresses: the mapping cannot move. */
static int tfd_code_mremap(struct vm_area_struct *vma)
{
	return -EINVAL;
}

static const struct vm_operations_struct tfd_code_vm_ops = {
	.open = tfd_code_open,
	.close = tfd_code_close,
	.mremap = tfd_code_mremap,
	.fault = tfd_code_fault,
};

const struct tfd_mode_ops tfd_code_mode = {
	.name = "code", .code = true,
	/* The entry pages, shared by every address space; per address space: */
	.layout = tfd_code_layout, .free_table = tfd_code_free_table,
	.init_set = tfd_code_init_set, .free_set = tfd_code_free_set,
	.publish = tfd_code_publish,
	.copied = tfd_code_set_ptrs,
	/* One mapping per address space, BTI-guarded where the CPU has BTI. */
	.mmap = tfd_code_mmap,
	.vm_flags = tfd_arch_code_vm_flags,
	.vm_ops = &tfd_code_vm_ops,
};
