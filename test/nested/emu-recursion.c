// SPDX-License-Identifier: MIT
/*
 * Recursion with many live trampolines: each level writes one on its
 * frame; at the bottom every one of them is called and must reach its
 * own level's frame. Nested functions call the next level's, too.
 */
#include "nt.h"

#define DEPTH 2000

static long (*fns[DEPTH])(long);

static __attribute__((noinline)) long level(long n)
{
	long mine = 3 * n + 1;
	long f(long x) { return mine + x; }
	long i, bad = 0;

	fns[n] = f;
	if (n + 1 < DEPTH)
		return level(n + 1) + nt_apply(f, 0) - mine;
	for (i = 0; i < DEPTH; i++)
		if (nt_apply(fns[i], 2) != 3 * i + 3)
			bad++;
	return bad;
}

int main(void)
{
	long bad = level(0);

	T_ASSERT(!bad, "%ld of %d live trampolines returned a wrong value", bad, DEPTH);
	return nt_pass();
}
