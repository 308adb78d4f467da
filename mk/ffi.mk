# SPDX-License-Identifier: MIT
# libtrampfd-ffi.so.0 (ffi/): libffi's closure calls over trampfd, for
# LD_PRELOAD or linking before -lffi. Built where $(CC) finds <ffi.h>
# (libffi-dev); tests in test/ffi/ (make check-ffi).
FFI_SONAME := libtrampfd-ffi.so.0
FFI_LIB := $(B)/$(FFI_SONAME)
FFI_C := $(wildcard ffi/*.c) $(wildcard ffi/arch/$(ARCH)/*.c)
FFI_S := $(wildcard ffi/arch/$(ARCH)/*.S)
FFI_OBJ := $(patsubst %.c,$(B)/pic/%.o,$(FFI_C)) $(patsubst %.S,$(B)/pic/%.o,$(FFI_S))
# A cross build finds the target's <ffi.h> in Debian's multiarch directory
# (libffi-dev:arm64 puts only ffi.h and ffitarget.h there).
FFI_INC := $(if $(CROSS),-I/usr/include/$(ARCH)-linux-gnu)
FFI_LIBDIR := $(if $(CROSS),-L/usr/lib/$(ARCH)-linux-gnu)
FFI_HAVE := $(shell echo '\#include <ffi.h>' | $(CC) $(FFI_INC) -E -x c - >/dev/null 2>&1 && echo y)

$(FFI_OBJ): ALL_CFLAGS += -Iffi $(FFI_INC)
$(FFI_OBJ): ffi/tffi.h
$(FFI_LIB): $(FFI_OBJ) $(SHLIB) ffi/libtrampfd-ffi.map
	$(CC) -shared -Wl,-soname,$(FFI_SONAME) -Wl,--version-script=ffi/libtrampfd-ffi.map \
		-Wl,-z,defs -Wl,-z,noexecstack $(SHLIB_LDFLAGS_$(ARCH)) -pthread \
		-o $@ $(FFI_OBJ) $(SHLIB_OBJ_$(ARCH)) -L$(B) -ltrampfd -ldl $(LDFLAGS)
	ln -sf $(FFI_SONAME) $(B)/libtrampfd-ffi.so
$(B)/trampfd-ffi.pc: ffi/trampfd-ffi.pc.in
	sed -e 's|@PREFIX@|$(PREFIX)|;s|@LIBDIR@|$(LIBDIR)|;s|@VERSION@|$(VERSION)|' $< > $@

.PHONY: ffi-lib install-ffi uninstall-ffi
uninstall: uninstall-ffi
uninstall-ffi:
	rm -f $(DESTDIR)$(LIBDIR)/$(FFI_SONAME) $(DESTDIR)$(LIBDIR)/libtrampfd-ffi.so \
		$(DESTDIR)$(LIBDIR)/pkgconfig/trampfd-ffi.pc
ifeq ($(FFI_HAVE),y)
ffi-lib: $(FFI_LIB) $(B)/trampfd-ffi.pc
all: ffi-lib
# Next to libtrampfd.so.0, on the loader's path: LD_PRELOAD=libtrampfd-ffi.so.0.
install: install-ffi
install-ffi: ffi-lib
	install -d $(DESTDIR)$(LIBDIR)/pkgconfig
	install -m 755 $(FFI_LIB) $(DESTDIR)$(LIBDIR)/
	ln -sf $(FFI_SONAME) $(DESTDIR)$(LIBDIR)/libtrampfd-ffi.so
	install -m 644 $(B)/trampfd-ffi.pc $(DESTDIR)$(LIBDIR)/pkgconfig/
else
ffi-lib install-ffi:
	@echo "libtrampfd-ffi: no <ffi.h> for $(CC) (libffi-dev): not built"
endif

# libffi's own closure tests (Debian's libffi source, unpacked by .ci/run),
# built against the system's libffi at -O0 and -O2 as its testsuite does;
# closure_simple, the one with ABI_NUM, also for the GNU Win64 ABI on x86_64
# (closure_simple@gnuw64); closure_loc_fn0 also without its memcmp of the
# code address's bytes with the closure's, a known limit
# (closure_loc_fn0@nocmp). test/ffi/closures.py runs and judges them.
LIBFFI_SRC ?= /opt/trampfd-src/libffi
FFI_TS := $(LIBFFI_SRC)/testsuite
FFI_CT := $(notdir $(basename $(wildcard $(FFI_TS)/libffi.closures/*.c)))
FFI_CT_BIN := $(foreach o,O0 O2,$(addprefix $(B)/ffi/closures/$(o)/,$(FFI_CT))) \
	$(if $(filter x86_64,$(ARCH)),$(if $(filter closure_simple,$(FFI_CT)),$(B)/ffi/closures/O0/closure_simple@gnuw64 \
		$(B)/ffi/closures/O2/closure_simple@gnuw64)) \
	$(if $(filter closure_loc_fn0,$(FFI_CT)),$(B)/ffi/closures/O0/closure_loc_fn0@nocmp \
		$(B)/ffi/closures/O2/closure_loc_fn0@nocmp)
FFI_CT_CC = $(CC) -W -Wall -Wno-psabi -w -Itest/ffi -I$(FFI_TS)/libffi.call \
	-I$(FFI_TS)/libffi.closures $(FFI_INC) $(FFI_LIBDIR)
$(B)/ffi/closures/O0/%: $(FFI_TS)/libffi.closures/%.c test/ffi/fficonfig.h
	@mkdir -p $(@D)
	@$(FFI_CT_CC) -O0 -o $@ $< -lffi -lm
$(B)/ffi/closures/O2/%: $(FFI_TS)/libffi.closures/%.c test/ffi/fficonfig.h
	@mkdir -p $(@D)
	@$(FFI_CT_CC) -O2 -o $@ $< -lffi -lm
$(B)/ffi/closures/%@gnuw64: $(FFI_TS)/libffi.closures/closure_simple.c test/ffi/fficonfig.h
	@mkdir -p $(@D)
	@$(FFI_CT_CC) -$(notdir $(*D)) -DABI_NUM=FFI_GNUW64 -DABI_ATTR=__MSABI__ -o $@ $< -lffi -lm
$(B)/ffi/closures/nocmp.c: $(FFI_TS)/libffi.closures/closure_loc_fn0.c
	@mkdir -p $(@D)
	@grep -q 'memcmp(pcl, codeloc' $< && sed '/memcmp(pcl, codeloc/d' $< > $@
$(B)/ffi/closures/%@nocmp: $(B)/ffi/closures/nocmp.c test/ffi/fficonfig.h
	@mkdir -p $(@D)
	@$(FFI_CT_CC) -$(notdir $(*D)) -o $@ $< -lffi -lm

.PHONY: ffi-tests check-ffi-closures
ffi-tests: $(FFI_CT_BIN)
check-ffi-closures: $(B)/policy/policy-run
	@r=$(abspath $(B))/results.txt; \
	if [ "$(FFI_HAVE)" != y ]; then echo "SKIP ffi/closures: no <ffi.h> (libffi-dev)" | tee -a $$r; exit 0; fi; \
	if [ -z "$(FFI_CT)" ]; then echo "SKIP ffi/closures: no libffi testsuite in $(LIBFFI_SRC) (apt-get source libffi; .ci/run unpacks it)" | tee -a $$r; exit 0; fi; \
	$(MAKE) --no-print-directory -j2 ffi-lib ffi-tests && \
	TRAMPFD_RESULTS=$$r /usr/bin/python3 test/ffi/closures.py $(FFI_TS)/libffi.closures \
		$(B)/ffi/closures $(B)/policy/policy-run $(abspath $(B))
CHECK_STEPS += check-ffi-closures

# test/ffi/*.c: linked before -lffi (the other way in), with the suite's t.h.
FFI_TEST_BIN := $(patsubst test/ffi/%.c,$(B)/ffi/test/%,$(wildcard test/ffi/*.c))
$(B)/ffi/test/%: test/ffi/%.c test/lib/cell.c test/lib/sig.c test/lib/t.h $(FFI_LIB)
	@mkdir -p $(@D)
	$(CC) $(ALL_CFLAGS) -Wno-deprecated-declarations -fvisibility=default -Itest/lib \
		$(FFI_INC) -o $@ $< test/lib/cell.c test/lib/sig.c \
		-L$(B) -ltrampfd-ffi -ltrampfd $(FFI_LIBDIR) -lffi -ldl
# The trampoline recogniser alone, on byte forms (not linked to libffi).
$(B)/ffi/test/tramp-forms: test/ffi/tramp-forms.c ffi/arch/$(ARCH)/tramp.c ffi/tffi.h test/lib/cell.c \
		test/lib/sig.c test/lib/t.h $(SHLIB)
	@mkdir -p $(@D)
	$(CC) $(ALL_CFLAGS) -Itest/lib -Iffi -o $@ $< ffi/arch/$(ARCH)/tramp.c test/lib/cell.c \
		test/lib/sig.c -L$(B) -ltrampfd

.PHONY: check-ffi-clients
check-ffi-clients: $(B)/policy/policy-run
	@r=$(abspath $(B))/results.txt; \
	if [ "$(FFI_HAVE)" != y ]; then echo "SKIP ffi/clients: no <ffi.h> (libffi-dev)" | tee -a $$r; exit 0; fi; \
	$(MAKE) --no-print-directory ffi-lib $(FFI_TEST_BIN) && \
	TRAMPFD_RESULTS=$$r sh test/ffi/clients.sh $(B)

CHECK_STEPS += check-ffi-clients

# aarch64 under qemu-user (mk/aarch64.mk's cross build and emulator): the
# closure tests and test/ffi/provider, dynamically linked against Debian's
# arm64 libffi (libffi-dev:arm64), plain only: qemu does not pass
# PR_SET_MDWE on, and the seccomp policy would judge qemu's own mappings.
.PHONY: check-ffi-aarch64
check-ffi-aarch64: $(B)/policy/policy-run
	@r=$(abspath $(B))/results.txt; \
	miss="$(A64_PREREQ)$(if $(wildcard /usr/include/aarch64-linux-gnu/ffi.h),, no arm64 ffi.h (libffi-dev:arm64))"; \
	if [ -n "$$(echo $$miss)" ]; then echo "SKIP aarch64-ffi/prereq:$$miss" | tee -a $$r; exit 0; fi; \
	if [ -z "$(FFI_CT)" ]; then echo "SKIP aarch64-ffi/closures: no libffi testsuite in $(LIBFFI_SRC)" | tee -a $$r; exit 0; fi; \
	mkdir -p $(A64_B); \
	if ! $(MAKE) --no-print-directory -j2 ARCH=aarch64 CROSS=$(A64_CROSS) CC=$(A64_CROSS)gcc \
		AR=$(A64_CROSS)ar B=$(A64_B) ffi-lib ffi-tests $(A64_B)/ffi/test/provider \
		$(A64_B)/ffi/test/tramp-forms >$(A64_B)/ffi-build.log 2>&1; then \
		tail -n 20 $(A64_B)/ffi-build.log; \
		echo "FAIL aarch64-ffi/build: see $(A64_B)/ffi-build.log" | tee -a $$r; exit 0; fi; \
	emu=$$(command -v $(A64_EMU)); \
	TRAMPFD_RESULTS=$$r TRAMPFD_PREFIX=aarch64- TFFI_EMU=$$emu TFFI_POLICIES=none \
		/usr/bin/python3 test/ffi/closures.py $(FFI_TS)/libffi.closures $(A64_B)/ffi/closures \
		$(B)/policy/policy-run $(abspath $(A64_B)); \
	for t in provider tramp-forms; do \
		if out=$$(LD_LIBRARY_PATH=$(abspath $(A64_B)) timeout 120 $$emu $(A64_B)/ffi/test/$$t 2>&1) && \
			echo "$$out" | grep -q '^trampfd-test: done$$'; then echo "PASS aarch64-ffi-none/$$t"; \
		else echo "FAIL aarch64-ffi-none/$$t: $$(echo "$$out" | tail -n 1)"; fi | tee -a $$r; \
	done

CHECK_STEPS += check-ffi-aarch64

# The kernel cells in the x86_64 6.12 guest (mk/kernel-612.mk): a bundle of
# the -O2 closure tests, test/ffi's programs, their outputs on this host
# (where closures.py judged them) and every library they load, dynamic
# loader included, packed into the guest's initramfs under /t/extra/ffi;
# test/ffi/guest-run.sh runs them there. Lines: vm-612/ffi-kernel-code/...
FFI_EXTRA := $(B)/vm-extra
.PHONY: ffi-guest-bundle
ffi-guest-bundle:
	@$(MAKE) --no-print-directory ffi-lib ffi-tests $(FFI_TEST_BIN) >/dev/null
	@g=$(FFI_EXTRA)/ffi; rm -rf $$g && mkdir -p $$g/lib $$g/bin $$g/expected && \
	cp $(B)/ffi/closures/O2/* $(FFI_TEST_BIN) $$g/bin/ && \
	for t in $(B)/ffi/closures/O2/*; do $$t >$$g/expected/$${t##*/} 2>/dev/null || rm $$g/expected/$${t##*/}; done; \
	for f in $$(LD_LIBRARY_PATH=$(abspath $(B)) ldd $$g/bin/* $(FFI_LIB) 2>/dev/null | \
		awk '$$2 == "=>" && $$3 ~ /^\// { print $$3 } $$1 ~ /^\/.*ld-linux/ { print $$1 }' | sort -u); do \
		cp -L $$f $$g/lib/; done && \
	cp test/ffi/guest-run.sh $$g/run.sh
ifeq ($(FFI_HAVE)$(ARCH),yx86_64)
ifneq ($(FFI_CT),)
vm-612-initrd: ffi-guest-bundle
vm-612-initrd: export EXTRA = $(abspath $(FFI_EXTRA))
endif
endif
