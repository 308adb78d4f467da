// SPDX-License-Identifier: MIT
/*
 * Every lock of the library across fork: the forking thread takes them
 * all, in the one order the library nests them (a table's lock before the
 * grace and region locks; the registries' locks are leaves), so the child
 * never inherits a lock another thread held; then each part puts its own
 * state right in the child. One pthread_atfork for all, registered at the
 * first create: separate registrations would run in the reverse of their
 * (run-time) order and could take two locks the wrong way round.
 */
#include <pthread.h>
#include "internal.h"

static void (*const parts[])(int phase) = {
	tfd_user_table_fork, tfd_user_code_fork, tfd_user_fault_fork,
	tfd_anchor_fork, tfd_api_fork, tfd_fdtab_fork,
};
#define NPARTS (sizeof(parts) / sizeof(parts[0]))

static void prepare(void)
{
	unsigned int i;

	for (i = 0; i < NPARTS; i++)
		parts[i](TFD_FORK_PREPARE);
}

static void parent(void)
{
	unsigned int i;

	for (i = NPARTS; i-- > 0;)
		parts[i](TFD_FORK_PARENT);
}

static void child(void)
{
	unsigned int i;

	for (i = NPARTS; i-- > 0;)
		parts[i](TFD_FORK_CHILD);
}

static pthread_once_t once = PTHREAD_ONCE_INIT;

static void do_register(void)
{
	pthread_atfork(prepare, parent, child);
}

void tfd_fork_register(void)
{
	pthread_once(&once, do_register);
}
