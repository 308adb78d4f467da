// SPDX-License-Identifier: GPL-2.0
/*
 * Tables, per-mm context sets and context writes (docs/design.md §3.3, §3.4); the
 * validation is the shared contract's (include/linux/trampfd_contract.h),
 * what differs between the modes is t->ops (struct tfd_mode_ops).
 *
 * Contexts are keyed by address space: fork() gives the child a copy
 * (vm_ops->open), and a pread/pwrite works on the set of current->mm, so a
 * write in one process never reaches another even through a shared fd.
 */
#define pr_fmt(fmt) "trampfd: " fmt

#include <linux/sched/mm.h>
#include <linux/slab.h>
#include <linux/uaccess.h>
#include "trampfd_int.h"

/**
 * tfd_table_create() - allocate a table of @n trampolines.
 * @ops: its mode.
 * @n: number of trampolines, already checked against the limits.
 *
 * Return: the table or an ERR_PTR.
 */
struct tfd_table *tfd_table_create(const struct tfd_mode_ops *ops,
				   unsigned int n)
{
	struct tfd_table *t;
	int err;

	t = kzalloc(sizeof(*t), GFP_KERNEL_ACCOUNT);
	if (!t)
		return ERR_PTR(-ENOMEM);
	t->ops = ops;
	t->n = n;
	mutex_init(&t->lock);
	INIT_LIST_HEAD(&t->sets);
	t->map.flags = MAP_SHARED;
	err = ops->layout(t);
	if (err) {
		kfree(t);
		return ERR_PTR(err);
	}
	return t;
}

static void tfd_ctxset_free(struct tfd_ctxset *cs)
{
	struct tfd_ctx *c;
	unsigned long i;

	xa_for_each(&cs->slots, i, c)
		kfree(c);
	xa_destroy(&cs->slots);
	if (cs->t->ops->free_set)
		cs->t->ops->free_set(cs);
	if (cs->mm)
		mmdrop(cs->mm);
	kfree(cs);
}

/**
 * tfd_table_free() - free a table once its file is released.
 * @t: the table; no mapping of it is left, so no fault can reach it.
 */
void tfd_table_free(struct tfd_table *t)
{
	struct tfd_ctxset *cs, *tmp;

	list_for_each_entry_safe(cs, tmp, &t->sets, node)
		tfd_ctxset_free(cs);
	if (t->ops->free_table)
		t->ops->free_table(t);
	kfree(t);
}

static struct tfd_ctxset *tfd_ctxset_alloc(struct tfd_table *t,
					   struct mm_struct *mm)
{
	struct tfd_ctxset *cs;

	cs = kzalloc(sizeof(*cs), GFP_KERNEL_ACCOUNT);
	if (!cs)
		return NULL;
	cs->t = t;
	mutex_init(&cs->lock);
	xa_init(&cs->slots);
	if (t->ops->init_set && t->ops->init_set(cs))
		goto err_free;
	mmgrab(mm);
	cs->mm = mm;
	return cs;

err_free:
	kfree(cs);
	return NULL;
}

static int tfd_publish(struct tfd_ctxset *cs, unsigned int i,
		       struct tfd_ctx *c, const struct tfd_ctx *old, bool quiet)
{
	return cs->t->ops->publish ?
	       cs->t->ops->publish(cs, i, c, old, quiet) : 0;
}

/* Copies @src's contexts into the fresh set @cs; t->lock held. */
static int tfd_ctxset_copy(struct tfd_ctxset *cs, struct tfd_ctxset *src)
{
	struct tfd_ctx *old;
	unsigned long i;
	int err = 0;

	mutex_lock(&src->lock);
	cs->npcs = src->npcs;
	cs->regs_written = src->regs_written;
	memcpy(cs->pcs, src->pcs, sizeof(cs->pcs));
	cs->base = src->base;
	xa_for_each(&src->slots, i, old) {
		struct tfd_ctx *c;

		c = kmemdup(old, sizeof(*c), GFP_KERNEL_ACCOUNT);
		if (!c) {
			err = -ENOMEM;
			break;
		}
		err = xa_err(xa_store(&cs->slots, i, c, GFP_KERNEL_ACCOUNT));
		if (err) {
			kfree(c);
			break;
		}
		err = tfd_publish(cs, i, c, NULL, true);
		if (err)
			break;
	}
	if (!err && cs->t->ops->copied)
		cs->t->ops->copied(cs);
	mutex_unlock(&src->lock);
	return err;
}

static struct tfd_ctxset *tfd_ctxset_new(struct tfd_table *t,
					 struct mm_struct *mm,
					 struct tfd_ctxset *src)
{
	struct tfd_ctxset *cs;

	lockdep_assert_held(&t->lock);
	cs = tfd_ctxset_alloc(t, mm);
	if (!cs)
		return NULL;
	if (src && tfd_ctxset_copy(cs, src)) {
		tfd_ctxset_free(cs);
		return NULL;
	}
	list_add(&cs->node, &t->sets);
	if (!t->first)
		t->first = cs;
	return cs;
}

static struct tfd_ctxset *tfd_ctxset_find(struct tfd_table *t,
					  struct mm_struct *mm)
{
	struct tfd_ctxset *cs;

	list_for_each_entry(cs, &t->sets, node)
		if (cs->mm == mm)
			return cs;
	return NULL;
}

/**
 * tfd_ctxset_get() - the context set of @mm, created on first use.
 * @t: the table.
 * @mm: the address space.
 *
 * A process that inherited the fd but no mapping starts from a copy of the
 * creator's set. Sets live until the table is freed.
 *
 * Return: the set, or NULL when out of memory.
 */
struct tfd_ctxset *tfd_ctxset_get(struct tfd_table *t, struct mm_struct *mm)
{
	struct tfd_ctxset *cs;

	mutex_lock(&t->lock);
	cs = tfd_ctxset_find(t, mm);
	if (!cs)
		cs = tfd_ctxset_new(t, mm, t->first);
	mutex_unlock(&t->lock);
	return cs;
}

/**
 * tfd_ctxset_fork() - the set of a child's @mm, copied from @src.
 * @src: the parent's set, whose vma is being copied.
 * @mm: the child's address space.
 *
 * Return: the set, or NULL when out of memory.
 */
struct tfd_ctxset *tfd_ctxset_fork(struct tfd_ctxset *src,
				   struct mm_struct *mm)
{
	struct tfd_table *t = src->t;
	struct tfd_ctxset *cs;

	mutex_lock(&t->lock);
	cs = tfd_ctxset_find(t, mm);
	if (!cs)
		cs = tfd_ctxset_new(t, mm, src);
	mutex_unlock(&t->lock);
	return cs;
}

/* The contract's reasons are all -EINVAL. */
static int tfd_refuse(int reason)
{
	return reason == TFD_OK ? 0 : -EINVAL;
}

/* Checks a register context and decodes it into @c; no PC list check. */
static int tfd_check_regs(struct tfd_ctx *c, const u8 *buf, size_t len,
			  const struct tfd_mode_ops *ops)
{
	int err = tfd_refuse(tfd_check_regs_ctx(buf, len,
						tfd_reserved_regs(ops->code),
						&c->rs));

	if (err)
		return err;
	c->pc = c->rs.mask ? c->rs.val[TFD_REG_PC - TFD_REG_FIRST] : 0;
	memcpy(c->regs, buf, len);
	c->regs_len = c->rs.mask ? len : 0;
	return 0;
}

static int tfd_check_stack(struct tfd_ctx *c, const u8 *buf, size_t len)
{
	const struct trampfd_stack *s = (const void *)buf;
	int err = tfd_refuse(tfd_check_stack_ctx(buf, len));

	if (err)
		return err;
	memcpy(c->stack, buf, len);
	c->stack_len = s->size ? len : 0;
	return 0;
}

static int tfd_write_pcs(struct tfd_ctxset *cs, const u8 *buf, size_t len)
{
	u64 pcs[TRAMPFD_MAX_PCS];
	u32 n;
	int err = tfd_refuse(tfd_check_pcs_ctx(buf, len, pcs, &n));

	if (err)
		return err;
	mutex_lock(&cs->lock);
	if (cs->npcs || cs->regs_written) {
		mutex_unlock(&cs->lock);
		return -EPERM;
	}
	memcpy(cs->pcs, pcs, n * sizeof(u64));
	cs->npcs = n;
	mutex_unlock(&cs->lock);
	return len;
}

/* Replaces slot @i's context by @c (NULL: none), atomically for callers. */
static int tfd_replace(struct tfd_ctxset *cs, unsigned int i,
		       struct tfd_ctx *c)
{
	struct tfd_ctx *old;
	int err;

	old = xa_store(&cs->slots, i, c, GFP_KERNEL_ACCOUNT);
	if (xa_is_err(old))
		return xa_err(old);
	err = tfd_publish(cs, i, c, old, false);
	if (err) {
		/* The slot exists now: putting it back cannot fail. */
		xa_store(&cs->slots, i, old, GFP_KERNEL_ACCOUNT);
		return err;
	}
	if (old)
		kfree_rcu(old, rcu);
	return 0;
}

/**
 * tfd_write_ctx() - pwrite of one context.
 * @cs: the writer's context set.
 * @index: trampoline index, already below the table size.
 * @ctx: TRAMPFD_*_OFFSET.
 * @ubuf: user buffer.
 * @len: its length, which must be the structure's exactly.
 *
 * Return: @len or -errno; on error nothing changed.
 */
ssize_t tfd_write_ctx(struct tfd_ctxset *cs, unsigned int index,
		      unsigned int ctx, const void __user *ubuf, size_t len)
{
	struct tfd_ctx *c, *old;
	ssize_t ret;
	u8 *buf;

	if (ctx != TRAMPFD_REGS_OFFSET && ctx != TRAMPFD_STACK_OFFSET &&
	    ctx != TRAMPFD_ALLOWED_PCS_OFFSET)
		return -EINVAL;
	if (len > TFD_REGS_MAX_LEN)
		return -EINVAL;
	buf = memdup_user(ubuf, len);
	if (IS_ERR(buf))
		return PTR_ERR(buf);
	if (ctx == TRAMPFD_ALLOWED_PCS_OFFSET) {
		ret = tfd_write_pcs(cs, buf, len);
		goto out_free_buf;
	}
	c = kzalloc(sizeof(*c), GFP_KERNEL_ACCOUNT);
	ret = -ENOMEM;
	if (!c)
		goto out_free_buf;
	ret = ctx == TRAMPFD_REGS_OFFSET ?
	      tfd_check_regs(c, buf, len, cs->t->ops) :
	      tfd_check_stack(c, buf, len);
	if (ret)
		goto out_free_ctx;

	mutex_lock(&cs->lock);
	old = xa_load(&cs->slots, index);
	if (ctx == TRAMPFD_REGS_OFFSET) {
		ret = -EINVAL;
		if (c->regs_len && !tfd_pc_allowed(c->pc, cs->pcs, cs->npcs))
			goto out_unlock;
		if (old) {
			c->stack_len = old->stack_len;
			memcpy(c->stack, old->stack, sizeof(c->stack));
		}
	} else if (old) {
		c->regs_len = old->regs_len;
		c->pc = old->pc;
		c->rs = old->rs;
		memcpy(c->regs, old->regs, sizeof(c->regs));
	}
	if (!c->regs_len && !c->stack_len) {
		kfree(c);
		c = NULL;
	}
	ret = tfd_replace(cs, index, c);
	if (ret)
		goto out_unlock;
	if (ctx == TRAMPFD_REGS_OFFSET)
		cs->regs_written = true;
	mutex_unlock(&cs->lock);
	kfree(buf);
	return len;

out_unlock:
	mutex_unlock(&cs->lock);
out_free_ctx:
	kfree(c);
out_free_buf:
	kfree(buf);
	return ret;
}

/**
 * tfd_read_ctx() - pread of one context: exactly what was last written.
 * @cs: the reader's context set.
 * @index: trampoline index, already below the table size.
 * @ctx: TRAMPFD_REGS_OFFSET or TRAMPFD_STACK_OFFSET.
 * @ubuf: user buffer.
 * @len: its length, which must hold the whole context.
 *
 * Return: bytes read or -errno. An unset context reads as its header alone.
 */
ssize_t tfd_read_ctx(struct tfd_ctxset *cs, unsigned int index,
		     unsigned int ctx, void __user *ubuf, size_t len)
{
	u8 buf[TFD_REGS_STORE];
	struct tfd_ctx *c;
	size_t n;

	BUILD_BUG_ON(sizeof(buf) < TFD_STACK_MAX_LEN);
	if (ctx != TRAMPFD_REGS_OFFSET && ctx != TRAMPFD_STACK_OFFSET)
		return -EINVAL;
	memset(buf, 0, sizeof(buf));
	mutex_lock(&cs->lock);
	c = xa_load(&cs->slots, index);
	if (ctx == TRAMPFD_REGS_OFFSET) {
		n = sizeof(struct trampfd_regs);
		if (c && c->regs_len) {
			n = c->regs_len;
			memcpy(buf, c->regs, n);
		}
	} else {
		n = sizeof(struct trampfd_stack);
		if (c && c->stack_len) {
			n = c->stack_len;
			memcpy(buf, c->stack, n);
		}
	}
	mutex_unlock(&cs->lock);
	if (len < n)
		return -EINVAL;
	if (copy_to_user(ubuf, buf, n))
		return -EFAULT;
	return n;
}
