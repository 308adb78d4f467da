// SPDX-License-Identifier: MIT
/*
 * fd -> handle registry. Two levels of TFD_CHUNK entries cover fds up to
 * TFD_CHUNK^2.
 *
 * An fd number is only a key: a table's fd closed with close(2) and the
 * number reused for another file must not reach the old table, so each
 * lookup checks the open file's identity (st_dev, st_ino of the memfd or
 * the module's anonymous inode, recorded at create) and answers -EBADF,
 * touching nothing, when it differs (docs/security.md, test/stale-fd.c).
 * The module's tables share one anonymous inode with eventfds and the
 * like: for them the check tells a trampfd from any other kind of file.
 * TRAMPFD_FASTWRITE tables, whose pwrite and pread are plain copies in
 * private memory that never touch the fd, skip the check there (its
 * system call would cost them 8x): a stale number still reaches the
 * closed table's private state, never the file now at the number.
 *
 * A lookup takes a reference, so trampfd_close racing a pwrite on the same
 * table frees it only after the writer is done; the cell's close runs when
 * the last reference goes. A striped lock makes "load the entry, take a
 * reference" atomic against its removal, so lookups of different fds do
 * not serialise; the stripes are taken across fork (fork.c), so a child
 * never inherits one held.
 */
#include <errno.h>
#include <pthread.h>
#include <stdlib.h>
#include <sys/stat.h>
#include "internal.h"

#define TFD_CHUNK	1024
#define TFD_STRIPES	16	/* fork holds them all: TSan follows at most 64 locks held */

typedef struct tfd_handle *tfd_slot_t;
static _Atomic(tfd_slot_t *) dir[TFD_CHUNK];
static pthread_mutex_t grow_lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_mutex_t stripes[TFD_STRIPES] = {
	[0 ... TFD_STRIPES - 1] = PTHREAD_MUTEX_INITIALIZER,
};

void tfd_fdtab_fork(int phase)
{
	unsigned int i;

	if (phase == TFD_FORK_PREPARE) {
		pthread_mutex_lock(&grow_lock);
		for (i = 0; i < TFD_STRIPES; i++)
			pthread_mutex_lock(&stripes[i]);
		return;
	}
	for (i = TFD_STRIPES; i-- > 0;)
		pthread_mutex_unlock(&stripes[i]);
	pthread_mutex_unlock(&grow_lock);
}

static pthread_mutex_t *stripe(int fd)
{
	return &stripes[(unsigned int)fd % TFD_STRIPES];
}

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

/*
 * Is fd still the open file h was created with? A renewal between the
 * fstat and the comparison (two, and the file seen is neither identity
 * kept) makes the answer unreliable: asked again.
 */
static bool same_file(const struct tfd_handle *h, int fd)
{
	struct stat st;
	unsigned int g;
	bool same;

	do {
		g = atomic_load(&h->renewals);
		same = !fstat(fd, &st) && st.st_dev == h->dev &&
		       (st.st_ino == atomic_load(&h->ino) || st.st_ino == atomic_load(&h->ino_prev));
	} while (!same && g != atomic_load(&h->renewals));
	return same;
}

/*
 * The user provider moves a table to a memfd of its own after fork, in
 * place (dup3 onto the same number): a lookup racing it may see either
 * file, so both stay the table's.
 */
int tfd_fdtab_renew(struct tfd_handle *h, int newfd)
{
	struct stat st;

	if (fstat(newfd, &st))
		return -errno;
	if (st.st_dev != h->dev)
		return -EXDEV;
	atomic_fetch_add(&h->renewals, 1);
	atomic_store(&h->ino_prev, atomic_load(&h->ino));
	atomic_store(&h->ino, st.st_ino);
	return 0;
}

int tfd_handle_identify(struct tfd_handle *h)
{
	struct stat st;

	if (fstat(h->fd, &st))
		return -errno;
	h->dev = st.st_dev;
	atomic_init(&h->ino, st.st_ino);
	atomic_init(&h->ino_prev, st.st_ino);
	atomic_init(&h->renewals, 0);
	return 0;
}

int tfd_fdtab_insert(struct tfd_handle *h)
{
	tfd_slot_t *s = slot_of(h->fd, 1);
	pthread_mutex_t *l = stripe(h->fd);
	struct tfd_handle *old;
	int err;

	if (!s)
		return h->fd < 0 ? -EBADF : -ENOMEM;
	err = tfd_handle_identify(h);
	if (err)
		return err;
	atomic_init(&h->users, 1);	/* the registry's */
	pthread_mutex_lock(l);
	old = *s;
	*s = h;
	pthread_mutex_unlock(l);
	/* The number was a stale table's (closed with close(2)): forget it. */
	if (old) {
		old->fd = -1;
		tfd_handle_put(old);
	}
	return 0;
}

/* Takes fd's entry out if it is still h; true if this call did. */
static bool unlink_entry(int fd, struct tfd_handle *h)
{
	tfd_slot_t *s = slot_of(fd, 0);
	pthread_mutex_t *l = stripe(fd);
	bool done = false;

	pthread_mutex_lock(l);
	if (s && *s == h) {
		*s = NULL;
		done = true;
	}
	pthread_mutex_unlock(l);
	return done;
}

struct tfd_handle *tfd_fdtab_get(int fd)
{
	return tfd_fdtab_get_io(fd, false);
}

struct tfd_handle *tfd_fdtab_get_io(int fd, bool io)
{
	tfd_slot_t *s = slot_of(fd, 0);
	struct tfd_handle *h;

	if (!s)
		return NULL;
	pthread_mutex_lock(stripe(fd));
	h = *s;
	if (h)
		atomic_fetch_add(&h->users, 1);
	pthread_mutex_unlock(stripe(fd));
	/* FASTWRITE's reads and writes never touch the fd: no system call for them. */
	if (!h || (io && (h->uflags & TRAMPFD_FASTWRITE)) || same_file(h, fd))
		return h;
	/* Stale: the registry's reference goes, and the fd is not the table's. */
	if (unlink_entry(fd, h)) {
		h->fd = -1;
		tfd_handle_put(h);
	}
	tfd_handle_put(h);
	return NULL;
}

int tfd_handle_put(struct tfd_handle *h)
{
	if (atomic_fetch_sub(&h->users, 1) != 1)
		return 0;
	return h->ops->close(h);
}

int tfd_fdtab_close(int fd)
{
	struct tfd_handle *h = tfd_fdtab_get(fd);

	if (!h)
		return -EBADF;
	/* Only one of two racing closes takes the registry's reference. */
	if (!unlink_entry(fd, h)) {
		tfd_handle_put(h);
		return -EBADF;
	}
	tfd_handle_put(h);		/* the registry's: never the last, ours is held */
	return tfd_handle_put(h);
}
