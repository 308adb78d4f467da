// SPDX-License-Identifier: MIT
/*
 * The trampoline libffi's ffi_prep_closure_loc writes on x86_64 (3.3 and
 * 3.4, SysV and GNU Win64; optional endbr64):
 *   lea -N(%rip), %r10     r10 = the closure
 *   jmp *M(%rip)           through a word of the closure: the entry
 * {cif, fun, user_data} follow that word (FFI_TRAMPOLINE_SIZE: 24 in 3.3,
 * 32 in 3.4). Anything else is not recognised.
 */
#include <errno.h>
#include <stdint.h>
#include <string.h>
#include "tffi.h"

static int32_t s32(const unsigned char *p)
{
	int32_t v;

	memcpy(&v, p, sizeof(v));
	return v;
}

int tffi_parse(const unsigned char *c, size_t len, uintptr_t *entry, size_t *ts)
{
	int64_t o = 0, at;

	if (len < 16)
		return -EINVAL;
	if (c[0] == 0xf3 && c[1] == 0x0f && c[2] == 0x1e && c[3] == 0xfa)
		o = 4;				/* endbr64 */
	if (c[o] != 0x4c || c[o + 1] != 0x8d || c[o + 2] != 0x15 || o + 7 + s32(c + o + 3) != 0)
		return -EINVAL;			/* not lea <start>(%rip), %r10 */
	o += 7;
	if (c[o] != 0xff || c[o + 1] != 0x25)
		return -EINVAL;			/* not jmp *disp32(%rip) */
	at = o + 6 + s32(c + o + 2);
	if (at < o + 6 || at % 8 || (uint64_t)at + 8 + TFFI_TRIPLE > len)
		return -EINVAL;
	memcpy(entry, c + at, sizeof(*entry));
	*ts = (size_t)at + 8;
	return 0;
}
