# SPDX-License-Identifier: MIT
# Closures (trampfd_closure_create(3)): the examples built against the
# shared library and run, and a closure's thread exiting after dlclose,
# one result line each (the closure tests themselves are
# test/closure-*.c, in the conformance suite).
#   make check-closure-examples    examples/... and closure/dlclose lines, a second or two
CLOSURE_EXAMPLES := closure qsort registry
CLOSURE_EX_BIN = $(addprefix $(B)/examples/,$(CLOSURE_EXAMPLES))

$(B)/examples/%: examples/%.c $(SHLIB) include/trampfd.h
	@mkdir -p $(@D)
	$(CC) $(CFLAGS) $(WARN) -Werror -Iinclude -o $@ $< -L$(B) -ltrampfd \
		-Wl,-rpath,$(abspath $(B))

$(B)/test-bin/closure-dlclose: test/dl/closure-dlclose.c include/trampfd.h
	@mkdir -p $(@D)
	$(CC) $(CFLAGS) $(WARN) -Werror -Iinclude -pthread -o $@ $< -ldl

.PHONY: check-closure-examples
check-closure-examples: $(CLOSURE_EX_BIN) $(B)/test-bin/closure-dlclose $(SHLIB)
	@r=$(abspath $(B))/results.txt; \
	for e in $(CLOSURE_EXAMPLES) dlclose; do \
		p=$(B)/examples/$$e; n=examples/$$e; \
		if [ $$e = dlclose ]; then p="$(B)/test-bin/closure-dlclose $(abspath $(SHLIB))"; n=closure/dlclose; fi; \
		if out=$$(timeout 60 $$p 2>&1); then \
			echo "PASS $$n: $$(printf '%s\n' "$$out" | tail -n 1)"; \
		else echo "FAIL $$n: exit $$?: $$(printf '%s\n' "$$out" | tail -n 1)"; fi | tee -a $$r; \
	done

CHECK_STEPS += check-closure-examples

# Issue 11's table (bench/closure_bench.c): closures against a plain call,
# libffi, two pwrites to a memfd, one thread; private memory at 10M live.
$(B)/bench/closure_bench: bench/closure_bench.c bench/anchors.c bench/anchors.h bench/bench.h $(STLIB)
	@mkdir -p $(@D)
	$(CC) $(BENCH_CFLAGS) -o $@ bench/closure_bench.c bench/anchors.c $(STLIB) \
		-lffi -ltrampoline $(LDFLAGS)
.PHONY: bench-closure
bench-closure: $(B)/bench/closure_bench
	@{ $(BENCH_MACHINE); echo; $(B)/bench/closure_bench; } | tee $(B)/bench-closure.md

BENCH_STEPS += bench-closure
