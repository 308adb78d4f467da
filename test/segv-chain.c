// SPDX-License-Identifier: MIT
/*
 * docs/design.md §4: a SIGSEGV handler the program installed before the library
 * still gets every fault that is not a trampoline call, with the right
 * si_addr and si_code (a load from an unmapped page, a store to a read-only
 * page, a call into a PROT_NONE page that is not a table); a program with
 * no handler still dies of SIGSEGV; a plain sa_handler is chained too.
 */
#include <setjmp.h>
#include <signal.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>
#include "t.h"

static sigjmp_buf env;
static volatile int got_code, got_sig;
static void *volatile got_addr;

static void on_segv(int sig, siginfo_t *si, void *uc)
{
	got_sig = sig;
	got_addr = si->si_addr;
	got_code = si->si_code;
	siglongjmp(env, 1);
}

static void on_segv_plain(int sig)
{
	_exit(66);
}

static char self[4096];
static volatile uintptr_t bad_addr = 16;

/* Runs this program again with mode; *out is the byte it printed. */
static int child(const char *mode, char *out)
{
	int p[2], st;
	pid_t pid;

	T_ASSERT(!pipe(p), "pipe");
	pid = fork();
	T_ASSERT(pid >= 0, "fork");
	if (!pid) {
		dup2(p[1], 1);
		t_exec_self((char *[]){ self, (char *)mode, NULL });
		_exit(99);
	}
	close(p[1]);
	*out = 0;
	if (read(p[0], out, 1) != 1)
		*out = 0;
	close(p[0]);
	T_ASSERT(waitpid(pid, &st, 0) == pid, "waitpid");
	T_ASSERT(!WIFEXITED(st) || WEXITSTATUS(st) != 99, "cannot re-exec /proc/self/exe");
	return st;
}

static void expect(void (*fn)(void *), void *p, int code, const char *what)
{
	got_sig = 0;
	if (!sigsetjmp(env, 1))
		fn(p);
	if (got_sig != SIGSEGV)
		t_fail("%s: own handler not called", what);
	if (got_addr != p)
		t_fail("%s: si_addr %p, want %p", what, got_addr, p);
	if (got_code != code)
		t_fail("%s: si_code %d, want %d", what, got_code, code);
}

static void load(void *p) { (void)*(volatile char *)p; }
static void store(void *p) { *(volatile char *)p = 1; }
static void call(void *p) { ((void (*)(void))p)(); }

static void table_works(struct t_table *t, uint64_t v)
{
	t_set_call_ok(t->fd, 0, (void *)t_ret_arg0, v);
	T_EXPECT(((t_fn0)t_slot(t, 0))(), v);
}

/* Child modes: the handler (default, or a plain one) comes first. */
static int child_main(const char *mode)
{
	struct t_table c;

	if (!strcmp(mode, "--plain"))
		signal(SIGSEGV, on_segv_plain);
	t_probe();
	t_table(&c, 1, 0);
	table_works(&c, 4);
	if (write(1, "k", 1) != 1)
		return 2;
	load((void *)bad_addr);
	return 0;
}

int main(int argc, char **argv)
{
	struct sigaction sa;
	struct t_table t;
	char *pg;
	long psz = sysconf(_SC_PAGESIZE);
	int st;
	char out;

	snprintf(self, sizeof(self), "%s", argv[0]);
	if (argc == 2)
		return child_main(argv[1]);
	memset(&sa, 0, sizeof(sa));
	sa.sa_sigaction = on_segv;
	sa.sa_flags = SA_SIGINFO;
	T_ASSERT(!sigaction(SIGSEGV, &sa, NULL), "sigaction");
	t_probe();
	t_table(&t, 2, 0);
	table_works(&t, 1);

	pg = mmap(NULL, 3 * psz, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	T_ASSERT(pg != MAP_FAILED, "mmap");
	T_ASSERT(!munmap(pg + 2 * psz, psz), "munmap");
	T_ASSERT(!mprotect(pg + psz, psz, PROT_NONE), "mprotect");
	expect(load, pg + 2 * psz + 123, SEGV_MAPERR, "load from an unmapped page");
	expect(store, pg + 40, SEGV_ACCERR, "store to a read-only page");
	expect(call, pg + psz, SEGV_ACCERR, "call into a PROT_NONE page");
	expect(call, pg + psz + 8, SEGV_ACCERR, "call into a PROT_NONE page + 8");
	expect(load, (void *)bad_addr, SEGV_MAPERR, "load from address 16");
	table_works(&t, 2);
	expect(call, pg + 2 * psz, SEGV_MAPERR, "call into an unmapped page");
	table_works(&t, 3);

	/* Fresh processes (the library's handler must come second). */
	st = child("--dfl", &out);
	T_ASSERT(out == 'k', "SIG_DFL child: table did not work before the fault");
	T_ASSERT(WIFSIGNALED(st) && WTERMSIG(st) == SIGSEGV,
		 "with SIG_DFL a bad load did not kill the process with SIGSEGV (status %#x)", st);
	st = child("--plain", &out);
	T_ASSERT(out == 'k', "sa_handler child: table did not work before the fault");
	T_ASSERT(WIFEXITED(st) && WEXITSTATUS(st) == 66,
		 "a plain SIGSEGV handler did not get the fault (status %#x)", st);
	T_EXPECT(trampfd_close(t.fd), 0);
	T_EXPECT(trampfd_munmap(t.base), 0);
	return t_pass();
}
