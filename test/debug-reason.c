// SPDX-License-Identifier: MIT
/*
 * TRAMPFD_DEBUG=1 (trampfd(7)): a refused call says why on stderr, one
 * "trampfd: refused: <reason>" line, and still returns -EINVAL; an accepted
 * call says nothing; without the variable nothing is said; the variable is
 * read once. The library tells the reasons of its own checks: offsets in
 * every cell, contexts in the user cells (the module refuses a kernel
 * cell's contexts itself: -EINVAL, no line).
 */
#include <errno.h>
#include <fcntl.h>
#include <sys/wait.h>
#include <unistd.h>
#include "t.h"

static int saved_err = -1;
static int pipe_rd = -1;

/* Sends stderr to a pipe until restore(); the test's own messages go to saved_err. */
static void capture(void)
{
	int p[2];

	if (pipe2(p, O_NONBLOCK) || (saved_err < 0 && (saved_err = dup(2)) < 0) ||
	    dup2(p[1], 2) < 0)
		t_fail("pipe/dup: %s", strerror(errno));
	close(p[1]);
	pipe_rd = p[0];
}

/* Restores stderr; returns what was written to it (NUL-terminated). */
static const char *restore(void)
{
	static char buf[1024];
	ssize_t n;

	fflush(stderr);
	dup2(saved_err, 2);
	n = read(pipe_rd, buf, sizeof(buf) - 1);
	close(pipe_rd);
	buf[n > 0 ? n : 0] = 0;
	return buf;
}

#define EXPECT_SAID(what, said, want) \
	T_ASSERT(!strcmp((said), (want)), "%s: stderr said \"%s\", want \"%s\"", what, said, want)

int main(void)
{
	uint32_t names[2] = { TRAMPFD_REG_ARG0, TRAMPFD_REG_PC };
	uint64_t vals[2] = { 1, 0 };
	struct t_regs r;
	size_t len;
	const char *said;
	pid_t pid;
	int fd, st;

	unsetenv("TRAMPFD_DEBUG");
	t_init();
	fd = t_create(2, 0);
	len = t_regs_fill(&r, 2, names, vals);	/* PC 0: refused */

	/* Not set: a child's refusal says nothing. */
	pid = fork();
	if (pid == 0) {
		capture();
		if (trampfd_pwrite(fd, &r, len, TRAMPFD_OFFSET(2, TRAMPFD_REGS_OFFSET)) != -EINVAL)
			_exit(2);
		_exit(restore()[0] ? 3 : 0);
	}
	T_ASSERT(pid > 0 && waitpid(pid, &st, 0) == pid, "fork: %s", strerror(errno));
	T_ASSERT(WIFEXITED(st) && !WEXITSTATUS(st),
		 "without TRAMPFD_DEBUG, child status %#x (3: it printed)", st);

	setenv("TRAMPFD_DEBUG", "1", 1);
	capture();
	T_EXPECT(trampfd_pwrite(fd, &r, len, TRAMPFD_OFFSET(2, TRAMPFD_REGS_OFFSET)), -EINVAL);
	said = restore();
	EXPECT_SAID("index 2 of 2", said,
		    "trampfd: refused: offset: index not below the table's size\n");

	/* Read once: unset now, it still speaks. */
	unsetenv("TRAMPFD_DEBUG");
	capture();
	T_EXPECT(trampfd_pwrite(fd, &r, len, TRAMPFD_OFFSET(0, TRAMPFD_MAP_OFFSET)), -EINVAL);
	said = restore();
	EXPECT_SAID("write MAP", said,
		    "trampfd: refused: offset: MAP cannot be written, ALLOWED_PCS cannot be read\n");

	capture();
	T_EXPECT(trampfd_pwrite(fd, &r, len, TRAMPFD_OFFSET(0, TRAMPFD_REGS_OFFSET)), -EINVAL);
	said = restore();
	if (t_is_user(fd))
		EXPECT_SAID("PC 0", said, "trampfd: refused: regs: the PC is 0\n");
	else
		EXPECT_SAID("PC 0 (module's check)", said, "");

	vals[1] = (uint64_t)(uintptr_t)t_ret_arg0;
	len = t_regs_fill(&r, 2, names, vals);
	capture();
	T_EXPECT(trampfd_pwrite(fd, &r, len, TRAMPFD_OFFSET(1, TRAMPFD_REGS_OFFSET)), len);
	said = restore();
	EXPECT_SAID("accepted write", said, "");
	trampfd_close(fd);
	return t_pass();
}
