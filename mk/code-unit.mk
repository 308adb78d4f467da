# SPDX-License-Identifier: MIT
# Unit tests of the user-code cell's inner workings (test/code/), natively
# and, for aarch64, under qemu-user: forms (pread gives back a context in
# every form the cell keeps it), windows (a call single-stepped, the grace
# signal raised at each of its instructions in the library: the finishers
# must act in a slot's window, in the loader and, "outer", in another
# handler's frame; x86_64 only) and fastrace (a bounded stress: calls
# racing rewrites of one slot for 3 s, each call seeing a whole context).
# The outer and stress runs repeat with process_vm_readv/writev refused by
# seccomp, for the library's pipe fallback; qemu-user 7.2 has neither
# those calls nor seccomp, so there the first run is already the fallback.
# They link the static library, whose hidden finisher counters they read.
# A pass is exit 0 with "trampfd-test: done" last, as test/runner.sh asks;
# exit 77 is a SKIP.
#   make check-code-unit     result lines code/..., aarch64-code/...
# The 6.12 guests run them too, on a real kernel (mk/kernel-612.mk).
# The cell's measurements are benchmarks: bench/uc_*.c, make bench-user-code.
CODE_UNITS := forms windows fastrace
CODE_UNIT_BIN = $(addprefix $(B)/code-unit/,$(CODE_UNITS))
CODE_UNIT_TMO ?= 60

$(B)/code-unit/%: test/code/%.c test/code/code_test.h $(STLIB)
	@mkdir -p $(@D)
	$(CC) $(ALL_CFLAGS) -static -Wl,-z,noexecstack -o $@ $< $(STLIB) $(LDFLAGS)

# $(call code_unit,NAME,COMMAND): one result line, the program's last line
# before the marker as its detail.
define code_unit
	@r=$(abspath $(B))/results.txt; \
	out=$$(timeout $(CODE_UNIT_TMO) $(2) 2>&1); rc=$$?; \
	last=$$(printf '%s\n' "$$out" | grep -v '^trampfd-test: done$$' | tail -n 1); \
	if [ $$rc = 0 ] && printf '%s\n' "$$out" | tail -n 1 | grep -q '^trampfd-test: done$$'; then \
		echo "PASS $(1): $$last"; \
	elif [ $$rc = 0 ]; then \
		echo "FAIL $(1): exit 0 before the test's end: $$last"; \
	elif [ $$rc = 77 ]; then \
		echo "SKIP $(1): $$last"; \
	else \
		echo "FAIL $(1): exit $$rc: $$last"; \
	fi | tee -a $$r
endef

.PHONY: check-code-unit check-code-unit-aarch64 code-unit-a64-skip code-unit-a64-run code-unit-a64-build
check-code-unit: $(CODE_UNIT_BIN)
	$(call code_unit,code/forms,$(B)/code-unit/forms)
	$(call code_unit,code/windows,$(B)/code-unit/windows direct)
	$(call code_unit,code/windows-outer,$(B)/code-unit/windows outer)
	$(call code_unit,code/windows-outer-no-vm-rw,$(B)/code-unit/windows outer no-vm-rw)
	$(call code_unit,code/fastrace,$(B)/code-unit/fastrace 3)
	$(call code_unit,code/fastrace-no-vm-rw,$(B)/code-unit/fastrace 3 no-vm-rw)
ifneq ($(ARCH),aarch64)
	@$(MAKE) --no-print-directory check-code-unit-aarch64
endif

# Where the cross toolchain or qemu-user is missing: one SKIP line.
check-code-unit-aarch64: $(if $(A64_PREREQ),code-unit-a64-skip,code-unit-a64-run)
code-unit-a64-skip:
	@echo "SKIP aarch64-code/all: $(A64_PREREQ)" | tee -a $(abspath $(B))/results.txt
# The aarch64 programs, also packed into the arm64 6.12 guest.
code-unit-a64-build:
	@mkdir -p $(A64_B)
	$(MAKE) --no-print-directory ARCH=aarch64 CROSS=$(A64_CROSS) CC=$(A64_CROSS)gcc \
		AR=$(A64_CROSS)ar B=$(A64_B) $(addprefix $(A64_B)/code-unit/,$(CODE_UNITS))
code-unit-a64-run:
	@mkdir -p $(A64_B)
	@$(MAKE) --no-print-directory code-unit-a64-build >$(A64_B)/code-unit.log 2>&1 || \
		echo "FAIL aarch64-code/build: see $(A64_B)/code-unit.log" | tee -a $(abspath $(B))/results.txt
	$(call code_unit,aarch64-code/forms,$(A64_EMU) $(A64_B)/code-unit/forms)
	$(call code_unit,aarch64-code/windows,$(A64_EMU) $(A64_B)/code-unit/windows direct)
	$(call code_unit,aarch64-code/fastrace,$(A64_EMU) $(A64_B)/code-unit/fastrace 3)

CHECK_STEPS += check-code-unit
