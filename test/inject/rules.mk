# SPDX-License-Identifier: MIT
# Fault injection (test/inject/), included by mk/sanitize.mk. The programs
# link wrap.c with --wrap for every function it covers, statically, so the
# library's own calls go through the shim.
INJECT_BIN := $(patsubst test/inject/%.c,$(B)/inject/%,$(filter-out test/inject/wrap.c,$(wildcard test/inject/*.c)))
INJECT_WRAP := -Wl,--wrap=mmap,--wrap=mremap,--wrap=memfd_create,--wrap=open,--wrap=sigaction \
	-Wl,--wrap=sigaltstack,--wrap=malloc,--wrap=calloc,--wrap=pwrite,--wrap=ftruncate

$(B)/inject/%: test/inject/%.c test/inject/wrap.c test/inject/inject.h test/inject/common.h \
		$(TEST_LIB_OBJ) $(STLIB) test/lib/t.h
	@mkdir -p $(@D)
	$(CC) $(TEST_CFLAGS) -Itest/inject -static -pthread -Wl,-z,noexecstack $(INJECT_WRAP) \
		-o $@ $< test/inject/wrap.c $(TEST_LIB_OBJ) $(STLIB) $(LDFLAGS)

.PHONY: check-inject
check-inject: $(INJECT_BIN)
	$(call run_cells,$(B)/inject,inject-,user-fault user-code)

CHECK_STEPS += check-inject
