// SPDX-License-Identifier: MIT
/*
 * Kernel provider: /dev/trampfd (trampfd.ko) does the work; the library
 * forwards. The module validates everything itself, so nothing here is
 * trusted by it.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <unistd.h>
#include "internal.h"

#define TFD_DEV "/dev/trampfd"
/* The largest context a write may carry: a register context of 40. */
#define TFD_MAX_CTX (sizeof(struct trampfd_regs) + \
		     TRAMPFD_MAX_REGS * sizeof(struct trampfd_reg))

struct kt_handle {
	struct tfd_handle h;
};

static int kt_available(unsigned int uflags, const char **why)
{
	if (access(TFD_DEV, R_OK | W_OK) == 0)
		return 0;
	*why = errno == ENOENT ? "no /dev/trampfd: the trampfd.ko module is not loaded"
			       : "/dev/trampfd is not accessible";
	return errno == ENOENT ? -ENODEV : -errno;
}

static int kt_create(const struct trampfd_user *u, unsigned int n, unsigned int mode,
		     struct tfd_handle **out)
{
	unsigned int f = u->flags & ~(TRAMPFD_FAULT | TRAMPFD_CODE | TFD_CREATE_FD_HIGH);
	struct trampfd_user ku = { .flags = f | mode, .ntrampolines = n };
	struct trampfd_create_args a = {
		.type = TRAMPFD_USER, .data = (uintptr_t)&ku, .data_size = sizeof(ku),
	};
	struct kt_handle *k = calloc(1, sizeof(*k));
	int dev, fd;

	if (!k)
		return -ENOMEM;
	dev = open(TFD_DEV, O_RDWR | O_CLOEXEC);
	if (dev < 0) {
		fd = errno == ENOENT ? -ENODEV : -errno;
		goto fail;
	}
	fd = ioctl(dev, TRAMPFD_IOC_CREATE, &a);
	if (fd < 0)
		fd = -errno;
	close(dev);
	if (fd < 0)
		goto fail;
	/* Give the table the lowest free number, as open() would have. */
	if (fd > dev) {
		int low = fcntl(fd, F_DUPFD_CLOEXEC, 0);

		if (low >= 0 && low < fd) {
			close(fd);
			fd = low;
		} else if (low >= 0) {
			close(low);
		}
	}
	k->h.n = n;
	*out = &k->h;
	return fd;
fail:
	free(k);
	return fd;
}

static int kt_create_fault(const struct trampfd_user *u, unsigned int n, struct tfd_handle **h)
{
	return kt_create(u, n, TRAMPFD_FAULT, h);
}

static int kt_create_code(const struct trampfd_user *u, unsigned int n, struct tfd_handle **h)
{
	return kt_create(u, n, TRAMPFD_CODE, h);
}

static ssize_t kt_pwrite(struct tfd_handle *h, const void *buf, size_t len,
			 unsigned int index, unsigned int ctx)
{
	ssize_t r;

	/* Longer than any context: the module would say so, but the VFS
	 * checks the whole buffer first and says -EFAULT. */
	if (len > TFD_MAX_CTX)
		return -EINVAL;
	r = pwrite(h->fd, buf, len, TRAMPFD_OFFSET(index, ctx));

	return r < 0 ? -errno : r;
}

static ssize_t kt_pread(struct tfd_handle *h, void *buf, size_t len,
			unsigned int index, unsigned int ctx)
{
	ssize_t r;

	/* No context is longer: a bigger buffer only needs to hold it. */
	if (len > TFD_MAX_CTX)
		len = TFD_MAX_CTX;
	r = pread(h->fd, buf, len, TRAMPFD_OFFSET(index, ctx));

	return r < 0 ? -errno : r;
}

static int kt_mmap(struct tfd_handle *h, void **base, size_t *len, void **cookie)
{
	struct trampfd_map map;
	ssize_t r = kt_pread(h, &map, sizeof(map), 0, TRAMPFD_MAP_OFFSET);
	void *p;

	if (r < 0)
		return r;
	if (r != sizeof(map))
		return -EIO;
	p = mmap(NULL, map.size, map.prot, map.flags, h->fd, map.offset);
	if (p == MAP_FAILED)
		return -errno;
	*base = p;
	*len = map.size;
	*cookie = NULL;
	return 0;
}

static int kt_munmap(void *base, size_t len, void *cookie)
{
	return munmap(base, len) < 0 ? -errno : 0;
}

static int kt_close(struct tfd_handle *h)
{
	int r = close(h->fd) < 0 ? -errno : 0;

	free(h);
	return r;
}

/* The two kernel cells differ only in the mode the module is asked for. */
#define KT_CELL(cell_, create_) {					\
	.cell = TFD_CELL_KERNEL | (cell_),				\
	.available = kt_available, .create = (create_),			\
	.pwrite = kt_pwrite, .pread = kt_pread, .mmap = kt_mmap,	\
	.munmap = kt_munmap, .close = kt_close,				\
}

const struct tfd_ops tfd_kernel_fault_ops = KT_CELL(TFD_CELL_FAULT, kt_create_fault);
const struct tfd_ops tfd_kernel_code_ops = KT_CELL(0, kt_create_code);
