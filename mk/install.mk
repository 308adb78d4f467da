# SPDX-License-Identifier: MIT
# Install into a staging tree, then build the README's example against it,
# through pkg-config, shared and static: what a user of the package does.
INST := $(B)/inst
.PHONY: check-install
check-install: all
	@rm -rf $(INST)
	@$(MAKE) --no-print-directory -s install DESTDIR=$(abspath $(INST)) PREFIX=/usr >/dev/null
	@pc="env PKG_CONFIG_SYSROOT_DIR=$(abspath $(INST)) PKG_CONFIG_LIBDIR=$(abspath $(INST))/usr/lib/pkgconfig pkg-config"; \
	r=$(B)/results.txt; \
	if $(CC) -o $(B)/example-shared examples/table.c $$($$pc --cflags --libs trampfd) \
		-L$(INST)/usr/lib && LD_LIBRARY_PATH=$(INST)/usr/lib $(B)/example-shared >/dev/null; \
	then echo "PASS install/example-shared" | tee -a $$r; \
	else echo "FAIL install/example-shared: README example failed against the installed library" | tee -a $$r; fi; \
	if $(CC) -static -o $(B)/example-static examples/table.c $$($$pc --cflags --libs --static trampfd) \
		-L$(INST)/usr/lib && $(B)/example-static >/dev/null; \
	then echo "PASS install/example-static" | tee -a $$r; \
	else echo "FAIL install/example-static: README example failed statically linked" | tee -a $$r; fi; \
	for m in $(INST)/usr/share/man/man3/*.3 $(INST)/usr/share/man/man7/*.7; do \
		[ -s "$$m" ] || echo "FAIL install/man: $$m empty" | tee -a $$r; done

CHECK_STEPS += check-install
