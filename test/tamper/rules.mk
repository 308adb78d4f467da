# SPDX-License-Identifier: MIT
# Tamper tests (test/tamper/*.c), included by mk/sanitize.mk: each program
# runs under test/runner.sh for the user cells, plain and under PR_SET_MDWE.
TAMPER_BIN := $(patsubst test/tamper/%.c,$(B)/tamper/%,$(wildcard test/tamper/*.c))

$(B)/tamper/%: test/tamper/%.c $(SEC_TLIB) $(STLIB) test/lib/t.h
	@mkdir -p $(@D)
	$(CC) $(SEC_CFLAGS) -static -pthread -Wl,-z,noexecstack -o $@ $< $(SEC_TLIB) $(STLIB) $(LDFLAGS)

.PHONY: check-tamper
check-tamper: $(TAMPER_BIN) $(B)/test-bin/mdwe-run
	$(call SEC_RUNNER,$(B)/tamper,tamper-,user-fault user-code)
	@for c in user-fault user-code; do \
		rm -f $(B)/tamper.results; \
		TRAMPFD_TESTDIR=$(B)/tamper TRAMPFD_MDWE_RUN=$(B)/test-bin/mdwe-run \
			TRAMPFD_RESULTS=$(B)/tamper.results sh test/runner.sh $$c --mdwe >/dev/null; \
		sed 's/^\(PASS\|FAIL\|SKIP\) /\1 tamper-/' $(B)/tamper.results | tee -a $(B)/results.txt; \
	done

CHECK_STEPS += check-tamper
