// SPDX-License-Identifier: MIT
/* Measurement: a large table's mapping count and costs (argv[1]: log2 n). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <trampfd.h>

static __attribute__((noinline)) unsigned long f(unsigned long a) { return a; }

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec * 1e-9;
}

static int maps(void)
{
	FILE *fp = fopen("/proc/self/maps", "r");
	int c, n = 0;

	while ((c = fgetc(fp)) != EOF)
		n += c == '\n';
	fclose(fp);
	return n;
}

int main(int argc, char **argv)
{
	unsigned int n = 1U << (argc > 1 ? atoi(argv[1]) : 24), i, step = n / 4096;
	struct trampfd_user u = { .flags = TRAMPFD_NOKERNEL | TRAMPFD_CODE, .ntrampolines = n };
	struct { struct trampfd_regs h; struct trampfd_reg r[2]; } r;
	struct trampfd_map map;
	int m0 = maps(), fd;
	double t0 = now();
	void *base;

	fd = trampfd_create(TRAMPFD_USER, &u, 0);
	if (fd < 0 || trampfd_pread(fd, &map, sizeof(map), TRAMPFD_MAP_OFFSET) < 0) {
		printf("create: %s\n", strerror(-fd));
		return 1;
	}
	printf("n = %u: create %.1f us", n, (now() - t0) * 1e6);
	t0 = now();
	if (trampfd_mmap(fd, &base))
		return 1;
	printf(", mmap %.1f ms, %d mappings", (now() - t0) * 1e3, maps() - m0);
	memset(&r, 0, sizeof(r));
	r.h.nregs = 2;
	r.r[0].name = TRAMPFD_REG_ARG0;
	r.r[1].name = TRAMPFD_REG_PC;
	r.r[1].value = (unsigned long)f;
	t0 = now();
	for (i = 0; i < n; i += step) {
		r.r[0].value = i;
		if (trampfd_pwrite(fd, &r, sizeof(r), TRAMPFD_OFFSET(i, TRAMPFD_REGS_OFFSET)) < 0)
			return 2;
	}
	printf(", %u writes %.2f us each", n / step, (now() - t0) * 1e6 / (n / step));
	for (i = 0; i < n; i += step)
		if (((unsigned long (*)(void))trampfd_addr(base, &map, i))() != i)
			return 3;
	t0 = now();
	trampfd_close(fd);
	trampfd_munmap(base);
	printf(", free %.1f ms, %d mappings left\n", (now() - t0) * 1e3, maps() - m0);
	return 0;
}
