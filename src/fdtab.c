// SPDX-License-Identifier: MIT
/*
 * fd -> handle registry. Lookups are lock-free (a pwrite on one table must
 * not serialise with creation of another); a mutex only guards growth.
 * Two levels of TFD_CHUNK entries cover fds up to TFD_CHUNK^2.
 */
#include <errno.h>
#include <pthread.h>
#include <stdlib.h>
#include "internal.h"

#define TFD_CHUNK 1024

typedef _Atomic(struct tfd_handle *) tfd_slot_t;
static _Atomic(tfd_slot_t *) dir[TFD_CHUNK];
static pthread_mutex_t grow_lock = PTHREAD_MUTEX_INITIALIZER;

static tfd_slot_t *slot_of(int fd, int create)
{
	tfd_slot_t *chunk;

	if (fd < 0 || fd >= TFD_CHUNK * TFD_CHUNK)
		return NULL;
	chunk = atomic_load_explicit(&dir[fd / TFD_CHUNK], memory_order_acquire);
	if (!chunk && create) {
		pthread_mutex_lock(&grow_lock);
		chunk = atomic_load(&dir[fd / TFD_CHUNK]);
		if (!chunk) {
			chunk = calloc(TFD_CHUNK, sizeof(*chunk));
			if (chunk)
				atomic_store_explicit(&dir[fd / TFD_CHUNK], chunk,
						      memory_order_release);
		}
		pthread_mutex_unlock(&grow_lock);
	}
	return chunk ? &chunk[fd % TFD_CHUNK] : NULL;
}

int tfd_fdtab_insert(struct tfd_handle *h)
{
	tfd_slot_t *s = slot_of(h->fd, 1);

	if (!s)
		return h->fd < 0 ? -EBADF : -ENOMEM;
	atomic_store_explicit(s, h, memory_order_release);
	return 0;
}

struct tfd_handle *tfd_fdtab_get(int fd)
{
	tfd_slot_t *s = slot_of(fd, 0);

	return s ? atomic_load_explicit(s, memory_order_acquire) : NULL;
}

void tfd_fdtab_remove(int fd)
{
	tfd_slot_t *s = slot_of(fd, 0);

	if (s)
		atomic_store_explicit(s, NULL, memory_order_release);
}
