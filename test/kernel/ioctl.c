// SPDX-License-Identifier: MIT
/* /dev/trampfd ioctl abuse: -ENOTTY, -EFAULT, -EINVAL; fds are O_CLOEXEC. */
#include "kt.h"

static long create_raw(struct trampfd_create_args *a)
{
	int dev = kt_dev();
	long r = ioctl(dev, TRAMPFD_IOC_CREATE, a);

	if (r < 0)
		r = -errno;
	close(dev);
	return r;
}

int main(void)
{
	struct trampfd_user u = { 0, 1 };
	struct trampfd_create_args a, good = {
		.type = TRAMPFD_USER, .data = (uintptr_t)&u, .data_size = sizeof(u),
	};
	int dev = kt_dev(), fd;
	long r;

	KT_EQ(ioctl(dev, 0x1234, 0), -ENOTTY);
	KT_EQ(ioctl(dev, _IOW(TRAMPFD_IOC_MAGIC, 2, struct trampfd_create_args), &good), -ENOTTY);
	KT_EQ(ioctl(dev, _IOW(TRAMPFD_IOC_MAGIC, 1, int), &good), -ENOTTY);
	KT_EQ(ioctl(dev, TRAMPFD_IOC_CREATE, NULL), -EFAULT);
	KT_EQ(ioctl(dev, TRAMPFD_IOC_CREATE, (void *)1), -EFAULT);
	close(dev);

	a = good; a.flags = 1;
	KT_EQ(create_raw(&a), -EINVAL);
	a = good; a.reserved = 1;
	KT_EQ(create_raw(&a), -EINVAL);
	a = good; a.type = TRAMPFD_NUM_TYPES;
	KT_EQ(create_raw(&a), -EINVAL);
	a = good; a.data = 0;		/* NULL data: -EINVAL, as RFC v1 */
	KT_EQ(create_raw(&a), -EINVAL);
	a = good; a.data_size = 4;
	KT_EQ(create_raw(&a), -EINVAL);
	a = good; a.data_size = 16;
	KT_EQ(create_raw(&a), -EINVAL);
	a = good; a.data = (uintptr_t)-4096;
	KT_EQ(create_raw(&a), -EFAULT);

	KT_EQ(kt_create(TRAMPFD_FAULT | TRAMPFD_CODE, 1), -EINVAL);
	KT_EQ(kt_create(TRAMPFD_NOKERNEL, 1), -EINVAL);
	KT_EQ(kt_create(TRAMPFD_FASTWRITE, 1), -EINVAL);
	KT_EQ(kt_create(1U << 31, 1), -EINVAL);
	KT_EQ(kt_create(0, TRAMPFD_MAX_TRAMPOLINES + 1), -EINVAL);
	KT_EQ(kt_create(0, 0xffffffffu), -EINVAL);

	fd = kt_create(TRAMPFD_KERNEL, 0);	/* 0 means 1; default mode */
	if (fd < 0)
		kt_fail("create: %s", strerror(-fd));
	r = fcntl(fd, F_GETFD);
	if (!(r & FD_CLOEXEC))
		kt_fail("table fd is not close-on-exec");
	r = fcntl(fd, F_GETFL);
	if ((r & O_ACCMODE) != O_RDWR)
		kt_fail("table fd is not O_RDWR");
	/* The table fd is not a device: it takes no ioctl. */
	KT_EQ(ioctl(fd, TRAMPFD_IOC_CREATE, &good), -ENOTTY);
	close(fd);
	return 0;
}
