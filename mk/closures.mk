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
