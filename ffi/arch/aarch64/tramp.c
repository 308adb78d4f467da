// SPDX-License-Identifier: MIT
/*
 * The trampoline libffi's ffi_prep_closure_loc writes on aarch64 (3.3 and
 * 3.4; optional bti c):
 *   ldr x16, <literal>     the entry
 *   adr x17, <start>       x17 = the closure
 *   br  x16
 * {cif, fun, user_data} follow the literal (FFI_TRAMPOLINE_SIZE, 24).
 * Anything else is not recognised.
 */
#include <errno.h>
#include <stdint.h>
#include <string.h>
#include "tffi.h"

#define BTI_C		0xd503245fu
#define BR_X16		0xd61f0200u

static uint32_t insn(const unsigned char *c, int64_t o)
{
	uint32_t v;

	memcpy(&v, c + o, sizeof(v));
	return v;
}

static int64_t sext(uint64_t v, unsigned int bits)
{
	return (int64_t)(v << (64 - bits)) >> (64 - bits);
}

int tffi_parse(const unsigned char *c, size_t len, uintptr_t *entry, size_t *ts)
{
	int64_t o = 0, lit;
	uint32_t w;

	if (len < 16)
		return -EINVAL;
	if (insn(c, 0) == BTI_C)
		o = 4;
	w = insn(c, o);
	if ((w & 0xff00001fu) != 0x58000010u)	/* ldr x16, literal */
		return -EINVAL;
	lit = o + 4 * sext((w >> 5) & 0x7ffff, 19);
	w = insn(c, o + 4);
	if ((w & 0x9f00001fu) != 0x10000011u ||	/* adr x17, <start> */
	    o + 4 + sext((uint64_t)((w >> 5) & 0x7ffff) << 2 | ((w >> 29) & 3), 21) != 0)
		return -EINVAL;
	if (insn(c, o + 8) != BR_X16)
		return -EINVAL;
	if (lit < o + 12 || lit % 8 || (uint64_t)lit + 8 + TFFI_TRIPLE > len)
		return -EINVAL;
	memcpy(entry, c + lit, sizeof(*entry));
	*ts = (size_t)lit + 8;
	return 0;
}
