// SPDX-License-Identifier: MIT
/*
 * fork while other threads map, unmap, write and create tables: every
 * lock of the library must be safe across fork (src/fork.c), so each
 * child maps a table, writes a context and calls it, and exits within
 * its deadline (a child stuck on a lock inherited held is killed and
 * fails the test). A bounded stress: a fixed number of forks.
 *
 * Under a user-mode emulator the child is the emulator too, and qemu-user
 * 7.2 itself sometimes forks with one of its own mutexes held by another
 * of its threads (about 1 fork in 15,000 here, more under load): the
 * child then waits forever on a word inside the emulator's image, where no
 * code of the program or the library can hold anything. Such a child is
 * told apart by that evidence alone (its real executable is not this
 * program, and each of its threads waits on a word in that executable's
 * image: its data or .bss), said in a note and replaced by another fork; any other hang
 * fails the test.
 */
#include <errno.h>
#include <limits.h>
#include <pthread.h>
#include <stdio.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <signal.h>
#include <dirent.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include "t.h"

#define FORKS 150
#define EMU_HANGS_MAX 20

static atomic_int stop;
static int shared_fd;

static void *churn(void *arg)
{
	void *base;

	while (!atomic_load(&stop)) {
		int fd = t_create(2, 0);

		if (!trampfd_mmap(fd, &base))
			trampfd_munmap(base);
		t_set_call(shared_fd, 0, (void *)t_ret_arg0, 5);
		trampfd_close(fd);
	}
	return NULL;
}

/* The child's whole life: map, write, call. */
static int child(void)
{
	void *base;
	struct trampfd_map map;

	if (trampfd_mmap(shared_fd, &base) ||
	    trampfd_pread(shared_fd, &map, sizeof(map), TRAMPFD_MAP_OFFSET) != sizeof(map) ||
	    t_set_call(shared_fd, 1, (void *)t_ret_arg0, 77) < 0)
		return 2;
	return ((t_fn0)trampfd_addr(base, &map, 1))() == 77 ? 0 : 3;
}

/* The first argument of the system call task tid of pid waits in, or 0. */
static unsigned long wait_word(pid_t pid, const char *tid)
{
	char path[320], line[256];
	unsigned long nr, arg = 0;
	FILE *f;

	snprintf(path, sizeof(path), "/proc/%d/task/%s/syscall", (int)pid, tid);
	f = fopen(path, "r");
	if (!f)
		return 0;
	if (!fgets(line, sizeof(line), f) || sscanf(line, "%lu %lx", &nr, &arg) != 2)
		arg = 0;
	fclose(f);
	return arg;
}

/*
 * Whether addr lies in the image of the file exe in pid: its mappings of
 * exe and the anonymous one right after them (its .bss), by pid's maps.
 */
static bool in_image(pid_t pid, const char *exe, unsigned long addr)
{
	char path[64], line[PATH_MAX + 128];
	unsigned long lo = 0, hi = 0, start, end;
	FILE *f;

	snprintf(path, sizeof(path), "/proc/%d/maps", (int)pid);
	f = fopen(path, "r");
	if (!f)
		return false;
	while (fgets(line, sizeof(line), f)) {
		char *name = strchr(line, '/');

		if (sscanf(line, "%lx-%lx", &start, &end) != 2)
			continue;
		if (name) {
			name[strcspn(name, "\n")] = 0;
			if (!strcmp(name, exe)) {
				lo = lo ? lo : start;
				hi = end;
			}
		} else if (hi && start == hi && !strchr(line, '[')) {
			hi = end;	/* the image's .bss */
		}
	}
	fclose(f);
	return lo && addr >= lo && addr < hi;
}

/* A hung child whose every thread waits inside its emulator (see the top). */
static bool emulator_hang(pid_t pid)
{
	char path[64], exe[PATH_MAX], self[PATH_MAX];
	struct dirent *e;
	ssize_t n, m;
	int threads = 0, inside = 0;
	DIR *d;

	snprintf(path, sizeof(path), "/proc/%d/exe", (int)pid);
	n = readlink(path, exe, sizeof(exe) - 1);
	m = readlink("/proc/self/exe", self, sizeof(self) - 1);
	if (n <= 0 || m <= 0)
		return false;
	exe[n] = self[m] = 0;
	if (!strcmp(exe, self))
		return false;		/* no emulator: the child is this program */
	snprintf(path, sizeof(path), "/proc/%d/task", (int)pid);
	d = opendir(path);
	if (!d)
		return false;
	while ((e = readdir(d))) {
		if (e->d_name[0] == '.')
			continue;
		threads++;
		inside += in_image(pid, exe, wait_word(pid, e->d_name));
	}
	closedir(d);
	return threads && inside == threads;
}

int main(void)
{
	pthread_t th[2];
	int i, k, st, hung = 0, bad = 0, first = 0, emu = 0;
	pid_t pid;

	t_init();
	shared_fd = t_create(2, 0);
	for (i = 0; i < 2; i++)
		T_ASSERT(!pthread_create(&th[i], NULL, churn, NULL), "pthread_create");
	for (i = 0; i < FORKS; i++) {
		pid = fork();
		T_ASSERT(pid >= 0, "fork: %s", strerror(errno));
		if (!pid)
			_exit(child());
		/* 10 s each: only a child stuck on a lock gets near it. */
		for (k = 0; k < 1000 && !waitpid(pid, &st, WNOHANG); k++)
			nanosleep(&(struct timespec){ 0, 10000000 }, NULL);
		if (k == 1000) {
			bool emulator = emulator_hang(pid);

			kill(pid, SIGKILL);
			waitpid(pid, &st, 0);
			if (emulator && emu++ < EMU_HANGS_MAX) {
				i--;		/* this fork tested nothing: another */
				continue;
			}
			hung++;
		} else if (!WIFEXITED(st) || WEXITSTATUS(st)) {
			if (!bad++)
				first = st;
		}
	}
	atomic_store(&stop, 1);
	for (i = 0; i < 2; i++)
		pthread_join(th[i], NULL);
	if (emu)
		t_note("%d of the children hung inside the emulator itself (its own lock held "
		       "across fork, not the library's), each replaced by another fork", emu);
	T_ASSERT(!hung, "%d of %d children hung (a lock inherited held)", hung, FORKS);
	T_ASSERT(!bad, "%d of %d children failed to map, write or call (first: status %#x)",
		 bad, FORKS, first);
	return t_pass();
}
