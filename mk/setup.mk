# SPDX-License-Identifier: MIT
# What a user meets first: the README's set-up commands (and .ci/run's
# apt sources), the man pages and the promises they must state, make
# install's ldconfig and rpath, and the README's example built with every
# warning ISO C has (TRAMPFD_REGS_CTX keeps it clean). A few seconds once the library is built.
.PHONY: check-setup
check-setup: all
	@r=$(B)/results.txt; sh test/setup/readme.sh $$r; sh test/setup/apt-sources.sh $$r; \
	sh test/setup/man.sh $$r tree $(wildcard man/*.[137]); sh test/setup/promises.sh $$r $(B)/trampfd; \
	rm -rf $(B)/man-inst && $(MAKE) --no-print-directory -s install DESTDIR=$(abspath $(B)/man-inst) \
		PREFIX=/usr >/dev/null && sh test/setup/man.sh $$r installed $(B)/man-inst/usr/share/man/man*/*; \
	CC=$(CC) sh test/setup/ldconfig.sh $$r $(B); \
	if $(CC) -std=c11 -Wall -Wextra -Wpedantic -Werror -Iinclude -o $(B)/example-pedantic \
		examples/table.c $(STLIB) -pthread && $(B)/example-pedantic >/dev/null; \
	then echo "PASS setup/example-pedantic" | tee -a $$r; \
	else echo "FAIL setup/example-pedantic: examples/table.c warns under -std=c11 -Wpedantic, or fails" | tee -a $$r; fi

CHECK_STEPS += check-setup
