// SPDX-License-Identifier: MIT
/*
 * The public calls: argument checks every cell shares, cell selection, and
 * the registry of mappings that lets trampfd_munmap() work after close.
 */
#include <errno.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include "internal.h"

/* Fastest first; a cell is skipped when not available and not forced. */
static const struct tfd_ops *const cells[] = {
	&tfd_kernel_code_ops,
	&tfd_kernel_fault_ops,
	&tfd_user_code_ops,
	&tfd_user_fault_ops,
};

const struct tfd_ops *tfd_cell(unsigned int i)
{
	return i < sizeof(cells) / sizeof(cells[0]) ? cells[i] : NULL;
}

static bool cell_matches(const struct tfd_ops *o, unsigned int f)
{
	bool kernel = o->cell & TFD_CELL_KERNEL;
	bool fault = o->cell & TFD_CELL_FAULT;

	if ((f & TRAMPFD_KERNEL) && !kernel)
		return false;
	if ((f & (TRAMPFD_NOKERNEL | TRAMPFD_FASTWRITE)) && kernel)
		return false;
	if ((f & TRAMPFD_FAULT) && !fault)
		return false;
	if ((f & TRAMPFD_CODE) && fault)
		return false;
	return true;
}

/* The cell trampfd_create() would pick for these flags, or NULL with *err. */
const struct tfd_ops *tfd_pick_cell(unsigned int f, int *err)
{
	const char *w;
	int first_err = -ENODEV;
	bool any = false;
	size_t i;

	for (i = 0; i < sizeof(cells) / sizeof(cells[0]); i++) {
		int r;

		if (!cell_matches(cells[i], f))
			continue;
		r = cells[i]->available(f, &w);	/* why: for probe, not here */
		if (!r)
			return cells[i];
		if (!any)
			first_err = r;
		any = true;
	}
	*err = first_err;
	return NULL;
}

TFD_EXPORT int trampfd_create(int type, const void *data, unsigned int flags)
{
	const struct tfd_ops *ops;
	struct tfd_handle *h;
	struct trampfd_user u;
	unsigned int f;
	int fd, err;

	tfd_fork_register();
	if (flags || type != TRAMPFD_USER)
		return -EINVAL;
	if (!data)
		return -EINVAL;		/* as RFC v1 answers */
	memcpy(&u, data, sizeof(u));
	f = u.flags;
	if ((f & ~TRAMPFD_USER_FLAGS) ||
	    (f & (TRAMPFD_FAULT | TRAMPFD_CODE)) == (TRAMPFD_FAULT | TRAMPFD_CODE) ||
	    (f & (TRAMPFD_KERNEL | TRAMPFD_NOKERNEL)) == (TRAMPFD_KERNEL | TRAMPFD_NOKERNEL) ||
	    (f & (TRAMPFD_KERNEL | TRAMPFD_FASTWRITE)) == (TRAMPFD_KERNEL | TRAMPFD_FASTWRITE) ||
	    u.ntrampolines > TRAMPFD_MAX_TRAMPOLINES)
		return -EINVAL;
	ops = tfd_pick_cell(f, &err);
	if (!ops)
		return err;
	fd = ops->create(&u, u.ntrampolines ? u.ntrampolines : 1, &h);
	if (fd < 0)
		return fd;
	h->ops = ops;
	h->fd = fd;
	h->uflags = f;
	err = tfd_fdtab_insert(h);
	if (err) {
		ops->close(h);
		return err;
	}
	return fd;
}

/*
 * What pread and pwrite share: the handle, the buffer check and the decoded
 * offset; refused is the context the call cannot address.
 */
static int io_args(int fd, const void *buf, off_t offset, unsigned int refused,
		   struct tfd_handle **h, unsigned int *index, unsigned int *ctx)
{
	int err;

	*h = tfd_fdtab_get_io(fd, true);
	if (!*h)
		return -EBADF;
	if (!buf)
		err = -EFAULT;
	else {
		err = tfd_offset(offset, (*h)->n, index, ctx);
		if (!err && *ctx == refused)
			err = tfd_refuse(TFD_OFF_DIRECTION);
	}
	if (err)
		tfd_handle_put(*h);
	return err;
}

TFD_EXPORT ssize_t trampfd_pwrite(int fd, const void *buf, size_t len, off_t offset)
{
	struct tfd_handle *h;
	unsigned int index, ctx;
	int err = io_args(fd, buf, offset, TRAMPFD_MAP_OFFSET, &h, &index, &ctx);
	ssize_t r;

	if (err)
		return err;
	r = h->ops->pwrite(h, buf, len, index, ctx);
	tfd_handle_put(h);
	return r;
}

TFD_EXPORT ssize_t trampfd_pread(int fd, void *buf, size_t len, off_t offset)
{
	struct tfd_handle *h;
	unsigned int index, ctx;
	int err = io_args(fd, buf, offset, TRAMPFD_ALLOWED_PCS_OFFSET, &h, &index, &ctx);
	ssize_t r;

	if (err)
		return err;
	r = h->ops->pread(h, buf, len, index, ctx);
	tfd_handle_put(h);
	return r;
}

/* Live mappings, so munmap needs only the base, even after close. */
struct mapping {
	struct mapping *next;
	void *base;
	size_t len;
	void *cookie;
	const struct tfd_ops *ops;
};
static struct mapping *mappings;
static pthread_mutex_t map_lock = PTHREAD_MUTEX_INITIALIZER;

void tfd_api_fork(int phase)
{
	if (phase == TFD_FORK_PREPARE)
		pthread_mutex_lock(&map_lock);
	else
		pthread_mutex_unlock(&map_lock);
}

TFD_EXPORT int trampfd_mmap(int fd, void **base)
{
	struct tfd_handle *h = tfd_fdtab_get(fd);
	struct mapping *m;
	int err;

	if (!h)
		return -EBADF;
	m = base ? malloc(sizeof(*m)) : NULL;
	err = !base ? -EFAULT : !m ? -ENOMEM : h->ops->mmap(h, &m->base, &m->len, &m->cookie);
	if (m)
		m->ops = h->ops;
	tfd_handle_put(h);
	if (err) {
		free(m);
		return err;
	}
	pthread_mutex_lock(&map_lock);
	m->next = mappings;
	mappings = m;
	pthread_mutex_unlock(&map_lock);
	*base = m->base;
	return 0;
}

TFD_EXPORT int trampfd_munmap(void *base)
{
	struct mapping **p, *m = NULL;
	int err;

	pthread_mutex_lock(&map_lock);
	for (p = &mappings; *p; p = &(*p)->next) {
		if ((*p)->base == base) {
			m = *p;
			*p = m->next;
			break;
		}
	}
	pthread_mutex_unlock(&map_lock);
	if (!m)
		return -EINVAL;
	err = m->ops->munmap(m->base, m->len, m->cookie);
	free(m);
	return err;
}

TFD_EXPORT int trampfd_close(int fd)
{
	return tfd_fdtab_close(fd);
}

TFD_EXPORT void *trampfd_addr(void *base, const struct trampfd_map *map, unsigned int index)
{
	uint64_t off;

	if (!base || !map || !map->stride)
		return NULL;
	off = (uint64_t)map->ioffset + (uint64_t)index * map->stride;
	if (off >= map->size)
		return NULL;
	return (char *)base + off;
}

/* The cell serving fd (its ops are static), or NULL. */
static const struct tfd_ops *cell_of(int fd)
{
	struct tfd_handle *h = tfd_fdtab_get(fd);
	const struct tfd_ops *ops = h ? h->ops : NULL;

	if (h)
		tfd_handle_put(h);
	return ops;
}

TFD_EXPORT const char *trampfd_provider(int fd)
{
	const struct tfd_ops *ops = cell_of(fd);

	return ops ? tfd_cell_provider(ops) : NULL;
}

TFD_EXPORT const char *trampfd_mode(int fd)
{
	const struct tfd_ops *ops = cell_of(fd);

	return ops ? tfd_cell_mode(ops) : NULL;
}
