# SPDX-License-Identifier: MIT
# libtrampfd-ffi against stock libffi (bench/ffi_bench.c), in make bench;
# the table also goes to $(B)/bench-ffi.md.
$(B)/bench/ffi_bench: bench/ffi_bench.c bench/bench.h $(FFI_LIB)
	@mkdir -p $(@D)
	$(CC) $(BENCH_CFLAGS) -Wno-deprecated-declarations -o $@ $< -L$(B) -ltrampfd-ffi -ltrampfd \
		-lffi -ldl -Wl,-rpath,$(abspath $(B)) $(LDFLAGS)

.PHONY: bench-ffi
bench-ffi:
	@if [ "$(FFI_HAVE)" != y ]; then echo "bench-ffi: no <ffi.h> (libffi-dev): not run"; exit 0; fi; \
	$(MAKE) --no-print-directory $(B)/bench/ffi_bench >/dev/null && \
	{ $(BENCH_MACHINE); echo; LD_LIBRARY_PATH=$(abspath $(B)) $(B)/bench/ffi_bench; } | tee $(B)/bench-ffi.md

BENCH_STEPS += bench-ffi
