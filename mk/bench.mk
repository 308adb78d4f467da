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

# The user-code cell's own measurements: call cost per bank kind and a
# trampoline's and a table's life (uc_calls, plain and FASTWRITE), a table
# of 2^20 (uc_big), write + call + remove in 1 and 2 threads (uc_churn),
# rewrites of slots other threads call, fast and general path (uc_grace).
UC_BENCH := $(addprefix $(B)/bench/,uc_calls uc_big uc_churn uc_grace)
$(B)/bench/uc_%: bench/uc_%.c $(STLIB)
	@mkdir -p $(@D)
	$(CC) $(BENCH_CFLAGS) -o $@ $< $(STLIB) $(LDFLAGS)
.PHONY: bench-user-code
bench-user-code: $(UC_BENCH)
	@{ $(BENCH_MACHINE); echo; cd $(B)/bench; ./uc_calls 20000000; \
		./uc_calls 20000000 fastwrite | tail -n 2; ./uc_big 20; ./uc_churn; \
		./uc_grace 1 0; ./uc_grace 1 1; } | tee $(B)/bench-user-code.md

BENCH_STEPS += bench-user-code
