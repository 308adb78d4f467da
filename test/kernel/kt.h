/* SPDX-License-Identifier: MIT */
/*
 * Helpers of the kernel-only tests: raw UAPI, no libtrampfd. Each test is
 * one program: exit 0 pass, 1 fail, 77 skip; the last output line says why.
 * A pass is main's return 0, after which "trampfd-test: done" is printed,
 * the marker vm/init requires (as test/runner.sh does): an exit(0) half-way
 * prints none and fails.
 */
#ifndef KT_H
#define KT_H

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>
/* TRAMPFD_REG_PC, _ARG0, _ARG1: the public header's register names. */
#include <trampfd.h>

/* Register names and assembly helpers of this architecture. */
#if defined(__x86_64__)
#include "kt_x86_64.h"
#elif defined(__aarch64__)
#include "kt_aarch64.h"
#else
#error "the kernel tests know x86_64 and aarch64"
#endif

#define KT_SKIP 77
#define kt_fail(...) do { \
	fprintf(stderr, "%s:%d: ", __FILE__, __LINE__); \
	fprintf(stderr, __VA_ARGS__); fputc('\n', stderr); exit(1); \
} while (0)
#define kt_skip(...) do { \
	fprintf(stderr, __VA_ARGS__); fputc('\n', stderr); exit(KT_SKIP); \
} while (0)
/* A syscall-style expression: want a value, or -errno as -E. */
#define KT_EQ(expr, want) do { \
	long kt_r_ = (long)(expr); \
	if (kt_r_ < 0) \
		kt_r_ = -errno; \
	if (kt_r_ != (long)(want)) \
		kt_fail("%s: got %ld (%s), want %ld", #expr, kt_r_, \
			kt_r_ < 0 ? strerror((int)-kt_r_) : "ok", (long)(want)); \
} while (0)

static const char *const kt_modes[] = { "fault", "code" };
static const unsigned int kt_mode_flags[] = { TRAMPFD_FAULT, TRAMPFD_CODE };

static inline int kt_dev(void)
{
	int fd = open("/dev/trampfd", O_RDWR | O_CLOEXEC);

	if (fd < 0)
		kt_skip("no /dev/trampfd: %s", strerror(errno));
	return fd;
}

/* Creates a table; returns the fd or -errno. */
static inline int kt_create(unsigned int flags, unsigned int n)
{
	struct trampfd_user u = { .flags = flags, .ntrampolines = n };
	struct trampfd_create_args a = {
		.type = TRAMPFD_USER, .data = (uintptr_t)&u,
		.data_size = sizeof(u),
	};
	int dev = kt_dev(), fd;

	fd = ioctl(dev, TRAMPFD_IOC_CREATE, &a);
	if (fd < 0)
		fd = -errno;
	close(dev);
	return fd;
}

static inline void *kt_map(int fd, struct trampfd_map *m)
{
	void *p;

	if (pread(fd, m, sizeof(*m), TRAMPFD_MAP_OFFSET) != sizeof(*m))
		kt_fail("pread map: %s", strerror(errno));
	p = mmap(NULL, m->size, m->prot, m->flags, fd, m->offset);
	if (p == MAP_FAILED)
		kt_fail("mmap: %s", strerror(errno));
	return p;
}

static inline void *kt_addr(void *base, const struct trampfd_map *m,
			    unsigned int i)
{
	return (char *)base + m->ioffset + (size_t)i * m->stride;
}

struct kt_regs {
	struct trampfd_regs h;
	struct trampfd_reg r[TRAMPFD_MAX_REGS];
};

/* Sets trampoline i: PC plus up to three argument registers. */
static inline long kt_set(int fd, unsigned int i, void *pc, int nargs,
			  long a0, long a1, long a2)
{
	static const unsigned int arg[] = { TRAMPFD_REG_ARG0, TRAMPFD_REG_ARG1, KT_REG_ARG2 };
	struct kt_regs r = { .h.nregs = nargs + 1 };
	long v[] = { a0, a1, a2 };
	int k;

	r.r[0].name = TRAMPFD_REG_PC;
	r.r[0].value = (uintptr_t)pc;
	for (k = 0; k < nargs; k++) {
		r.r[k + 1].name = arg[k];
		r.r[k + 1].value = v[k];
	}
	return pwrite(fd, &r, 8 + 16 * r.h.nregs,
		      TRAMPFD_OFFSET(i, TRAMPFD_REGS_OFFSET));
}

/* Runs fn in a child; returns its signal number, or 1000 + exit status. */
static inline int kt_child(void (*fn)(void *), void *arg)
{
	pid_t pid = fork();
	int st;

	if (pid < 0)
		kt_fail("fork: %s", strerror(errno));
	if (!pid) {
		alarm(20);
		fn(arg);
		_exit(0);
	}
	if (waitpid(pid, &st, 0) != pid)
		kt_fail("waitpid: %s", strerror(errno));
	return WIFSIGNALED(st) ? WTERMSIG(st) : 1000 + WEXITSTATUS(st);
}

/* The test's own main, renamed: see the top. */
int kt_main(int argc, char **argv);
int main(int argc, char **argv)
{
	int rc = kt_main(argc, argv);

	if (!rc)
		printf("trampfd-test: done\n");
	return rc;
}
#define main(...) kt_main(int argc, char **argv)

#endif
