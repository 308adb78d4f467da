// SPDX-License-Identifier: MIT
/* /proc/self/fdinfo of a table shows its mode, size and contexts. */
#include "kt.h"

static void nop(void) {}

static void expect(int fd, const char *want)
{
	char path[64], buf[4096];
	ssize_t n;
	int f;

	snprintf(path, sizeof(path), "/proc/self/fdinfo/%d", fd);
	f = open(path, O_RDONLY);
	if (f < 0)
		kt_fail("open %s: %s", path, strerror(errno));
	n = read(f, buf, sizeof(buf) - 1);
	close(f);
	if (n <= 0)
		kt_fail("read %s", path);
	buf[n] = 0;
	if (!strstr(buf, want))
		kt_fail("fdinfo lacks \"%s\":\n%s", want, buf);
}

int main(void)
{
	int fd = kt_create(TRAMPFD_CODE, 5), fd2 = kt_create(TRAMPFD_FAULT, 1);

	if (fd < 0 || fd2 < 0)
		kt_fail("create");
	expect(fd, "trampfd-mode:\tcode\n");
	expect(fd2, "trampfd-mode:\tfault\n");
	expect(fd, "trampfd-ntrampolines:\t5\n");
	expect(fd, "trampfd-regs-set:\t0\n");
	KT_EQ(kt_set(fd, 3, nop, 0, 0, 0, 0), 24);
	KT_EQ(kt_set(fd, 4, nop, 0, 0, 0, 0), 24);
	expect(fd, "trampfd-regs-set:\t2\n");
	{
		char want[64];

		snprintf(want, sizeof(want), "trampfd-stride:\t%d\n", KT_CODE_STRIDE);
		expect(fd, want);
	}
	return 0;
}
