// SPDX-License-Identifier: MIT
/* The cell under test, from TRAMPFD_CELL, and table helpers. */
#include <errno.h>
#include <sys/mman.h>
#include <unistd.h>
#include <sys/auxv.h>
#include "t.h"

const char *t_cell = "default";
unsigned int t_cell_flags;

void t_sig_install(void);

static const struct {
	const char *name, *provider, *mode;
	unsigned int flags;
} cells[] = {
	{ "user-fault", "user", "fault", TRAMPFD_NOKERNEL | TRAMPFD_FAULT },
	{ "user-code", "user", "code", TRAMPFD_NOKERNEL | TRAMPFD_CODE },
	{ "kernel-fault", "kernel", "fault", TRAMPFD_KERNEL | TRAMPFD_FAULT },
	{ "kernel-code", "kernel", "code", TRAMPFD_KERNEL | TRAMPFD_CODE },
};

/* Probes the cell with one create; skips the test if it cannot run. */
void t_probe(void)
{
	const char *env = getenv("TRAMPFD_CELL");
	const char *prov = NULL, *mode = NULL;
	size_t i;
	int fd;

	if (env && *env && strcmp(env, "default")) {
		for (i = 0; i < sizeof(cells) / sizeof(cells[0]); i++)
			if (!strcmp(env, cells[i].name))
				break;
		if (i == sizeof(cells) / sizeof(cells[0]))
			t_fail("unknown TRAMPFD_CELL '%s'", env);
		t_cell = cells[i].name;
		t_cell_flags = cells[i].flags;
		prov = cells[i].provider;
		mode = cells[i].mode;
	}
	fd = t_create_raw(1, t_cell_flags);
	if (fd == -ENODEV || fd == -EOPNOTSUPP)
		t_skip("cell %s unavailable: trampfd_create: %s", t_cell,
		       strerror(-fd));
	if (fd < 0)
		t_fail("cell %s: first trampfd_create: %s", t_cell, strerror(-fd));
	if (prov && (!trampfd_provider(fd) || strcmp(trampfd_provider(fd), prov)))
		t_fail("cell %s: provider is %s", t_cell, trampfd_provider(fd));
	if (mode && (!trampfd_mode(fd) || strcmp(trampfd_mode(fd), mode)))
		t_fail("cell %s: mode is %s", t_cell, trampfd_mode(fd));
	T_EXPECT(trampfd_close(fd), 0);
}

void t_init(void)
{
	setvbuf(stdout, NULL, _IONBF, 0);
	t_sig_install();
	t_probe();
}

int t_create_raw(unsigned int n, unsigned int flags)
{
	struct trampfd_user u = { .flags = flags, .ntrampolines = n };

	return trampfd_create(TRAMPFD_USER, &u, 0);
}

int t_create(unsigned int n, unsigned int extra)
{
	int fd = t_create_raw(n, t_cell_flags | extra);

	if (fd < 0)
		t_fail("trampfd_create(n=%u, flags=%#x): %s", n,
		       t_cell_flags | extra, strerror(-fd));
	return fd;
}

void t_table(struct t_table *t, unsigned int n, unsigned int extra)
{
	long r;

	t->fd = t_create(n, extra);
	memset(&t->map, 0, sizeof(t->map));
	r = trampfd_pread(t->fd, &t->map, sizeof(t->map), TRAMPFD_MAP_OFFSET);
	if (r != sizeof(t->map))
		t_fail("pread(MAP): %ld", r);
	r = trampfd_mmap(t->fd, &t->base);
	if (r)
		t_fail("trampfd_mmap: %s", strerror((int)-r));
	T_ASSERT(t->map.stride > 0, "map.stride is 0");
	T_ASSERT((uint64_t)t->map.ioffset + (uint64_t)(n ? n : 1) * t->map.stride
		 <= t->map.size, "map: ioffset %u + n %u * stride %u > size %u",
		 t->map.ioffset, n, t->map.stride, t->map.size);
}

void *t_slot(const struct t_table *t, unsigned int i)
{
	void *p = trampfd_addr(t->base, &t->map, i);

	if (p != (char *)t->base + t->map.ioffset + (size_t)i * t->map.stride)
		t_fail("trampfd_addr(%u) = %p, want base + ioffset + i * stride",
		       i, p);
	return p;
}

int t_is_fault(int fd)
{
	const char *m = trampfd_mode(fd);

	if (!m)
		t_fail("trampfd_mode(%d) = NULL", fd);
	return !strcmp(m, "fault");
}

int t_guarded(int fd)
{
#if defined(__aarch64__)
	/* The library maps code tables PROT_BTI wherever the CPU has BTI. */
	return !t_is_fault(fd) && t_is_user(fd) && (getauxval(AT_HWCAP2) & (1UL << 17));
#else
	return 0;	/* x86_64: Linux gives user space no IBT to test */
#endif
}

int t_is_user(int fd)
{
	const char *p = trampfd_provider(fd);

	if (!p)
		t_fail("trampfd_provider(%d) = NULL", fd);
	return !strcmp(p, "user");
}

int t_pass(void)
{
	/* The runner counts exit 0 as a pass only after this line. */
	printf("%s\n", T_DONE_MARK);
	fflush(stdout);
	return T_PASS;
}

/*
 * Runs this program again with argv (argv[0] included); returns only on
 * failure. Under a user-mode emulator (TRAMPFD_EMU, the runner's wrapper,
 * e.g. qemu-aarch64-static) the program is not a native executable, so the
 * emulator is exec'd with the program's path, which it reports as
 * /proc/self/exe.
 */
void t_exec_self(char *const argv[])
{
	const char *emu = getenv("TRAMPFD_EMU");
	static char path[4096], words[512];
	char *args[64], *w;
	unsigned int n = 0, i;
	ssize_t len;

	if (!emu || !*emu) {
		execv("/proc/self/exe", argv);
		return;
	}
	len = readlink("/proc/self/exe", path, sizeof(path) - 1);
	if (len <= 0 || strlen(emu) >= sizeof(words))
		return;
	path[len] = 0;
	strcpy(words, emu);
	for (w = strtok(words, " "); w && n < 16; w = strtok(NULL, " "))
		args[n++] = w;
	args[n++] = path;
	for (i = 1; argv[i] && n < 63; i++)
		args[n++] = argv[i];
	args[n] = NULL;
	execvp(args[0], args);
}
