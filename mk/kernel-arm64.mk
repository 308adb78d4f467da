# SPDX-License-Identifier: MIT
# trampfd.ko for arm64 and the arm64 QEMU guest (virt, TCG) that loads it.
#   make module-arm64     cross-build $(B)/vm-arm64/kernel/trampfd.ko
#   make check-vm-arm64   boot Debian's arm64 kernel, run the kernel tests
#                         and the suite for the kernel cells; results go
#                         to $(B)/results.txt as vm-arm64/...
# Debian's arm64 kernel, headers and busybox-static are unpacked, not
# installed, into A64K_DIR by vm/arm64-fetch.sh (.ci/run runs it):
#   sudo vm/arm64-fetch.sh /opt/trampfd-arm64
# The suite is mk/aarch64.mk's static cross build, $(B)/aarch64/.
A64K_DIR ?= /opt/trampfd-arm64
A64K_CROSS ?= aarch64-linux-gnu-
A64K_VMLINUZ = $(call newest,$(wildcard $(A64K_DIR)/boot/vmlinuz-*-arm64))
A64K_KVER = $(patsubst $(A64K_DIR)/boot/vmlinuz-%,%,$(A64K_VMLINUZ))
A64K_KDIR = $(A64K_DIR)/usr/src/linux-headers-$(A64K_KVER)
A64K_BUSYBOX = $(A64K_DIR)/bin/busybox
A64K_TIMEOUT ?= 420
A64K_CELLS ?= kernel-fault,kernel-code
A64K_B = $(B)/vm-arm64
A64K_MOD = $(A64K_B)/kernel/trampfd.ko
A64K_INITRD = $(A64K_B)/initramfs.cpio.gz
A64K_SRC := $(call kmod_src,arm64)

.PHONY: module-arm64 vm-arm64-initrd check-vm-arm64

module-arm64: $(A64K_MOD)
$(A64K_MOD): $(A64K_SRC) $(wildcard $(A64K_KDIR)/Module.symvers)
	$(call module_tree,$(A64K_B),$(A64K_KDIR),arm64,ARCH=arm64 CROSS_COMPILE=$(A64K_CROSS))

# The kernel tests: mk/kernel.mk's rules, with the cross compiler.
vm-arm64-initrd: $(A64K_MOD) aarch64-build
	$(MAKE) --no-print-directory B=$(A64K_B) CC=$(A64K_CROSS)gcc KTEST_ARCH=aarch64 \
		kernel-test-build
	BUSYBOX=$(A64K_BUSYBOX) sh vm/mkinitramfs.sh $(A64K_INITRD) $(A64K_MOD) \
		$(A64K_B)/kernel-test $(B)/aarch64/test test/runner.sh \
		$(B)/aarch64/test-bin/mdwe-run ""

# What is missing, as "no X (package); no Y (...)".
A64K_PREREQ = $(subst @@,,$(subst $() @@,; @@,$(strip \
	$(if $(A64K_VMLINUZ),$(if $(wildcard $(A64K_KDIR)/Makefile),,@@no arm64 headers in $(A64K_DIR)) \
		$(if $(wildcard $(A64K_BUSYBOX)),,@@no $(A64K_BUSYBOX) (busybox-static:arm64)), \
		@@no arm64 kernel in $(A64K_DIR) (vm/arm64-fetch.sh $(A64K_DIR))) \
	$(if $(shell command -v qemu-system-aarch64),,@@no qemu-system-aarch64 (qemu-system-arm)) \
	$(if $(shell command -v $(A64K_CROSS)gcc),,@@no $(A64K_CROSS)gcc (gcc-aarch64-linux-gnu)) \
	$(if $(wildcard /usr/aarch64-linux-gnu/lib/libc.a),,@@no aarch64 libc.a (libc6-dev-arm64-cross)))))

check-vm-arm64:
	$(call vm_check,vm-arm64,$(A64K_PREREQ),vm-arm64-initrd,$(A64K_B),$(A64K_VMLINUZ),$(A64K_INITRD),$(A64K_TIMEOUT),VM_ARCH=aarch64 VM_PREFIX=vm-arm64 VM_APPEND=trampfd.cells=$(A64K_CELLS))

ifneq ($(ARCH),aarch64)
CHECK_STEPS += check-vm-arm64
CHECK_GUESTS += check-vm-arm64
endif
