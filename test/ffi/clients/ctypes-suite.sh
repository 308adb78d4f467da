#!/bin/sh
# SPDX-License-Identifier: MIT
# CPython's own ctypes tests (Debian's libpython3.11-testsuite).
/usr/bin/python3 -c 'import ctypes.test' 2>/dev/null ||
	{ echo "no ctypes tests (libpython3.11-testsuite)" >&2; exit 77; }
out=$(/usr/bin/python3 -m test test_ctypes 2>&1)
rc=$?
echo "$out" | grep -E "Tests result|test_ctypes failed \(" | sort | tail -n 1 >&2
[ "$rc" = 0 ] && echo "trampfd-test: done"
exit "$rc"
