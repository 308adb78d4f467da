// SPDX-License-Identifier: MIT
/*
 * libFuzzer target: random sequences of create / pwrite / pread / mmap /
 * munmap / close / call against a small reference model (docs/design.md §2, §3) of
 * every return value and read-back. Calls go only to slots the model says
 * are set with a PC that is one of the harness's recording targets, which
 * then checks every GPR, rsp, the return address and the stack data.
 *
 * Cells: user-fault always; user-code when trampfd_create does not refuse
 * it with -EOPNOTSUPP. Run with ASAN_OPTIONS=handle_segv=0: the user-fault
 * cell emulates calls in its own SIGSEGV handler.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <trampfd.h>
#include "ref.h"

#define MAXT	4	/* tables in the model */
#define MAXN	8	/* slots per table */
#define MAXM	6	/* live mappings */
#define REGS_MAX (8 + 16 * (TRAMPFD_MAX_REGS + 4))
#define STACK_MAX (16 + TRAMPFD_MAX_STACK_SIZE + 16)

/* fuzz/harness_x86_64.S */
struct fz_cpu {
	uint64_t gpr[16];	/* 15 used: rax..r15 without rsp */
	uint64_t rsp, ret, which;
	uint64_t below[40];	/* [S - 320, S) */
};
extern struct fz_cpu fz_in, fz_seen;
extern uint64_t fz_S;
extern const uint64_t fz_back_addr;
void fz_call(void *tramp);
void fz_record(void);
void fz_record_b(void);

static void die(const char *fmt, ...) __attribute__((format(printf, 1, 2), noreturn));
static void die(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	fprintf(stderr, "api_seq invariant: ");
	vfprintf(stderr, fmt, ap);
	fputc('\n', stderr);
	va_end(ap);
	abort();
}

#define EXPECT(got, want, what) do { \
	long long g_ = (long long)(got), w_ = (long long)(want); \
	if (g_ != w_) \
		die("%s (line %d): got %lld, want %lld", what, __LINE__, g_, w_); \
} while (0)

struct slot {
	unsigned char regs[REGS_MAX];
	size_t regs_len;		/* 0: unset */
	unsigned char stack[STACK_MAX];
	size_t stack_len;		/* 0: unset */
};

struct table {
	bool used, open;
	int fd;
	bool code;
	unsigned int n;
	bool pcs_set, regs_set, regs_written;
	struct ref_pcs pcs;
	int maps;			/* live mappings of it */
	struct slot s[MAXN];
};

struct mapping {
	bool used;
	void *base;
	struct trampfd_map map;
	int t;
};

static struct table tabs[MAXT];
static struct mapping maps[MAXM];
/* -1 unknown, 0 refused (-EOPNOTSUPP), 1 available */
static int code_cell = -1;
static uint64_t ncall;

struct in {
	const uint8_t *p;
	size_t n;
};

static bool more(const struct in *in) { return in->n > 0; }

static uint8_t u8(struct in *in)
{
	uint8_t v;

	if (!in->n)
		return 0;
	v = *in->p++;
	in->n--;
	return v;
}

static uint64_t u64(struct in *in)
{
	uint64_t v = 0;
	unsigned int k;

	for (k = 0; k < 8; k++)
		v |= (uint64_t)u8(in) << (8 * k);
	return v;
}

static uint64_t pick_pc(struct in *in)
{
	switch (u8(in) % 6) {
	case 0: case 1: return (uintptr_t)fz_record;
	case 2: return (uintptr_t)fz_record_b;
	case 3: return 0;
	case 4: return 0x1000;
	}
	return u64(in);
}

static bool is_target(uint64_t pc)
{
	return pc == (uintptr_t)fz_record || pc == (uintptr_t)fz_record_b;
}

/* A live table, by the fuzzer's choice; NULL if none. */
static struct table *pick_table(struct in *in, bool open)
{
	unsigned int k, start = u8(in);

	for (k = 0; k < MAXT; k++) {
		struct table *t = &tabs[(start + k) % MAXT];

		if (t->used && (!open || t->open))
			return t;
	}
	return NULL;
}

static void drop_if_dead(struct table *t)
{
	if (!t->open && !t->maps)
		memset(t, 0, sizeof(*t));
}

static void op_create(struct in *in)
{
	static const unsigned int bad[] = {
		TRAMPFD_FAULT | TRAMPFD_CODE, 1U << 7, TRAMPFD_KERNEL | TRAMPFD_NOKERNEL,
		TRAMPFD_KERNEL | TRAMPFD_FASTWRITE,
	};
	uint8_t b = u8(in);
	struct trampfd_user u = { .flags = TRAMPFD_NOKERNEL, .ntrampolines = u8(in) % (MAXN + 1) };
	struct table *t = NULL;
	const char *mode;
	unsigned int k;
	int fd;

	for (k = 0; k < MAXT && !t; k++)
		if (!tabs[k].used)
			t = &tabs[k];
	if (b % 16 == 15) {
		u.flags = bad[(b >> 4) % 4];
		EXPECT(trampfd_create(TRAMPFD_USER, &u, 0), -EINVAL, "create(bad flags)");
		return;
	}
	if (b % 16 == 14) {
		EXPECT(trampfd_create(TRAMPFD_USER, &u, 1), -EINVAL, "create(flags 1)");
		return;
	}
	if (!t)
		return;
	u.flags |= (b & 1) ? TRAMPFD_CODE : TRAMPFD_FAULT;
	if (b & 2)
		u.flags |= TRAMPFD_FASTWRITE;
	fd = trampfd_create(TRAMPFD_USER, &u, 0);
	if (u.flags & TRAMPFD_CODE) {
		if (fd == -EOPNOTSUPP || fd == -ENODEV) {
			if (code_cell == 1)
				die("user-code worked before, now create gives %d", fd);
			code_cell = 0;
			return;
		}
		if (fd >= 0 && code_cell == 0)
			die("user-code refused before, now works");
		code_cell = 1;
	}
	if (fd < 0)
		die("create(flags %#x, n %u): %d", u.flags, u.ntrampolines, fd);
	mode = trampfd_mode(fd);
	if (!mode || strcmp(mode, (u.flags & TRAMPFD_CODE) ? "code" : "fault"))
		die("create(flags %#x): mode %s", u.flags, mode ? mode : "NULL");
	if (!trampfd_provider(fd) || strcmp(trampfd_provider(fd), "user"))
		die("create: provider not user");
	memset(t, 0, sizeof(*t));
	t->used = t->open = true;
	t->fd = fd;
	t->code = u.flags & TRAMPFD_CODE;
	t->n = u.ntrampolines ? u.ntrampolines : 1;
}

/* An index, sometimes out of range. */
static unsigned int pick_index(struct in *in, const struct table *t)
{
	uint8_t b = u8(in);

	return b >= 0xf0 ? t->n + (b & 7) : b % t->n;
}

static void op_write_regs(struct in *in)
{
	struct table *t = pick_table(in, true);
	unsigned char buf[REGS_MAX];
	struct trampfd_regs h = { 0 };
	unsigned int i, k, nr;
	uint8_t shape;
	size_t len;
	long want, got;

	if (!t)
		return;
	i = pick_index(in, t);
	shape = u8(in);
	nr = shape % 8 == 7 ? u8(in) % (TRAMPFD_MAX_REGS + 4) : shape % 8 % 4;
	h.nregs = nr;
	h.reserved = shape == 0xff;
	memset(buf, 0, sizeof(buf));
	memcpy(buf, &h, sizeof(h));
	for (k = 0; k < nr; k++) {
		struct trampfd_reg r = { 0 };
		uint8_t b = u8(in);

		if (k == 0 && !(shape & 0x40)) {
			r.name = REF_REG_PC;
			r.value = pick_pc(in);
		} else {
			r.name = b < 0xf0 ? REF_REG_FIRST + b % 15 : b & 0x3f;
			r.value = b < 0xf0 ? u64(in) : pick_pc(in);
		}
		r.reserved = b == 0xef;
		memcpy(buf + 8 + 16 * k, &r, sizeof(r));
	}
	len = 8 + 16 * (size_t)nr;
	if (shape & 0x80 && shape != 0xff)
		len = (len + (shape & 0x30) / 0x10 * 8 - 8) % sizeof(buf);
	want = i >= t->n ? -EINVAL : ref_regs(buf, len, &t->pcs, t->code);
	if (!want)
		want = len;
	got = trampfd_pwrite(t->fd, buf, len, TRAMPFD_OFFSET(i, TRAMPFD_REGS_OFFSET));
	EXPECT(got, want, "pwrite(REGS)");
	if (got < 0)
		return;
	t->regs_written = true;
	if (nr) {
		t->regs_set = true;
		memcpy(t->s[i].regs, buf, len);
		t->s[i].regs_len = len;
	} else {
		t->s[i].regs_len = 0;
	}
}

static void op_write_stack(struct in *in)
{
	struct table *t = pick_table(in, true);
	unsigned char buf[STACK_MAX];
	struct trampfd_stack h = { 0 };
	unsigned int i, k;
	uint8_t shape;
	size_t len;
	long want, got;

	if (!t)
		return;
	i = pick_index(in, t);
	shape = u8(in);
	h.flags = shape & 1 ? TRAMPFD_SET_SP : 0;
	if (shape == 0xff)
		h.flags = 2;
	h.size = 8 * (u8(in) % 9);
	h.offset = 8 * (u8(in) % 33);
	if ((shape & 0x0e) == 0x0e)
		h.size += 4;
	if ((shape & 0x70) == 0x70)
		h.offset = 264;
	h.reserved = shape == 0xfe;
	memset(buf, 0, sizeof(buf));
	memcpy(buf, &h, sizeof(h));
	for (k = 0; k < h.size && 16 + k < sizeof(buf); k++)
		buf[16 + k] = u8(in);
	len = 16 + (size_t)h.size;
	if (len > sizeof(buf))
		len = sizeof(buf);
	if (shape & 0x80 && shape < 0xfe)
		len -= len >= 8 ? 8 : 0;
	want = i >= t->n ? -EINVAL : ref_stack(buf, len);
	if (!want)
		want = len;
	got = trampfd_pwrite(t->fd, buf, len, TRAMPFD_OFFSET(i, TRAMPFD_STACK_OFFSET));
	EXPECT(got, want, "pwrite(STACK)");
	if (got < 0)
		return;
	memcpy(t->s[i].stack, buf, len);
	t->s[i].stack_len = h.size ? len : 0;
}

static void op_write_pcs(struct in *in)
{
	struct table *t = pick_table(in, true);
	unsigned char buf[8 + 8 * (TRAMPFD_MAX_PCS + 2)];
	struct trampfd_values v = { 0 };
	unsigned int k;
	size_t len;
	long want, got;

	if (!t)
		return;
	v.nvalues = u8(in) % (TRAMPFD_MAX_PCS + 2);
	memset(buf, 0, sizeof(buf));
	memcpy(buf, &v, sizeof(v));
	for (k = 0; k < v.nvalues; k++) {
		uint64_t pc = pick_pc(in);

		memcpy(buf + 8 + 8 * k, &pc, 8);
	}
	len = 8 + 8 * (size_t)v.nvalues;
	want = ref_pcs(buf, len);
	if (!want && (t->pcs_set || t->regs_set))
		want = -EPERM;
	if (!want)
		want = len;
	got = trampfd_pwrite(t->fd, buf, len, TRAMPFD_ALLOWED_PCS_OFFSET);
	/*
	 * §3.4 says "before any register context": whether writing only
	 * removals (nregs = 0) counts is the cell's choice; follow it.
	 */
	if (want > 0 && !t->pcs_set && t->regs_written && got == -EPERM)
		want = -EPERM;
	EXPECT(got, want, "pwrite(ALLOWED_PCS)");
	if (got < 0)
		return;
	t->pcs_set = true;
	t->pcs.n = v.nvalues;
	memcpy(t->pcs.pc, buf + 8, 8 * v.nvalues);
	/* Slots whose PC the list does not name stay as written: still callable. */
}

static void op_read(struct in *in)
{
	struct table *t = pick_table(in, true);
	unsigned char buf[REGS_MAX + 16];
	static const unsigned char zero[16];
	unsigned int i, ctx;
	uint8_t b = u8(in);
	const unsigned char *want;
	size_t wlen, len;
	long got;

	if (!t)
		return;
	i = pick_index(in, t);
	switch (b % 5) {
	case 0:
		ctx = TRAMPFD_MAP_OFFSET;
		break;
	case 1:
		ctx = TRAMPFD_ALLOWED_PCS_OFFSET;
		break;
	case 2:
		ctx = 0x4000 + (b & 0xf0);
		break;
	case 3:
		ctx = TRAMPFD_STACK_OFFSET;
		break;
	default:
		ctx = TRAMPFD_REGS_OFFSET;
	}
	len = b & 0x80 ? (u8(in) % 64) : sizeof(buf);
	memset(buf, 0xa5, sizeof(buf));
	got = trampfd_pread(t->fd, buf, len, TRAMPFD_OFFSET(i, ctx));
	if (i >= t->n || ctx == TRAMPFD_ALLOWED_PCS_OFFSET || ctx > TRAMPFD_ALLOWED_PCS_OFFSET ||
	    (ctx == TRAMPFD_MAP_OFFSET && i)) {
		EXPECT(got, -EINVAL, "pread(bad offset)");
		return;
	}
	if (ctx == TRAMPFD_MAP_OFFSET) {
		struct trampfd_map m;

		if (len < sizeof(m)) {
			EXPECT(got, -EINVAL, "pread(MAP, short)");
			return;
		}
		EXPECT(got, sizeof(m), "pread(MAP)");
		memcpy(&m, buf, sizeof(m));
		if (!m.stride || (uint64_t)m.ioffset + (uint64_t)t->n * m.stride > m.size)
			die("map: ioffset %u stride %u size %u for n %u", m.ioffset,
			    m.stride, m.size, t->n);
		return;
	}
	if (ctx == TRAMPFD_REGS_OFFSET) {
		want = t->s[i].regs_len ? t->s[i].regs : zero;
		wlen = t->s[i].regs_len ? t->s[i].regs_len : 8;
	} else {
		want = t->s[i].stack_len ? t->s[i].stack : zero;
		wlen = t->s[i].stack_len ? t->s[i].stack_len : 16;
	}
	if (len < wlen) {
		EXPECT(got, -EINVAL, "pread(short buffer)");
		return;
	}
	EXPECT(got, wlen, ctx == TRAMPFD_REGS_OFFSET ? "pread(REGS)" : "pread(STACK)");
	if (memcmp(buf, want, wlen))
		die("pread(%#x of %u): bytes differ from the last write", ctx, i);
}

static void op_mmap(struct in *in)
{
	struct table *t = pick_table(in, false);
	struct mapping *m = NULL;
	unsigned int k;
	int r;

	if (!t)
		return;
	if (!t->open) {
		/* fd numbers are reused, so only when no open table has it. */
		for (k = 0; k < MAXT; k++)
			if (tabs[k].open && tabs[k].fd == t->fd)
				return;
		EXPECT(trampfd_mmap(t->fd, &(void *){ NULL }), -EBADF, "mmap(closed)");
		return;
	}
	for (k = 0; k < MAXM && !m; k++)
		if (!maps[k].used)
			m = &maps[k];
	if (!m)
		return;
	EXPECT(trampfd_pread(t->fd, &m->map, sizeof(m->map), TRAMPFD_MAP_OFFSET),
	       sizeof(m->map), "pread(MAP)");
	r = trampfd_mmap(t->fd, &m->base);
	EXPECT(r, 0, "trampfd_mmap");
	m->used = true;
	m->t = t - tabs;
	t->maps++;
}

static void op_munmap(struct in *in)
{
	uint8_t b = u8(in);
	struct mapping *m = &maps[b % MAXM];
	struct table *t;
	void *base = m->base;

	if (!m->used) {
		if (b & 0x80)
			EXPECT(trampfd_munmap((void *)(uintptr_t)0x12345000), -EINVAL,
			       "munmap(not a table)");
		return;
	}
	EXPECT(trampfd_munmap(m->base), 0, "trampfd_munmap");
	t = &tabs[m->t];
	memset(m, 0, sizeof(*m));
	t->maps--;
	drop_if_dead(t);
	if (b & 0x40)
		EXPECT(trampfd_munmap(base), -EINVAL, "munmap twice");
}

static void op_close(struct in *in)
{
	struct table *t = pick_table(in, true);

	if (!t)
		return;
	EXPECT(trampfd_close(t->fd), 0, "trampfd_close");
	t->open = false;
	EXPECT(trampfd_provider(t->fd) == NULL, 1, "provider after close");
	EXPECT(trampfd_pwrite(t->fd, &(struct trampfd_regs){ 0 }, 8, TRAMPFD_REGS_OFFSET),
	       -EBADF, "pwrite after close");
	drop_if_dead(t);
}

static void op_call(struct in *in)
{
	uint8_t b = u8(in);
	struct mapping *m = &maps[b % MAXM];
	struct trampfd_regs h;
	struct trampfd_stack st;
	struct table *t;
	struct slot *s;
	uint64_t want[15], pc = 0, S, sp;
	unsigned int i, k;
	void *p;

	if (!m->used)
		return;
	t = &tabs[m->t];
	i = u8(in) % t->n;
	s = &t->s[i];
	if (!s->regs_len)
		return;
	memcpy(&h, s->regs, sizeof(h));
	for (k = 0; k < h.nregs; k++) {
		struct trampfd_reg r;

		memcpy(&r, s->regs + 8 + 16 * k, sizeof(r));
		if (r.name == REF_REG_PC)
			pc = r.value;
	}
	if (!is_target(pc))
		return;
	ncall++;
	for (k = 0; k < 15; k++)
		fz_in.gpr[k] = want[k] = 0x5a00000000000000ULL | (ncall << 8) | k;
	for (k = 0; k < h.nregs; k++) {
		struct trampfd_reg r;

		memcpy(&r, s->regs + 8 + 16 * k, sizeof(r));
		if (r.name != REF_REG_PC)
			want[r.name - REF_REG_FIRST] = r.value;
	}
	p = trampfd_addr(m->base, &m->map, i);
	if (p != (char *)m->base + m->map.ioffset + (size_t)i * m->map.stride)
		die("trampfd_addr(%u) = %p", i, p);
	memset(&fz_seen, 0, sizeof(fz_seen));
	fz_call(p);
	S = fz_S;
	sp = S;
	if (fz_seen.which != (pc == (uintptr_t)fz_record_b))
		die("call %u: the wrong target ran", i);
	for (k = 0; k < 15; k++)
		if (fz_seen.gpr[k] != want[k])
			die("call %u (%s): register %u is %#llx, want %#llx", i,
			    t->code ? "code" : "fault", REF_REG_FIRST + k,
			    (unsigned long long)fz_seen.gpr[k], (unsigned long long)want[k]);
	if (fz_seen.ret != fz_back_addr)
		die("call %u: return address at S overwritten", i);
	if (s->stack_len) {
		uint64_t lo;

		memcpy(&st, s->stack, sizeof(st));
		lo = S - st.offset - st.size;
		if (st.flags & TRAMPFD_SET_SP)
			sp = lo;
		if (memcmp((char *)fz_seen.below + (lo - (S - 320)), s->stack + 16, st.size))
			die("call %u: stack data (offset %u size %u) not at S - offset",
			    i, st.offset, st.size);
	}
	if (fz_seen.rsp != sp)
		die("call %u: rsp %#llx, want %#llx (S %#llx)", i,
		    (unsigned long long)fz_seen.rsp, (unsigned long long)sp,
		    (unsigned long long)S);
}

static void reset(void)
{
	unsigned int k;

	for (k = 0; k < MAXM; k++)
		if (maps[k].used)
			EXPECT(trampfd_munmap(maps[k].base), 0, "final munmap");
	for (k = 0; k < MAXT; k++)
		if (tabs[k].used && tabs[k].open)
			EXPECT(trampfd_close(tabs[k].fd), 0, "final close");
	memset(maps, 0, sizeof(maps));
	memset(tabs, 0, sizeof(tabs));
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct in in = { data, size };
	unsigned int steps = 0;

	while (more(&in) && steps++ < 256) {
		switch (u8(&in) % 12) {
		case 0: op_create(&in); break;
		case 1: case 2: op_write_regs(&in); break;
		case 3: op_write_stack(&in); break;
		case 4: op_write_pcs(&in); break;
		case 5: op_read(&in); break;
		case 6: op_mmap(&in); break;
		case 7: op_munmap(&in); break;
		case 8: op_close(&in); break;
		default: op_call(&in); break;
		}
	}
	reset();
	if (getenv("API_SEQ_VERBOSE"))
		fprintf(stderr, "api_seq: %llu calls so far, user-code %s\n",
			(unsigned long long)ncall, code_cell == 1 ? "available" :
			code_cell ? "not tried" : "refused (-EOPNOTSUPP)");
	return 0;
}
