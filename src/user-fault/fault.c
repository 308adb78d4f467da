// SPDX-License-Identifier: MIT
/*
 * User provider, fault mode: the RFC v1 kernel behaviour done by a SIGSEGV
 * handler. A table is a PROT_NONE reservation; a call into it faults, the
 * handler finds the slot, applies its context to the ucontext and returns.
 *
 * The handler takes no locks and allocates nothing:
 *  - regions[] is a fixed array scanned without locks; a region being
 *    unmapped is first unpublished, then its unmapper waits for handlers
 *    still inside it (inflight) before the memory goes away. What the
 *    handler trusts (the range, the store, the size) comes from the
 *    region's read-only anchor (src/user/anchor.c), never from a
 *    pointer in writable memory.
 *  - each slot keeps two immutable records and a one-byte selector. A
 *    single byte cannot tear, whatever the kernel's copy does, so a writer
 *    fills the inactive record and flips the byte. Readers announce the
 *    record they use in lr[][] (left-right): a writer never refills a
 *    record a reader may still be copying.
 */
#include <errno.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>
#include "user/store.h"
#include "user-fault/fault.h"
#include "arch.h"

static struct uf_region regions[UF_MAX_REGIONS];
static _Atomic unsigned int regions_hwm;
static pthread_mutex_t regions_lock = PTHREAD_MUTEX_INITIALIZER;

static size_t sel_off(unsigned int i) { return UF_SEL_BASE + i; }

static size_t rec_off(unsigned int n, unsigned int i, unsigned int b)
{
	size_t base = UF_SEL_BASE + ((n + 4095UL) & ~4095UL);

	return base + ((size_t)i * 2 + b) * sizeof(struct uf_rec);
}

static unsigned char sel_at(const unsigned char *view, unsigned int i)
{
	return __atomic_load_n(view + sel_off(i), __ATOMIC_ACQUIRE);
}

static unsigned char load_sel(const struct ut_table *t, unsigned int i)
{
	return sel_at(ut_view(t), i);
}

/*
 * The handler's read of slot i's current record (see the top comment),
 * from the store and size its anchor gives; lr: the table's counters.
 */
static void read_rec(const unsigned char *view, unsigned int n,
		     _Atomic unsigned int (*lr)[2], unsigned int i, struct uf_rec *out)
{
	_Atomic unsigned int *cnt;
	unsigned int b;

	for (;;) {
		b = sel_at(view, i) & 1;
		cnt = &lr[i % UT_LR_BUCKETS][b];
		atomic_fetch_add(cnt, 1);
		if ((sel_at(view, i) & 1) == b)
			break;
		atomic_fetch_sub(cnt, 1);
	}
	memcpy(out, view + rec_off(n, i, b), sizeof(*out));
	atomic_fetch_sub(cnt, 1);
}

/* Writer side: with t->lock held. Publishes *rec as slot i's context. */
static int publish(struct ut_table *t, unsigned int i, const struct uf_rec *rec)
{
	unsigned char b = (load_sel(t, i) & 1) ^ 1;
	_Atomic unsigned int *cnt = &t->lr[i % UT_LR_BUCKETS][b];
	int err;

	while (atomic_load(cnt))
		sched_yield();
	err = ut_store(t, rec_off(t->h.n, i, b), rec, sizeof(*rec));
	if (err)
		return err;
	atomic_thread_fence(memory_order_seq_cst);
	if (t->fastwrite) {
		__atomic_store_n(ut_view(t) + sel_off(i), b, __ATOMIC_RELEASE);
		return 0;
	}
	return ut_store(t, sel_off(i), &b, 1);
}

static ssize_t uf_pwrite(struct tfd_handle *h, const void *buf, size_t len,
			 unsigned int i, unsigned int ctx)
{
	struct ut_table *t = (struct ut_table *)h;
	struct ut_header hdr;
	struct tfd_pcs pcs;
	struct uf_rec rec;
	int err;

	if (ctx == TRAMPFD_ALLOWED_PCS_OFFSET)
		return ut_write_pcs(t, buf, len);
	pthread_mutex_lock(&t->lock);
	ut_fill_pcs(t, &pcs);
	err = ctx == TRAMPFD_REGS_OFFSET ? tfd_check_regs(buf, len, &pcs, 0)
					 : tfd_check_stack(buf, len);
	if (err)
		goto out;
	err = ut_prepare_write(t);
	if (err)
		goto out;
	memcpy(&rec, ut_view(t) + rec_off(h->n, i, load_sel(t, i) & 1), sizeof(rec));
	if (ctx == TRAMPFD_REGS_OFFSET) {
		rec.regs_len = len > sizeof(struct trampfd_regs) ? len : 0;
		memcpy(rec.regs, buf, len);
	} else {
		rec.stack_len = ((const struct trampfd_stack *)buf)->size ? len : 0;
		memcpy(rec.stack, buf, len);
	}
	err = publish(t, i, &rec);
	if (!err && ctx == TRAMPFD_REGS_OFFSET && !ut_hdr(t)->regs_written) {
		memcpy(&hdr, ut_hdr(t), sizeof(hdr));
		hdr.regs_written = 1;
		err = ut_store(t, 0, &hdr, sizeof(hdr));
	}
out:
	pthread_mutex_unlock(&t->lock);
	return err ? err : (ssize_t)len;
}

static ssize_t uf_pread(struct tfd_handle *h, void *buf, size_t len,
			unsigned int i, unsigned int ctx)
{
	struct ut_table *t = (struct ut_table *)h;
	static const unsigned char unset[sizeof(struct trampfd_stack)];
	struct trampfd_map map;
	struct uf_rec rec;
	const void *src;
	size_t n;

	if (ctx == TRAMPFD_MAP_OFFSET) {
		map = (struct trampfd_map){
			.size = uf_map_len(h->n), .prot = PROT_NONE,
			.flags = MAP_PRIVATE, .stride = UF_STRIDE,
		};
		src = &map;
		n = sizeof(map);
	} else {
		pthread_mutex_lock(&t->lock);
		memcpy(&rec, ut_view(t) + rec_off(h->n, i, load_sel(t, i) & 1), sizeof(rec));
		pthread_mutex_unlock(&t->lock);
		if (ctx == TRAMPFD_REGS_OFFSET) {
			src = rec.regs_len ? rec.regs : unset;
			n = rec.regs_len ? rec.regs_len : sizeof(struct trampfd_regs);
		} else {
			src = rec.stack_len ? rec.stack : unset;
			n = rec.stack_len ? rec.stack_len : sizeof(struct trampfd_stack);
		}
	}
	if (len < n)
		return -EINVAL;
	memcpy(buf, src, n);
	return n;
}

/* ---- the fault handler ---- */

static struct sigaction old_segv;
static pthread_mutex_t handler_lock = PTHREAD_MUTEX_INITIALIZER;
static bool handler_once_done;

/* Region i holds a: published (start) and anchored at the same start. */
static struct uf_region *find_region(uintptr_t a, const struct uf_anchor **an)
{
	unsigned int i, hwm = atomic_load_explicit(&regions_hwm, memory_order_acquire);

	for (i = 0; i < hwm && i < UF_MAX_REGIONS; i++) {
		struct uf_region *r = &regions[i];
		const struct uf_anchor *x = &tfd_anchors.uf[i];
		uintptr_t s = atomic_load_explicit(&r->start, memory_order_acquire);

		if (!s || x->start != s || a < s || a - s >= 2 * x->len)
			continue;
		atomic_fetch_add(&r->inflight, 1);
		if (atomic_load(&r->start) == s) {
			*an = x;
			return r;
		}
		atomic_fetch_sub(&r->inflight, 1);
	}
	return NULL;
}

/* Is the signal frame on the interrupted stack, just under S? */
static bool frame_below(const ucontext_t *uc, uintptr_t s)
{
	uintptr_t f = (uintptr_t)uc;

	return f < s && s - f < UF_FRAME_MAX;
}

static bool emulate(uintptr_t a, ucontext_t *uc)
{
	struct tfd_regset rs;
	struct trampfd_stack st;
	const struct uf_anchor *an;
	struct uf_region *r;
	struct uf_rec rec;
	uintptr_t start, s, lo = 0, off;
	unsigned int i, k;
	bool stage2;

	r = find_region(a, &an);
	if (!r)
		return false;
	start = an->start;
	off = a - start;
	stage2 = off >= an->len;
	if (stage2)
		off -= an->len;
	i = off / UF_STRIDE;
	if (off % UF_STRIDE || i >= an->n)
		goto pass;
	read_rec((const unsigned char *)(uintptr_t)an->view, an->n, r->t->lr, i, &rec);
	if (!rec.regs_len)
		goto pass;
	s = TFD_UC_SP(uc) + (stage2 ? UF_STAGE2_DROP : 0);
	if (rec.stack_len) {
		memcpy(&st, rec.stack, sizeof(st));
		lo = s - st.offset - st.size;
		/*
		 * Data under the red zone would land on our own frame. Move sp
		 * down and fault again on the slot's stage-2 twin: that frame
		 * is built below the data, and S is sp + UF_STAGE2_DROP there.
		 */
		if (!stage2 && lo < s - TFD_REDZONE && frame_below(uc, s)) {
			TFD_UC_SP(uc) = s - UF_STAGE2_DROP;
			TFD_UC_PC(uc) = start + an->len + off;
			atomic_fetch_sub(&r->inflight, 1);
			return true;
		}
		memcpy((void *)lo, rec.stack + sizeof(st), st.size);
	}
	tfd_decode_regs(rec.regs, &rs);
	for (k = 0; k <= TFD_REG_LAST - TFD_REG_FIRST; k++)
		if (rs.mask & (1U << k))
			TFD_UC_REG(uc, k) = rs.val[k];
	TFD_UC_SP(uc) = rec.stack_len && (st.flags & TRAMPFD_SET_SP) ? lo : s;
	atomic_fetch_sub(&r->inflight, 1);
	return true;
pass:
	atomic_fetch_sub(&r->inflight, 1);
	return false;
}

/*
 * Not ours: whoever handled SIGSEGV before us, given what its flags asked
 * the kernel for (SA_RESETHAND: once, then the default action; its sa_mask
 * and, without SA_NODEFER, SIGSEGV blocked while it runs; siginfo or not),
 * or the default action. Our return restores the interrupted mask.
 */
static void chain(int sig, siginfo_t *si, void *uc)
{
	struct sigaction dfl = { .sa_handler = SIG_DFL }, old = old_segv;
	bool info = old.sa_flags & SA_SIGINFO;
	sigset_t m = old.sa_mask;

	if (info ? old.sa_sigaction != NULL
		 : old.sa_handler != SIG_DFL && old.sa_handler != SIG_IGN) {
		if (old.sa_flags & SA_RESETHAND)
			old_segv = dfl;
		if (!(old.sa_flags & SA_NODEFER))
			sigaddset(&m, sig);
		pthread_sigmask(SIG_BLOCK, &m, NULL);
		if (info)
			old.sa_sigaction(sig, si, uc);
		else
			old.sa_handler(sig);
		return;
	}
	/* A fault re-executes and now takes the default; a kill() is re-sent. */
	sigaction(SIGSEGV, &dfl, NULL);
	if (si->si_code <= 0)
		raise(sig);
}

static void on_segv(int sig, siginfo_t *si, void *ucv)
{
	ucontext_t *uc = ucv;
	uintptr_t a = (uintptr_t)si->si_addr;
	int saved = errno;

	if (!(si->si_code > 0 && TFD_UC_IS_FETCH(uc, a) && emulate(a, uc)))
		chain(sig, si, ucv);
	errno = saved;
}

/* Handlers in threads the child does not have left counts behind. */
/* Across fork (src/fork.c): the region and handler locks are leaves. */
void tfd_user_fault_fork(int phase)
{
	unsigned int i;

	if (phase == TFD_FORK_PREPARE) {
		pthread_mutex_lock(&handler_lock);
		pthread_mutex_lock(&regions_lock);
		return;
	}
	if (phase == TFD_FORK_CHILD) {
		for (i = 0; i < UF_MAX_REGIONS; i++)
			atomic_store(&regions[i].inflight, 0);
	}
	pthread_mutex_unlock(&regions_lock);
	pthread_mutex_unlock(&handler_lock);
}

/* Installed at the first create; a failed attempt is retried at the next. */
static int install_handler(void)
{
	struct sigaction sa = { .sa_sigaction = on_segv };
	int err = 0;

	pthread_mutex_lock(&handler_lock);
	err = tfd_anchor_init();
	if (!err && !handler_once_done) {
		/* NODEFER: trampolines stay callable from a program's own SIGSEGV handler. */
		sa.sa_flags = SA_SIGINFO | SA_ONSTACK | SA_NODEFER | SA_RESTART;
		sigemptyset(&sa.sa_mask);
		if (sigaction(SIGSEGV, &sa, &old_segv) < 0) {
			err = -errno;
		} else {
			handler_once_done = true;
		}
	}
	pthread_mutex_unlock(&handler_lock);
	return err;
}

/* ---- the cell ---- */

static int uf_available(unsigned int uflags, const char **why)
{
	struct sigaction cur;
	int err = ut_available(why);

	if (err)
		return err;
	*why = "calls emulated by a SIGSEGV handler (so a call with SIGSEGV blocked ends "
	       "the process); contexts in a read-only memfd";
	/*
	 * EBUSY: SIGSEGV is certain not to reach our handler any more (reset
	 * to SIG_DFL or SIG_IGN). Any other handler is trusted to chain to
	 * ours, as trampfd(7) asks; so is a second copy of the library, whose
	 * handler chains to this one's.
	 */
	if (handler_once_done && !sigaction(SIGSEGV, NULL, &cur) &&
	    !(cur.sa_flags & SA_SIGINFO) &&
	    (cur.sa_handler == SIG_DFL || cur.sa_handler == SIG_IGN)) {
		*why = "the program reset SIGSEGV to SIG_DFL or SIG_IGN: calls would not reach the library";
		return -EBUSY;
	}
	return 0;
}

static int uf_create(const struct trampfd_user *u, unsigned int n, struct tfd_handle **h)
{
	struct ut_table *t = calloc(1, sizeof(*t));
	int fd;

	if (!t)
		return -ENOMEM;
	fd = install_handler();
	if (fd) {
		free(t);
		return fd;
	}
	fd = ut_create(t, n, u->flags, rec_off(n, n, 0));
	if (fd < 0) {
		free(t);
		return fd;
	}
	*h = &t->h;
	return fd;
}

static int uf_mmap(struct tfd_handle *h, void **base, size_t *len, void **cookie)
{
	struct ut_table *t = (struct ut_table *)h;
	size_t l = uf_map_len(h->n);
	struct uf_region *r = NULL;
	struct uf_anchor an;
	unsigned int i;
	void *p;
	int err = 0;

	/* The slots, then their stage-2 twins: one reservation, never accessible. */
	p = mmap(NULL, 2 * l, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
	if (p == MAP_FAILED)
		return -errno;
	pthread_mutex_lock(&regions_lock);
	for (i = 0; i < UF_MAX_REGIONS && !r; i++)
		if (!regions[i].used)
			r = &regions[i];
	if (r) {
		an = (struct uf_anchor){ (uintptr_t)p, l, ut_anchor(t)->view, h->n };
		err = tfd_anchor_put(&tfd_anchors.uf[r - regions], &an, sizeof(an));
	}
	if (r && !err) {
		r->used = true;
		r->t = t;
		atomic_fetch_add(&t->refs, 1);
		atomic_store_explicit(&r->start, (uintptr_t)p, memory_order_release);
		if (r - regions >= atomic_load(&regions_hwm))
			atomic_store(&regions_hwm, r - regions + 1);
	}
	pthread_mutex_unlock(&regions_lock);
	if (!r || err) {
		munmap(p, 2 * l);
		return err ? err : -ENOMEM;
	}
	*base = p;
	*len = l;
	*cookie = r;
	return 0;
}

static int uf_munmap(void *base, size_t len, void *cookie)
{
	struct uf_region *r = cookie;
	struct ut_table *t = r->t;

	atomic_store(&r->start, 0);
	while (atomic_load(&r->inflight))
		sched_yield();
	munmap(base, 2 * len);
	pthread_mutex_lock(&regions_lock);
	r->used = false;
	pthread_mutex_unlock(&regions_lock);
	ut_put(t);
	return 0;
}

const struct tfd_ops tfd_user_fault_ops = {
	.cell = TFD_CELL_FAULT,			/* user, fault */
	.available = uf_available, .create = uf_create,
	.pwrite = uf_pwrite, .pread = uf_pread,
	.mmap = uf_mmap, .munmap = uf_munmap, .close = ut_close,
};
