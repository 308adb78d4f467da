// SPDX-License-Identifier: MIT
/*
 * A registry of 1000 callbacks with a C API that passes no user data:
 * each registered handler gets its own closure, its context first
 * (TRAMPFD_CTX_FIRST), and unregistering frees it by address. The
 * closure's address is the handle; trampfd_closure_get checks that what
 * a callback will run is still what was registered.
 */
#include <stdio.h>
#include <trampfd.h>

typedef int (*event_fn)(int event, int arg);	/* the API's callback type */

struct counter { const char *name; long total; };

/* ctx first, then the caller's arguments, moved up one. */
static int count(struct counter *c, int event, int arg)
{
	c->total += (long)event * arg;
	return 0;
}

static event_fn handlers[1000];
static struct counter counters[1000];

static int add(unsigned int i)
{
	void *cb;
	int err = trampfd_closure_create(&cb, (void *)count, &counters[i], TRAMPFD_CTX_FIRST);

	if (err)
		return err;
	handlers[i] = (event_fn)cb;
	return 0;
}

static int fire(int event, int arg)
{
	for (unsigned int i = 0; i < 1000; i++)
		if (handlers[i] && handlers[i](event, arg))
			return 1;
	return 0;
}

int main(void)
{
	void *fn, *ctx;

	for (unsigned int i = 0; i < 1000; i++)
		if (add(i))
			return 1;
	fire(2, 3);				/* everyone counts 6 */
	for (unsigned int i = 0; i < 1000; i += 2) {	/* unregister the even ones */
		trampfd_closure_free((void *)handlers[i]);
		handlers[i] = NULL;
	}
	fire(5, 1);				/* the odd ones count 5 more */
	for (unsigned int i = 0; i < 1000; i++)
		if (counters[i].total != (i % 2 ? 11 : 6))
			return 1;
	/* The tamper check: the handler still runs count() with its own counter. */
	if (trampfd_closure_get((void *)handlers[999], &fn, &ctx) || fn != (void *)count ||
	    ctx != &counters[999])
		return 1;
	printf("1000 handlers registered, 500 removed, totals right\n");
	return 0;
}
