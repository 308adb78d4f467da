# SPDX-License-Identifier: MIT
# Sanitizer builds of the library and the whole conformance suite, each in
# its own tree ($(B)/asan: ASan+UBSan, $(B)/tsan: TSan), run by
# test/runner.sh for the user cells. Result lines go to $(B)/results.txt
# with the sanitizer as a prefix of the cell: "PASS asan-user-fault/fork".
# Any sanitizer report aborts the test, so it turns into a FAIL.
SAN_CC ?= clang
SAN_CELLS ?= user-fault user-code
SAN_TIMEOUT ?= 60
SAN_asan_FLAGS := -fsanitize=address,undefined -fno-sanitize-recover=undefined
SAN_tsan_FLAGS := -fsanitize=thread
# handle_segv=0: the user-fault cell emulates calls in its own SIGSEGV
# handler, which the sanitizer's handler would otherwise pre-empt.
SAN_asan_ENV := ASAN_OPTIONS=handle_segv=0:allow_user_segv_handler=1:abort_on_error=1:halt_on_error=1:detect_leaks=1 \
	UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1
SAN_tsan_ENV = TSAN_OPTIONS=handle_segv=0:halt_on_error=1:abort_on_error=1:suppressions=$(abspath $(B))/tsan.supp
# One suppression: after a fork, the first write moves the store to a new
# memfd by mmap(MAP_FIXED) over the read-only view with the same bytes
# (src/user/store.c map_view); TSan counts that mmap as a write racing
# with the fault handler's reads of the view.
define SAN_TSAN_SUPP
race:map_view
endef
export SAN_TSAN_SUPP

# Exactly the (sanitizer, cell, test) triples a sanitizer cannot follow,
# each reported as a SKIP line with its reason; "*" matches every cell.
define SAN_EXCLUDE
asan * ctx-not-writable scans every writable mapping, ASan's shadow included, and an instrumented load of shadow memory faults in ASan's shadow gap
asan * scale counts /proc/self/maps lines, and ASan's allocator maps size-class regions of its own during the test
asan * max-table counts /proc/self/maps lines, and ASan's allocator maps size-class regions of its own during the test
tsan * ctx-not-writable scans every writable mapping, which under TSan includes terabytes of shadow (times out)
tsan * scale counts /proc/self/maps lines, and TSan's allocator and shadow add mappings of their own during the test
tsan * stress counts /proc/self/maps lines, and TSan's allocator and shadow add mappings of their own during the test
tsan * max-table counts /proc/self/maps lines, and TSan's allocator and shadow add mappings of their own during the test
tsan * no-tmp-files TSan itself maps /tmp/tsan.rodata.* files into every process
tsan user-fault signal-call calls from SIGUSR1/SIGALRM handlers, which TSan runs inside its own handler with every signal blocked, so the trampoline's SIGSEGV is fatal
tsan user-fault stack-data calls from a SIGUSR1 handler, which TSan runs inside its own handler with every signal blocked, so the trampoline's SIGSEGV is fatal
asan * closure-tamper scans every writable mapping, ASan's shadow included, and an instrumented load of shadow memory faults in ASan's shadow gap
tsan * closure-tamper scans every writable mapping, which under TSan includes terabytes of shadow (times out)
tsan user-fault closure-signal calls from a SIGUSR1 handler, which TSan runs inside its own handler with every signal blocked, so the trampoline's SIGSEGV is fatal
tsan * chain-flags checks the signal mask a SA_NODEFER SIGSEGV handler runs with, and TSan runs every handler inside its own with every signal blocked
asan * fork-locks forks while other threads allocate, and clang 14's ASan allocator holds no lock across fork: a child's malloc can wait forever on a size-class lock another thread held (seen in gdb: __sanitizer::Semaphore::Wait under asan_malloc)
tsan * fork-locks forks while other threads allocate, and clang 14's TSan allocator holds no lock across fork either: a child's malloc can wait forever on a size-class lock another thread held (seen in gdb: __sanitizer::Semaphore::Wait in SizeClassAllocator64<__tsan::AP64>::GetFromAllocator under malloc, 2 of 12 runs under load)
tsan user-code atomic-signal TSan delivers an asynchronous signal at its own interceptors only and runs every handler with every signal blocked: callers spinning in trampolines and a 1 ms SIGUSR1 handler hold the grace signal off past the 2 s CPU bound, so rewrites fail -EAGAIN as documented for such a thread
endef
export SAN_EXCLUDE

.PHONY: check-sanitize sanitize-build-asan sanitize-build-tsan

# $(1): asan or tsan. Builds the library and every test program in $(B)/$(1).
define SAN_BUILD
sanitize-build-$(1):
	@mkdir -p $$(B) && $$(MAKE) --no-print-directory B=$$(B)/$(1) CC=$$(SAN_CC) \
		CFLAGS='-O1 -g -fno-omit-frame-pointer $$(SAN_$(1)_FLAGS)' \
		LDFLAGS='$$(SAN_$(1)_FLAGS)' TEST_LDSTATIC= \
		$$(patsubst test/%.c,$$(B)/$(1)/test/%,$$(TEST_SRC)) >$$(B)/$(1)-build.log 2>&1 || \
		{ echo "FAIL $(1)-build: see $$(B)/$(1)-build.log"; \
		  echo "FAIL $(1)-build: see $$(B)/$(1)-build.log" >>$$(B)/results.txt; tail -n 20 $$(B)/$(1)-build.log; }
endef
$(eval $(call SAN_BUILD,asan))
$(eval $(call SAN_BUILD,tsan))

# Runs one sanitizer tree: $(1) = asan or tsan.
define SAN_RUN
	@mkdir -p $(B)/$(1)/run; \
	for c in $(SAN_CELLS); do \
		d=$(B)/$(1)/run/$$c; rm -rf $$d; mkdir -p $$d; \
		for t in $(B)/$(1)/test/*; do \
			n=$${t##*/}; why=$$(printf '%s\n' "$$SAN_EXCLUDE" | \
				awk -v s=$(1) -v c=$$c -v n=$$n '$$1 == s && ($$2 == "*" || $$2 == c) && $$3 == n { $$1 = $$2 = $$3 = ""; sub(/^ +/, ""); print; exit }'); \
			if [ -n "$$why" ]; then \
				echo "SKIP $(1)-$$c/$$n: $(1) excluded: $$why" | tee -a $(B)/results.txt; \
			else \
				ln -s "$$(cd $${t%/*} && pwd)/$$n" $$d/$$n; \
			fi; \
		done; \
		env $(SAN_$(1)_ENV) TRAMPFD_TIMEOUT=$(SAN_TIMEOUT) TRAMPFD_TESTDIR=$$d \
			TRAMPFD_PREFIX=$(1)- TRAMPFD_RESULTS=$(abspath $(B))/results.txt \
			sh test/runner.sh $$c; \
	done
endef

check-sanitize: sanitize-build-asan sanitize-build-tsan
	@printf '%s\n' "$$SAN_TSAN_SUPP" >$(B)/tsan.supp
	$(call SAN_RUN,asan)
	$(call SAN_RUN,tsan)

CHECK_STEPS += check-sanitize
