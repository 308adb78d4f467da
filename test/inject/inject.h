/* SPDX-License-Identifier: MIT */
/* Fault-injection shim (wrap.c): which call fails, and when. */
#ifndef INJECT_H
#define INJECT_H

enum {
	INJ_MMAP, INJ_MEMFD, INJ_OPEN, INJ_SIGACTION, INJ_SIGALTSTACK,
	INJ_MALLOC, INJ_CALLOC, INJ_PWRITE, INJ_FTRUNCATE, INJ_MREMAP,
	INJ_NFN,
};

/* Makes the n-th call of fn from now on fail (n >= 1). */
void inj_arm(int fn, unsigned long n);
/* Stops injecting; returns how many calls were made to fail. */
unsigned long inj_disarm(void);
/* Calls of the armed function since inj_arm(). */
unsigned long inj_calls(void);
/* While on, nothing fails and nothing is counted (the test's own checks). */
void inj_pause(int on);
const char *inj_name(int fn);
int inj_errno(int fn);

/* The linker flags that route these functions through the shim. */
#define INJ_WRAP_LDFLAGS "-Wl,--wrap=mmap,--wrap=mremap,--wrap=memfd_create,--wrap=open," \
	"--wrap=sigaction,--wrap=sigaltstack,--wrap=malloc,--wrap=calloc,--wrap=pwrite," \
	"--wrap=ftruncate"

#endif
