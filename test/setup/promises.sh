#!/bin/sh
# SPDX-License-Identifier: MIT
# promises.sh RESULTS TOOL: what docs/security.md says a program is told
# is still told: the grace signal, -EBUSY and the fault cell's need for
# SIGSEGV in the man pages, and that need in `trampfd probe` (TOOL). One
# line: PASS/FAIL docs/promises, naming each promise that went missing.
r=$1 tool=$2
tmp=$(mktemp -d) || exit 1
trap 'rm -rf "$tmp"' EXIT
miss=
# page (rendered on one line per paragraph, spaces squeezed) must match ERE
want() {
	LC_ALL=C.UTF-8 MANWIDTH=2000 man -l "man/$1" 2>/dev/null | tr -s ' ' >"$tmp/page"
	grep -Eq "$2" "$tmp/page" || miss="$miss; $1: /$2/"
}
want trampfd.7 'The grace signal'
want trampfd.7 'signal is SIGRTMAX - 4'
want trampfd.7 'TRAMPFD_GRACE_SIGNAL'
want trampfd.7 'EBUSY'
want trampfd.7 'thread that blocks SIGSEGV.*ends the process'
want trampfd_create.3 'EBUSY'
want trampfd_create.3 'thread that blocks SIGSEGV'
want trampfd_pwrite.3 'EBUSY'
want trampfd_pwrite.3 'EAGAIN'
want trampfd_pwrite.3 'grace signal'
"$tool" probe >"$tmp/probe" 2>&1
grep -q 'SIGSEGV blocked ends the process' "$tmp/probe" ||
	miss="$miss; trampfd probe: /SIGSEGV blocked ends the process/"
if [ -n "$miss" ]; then echo "FAIL docs/promises: missing${miss#;}" | tee -a "$r"
else echo "PASS docs/promises" | tee -a "$r"; fi
