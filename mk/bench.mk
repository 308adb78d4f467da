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

# The fast slot against a plain call on this CPU, and on aarch64 under
# qemu-user (ratios only: emulation distorts absolute times).
$(B)/bench/slot_bench: bench/slot_bench.c bench/bench.h $(STLIB)
	@mkdir -p $(@D)
	$(CC) $(BENCH_CFLAGS) -o $@ $< $(STLIB) $(LDFLAGS)
.PHONY: bench-slot bench-aarch64
bench-slot: $(B)/bench/slot_bench
	@{ $(BENCH_MACHINE); echo; $(B)/bench/slot_bench; } | tee $(B)/bench-slot.md
bench-aarch64:
	@$(MAKE) --no-print-directory aarch64-build >/dev/null
	@$(MAKE) --no-print-directory ARCH=aarch64 CROSS=$(A64_CROSS) CC=$(A64_CROSS)gcc \
		AR=$(A64_CROSS)ar B=$(A64_B) LDFLAGS=-static $(A64_B)/bench/slot_bench >/dev/null
	@{ echo "machine: aarch64 under $$($(A64_EMU) --version | head -n 1) on $$(uname -m), $$(nproc) cpus, $$(date -u +%F)"; \
		echo; $(A64_EMU) $(A64_B)/bench/slot_bench -r; } | tee $(B)/bench-aarch64.md

BENCH_STEPS += bench-slot bench-aarch64
