# SPDX-License-Identifier: MIT
# trampfd.ko through DKMS, as the trampfd-dkms package ships it.
#   make install-dkms   the DKMS source tree in $(DESTDIR)/usr/src/trampfd-$(VERSION)
#                       (debian/rules installs the package's from it)
#   make check-dkms     "dkms build" of that tree for Debian's 6.1 headers
#                       (linux-headers-amd64) and the 6.12 ones of
#                       mk/kernel-612.mk; the 6.1 guest (mk/kernel.mk) loads
#                       the module this 6.1 build made. About 15 s; each
#                       build has 10 minutes.
# dkms runs with its own trees in $(B)/dkms (--sourcetree, --dkmstree), so
# nothing of the system's dkms state changes; it needs root all the same
# (its signing key is /var/lib/dkms/mok.key) and pahole for 6.12's BTF,
# as linux-kbuild-6.12 does.
DKMS_SRC = $(filter-out %.mod.c,$(wildcard kernel/*.c kernel/*.h kernel/arch/*/*.[ch])) \
	kernel/Kbuild kernel/Makefile kernel/dkms.conf $(wildcard include/linux/*.h)
DKMS_B := $(B)/dkms
DKMS_OK := $(if $(shell command -v dkms),,no dkms (apt-get install dkms)) \
	$(if $(filter 0,$(shell id -u)),,not root)
# The 6.1 guest's module (mk/kernel.mk's VM_KMOD): dkms's build for KVER,
# none where dkms cannot run (check-dkms then says why, as a SKIP line).
DKMS_KO = $(if $(strip $(DKMS_OK)),,$(DKMS_B)/$(KVER)/trampfd.ko)

.PHONY: install-dkms check-dkms
install-dkms:
	for f in $(DKMS_SRC); do \
		install -D -m 644 $$f $(DESTDIR)/usr/src/trampfd-$(VERSION)/$${f#kernel/}; done

# $(call dkms_build,KVER,KDIR): $(DKMS_B)/KVER/trampfd.ko
define dkms_build
	@rm -rf $(DKMS_B)/$(1) && mkdir -p $(DKMS_B)/$(1)/tree
	@$(MAKE) --no-print-directory -s install-dkms DESTDIR=$(abspath $(DKMS_B)/$(1)/src)
	@t="--sourcetree $(abspath $(DKMS_B)/$(1)/src)/usr/src --dkmstree $(abspath $(DKMS_B)/$(1)/tree)"; \
	dkms add -m trampfd -v $(VERSION) $$t >$(DKMS_B)/$(1).log 2>&1 && \
	timeout 600 dkms build -m trampfd -v $(VERSION) -k $(1) --kernelsourcedir $(2) $$t >>$(DKMS_B)/$(1).log 2>&1 || \
		{ cat $(DKMS_B)/$(1)/tree/trampfd/$(VERSION)/build/make.log >>$(DKMS_B)/$(1).log 2>/dev/null; \
		  tail -n 5 $(DKMS_B)/$(1).log; exit 1; }
	cp $(DKMS_B)/$(1)/tree/trampfd/$(VERSION)/$(1)/*/module/trampfd.ko $(DKMS_B)/$(1)/trampfd.ko
endef

# A pattern rule: KVER and K612_ABI come from fragments read after this one.
dkms_kdir = $(if $(filter $(K612_ABI)-amd64,$(1)),$(K612_X86_KDIR),/lib/modules/$(1)/build)
$(DKMS_B)/%/trampfd.ko: $(DKMS_SRC)
	$(call dkms_build,$*,$(call dkms_kdir,$*))

# $(call dkms_check,NAME,KVER,PREREQ): one result line
define dkms_check
	@r=$(B)/results.txt; \
	if [ -n "$(strip $(3))" ]; then echo "SKIP dkms/$(1): $(strip $(3))" | tee -a $$r; \
	elif ! $(MAKE) --no-print-directory $(DKMS_B)/$(2)/trampfd.ko; then \
		echo "FAIL dkms/$(1): dkms build failed (see $(DKMS_B)/$(2).log)" | tee -a $$r; \
	elif [ "$$(modinfo -F vermagic $(DKMS_B)/$(2)/trampfd.ko | cut -d' ' -f1)" != "$(2)" ]; then \
		echo "FAIL dkms/$(1): the module's vermagic is not $(2)" | tee -a $$r; \
	else echo "PASS dkms/$(1)" | tee -a $$r; fi
endef

check-dkms:
	$(call dkms_check,6.1,$(KVER),$(DKMS_OK) $(if $(wildcard $(KDIR)),,no $(KDIR) (linux-headers-amd64)))
	$(call dkms_check,6.12,$(K612_ABI)-amd64,$(DKMS_OK) $(K612_PREREQ))

ifneq ($(ARCH),aarch64)
CHECK_STEPS += check-dkms
endif
