# SPDX-License-Identifier: MIT
# Policy matrix (test/policy/), included by mk/sanitize.mk: the suite and
# the probe under each policy of policy-run.c, by matrix.sh.
$(B)/policy/policy-run: test/policy/policy-run.c
	@mkdir -p $(@D)
	$(CC) $(ALL_CFLAGS) -static -o $@ $< $(LDFLAGS)

.PHONY: check-policy
$(B)/policy/trampfd-static: $(wildcard tools/*.c tools/*.h) $(STLIB)
	@mkdir -p $(@D)
	$(CC) $(ALL_CFLAGS) -fvisibility=default -static -o $@ $(filter %.c,$^) $(STLIB) $(LDFLAGS)

check-policy: $(B)/policy/policy-run $(B)/policy/trampfd-static test-build $(TOOL)
	@TRAMPFD_RESULTS=$(B)/results.txt sh test/policy/matrix.sh $(B)

CHECK_STEPS += check-policy
