# SPDX-License-Identifier: MIT
# Policy matrix (test/policy/), included by mk/sanitize.mk: the suite and
# the probe under each policy of policy-run.c, by matrix.sh.
$(B)/policy/policy-run: test/policy/policy-run.c
	@mkdir -p $(@D)
	$(CC) $(ALL_CFLAGS) -static -o $@ $< $(LDFLAGS)

.PHONY: check-policy
$(B)/policy/trampfd-static: tools/trampfd.c $(STLIB)
	@mkdir -p $(@D)
	$(CC) $(ALL_CFLAGS) -fvisibility=default -static -o $@ $< $(STLIB) $(LDFLAGS)

check-policy: $(B)/policy/policy-run $(B)/policy/trampfd-static test-build $(TOOL)
	@TRAMPFD_RESULTS=$(B)/results.txt sh test/policy/matrix.sh $(B)

CHECK_STEPS += check-policy
