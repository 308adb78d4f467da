// SPDX-License-Identifier: MIT
/*
 * Closures (trampfd_closure_create(3)): one slot each, its register
 * context {ctx's register = ctx, PC = fn} written through the slot's
 * cell like any table context, so fn and ctx are exactly as protected as
 * a table's (docs/security.md): get() reads them back from the cell's
 * store, and the library keeps no other copy.
 *
 * TRAMPFD_CTX_FIRST is code: tfd_closure_first (closure_first.S, in the
 * library's text) shifts the integer arguments up one and enters fn with
 * ctx as argument 0; the slot's context is {CL_FIRST_CTX = ctx,
 * CL_FIRST_FN = fn, PC = tfd_closure_first}. A stub reached by an
 * ordinary context works the same in every cell, kernel ones included,
 * and keeps the module free of a second code generator.
 */
#include <errno.h>
#include "closure.h"
#include "arch.h"

#if defined(__x86_64__)
/* Scratch registers no argument uses: r10 is also the static chain. */
#define CL_FIRST_CTX	x64_r10
#define CL_FIRST_FN	x64_r11
#elif defined(__aarch64__)
/* x16/x17 are the code cells' own (TFD_CODE_RESERVED); x8 is the result's. */
#define CL_FIRST_CTX	(arm64_r0 + 9)
#define CL_FIRST_FN	(arm64_r0 + 10)
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
	struct trampfd_reg r[3];
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

static uint32_t ctx_reg(unsigned int kind)
{
	if (kind == CL_KIND_CHAIN)
		return TRAMPFD_REG_CHAIN;
	if (kind == CL_KIND_FIRST)
		return CL_FIRST_CTX;
	return arg_reg[kind];
}

static size_t fill(struct cl_ctx *c, unsigned int kind, void *fn, void *ctx)
{
	*c = (struct cl_ctx){ .h.nregs = 2 };
	c->r[0].name = ctx_reg(kind);
	c->r[0].value = (uintptr_t)ctx;
	c->r[1].name = TFD_REG_PC;
	c->r[1].value = (uintptr_t)fn;
	if (kind == CL_KIND_FIRST) {
		c->r[1].name = CL_FIRST_FN;
		c->r[2].name = TFD_REG_PC;
		c->r[2].value = (uintptr_t)tfd_closure_first;
		c->h.nregs = 3;
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

TFD_EXPORT int trampfd_closure_create(void **closure, void *fn, void *ctx, unsigned int how)
{
	int cls = class_of(how);
	struct cl_table *t;
	struct cl_ctx c;
	unsigned int idx;
	ssize_t r;
	size_t len;

	if (!closure || !fn || cls < 0)
		return -EINVAL;
	r = alloc_empty(cls, &t, &idx);
	if (r)
		return r;
	len = fill(&c, cls % CL_NKINDS, fn, ctx);
	r = t->h->ops->pwrite(t->h, &c, len, idx, TRAMPFD_REGS_OFFSET);
	if (r < 0) {
		cl_release(t, idx);
		return r;
	}
	atomic_store_explicit(&t->state[idx], CL_LIVE, memory_order_release);
	*closure = cl_addr(t, idx);
	return 0;
}

TFD_EXPORT int trampfd_closure_free(void *closure)
{
	struct trampfd_regs none = { 0, 0 };
	unsigned char live = CL_LIVE;
	struct cl_table *t;
	unsigned int idx;
	ssize_t r;

	t = cl_lookup(closure, &idx);
	if (!t || !atomic_compare_exchange_strong(&t->state[idx], &live, CL_BUSY))
		return -EINVAL;
	r = t->h->ops->pwrite(t->h, &none, sizeof(none), idx, TRAMPFD_REGS_OFFSET);
	if (r < 0) {
		atomic_store(&t->state[idx], CL_LIVE);
		return r;
	}
	cl_release(t, idx);
	return 0;
}

TFD_EXPORT int trampfd_closure_get(void *closure, void **fn, void **ctx)
{
	unsigned char buf[sizeof(struct trampfd_regs) +
			  TRAMPFD_MAX_REGS * sizeof(struct trampfd_reg)];
	const struct trampfd_regs *h = (const void *)buf;
	struct cl_table *t;
	struct cl_ctx want;
	unsigned int idx, k;
	ssize_t r;
	size_t len;

	t = cl_lookup(closure, &idx);
	if (!t || atomic_load_explicit(&t->state[idx], memory_order_acquire) != CL_LIVE)
		return -EINVAL;
	r = t->h->ops->pread(t->h, buf, sizeof(buf), idx, TRAMPFD_REGS_OFFSET);
	if (r < 0)
		return r;
	/* The shape create() wrote; anything else (freed meanwhile) is no closure. */
	len = fill(&want, t->cls % CL_NKINDS, NULL, NULL);
	if ((size_t)r != len || h->nregs != want.h.nregs)
		return -EINVAL;
	for (k = 0; k < h->nregs; k++)
		if (h->regs[k].name != want.r[k].name)
			return -EINVAL;
	if (t->cls % CL_NKINDS == CL_KIND_FIRST &&
	    h->regs[2].value != (uintptr_t)tfd_closure_first)
		return -EINVAL;
	if (fn)
		*fn = (void *)(uintptr_t)h->regs[1].value;
	if (ctx)
		*ctx = (void *)(uintptr_t)h->regs[0].value;
	return 0;
}
