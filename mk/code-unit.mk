# SPDX-License-Identifier: MIT
# Unit tests of the user-code cell's inner workings (test/code/), natively
# and, for aarch64, under qemu-user: forms (pread gives back a context in
# every form the cell keeps it) and fastrace (calls racing rewrites of one
# slot; the grace periods' finishers must have run in a slot's window, in
# the loader and in an outer handler's frame). fastrace runs a second time
# with process_vm_readv/writev refused by seccomp, for the library's pipe
# fallback; qemu-user 7.2 has neither those calls nor seccomp, so there the
# first run is already the fallback. They link the static library, whose
# hidden finisher counters fastrace reads.
#   make check-code-unit     result lines code/..., aarch64-code/...
# The 6.12 guests run them too, on a real kernel (mk/kernel-612.mk).
# The cell's measurements are benchmarks: bench/uc_*.c, make bench-user-code.
CODE_UNITS := forms fastrace
CODE_UNIT_BIN = $(addprefix $(B)/code-unit/,$(CODE_UNITS))
CODE_UNIT_TMO ?= 60

$(B)/code-unit/%: test/code/%.c $(STLIB)
	@mkdir -p $(@D)
	$(CC) $(ALL_CFLAGS) -static -Wl,-z,noexecstack -o $@ $< $(STLIB) $(LDFLAGS)

# $(call code_unit,NAME,COMMAND): one result line, the program's last line
# as its detail.
define code_unit
	@r=$(abspath $(B))/results.txt; \
	if out=$$(timeout $(CODE_UNIT_TMO) $(2) 2>&1); then \
		echo "PASS $(1): $$(printf '%s\n' "$$out" | tail -n 1)"; \
	else \
		echo "FAIL $(1): exit $$?: $$(printf '%s\n' "$$out" | tail -n 1)"; \
	fi | tee -a $$r
endef

.PHONY: check-code-unit check-code-unit-aarch64 code-unit-a64-skip code-unit-a64-run code-unit-a64-build
check-code-unit: $(CODE_UNIT_BIN)
	$(call code_unit,code/forms,$(B)/code-unit/forms)
	$(call code_unit,code/fastrace,$(B)/code-unit/fastrace 30)
	$(call code_unit,code/fastrace-no-vm-rw,$(B)/code-unit/fastrace 30 no-vm-rw)
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
	$(call code_unit,aarch64-code/fastrace,$(A64_EMU) $(A64_B)/code-unit/fastrace 60)

CHECK_STEPS += check-code-unit
