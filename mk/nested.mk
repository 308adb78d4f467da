# SPDX-License-Identifier: MIT
# libtrampfd-nested.so.0 (nested/): GCC nested functions without an
# executable stack. The heap ABI of gcc >= 14 (-ftrampoline-impl=heap)
# over closures, and, loaded with the program, emulation of the stack
# trampolines older binaries write (trampfd-nested(7)).
NESTED_SONAME := libtrampfd-nested.so.$(VERSION_MAJOR)
NESTED_LIB := $(B)/$(NESTED_SONAME)
NESTED_C := $(wildcard nested/*.c) nested/arch/$(ARCH)/form.c
NESTED_OBJ := $(patsubst %.c,$(B)/pic/%.o,$(NESTED_C))
$(NESTED_OBJ): ALL_CFLAGS += -Inested
$(NESTED_OBJ): nested/nested.h

$(NESTED_LIB): $(NESTED_OBJ) $(SHLIB_OBJ_$(ARCH)) nested/libtrampfd-nested.map $(SHLIB)
	$(CC) -shared -Wl,-soname,$(NESTED_SONAME) -Wl,--version-script=nested/libtrampfd-nested.map \
		-Wl,-z,defs -Wl,-z,noexecstack $(SHLIB_LDFLAGS_$(ARCH)) -pthread \
		-o $@ $(NESTED_OBJ) $(SHLIB_OBJ_$(ARCH)) -L$(B) -ltrampfd -ldl \
		-Wl,-rpath,'$$ORIGIN' $(LDFLAGS)

.PHONY: nested-lib
nested-lib: $(NESTED_LIB)
all: nested-lib
