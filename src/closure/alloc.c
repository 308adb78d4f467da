// SPDX-License-Identifier: MIT
/*
 * Closure slots (docs/design.md §8): the tables behind them, the address
 * -> slot map, and the free slots.
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
 * The tables' records and the radix are read-only (docs/security.md):
 * made writable only while a new table is entered, under radix_lock, so a
 * stray or hostile store cannot point an address at another slot. What
 * stays writable (the slots' states, the queues of free slots) can at
 * worst hand out a slot that is not free: create checks through the
 * cell's protected store that it has no context before it writes one.
 *
 * Free slots: each class has CL_NLANES lanes, each with its own tables,
 * lock and FIFO queue of freed slots; a thread keeps to one lane, so
 * threads write to different tables (a table's writes are serialised).
 * Per thread and class, a batch of slots to hand out and a batch of freed
 * ones, moved to and from the lanes under their locks. A freed slot is
 * handed out again only once CL_REUSE_MIN others wait in its lane's queue
 * (fresh slots go first until then): a code-mode bank retired by that
 * free is long past its grace period, or shares one with many others.
 */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <unistd.h>
#include "closure/closure.h"

#define CL_GRAN_SHIFT	19
#define CL_VA_BITS	48
#define CL_LEAF_BITS	15
#define CL_TOP_BITS	(CL_VA_BITS - CL_GRAN_SHIFT - CL_LEAF_BITS)
#define CL_BATCH	32
#define CL_NLANES	4
#define CL_REUSE_MIN	1024

struct cl_lane {
	pthread_mutex_t *lock;		/* the queue and the fresh slots: lane_lock[lane] */
	pthread_mutex_t grow;		/* one table creation at a time */
	struct cl_table *cur;		/* fresh slots from cur->n - left on */
	unsigned int left;
	_Atomic unsigned int ntables;
	uint32_t *q;			/* FIFO of freed slot ids */
	size_t qcap, qhead, qlen;
};

struct cl_class {
	const struct tfd_ops *_Atomic ops;
	struct cl_lane lanes[CL_NLANES];
};

/* A thread's slots of one class: to hand out (from ahead on), and freed. */
struct cl_cache {
	uint32_t a[CL_BATCH], f[CL_BATCH];
	unsigned int ahead, na, nf;
};

static struct cl_class classes[CL_NCLASSES];
/* Read-only but while radix_lock's holder enters a table (reg_write). */
struct cl_registry {
	struct cl_table t[CL_MAX_TABLES];
	_Atomic(_Atomic uint32_t *) radix[1U << CL_TOP_BITS];
	unsigned int ntables;
};
#define CL_REG_ALIGN	65536		/* every page size: 4K, 16K, 64K */
#define CL_REG_LEN	((sizeof(struct cl_registry) + CL_REG_ALIGN - 1) & ~(size_t)(CL_REG_ALIGN - 1))
#define CL_LEAF_LEN	((sizeof(uint32_t) << CL_LEAF_BITS))
static union {
	struct cl_registry r;
	char pad[CL_REG_LEN];
} reg_u __attribute__((aligned(CL_REG_ALIGN)));
#define reg (reg_u.r)
static pthread_mutex_t radix_lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_once_t once = PTHREAD_ONCE_INIT;
static pthread_once_t atfork_once = PTHREAD_ONCE_INIT;
static pthread_key_t cache_key;
static __thread struct cl_cache caches[CL_NCLASSES];
static __thread bool cache_keyed;
static __thread unsigned int my_lane;
static _Atomic unsigned int next_lane;
static pthread_mutex_t pick_lock = PTHREAD_MUTEX_INITIALIZER;
/* One per lane, for every class's: fork takes them all, and few. */
static pthread_mutex_t lane_lock[CL_NLANES];
static unsigned int forced;		/* TRAMPFD_CELL's flags */
static int forced_err;			/* an unknown TRAMPFD_CELL */

static void give_back(unsigned int cls, const uint32_t *ids, unsigned int n);

/* A thread's cached slots go back to their lanes when it exits. */
static void cache_dtor(void *p)
{
	struct cl_cache *k = p;
	unsigned int c;

	for (c = 0; c < CL_NCLASSES; c++) {
		give_back(c, k[c].a + k[c].ahead, k[c].na - k[c].ahead);
		give_back(c, k[c].f, k[c].nf);
		k[c].ahead = k[c].na = k[c].nf = 0;
	}
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

	for (c = 0; c < CL_NLANES; c++)
		pthread_mutex_init(&lane_lock[c], NULL);
	for (c = 0; c < CL_NCLASSES * CL_NLANES; c++) {
		classes[c / CL_NLANES].lanes[c % CL_NLANES].lock = &lane_lock[c % CL_NLANES];
		pthread_mutex_init(&classes[c / CL_NLANES].lanes[c % CL_NLANES].grow, NULL);
	}
	pthread_key_create(&cache_key, cache_dtor);
	mprotect(&reg_u, sizeof(reg_u), PROT_READ);
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

	for (c = 0; c < CL_NLANES; c++)
		pthread_mutex_lock(&lane_lock[c]);
	pthread_mutex_lock(&radix_lock);
}

static void after_fork(bool child)
{
	unsigned int c;

	pthread_mutex_unlock(&radix_lock);
	for (c = 0; c < CL_NLANES; c++)
		pthread_mutex_unlock(&lane_lock[c]);
	for (c = 0; c < CL_NCLASSES * CL_NLANES; c++) {
		struct cl_lane *l = &classes[c / CL_NLANES].lanes[c % CL_NLANES];

		/*
		 * grow is held across a table's creation, which takes the
		 * user provider's locks: not taken at fork (that order could
		 * deadlock), so the child's may be held by a thread it lacks.
		 */
		if (child)
			pthread_mutex_init(&l->grow, NULL);
	}
	if (child)
		pthread_mutex_init(&pick_lock, NULL);
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

/* Makes the registry, or a leaf of its radix, writable or read-only again. */
static void reg_write(bool on, void *p)
{
	mprotect(p ? p : (void *)&reg_u, p ? CL_LEAF_LEN : sizeof(reg_u),
		 on ? PROT_READ | PROT_WRITE : PROT_READ);
}

/* Records t's granules; at most two tables share one (see the top). */
static int radix_add(const struct cl_table *t)
{
	uintptr_t g, lo = (uintptr_t)t->base >> CL_GRAN_SHIFT;
	uintptr_t hi = ((uintptr_t)t->base + t->size - 1) >> CL_GRAN_SHIFT;
	_Atomic uint32_t *leaf, *open;
	uint32_t e;

	if (((uintptr_t)t->base + t->size - 1) >> CL_VA_BITS)
		return -ENOMEM;
	for (g = lo; g <= hi; g++) {
		leaf = atomic_load(&reg.radix[g >> CL_LEAF_BITS]);
		if (!leaf) {
			leaf = mmap(NULL, CL_LEAF_LEN, PROT_READ | PROT_WRITE,
				    MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
			if (leaf == MAP_FAILED)
				return -ENOMEM;
			mprotect(leaf, CL_LEAF_LEN, PROT_READ);
			reg_write(true, NULL);
			atomic_store_explicit(&reg.radix[g >> CL_LEAF_BITS], leaf,
					      memory_order_release);
			reg_write(false, NULL);
		}
		e = atomic_load(&leaf[g & ((1U << CL_LEAF_BITS) - 1)]);
		if ((e & 0xffff) && (e >> 16))
			return -ENOMEM;		/* a table under a granule: no */
	}
	for (g = lo, open = NULL; g <= hi; g++) {
		leaf = atomic_load(&reg.radix[g >> CL_LEAF_BITS]);
		if (leaf != open) {
			if (open)
				reg_write(false, (void *)open);
			reg_write(true, (void *)leaf);
			open = leaf;
		}
		e = atomic_load(&leaf[g & ((1U << CL_LEAF_BITS) - 1)]);
		e = (e & 0xffff) ? e | (t->id + 1) << 16 : t->id + 1;
		atomic_store_explicit(&leaf[g & ((1U << CL_LEAF_BITS) - 1)], e,
				      memory_order_release);
	}
	reg_write(false, (void *)open);
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
	leaf = atomic_load_explicit(&reg.radix[g >> CL_LEAF_BITS], memory_order_acquire);
	if (!leaf)
		return NULL;
	e = atomic_load_explicit(&leaf[g & ((1U << CL_LEAF_BITS) - 1)], memory_order_acquire);
	for (k = 0; k < 2; k++, e >>= 16) {
		struct cl_table *t;
		uintptr_t first, off;

		if (!(e & 0xffff))
			continue;
		t = &reg.t[(e & 0xffff) - 1];
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
int tfd_fd_move_high(int fd)
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

/* The cell of class cls: picked once, by its first table. */
static const struct tfd_ops *class_ops(unsigned int cls, unsigned int flags, int *err)
{
	struct cl_class *c = &classes[cls];
	const struct tfd_ops *ops = atomic_load(&c->ops);

	if (ops)
		return ops;
	pthread_mutex_lock(&pick_lock);
	ops = atomic_load(&c->ops);
	if (!ops) {
		ops = tfd_pick_cell(flags, err);
		atomic_store(&c->ops, ops);
	}
	pthread_mutex_unlock(&pick_lock);
	return ops;
}

static int new_table(unsigned int cls, unsigned int lane, struct cl_table **out)
{
	unsigned int k = atomic_load(&classes[cls].lanes[lane].ntables);
	unsigned int flags = forced | (cls >= CL_NKINDS ? TRAMPFD_FASTWRITE : 0);
	struct trampfd_user u = { .flags = flags | TFD_CREATE_FD_HIGH };
	const struct tfd_ops *ops;
	struct trampfd_map map;
	struct cl_table lt = { 0 }, *t = &lt;
	struct tfd_handle *h;
	void *base, *cookie;
	size_t len;
	int fd, err;

	if (forced_err)
		return forced_err;
	ops = class_ops(cls, flags, &err);
	if (!ops)
		return err;
	u.ntrampolines = CL_MIN_SLOTS << (k < 4 ? k : 4);
	/*
	 * The user cells record the fd in their read-only anchors as they
	 * create it, so they take it high themselves; the kernel's is moved.
	 */
	fd = ops->create(&u, u.ntrampolines, &h);
	if (fd < 0)
		return fd;
	h->ops = ops;
	h->fd = tfd_fd_move_high(fd);
	h->uflags = flags;
	/* A user table renews its memfd after fork against this identity. */
	err = tfd_handle_identify(h);
	if (err)
		goto fail_close;
	pthread_once(&atfork_once, register_atfork);
	t->h = h;
	t->n = u.ntrampolines;
	t->cls = cls;
	t->lane = lane;
	err = ops->pread(h, &map, sizeof(map), 0, TRAMPFD_MAP_OFFSET);
	if (err >= 0)
		err = ops->mmap(h, &base, &len, &cookie);
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
	/* The record first: a lookup finds it through the radix's release. */
	pthread_mutex_lock(&radix_lock);
	err = -EMFILE;
	if (reg.ntables < CL_MAX_TABLES) {
		lt.id = reg.ntables;
		reg_write(true, NULL);
		reg.t[lt.id] = lt;
		reg.ntables++;
		reg_write(false, NULL);
		/* On failure the record stays, unreachable: ids are never reused. */
		err = radix_add(&reg.t[lt.id]);
	}
	pthread_mutex_unlock(&radix_lock);
	if (!err) {
		*out = &reg.t[lt.id];
		return 0;
	}
	munmap((void *)t->state, t->n);
fail_unmap:
	ops->munmap(base, len, cookie);
fail_close:
	ops->close(h);
	return err;
}

/*
 * Fills k's batch to hand out from lane l: freed slots once enough wait,
 * else fresh ones, else freed ones however few. 0 if l has none.
 */
static unsigned int take(struct cl_lane *l, struct cl_cache *k)
{
	unsigned int n = 0;
	bool old = l->qlen >= CL_REUSE_MIN || !l->cur || !l->left;

	k->ahead = k->na = 0;
	while (n < CL_BATCH && old && l->qlen) {
		k->a[n++] = l->q[l->qhead];
		l->qhead = (l->qhead + 1) % l->qcap;
		l->qlen--;
	}
	while (n < CL_BATCH && l->cur && l->left)
		k->a[n++] = l->cur->id << CL_IDX_BITS | (l->cur->n - l->left--);
	k->na = n;
	return n;
}

static int refill(unsigned int cls, struct cl_cache *k)
{
	struct cl_lane *l = &classes[cls].lanes[my_lane];
	struct cl_table *t = NULL;
	unsigned int gen;
	int err;

	for (;;) {
		pthread_mutex_lock(l->lock);
		if (take(l, k)) {
			pthread_mutex_unlock(l->lock);
			return 0;
		}
		gen = atomic_load(&l->ntables);
		pthread_mutex_unlock(l->lock);
		pthread_mutex_lock(&l->grow);
		err = 0;
		if (atomic_load(&l->ntables) == gen) {
			err = new_table(cls, my_lane, &t);
			if (!err) {
				pthread_mutex_lock(l->lock);
				l->cur = t;
				l->left = t->n;
				atomic_fetch_add(&l->ntables, 1);
				pthread_mutex_unlock(l->lock);
			}
		}
		pthread_mutex_unlock(&l->grow);
		if (err)
			return err;
	}
}

/* Appends id to lane l's queue (its lock held); false if out of memory. */
static bool enqueue(struct cl_lane *l, uint32_t id)
{
	size_t cap, i;
	uint32_t *q;

	if (l->qlen == l->qcap) {
		cap = l->qcap ? l->qcap * 2 : 1024;
		q = malloc(cap * sizeof(*q));
		if (!q)
			return false;
		for (i = 0; i < l->qlen; i++)
			q[i] = l->q[(l->qhead + i) % l->qcap];
		free(l->q);
		l->q = q;
		l->qcap = cap;
		l->qhead = 0;
	}
	l->q[(l->qhead + l->qlen++) % l->qcap] = id;
	return true;
}

/*
 * Queues freed slots in their tables' lanes. Out of memory, a slot stays
 * free but unused: a leak, never a wrong answer.
 */
static void give_back(unsigned int cls, const uint32_t *ids, unsigned int n)
{
	pthread_mutex_t *held = NULL;
	struct cl_lane *l;
	unsigned int i;

	for (i = 0; i < n; i++) {
		l = &classes[cls].lanes[reg.t[ids[i] >> CL_IDX_BITS].lane];
		if (l->lock != held) {
			if (held)
				pthread_mutex_unlock(held);
			pthread_mutex_lock(l->lock);
			held = l->lock;
		}
		enqueue(l, ids[i]);
	}
	if (held)
		pthread_mutex_unlock(held);
}

static struct cl_cache *cache(unsigned int cls)
{
	if (!cache_keyed) {
		pthread_setspecific(cache_key, caches);
		my_lane = atomic_fetch_add(&next_lane, 1) % CL_NLANES;
		cache_keyed = true;
	}
	return &caches[cls];
}

int cl_alloc(unsigned int cls, struct cl_table **t, unsigned int *idx)
{
	struct cl_cache *k;
	uint32_t id;
	int err;

	/* Slots in the cache: setup ran before the refill that put them there. */
	k = &caches[cls];
	if (k->ahead == k->na) {
		pthread_once(&once, setup);
		k = cache(cls);
		err = refill(cls, k);
		if (err)
			return err;
	}
	id = k->a[k->ahead++];
	*t = &reg.t[id >> CL_IDX_BITS];
	*idx = id & (CL_MAX_SLOTS - 1);
	atomic_store_explicit(&(*t)->state[*idx], CL_BUSY, memory_order_relaxed);
	return 0;
}

void cl_release(struct cl_table *t, unsigned int idx)
{
	struct cl_cache *k = cache(t->cls);

	atomic_store_explicit(&t->state[idx], CL_FREE, memory_order_release);
	if (k->nf == CL_BATCH) {
		give_back(t->cls, k->f, k->nf);
		k->nf = 0;
	}
	k->f[k->nf++] = t->id << CL_IDX_BITS | idx;
}
