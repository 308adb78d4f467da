// SPDX-License-Identifier: MIT
/*
 * trampfd(1): what works on this machine (probe) and what it costs (demo).
 * Linked statically with the library so it can ask the cells directly.
 */
#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/statvfs.h>
#include <time.h>
#include <unistd.h>
#include "internal.h"
#include "tools.h"

#ifndef PR_GET_MDWE
#define PR_GET_MDWE 66
#endif

static int read_file(const char *path, char *buf, size_t len)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	ssize_t n;

	if (fd < 0)
		return -1;
	n = read(fd, buf, len - 1);
	close(fd);
	if (n < 0)
		return -1;
	buf[n] = 0;
	buf[strcspn(buf, "\n")] = 0;
	return 0;
}

/* Policies that take cells away, whether or not a cell needs them today. */
static void probe_policies(void)
{
	char buf[64];
	int mdwe = prctl(PR_GET_MDWE, 0, 0, 0, 0);
	struct statvfs sv;
	Dl_info di;

	printf("policy:\n");
	printf("  PR_SET_MDWE      %s\n", mdwe < 0 ? "not supported by this kernel" :
	       mdwe ? "on: no mapping may gain PROT_EXEC (code mode must map exec from a file)" : "off");
	if (read_file("/sys/fs/selinux/enforce", buf, sizeof(buf)) == 0)
		printf("  SELinux          %s (execmem denies W+X and exec of anon memory)\n",
		       buf[0] == '1' ? "enforcing" : "permissive");
	else
		printf("  SELinux          not active\n");
	if (read_file("/proc/sys/vm/memfd_noexec", buf, sizeof(buf)) == 0)
		printf("  vm.memfd_noexec  %s%s\n", buf,
		       buf[0] != '0' ? " (trampfd's memfds are never executable: no effect)" : "");
	else
		printf("  vm.memfd_noexec  not supported by this kernel (memfds may be executable)\n");
	printf("  /dev/trampfd     %s\n", access("/dev/trampfd", R_OK | W_OK) == 0 ? "present" :
	       errno == ENOENT ? "absent (module not loaded)" : strerror(errno));
	if (dladdr((void *)trampfd_create, &di) && di.dli_fname) {
		const char *f = di.dli_fname[0] ? di.dli_fname : "/proc/self/exe";

		printf("  library file     %s: %s%s\n", f,
		       access(f, R_OK) == 0 ? "readable" : "NOT readable (code table cannot be mapped)",
		       statvfs(f, &sv) == 0 && (sv.f_flag & ST_NOEXEC) ? ", on a noexec mount" : "");
	}
}

static int probe(void)
{
	const struct tfd_ops *o;
	const char *why;
	unsigned int i;
	int err, best = -1;

	printf("cells (fastest first):\n");
	for (i = 0; (o = tfd_cell(i)); i++) {
		why = NULL;
		err = o->available(0, &why);
		printf("  %-6s %-5s  %s%s\n", tfd_cell_provider(o), tfd_cell_mode(o),
		       err ? "unavailable" : "works", !err && best < 0 ? "  <- default" : "");
		if (why)	/* how it runs, or why it cannot */
			printf("%16s%s\n", "", why);
		if (err)
			printf("%16s(%s)\n", "", strerror(-err));
		else if (best < 0)
			best = i;
	}
	probe_policies();
	return best < 0;
}

static double now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e9 + ts.tv_nsec;
}

static __attribute__((noinline)) long add_target(long x) { return x + 1; }

/* Time n calls of fn(i), in ns per call. */
static double time_calls(long (*fn)(long), long n, long *sum)
{
	double t = now_ns();
	long i, s = 0;

	for (i = 0; i < n; i++)
		s += fn(i);
	*sum = s;
	return (now_ns() - t) / n;
}

static int demo(unsigned int ntramp)
{
	struct trampfd_user u = { .ntrampolines = 1 };
	const char *forced = getenv("TRAMPFD_CELL"), *mode;
	char cell[32];
	long (*fn)(long);
	long n = 20000, sum;
	double plain, t;
	unsigned int i;
	void **cl;
	int fd, err;

	/* The cell closures get: the default one, unless TRAMPFD_CELL names another. */
	fd = trampfd_create(TRAMPFD_USER, &u, 0);
	if (fd < 0) {
		fprintf(stderr, "trampfd_create: %s (run 'trampfd probe')\n", strerror(-fd));
		return 1;
	}
	snprintf(cell, sizeof(cell), "%s-%s", trampfd_provider(fd), trampfd_mode(fd));
	trampfd_close(fd);
	if (forced && *forced && strcmp(forced, "default"))
		snprintf(cell, sizeof(cell), "%s", forced);
	mode = strstr(cell, "fault") ? "fault" : "code";
	printf("cell: %s, %u closures\n", cell, ntramp);
	cl = calloc(ntramp ? ntramp : 1, sizeof(*cl));
	if (!cl || !ntramp)
		return 1;
	t = now_ns();
	for (i = 0; i < ntramp; i++) {
		err = trampfd_closure_create(&cl[i], (void *)add_target, (void *)(1000L * i),
					     TRAMPFD_CTX_ARG(0));
		if (err < 0) {
			fprintf(stderr, "trampfd_closure_create %u: %s\n", i, strerror(-err));
			return 1;
		}
	}
	printf("closure creates: %.0f ns each\n", (now_ns() - t) / ntramp);
	for (i = 0; i < ntramp; i++) {
		fn = (long (*)(long))cl[i];
		if (fn(5) != 1000L * i + 1) {
			fprintf(stderr, "closure %u returned %ld, want %ld\n", i, fn(5), 1000L * i + 1);
			return 1;
		}
	}
	printf("called all %u: each returned its own context (first argument = 1000*i) + 1\n", ntramp);
	fn = (long (*)(long))cl[ntramp - 1];
	if (!strcmp(mode, "fault"))
		n = 2000;
	plain = time_calls(add_target, n * 100, &sum);
	t = time_calls(fn, n, &sum);
	printf("call cost: %.1f ns per closure call, %.2f ns per plain call (%.1fx)\n",
	       t, plain, t / plain);
	t = now_ns();
	for (i = 0; i < ntramp; i++)
		if (trampfd_closure_free(cl[i])) {
			fprintf(stderr, "trampfd_closure_free %u failed\n", i);
			return 1;
		}
	printf("closure frees: %.0f ns each\n", (now_ns() - t) / ntramp);
	free(cl);
	return 0;
}

int main(int argc, char **argv)
{
	if (argc >= 2 && !strcmp(argv[1], "probe"))
		return probe();
	if (argc >= 2 && !strcmp(argv[1], "demo"))
		return demo(argc >= 3 ? (unsigned int)atoi(argv[2]) : 1000);
	if (argc >= 2 && !strcmp(argv[1], "noexecstack"))
		return tool_noexecstack(argc - 1, argv + 1);
	if (argc >= 2 && !strcmp(argv[1], "run"))
		return tool_run(argc - 1, argv + 1);
	fprintf(stderr, "usage: trampfd probe | trampfd demo [ntrampolines] | trampfd noexecstack FILE\n"
		"       trampfd run [--nested] [--ffi] [--] CMD [ARG...]\n");
	return 2;
}
