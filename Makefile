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
ALL_CFLAGS := $(CFLAGS) $(WARN) -std=gnu11 -D_GNU_SOURCE -fno-strict-aliasing \
	-Iinclude -Isrc -Isrc/arch/$(ARCH) -fvisibility=hidden -pthread
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

# Per-arch sources live in src/arch/$(ARCH)/ and are picked by the build.
LIB_C := $(wildcard src/*.c) $(wildcard src/arch/$(ARCH)/*.c)
LIB_S := $(wildcard src/arch/$(ARCH)/*.S)
LIB_OBJ_PIC := $(patsubst %.c,$(B)/pic/%.o,$(LIB_C)) $(patsubst %.S,$(B)/pic/%.o,$(LIB_S))
LIB_OBJ := $(patsubst %.c,$(B)/static/%.o,$(LIB_C)) $(patsubst %.S,$(B)/static/%.o,$(LIB_S))
SONAME := libtrampfd.so.$(VERSION_MAJOR)
SHLIB := $(B)/$(SONAME)
STLIB := $(B)/libtrampfd.a
TOOL := $(B)/trampfd

.PHONY: all lib tool install check bench clean
all: lib tool
lib: $(SHLIB) $(STLIB)
tool: $(TOOL)

$(B)/pic/%.o: %.c $(wildcard src/*.h src/arch/$(ARCH)/*.h include/*.h include/linux/*.h) Makefile
	@mkdir -p $(@D)
	$(CC) $(ALL_CFLAGS) -fPIC -c $< -o $@
$(B)/pic/%.o: %.S Makefile
	@mkdir -p $(@D)
	$(CC) $(ALL_CFLAGS) $(ASFLAGS_ALL) -fPIC -c $< -o $@
$(B)/static/%.o: %.c $(wildcard src/*.h src/arch/$(ARCH)/*.h include/*.h include/linux/*.h) Makefile
	@mkdir -p $(@D)
	$(CC) $(ALL_CFLAGS) -c $< -o $@
$(B)/static/%.o: %.S Makefile
	@mkdir -p $(@D)
	$(CC) $(ALL_CFLAGS) $(ASFLAGS_ALL) -c $< -o $@

# -z nodelete: dlclose leaves the library mapped, since live closures and
# tables may run its code and threads may still run its TLS destructor.
$(SHLIB): $(LIB_OBJ_PIC) $(SHLIB_OBJ_$(ARCH)) src/libtrampfd.map
	$(CC) -shared -Wl,-soname,$(SONAME) -Wl,--version-script=src/libtrampfd.map \
		-Wl,-z,defs -Wl,-z,noexecstack -Wl,-z,nodelete $(SHLIB_LDFLAGS_$(ARCH)) -pthread \
		-o $@ $(LIB_OBJ_PIC) $(SHLIB_OBJ_$(ARCH)) $(LDFLAGS)
	ln -sf $(SONAME) $(B)/libtrampfd.so
$(STLIB): $(LIB_OBJ)
	rm -f $@ && $(AR) rcs $@ $^

$(TOOL): tools/trampfd.c $(STLIB)
	$(CC) $(ALL_CFLAGS) -fvisibility=default -o $@ $< $(STLIB) $(LDFLAGS)

$(B)/trampfd.pc: trampfd.pc.in
	sed -e 's|@PREFIX@|$(PREFIX)|;s|@LIBDIR@|$(LIBDIR)|;s|@INCLUDEDIR@|$(INCLUDEDIR)|;s|@VERSION@|$(VERSION)|' $< > $@

install: all $(B)/trampfd.pc
	install -d $(DESTDIR)$(LIBDIR)/pkgconfig $(DESTDIR)$(INCLUDEDIR)/linux \
		$(DESTDIR)$(BINDIR) $(DESTDIR)$(MANDIR)/man3 $(DESTDIR)$(MANDIR)/man7
	install -m 644 include/trampfd.h $(DESTDIR)$(INCLUDEDIR)/
	install -m 644 include/linux/trampfd.h $(DESTDIR)$(INCLUDEDIR)/linux/
	install -m 755 $(SHLIB) $(DESTDIR)$(LIBDIR)/
	ln -sf $(SONAME) $(DESTDIR)$(LIBDIR)/libtrampfd.so
	install -m 644 $(STLIB) $(DESTDIR)$(LIBDIR)/
	install -m 644 $(B)/trampfd.pc $(DESTDIR)$(LIBDIR)/pkgconfig/
	install -m 755 $(TOOL) $(DESTDIR)$(BINDIR)/
	install -m 644 $(wildcard man/*.3) $(DESTDIR)$(MANDIR)/man3/
	install -m 644 $(wildcard man/*.7) $(DESTDIR)$(MANDIR)/man7/

clean:
	rm -rf $(B)

# Fragments: test suite (mk/test.mk), module and guest (mk/kernel.mk),
# benchmarks (mk/bench.mk). Each appends to CHECK_STEPS / BENCH_STEPS.
CHECK_STEPS :=
BENCH_STEPS :=
# trampfd.ko's sources with kernel/arch/$(1)/ (x86, arm64): every module
# build in mk/ depends on them, whatever order the fragments are read in.
kmod_src = $(filter-out %.mod.c,$(wildcard kernel/*.c kernel/*.h kernel/arch/$(1)/*.[ch])) \
	kernel/Kbuild include/linux/trampfd.h
-include $(sort $(wildcard mk/*.mk))

check: all
	@rm -f $(B)/results.txt
	@set -e; for s in $(CHECK_STEPS); do $(MAKE) --no-print-directory $$s; done
	@sh test/summary.sh $(B)/results.txt

bench: all
	@set -e; for s in $(BENCH_STEPS); do $(MAKE) --no-print-directory $$s; done
