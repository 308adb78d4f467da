# SPDX-License-Identifier: MIT
# trampfd.ko and every cell on Debian's 6.12 (bookworm-backports; Debian
# 13's series), which has PR_SET_MDWE where 6.1 does not: an x86_64 guest
# and an arm64 guest, each running the kernel tests and the suite for all
# four cells, plain and under MDWE, and the user-code unit tests
# (mk/code-unit.mk) on a real kernel. Result lines: vm-612/...,
# vm-arm64-612/...
#   make check-vm-612 check-vm-arm64-612
# vm/k612-fetch.sh unpacks the kernels, headers and kbuild into K612_DIR
# (.ci/run runs it). The module builds without BTF: pahole is not needed.
K612_DIR ?= /opt/trampfd-612
K612_ABI = $(shell cat $(K612_DIR)/abi 2>/dev/null)
K612_TIMEOUT ?= 900
K612_MAKE = CONFIG_DEBUG_INFO_BTF_MODULES=
K612_X86_KDIR = $(K612_DIR)/usr/src/linux-headers-$(K612_ABI)-amd64
K612_A64_KDIR = $(K612_DIR)/usr/src/linux-headers-$(K612_ABI)-arm64
K612_X86_B = $(B)/vm-612
K612_A64_B = $(B)/vm-arm64-612

.PHONY: vm-612-initrd vm-arm64-612-initrd check-vm-612 check-vm-arm64-612

$(K612_X86_B)/kernel/trampfd.ko: $(call kmod_src,x86)
	$(call module_tree,$(K612_X86_B),$(K612_X86_KDIR),x86,$(K612_MAKE))
$(K612_A64_B)/kernel/trampfd.ko: $(call kmod_src,arm64)
	$(call module_tree,$(K612_A64_B),$(K612_A64_KDIR),arm64,ARCH=arm64 CROSS_COMPILE=$(A64K_CROSS) $(K612_MAKE))

# The tests are the 6.1 guests' own builds.
vm-612-initrd: $(K612_X86_B)/kernel/trampfd.ko
	$(MAKE) --no-print-directory kernel-test-build test-build $(CODE_UNIT_BIN)
	UNITS=$(B)/code-unit sh vm/mkinitramfs.sh $(K612_X86_B)/initramfs.cpio.gz $< $(B)/kernel-test $(B)/test \
		test/runner.sh $(B)/test-bin/mdwe-run ""
vm-arm64-612-initrd: $(K612_A64_B)/kernel/trampfd.ko vm-arm64-initrd code-unit-a64-build
	UNITS=$(A64_B)/code-unit BUSYBOX=$(A64K_BUSYBOX) sh vm/mkinitramfs.sh $(K612_A64_B)/initramfs.cpio.gz $< \
		$(A64K_B)/kernel-test $(B)/aarch64/test test/runner.sh \
		$(B)/aarch64/test-bin/mdwe-run ""

K612_PREREQ = $(if $(K612_ABI),,no 6.12 kernels in $(K612_DIR) (vm/k612-fetch.sh $(K612_DIR)))

check-vm-612:
	$(call vm_check,vm-612,$(strip $(K612_PREREQ) $(VM_PREREQ)),vm-612-initrd,$(K612_X86_B),$(K612_DIR)/boot/vmlinuz-$(K612_ABI)-amd64,$(K612_X86_B)/initramfs.cpio.gz,$(K612_TIMEOUT),VM_PREFIX=vm-612)

check-vm-arm64-612:
	$(call vm_check,vm-arm64-612,$(strip $(K612_PREREQ) $(A64K_PREREQ)),vm-arm64-612-initrd,$(K612_A64_B),$(K612_DIR)/boot/vmlinuz-$(K612_ABI)-arm64,$(K612_A64_B)/initramfs.cpio.gz,$(K612_TIMEOUT),VM_ARCH=aarch64 VM_PREFIX=vm-arm64-612)

ifneq ($(ARCH),aarch64)
CHECK_STEPS += check-vm-612 check-vm-arm64-612
CHECK_GUESTS += check-vm-612 check-vm-arm64-612
endif
