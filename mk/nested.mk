# SPDX-License-Identifier: MIT
# libtrampfd-nested.so.0 (nested/): GCC nested functions without an
# executable stack. The heap ABI of gcc >= 14 (-ftrampoline-impl=heap)
# over closures, and, loaded with the program, emulation of the stack
# trampolines older binaries write (trampfd-nested(7)).
NESTED_SONAME := libtrampfd-nested.so.$(VERSION_MAJOR)
NESTED_LIB := $(B)/$(NESTED_SONAME)
NESTED_C := $(wildcard nested/*.c) nested/arch/$(ARCH)/form.c
NESTED_OBJ := $(patsubst %.c,$(B)/pic/%.o,$(NESTED_C))
NESTED_SOBJ := $(patsubst %.c,$(B)/static/%.o,$(NESTED_C))
$(NESTED_OBJ) $(NESTED_SOBJ): ALL_CFLAGS += -Inested
$(NESTED_OBJ) $(NESTED_SOBJ): nested/nested.h

$(NESTED_LIB): $(NESTED_OBJ) $(SHLIB_OBJ_$(ARCH)) nested/libtrampfd-nested.map $(SHLIB)
	$(CC) -shared -Wl,-soname,$(NESTED_SONAME) -Wl,--version-script=nested/libtrampfd-nested.map \
		-Wl,-z,defs -Wl,-z,noexecstack $(SHLIB_LDFLAGS_$(ARCH)) -pthread \
		-o $@ $(NESTED_OBJ) $(SHLIB_OBJ_$(ARCH)) -L$(B) -ltrampfd -ldl \
		-Wl,-rpath,'$$ORIGIN' $(LDFLAGS)
	ln -sf $(NESTED_SONAME) $(B)/libtrampfd-nested.so

.PHONY: nested-lib
nested-lib: $(NESTED_LIB)
all: nested-lib

# Unit tests (test/nested/): linked with the library, which is then ahead
# of libc as when preloaded; run by test/runner.sh in each user cell (the
# heap ABI's closures come from the cell), plain and under MDWE.
NESTED_TEST_BIN := $(patsubst test/nested/%.c,$(B)/test-nested/%,$(wildcard test/nested/*.c))
$(B)/test-nested/%: test/nested/%.c test/nested/nt.h test/nested/chain_$(ARCH).S $(NESTED_LIB)
	@mkdir -p $(@D)
	$(CC) $(ALL_CFLAGS) -Itest/lib -Wno-shadow -Wl,-z,noexecstack -o $@ $< test/nested/chain_$(ARCH).S \
		-L$(B) -Wl,--no-as-needed -ltrampfd-nested -ltrampfd -Wl,-rpath,$(abspath $(B)) $(LDFLAGS)
# x86_64's other two forms: endbr64 first (-fcf-protection), movl for a
# 32-bit address (no PIE); the default build's is PIE, movabs.
NESTED_FORM_FLAGS_cet := -fcf-protection=full
NESTED_FORM_FLAGS_nopie := -fno-pie -no-pie
NESTED_FORM_BIN_x86_64 := $(B)/test-nested/emu-recursion-cet $(B)/test-nested/emu-recursion-nopie
$(B)/test-nested/emu-recursion-%: test/nested/emu-recursion.c test/nested/nt.h $(NESTED_LIB)
	@mkdir -p $(@D)
	$(CC) $(ALL_CFLAGS) $(NESTED_FORM_FLAGS_$*) -Itest/lib -Wno-shadow -Wl,-z,noexecstack -o $@ $< \
		-L$(B) -Wl,--no-as-needed -ltrampfd-nested -ltrampfd -Wl,-rpath,$(abspath $(B)) $(LDFLAGS)
.PHONY: nested-tests
nested-tests: $(NESTED_TEST_BIN) $(NESTED_FORM_BIN_$(ARCH)) $(MDWE_RUN)

# Static, for aarch64 under qemu-user: there (qemu 7.2, this host) a
# dynamically linked guest often spins for ever in fork or pthread_create,
# with or without our libraries; static guests do not. The library's objects are linked in,
# so its sigaction is the program's as when preloaded.
$(B)/test-nested-static/%: test/nested/%.c test/nested/nt.h test/nested/chain_$(ARCH).S $(NESTED_SOBJ) $(STLIB)
	@mkdir -p $(@D)
	$(CC) $(ALL_CFLAGS) -Itest/lib -Wno-shadow -static -Wl,-z,noexecstack -o $@ $< \
		test/nested/chain_$(ARCH).S $(NESTED_SOBJ) $(STLIB) $(LDFLAGS)
.PHONY: nested-tests-static
nested-tests-static: $(patsubst $(B)/test-nested/%,$(B)/test-nested-static/%,$(NESTED_TEST_BIN))

# make check-nested: the unit tests in both user cells, plain and under
# MDWE; GCC's own nested-function tests (test/nested/gcc-tests.sh) with
# stack trampolines, x86_64 and aarch64 under qemu-user; the heap ABI end
# to end with gcc 14 in a Debian 13 chroot (nested/trixie-chroot.sh,
# built by .ci/run) against ours and libgcc's. Each missing prerequisite
# is one SKIP line; every step is bounded by timeout.
NESTED_GCC_TAR ?= /usr/src/gcc-12/gcc-12.2.0-dfsg.tar.xz
NESTED_GCC_SRC = $(B)/nested/gcc-src
NESTED_GCC_TESTS := gcc.c-torture/execute/20000822-1 gcc.c-torture/execute/921215-1 \
	gcc.c-torture/execute/931002-1 $(patsubst %,gcc.c-torture/execute/nestfunc-%,1 2 3 5 6) \
	gcc.dg/trampoline-1 gcc.dg/torture/pr86389 gcc.dg/torture/stackalign/nested-5 \
	gcc.dg/torture/stackalign/nested-6 $(patsubst %,gcc.dg/hwasan/nested-functions-%,0 1 2)
NESTED_TRIXIE ?= /opt/trampfd-trixie
NESTED_TMO ?= 300
NESTED_RUN = TRAMPFD_RESULTS=$(abspath $(B))/results.txt TRAMPFD_PREFIX=nested-

# Only the tests' files, out of the 80 MB tarball.
$(NESTED_GCC_SRC)/.stamp:
	@mkdir -p $(@D)
	timeout $(NESTED_TMO) tar -xJf $(NESTED_GCC_TAR) -C $(@D) --strip-components=3 \
		$(patsubst %,gcc-12.2.0/gcc/testsuite/%.c,$(NESTED_GCC_TESTS))
	@touch $@

.PHONY: check-nested check-nested-aarch64 check-nested-heap
check-nested: nested-tests $(TOOL)
	@for c in user-fault user-code; do \
		$(NESTED_RUN) TRAMPFD_TESTDIR=$(B)/test-nested sh test/runner.sh $$c; \
		$(NESTED_RUN) TRAMPFD_TESTDIR=$(B)/test-nested TRAMPFD_MDWE_RUN=$(MDWE_RUN) \
			sh test/runner.sh $$c --mdwe; \
	done
	@TRAMPFD=$(TOOL) CC=$(CC) OUT=$(B)/nested/tool TRAMPFD_RESULTS=$(abspath $(B))/results.txt \
		MDWE_RUN=$(abspath $(MDWE_RUN)) \
		sh test/nested/tool/noexecstack.sh
	@r=$(abspath $(B))/results.txt; \
	if [ ! -f $(NESTED_GCC_TAR) ]; then \
		echo "SKIP nested-gcc/all: no $(NESTED_GCC_TAR) (gcc-12-source)" | tee -a $$r; \
	elif ! $(MAKE) --no-print-directory -s $(NESTED_GCC_SRC)/.stamp; then \
		echo "FAIL nested-gcc/unpack: $(NESTED_GCC_TAR)" | tee -a $$r; \
	else \
		NT_CC=$(CC) NT_SRC=$(NESTED_GCC_SRC) NT_OUT=$(B)/nested/gcc NT_LABEL=nested-gcc \
		NT_RESULTS=$$r NT_CFLAGS= NT_REF_LDFLAGS=-Wl,-z,execstack NT_OURS_LDFLAGS= \
		NT_PRELOAD=$(abspath $(NESTED_LIB)) NT_MDWE=$(abspath $(MDWE_RUN)) \
			sh test/nested/gcc-tests.sh; \
	fi
ifneq ($(ARCH),aarch64)
	@$(MAKE) --no-print-directory check-nested-aarch64
endif
	@$(MAKE) --no-print-directory check-nested-heap

# aarch64 under qemu-user: the unit tests static (see above), GCC's tests
# dynamically linked with the library preloaded. qemu 7.2 answers
# PR_SET_MDWE itself with EINVAL: no MDWE run there (see mk/aarch64.mk).
check-nested-aarch64:
	@r=$(abspath $(B))/results.txt; \
	if [ -n "$(A64_PREREQ)" ]; then echo "SKIP aarch64-nested/all: $(A64_PREREQ)" | tee -a $$r; exit 0; fi; \
	mkdir -p $(A64_B); \
	if ! timeout $(NESTED_TMO) $(MAKE) --no-print-directory ARCH=aarch64 CROSS=$(A64_CROSS) \
		CC=$(A64_CROSS)gcc AR=$(A64_CROSS)ar B=$(A64_B) nested-lib nested-tests-static \
		>$(A64_B)/nested-build.log 2>&1; then \
		tail -n 5 $(A64_B)/nested-build.log; \
		echo "FAIL aarch64-nested/build: see $(A64_B)/nested-build.log" | tee -a $$r; exit 0; fi; \
	for c in user-fault user-code; do \
		$(A64_RUN) TRAMPFD_PREFIX=aarch64-nested- TRAMPFD_TESTDIR=$(A64_B)/test-nested-static \
			sh test/runner.sh $$c; \
	done; \
	if [ -f $(NESTED_GCC_TAR) ] && $(MAKE) --no-print-directory -s $(NESTED_GCC_SRC)/.stamp; then \
		QEMU_LD_PREFIX=$(A64_SYSROOT) NT_EMU=$(A64_EMU) NT_CC=$(A64_CROSS)gcc NT_SRC=$(NESTED_GCC_SRC) \
		NT_OUT=$(A64_B)/nested/gcc NT_LABEL=aarch64-nested-gcc NT_RESULTS=$$r NT_CFLAGS= \
		NT_REF_LDFLAGS=-Wl,-z,execstack NT_OURS_LDFLAGS= NT_PRELOAD=$(abspath $(A64_B))/$(NESTED_SONAME) \
		NT_MDWE= NT_MDWE_WHY="qemu-user answers PR_SET_MDWE itself with EINVAL" \
			sh test/nested/gcc-tests.sh; \
	fi

# gcc 14 in the chroot: the library built there with gcc 14 and glibc 2.41,
# GCC's tests built with -ftrampoline-impl=heap, ours linked ahead of
# libgcc_s, libgcc's own alone: under MDWE libgcc's must die, ours not.
# -fpermissive: gcc 14 refuses the implicit declarations of gcc 12's tests.
NESTED_CHROOT_FILES := Makefile mk src include nested test/nested/gcc-tests.sh
check-nested-heap: $(MDWE_RUN)
	@r=$(abspath $(B))/results.txt; d=/tmp/trampfd-nested-$$$$; \
	if [ "$$(id -u)" != 0 ]; then echo "SKIP nested-heap-gcc14/all: chroot needs root" | tee -a $$r; exit 0; fi; \
	if [ ! -x $(NESTED_TRIXIE)/usr/bin/gcc-14 ]; then \
		echo "SKIP nested-heap-gcc14/all: no Debian 13 chroot at $(NESTED_TRIXIE) (sh nested/trixie-chroot.sh $(NESTED_TRIXIE), as .ci/run does)" | tee -a $$r; exit 0; fi; \
	if [ ! -f $(NESTED_GCC_TAR) ] || ! $(MAKE) --no-print-directory -s $(NESTED_GCC_SRC)/.stamp; then \
		echo "SKIP nested-heap-gcc14/all: no GCC test sources ($(NESTED_GCC_TAR))" | tee -a $$r; exit 0; fi; \
	rm -rf $(NESTED_TRIXIE)$$d && mkdir -p $(NESTED_TRIXIE)$$d/src && \
	tar -cf - $(NESTED_CHROOT_FILES) | tar -xf - -C $(NESTED_TRIXIE)$$d/src && \
	cp -r $(NESTED_GCC_SRC) $(NESTED_TRIXIE)$$d/gcc-src && cp $(MDWE_RUN) $(NESTED_TRIXIE)$$d/; \
	if ! timeout $(NESTED_TMO) chroot $(NESTED_TRIXIE) make -C $$d/src -s -j2 CC=gcc-14 B=$$d/b nested-lib \
		>$(B)/nested/heap-build.log 2>&1; then \
		tail -n 5 $(B)/nested/heap-build.log; \
		echo "FAIL nested-heap-gcc14/build: the library did not build with gcc 14 (see $(B)/nested/heap-build.log)" | tee -a $$r; \
	else \
		timeout $(NESTED_TMO) chroot $(NESTED_TRIXIE) env NT_CC=gcc-14 NT_SRC=$$d/gcc-src NT_OUT=$$d/out \
			NT_LABEL=nested-heap-gcc14 NT_RESULTS=$$d/results NT_CFLAGS="-ftrampoline-impl=heap -fpermissive" \
			NT_REF_LDFLAGS=-Wl,-z,noexecstack NT_BARE_MDWE=1 NT_PRELOAD= \
			NT_OURS_LDFLAGS="-L$$d/b -Wl,--no-as-needed -ltrampfd-nested -Wl,-rpath,$$d/b" \
			NT_MDWE=$$d/mdwe-run sh $$d/src/test/nested/gcc-tests.sh; \
		cat $(NESTED_TRIXIE)$$d/results >>$$r 2>/dev/null || \
			echo "FAIL nested-heap-gcc14/run: no results" | tee -a $$r; \
	fi; \
	rm -rf $(NESTED_TRIXIE)$$d

CHECK_STEPS += check-nested

# make bench-nested: bench/nested_lib.c's two ratios, in one run.
$(B)/bench/nested_lib: bench/nested_lib.c bench/bench.h $(NESTED_LIB)
	@mkdir -p $(@D)
	$(CC) $(ALL_CFLAGS) -Ibench -Wl,-z,noexecstack -o $@ $< \
		-L$(B) -Wl,--no-as-needed -ltrampfd-nested -Wl,-rpath,$(abspath $(B)) $(LDFLAGS)
.PHONY: bench-nested
bench-nested: $(B)/bench/nested_lib
	@{ $(BENCH_MACHINE); echo; $(B)/bench/nested_lib; } | tee $(B)/bench-nested-lib.md
BENCH_STEPS += bench-nested

# make install: the library next to libtrampfd, its man page.
.PHONY: install-nested uninstall-nested
uninstall: uninstall-nested
uninstall-nested:
	rm -f $(DESTDIR)$(LIBDIR)/$(NESTED_SONAME) $(DESTDIR)$(LIBDIR)/libtrampfd-nested.so
install-nested: $(NESTED_LIB)
	install -d $(DESTDIR)$(LIBDIR) $(DESTDIR)$(MANDIR)/man7
	install -m 755 $(NESTED_LIB) $(DESTDIR)$(LIBDIR)/
	ln -sf $(NESTED_SONAME) $(DESTDIR)$(LIBDIR)/libtrampfd-nested.so
install: install-nested
