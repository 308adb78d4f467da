# SPDX-License-Identifier: MIT
# libFuzzer targets (fuzz/*.c) over the library's own objects, built with
# clang, ASan and UBSan in $(B)/fuzz/. check-fuzz runs each target for
# FUZZ_TIME seconds from its committed seed corpus (fuzz/corpus/<target>/);
# new inputs go to $(B)/fuzz/corpus/, never into the source tree.
# A long run, by hand (one job; merge what it finds back with -merge=1):
#   ASAN_OPTIONS=handle_segv=0:abort_on_error=1 $(B)/fuzz/api_seq \
#       -max_total_time=3600 NEWDIR fuzz/corpus/api_seq
FUZZ_CC ?= clang
FUZZ_TIME ?= 20
FUZZ_SAN := -fsanitize=address,undefined -fno-sanitize-recover=undefined
FUZZ_CFLAGS := -O1 -g -fno-omit-frame-pointer $(FUZZ_SAN) $(WARN) -std=gnu11 \
	-D_GNU_SOURCE -fno-strict-aliasing -Iinclude -Isrc -Isrc/arch/$(ARCH) \
	-Isrc/user-code/arch/$(ARCH) -pthread
FUZZ_OBJ := $(patsubst %.c,$(B)/fuzz/obj/%.o,$(LIB_C)) $(patsubst %.S,$(B)/fuzz/obj/%.o,$(LIB_S))
FUZZ_TARGETS := $(patsubst fuzz/%.c,%,$(wildcard fuzz/*.c))
FUZZ_BIN := $(patsubst %,$(B)/fuzz/%,$(FUZZ_TARGETS))
# Per-arch call harness, linked into every target.
FUZZ_HARNESS := $(patsubst %.S,$(B)/fuzz/obj/%.o,$(wildcard fuzz/*_$(ARCH).S))
# The user-fault cell emulates calls in a SIGSEGV handler: ASan's must be off.
FUZZ_ASAN := handle_segv=0:abort_on_error=1:halt_on_error=1:detect_leaks=1:allow_user_segv_handler=1
FUZZ_UBSAN := halt_on_error=1:print_stacktrace=1

.PHONY: fuzz-build check-fuzz
.SECONDARY: $(FUZZ_OBJ) $(FUZZ_HARNESS) $(patsubst %,$(B)/fuzz/obj/fuzz/%.o,$(FUZZ_TARGETS))
fuzz-build: $(FUZZ_BIN)

$(B)/fuzz/obj/%.o: %.c $(wildcard fuzz/*.h) $(LIB_H)
	@mkdir -p $(@D)
	$(FUZZ_CC) $(FUZZ_CFLAGS) -fsanitize=fuzzer-no-link -c $< -o $@
$(B)/fuzz/obj/%.o: %.S
	@mkdir -p $(@D)
	$(FUZZ_CC) $(FUZZ_CFLAGS) $(ASFLAGS_ALL) -c $< -o $@
$(B)/fuzz/%: $(B)/fuzz/obj/fuzz/%.o $(FUZZ_OBJ) $(FUZZ_HARNESS)
	$(FUZZ_CC) $(FUZZ_CFLAGS) -fsanitize=fuzzer -Wl,-z,noexecstack -o $@ $^

# One line per target into results.txt; a crash, leak or sanitizer report
# fails it. Without the compiler: one SKIP line, and make check goes on.
FUZZ_HAVE_CC := $(shell command -v $(FUZZ_CC) 2>/dev/null)
ifeq ($(FUZZ_HAVE_CC),)
check-fuzz:
	@echo "SKIP fuzz/all: $(FUZZ_CC) not found (libFuzzer needs clang)" | tee -a $(B)/results.txt
else
check-fuzz: $(FUZZ_BIN)
	@for t in $(FUZZ_TARGETS); do \
		sh fuzz/run.sh $(B)/fuzz/$$t fuzz/corpus/$$t $(B)/fuzz/corpus/$$t \
			$(FUZZ_TIME) $(B)/results.txt '$(FUZZ_ASAN)' '$(FUZZ_UBSAN)'; \
	done
endif

CHECK_STEPS += check-fuzz
