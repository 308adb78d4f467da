# SPDX-License-Identifier: MIT
# Closures (trampfd_closure_create(3)): the examples built against the
# shared library and run, one result line each (the closure tests
# themselves are test/closure-*.c, in the conformance suite).
#   make check-closure-examples    examples/closure/... lines, a second or two
CLOSURE_EXAMPLES := closure qsort registry
CLOSURE_EX_BIN = $(addprefix $(B)/examples/,$(CLOSURE_EXAMPLES))

$(B)/examples/%: examples/%.c $(SHLIB) include/trampfd.h
	@mkdir -p $(@D)
	$(CC) $(CFLAGS) $(WARN) -Werror -Iinclude -o $@ $< -L$(B) -ltrampfd \
		-Wl,-rpath,$(abspath $(B))

.PHONY: check-closure-examples
check-closure-examples: $(CLOSURE_EX_BIN)
	@r=$(abspath $(B))/results.txt; \
	for e in $(CLOSURE_EXAMPLES); do \
		if out=$$(timeout 60 $(B)/examples/$$e 2>&1); then \
			echo "PASS examples/$$e: $$(printf '%s\n' "$$out" | tail -n 1)"; \
		else echo "FAIL examples/$$e: exit $$?: $$(printf '%s\n' "$$out" | tail -n 1)"; fi | tee -a $$r; \
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
