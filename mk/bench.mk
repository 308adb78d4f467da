# SPDX-License-Identifier: MIT
# Benchmarks: goals are checked here, never by timed unit tests.
# `make bench` writes each table to $(B)/bench-*.md as well; README quotes them.
BENCH_CFLAGS = $(ALL_CFLAGS) -fvisibility=default -Ibench
BENCH_MACHINE = echo "machine: $$(uname -m), $$(nproc) cpus, kernel $$(uname -r), $$(date -u +%F)"

$(B)/bench/fault_bench: bench/fault_bench.c bench/bench.h $(STLIB)
	@mkdir -p $(@D)
	$(CC) $(BENCH_CFLAGS) -o $@ $< $(STLIB) $(LDFLAGS)
$(B)/bench/code_bench: bench/code_bench.c bench/anchors.c bench/anchors.h bench/bench.h $(STLIB)
	@mkdir -p $(@D)
	$(CC) $(BENCH_CFLAGS) -o $@ bench/code_bench.c bench/anchors.c $(STLIB) \
		-lffi -ltrampoline $(LDFLAGS)
# GCC nested functions need an executable stack: their own process only.
$(B)/bench/nested: bench/nested.c bench/bench.h
	@mkdir -p $(@D)
	$(CC) $(CFLAGS) -Ibench -z execstack -o $@ $<

.PHONY: bench-fault bench-code
bench-fault: $(B)/bench/fault_bench
	@{ $(BENCH_MACHINE); echo; $(B)/bench/fault_bench; } | tee $(B)/bench-fault.md
bench-code: $(B)/bench/code_bench $(B)/bench/nested
	@$(B)/bench/nested > $(B)/bench-nested.txt
	@{ $(BENCH_MACHINE); echo; $(B)/bench/code_bench $(B)/bench-nested.txt; } | tee $(B)/bench-code.md

BENCH_STEPS += bench-fault bench-code
