# SPDX-License-Identifier: MIT
# trampfd.ko and the QEMU guest that loads it.
#   make module    build kernel/trampfd.ko for the installed Debian kernel
#   make check-vm  boot the guest, run the kernel tests and the suite for
#                  every cell; results go to $(B)/results.txt as vm/...
#   make bench-vm  boot the guest and run bench/vm_bench
# The guest kernel is the newest /boot/vmlinuz-*-amd64 (linux-image-amd64),
# not the host's: modules cannot be loaded on the host.
VM_VMLINUZ ?= $(call newest,$(wildcard /boot/vmlinuz-*-amd64))
KVER ?= $(patsubst /boot/vmlinuz-%,%,$(VM_VMLINUZ))
KDIR ?= /lib/modules/$(KVER)/build
VM_TIMEOUT ?= 1500
VM_BENCH_TIMEOUT ?= 600
KMOD := kernel/trampfd.ko
KMOD_SRC := $(call kmod_src,x86)
# test/kernel/$(KTEST_ARCH)/: kernel tests of that architecture only.
KTEST_ARCH ?= $(ARCH)
KTEST_SRC := $(wildcard test/kernel/*.c test/kernel/$(KTEST_ARCH)/*.c)
KTEST_BIN := $(addprefix $(B)/kernel-test/,$(basename $(notdir $(KTEST_SRC))))
VM_BENCH := $(B)/vm-bench/vm_bench
VM_INITRD := $(B)/vm/initramfs.cpio.gz
KTEST_CFLAGS = $(CFLAGS) $(WARN) -std=gnu11 -D_GNU_SOURCE -Iinclude -pthread

.PHONY: module module-clean check-vm bench-vm vm-initrd kernel-test-build

module: $(KMOD)
$(KMOD): $(KMOD_SRC)
	@test -d $(KDIR) || { echo "no kernel headers in $(KDIR): apt-get install linux-headers-amd64" >&2; exit 1; }
	$(MAKE) -C $(KDIR) M=$(CURDIR)/kernel modules
module-clean:
	-$(MAKE) -C $(KDIR) M=$(CURDIR)/kernel clean

define KTEST_CC
@mkdir -p $(@D)
$(CC) $(KTEST_CFLAGS) -static -Wl,-z,noexecstack -o $@ $< $(LDFLAGS)
endef
$(B)/kernel-test/%: test/kernel/%.c $(wildcard test/kernel/*.h) include/trampfd.h include/linux/trampfd.h
	$(KTEST_CC)
$(B)/kernel-test/%: test/kernel/$(KTEST_ARCH)/%.c $(wildcard test/kernel/*.h) include/trampfd.h include/linux/trampfd.h
	$(KTEST_CC)
kernel-test-build: $(KTEST_BIN)

$(VM_BENCH): bench/vm_bench.c $(STLIB)
	@mkdir -p $(@D)
	$(CC) $(ALL_CFLAGS) -static -Wl,-z,noexecstack -o $@ $< $(STLIB) $(LDFLAGS)

# The suite's programs are optional: the guest runs whatever was built.
# The module is the one DKMS built (mk/dkms.mk's DKMS_KO), where dkms can
# run; made in the recipe, which is expanded after every fragment is read.
VM_KMOD = $(or $(DKMS_KO),$(KMOD))
vm-initrd: $(KTEST_BIN) $(VM_BENCH)
	$(MAKE) --no-print-directory $(VM_KMOD)
	-$(MAKE) --no-print-directory test-build
	@echo "guest module: $(VM_KMOD)"
	sh vm/mkinitramfs.sh $(VM_INITRD) $(VM_KMOD) $(B)/kernel-test $(B)/test \
		test/runner.sh $(B)/test-bin/mdwe-run $(VM_BENCH)

# A missing prerequisite or a failed build is a result line, not an error.
VM_PREREQ = $(strip $(if $(VM_VMLINUZ),,no /boot/vmlinuz-*-amd64 (linux-image-amd64)) \
	$(if $(wildcard $(KDIR)),,no $(KDIR) (linux-headers-amd64)) \
	$(if $(shell command -v qemu-system-x86_64),,no qemu-system-x86_64 (qemu-system-x86)) \
	$(if $(wildcard /bin/busybox),,no /bin/busybox (busybox-static)))

# $(call module_tree,DIR,KDIR,SRCARCH,MAKE-ARGS): trampfd.ko in DIR/kernel
# for another kernel or architecture. Kbuild writes its objects next to the
# sources, so it builds in a tree of links and kernel/'s own objects stay.
define module_tree
	@test -f $(2)/Makefile || { echo "no kernel headers in $(2)" >&2; exit 1; }
	rm -rf $(1)/kernel $(1)/include
	mkdir -p $(1)/kernel/arch/$(3)
	for f in $(filter kernel/%,$(call kmod_src,$(3))); do ln -s $(CURDIR)/$$f $(1)/$$f; done
	ln -s $(CURDIR)/include $(1)/include
	$(MAKE) -C $(2) M=$(abspath $(1))/kernel $(4) modules
endef

# One guest run as a check step (also mk/kernel-arm64.mk's):
# $(call vm_check,PREFIX,PREREQ,INITRD-TARGET,DIR,VMLINUZ,INITRD,TIMEOUT,ENV)
# ENV: variables for vm/run.sh. VM_ONLY=build only builds (DIR/build.ok
# says it did), VM_ONLY=boot only boots what was built: make check builds
# every guest first, then boots them beside the host steps (Makefile).
define vm_check
	@mkdir -p $(4)
	@if [ -n "$(2)" ]; then [ "$(VM_ONLY)" = build ] || \
		echo "SKIP $(1)/guest: $(2)" | tee -a $(B)/results.txt; exit 0; fi; \
	if [ "$(VM_ONLY)" != boot ]; then rm -f $(4)/build.ok; \
		$(MAKE) --no-print-directory $(3) >$(4)/build.log 2>&1 && touch $(4)/build.ok; fi; \
	[ "$(VM_ONLY)" != build ] || exit 0; \
	if [ ! -f $(4)/build.ok ]; then \
		tail -n 20 $(4)/build.log; \
		echo "FAIL $(1)/build: module, tests or initramfs did not build (see $(4)/build.log)" \
			| tee -a $(B)/results.txt; exit 0; fi; \
	$(8) sh vm/run.sh $(5) $(6) check $(B)/results.txt $(7) $(4)/check.log
endef

check-vm:
	$(call vm_check,vm,$(VM_PREREQ),vm-initrd,$(B)/vm,$(VM_VMLINUZ),$(VM_INITRD),$(VM_TIMEOUT),)

bench-vm:
	@if [ -n "$(VM_PREREQ)" ]; then echo "bench-vm skipped: $(VM_PREREQ)"; exit 0; fi
	@$(MAKE) --no-print-directory vm-initrd
	@echo "== in the guest (TCG: every indirect jump costs ~20 ns) =="
	@sh vm/run.sh $(VM_VMLINUZ) $(VM_INITRD) bench /dev/null \
		$(VM_BENCH_TIMEOUT) $(B)/vm/bench.log
	@echo "== on this host's CPU (no module: kernel cells n/a) =="
	@$(VM_BENCH) | grep -E 'cell|plain|model|user-code'

# checkpatch.pl ships in linux-source (or a kernel tree): CHECKPATCH=path.
CHECKPATCH ?= $(firstword $(wildcard /usr/src/linux-headers-*/scripts/checkpatch.pl \
	/usr/src/linux-source-*/scripts/checkpatch.pl $(B)/checkpatch/scripts/checkpatch.pl))
KSRC_TAR := $(firstword $(wildcard /usr/src/linux-source-*.tar.xz))
.PHONY: checkpatch check-checkpatch
checkpatch:
	@cp=$(CHECKPATCH); \
	if [ -z "$$cp" ] && [ -n "$(KSRC_TAR)" ]; then \
		mkdir -p $(B)/checkpatch && tar -xf $(KSRC_TAR) -C $(B)/checkpatch --strip-components=1 \
			--wildcards '*/scripts/checkpatch.pl' '*/scripts/spelling.txt' \
			'*/scripts/const_structs.checkpatch' && cp=$(B)/checkpatch/scripts/checkpatch.pl; fi; \
	if [ -z "$$cp" ]; then echo "no checkpatch.pl (apt-get install linux-source-6.1)" >&2; exit 77; fi; \
	perl $$cp --no-tree --strict --quiet -f $(filter-out %.mod.c,$(wildcard kernel/*.c kernel/*.h \
		kernel/arch/*/*.c kernel/arch/*/*.h)) kernel/Kbuild kernel/Makefile
check-checkpatch:
	@$(MAKE) --no-print-directory checkpatch >$(B)/checkpatch.log 2>&1; rc=$$?; \
	if [ $$rc = 0 ]; then echo "PASS kernel/checkpatch"; \
	elif grep -q "no checkpatch.pl" $(B)/checkpatch.log; then echo "SKIP kernel/checkpatch: no checkpatch.pl (linux-source-6.1)"; \
	else echo "FAIL kernel/checkpatch: $$(grep -m1 -E '^(ERROR|WARNING|CHECK)' $(B)/checkpatch.log)"; fi \
		| tee -a $(B)/results.txt

CHECK_STEPS += check-checkpatch check-vm
CHECK_GUESTS += check-vm
BENCH_STEPS += bench-vm
