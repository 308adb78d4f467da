/* SPDX-License-Identifier: MIT */
/*
 * Shared helpers of the conformance suite. Every test is one program:
 * exit 0 pass (through t_pass()), 1 fail, 77 skip; the last line on stderr
 * says why.
 * The cell comes from TRAMPFD_CELL (user-fault, user-code, kernel-fault,
 * kernel-code); unset means the library's default choice.
 */
#ifndef T_H
#define T_H

#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <trampfd.h>

#define T_PASS 0
#define T_FAIL 1
#define T_SKIP 77
/*
 * Printed by t_pass() as the last thing a passing test does: the runner
 * fails an exit 0 without it (something called exit(0) half-way).
 */
#define T_DONE_MARK "trampfd-test: done"
int t_pass(void);

#if defined(__x86_64__)
#define T_REG_FIRST	x64_rax		/* settable GPRs: FIRST..LAST */
#define T_REG_LAST	x64_r15
#define T_REG_SCRATCH	x64_rax		/* caller-saved, no argument */
#define T_STACK_ALIGN	8
#define T_CODE_RESERVED	0ULL
#elif defined(__aarch64__)
#define T_REG_FIRST	arm64_r0
#define T_REG_LAST	arm64_r28
#define T_REG_SCRATCH	(arm64_r0 + 9)
#define T_STACK_ALIGN	16
/* Code mode is a veneer: x16 and x17 (IP0, IP1) are neither kept nor settable. */
#define T_CODE_RESERVED	(3ULL << 16)
#else
#error "the conformance suite knows x86_64 and aarch64"
#endif

/* Failure reporting: a message naming the line, then exit 1. */
#define t_fail(...) do { \
	fprintf(stderr, "%s:%d: ", __FILE__, __LINE__); \
	fprintf(stderr, __VA_ARGS__); fputc('\n', stderr); exit(T_FAIL); \
} while (0)
#define t_skip(...) do { \
	fprintf(stderr, __VA_ARGS__); fputc('\n', stderr); exit(T_SKIP); \
} while (0)
#define t_note(...) do { \
	fprintf(stderr, "note: "); fprintf(stderr, __VA_ARGS__); \
	fputc('\n', stderr); \
} while (0)
/* Expect a call to return exactly want (a value or -errno). */
#define T_EXPECT(call, want) do { \
	long long t_got_ = (long long)(call), t_want_ = (long long)(want); \
	if (t_got_ != t_want_) \
		t_fail("%s: expected %lld, got %lld", #call, t_want_, t_got_); \
} while (0)
/* Expect -e1 or -e2 (two acceptable errnos). */
#define T_EXPECT2(call, e1, e2) do { \
	long long t_got_ = (long long)(call); \
	if (t_got_ != -(long long)(e1) && t_got_ != -(long long)(e2)) \
		t_fail("%s: expected -%d or -%d, got %lld", #call, e1, e2, t_got_); \
} while (0)
#define T_ASSERT(cond, ...) do { if (!(cond)) t_fail(__VA_ARGS__); } while (0)

/* cell.c */
extern const char *t_cell;		/* name, "default" if unset */
extern unsigned int t_cell_flags;	/* struct trampfd_user.flags */
/*
 * Installs the suite's signal handlers (before any table exists, so the
 * library's fault handler chains to them), then probes the cell with one
 * create: skips the test when the cell cannot run here.
 */
void t_init(void);
void t_sig_install(void);	/* t_init's first half */
void t_probe(void);		/* t_init's second half */
/* Creates a table of n in the cell, plus extra user flags; fails on error. */
int t_create(unsigned int n, unsigned int extra);
int t_create_raw(unsigned int n, unsigned int flags);	/* returns -errno */
struct t_table {
	int fd;
	void *base;
	struct trampfd_map map;
};
/* Creates and maps; fails the test on any error. */
void t_table(struct t_table *t, unsigned int n, unsigned int extra);
void *t_slot(const struct t_table *t, unsigned int i);
/* Runs this program again (through TRAMPFD_EMU if set); returns on failure. */
void t_exec_self(char *const argv[]);
int t_is_fault(int fd);		/* trampfd_mode(fd) is "fault" */
long t_vm_bytes(void);		/* the process's mapped size (vm.c) */
int t_is_user(int fd);
/* Is fd's table mapped as BTI-guarded pages (user code mode on a BTI CPU)? */
int t_guarded(int fd);
/* Registers (bit name - T_REG_FIRST) fd's trampolines use themselves: not settable. */
static inline uint64_t t_reserved(int fd)
{
	return t_is_fault(fd) ? 0 : T_CODE_RESERVED;
}

/* ctx.c: contexts */
#define T_REGS_MAX_BYTES (sizeof(struct trampfd_regs) + \
	(TRAMPFD_MAX_REGS + 2) * sizeof(struct trampfd_reg))
struct t_regs {
	struct trampfd_regs h;
	struct trampfd_reg r[TRAMPFD_MAX_REGS + 2];
};
struct t_stack {
	struct trampfd_stack h;
	uint8_t d[TRAMPFD_MAX_STACK_SIZE + 16];
};
/* Fills a regs context: n names/values; returns its byte length. */
size_t t_regs_fill(struct t_regs *r, unsigned int n, const uint32_t *names,
		   const uint64_t *values);
/* Writes {ARG0 = arg, PC = pc} to trampoline i; returns pwrite's result. */
long t_set_call(int fd, unsigned int i, void *pc, uint64_t arg);
void t_set_call_ok(int fd, unsigned int i, void *pc, uint64_t arg);
long t_remove_regs(int fd, unsigned int i);
long t_remove_stack(int fd, unsigned int i);
size_t t_stack_fill(struct t_stack *s, uint32_t flags, uint32_t offset,
		    uint32_t size, const void *data);
/* Reads context ctx of i into buf (len bytes), failing unless it matches. */
void t_expect_ctx(int fd, unsigned int i, unsigned int ctx,
		  const void *want, size_t wantlen, const char *what);
/* Returns its first argument register: the usual target. */
uint64_t t_ret_arg0(uint64_t a);
typedef uint64_t (*t_fn0)(void);

/* sig.c: calls expected to fault */
/*
 * Runs fn(arg) and returns 0 if it returned, or the number of the signal
 * (SIGSEGV, SIGILL, SIGBUS, SIGTRAP, SIGFPE) it raised; *addr = si_addr.
 * Thread-safe. Unexpected signals outside t_sig_call end the test (fail).
 */
int t_sig_call(void (*fn)(void *), void *arg, void **addr);
/* Calls the trampoline at p with no arguments, under t_sig_call. */
int t_sig_call_tramp(void *p, uint64_t *ret);
const char *t_signame(int sig);

/*
 * The assembly harness, one per architecture (test/lib/NAME_ARCH.S), behind
 * the same names:
 * t_regs_call(tramp, in) loads in->gpr[] (by trampfd name - T_REG_FIRST,
 *   plus the registers no context may set, T_NGPR_SEEN in all) and in->vec[]
 *   into the CPU, fills [S-512, S) with a canary and calls tramp, S being the
 *   stack pointer at its first instruction (saved in t_S); with t_regs_jmp
 *   nonzero it jumps instead, the return address set by hand.
 * t_regs_record: a target that stores every GPR, the vector registers, sp,
 *   the return address at entry and [S-512, S) into t_seen without touching
 *   the stack, then unwinds to t_regs_back whatever the trampoline did to sp.
 * t_grab, t_grab_b: store every GPR, sp and [S-64, S) into this thread's
 *   t_grab_area, then tail-jump to t_grab_next (a C function).
 * t_grab_call(tramp): calls tramp with the callee-saved registers
 *   T_CS_NAMES set to T_CS(0..T_NCS-1), and stores what they hold on return
 *   into t_grab_after[].
 * t_pair_a, t_pair_b: unless ARG0's top 16 bits are 0xaaaa (0xbbbb) they
 *   count a mismatch in t_pair_bad, ARG0 in t_pair_last.
 * t_vec_call(tramp, in, ctl): every vector register from in[] and the FP
 *   control register (MXCSR, FPCR) from ctl, then calls tramp; the target
 *   t_vec_record stores them into t_vec_seen[] and t_vec_ctl.
 */
#if defined(__x86_64__)
struct t_cpu {
	uint64_t gpr[16];	/* by trampfd name - x64_rax */
	uint64_t vec[32];	/* xmm0..xmm15, low then high */
	uint64_t sp;		/* rsp at the target's entry */
	uint64_t ret;		/* [S] at the target's entry */
	uint64_t below[64];	/* [S - 512, S) at the target's entry */
};
#define T_NGPR_SEEN	15	/* rax..r15 */
#define T_NVEC		32	/* words of t_cpu.vec */
#define T_VEC_NAME	"xmm"
struct t_grab {
	uint64_t gpr[16];	/* by trampfd name - x64_rax */
	uint64_t rsp;
	uint64_t stk[8];	/* [S - 64, S) */
	uint64_t which;		/* 0: t_grab ran, 1: t_grab_b */
};
/* Data in the red zone survives signals: sp stays. */
#define T_DATA_FLAGS	0U
#define T_GRAB_LIFT(n)	((void)(n))
/* Callee-saved registers around t_grab_call: rbx, rbp, r12-r15. */
#define T_NCS		6
#define T_CS_NAMES	{ x64_rbx, x64_rbp, x64_r12, x64_r13, x64_r14, x64_r15 }
/* Nine registers a context can set that no harness register overlaps. */
#define T_CTX9_NAMES	{ x64_rax, x64_rcx, x64_rdx, x64_rsi, x64_rdi, \
			  x64_r8, x64_r9, x64_r10, x64_r11 }
/* avx_x86_64.S: ymm0-15 and MXCSR (round to zero, FTZ), needs AVX */
#define T_VEC_WORDS	64
#define T_VEC_REGWORDS	4	/* 64-bit words per register */
#define T_VEC_CTL	(0x1f80U | (3U << 13) | (1U << 15))
#define T_VEC_CTL_MASK	(~0x3fU)	/* exception flags aside */
#define T_VEC_CTL_NAME	"MXCSR"
static inline const char *t_vec_missing(void)
{
	__builtin_cpu_init();
	return __builtin_cpu_supports("avx") ? NULL : "no AVX on this CPU: ymm upper halves not checked";
}
#elif defined(__aarch64__)
struct t_cpu {
	uint64_t gpr[32];	/* x0..x29 by trampfd name - arm64_r0 (x29: not settable) */
	uint64_t vec[64];	/* v0..v31, low then high */
	uint64_t sp;		/* at the target's entry */
	uint64_t ret;		/* x30 at the target's entry */
	uint64_t below[64];	/* [S - 512, S) at the target's entry */
};
#define T_NGPR_SEEN	30	/* x0..x29 */
#define T_NVEC		64
#define T_VEC_NAME	"v"
/* A jump enters through a veneer's register, x17, which holds the trampoline. */
#define T_JMP_REG	(arm64_r0 + 17)
struct t_grab {
	uint64_t gpr[32];	/* x0..x29 by trampfd name - arm64_r0 */
	uint64_t rsp;		/* sp */
	uint64_t stk[8];	/* [S - 64, S) */
	uint64_t which;
};
/*
 * No red zone: any signal may overwrite data below sp (the user-code
 * cell's grace signal among them), so tests that call while contexts
 * change move sp over their stack data; the grab reads [sp, sp + lift).
 */
#define T_DATA_FLAGS	TRAMPFD_SET_SP
extern uint64_t t_grab_lift;
#define T_GRAB_LIFT(n)	(t_grab_lift = (n))
/* Callee-saved registers around t_grab_call: x19-x28. */
#define T_NCS		10
#define T_CS_NAMES	{ arm64_r0 + 19, arm64_r0 + 20, arm64_r0 + 21, arm64_r0 + 22, \
			  arm64_r0 + 23, arm64_r0 + 24, arm64_r0 + 25, arm64_r0 + 26, \
			  arm64_r0 + 27, arm64_r28 }
#define T_CTX9_NAMES	{ arm64_r0, arm64_r0 + 1, arm64_r0 + 2, arm64_r0 + 3, \
			  arm64_r0 + 4, arm64_r0 + 5, arm64_r0 + 6, arm64_r0 + 7, \
			  arm64_r0 + 8 }
/* vec_aarch64.S: v0-v31 and FPCR (RMode toward zero, FZ) */
#define T_VEC_WORDS	64
#define T_VEC_REGWORDS	2
#define T_VEC_CTL	((3U << 22) | (1U << 24))
#define T_VEC_CTL_MASK	(~0U)
#define T_VEC_CTL_NAME	"FPCR"
static inline const char *t_vec_missing(void)
{
	return NULL;	/* Advanced SIMD is part of the base architecture */
}
#endif
#define T_CS(k) (0xc5c5c5c500000000ULL + (k))
extern struct t_cpu t_seen;
extern uint64_t t_S;
extern void *t_regs_tramp;	/* the last t_regs_call's tramp */
extern uint8_t t_regs_jmp;	/* nonzero: t_regs_call jumps, not calls */
void t_regs_call(void *tramp, const struct t_cpu *in);
void t_regs_record(void);
void t_regs_back(void);
extern __thread struct t_grab t_grab_area;
extern __thread uint64_t t_grab_after[T_NCS];
void t_grab_call(void *tramp);
extern uint64_t t_pair_bad, t_pair_last;
void t_pair_a(void);
void t_pair_b(void);
extern void *t_grab_next;	/* a function with no arguments */
void t_grab(void);
void t_grab_b(void);
extern uint64_t t_vec_seen[T_VEC_WORDS];
extern uint32_t t_vec_ctl;
void t_vec_call(void *tramp, const uint64_t in[T_VEC_WORDS], uint32_t ctl);
void t_vec_record(void);
#define T_HAVE_HARNESS 1
/* A register's slot in t_cpu.gpr / t_grab.gpr. */
#define T_GPR(name)	((name) - T_REG_FIRST)

/* maps.c: /proc/self/maps */
struct t_map {
	uintptr_t lo, hi;
	char perms[5];
	unsigned long long off;
	unsigned long dev_maj, dev_min, ino;
	char path[256];
};
/* Calls cb for each mapping; stops and returns cb's first nonzero value. */
int t_maps_each(int (*cb)(const struct t_map *m, void *arg), void *arg);
int t_count_maps(void);
int t_count_fds(void);

#endif
