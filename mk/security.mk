# SPDX-License-Identifier: MIT
# Tests that need the shared library itself (test/dyn/*.c): dynamic
# programs that dlopen $(SHLIB) ($TRAMPFD_SO), run by test/runner.sh for the
# user cells (dlclose: the library stays; two-copies: the static library
# in the program and the dlopened one). Result lines: dyn-user-code/dlclose...
#   make check-dyn
DYN_BIN := $(patsubst test/dyn/%.c,$(B)/dyn/%,$(wildcard test/dyn/*.c))

$(B)/dyn/%: test/dyn/%.c include/trampfd.h $(SHLIB)
	@mkdir -p $(@D)
	$(CC) $(ALL_CFLAGS) -Wl,-z,noexecstack -o $@ $< -ldl $(LDFLAGS)
# A second copy of the library: the static one, in the program.
$(B)/dyn/two-copies: test/dyn/two-copies.c include/trampfd.h $(SHLIB) $(STLIB)
	@mkdir -p $(@D)
	$(CC) $(ALL_CFLAGS) -Wl,-z,noexecstack -o $@ $< $(STLIB) -ldl $(LDFLAGS)

.PHONY: check-dyn
check-dyn: $(DYN_BIN)
	@for c in user-fault user-code; do \
		TRAMPFD_SO=$(abspath $(SHLIB)) TRAMPFD_TESTDIR=$(B)/dyn TRAMPFD_PREFIX=dyn- \
		TRAMPFD_RESULTS=$(B)/results.txt sh test/runner.sh $$c; \
	done

CHECK_STEPS += check-dyn
