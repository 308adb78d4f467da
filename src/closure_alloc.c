// SPDX-License-Identifier: MIT
/*
 * Closure slots: the tables behind them, the address -> slot map, and the
 * free slots.
 *
 * Tables: each class has its own (closure.h), 2^16 slots for the first,
 * doubling up to 2^20, so 100 million closures take about a hundred
 * tables: as many fds and a few hundred mappings per 2^20 slots. A table
 * is never unmapped nor closed: its slots are reused, and an address
 * stays a slot of this library for the process's life (a freed closure
 * faults; trampfd_closure_free(3) can always tell its addresses apart).
 * Tables are not in the public fd registry, so trampfd_pwrite() and
 * trampfd_close() cannot reach them, and their fds are moved to the upper
 * half of the soft RLIMIT_NOFILE (all close-on-exec), away from the low
 * numbers a program and select() use.
 *
 * Address -> slot: a two-level radix over 512 KiB granules holding table
 * ids; every table maps at least a granule (2^16 slots of 8 bytes or
 * more), so a granule meets at most two tables. Lookups take no lock.
 *
 * Free slots: a per-thread FIFO cache per class, refilled from and flushed
 * to the class's FIFO queue under its lock. FIFO, so a slot is handed out
 * again long after its free: a code-mode bank retired by that free is
 * then past its grace period or shares one with many others.
 */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <unistd.h>
#include "closure.h"

#define CL_GRAN_SHIFT	19
#define CL_VA_BITS	48
#define CL_LEAF_BITS	15
#define CL_TOP_BITS	(CL_VA_BITS - CL_GRAN_SHIFT - CL_LEAF_BITS)
#define CL_CACHE	64

struct cl_class {
	pthread_mutex_t lock;		/* the queue and the bump table */
	pthread_mutex_t grow;		/* one table creation at a time */
	const struct tfd_ops *ops;
	struct cl_table *cur;		/* fresh slots from cur->n - left on */
	unsigned int left;
	_Atomic unsigned int ntables;
	uint32_t *q;			/* FIFO of free slot ids */
	size_t qcap, qhead, qlen;
};

struct cl_cache {
	uint32_t s[CL_CACHE];
	unsigned int head, count;
};

static struct cl_class classes[CL_NCLASSES];
static struct cl_table *_Atomic tables[CL_MAX_TABLES];
static unsigned int ntables;		/* under radix_lock */
static _Atomic(_Atomic uint32_t *) radix[1U << CL_TOP_BITS];
static pthread_mutex_t radix_lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_once_t once = PTHREAD_ONCE_INIT;
static pthread_once_t atfork_once = PTHREAD_ONCE_INIT;
static pthread_key_t cache_key;
static __thread struct cl_cache caches[CL_NCLASSES];
static __thread bool cache_keyed;
static unsigned int forced;		/* TRAMPFD_CELL's flags */
static int forced_err;			/* an unknown TRAMPFD_CELL */

static void flush(unsigned int cls, struct cl_cache *k, unsigned int n);

/* A thread's cached slots go back to their classes when it exits. */
static void cache_dtor(void *p)
{
	struct cl_cache *k = p;
	unsigned int c;

	for (c = 0; c < CL_NCLASSES; c++)
		if (k[c].count)
			flush(c, &k[c], k[c].count);
}

static void setup(void)
{
	static const struct { const char *name; unsigned int flags; } cells[] = {
		{ "user-fault", TRAMPFD_NOKERNEL | TRAMPFD_FAULT },
		{ "user-code", TRAMPFD_NOKERNEL | TRAMPFD_CODE },
		{ "kernel-fault", TRAMPFD_KERNEL | TRAMPFD_FAULT },
		{ "kernel-code", TRAMPFD_KERNEL | TRAMPFD_CODE },
	};
	/* The conformance suite's knob (trampfd_closure_create.3, ENVIRONMENT). */
	const char *env = secure_getenv("TRAMPFD_CELL");
	unsigned int c, i;

	for (c = 0; c < CL_NCLASSES; c++) {
		pthread_mutex_init(&classes[c].lock, NULL);
		pthread_mutex_init(&classes[c].grow, NULL);
	}
	pthread_key_create(&cache_key, cache_dtor);
	if (!env || !*env || !strcmp(env, "default"))
		return;
	for (i = 0; i < sizeof(cells) / sizeof(cells[0]); i++)
		if (!strcmp(env, cells[i].name))
			forced = cells[i].flags;
	if (!forced)
		forced_err = -ENODEV;
}

static void before_fork(void)
{
	unsigned int c;

	for (c = 0; c < CL_NCLASSES; c++)
		pthread_mutex_lock(&classes[c].lock);
	pthread_mutex_lock(&radix_lock);
}

static void after_fork(bool child)
{
	unsigned int c;

	pthread_mutex_unlock(&radix_lock);
	for (c = 0; c < CL_NCLASSES; c++) {
		pthread_mutex_unlock(&classes[c].lock);
		/*
		 * grow is held across a table's creation, which takes the
		 * user provider's locks: not taken at fork (that order could
		 * deadlock), so the child's may be held by a thread it lacks.
		 */
		if (child)
			pthread_mutex_init(&classes[c].grow, NULL);
	}
}

static void after_fork_parent(void) { after_fork(false); }
static void after_fork_child(void) { after_fork(true); }

/*
 * Registered after the first table exists, so after the user provider's
 * handlers: ours then run first at fork, taking the class locks before
 * the provider's.
 */
static void register_atfork(void)
{
	pthread_atfork(before_fork, after_fork_parent, after_fork_child);
}

/* Records t's granules; at most two tables share one (see the top). */
static int radix_add(struct cl_table *t)
{
	uintptr_t g, lo = (uintptr_t)t->base >> CL_GRAN_SHIFT;
	uintptr_t hi = ((uintptr_t)t->base + t->size - 1) >> CL_GRAN_SHIFT;
	_Atomic uint32_t *leaf;
	uint32_t e;

	if (((uintptr_t)t->base + t->size - 1) >> CL_VA_BITS)
		return -ENOMEM;
	for (g = lo; g <= hi; g++) {
		leaf = atomic_load(&radix[g >> CL_LEAF_BITS]);
		if (!leaf) {
			leaf = calloc(1U << CL_LEAF_BITS, sizeof(*leaf));
			if (!leaf)
				return -ENOMEM;
			atomic_store_explicit(&radix[g >> CL_LEAF_BITS], leaf,
					      memory_order_release);
		}
		e = atomic_load(&leaf[g & ((1U << CL_LEAF_BITS) - 1)]);
		if ((e & 0xffff) && (e >> 16))
			return -ENOMEM;		/* a table under a granule: no */
	}
	for (g = lo; g <= hi; g++) {
		leaf = atomic_load(&radix[g >> CL_LEAF_BITS]);
		e = atomic_load(&leaf[g & ((1U << CL_LEAF_BITS) - 1)]);
		e = (e & 0xffff) ? e | (t->id + 1) << 16 : t->id + 1;
		atomic_store_explicit(&leaf[g & ((1U << CL_LEAF_BITS) - 1)], e,
				      memory_order_release);
	}
	return 0;
}

struct cl_table *cl_lookup(const void *addr, unsigned int *idx)
{
	uintptr_t a = (uintptr_t)addr, g = a >> CL_GRAN_SHIFT;
	_Atomic uint32_t *leaf;
	uint32_t e;
	int k;

	if (a >> CL_VA_BITS)
		return NULL;
	leaf = atomic_load_explicit(&radix[g >> CL_LEAF_BITS], memory_order_acquire);
	if (!leaf)
		return NULL;
	e = atomic_load_explicit(&leaf[g & ((1U << CL_LEAF_BITS) - 1)], memory_order_acquire);
	for (k = 0; k < 2; k++, e >>= 16) {
		struct cl_table *t;
		uintptr_t first, off;

		if (!(e & 0xffff))
			continue;
		t = atomic_load_explicit(&tables[(e & 0xffff) - 1], memory_order_acquire);
		first = (uintptr_t)t->base + t->ioffset;
		if (a < first)
			continue;
		off = a - first;
		if (off % t->stride || off / t->stride >= t->n)
			continue;
		*idx = off / t->stride;
		return t;
	}
	return NULL;
}

/* Moves fd to the upper half of the soft fd limit, if there is room. */
static int move_high(int fd)
{
	struct rlimit rl;
	rlim_t floor;
	int hi;

	if (getrlimit(RLIMIT_NOFILE, &rl) || rl.rlim_cur < 64)
		return fd;
	floor = (rl.rlim_cur > (1U << 20) ? (1U << 20) : rl.rlim_cur) / 2;
	if ((rlim_t)fd >= floor)
		return fd;
	hi = fcntl(fd, F_DUPFD_CLOEXEC, (int)floor);
	if (hi < 0)
		return fd;
	close(fd);
	return hi;
}

static int new_table(unsigned int cls, struct cl_table **out)
{
	struct cl_class *c = &classes[cls];
	unsigned int k = atomic_load(&c->ntables);
	unsigned int flags = forced | (cls >= CL_NKINDS ? TRAMPFD_FASTWRITE : 0);
	struct trampfd_user u = { .flags = flags };
	struct trampfd_map map;
	struct cl_table *t;
	struct tfd_handle *h;
	void *base, *cookie;
	size_t len;
	int fd, err;

	if (forced_err)
		return forced_err;
	if (!c->ops) {
		c->ops = tfd_pick_cell(flags, &err);
		if (!c->ops)
			return err;
	}
	u.ntrampolines = CL_MIN_SLOTS << (k < 4 ? k : 4);
	t = calloc(1, sizeof(*t));
	if (!t)
		return -ENOMEM;
	fd = c->ops->create(&u, u.ntrampolines, &h);
	if (fd < 0) {
		free(t);
		return fd;
	}
	h->ops = c->ops;
	h->fd = move_high(fd);
	h->uflags = flags;
	pthread_once(&atfork_once, register_atfork);
	t->h = h;
	t->n = u.ntrampolines;
	t->cls = cls;
	err = c->ops->pread(h, &map, sizeof(map), 0, TRAMPFD_MAP_OFFSET);
	if (err >= 0)
		err = c->ops->mmap(h, &base, &len, &cookie);
	if (err < 0)
		goto fail_close;
	t->base = base;
	t->size = map.size;
	t->ioffset = map.ioffset;
	t->stride = map.stride;
	t->state = mmap(NULL, t->n, PROT_READ | PROT_WRITE,
			MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
	if (t->state == MAP_FAILED) {
		err = -ENOMEM;
		goto fail_unmap;
	}
	pthread_mutex_lock(&radix_lock);
	err = -EMFILE;
	if (ntables < CL_MAX_TABLES) {
		t->id = ntables;
		err = radix_add(t);
	}
	if (!err) {
		atomic_store_explicit(&tables[ntables++], t, memory_order_release);
		atomic_fetch_add(&c->ntables, 1);
	}
	pthread_mutex_unlock(&radix_lock);
	if (!err) {
		*out = t;
		return 0;
	}
	munmap((void *)t->state, t->n);
fail_unmap:
	c->ops->munmap(base, len, cookie);
fail_close:
	c->ops->close(h);
	free(t);
	return err;
}

/* Takes up to CL_CACHE / 2 slots from the class's queue, or fresh ones. */
static unsigned int take(struct cl_class *c, struct cl_cache *k)
{
	unsigned int n = 0;

	while (n < CL_CACHE / 2 && c->qlen) {
		k->s[(k->head + k->count++) % CL_CACHE] = c->q[c->qhead];
		c->qhead = (c->qhead + 1) % c->qcap;
		c->qlen--;
		n++;
	}
	while (n < CL_CACHE / 2 && c->cur && c->left) {
		k->s[(k->head + k->count++) % CL_CACHE] =
			c->cur->id << CL_IDX_BITS | (c->cur->n - c->left--);
		n++;
	}
	return n;
}

static int refill(unsigned int cls, struct cl_cache *k)
{
	struct cl_class *c = &classes[cls];
	struct cl_table *t = NULL;
	unsigned int gen;
	int err;

	for (;;) {
		pthread_mutex_lock(&c->lock);
		if (take(c, k)) {
			pthread_mutex_unlock(&c->lock);
			return 0;
		}
		gen = atomic_load(&c->ntables);
		pthread_mutex_unlock(&c->lock);
		pthread_mutex_lock(&c->grow);
		err = 0;
		if (atomic_load(&c->ntables) == gen) {
			err = new_table(cls, &t);
			if (!err) {
				pthread_mutex_lock(&c->lock);
				c->cur = t;
				c->left = t->n;
				pthread_mutex_unlock(&c->lock);
			}
		}
		pthread_mutex_unlock(&c->grow);
		if (err)
			return err;
	}
}

/* Gives the n oldest cached slots back to the class's queue. */
static void flush(unsigned int cls, struct cl_cache *k, unsigned int n)
{
	struct cl_class *c = &classes[cls];
	size_t cap, i;
	uint32_t *q;

	pthread_mutex_lock(&c->lock);
	if (c->qlen + n > c->qcap) {
		cap = c->qcap ? c->qcap * 2 : 1024;
		while (cap < c->qlen + n)
			cap *= 2;
		q = malloc(cap * sizeof(*q));
		if (!q) {
			/* The slots stay free but unused: a leak, never a wrong answer. */
			pthread_mutex_unlock(&c->lock);
			k->head = (k->head + n) % CL_CACHE;
			k->count -= n;
			return;
		}
		for (i = 0; i < c->qlen; i++)
			q[i] = c->q[(c->qhead + i) % c->qcap];
		free(c->q);
		c->q = q;
		c->qcap = cap;
		c->qhead = 0;
	}
	for (i = 0; i < n; i++) {
		c->q[(c->qhead + c->qlen++) % c->qcap] = k->s[k->head];
		k->head = (k->head + 1) % CL_CACHE;
		k->count--;
	}
	pthread_mutex_unlock(&c->lock);
}

static struct cl_cache *cache(unsigned int cls)
{
	if (!cache_keyed) {
		pthread_setspecific(cache_key, caches);
		cache_keyed = true;
	}
	return &caches[cls];
}

int cl_alloc(unsigned int cls, struct cl_table **t, unsigned int *idx)
{
	struct cl_cache *k;
	uint32_t id;
	int err;

	pthread_once(&once, setup);
	k = cache(cls);
	if (!k->count) {
		err = refill(cls, k);
		if (err)
			return err;
	}
	id = k->s[k->head];
	k->head = (k->head + 1) % CL_CACHE;
	k->count--;
	*t = atomic_load_explicit(&tables[id >> CL_IDX_BITS], memory_order_acquire);
	*idx = id & (CL_MAX_SLOTS - 1);
	atomic_store_explicit(&(*t)->state[*idx], CL_BUSY, memory_order_relaxed);
	return 0;
}

void cl_release(struct cl_table *t, unsigned int idx)
{
	struct cl_cache *k = cache(t->cls);

	atomic_store_explicit(&t->state[idx], CL_FREE, memory_order_release);
	if (k->count == CL_CACHE)
		flush(t->cls, k, CL_CACHE / 2);
	k->s[(k->head + k->count++) % CL_CACHE] = t->id << CL_IDX_BITS | idx;
}
