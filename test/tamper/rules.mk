# SPDX-License-Identifier: MIT
# Tamper tests (test/tamper/*.c), included by mk/sanitize.mk: each program
# runs under test/runner.sh for the user cells, plain and under PR_SET_MDWE.
TAMPER_BIN := $(patsubst test/tamper/%.c,$(B)/tamper/%,$(wildcard test/tamper/*.c))

$(B)/tamper/%: test/tamper/%.c $(TEST_LIB_OBJ) $(STLIB) test/lib/t.h
	@mkdir -p $(@D)
	$(CC) $(TEST_CFLAGS) -static -pthread -Wl,-z,noexecstack -o $@ $< $(TEST_LIB_OBJ) $(STLIB) $(LDFLAGS)

.PHONY: check-tamper
check-tamper: $(TAMPER_BIN) $(B)/test-bin/mdwe-run
	$(call run_cells,$(B)/tamper,tamper-,user-fault user-code)
	$(call run_cells,$(B)/tamper,tamper-,user-fault user-code,--mdwe)

CHECK_STEPS += check-tamper
