// SPDX-License-Identifier: MIT
/*
 * docs/design.md §3.8: the fd is close-on-exec (flag set, and really gone after
 * execve; no other fd the library opened crosses execve either); after trampfd_close a mapped table keeps working until
 * trampfd_munmap, which works after close; after it the address faults.
 */
#include <errno.h>
#include <fcntl.h>
#include <sys/wait.h>
#include <unistd.h>
#include "t.h"

/* "n,n,...,": the open fds but the directory's own. */
static char *fd_list(void)
{
	static char buf[4096];
	size_t off = 0;
	int fd;

	buf[0] = 0;
	for (fd = 0; fd < 1024 && off < sizeof(buf) - 16; fd++)
		if (fcntl(fd, F_GETFD) >= 0)
			off += snprintf(buf + off, sizeof(buf) - off, "%d,", fd);
	return buf;
}

/* In the exec'd child: every open fd must be in the list. */
static int only_fds(const char *allowed)
{
	char key[16];
	int fd;

	for (fd = 0; fd < 1024; fd++) {
		if (fcntl(fd, F_GETFD) < 0)
			continue;
		snprintf(key, sizeof(key), ",%d,", fd);
		if (!strstr(allowed, key)) {
			fprintf(stderr, "fd %d crossed execve\n", fd);
			return 3;
		}
	}
	return 0;
}

static void exec_check(char **argv, const char *mode, const char *arg, const char *what)
{
	pid_t pid;
	int st;

	pid = fork();
	T_ASSERT(pid >= 0, "fork");
	if (!pid) {
		t_exec_self((char *[]){ argv[0], (char *)mode, (char *)arg, NULL });
		_exit(4);
	}
	T_ASSERT(waitpid(pid, &st, 0) == pid, "waitpid");
	T_ASSERT(WIFEXITED(st), "exec child died (status %#x)", st);
	if (WEXITSTATUS(st) == 4)
		t_note("cannot re-exec /proc/self/exe: %s not checked", what);
	else
		T_ASSERT(WEXITSTATUS(st) == 0, "%s", what);
}

int main(int argc, char **argv)
{
	char allowed[4200];
	const char *inherited;
	int fdd, fdf = -1;
	struct t_table t;
	uint64_t ret;
	char num[16];
	int fl, fd2;

	if (argc == 3 && !strcmp(argv[1], "--fd-closed")) {
		int fd = atoi(argv[2]);

		return fcntl(fd, F_GETFD) == -1 && errno == EBADF ? 0 : 3;
	}
	if (argc == 3 && !strcmp(argv[1], "--only-fds"))
		return only_fds(argv[2]);
	inherited = fd_list();
	t_init();
	t_table(&t, 2, 0);
	fl = fcntl(t.fd, F_GETFD);
	T_ASSERT(fl >= 0 && (fl & FD_CLOEXEC), "FD_CLOEXEC not set (F_GETFD = %d)", fl);

	snprintf(num, sizeof(num), "%d", t.fd);
	exec_check(argv, "--fd-closed", num, "the table's fd is still open after execve");
	/* No fd of the library at all crosses execve, whatever the cell. */
	fdd = t_create_raw(1, 0);
	T_ASSERT(fdd >= 0, "create with flags 0");
	if (!(t_cell_flags & TRAMPFD_KERNEL))
		fdf = t_create(1, TRAMPFD_FASTWRITE);
	snprintf(allowed, sizeof(allowed), ",%s", inherited);
	exec_check(argv, "--only-fds", allowed, "a library fd crossed execve (its stderr above)");
	T_EXPECT(trampfd_close(fdd), 0);
	if (fdf >= 0)
		T_EXPECT(trampfd_close(fdf), 0);

	t_set_call_ok(t.fd, 0, (void *)t_ret_arg0, 0x600d);
	T_EXPECT(trampfd_close(t.fd), 0);
	T_ASSERT(fcntl(t.fd, F_GETFD) < 0, "fd still open after trampfd_close");
	T_EXPECT(t_sig_call_tramp(t_slot(&t, 0), &ret), 0);
	T_EXPECT(ret, 0x600d);
	T_EXPECT(t_sig_call_tramp(t_slot(&t, 1), NULL), SIGSEGV);
	/* New tables, possibly on the same fd number, do not disturb it. */
	fd2 = t_create(2, 0);
	t_set_call_ok(fd2, 0, (void *)t_ret_arg0, 0xbad);
	T_EXPECT(t_sig_call_tramp(t_slot(&t, 0), &ret), 0);
	T_EXPECT(ret, 0x600d);
	T_EXPECT(trampfd_close(fd2), 0);

	T_EXPECT(trampfd_munmap(t.base), 0);
	T_EXPECT(t_sig_call_tramp(t_slot(&t, 0), NULL), SIGSEGV);
	T_EXPECT(trampfd_munmap(t.base), -EINVAL);
	T_EXPECT(trampfd_munmap(NULL), -EINVAL);

	/* munmap before close: the fd stays usable. */
	t_table(&t, 1, 0);
	T_EXPECT(trampfd_munmap(t.base), 0);
	t_set_call_ok(t.fd, 0, (void *)t_ret_arg0, 1);
	T_EXPECT(trampfd_close(t.fd), 0);
	return t_pass();
}
