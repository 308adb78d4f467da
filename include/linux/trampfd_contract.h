/* SPDX-License-Identifier: (GPL-2.0 WITH Linux-syscall-note) OR MIT */
/*
 * trampfd's contract, compiled by both providers: libtrampfd (src/ctx.c,
 * src/api.c) and trampfd.ko (kernel/table.c, kernel/main.c). One copy of
 * the offset decoding, the context validation and decoding, and the
 * architecture's register facts (docs/design.md §3), so the four cells
 * accept and refuse exactly the same writes; fuzz/ctx_parse.c checks it
 * against fuzz/ref.h, written apart from it.
 *
 * Pure functions over a caller's buffer: they decide and decode, they never
 * store into the caller's state, so a refused write changes nothing. They
 * return 0 or a reason (enum tfd_reason), never an errno: every reason is
 * -EINVAL to the caller; tfd_reason_str() says it in words (TRAMPFD_DEBUG).
 * Only <linux/types.h> types and compiler builtins: no libc, no kernel API.
 */
#ifndef _LINUX_TRAMPFD_CONTRACT_H
#define _LINUX_TRAMPFD_CONTRACT_H

#include <linux/trampfd.h>

/*
 * Registers a context may name, from TFD_REG_FIRST to TFD_REG_LAST, the PC
 * last; bit (name - TFD_REG_FIRST) of a mask. TFD_CODE_RESERVED: the names
 * a code-mode slot uses itself, so it cannot load them for the target.
 */
#if defined(__x86_64__)
#define TFD_REG_FIRST		x64_rax
#define TFD_REG_LAST		x64_rip
#define TFD_REG_PC		x64_rip
/* SET_SP keeps the ABI's 8-byte granule; the callee re-aligns as after a call. */
#define TFD_SP_ALIGN		8
#define TFD_CODE_RESERVED	0U
#elif defined(__aarch64__)
/* x29 (fp), x30 (lr) and sp are not names. */
#define TFD_REG_FIRST		arm64_r0
#define TFD_REG_LAST		arm64_pc
#define TFD_REG_PC		arm64_pc
/* AAPCS64: sp stays 16-byte aligned whenever it is moved. */
#define TFD_SP_ALIGN		16
/* A code-mode slot is an AAPCS64 veneer: it branches with x16 and x17. */
#define TFD_CODE_RESERVED	(3U << 16)
#else
#error "trampfd knows x86_64 and aarch64"
#endif
#define TFD_NUM_ARCH_REGS	(TFD_REG_LAST - TFD_REG_FIRST + 1)
#define TFD_REG_BIT(name)	(1U << ((name) - TFD_REG_FIRST))

/* Why a call was refused; TFD_OK is 0. */
#define TFD_REASONS(X) \
	X(TFD_OK, "accepted") \
	X(TFD_OFF_NEGATIVE, "offset: negative") \
	X(TFD_OFF_INDEX, "offset: index not below the table's size") \
	X(TFD_OFF_TABLE_INDEX, "offset: MAP and ALLOWED_PCS take index 0 only") \
	X(TFD_OFF_CTX, "offset: not a context offset") \
	X(TFD_OFF_DIRECTION, "offset: MAP cannot be written, ALLOWED_PCS cannot be read") \
	X(TFD_REGS_SHORT, "regs: shorter than struct trampfd_regs") \
	X(TFD_REGS_RESERVED, "regs: a reserved field is not 0") \
	X(TFD_REGS_TOO_MANY, "regs: nregs > TRAMPFD_MAX_REGS") \
	X(TFD_REGS_LENGTH, "regs: length is not 8 + 16 * nregs") \
	X(TFD_REGS_NAME, "regs: a name is not a register of this architecture") \
	X(TFD_REGS_CODE_NAME, "regs: a name code mode uses itself (aarch64 x16, x17)") \
	X(TFD_REGS_TWICE, "regs: a name given twice") \
	X(TFD_REGS_NO_PC, "regs: no PC register") \
	X(TFD_REGS_PC_ZERO, "regs: the PC is 0") \
	X(TFD_REGS_PC_LIST, "regs: the PC is not in the allowed-PC list") \
	X(TFD_STACK_SHORT, "stack: shorter than struct trampfd_stack") \
	X(TFD_STACK_RESERVED, "stack: a reserved field is not 0") \
	X(TFD_STACK_FLAGS, "stack: unknown flags") \
	X(TFD_STACK_SIZE, "stack: size > TRAMPFD_MAX_STACK_SIZE") \
	X(TFD_STACK_OFFSET, "stack: offset > TRAMPFD_MAX_STACK_OFFSET") \
	X(TFD_STACK_LENGTH, "stack: length is not 16 + size") \
	X(TFD_STACK_GRANULE, "stack: size or offset not a multiple of 8") \
	X(TFD_STACK_SP_ALIGN, "stack: SET_SP would misalign the stack pointer") \
	X(TFD_PCS_SHORT, "allowed PCs: shorter than struct trampfd_values") \
	X(TFD_PCS_RESERVED, "allowed PCs: the reserved field is not 0") \
	X(TFD_PCS_COUNT, "allowed PCs: nvalues is 0 or > TRAMPFD_MAX_PCS") \
	X(TFD_PCS_LENGTH, "allowed PCs: length is not 8 + 8 * nvalues") \
	X(TFD_PCS_ZERO, "allowed PCs: a value is 0")

#define TFD_REASON_ENUM(name, text) name,
enum tfd_reason { TFD_REASONS(TFD_REASON_ENUM) TFD_NUM_REASONS };
#undef TFD_REASON_ENUM

static inline const char *tfd_reason_str(int r)
{
#define TFD_REASON_TEXT(name, text) text,
	static const char *const text[] = { TFD_REASONS(TFD_REASON_TEXT) };
#undef TFD_REASON_TEXT

	return r >= 0 && r < TFD_NUM_REASONS ? text[r] : "unknown reason";
}

/* A register context, decoded: bit k of mask set when val[k] is loaded. */
struct tfd_regset {
	__u32 mask;
	__u64 val[TFD_NUM_ARCH_REGS];
};

/* The names a cell of this mode cannot set (tfd_check_regs()'s reserved). */
static inline __u32 tfd_reserved_regs(int code_mode)
{
	return code_mode ? TFD_CODE_RESERVED : 0;
}

/*
 * Splits a pread/pwrite offset of a table of n trampolines: trampoline
 * *index, context *ctx. MAP and ALLOWED_PCS belong to the table.
 */
static inline int tfd_decode_offset(__s64 pos, __u32 n, __u32 *index, __u32 *ctx)
{
	__u64 off = (__u64)pos;

	if (pos < 0)
		return TFD_OFF_NEGATIVE;
	if ((off >> TRAMPFD_INDEX_SHIFT) >= n)
		return TFD_OFF_INDEX;
	*index = (__u32)(off >> TRAMPFD_INDEX_SHIFT);
	*ctx = (__u32)(off & TRAMPFD_CTX_MASK);
	switch (*ctx) {
	case TRAMPFD_REGS_OFFSET:
	case TRAMPFD_STACK_OFFSET:
		return TFD_OK;
	case TRAMPFD_MAP_OFFSET:
	case TRAMPFD_ALLOWED_PCS_OFFSET:
		return *index ? TFD_OFF_TABLE_INDEX : TFD_OK;
	}
	return TFD_OFF_CTX;
}

/* Whether pc passes a list of n allowed PCs; no list (n == 0) passes all. */
static inline int tfd_pc_allowed(__u64 pc, const __u64 *pcs, __u32 n)
{
	__u32 i;

	for (i = 0; i < n; i++)
		if (pcs[i] == pc)
			return 1;
	return !n;
}

/*
 * Validates a register context of len bytes at buf (any alignment) and
 * decodes it into *rs: reserved fields 0, the exact length, each name this
 * architecture's, not in reserved (bits as in a mask; the PC never is) and
 * given once, a nonzero PC when nregs > 0 (nregs == 0 removes the context;
 * rs->mask is then 0). The allowed-PC list is the caller's:
 * tfd_pc_allowed() on rs->val[TFD_REG_PC - TFD_REG_FIRST].
 */
static inline int tfd_check_regs_ctx(const void *buf, __u64 len, __u32 reserved,
				     struct tfd_regset *rs)
{
	const unsigned char *b = (const unsigned char *)buf;
	struct trampfd_regs hdr;
	__u32 i, k;

	rs->mask = 0;
	if (len < sizeof(hdr))
		return TFD_REGS_SHORT;
	__builtin_memcpy(&hdr, b, sizeof(hdr));
	if (hdr.reserved)
		return TFD_REGS_RESERVED;
	if (hdr.nregs > TRAMPFD_MAX_REGS)
		return TFD_REGS_TOO_MANY;
	if (len != sizeof(hdr) + (__u64)hdr.nregs * sizeof(struct trampfd_reg))
		return TFD_REGS_LENGTH;
	reserved &= ~TFD_REG_BIT(TFD_REG_PC);
	for (i = 0; i < hdr.nregs; i++) {
		struct trampfd_reg r;

		__builtin_memcpy(&r, b + sizeof(hdr) + i * sizeof(r), sizeof(r));
		if (r.reserved)
			return TFD_REGS_RESERVED;
		if (r.name < TFD_REG_FIRST || r.name > TFD_REG_LAST)
			return TFD_REGS_NAME;
		k = r.name - TFD_REG_FIRST;
		if (reserved & (1U << k))
			return TFD_REGS_CODE_NAME;
		if (rs->mask & (1U << k))
			return TFD_REGS_TWICE;
		rs->mask |= 1U << k;
		rs->val[k] = r.value;
	}
	if (!hdr.nregs)
		return TFD_OK;
	if (!(rs->mask & TFD_REG_BIT(TFD_REG_PC)))
		return TFD_REGS_NO_PC;
	if (!rs->val[TFD_REG_PC - TFD_REG_FIRST])
		return TFD_REGS_PC_ZERO;
	return TFD_OK;
}

/*
 * Validates a stack context: what a provider stores stays inside
 * [S - TRAMPFD_MAX_STACK_OFFSET - TRAMPFD_MAX_STACK_SIZE, S), and a moved
 * stack pointer keeps the ABI's alignment. size == 0 removes the context.
 */
static inline int tfd_check_stack_ctx(const void *buf, __u64 len)
{
	struct trampfd_stack s;

	if (len < sizeof(s))
		return TFD_STACK_SHORT;
	__builtin_memcpy(&s, buf, sizeof(s));
	if (s.reserved)
		return TFD_STACK_RESERVED;
	if (s.flags & ~TRAMPFD_STACK_FLAGS)
		return TFD_STACK_FLAGS;
	if (s.size > TRAMPFD_MAX_STACK_SIZE)
		return TFD_STACK_SIZE;
	if (s.offset > TRAMPFD_MAX_STACK_OFFSET)
		return TFD_STACK_OFFSET;
	if (len != sizeof(s) + (__u64)s.size)
		return TFD_STACK_LENGTH;
	if (s.size % 8 || s.offset % 8)
		return TFD_STACK_GRANULE;
	if ((s.flags & TRAMPFD_SET_SP) && (s.size + s.offset) % TFD_SP_ALIGN)
		return TFD_STACK_SP_ALIGN;
	return TFD_OK;
}

/*
 * Validates an allowed-PC list and copies it to pcs[] (TRAMPFD_MAX_PCS
 * entries), its length to *n. Whether the list may still be written (once,
 * before any register context: -EPERM) is the cell's state, not the buffer's.
 */
static inline int tfd_check_pcs_ctx(const void *buf, __u64 len, __u64 *pcs, __u32 *n)
{
	const unsigned char *b = (const unsigned char *)buf;
	struct trampfd_values v;
	__u32 i;

	if (len < sizeof(v))
		return TFD_PCS_SHORT;
	__builtin_memcpy(&v, b, sizeof(v));
	if (v.reserved)
		return TFD_PCS_RESERVED;
	if (!v.nvalues || v.nvalues > TRAMPFD_MAX_PCS)
		return TFD_PCS_COUNT;
	if (len != sizeof(v) + (__u64)v.nvalues * sizeof(__u64))
		return TFD_PCS_LENGTH;
	__builtin_memcpy(pcs, b + sizeof(v), v.nvalues * sizeof(__u64));
	for (i = 0; i < v.nvalues; i++)
		if (!pcs[i])
			return TFD_PCS_ZERO;
	*n = v.nvalues;
	return TFD_OK;
}

#endif /* _LINUX_TRAMPFD_CONTRACT_H */
