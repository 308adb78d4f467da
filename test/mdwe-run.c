// SPDX-License-Identifier: MIT
/*
 * mdwe-run PROGRAM [ARG...]: runs PROGRAM under
 * prctl(PR_SET_MDWE, PR_MDWE_REFUSE_EXEC_GAIN), which execve keeps.
 * Exit 77 (skip) when the kernel has no PR_SET_MDWE.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/prctl.h>
#include <unistd.h>

#ifndef PR_SET_MDWE
#define PR_SET_MDWE 65
#define PR_GET_MDWE 66
#endif
#ifndef PR_MDWE_REFUSE_EXEC_GAIN
#define PR_MDWE_REFUSE_EXEC_GAIN (1UL << 0)
#endif

int main(int argc, char **argv)
{
	if (argc < 2) {
		fprintf(stderr, "usage: mdwe-run PROGRAM [ARG...]\n");
		return 2;
	}
	if (prctl(PR_SET_MDWE, PR_MDWE_REFUSE_EXEC_GAIN, 0, 0, 0)) {
		if (errno == EINVAL) {
			fprintf(stderr, "kernel has no PR_SET_MDWE\n");
			return 77;
		}
		fprintf(stderr, "prctl(PR_SET_MDWE): %s\n", strerror(errno));
		return 1;
	}
	if (prctl(PR_GET_MDWE, 0, 0, 0, 0) != (int)PR_MDWE_REFUSE_EXEC_GAIN) {
		fprintf(stderr, "PR_GET_MDWE does not report REFUSE_EXEC_GAIN\n");
		return 1;
	}
	execvp(argv[1], argv + 1);
	fprintf(stderr, "exec %s: %s\n", argv[1], strerror(errno));
	return 1;
}
