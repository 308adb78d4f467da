# SPDX-License-Identifier: MIT
# Bounded stress (test/stress/), included by mk/sanitize.mk: each program
# runs for STORM_SECONDS (3) per user cell.
STRESS_BIN := $(patsubst test/stress/%.c,$(B)/stress/%,$(wildcard test/stress/*.c))
STORM_SECONDS ?= 3

$(B)/stress/%: test/stress/%.c $(TEST_LIB_OBJ) $(STLIB) test/lib/t.h
	@mkdir -p $(@D)
	$(CC) $(TEST_CFLAGS) -static -pthread -Wl,-z,noexecstack -o $@ $< $(TEST_LIB_OBJ) $(STLIB) $(LDFLAGS)

.PHONY: check-stress
check-stress: $(STRESS_BIN)
	$(call run_cells,$(B)/stress,stress-,user-fault user-code)

CHECK_STEPS += check-stress
