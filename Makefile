# SPDX-License-Identifier: MIT
# libtrampfd: plain GNU make. Fragments in mk/ add the tests, the module,
# the guest and the benchmarks; each fragment owns its own directory.
VERSION_MAJOR := 0
VERSION := 0.2.0
PREFIX ?= /usr/local
LIBDIR ?= $(PREFIX)/lib
INCLUDEDIR ?= $(PREFIX)/include
BINDIR ?= $(PREFIX)/bin
MANDIR ?= $(PREFIX)/share/man
DESTDIR ?=

ARCH ?= $(shell uname -m)
CROSS ?=
CC := $(CROSS)gcc
AR := $(CROSS)ar
B ?= build
CFLAGS ?= -O2 -g
WARN := -Wall -Wextra -Wno-unused-parameter -Wshadow -Wstrict-prototypes
ALL_CFLAGS := $(CPPFLAGS) $(CFLAGS) $(WARN) -std=gnu11 -D_GNU_SOURCE -fno-strict-aliasing \
	-Iinclude -Isrc -Isrc/arch/$(ARCH) -Isrc/user-code/arch/$(ARCH) \
	-fvisibility=hidden -pthread
# aarch64: BTI landing pads in C too, so the library keeps the property note;
# no outline atomics, whose libgcc helpers and constructor have no note
# (the objects depend on this Makefile, so a change of flags rebuilds them).
ARCH_CFLAGS_aarch64 := -mbranch-protection=standard -mno-outline-atomics
# aarch64: libtrampfd.so is BTI-marked, so ld.so maps its code guarded.
# Debian 12's crt files have no BTI note: the library is linked without
# them (src/arch/aarch64/shlib/ defines the __dso_handle they would), and
# -z force-bti covers the one input still unmarked, libc_nonshared's
# pthread_atfork, which only direct calls reach (BTI checks the targets of
# indirect ones). test/aarch64/so-bti.c checks the guard at run time.
SHLIB_OBJ_aarch64 = $(B)/pic/src/arch/aarch64/shlib/dso_handle.o
SHLIB_LDFLAGS_aarch64 := -nostartfiles -Wl,-z,force-bti
ALL_CFLAGS += $(ARCH_CFLAGS_$(ARCH))
ASFLAGS_ALL := -Wa,--noexecstack
LDFLAGS ?=

# src/ holds what every cell shares; each folder under it is one part of
# the matrix (docs/design.md §6). Per-arch sources live in <part>/arch/$(ARCH)/
# and are picked by the build; only the headers of src/arch/ are shared.
LIB_C := $(wildcard src/*.c src/*/*.c src/*/arch/$(ARCH)/*.c)
LIB_S := $(wildcard src/*/arch/$(ARCH)/*.S)
LIB_H := $(wildcard src/*.h src/*/*.h src/arch/$(ARCH)/*.h src/*/arch/$(ARCH)/*.h \
	include/*.h include/linux/*.h)
LIB_OBJ_PIC := $(patsubst %.c,$(B)/pic/%.o,$(LIB_C)) $(patsubst %.S,$(B)/pic/%.o,$(LIB_S))
LIB_OBJ := $(patsubst %.c,$(B)/static/%.o,$(LIB_C)) $(patsubst %.S,$(B)/static/%.o,$(LIB_S))
SONAME := libtrampfd.so.$(VERSION_MAJOR)
SHLIB := $(B)/$(SONAME)
STLIB := $(B)/libtrampfd.a
TOOL := $(B)/trampfd

.PHONY: all lib tool install uninstall check bench clean
all: lib tool
lib: $(SHLIB) $(STLIB)
tool: $(TOOL)

$(B)/pic/%.o: %.c $(LIB_H) Makefile
	@mkdir -p $(@D)
	$(CC) $(ALL_CFLAGS) -fPIC -c $< -o $@
$(B)/pic/%.o: %.S Makefile
	@mkdir -p $(@D)
	$(CC) $(ALL_CFLAGS) $(ASFLAGS_ALL) -fPIC -c $< -o $@
$(B)/static/%.o: %.c $(LIB_H) Makefile
	@mkdir -p $(@D)
	$(CC) $(ALL_CFLAGS) -c $< -o $@
$(B)/static/%.o: %.S Makefile
	@mkdir -p $(@D)
	$(CC) $(ALL_CFLAGS) $(ASFLAGS_ALL) -c $< -o $@

# -z nodelete: dlclose never unmaps the library, whose text trampolines
# jump into and whose SIGSEGV handler stays installed (test/dyn/dlclose.c).
$(SHLIB): $(LIB_OBJ_PIC) $(SHLIB_OBJ_$(ARCH)) src/libtrampfd.map
	$(CC) -shared -Wl,-soname,$(SONAME) -Wl,--version-script=src/libtrampfd.map \
		-Wl,-z,defs -Wl,-z,nodelete -Wl,-z,noexecstack $(SHLIB_LDFLAGS_$(ARCH)) -pthread \
		-o $@ $(LIB_OBJ_PIC) $(SHLIB_OBJ_$(ARCH)) $(LDFLAGS)
	ln -sf $(SONAME) $(B)/libtrampfd.so
$(STLIB): $(LIB_OBJ)
	rm -f $@ && $(AR) rcs $@ $^

$(TOOL): $(wildcard tools/*.c tools/*.h) $(STLIB)
	$(CC) $(ALL_CFLAGS) -fvisibility=default -DTRAMPFD_LIBDIR='"$(LIBDIR)"' \
		-o $@ $(filter %.c,$^) $(STLIB) $(LDFLAGS)

# A LIBDIR outside the dynamic linker's search path gets an rpath in
# trampfd.pc, so programs built with pkg-config find the library there;
# a LIBDIR inside it gets ldconfig after a real (DESTDIR-less) install.
LD_PATH_HAS_LIBDIR = sh mk/in-ld-path.sh $(LIBDIR)
install: all
	install -d $(DESTDIR)$(LIBDIR)/pkgconfig $(DESTDIR)$(INCLUDEDIR)/linux $(DESTDIR)$(BINDIR) \
		$(DESTDIR)$(MANDIR)/man1 $(DESTDIR)$(MANDIR)/man3 $(DESTDIR)$(MANDIR)/man7
	install -m 644 include/trampfd.h $(DESTDIR)$(INCLUDEDIR)/
	install -m 644 include/linux/trampfd.h $(DESTDIR)$(INCLUDEDIR)/linux/
	install -m 755 $(SHLIB) $(DESTDIR)$(LIBDIR)/
	ln -sf $(SONAME) $(DESTDIR)$(LIBDIR)/libtrampfd.so
	install -m 644 $(STLIB) $(DESTDIR)$(LIBDIR)/
	rpath=' -Wl,-rpath,$${libdir}'; if $(LD_PATH_HAS_LIBDIR); then rpath=; fi; \
	sed -e 's|@PREFIX@|$(PREFIX)|;s|@LIBDIR@|$(LIBDIR)|;s|@INCLUDEDIR@|$(INCLUDEDIR)|' \
		-e "s|@VERSION@|$(VERSION)|;s|@RPATH@|$$rpath|" trampfd.pc.in >$(DESTDIR)$(LIBDIR)/pkgconfig/trampfd.pc
	chmod 644 $(DESTDIR)$(LIBDIR)/pkgconfig/trampfd.pc
	install -m 755 $(TOOL) $(DESTDIR)$(BINDIR)/
	@# An alias page is a symlink in man/, and installed as one: man -l
	@# renders it in the tree and installed, where a .so request would not.
	for m in $(wildcard man/*.[137]); do d=$(DESTDIR)$(MANDIR)/man$${m##*.}; \
		if [ -L $$m ]; then ln -sf $$(readlink $$m) $$d/$${m##*/}; else install -m 644 $$m $$d/; fi; done
	@if [ -n "$(DESTDIR)" ]; then :; elif $(LD_PATH_HAS_LIBDIR); then ldconfig; \
	else echo "libtrampfd: $(LIBDIR) is not in the dynamic linker's search path: programs" \
		"built with 'pkg-config --libs trampfd' find it through the rpath that gives" \
		"(-Wl,-rpath,$(LIBDIR)); others need that rpath, LD_LIBRARY_PATH, or the directory in" \
		"/etc/ld.so.conf.d/ and ldconfig (see trampfd(7), Linking)."; fi

uninstall:
	rm -f $(DESTDIR)$(INCLUDEDIR)/trampfd.h $(DESTDIR)$(INCLUDEDIR)/linux/trampfd.h \
		$(DESTDIR)$(LIBDIR)/$(SONAME) $(DESTDIR)$(LIBDIR)/libtrampfd.so $(DESTDIR)$(LIBDIR)/libtrampfd.a \
		$(DESTDIR)$(LIBDIR)/pkgconfig/trampfd.pc $(DESTDIR)$(BINDIR)/trampfd \
		$(foreach m,$(wildcard man/*.[137]),$(DESTDIR)$(MANDIR)/man$(subst .,,$(suffix $(m)))/$(notdir $(m)))
	@if [ -z "$(DESTDIR)" ] && $(LD_PATH_HAS_LIBDIR); then ldconfig; fi

clean:
	rm -rf $(B)

# Fragments: test suite (mk/test.mk), module and guest (mk/kernel.mk),
# benchmarks (mk/bench.mk), one more per directory of checks
# (test/*/rules.mk). Each appends its steps to CHECK_STEPS / BENCH_STEPS,
# and a step that boots a QEMU guest to CHECK_GUESTS too.
CHECK_STEPS :=
CHECK_GUESTS :=
BENCH_STEPS :=

# What several fragments use is defined here, before any of them is read,
# so no fragment depends on the order they are read in.
# trampfd.ko's sources with kernel/arch/$(1)/ (x86, arm64), for every
# module build in mk/.
kmod_src = $(filter-out %.mod.c,$(wildcard kernel/*.c kernel/*.h kernel/arch/$(1)/*.[ch])) \
	kernel/Kbuild include/linux/trampfd.h include/linux/trampfd_contract.h
# The conformance suite's helpers (test/lib), linked by every test program
# of mk/test.mk, mk/sanitize.mk and test/*/rules.mk.
TEST_LIB_OBJ := $(patsubst test/lib/%.c,$(B)/test-obj/lib/%.o,$(wildcard test/lib/*.c)) \
	$(patsubst test/lib/%.S,$(B)/test-obj/lib/%.o,$(wildcard test/lib/*.S))
TEST_CFLAGS = $(ALL_CFLAGS) -Itest/lib
# $(call run_cells,DIR,PREFIX,CELLS[,--mdwe]): test/runner.sh over the
# programs in DIR for each cell. The runner writes every result line, with
# PREFIX in front of the cell ("PASS tamper-user-fault/x"), to stdout and
# results.txt: the one place lines are labelled.
define run_cells
	@for c in $(3); do \
		TRAMPFD_TESTDIR=$(1) TRAMPFD_MDWE_RUN=$(abspath $(B))/test-bin/mdwe-run \
			TRAMPFD_PREFIX=$(2) TRAMPFD_RESULTS=$(abspath $(B))/results.txt \
			sh test/runner.sh $$c $(4); \
	done
endef
# The newest of some kernel images by version (6.1.0-13 after 6.1.0-9).
newest = $(lastword $(shell printf '%s\n' $(1) | sort -V))

-include $(sort $(wildcard mk/*.mk)) $(sort $(wildcard test/*/rules.mk))

# make check runs the steps in CHECK_ORDER first, in that order, the basic
# suite first: the user cells, then the unit, fuzz, sanitizer and security
# checks, the cross build, then the guests (slowest). A step a fragment
# appends (CHECK_STEPS += check-foo) that CHECK_ORDER does not name runs
# after them, in the order the fragments are read; name it here to place it.
# A step in CHECK_ORDER that no fragment defines is not run.
CHECK_ORDER := check-user check-code-unit check-fuzz check-sanitize check-tamper \
	check-inject check-stress check-policy check-install check-aarch64 \
	check-checkpatch check-vm check-vm-arm64 check-vm-612 check-vm-arm64-612
CHECK_RUN = $(filter $(CHECK_STEPS),$(CHECK_ORDER)) $(filter-out $(CHECK_ORDER),$(CHECK_STEPS))
#
# Two lanes, so both cores work: a guest under TCG keeps about one busy (an
# x86_64 guest runs on one host thread), as does most of a host step. Every
# guest is built first, one after the other (their builds share the test
# programs), then the guests boot in turn, in CHECK_RUN's order, while the
# host steps run in theirs; the guests' output follows the host steps'.
# Neither lane builds what the other uses: a guest boots only what was built
# for it, and the host steps build in their own directories. CHECK_LANES=1
# runs every step in one lane, in CHECK_RUN's order.
CHECK_LANES ?= 2
CHECK_HOST = $(filter-out $(CHECK_GUESTS),$(CHECK_RUN))
CHECK_VMS = $(filter $(CHECK_GUESTS),$(CHECK_RUN))

check: all
	@rm -f $(B)/results.txt $(B)/check-guests.log
ifeq ($(CHECK_LANES),1)
	@set -e; for s in $(CHECK_RUN); do $(MAKE) --no-print-directory $$s; done
else
	@set -e; for s in $(CHECK_VMS); do $(MAKE) --no-print-directory VM_ONLY=build $$s; done
	@(for s in $(CHECK_VMS); do $(MAKE) --no-print-directory VM_ONLY=boot $$s || exit 1; done) \
		>$(B)/check-guests.log 2>&1 & g=$$!; st=0; \
	for s in $(CHECK_HOST); do $(MAKE) --no-print-directory $$s || { st=1; break; }; done; \
	wait $$g || st=1; echo "== the guests (also in $(B)/check-guests.log) =="; \
	cat $(B)/check-guests.log; exit $$st
endif
	@sh test/summary.sh $(B)/results.txt

bench: all
	@set -e; for s in $(BENCH_STEPS); do $(MAKE) --no-print-directory $$s; done
