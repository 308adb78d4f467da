# SPDX-License-Identifier: MIT
# aarch64 on an x86_64 host: the library, the tool and the conformance suite
# cross-built static into $(B)/aarch64/, run by test/runner.sh through
# qemu-user for each user cell: plain, under --mdwe, and again at each page
# size of A64_PAGESIZES (qemu-user's -p: AT_PAGESZ, sysconf and the mmap
# granularity the guest sees). Lines read "PASS aarch64-user-fault/fork",
# "PASS aarch64-p64k-user-fault/fork".
#   make check-aarch64    all of the above, the tool's demo (dynamically
#                         linked: qemu finds libc in A64_SYSROOT) and so-bti
#                         (libtrampfd.so's code is BTI-guarded), into $(B)/results.txt
#   make aarch64-build    the cross build alone; by hand it is
#     make ARCH=aarch64 CROSS=aarch64-linux-gnu- B=build/aarch64 all test-build
# A missing prerequisite is one SKIP line; a cell the build does not have on
# aarch64 is one SKIP line with the library's reason.
A64_CROSS ?= aarch64-linux-gnu-
A64_EMU ?= qemu-aarch64-static
A64_B = $(B)/aarch64
A64_CELLS ?= user-fault user-code
A64_PAGESIZES ?= 16384 65536
A64_TIMEOUT ?= 120
A64_SYSROOT ?= /usr/aarch64-linux-gnu
A64_LIBC ?= $(A64_SYSROOT)/lib/libc.a

A64_PREREQ = $(strip $(if $(shell command -v $(A64_CROSS)gcc),,no $(A64_CROSS)gcc (gcc-aarch64-linux-gnu)) \
	$(if $(wildcard $(A64_LIBC)),,no $(A64_LIBC) (libc6-dev-arm64-cross)) \
	$(if $(shell command -v $(A64_EMU)),,no $(A64_EMU) (qemu-user-static)))
A64_RUN = TRAMPFD_EMU=$(A64_EMU) TRAMPFD_TESTDIR=$(A64_B)/test \
	TRAMPFD_RESULTS=$(abspath $(B))/results.txt TRAMPFD_TIMEOUT=$(A64_TIMEOUT)

.PHONY: aarch64-build check-aarch64
aarch64-build:
	$(MAKE) --no-print-directory ARCH=aarch64 CROSS=$(A64_CROSS) CC=$(A64_CROSS)gcc \
		AR=$(A64_CROSS)ar B=$(A64_B) TEST_LDSTATIC=-static all test-build \
		$(A64_B)/test-bin/so-bti

# Linked against libtrampfd.so (an ARCH=aarch64 build's): is it guarded?
$(B)/test-bin/so-bti: test/aarch64/so-bti.c $(SHLIB)
	@mkdir -p $(@D)
	$(CC) $(ALL_CFLAGS) -fPIE -pie -o $@ $< -L$(B) -ltrampfd -Wl,-rpath,$(abspath $(B))

# Per cell: one probe (call-basic) says whether the cell exists on aarch64;
# one probe of mdwe-run says whether qemu passes PR_SET_MDWE on. When it
# does not (qemu 7.2), one SKIP line says so and where the aarch64 MDWE
# run is instead: a real arm64 kernel (mk/kernel-612.mk).
check-aarch64:
	@r=$(abspath $(B))/results.txt; mkdir -p $(A64_B); \
	if [ -n "$(A64_PREREQ)" ]; then echo "SKIP aarch64/prereq: $(A64_PREREQ)" | tee -a $$r; exit 0; fi; \
	if ! $(MAKE) --no-print-directory aarch64-build >$(A64_B)/build.log 2>&1; then \
		tail -n 20 $(A64_B)/build.log; \
		echo "FAIL aarch64/build: cross build failed (see $(A64_B)/build.log)" | tee -a $$r; exit 0; fi; \
	qv=$$($(A64_EMU) --version | awk 'NR == 1 { print $$1, $$3 }'); \
	if QEMU_LD_PREFIX=$(A64_SYSROOT) $(A64_EMU) $(A64_B)/trampfd demo 1000 >$(A64_B)/demo.log 2>&1; then \
		echo "PASS aarch64/demo"; \
	else echo "FAIL aarch64/demo: $$(tail -n 1 $(A64_B)/demo.log)"; fi | tee -a $$r; \
	QEMU_LD_PREFIX=$(A64_SYSROOT) $(A64_EMU) $(A64_B)/test-bin/so-bti >$(A64_B)/so-bti.log 2>&1; \
	case $$? in 0) v=PASS ;; 77) v=SKIP ;; *) v=FAIL ;; esac; \
	echo "$$v aarch64/so-bti: $$(tail -n 1 $(A64_B)/so-bti.log)" | tee -a $$r; \
	for c in $(A64_CELLS); do \
		why=$$(TRAMPFD_CELL=$$c $(A64_EMU) $(A64_B)/test/call-basic 2>&1 >/dev/null); \
		if [ $$? = 77 ]; then \
			echo "SKIP aarch64-$$c/cell: $$(printf '%s\n' "$$why" | tail -n 1)" | tee -a $$r; continue; fi; \
		$(A64_RUN) TRAMPFD_PREFIX=aarch64- sh test/runner.sh $$c; \
		if TRAMPFD_CELL=$$c $(A64_EMU) $(A64_B)/test-bin/mdwe-run $(A64_B)/test/call-basic \
			>/dev/null 2>&1; then \
			$(A64_RUN) TRAMPFD_PREFIX=aarch64- TRAMPFD_MDWE_RUN=$(A64_B)/test-bin/mdwe-run \
				sh test/runner.sh $$c --mdwe; \
		else \
			echo "SKIP aarch64-mdwe-$$c/all: $$qv answers prctl(PR_SET_MDWE) itself with EINVAL and keeps guest permissions in its own page flags, so host MDWE could not see them; the aarch64 MDWE run is vm-arm64-612/mdwe-$$c (make check-vm-arm64-612)" | tee -a $$r; \
		fi; \
		for ps in $(A64_PAGESIZES); do \
			QEMU_PAGESIZE=$$ps $(A64_RUN) TRAMPFD_PREFIX=aarch64-p$$((ps / 1024))k- \
				sh test/runner.sh $$c; \
		done; \
	done

ifneq ($(ARCH),aarch64)
CHECK_STEPS += check-aarch64
endif
