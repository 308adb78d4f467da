# SPDX-License-Identifier: MIT
# The Debian packages (debian/): built from a clean clone of HEAD, linted,
# installed, used and purged by test/setup/deb.sh (its comment says why
# for real). 30 s to 1.5 min here; every command in it has a timeout, the
# whole step at most 30 minutes.
.PHONY: check-deb
check-deb:
	@timeout 1800 sh test/setup/deb.sh $(B)/results.txt $(B) $(KVER) || \
		echo "FAIL deb/step: test/setup/deb.sh did not finish (timeout 1800 s)" | tee -a $(B)/results.txt

CHECK_STEPS += check-deb
