// SPDX-License-Identifier: MIT
/*
 * User provider, code mode (docs/design.md §5.3): calls run real instructions from a
 * code table that was never writable (src/user-code/map.c), reading their
 * contexts from a read-only data table that only the library's pwrite()
 * on the memfd changes.
 *
 * Slot data: a selector byte and two banks {value, target}. A writer fills
 * a bank callers cannot be using (src/user-code/grace.c), then flips the
 * selector with a one-byte write: a call sees the whole old context or the
 * whole new one, never a mix, whatever the kernel's copy does. A bank is:
 *  - fast: {value of R, target}, when the context names exactly the
 *    chunk's register R (and no stack data);
 *  - PC-only: {target, uc_pconly[R]};
 *  - general: {record, uc_gen[R]}, an immutable record in the same memfd
 *    that the loader applies (any registers, stack data, SET_SP).
 * The contexts as written (for pread and for merging the next write) are
 * rebuilt from the bank for fast and PC-only ones, else kept in the bank's
 * record. An unset or removed slot has sel 0: its code runs into hlt, a #GP,
 * so SIGSEGV, with no jump anywhere.
 * A chunk's register is picked by the first context written into it while
 * no slot of it is live (its code is then mapped again from that variant);
 * other single registers take the general path there.
 * Writes: 2 syscalls for a fast or PC-only context, 3 for a general one,
 * 1 for a removal; a grace period first when the bank was in use lately.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>
#include "user-code/code.h"
#include "arch.h"

/* Both answers are kept once positive; a failure is asked again next time. */
static int uc_available(unsigned int uflags, const char **why)
{
	int err = ut_available(why);

	return err ? err : uc_self_init(why);
}

static void free_priv(struct uc_table *t)
{
	if (t->slots)
		munmap(t->slots, t->priv_len);
	t->slots = NULL;
}

/* The last reference's teardown (ut_put): no check-then-drop race. */
static void uc_release(struct ut_table *ut)
{
	free_priv((struct uc_table *)ut);
}

static int uc_create(const struct trampfd_user *u, unsigned int n, struct tfd_handle **h)
{
	size_t pg = (size_t)sysconf(_SC_PAGESIZE), slots_len;
	struct uc_table *t;
	const char *why;
	int fd;

	if (n > UC_MAX_SLOTS)
		return -ENOMEM;	/* past the reach of a rip-relative load */
	t = calloc(1, sizeof(*t));
	if (!t)
		return -ENOMEM;
	fd = uc_self_init(&why);
	if (fd) {
		free(t);
		return fd;
	}
	t->code_len = ((size_t)n * UC_STRIDE + pg - 1) & ~(pg - 1);
	t->data_len = t->code_len;
	t->nchunks = (n + UC_CHUNK_SLOTS - 1) / UC_CHUNK_SLOTS;
	slots_len = ((size_t)n * sizeof(struct uc_slot) + 63) & ~(size_t)63;
	t->priv_len = (slots_len + t->nchunks * sizeof(struct uc_chunk) + pg - 1) & ~(pg - 1);
	t->slots = mmap(NULL, t->priv_len, PROT_READ | PROT_WRITE,
			MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
	if (t->slots == MAP_FAILED) {
		free(t);
		return -ENOMEM;
	}
	t->chunks = (struct uc_chunk *)((char *)t->slots + slots_len);
	fd = ut_create(&t->ut, n, u->flags, uc_rec_off(t, n, 0));
	if (fd < 0) {
		free_priv(t);
		free(t);
		return fd;
	}
	t->ut.release = uc_release;
	*h = &t->ut.h;
	return fd;
}

static const unsigned char *slot_data(const struct uc_table *t, unsigned int i)
{
	return ut_view(&t->ut) + UC_SLOT_BASE + (size_t)i * UC_STRIDE;
}

static unsigned char load_byte(const unsigned char *p)
{
	return __atomic_load_n(p, __ATOMIC_ACQUIRE);
}

/*
 * The contexts as last written, raw: rebuilt from the bank for a fast or
 * PC-only context (cur's form; no record is written for those), else
 * copied from record (cur & 1). Both come from the read-only store.
 */
static void cur_raw(const struct uc_table *t, unsigned int i, unsigned char *out,
		    size_t *rl, size_t *sl)
{
	const unsigned char *sd = slot_data(t, i);
	unsigned char cur = load_byte(sd + UC_D_CUR), form = cur >> 2;
	struct trampfd_regs h = { form == UC_FORM_PC ? 1 : 2, 0 };
	struct trampfd_reg r = { sd[UC_D_NAME], 0, 0 }, pc = { TFD_REG_PC, 0, 0 };
	const struct uc_rec *rec;

	*rl = *sl = 0;
	if (!(cur & 2))
		return;
	if (!form) {
		rec = (const struct uc_rec *)(ut_view(&t->ut) + uc_rec_off(t, i, cur & 1));
		*rl = rec->regs_len;
		*sl = rec->stack_len;
		memcpy(out, rec->raw, *rl + *sl);
		return;
	}
	memcpy(&r.value, sd + (cur & 1) * 16, 8);
	memcpy(&pc.value, sd + (cur & 1) * 16 + (form == UC_FORM_PC ? 0 : 8), 8);
	memcpy(out, &h, sizeof(h));
	memcpy(out + sizeof(h), form == UC_FORM_R_PC ? &r : &pc, sizeof(r));
	if (form != UC_FORM_PC)
		memcpy(out + sizeof(h) + sizeof(r), form == UC_FORM_PC_R ? &r : &pc, sizeof(r));
	*rl = sizeof(h) + h.nregs * sizeof(r);
}

/* Stores slot data (banks, selector) in the store and, fastwrite, every mapping. */
static int put_slot(struct uc_table *t, unsigned int i, size_t off, const void *buf,
		    size_t len)
{
	size_t at = UC_SLOT_BASE + (size_t)i * UC_STRIDE + off;
	struct uc_map *m;

	if (!t->ut.fastwrite)
		return ut_store(&t->ut, at, buf, len);
	atomic_thread_fence(memory_order_release);
	for (m = t->maps; m; m = m->next)
		memcpy(m->base + UC_DIST + (size_t)i * UC_STRIDE + off, buf, len);
	return ut_store(&t->ut, at, buf, len);
}

static int variant_of(unsigned int name)
{
	int v;

	for (v = 0; v < UC_NVARIANTS; v++)
		if (uc_variant_reg[v] == name)
			return v;
	return -1;
}

/* The one register (other than the PC) rs names, or -1. */
static int single_reg(const struct tfd_regset *rs)
{
	uint32_t g = rs->mask & ~(1U << (TFD_REG_PC - TFD_REG_FIRST));

	if (!g || (g & (g - 1)))
		return -1;
	return TFD_REG_FIRST + __builtin_ctz(g);
}

/* Is a slot of chunk c callable? Read from the read-only store. */
static bool chunk_live(const struct uc_table *t, unsigned int c)
{
	unsigned int n = ut_hdr(&t->ut)->n, i;
	unsigned int end = (c + 1) * UC_CHUNK_SLOTS < n ? (c + 1) * UC_CHUNK_SLOTS : n;

	for (i = c * UC_CHUNK_SLOTS; i < end; i++)
		if (load_byte(slot_data(t, i) + UC_D_SEL))
			return true;
	return false;
}

/* A new context for chunk c: switch its register while none of it is live. */
static int pick_variant(struct uc_table *t, unsigned int c, int want)
{
	struct uc_chunk *ch = &t->chunks[c];
	unsigned char v = want;
	int err;

	if (want < 0 || uc_chunk_variant(t, c) == (unsigned int)want || chunk_live(t, c))
		return 0;
	/* Callers may still be inside its old code: only after a grace period. */
	if (ch->stamp && !uc_grace_passed(ch->stamp)) {
		err = uc_grace_wait(ch->stamp);
		if (err)
			return err;
	}
	err = ut_store(&t->ut, UC_VARIANT_BASE + c, &v, 1);
	return err ? err : uc_remap_chunk(t, c);
}

/* Fills the compiled half of rec (every field) from the registers and stack. */
static void compile(struct uc_rec *rec, const struct tfd_regset *rs,
		    const struct trampfd_stack *st)
{
	unsigned int k;

	rec->mask = rs->mask & UC_GREG_MASK;
	for (k = 0; k < UC_NGREGS; k++)
		rec->val[k] = (rec->mask >> k) & 1 ? rs->val[k] : 0;
	rec->target = rs->val[TFD_REG_PC - TFD_REG_FIRST];
	rec->nwords = rec->lo = rec->final = rec->jslot = 0;
	memset(rec->data, 0, sizeof(rec->data));
	memset(rec->pad, 0, sizeof(rec->pad));
	if (st && st->size) {
		rec->nwords = st->size / 8;
		rec->lo = st->offset + st->size;
		memcpy(rec->data, st->data, st->size);
		rec->final = (st->flags & TRAMPFD_SET_SP) ? rec->lo : 0;
		/* The target is parked at [final - 8] unless the data is there. */
		rec->jslot = !rec->final && st->offset == 0;
	}
}

/* Publishes rec's contexts for slot i (t->ut.lock held). */
static int publish(struct uc_table *t, unsigned int i, struct uc_rec *rec)
{
	const unsigned char *sd = slot_data(t, i);
	unsigned char sel = load_byte(sd + UC_D_SEL), cur = load_byte(sd + UC_D_CUR);
	unsigned int c = i / UC_CHUNK_SLOTS, b;
	struct uc_slot *ss = &t->slots[i];
	bool live = rec->regs_len > sizeof(struct trampfd_regs), general = false;
	unsigned char sc[3] = { 0, 0, 0 }, form = 0;
	uint64_t bank[2] = { 0, 0 };
	int err, v;

	/* Not the bank holding the contexts; with none, one past its grace. */
	if (cur & 2)
		b = (cur & 1) ^ 1;
	else
		b = uc_free_bank(ss);
	if (rec->regs_len || rec->stack_len) {
		struct tfd_regset rs;
		const struct trampfd_stack *st = NULL;
		int r;

		if (ss->stamp[b] && !uc_grace_passed(ss->stamp[b])) {
			err = uc_grace_wait(ss->stamp[b]);
			if (err)
				return err;
		}
		if (live) {
			tfd_decode_regs(rec->raw, &rs);
			if (rec->stack_len > sizeof(struct trampfd_stack))
				st = (const void *)(rec->raw + rec->regs_len);
			r = st ? -1 : single_reg(&rs);
			err = pick_variant(t, c, r >= 0 ? variant_of(r) : -1);
			if (err)
				return err;
			v = uc_chunk_variant(t, c);
			if (!st && r == uc_variant_reg[v]) {
				bank[0] = rs.val[r - TFD_REG_FIRST];
				bank[1] = rs.val[TFD_REG_PC - TFD_REG_FIRST];
				form = rec->raw[sizeof(struct trampfd_regs)] == r ?
				       UC_FORM_R_PC : UC_FORM_PC_R;
				sc[2] = r;
			} else if (!st && !(rs.mask & UC_GREG_MASK)) {
				bank[0] = rs.val[TFD_REG_PC - TFD_REG_FIRST];
				bank[1] = (uintptr_t)uc_pconly[v];
				form = UC_FORM_PC;
			} else {
				compile(rec, &rs, st);
				general = true;
				bank[0] = (uintptr_t)(ut_view(&t->ut) + uc_rec_off(t, i, b));
				bank[1] = (uintptr_t)uc_gen[v];
			}
		}
		/* The compiled half only when the loader reads it; no record for a form. */
		err = 0;
		if (general)
			err = ut_store(&t->ut, uc_rec_off(t, i, b), rec,
				       UC_R_RAW + 8 + rec->regs_len + rec->stack_len);
		else if (!form)
			err = ut_store(&t->ut, uc_rec_off(t, i, b) + UC_R_RAW,
				       &rec->regs_len, 8 + rec->regs_len + rec->stack_len);
		if (!err && live)
			err = put_slot(t, i, b ? UC_D_V1 : UC_D_V0, bank, sizeof(bank));
		if (err)
			return err;
		sc[0] = live ? 2 | b | (form == UC_FORM_R_PC || form == UC_FORM_PC_R ?
					0 : UC_SEL_INDIRECT) : 0;
		sc[1] = 2 | b | form << 2;
	}
	/* sel, cur and name together: callers read sel alone, a single byte. */
	err = put_slot(t, i, UC_D_SEL, sc, sizeof(sc));
	if (err)
		return err;
	if (sel) {
		ss->stamp[sel & 1] = uc_grace_stamp();
		if (!live)
			t->chunks[c].stamp = uc_grace_stamp();
	}
	return 0;
}

static ssize_t uc_pwrite(struct tfd_handle *h, const void *buf, size_t len,
			 unsigned int i, unsigned int ctx)
{
	struct uc_table *t = (struct uc_table *)h;
	struct ut_header hdr;
	struct uc_rec rec;
	struct tfd_pcs pcs;
	unsigned long gen;
	unsigned char old_raw[sizeof(rec.raw)];
	size_t rl = 0, sl = 0;
	int err;

	if (ctx == TRAMPFD_ALLOWED_PCS_OFFSET)
		return ut_write_pcs(&t->ut, buf, len);
	pthread_mutex_lock(&t->ut.lock);
	ut_fill_pcs(&t->ut, &pcs);
	/* TFD_CODE_RESERVED: the registers the slot itself uses. */
	err = ctx == TRAMPFD_REGS_OFFSET ? tfd_check_regs(buf, len, &pcs, TFD_CODE_RESERVED)
					 : tfd_check_stack(buf, len);
	if (err)
		goto out;
	gen = t->ut.fork_gen;
	err = ut_prepare_write(&t->ut);
	if (!err && gen != t->ut.fork_gen && !t->ut.fastwrite)
		err = uc_remap_data(t);
	if (err)
		goto out;
	/*
	 * The new record: the context written plus the other one as it was.
	 * Only the raw half is filled here; compile() fills the rest if used.
	 */
	cur_raw(t, i, old_raw, &rl, &sl);
	if (ctx == TRAMPFD_REGS_OFFSET) {
		memcpy(rec.raw, buf, len);
		memcpy(rec.raw + len, old_raw + rl, sl);
		rec.regs_len = len > sizeof(struct trampfd_regs) ? len : 0;
		rec.stack_len = sl;
		if (!rec.regs_len)
			memmove(rec.raw, rec.raw + len, sl);
	} else {
		memcpy(rec.raw, old_raw, rl);
		rec.regs_len = rl;
		rec.stack_len = ((const struct trampfd_stack *)buf)->size ? len : 0;
		memcpy(rec.raw + rl, buf, rec.stack_len);
	}
	err = publish(t, i, &rec);
	if (!err && ctx == TRAMPFD_REGS_OFFSET && !ut_hdr(&t->ut)->regs_written) {
		memcpy(&hdr, ut_hdr(&t->ut), sizeof(hdr));
		hdr.regs_written = 1;
		err = ut_store(&t->ut, 0, &hdr, sizeof(hdr));
	}
out:
	pthread_mutex_unlock(&t->ut.lock);
	return err ? err : (ssize_t)len;
}

static ssize_t uc_pread(struct tfd_handle *h, void *buf, size_t len,
			unsigned int i, unsigned int ctx)
{
	struct uc_table *t = (struct uc_table *)h;
	unsigned char out[sizeof(struct trampfd_regs) + TRAMPFD_MAX_REGS * sizeof(struct trampfd_reg)];
	unsigned char raw[sizeof(((struct uc_rec *)0)->raw)];
	struct trampfd_map map;
	size_t n, rl, sl;

	if (ctx == TRAMPFD_MAP_OFFSET) {
		map = (struct trampfd_map){
			.size = t->code_len, .prot = PROT_READ | PROT_EXEC,
			.flags = MAP_SHARED, .stride = UC_STRIDE,
		};
		n = sizeof(map);
		memcpy(out, &map, n);
	} else {
		pthread_mutex_lock(&t->ut.lock);
		cur_raw(t, i, raw, &rl, &sl);
		pthread_mutex_unlock(&t->ut.lock);
		memset(out, 0, sizeof(out));
		if (ctx == TRAMPFD_REGS_OFFSET) {
			n = rl ? rl : sizeof(struct trampfd_regs);
			memcpy(out, raw, rl);
		} else {
			n = sl ? sl : sizeof(struct trampfd_stack);
			memcpy(out, raw + rl, sl);
		}
	}
	if (len < n)
		return -EINVAL;
	memcpy(buf, out, n);
	return n;
}

static int uc_mmap(struct tfd_handle *h, void **base, size_t *len, void **cookie)
{
	struct uc_table *t = (struct uc_table *)h;
	struct uc_map *m;
	int err;

	pthread_mutex_lock(&t->ut.lock);
	err = uc_map_table(t, &m);
	if (!err) {
		atomic_fetch_add(&t->ut.refs, 1);
		m->next = t->maps;
		t->maps = m;
	}
	pthread_mutex_unlock(&t->ut.lock);
	if (err)
		return err;
	*base = m->base;
	*len = t->code_len;
	*cookie = m;
	return 0;
}

static int uc_munmap(void *base, size_t len, void *cookie)
{
	struct uc_map *m = cookie, **p;
	struct uc_table *t = m->t;

	pthread_mutex_lock(&t->ut.lock);
	for (p = &t->maps; *p; p = &(*p)->next)
		if (*p == m) {
			*p = m->next;
			break;
		}
	pthread_mutex_unlock(&t->ut.lock);
	uc_unmap_table(m);
	ut_put(&t->ut);
	return 0;
}

const struct tfd_ops tfd_user_code_ops = {
	.cell = 0,				/* user, code */
	.available = uc_available, .create = uc_create,
	.pwrite = uc_pwrite, .pread = uc_pread,
	.mmap = uc_mmap, .munmap = uc_munmap, .close = ut_close,
};
