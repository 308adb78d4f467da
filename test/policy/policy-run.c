// SPDX-License-Identifier: MIT
/*
 * policy-run POLICY PROGRAM [ARGS...]: runs PROGRAM under one policy that
 * takes something away from trampoline providers, as a hardened service
 * manager or container would:
 *   mdwe            prctl(PR_SET_MDWE, PR_MDWE_REFUSE_EXEC_GAIN)
 *   seccomp-memfd   memfd_create fails with EPERM (seccomp)
 *   seccomp-exec    mmap/mprotect/pkey_mprotect asking for PROT_EXEC fail
 *                   with EPERM (seccomp; stricter than systemd's
 *                   MemoryDenyWriteExecute, which refuses only W+X)
 *   seccomp-vm-rw   process_vm_readv/writev fail with EPERM (seccomp), as
 *                   in containers without CAP_SYS_PTRACE under older
 *                   runtimes' default profiles
 *   noexec-tmp      a private mount namespace with noexec tmpfs on /tmp
 *                   and /dev/shm
 *   mdwe-shared-exec  mdwe, and mmap asking for PROT_EXEC with MAP_SHARED
 *                   fails with EPERM (seccomp): no double mapping either,
 *                   libffi has no way left (test/ffi/)
 *   no-dac          CAP_DAC_OVERRIDE and CAP_DAC_READ_SEARCH dropped, so a
 *                   root process cannot read a file mode 0111 (the policy
 *                   runner execs such copies: the library's own file is
 *                   unreadable to it)
 * Exit 77 with a reason when the policy cannot be applied here.
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <errno.h>
#include <linux/audit.h>
#include <linux/capability.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sched.h>
#include <sys/mman.h>
#include <sys/mount.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <unistd.h>

#ifndef PR_SET_MDWE
#define PR_SET_MDWE 65
#define PR_MDWE_REFUSE_EXEC_GAIN 1
#endif

static void skip(const char *what)
{
	fprintf(stderr, "policy-run: cannot apply policy: %s: %s\n", what, strerror(errno));
	exit(77);
}

#define ARG_LO(n) (offsetof(struct seccomp_data, args) + 8 * (n))
#define LOAD(off) BPF_STMT(BPF_LD | BPF_W | BPF_ABS, (off))
#define RET(v) BPF_STMT(BPF_RET | BPF_K, (v))
/* Other architectures' calls pass; then A = the system call's number. */
#define NATIVE_NR \
	LOAD(offsetof(struct seccomp_data, arch)), \
	BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, AUDIT_ARCH_X86_64, 1, 0), \
	RET(SECCOMP_RET_ALLOW), \
	LOAD(offsetof(struct seccomp_data, nr))

static void install(struct sock_filter *f, unsigned short n)
{
	struct sock_fprog prog = { .len = n, .filter = f };

	if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0))
		skip("PR_SET_NO_NEW_PRIVS");
	if (syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER, 0, &prog))
		skip("seccomp");
}

/* System calls a and b fail with EPERM. */
static void seccomp_deny(unsigned int a, unsigned int b)
{
	struct sock_filter f[] = {
		NATIVE_NR,
		BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, a, 1, 0),
		BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, b, 0, 1),
		RET(SECCOMP_RET_ERRNO | EPERM),
		RET(SECCOMP_RET_ALLOW),
	};

	install(f, sizeof(f) / sizeof(f[0]));
}

static void seccomp_exec(void)
{
	struct sock_filter f[] = {
		NATIVE_NR,
		BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, __NR_mmap, 3, 0),
		BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, __NR_mprotect, 2, 0),
		BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, __NR_pkey_mprotect, 1, 0),
		RET(SECCOMP_RET_ALLOW),
		/* prot is argument 2 of all three; its low word holds PROT_EXEC. */
		LOAD(ARG_LO(2)),
		BPF_JUMP(BPF_JMP | BPF_JSET | BPF_K, PROT_EXEC, 0, 1),
		RET(SECCOMP_RET_ERRNO | EPERM),
		RET(SECCOMP_RET_ALLOW),
	};

	install(f, sizeof(f) / sizeof(f[0]));
}

static void seccomp_shared_exec(void)
{
	struct sock_filter f[] = {
		NATIVE_NR,
		BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, __NR_mmap, 1, 0),
		RET(SECCOMP_RET_ALLOW),
		LOAD(ARG_LO(2)),
		BPF_JUMP(BPF_JMP | BPF_JSET | BPF_K, PROT_EXEC, 0, 3),
		LOAD(ARG_LO(3)),
		BPF_JUMP(BPF_JMP | BPF_JSET | BPF_K, MAP_SHARED, 0, 1),
		RET(SECCOMP_RET_ERRNO | EPERM),
		RET(SECCOMP_RET_ALLOW),
	};

	install(f, sizeof(f) / sizeof(f[0]));
}

static void noexec_tmp(void)
{
	if (unshare(CLONE_NEWNS))
		skip("unshare(CLONE_NEWNS)");
	if (mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL))
		skip("mount --make-rprivate /");
	if (mount("tmpfs", "/tmp", "tmpfs", MS_NOEXEC | MS_NOSUID | MS_NODEV, "size=64m"))
		skip("mount -t tmpfs -o noexec /tmp");
	if (mount("tmpfs", "/dev/shm", "tmpfs", MS_NOEXEC | MS_NOSUID | MS_NODEV, "size=64m"))
		skip("mount -t tmpfs -o noexec /dev/shm");
}

static void no_dac(void)
{
	if (prctl(PR_CAPBSET_DROP, CAP_DAC_OVERRIDE, 0, 0, 0) ||
	    prctl(PR_CAPBSET_DROP, CAP_DAC_READ_SEARCH, 0, 0, 0))
		skip("PR_CAPBSET_DROP");
	/* root's capabilities after execve are the bounding set. */
}

int main(int argc, char **argv)
{
	const char *p = argc > 2 ? argv[1] : "";

	if (argc < 3) {
		fprintf(stderr, "usage: policy-run mdwe|mdwe-shared-exec|seccomp-memfd|seccomp-exec|"
			"seccomp-vm-rw|noexec-tmp|no-dac PROGRAM [ARGS...]\n");
		return 2;
	}
	if (!strcmp(p, "mdwe") || !strcmp(p, "mdwe-shared-exec")) {
		if (prctl(PR_SET_MDWE, PR_MDWE_REFUSE_EXEC_GAIN, 0, 0, 0))
			skip("PR_SET_MDWE");
		if (p[4])
			seccomp_shared_exec();
	} else if (!strcmp(p, "seccomp-memfd")) {
		seccomp_deny(__NR_memfd_create, __NR_memfd_create);
	} else if (!strcmp(p, "seccomp-exec")) {
		seccomp_exec();
	} else if (!strcmp(p, "seccomp-vm-rw")) {
		seccomp_deny(__NR_process_vm_readv, __NR_process_vm_writev);
	} else if (!strcmp(p, "noexec-tmp")) {
		noexec_tmp();
	} else if (!strcmp(p, "no-dac")) {
		no_dac();
	} else if (strcmp(p, "none")) {
		fprintf(stderr, "policy-run: unknown policy %s\n", p);
		return 2;
	}
	execv(argv[2], argv + 2);
	fprintf(stderr, "policy-run: exec %s: %s\n", argv[2], strerror(errno));
	return 127;
}
