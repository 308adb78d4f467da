// SPDX-License-Identifier: MIT
/*
 * Register names per mode (docs/design.md §3.3): every name up to past the last is
 * accepted exactly when this architecture sets it in that mode (aarch64:
 * a code table refuses x16 and x17, its veneer's own), a refused write
 * changes nothing, and KT_REG_SCRATCH reaches the target where accepted.
 */
#include "kt.h"

static void pc(void) {}

#define RLEN(n) (8 + 16 * (n))

static struct kt_regs two(unsigned int name, uint64_t v, void *target)
{
	struct kt_regs r = { .h.nregs = 2 };

	r.r[0].name = name;
	r.r[0].value = v;
	r.r[1].name = TRAMPFD_REG_PC;
	r.r[1].value = (uintptr_t)target;
	return r;
}

int main(void)
{
	int m;

	for (m = 0; m < 2; m++) {
		unsigned int mode = kt_mode_flags[m], name, nok = 0;
		struct kt_regs last, r, back;
		struct trampfd_map map;
		int fd = kt_create(mode, 2);
		char *base;

		if (fd < 0)
			kt_fail("%s: create: %s", kt_modes[m], strerror(-fd));
		last = two(TRAMPFD_REG_ARG0, 1, pc);
		KT_EQ(pwrite(fd, &last, RLEN(2), TRAMPFD_OFFSET(0, TRAMPFD_REGS_OFFSET)),
		      RLEN(2));
		for (name = 0; name < TRAMPFD_NUM_REGS + 8; name++) {
			long want;

			if (name == TRAMPFD_REG_PC)
				continue;
			r = two(name, 0x5eed, pc);
			want = kt_name_ok(name, mode) ? RLEN(2) : -EINVAL;
			KT_EQ(pwrite(fd, &r, RLEN(2), TRAMPFD_OFFSET(0, TRAMPFD_REGS_OFFSET)),
			      want);
			if (want > 0) {
				last = r;
				nok++;
			}
			memset(&back, 0, sizeof(back));
			KT_EQ(pread(fd, &back, sizeof(back),
				    TRAMPFD_OFFSET(0, TRAMPFD_REGS_OFFSET)), RLEN(2));
			if (memcmp(&back, &last, RLEN(2)))
				kt_fail("%s: name %u: the context read back is not the last accepted",
					kt_modes[m], name);
		}
		fprintf(stderr, "%s: %u names besides the PC\n", kt_modes[m], nok);
		if (kt_name_ok(KT_REG_SCRATCH, mode)) {
			r = two(KT_REG_SCRATCH, 0x5eed, kt_ret_scratch);
			KT_EQ(pwrite(fd, &r, RLEN(2), TRAMPFD_OFFSET(1, TRAMPFD_REGS_OFFSET)),
			      RLEN(2));
			base = kt_map(fd, &map);
			if (kt_call_wild(kt_addr(base, &map, 1), 0) != 0x5eed)
				kt_fail("%s: register %u did not reach the target",
					kt_modes[m], KT_REG_SCRATCH);
			munmap(base, map.size);
		}
		close(fd);
	}
	return 0;
}
