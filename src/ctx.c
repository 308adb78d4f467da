// SPDX-License-Identifier: MIT
/*
 * Context validation (docs/design.md §3): the library's side of the shared
 * contract, include/linux/trampfd_contract.h, which trampfd.ko compiles too.
 * Here a reason becomes -EINVAL, told on stderr under TRAMPFD_DEBUG=1.
 */
#include <errno.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "internal.h"

/* The public header's name for the PC is the contract's. */
_Static_assert(TRAMPFD_REG_PC == TFD_REG_PC, "trampfd.h and the contract disagree on the PC");

/* TRAMPFD_DEBUG, read once: -1 not yet, then 0 or 1. */
static atomic_int debug = -1;

static int debug_on(void)
{
	int d = atomic_load_explicit(&debug, memory_order_relaxed);

	if (d < 0) {
		const char *e = getenv("TRAMPFD_DEBUG");

		d = e && e[0] == '1' && !e[1];
		atomic_store_explicit(&debug, d, memory_order_relaxed);
	}
	return d;
}

/*
 * One write(2), no stdio: the line cannot interleave with another thread's
 * or sit in the program's stderr buffer; errno is kept, as in every call.
 */
int tfd_refuse(int reason)
{
	static const char head[] = "trampfd: refused: ";
	char line[160];
	const char *why;
	size_t n, w;
	int saved;

	if (reason == TFD_OK)
		return 0;
	if (!debug_on())
		return -EINVAL;
	why = tfd_reason_str(reason);
	w = strlen(why);
	if (w > sizeof(line) - sizeof(head))
		w = sizeof(line) - sizeof(head);
	memcpy(line, head, sizeof(head) - 1);
	n = sizeof(head) - 1;
	memcpy(line + n, why, w);
	n += w;
	line[n++] = '\n';
	saved = errno;
	(void)!write(STDERR_FILENO, line, n);	/* a closed stderr is no error of ours */
	errno = saved;
	return -EINVAL;
}

int tfd_offset(off_t off, unsigned int n, unsigned int *index, unsigned int *ctx)
{
	return tfd_refuse(tfd_decode_offset(off, n, index, ctx));
}

int tfd_check_regs(const void *buf, size_t len, const struct tfd_pcs *allowed,
		   uint32_t reserved)
{
	struct tfd_regset rs;
	int r = tfd_check_regs_ctx(buf, len, reserved, &rs);

	if (r == TFD_OK && rs.mask && allowed &&
	    !tfd_pc_allowed(rs.val[TFD_REG_PC - TFD_REG_FIRST], allowed->pc, allowed->n))
		r = TFD_REGS_PC_LIST;
	return tfd_refuse(r);
}

int tfd_check_stack(const void *buf, size_t len)
{
	return tfd_refuse(tfd_check_stack_ctx(buf, len));
}

int tfd_check_pcs(const void *buf, size_t len, struct tfd_pcs *out)
{
	uint32_t n = 0;
	int r = tfd_check_pcs_ctx(buf, len, out->pc, &n);

	out->n = n;
	return tfd_refuse(r);
}

void tfd_decode_regs(const void *buf, struct tfd_regset *rs)
{
	struct trampfd_regs hdr;

	memcpy(&hdr, buf, sizeof(hdr));
	tfd_check_regs_ctx(buf, sizeof(hdr) + (size_t)hdr.nregs * sizeof(struct trampfd_reg),
			   0, rs);
}
