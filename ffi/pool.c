// SPDX-License-Identifier: MIT
/*
 * The pool: each slot is a trampfd closure bound once and for good to
 * tfd_ffi_thunk with its record in the static-chain register
 * (TRAMPFD_CTX_CHAIN: x86_64 r10, libffi's own closure register), so a
 * prep or a free is one pwrite of the record and nothing else. The
 * records live in one memfd, mapped read-only through an O_RDONLY
 * description, in chunks of 256 doubling to 65536 records. Writable
 * closures (what ffi_closure_alloc returns) are kept per slot and never
 * given back to malloc while they are the slot's, so a pointer freed twice
 * is still known as ours.
 */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>
#include <trampfd.h>
#include "tffi.h"

#define MAX_CHUNKS	512
#define CHUNK_MIN	256
#define CHUNK_MAX	65536

struct tslot {
	void *wr;		/* the writable closure, NULL before first use */
	size_t cap, size;
	void *code;
	off_t rec_off;
	struct tslot *next_free;
	unsigned char live, bound;
};

struct chunk {
	char *rec;		/* the records, read-only */
	off_t rec_off;
	unsigned int n;
	struct tslot *slots;
};

static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static struct chunk chunks[MAX_CHUNKS];
static unsigned int nchunks;
static int rec_fd = -1;
static off_t rec_len;
static struct tslot *free_list;

/* Writable address -> slot, for every address the pool ever handed out. */
struct hent {
	void *key;
	struct tslot *s;
};
static struct hent *htab;
static size_t hcap, hcount;

static size_t hslot(void *key, size_t cap)
{
	uintptr_t k = (uintptr_t)key;

	k ^= k >> 17;
	k *= 0x9e3779b97f4a7c15ull;
	return (size_t)(k >> 20) & (cap - 1);
}

static struct tslot *hget(void *key)
{
	if (!hcap)
		return NULL;
	for (size_t i = hslot(key, hcap);; i = (i + 1) & (hcap - 1)) {
		if (htab[i].key == key)
			return htab[i].s;
		if (!htab[i].key)
			return NULL;
	}
}

static void hput_raw(struct hent *t, size_t cap, void *key, struct tslot *s)
{
	size_t i = hslot(key, cap);

	while (t[i].key && t[i].key != key)
		i = (i + 1) & (cap - 1);
	t[i].key = key;
	t[i].s = s;
}

static int hput(void *key, struct tslot *s)
{
	if (2 * (hcount + 1) > hcap) {
		size_t cap = hcap ? 2 * hcap : 1024;
		struct hent *t = calloc(cap, sizeof(*t));

		if (!t)
			return -ENOMEM;
		for (size_t i = 0; i < hcap; i++)
			if (htab[i].key)
				hput_raw(t, cap, htab[i].key, htab[i].s);
		free(htab);
		htab = t;
		hcap = cap;
	}
	if (!hget(key))
		hcount++;
	hput_raw(htab, hcap, key, s);
	return 0;
}

static int put_rec(off_t off, const void *rec)
{
	ssize_t n = pwrite(rec_fd, rec, TFFI_REC, off);

	return n == TFFI_REC ? 0 : n < 0 ? -errno : -EIO;
}

/* Maps len bytes of the records at off read-only, at addr if not NULL. */
static void *map_rec(void *addr, size_t len, off_t off)
{
	char path[40];
	int fd;
	void *p;

	/* An O_RDONLY description: mprotect can never make the view writable. */
	snprintf(path, sizeof(path), "/proc/self/fd/%d", rec_fd);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	p = mmap(addr, len, PROT_READ, MAP_SHARED | (addr ? MAP_FIXED : 0),
		 fd >= 0 ? fd : rec_fd, off);
	if (fd >= 0)
		close(fd);
	return p;
}

/*
 * fork: the records are shared with the parent through the memfd, so the
 * child copies them into a memfd of its own, mapped where the old ones
 * were; from then on neither process's prep or free changes the other's.
 */
static void atfork_prepare(void) { pthread_mutex_lock(&lock); }
static void atfork_parent(void) { pthread_mutex_unlock(&lock); }

static void atfork_child(void)
{
	int old = rec_fd;
	unsigned int c;

	if (old >= 0) {
		rec_fd = memfd_create("trampfd-ffi", MFD_CLOEXEC);
		if (rec_fd >= 0 && ftruncate(rec_fd, rec_len))
			rec_fd = (close(rec_fd), -1);
		for (c = 0; rec_fd >= 0 && c < nchunks; c++) {
			size_t len = (size_t)chunks[c].n * TFFI_REC;

			if (pwrite(rec_fd, chunks[c].rec, len, chunks[c].rec_off) != (ssize_t)len ||
			    map_rec(chunks[c].rec, len, chunks[c].rec_off) == MAP_FAILED)
				rec_fd = (close(rec_fd), -1);
		}
		/* Could not copy: this child publishes nothing (alloc fails). */
		close(old);
	}
	pthread_mutex_unlock(&lock);
}

static int grow(void)
{
	static int atfork_done;
	struct chunk *ch = &chunks[nchunks];
	unsigned int n = nchunks < 8 ? CHUNK_MIN << nchunks : CHUNK_MAX;
	size_t len = (size_t)n * TFFI_REC;
	int err;

	if (nchunks == MAX_CHUNKS)
		return -ENOSPC;
	if (!atfork_done) {
		if (pthread_atfork(atfork_prepare, atfork_parent, atfork_child))
			return -ENOMEM;
		atfork_done = 1;
	}
	if (rec_fd < 0) {
		if (nchunks)
			return -EIO;	/* a child that could not copy its records */
		rec_fd = memfd_create("trampfd-ffi", MFD_CLOEXEC);
		if (rec_fd < 0)
			return -errno;
	}
	ch->slots = calloc(n, sizeof(*ch->slots));
	if (!ch->slots)
		return -ENOMEM;
	if (ftruncate(rec_fd, rec_len + (off_t)len)) {
		err = -errno;
		goto err_slots;
	}
	ch->rec = map_rec(NULL, len, rec_len);
	if (ch->rec == MAP_FAILED) {
		err = -errno;
		goto err_slots;
	}
	ch->rec_off = rec_len;
	ch->n = n;
	for (unsigned int i = n; i-- > 0;) {
		struct tslot *s = &ch->slots[i];

		s->rec_off = ch->rec_off + (off_t)i * TFFI_REC;
		s->next_free = free_list;
		free_list = s;
	}
	rec_len += (off_t)len;
	nchunks++;
	return 0;
err_slots:
	free(ch->slots);
	ch->slots = NULL;
	return err;
}

static char *rec_addr(struct tslot *s)
{
	for (unsigned int c = 0; c < nchunks; c++)
		if (s >= chunks[c].slots && s < chunks[c].slots + chunks[c].n)
			return chunks[c].rec + (s - chunks[c].slots) * TFFI_REC;
	return NULL;
}

/* First use: the record says "unset", then a closure is bound to it for good. */
static int bind(struct tslot *s)
{
	unsigned char rec[TFFI_REC] = { 0 };
	uintptr_t unset = (uintptr_t)tfd_ffi_unset;
	int err;

	memcpy(rec, &unset, sizeof(unset));
	err = put_rec(s->rec_off, rec);
	if (!err)
		err = trampfd_closure_create(&s->code, (void *)tfd_ffi_thunk, rec_addr(s),
					     TRAMPFD_CTX_CHAIN);
	if (!err)
		s->bound = 1;
	return err;
}

void *tffi_alloc(size_t size, void **code, int *err)
{
	struct tslot *s;
	void *wr = NULL;

	pthread_mutex_lock(&lock);
	*err = free_list ? 0 : grow();
	if (*err)
		goto out;
	s = free_list;
	if (!s->bound && (*err = bind(s)))
		goto out;
	if (!s->wr || s->cap < size) {
		size_t cap = size < 128 ? 128 : size;

		wr = calloc(1, cap);
		if (!wr || (*err = hput(wr, s))) {
			*err = *err ? *err : -ENOMEM;
			free(wr);
			wr = NULL;
			goto out;
		}
		/* The old block may return to malloc: its address stays known. */
		free(s->wr);
		s->wr = wr;
		s->cap = cap;
	} else {
		memset(s->wr, 0, size);
	}
	free_list = s->next_free;
	s->live = 1;
	s->size = size;
	*code = s->code;
	wr = s->wr;
out:
	pthread_mutex_unlock(&lock);
	return wr;
}

/* 1: a live closure of ours; 0: was ours, not live now; -ENOENT: never ours. */
int tffi_owned(void *wr, void **code, size_t *size)
{
	struct tslot *s;
	int r;

	pthread_mutex_lock(&lock);
	s = hget(wr);
	r = !s ? -ENOENT : s->wr == wr && s->live;
	if (r == 1) {
		*code = s->code;
		*size = s->size;
	}
	pthread_mutex_unlock(&lock);
	return r;
}

int tffi_publish(void *wr, const unsigned char rec[TFFI_REC])
{
	struct tslot *s;
	int err;

	pthread_mutex_lock(&lock);
	s = hget(wr);
	err = s && s->wr == wr && s->live ? put_rec(s->rec_off, rec) : -EINVAL;
	pthread_mutex_unlock(&lock);
	return err;
}

/* 0: freed; -EALREADY: ours but not live (ignored); -ENOENT: never ours. */
int tffi_free(void *wr)
{
	unsigned char rec[TFFI_REC] = { 0 };
	uintptr_t unset = (uintptr_t)tfd_ffi_unset;
	struct tslot *s;
	int err;

	memcpy(rec, &unset, sizeof(unset));
	pthread_mutex_lock(&lock);
	s = hget(wr);
	if (!s) {
		err = -ENOENT;
	} else if (s->wr != wr || !s->live) {
		err = -EALREADY;
	} else {
		/* Unset first: a call after the free faults, never runs. */
		err = put_rec(s->rec_off, rec);
		if (!err) {
			s->live = 0;
			s->next_free = free_list;
			free_list = s;
		}
	}
	pthread_mutex_unlock(&lock);
	return err;
}
