// SPDX-License-Identifier: GPL-2.0
/*
 * Fault mode (RFC v1): the mapping never has pages. An instruction fetch
 * at a trampoline's start faults; the handler loads the context into the
 * user registers, stores the stack data and returns VM_FAULT_NOPAGE, so
 * the task resumes at the target PC. Anything else is SIGSEGV.
 */
#define pr_fmt(fmt) "trampfd: " fmt

#include <linux/module.h>
#include <linux/sched/signal.h>
#include <linux/sched/task_stack.h>
#include <linux/slab.h>
#include <linux/task_work.h>
#include <linux/uaccess.h>
#include "trampfd_int.h"

/* Stack data that could not be stored inside the fault handler. */
struct tfd_stack_work {
	struct callback_head cb;
	unsigned long addr;
	unsigned int size;
	u8 data[TRAMPFD_MAX_STACK_SIZE];
};

/*
 * Runs before the task returns to user space, with no mmap_lock held, so
 * the store may fault in the stack page. The work holds a module reference.
 */
static void tfd_stack_work_fn(struct callback_head *cb)
{
	struct tfd_stack_work *w = container_of(cb, struct tfd_stack_work, cb);

	if (copy_to_user((void __user *)w->addr, w->data, w->size))
		force_sig(SIGSEGV);
	kfree(w);
	module_put(THIS_MODULE);
}

/*
 * The fault handler holds mmap_lock for read: a nested fault on the stack
 * would take it again and deadlock against a writer queued in another
 * thread. So store without faulting, or defer to task_work.
 */
static bool tfd_store_stack(unsigned long addr, const u8 *data,
			    unsigned int size)
{
	struct tfd_stack_work *w;
	unsigned long left;

	if (!access_ok((void __user *)addr, size))
		return false;
	pagefault_disable();
	left = __copy_to_user_inatomic((void __user *)addr, data, size);
	pagefault_enable();
	if (!left)
		return true;
	w = kmalloc(sizeof(*w), GFP_KERNEL);
	if (!w)
		return false;
	w->addr = addr;
	w->size = size;
	memcpy(w->data, data, size);
	init_task_work(&w->cb, tfd_stack_work_fn);
	__module_get(THIS_MODULE);
	if (task_work_add(current, &w->cb, TWA_RESUME)) {
		module_put(THIS_MODULE);
		kfree(w);
		return false;
	}
	return true;
}

static vm_fault_t tfd_fault_fault(struct vm_fault *vmf)
{
	struct vm_area_struct *vma = vmf->vma;
	struct tfd_ctxset *cs = vma->vm_private_data;
	struct pt_regs *regs = task_pt_regs(current);
	unsigned long addr = vmf->real_address, off, sp;
	u8 data[TRAMPFD_MAX_STACK_SIZE];
	u64 val[TFD_NUM_ARCH_REGS];
	unsigned int i, size = 0;
	u32 mask;
	const struct tfd_ctx *c;
	bool set_sp = false;

	/* x86 does not check VM_EXEC when fetching from a non-present page. */
	if (!cs || !(vmf->flags & FAULT_FLAG_INSTRUCTION) ||
	    !(vmf->flags & FAULT_FLAG_USER) || !(vma->vm_flags & VM_EXEC) ||
	    vma->vm_mm != current->mm || instruction_pointer(regs) != addr ||
	    !tfd_arch_user64(regs))
		return VM_FAULT_SIGSEGV;
	off = addr - vma->vm_start + (vma->vm_pgoff << PAGE_SHIFT);
	if (off % cs->t->map.stride)
		return VM_FAULT_SIGSEGV;
	i = off / cs->t->map.stride;
	if (i >= cs->t->n)
		return VM_FAULT_SIGSEGV;

	sp = regs->sp;
	rcu_read_lock();
	c = xa_load(&cs->slots, i);
	if (!c || !c->regs_len) {
		rcu_read_unlock();
		return VM_FAULT_SIGSEGV;
	}
	mask = c->rs.mask;
	memcpy(val, c->rs.val, sizeof(val));
	if (c->stack_len) {
		const struct trampfd_stack *s = (const void *)c->stack;

		size = s->size;
		set_sp = s->flags & TRAMPFD_SET_SP;
		sp -= s->offset + s->size;
		memcpy(data, s->data, size);
	}
	rcu_read_unlock();
	/* Registers last: a failed stack store must leave the task as is. */
	if (size && !tfd_store_stack(sp, data, size))
		return VM_FAULT_SIGSEGV;
	tfd_arch_apply(regs, mask, val);
	if (set_sp)
		regs->sp = sp;
	return VM_FAULT_NOPAGE;
}

static void tfd_fault_open(struct vm_area_struct *vma)
{
	struct tfd_ctxset *cs = vma->vm_private_data;

	/* fork: the child gets its own copy of the contexts. */
	if (cs && cs->mm != vma->vm_mm)
		vma->vm_private_data = tfd_ctxset_fork(cs, vma->vm_mm);
}

static const struct vm_operations_struct tfd_fault_vm_ops = {
	.open = tfd_fault_open,
	.fault = tfd_fault_fault,
};

/* No pages: PROT_EXEC only, so every call is an instruction fetch fault. */
static int tfd_fault_layout(struct tfd_table *t)
{
	t->map.prot = PROT_EXEC;
	t->map.stride = 8;
	t->map.size = PAGE_ALIGN((u64)t->n * t->map.stride);
	return 0;
}

/* Nothing but the slots: the fault handler reads them at each call. */
const struct tfd_mode_ops tfd_fault_mode = {
	.name = "fault",
	.layout = tfd_fault_layout,
	.vm_ops = &tfd_fault_vm_ops,
};
