// SPDX-License-Identifier: MIT
/* The README's first example: 5,000 callbacks, each bound to its own context. */
#include <stdio.h>
#include <trampfd.h>

static long target(void *ctx) { return 1000 + (long)ctx; }

int main(void)
{
	static void *cb[5000];

	for (long i = 0; i < 5000; i++)         /* each its own context, in argument 0 */
		if (trampfd_closure_create(&cb[i], (void *)target, (void *)i, TRAMPFD_CTX_ARG(0)) < 0)
			return 1;
	for (long i = 0; i < 5000; i++) {
		long (*fn)(void) = (long (*)(void))cb[i];   /* a plain function pointer */
		if (fn() != 1000 + i)
			return 1;
	}
	for (long i = 0; i < 5000; i++)
		trampfd_closure_free(cb[i]);
	printf("all 5000 closures called\n");
	return 0;
}
