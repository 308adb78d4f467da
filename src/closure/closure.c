// SPDX-License-Identifier: MIT
/*
 * Closures (trampfd_closure_create(3), docs/design.md §8): a slot each,
 * its register context {ctx's register = ctx, PC = fn} written through
 * the slot's cell like any table context, so fn and ctx are exactly as
 * protected as a table's (docs/security.md): get() reads them back from
 * the cell's store, and the library keeps no other copy.
 *
 * TRAMPFD_CTX_FIRST is code: tfd_closure_first (first.S, in the
 * library's text) shifts the integer arguments up one. A stub reached by
 * an ordinary context works the same in every cell, kernel ones included,
 * and keeps the module free of a second code generator. Such a closure is
 * two slots: its own {CL_FIRST_LINK = inner slot, PC = stub}, and the
 * inner ARG(0) slot {argument 0 = ctx, PC = fn} the stub jumps to. Both
 * are fast slots of the code cell (its variants include r11 and x18),
 * cheaper than one general context's loader.
 */
#include <errno.h>
#include "closure/closure.h"
#include "arch.h"
#include "user-code/code.h"

#if defined(__x86_64__)
#define CL_FIRST_LINK	x64_r11		/* scratch: no argument uses it */
#elif defined(__aarch64__)
#define CL_FIRST_LINK	(arm64_r0 + 18)	/* x16/x17 are the code cells' own */
#endif

#define CL_PLACE_MASK	0x7ffU

static const uint32_t arg_reg[TRAMPFD_NUM_ARG_REGS] = {
	TRAMPFD_REG_ARG0, TRAMPFD_REG_ARG1, TRAMPFD_REG_ARG2, TRAMPFD_REG_ARG3,
	TRAMPFD_REG_ARG4, TRAMPFD_REG_ARG5,
#if TRAMPFD_NUM_ARG_REGS > 6
	TRAMPFD_REG_ARG6, TRAMPFD_REG_ARG7,
#endif
};

struct cl_ctx {
	struct trampfd_regs h;
	struct trampfd_reg r[2];
};

/* how -> class (closure.h), or -EINVAL. */
static int class_of(unsigned int how)
{
	unsigned int place = how & CL_PLACE_MASK, kind;

	if (how & ~(CL_PLACE_MASK | TRAMPFD_CLOSURE_FASTWRITE))
		return -EINVAL;
	if ((place & ~0xffU) == TRAMPFD_CTX_ARG(0)) {
		kind = place & 0xff;
		if (kind >= TRAMPFD_NUM_ARG_REGS)
			return -EINVAL;
	} else if (place == TRAMPFD_CTX_CHAIN) {
		kind = CL_KIND_CHAIN;
	} else if (place == TRAMPFD_CTX_FIRST) {
		kind = CL_KIND_FIRST;
	} else {
		return -EINVAL;	/* none, or two */
	}
	return kind + (how & TRAMPFD_CLOSURE_FASTWRITE ? CL_NKINDS : 0);
}

/*
 * The context a slot of kind gets: {reg = ctx, PC = fn}, with reg the
 * kind's (FIRST linked: the link register, fn the stub, ctx the link).
 */
static size_t fill(struct cl_ctx *c, unsigned int kind, void *fn, void *ctx)
{
	*c = (struct cl_ctx){ .h.nregs = 2 };
	c->r[0].value = (uintptr_t)ctx;
	c->r[1].name = TFD_REG_PC;
	c->r[1].value = (uintptr_t)fn;
	if (kind < TRAMPFD_NUM_ARG_REGS) {
		c->r[0].name = arg_reg[kind];
	} else if (kind == CL_KIND_CHAIN) {
		c->r[0].name = TRAMPFD_REG_CHAIN;
	} else {
		c->r[0].name = CL_FIRST_LINK;
		c->r[1].value = (uintptr_t)tfd_closure_first;
	}
	return sizeof(c->h) + c->h.nregs * sizeof(c->r[0]);
}

/*
 * A slot of class cls whose context the cell's store shows empty. The
 * allocator's state is writable memory: a slot it wrongly deems free is
 * dropped, never written over (docs/security.md). FASTWRITE trusts it.
 */
static int alloc_empty(int cls, struct cl_table **t, unsigned int *idx)
{
	struct trampfd_regs h;
	unsigned int tries;
	ssize_t r;

	for (tries = 0; tries < 64; tries++) {
		r = cl_alloc(cls, t, idx);
		if (r || cls >= CL_NKINDS)
			return r;
		r = (*t)->h->ops->pread((*t)->h, &h, sizeof(h), *idx, TRAMPFD_REGS_OFFSET);
		if (r == sizeof(h) && !h.nregs)
			return 0;
	}
	return -ENOMEM;
}

/* A new slot of class cls calling fn with ctx, in state st, or -errno. */
static int publish(int cls, void *fn, void *ctx, unsigned char st, struct cl_table **t,
		   unsigned int *idx)
{
	struct cl_ctx c;
	size_t len = fill(&c, cls % CL_NKINDS, fn, ctx);
	ssize_t r = alloc_empty(cls, t, idx);

	if (r)
		return r;
	/* FASTWRITE in the code cell: plain stores (src/user-code/fast.c). */
	r = -EAGAIN;
	if (cls >= CL_NKINDS && (*t)->h->ops == &tfd_user_code_ops)
		r = uc_fast_set((*t)->h, *idx, c.r[0].name, c.r[0].value, c.r[1].value);
	if (r == -EAGAIN)
		r = (*t)->h->ops->pwrite((*t)->h, &c, len, *idx, TRAMPFD_REGS_OFFSET);
	if (r < 0) {
		cl_release(*t, *idx);
		return r;
	}
	atomic_store_explicit(&(*t)->state[*idx], st, memory_order_release);
	return 0;
}

/* Takes a slot in state st for removal (CL_BUSY), or -EINVAL. */
static int claim(struct cl_table *t, unsigned int idx, unsigned char st)
{
	unsigned char want = st;

	return atomic_compare_exchange_strong(&t->state[idx], &want, CL_BUSY) ? 0 : -EINVAL;
}

/* Removes a claimed slot's context and frees it; on failure it is in state st again. */
static int remove_ctx(struct cl_table *t, unsigned int idx, unsigned char st)
{
	struct trampfd_regs none = { 0, 0 };
	ssize_t r = -EAGAIN;

	if (t->cls >= CL_NKINDS && t->h->ops == &tfd_user_code_ops)
		r = uc_fast_clear(t->h, idx);
	if (r == -EAGAIN)
		r = t->h->ops->pwrite(t->h, &none, sizeof(none), idx, TRAMPFD_REGS_OFFSET);
	if (r < 0) {
		atomic_store(&t->state[idx], st);
		return r;
	}
	cl_release(t, idx);
	return 0;
}

static int unpublish(struct cl_table *t, unsigned int idx, unsigned char st)
{
	int err = claim(t, idx, st);

	return err ? err : remove_ctx(t, idx, st);
}

/*
 * Reads back the {reg, PC} (or FIRST's) context of a slot in state st,
 * from the cell's store: its two values, or -EINVAL if it has not the
 * shape its class gives (freed meanwhile).
 */
static int read_back(struct cl_table *t, unsigned int idx, unsigned char st,
		     uint64_t *fn, uint64_t *ctx)
{
	unsigned char buf[sizeof(struct trampfd_regs) +
			  TRAMPFD_MAX_REGS * sizeof(struct trampfd_reg)];
	const struct trampfd_regs *h = (const void *)buf;
	struct cl_ctx want;
	unsigned int k;
	ssize_t r;
	size_t len;

	if (atomic_load_explicit(&t->state[idx], memory_order_acquire) != st)
		return -EINVAL;
	r = t->h->ops->pread(t->h, buf, sizeof(buf), idx, TRAMPFD_REGS_OFFSET);
	if (r < 0)
		return r;
	len = fill(&want, t->cls % CL_NKINDS, NULL, NULL);
	if ((size_t)r != len || h->nregs != want.h.nregs)
		return -EINVAL;
	for (k = 0; k < h->nregs; k++)
		if (h->regs[k].name != want.r[k].name)
			return -EINVAL;
	*ctx = h->regs[0].value;
	*fn = h->regs[1].value;
	if (t->cls % CL_NKINDS == CL_KIND_FIRST && *fn != (uintptr_t)tfd_closure_first)
		return -EINVAL;
	return 0;
}

/* The inner ARG(0) slot a FIRST closure (in state st) links to, or NULL. */
static struct cl_table *linked(struct cl_table *t, unsigned int idx, unsigned char st,
			       unsigned int *lidx)
{
	uint64_t stub, link;
	struct cl_table *l;

	if (read_back(t, idx, st, &stub, &link))
		return NULL;
	l = cl_lookup((void *)(uintptr_t)link, lidx);
	/* The same FASTWRITE or not, argument 0: what create made. */
	if (!l || l->cls != t->cls - CL_KIND_FIRST)
		return NULL;
	return l;
}

TFD_EXPORT int trampfd_closure_create(void **closure, void *fn, void *ctx, unsigned int how)
{
	int cls = class_of(how), err;
	struct cl_table *t;
	unsigned int idx;

	if (!closure || !fn || cls < 0)
		return -EINVAL;
	if (cls % CL_NKINDS == CL_KIND_FIRST) {
		struct cl_table *l;
		unsigned int lidx;

		err = publish(cls - CL_KIND_FIRST, fn, ctx, CL_INNER, &l, &lidx);
		if (err)
			return err;
		err = publish(cls, NULL, cl_addr(l, lidx), CL_LIVE, &t, &idx);
		if (err) {
			unpublish(l, lidx, CL_INNER);
			return err;
		}
		*closure = cl_addr(t, idx);
		return 0;
	}
	err = publish(cls, fn, ctx, CL_LIVE, &t, &idx);
	if (!err)
		*closure = cl_addr(t, idx);
	return err;
}

TFD_EXPORT int trampfd_closure_free(void *closure)
{
	unsigned int idx;
	struct cl_table *t = cl_lookup(closure, &idx);

	if (!t)
		return -EINVAL;
	if (t->cls % CL_NKINDS == CL_KIND_FIRST) {
		struct cl_table *l;
		unsigned int lidx;
		int err;

		err = claim(t, idx, CL_LIVE);
		if (err)
			return err;
		l = linked(t, idx, CL_BUSY, &lidx);
		if (!l) {
			atomic_store(&t->state[idx], CL_LIVE);
			return -EINVAL;
		}
		/* The closure first, so no call reaches the inner slot through it. */
		err = remove_ctx(t, idx, CL_LIVE);
		if (!err)
			unpublish(l, lidx, CL_INNER);
		return err;
	}
	return unpublish(t, idx, CL_LIVE);
}

TFD_EXPORT int trampfd_closure_get(void *closure, void **fn, void **ctx)
{
	struct cl_table *t;
	unsigned int idx;
	uint64_t f, c;
	int err;

	t = cl_lookup(closure, &idx);
	if (!t)
		return -EINVAL;
	if (t->cls % CL_NKINDS == CL_KIND_FIRST) {
		t = linked(t, idx, CL_LIVE, &idx);
		if (!t)
			return -EINVAL;
		err = read_back(t, idx, CL_INNER, &f, &c);
	} else {
		err = read_back(t, idx, CL_LIVE, &f, &c);
	}
	if (err)
		return err;
	if (fn)
		*fn = (void *)(uintptr_t)f;
	if (ctx)
		*ctx = (void *)(uintptr_t)c;
	return 0;
}
