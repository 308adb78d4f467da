# SPDX-License-Identifier: MIT
# Benchmarks: goals are checked here, never by timed unit tests.
BENCH_CFLAGS = $(ALL_CFLAGS) -fvisibility=default -Ibench
$(B)/bench/%: bench/%.c bench/bench.h $(STLIB)
	@mkdir -p $(@D)
	$(CC) $(BENCH_CFLAGS) -o $@ $< $(STLIB) $(LDFLAGS)

.PHONY: bench-fault
bench-fault: $(B)/bench/fault_bench
	@echo "== user-fault ($$(uname -m), $$(nproc) cpus, $$(uname -r)) =="
	@$(B)/bench/fault_bench | tee $(B)/bench-fault.md

BENCH_STEPS += bench-fault
