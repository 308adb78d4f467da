# SPDX-License-Identifier: MIT
# Conformance suite: one static program per behaviour in $(B)/test/, run for
# each cell by test/runner.sh. Static, so the guest's initramfs can run them.
TEST_SRC := $(filter-out test/mdwe-run.c,$(wildcard test/*.c))
TEST_BIN := $(patsubst test/%.c,$(B)/test/%,$(TEST_SRC))
TEST_OBJ := $(patsubst test/%.c,$(B)/test-obj/%.o,$(TEST_SRC))
.SECONDARY: $(TEST_OBJ) $(TEST_LIB_OBJ)
MDWE_RUN := $(B)/test-bin/mdwe-run
# Static for the guest initramfs; sanitizer builds override it with nothing.
TEST_LDSTATIC ?= -static

.PHONY: test-build check-user
test-build: $(TEST_BIN) $(MDWE_RUN)

$(B)/test-obj/lib/%.o: test/lib/%.c test/lib/t.h include/trampfd.h include/linux/trampfd.h
	@mkdir -p $(@D)
	$(CC) $(TEST_CFLAGS) -c $< -o $@
$(B)/test-obj/lib/%.o: test/lib/%.S
	@mkdir -p $(@D)
	$(CC) $(TEST_CFLAGS) $(ASFLAGS_ALL) -c $< -o $@
$(B)/test-obj/%.o: test/%.c test/lib/t.h include/trampfd.h include/linux/trampfd.h
	@mkdir -p $(@D)
	$(CC) $(TEST_CFLAGS) -c $< -o $@
$(B)/test/%: $(B)/test-obj/%.o $(TEST_LIB_OBJ) $(STLIB)
	@mkdir -p $(@D)
	$(CC) $(TEST_LDSTATIC) -pthread -Wl,-z,noexecstack -o $@ $< $(TEST_LIB_OBJ) $(STLIB) $(LDFLAGS)
$(MDWE_RUN): test/mdwe-run.c
	@mkdir -p $(@D)
	$(CC) $(ALL_CFLAGS) -static -o $@ $< $(LDFLAGS)

# Every user cell, plain and under PR_SET_MDWE; results go to results.txt.
check-user: test-build
	$(call run_cells,$(B)/test,,user-fault user-code)
	$(call run_cells,$(B)/test,,user-fault user-code,--mdwe)

CHECK_STEPS += check-user
