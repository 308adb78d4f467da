// SPDX-License-Identifier: GPL-2.0
/*
 * trampfd.ko: trampolines without writable+executable memory.
 *
 * /dev/trampfd is a misc device; TRAMPFD_IOC_CREATE returns a new
 * close-on-exec anonymous fd per table. The table fd takes pread/pwrite at
 * TRAMPFD_OFFSET(index, ctx), mmap and shows its state in fdinfo.
 */
#define pr_fmt(fmt) "trampfd: " fmt

#include <linux/anon_inodes.h>
#include <linux/compat.h>
#include <linux/file.h>
#include <linux/miscdevice.h>
#include <linux/module.h>
#include <linux/seq_file.h>
#include <linux/slab.h>
#include <linux/uaccess.h>
#include "trampfd_int.h"

unsigned int tfd_max_trampolines = TRAMPFD_MAX_TRAMPOLINES;
module_param_named(max_trampolines, tfd_max_trampolines, uint, 0644);
MODULE_PARM_DESC(max_trampolines, "Largest table (trampolines)");

static unsigned int tfd_max_tables = 1U << 16;
module_param_named(max_tables, tfd_max_tables, uint, 0644);
MODULE_PARM_DESC(max_tables, "Most live tables, all processes together");

static atomic_t tfd_ntables = ATOMIC_INIT(0);

static struct tfd_table *tfd_file_table(struct file *file)
{
	return file->private_data;
}

/* Splits a pread/pwrite offset as the library does: the shared contract. */
static int tfd_decode(struct tfd_table *t, loff_t pos, unsigned int *index,
		      unsigned int *ctx)
{
	return tfd_decode_offset(pos, t->n, index, ctx) ? -EINVAL : 0;
}

static struct tfd_ctxset *tfd_current_set(struct tfd_table *t)
{
	if (!current->mm)
		return ERR_PTR(-EINVAL);
	return tfd_ctxset_get(t, current->mm) ?: ERR_PTR(-ENOMEM);
}

static ssize_t tfd_read(struct file *file, char __user *buf, size_t len,
			loff_t *ppos)
{
	struct tfd_table *t = tfd_file_table(file);
	unsigned int index, ctx;
	struct tfd_ctxset *cs;
	int err;

	err = tfd_decode(t, *ppos, &index, &ctx);
	if (err)
		return err;
	if (ctx == TRAMPFD_MAP_OFFSET) {
		if (len < sizeof(t->map))
			return -EINVAL;
		if (copy_to_user(buf, &t->map, sizeof(t->map)))
			return -EFAULT;
		return sizeof(t->map);
	}
	if (ctx == TRAMPFD_ALLOWED_PCS_OFFSET)
		return -EINVAL;
	cs = tfd_current_set(t);
	if (IS_ERR(cs))
		return PTR_ERR(cs);
	return tfd_read_ctx(cs, index, ctx, buf, len);
}

static ssize_t tfd_write(struct file *file, const char __user *buf,
			 size_t len, loff_t *ppos)
{
	struct tfd_table *t = tfd_file_table(file);
	unsigned int index, ctx;
	struct tfd_ctxset *cs;
	int err;

	err = tfd_decode(t, *ppos, &index, &ctx);
	if (err)
		return err;
	if (ctx == TRAMPFD_MAP_OFFSET)
		return -EINVAL;
	cs = tfd_current_set(t);
	if (IS_ERR(cs))
		return PTR_ERR(cs);
	return tfd_write_ctx(cs, index, ctx, buf, len);
}

static int tfd_mmap(struct file *file, struct vm_area_struct *vma)
{
	struct tfd_table *t = tfd_file_table(file);
	struct tfd_ctxset *cs;
	int err;

	/* The registers and the generated code are 64-bit ones. */
	if (in_compat_syscall() || vma->vm_pgoff ||
	    vma->vm_end - vma->vm_start != t->map.size)
		return -EINVAL;
	if (vma->vm_flags & VM_WRITE)
		return -EPERM;
	cs = tfd_ctxset_get(t, vma->vm_mm);
	if (!cs)
		return -ENOMEM;
	if (t->ops->mmap) {
		err = t->ops->mmap(cs, vma);
		if (err)
			return err;
	}
	/* Never writable, never grown; the code can only be read and run. */
	tfd_vm_flags_mod(vma, VM_DONTEXPAND | VM_DONTDUMP |
			 (t->ops->vm_flags ? t->ops->vm_flags() : 0),
			 VM_MAYWRITE);
	vma->vm_private_data = cs;
	vma->vm_ops = t->ops->vm_ops;
	return 0;
}

static int tfd_release(struct inode *inode, struct file *file)
{
	tfd_table_free(tfd_file_table(file));
	atomic_dec(&tfd_ntables);
	return 0;
}

static void tfd_show_fdinfo(struct seq_file *m, struct file *file)
{
	struct tfd_table *t = tfd_file_table(file);
	struct tfd_ctxset *cs;
	unsigned int nregs = 0, nstack = 0, sets = 0, npcs = 0;
	struct tfd_ctx *c;
	unsigned long i;

	mutex_lock(&t->lock);
	list_for_each_entry(cs, &t->sets, node) {
		sets++;
		if (cs->mm != current->mm)
			continue;
		mutex_lock(&cs->lock);
		npcs = cs->npcs;
		xa_for_each(&cs->slots, i, c) {
			nregs += !!c->regs_len;
			nstack += !!c->stack_len;
		}
		mutex_unlock(&cs->lock);
	}
	mutex_unlock(&t->lock);
	seq_printf(m, "trampfd-mode:\t%s\n", t->ops->name);
	seq_printf(m, "trampfd-ntrampolines:\t%u\n", t->n);
	seq_printf(m, "trampfd-map-size:\t%u\n", t->map.size);
	seq_printf(m, "trampfd-stride:\t%u\n", t->map.stride);
	seq_printf(m, "trampfd-regs-set:\t%u\n", nregs);
	seq_printf(m, "trampfd-stack-set:\t%u\n", nstack);
	seq_printf(m, "trampfd-allowed-pcs:\t%u\n", npcs);
	seq_printf(m, "trampfd-address-spaces:\t%u\n", sets);
}

static const struct file_operations tfd_table_fops = {
	.owner = THIS_MODULE,
	.read = tfd_read,
	.write = tfd_write,
	.mmap = tfd_mmap,
	.release = tfd_release,
	.show_fdinfo = tfd_show_fdinfo,
};

static int tfd_create(const struct trampfd_create_args *args)
{
	struct trampfd_user u;
	struct tfd_table *t;
	struct file *file;
	unsigned int n;
	int fd, err;

	if (args->flags || args->reserved || args->type != TRAMPFD_USER ||
	    args->data_size != sizeof(u) || !args->data)
		return -EINVAL;
	if (copy_from_user(&u, u64_to_user_ptr(args->data), sizeof(u)))
		return -EFAULT;
	if (u.flags & ~(TRAMPFD_FAULT | TRAMPFD_CODE | TRAMPFD_KERNEL))
		return -EINVAL;
	if ((u.flags & TRAMPFD_FAULT) && (u.flags & TRAMPFD_CODE))
		return -EINVAL;
	n = u.ntrampolines ?: 1;
	if (n > TRAMPFD_MAX_TRAMPOLINES || n > tfd_max_trampolines)
		return -EINVAL;
	if (atomic_inc_return(&tfd_ntables) > tfd_max_tables) {
		err = -ENFILE;
		goto err_count;
	}
	/* The mode is picked here, once: code unless fault is asked for. */
	t = tfd_table_create(u.flags & TRAMPFD_FAULT ? &tfd_fault_mode :
						       &tfd_code_mode, n);
	if (IS_ERR(t)) {
		err = PTR_ERR(t);
		goto err_count;
	}
	/* Reserve the fd, build the file, then install: never half-built. */
	fd = get_unused_fd_flags(O_RDWR | O_CLOEXEC);
	if (fd < 0) {
		err = fd;
		goto err_free_table;
	}
	file = anon_inode_getfile("[trampfd]", &tfd_table_fops, t, O_RDWR);
	if (IS_ERR(file)) {
		err = PTR_ERR(file);
		goto err_put_fd;
	}
	file->f_mode |= FMODE_PREAD | FMODE_PWRITE;
	fd_install(fd, file);
	return fd;

err_put_fd:
	put_unused_fd(fd);
err_free_table:
	tfd_table_free(t);
err_count:
	atomic_dec(&tfd_ntables);
	return err;
}

static long tfd_dev_ioctl(struct file *file, unsigned int cmd,
			  unsigned long arg)
{
	struct trampfd_create_args args;

	if (cmd != TRAMPFD_IOC_CREATE)
		return -ENOTTY;
	if (copy_from_user(&args, (void __user *)arg, sizeof(args)))
		return -EFAULT;
	return tfd_create(&args);
}

static const struct file_operations tfd_dev_fops = {
	.owner = THIS_MODULE,
	.unlocked_ioctl = tfd_dev_ioctl,
	.compat_ioctl = compat_ptr_ioctl,
	.llseek = noop_llseek,
};

static struct miscdevice tfd_misc = {
	.minor = MISC_DYNAMIC_MINOR,
	.name = "trampfd",
	.fops = &tfd_dev_fops,
	.mode = 0666,
};

static int __init tfd_init(void)
{
	BUILD_BUG_ON(sizeof(struct trampfd_user) != 8);
	BUILD_BUG_ON(sizeof(struct trampfd_map) != 24);
	BUILD_BUG_ON(sizeof(struct trampfd_reg) != 16);
	BUILD_BUG_ON(sizeof(struct trampfd_regs) != 8);
	BUILD_BUG_ON(sizeof(struct trampfd_stack) != 16);
	BUILD_BUG_ON(sizeof(struct trampfd_values) != 8);
	BUILD_BUG_ON(sizeof(struct trampfd_create_args) != 24);
	BUILD_BUG_ON(x64_rax != 8 || x64_rip != 23);
	BUILD_BUG_ON(TRAMPFD_OFFSET(0, TRAMPFD_REGS_OFFSET) !=
		     TRAMPFD_REGS_OFFSET);
	return misc_register(&tfd_misc);
}

static void __exit tfd_exit(void)
{
	misc_deregister(&tfd_misc);
	rcu_barrier();		/* kfree_rcu() of replaced contexts */
}

module_init(tfd_init);
module_exit(tfd_exit);
MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("trampfd: trampolines without writable+executable memory");
MODULE_AUTHOR("trampfd authors");
