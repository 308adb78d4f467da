// SPDX-License-Identifier: MIT
/*
 * Reference counting under races (a bounded stress, run under TSan by
 * mk/sanitize.mk too): trampfd_close racing trampfd_pwrite/pread on the
 * same fd (the writer gets its length or -EBADF, never a freed table),
 * and trampfd_close racing trampfd_munmap of the table's only mapping
 * (exactly one of them frees the table: nothing leaks, measured as the
 * user tables the library still anchors, back to the start, and natively
 * as the process's mapped size, which stays flat over the rounds; under a
 * user-mode emulator that size is the emulator's own).
 */
#include <errno.h>
#include <pthread.h>
#include <unistd.h>
#include "t.h"
/* The library's live user tables (its anchors): this test links the static library. */
#include "user/anchor.h"

#define ROUNDS 300

static unsigned int live_tables(void)
{
	unsigned int i, n = 0;

	for (i = 0; i < UT_MAX_TABLES; i++)
		n += tfd_anchors.ut[i].owner != 0;
	return n;
}

static pthread_barrier_t go;
static int fd_shared;
static void *base_shared;
static int mode;		/* 0: write while closed, 1: munmap while closed */
static long bad;

static void *worker(void *arg)
{
	int r, k;

	for (r = 0; r < 2 * ROUNDS; r++) {
		pthread_barrier_wait(&go);
		if (mode == 0) {
			for (k = 0; k < 50; k++) {
				long w = t_set_call(fd_shared, 0, (void *)t_ret_arg0, k);
				unsigned char buf[256];
				long rd = trampfd_pread(fd_shared, buf, sizeof(buf), TRAMPFD_REGS_OFFSET);

				if ((w < 0 && w != -EBADF) || (rd < 0 && rd != -EBADF))
					bad++;
			}
		} else if (trampfd_munmap(base_shared)) {
			bad++;
		}
		pthread_barrier_wait(&go);
	}
	return NULL;
}

int main(void)
{
	struct t_table t;
	pthread_t th;
	long before = 0, after;
	unsigned int tables;
	int r;

	t_init();
	tables = live_tables();
	pthread_barrier_init(&go, NULL, 2);
	T_ASSERT(!pthread_create(&th, NULL, worker, NULL), "pthread_create");
	for (r = 0; r < 2 * ROUNDS; r++) {
		mode = r >= ROUNDS;
		if (r == ROUNDS + 5)
			before = t_vm_bytes() / 1024;	/* after a few rounds' warm-up */
		t_table(&t, 4, 0);
		fd_shared = t.fd;
		base_shared = t.base;
		pthread_barrier_wait(&go);
		T_EXPECT(trampfd_close(t.fd), 0);
		pthread_barrier_wait(&go);
		if (!mode)
			T_EXPECT(trampfd_munmap(t.base), 0);
	}
	pthread_join(th, NULL);
	after = t_vm_bytes() / 1024;
	T_ASSERT(!bad, "%ld calls racing close got neither a result nor -EBADF", bad);
	T_ASSERT(live_tables() == tables, "%u user tables leaked over %d close/munmap races",
		 live_tables() - tables, 2 * ROUNDS);
	/* A leaked table keeps at least a page of state and its store mapped. */
	if (!getenv("TRAMPFD_EMU"))
		T_ASSERT(after - before < (ROUNDS - 5) * 4 / 2,
			 "mapped size grew by %ld KiB over %d close/munmap races",
			 after - before, ROUNDS - 5);
	return t_pass();
}
