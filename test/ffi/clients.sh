#!/bin/sh
# SPDX-License-Identifier: MIT
# clients.sh B: libffi's clients with libtrampfd-ffi ($B/libtrampfd-ffi.so.0
# preloaded), under each policy of policy-run: none, mdwe, mdwe-shared-exec
# (no PROT_EXEC|MAP_SHARED mapping either: stock libffi has no way left);
# then each client with stock libffi under mdwe-shared-exec, which must
# fail (else the policy is not in force and the passes above prove
# nothing). Programs: $B/ffi/test/* (linked before -lffi) and
# test/ffi/clients/* (CPython ctypes, PyGObject, Ruby fiddle). Pass rule as
# test/runner.sh's: exit 0 and a "trampfd-test: done" line; 77 is a skip;
# the reason is the last line of stderr. Lines:
#   PASS|FAIL|SKIP ffi-POLICY/PROGRAM[: reason]
#   PASS|FAIL ffi-stock-mdwe-shared-exec/PROGRAM: what stock libffi did
# appended to $TRAMPFD_RESULTS if set.
B=${1:-build}
lib=$(cd "$B" && pwd)
run=$lib/policy/policy-run
tmo=${TRAMPFD_TIMEOUT:-120}
tmp=${TMPDIR:-/tmp}/trampfd-ffi-clients.$$
mkdir -p "$tmp" || exit 2
trap 'rm -rf "$tmp"' EXIT INT TERM

report() {
	echo "$1"
	[ -n "$TRAMPFD_RESULTS" ] && echo "$1" >>"$TRAMPFD_RESULTS"
}

# one POLICY PROGRAM PROVIDER(1|0): sets rc and why.
one() {
	if [ "$3" = 1 ]; then
		TFFI_PROVIDER=1 LD_LIBRARY_PATH=$lib LD_PRELOAD=$lib/libtrampfd-ffi.so.0 \
			timeout "$tmo" "$run" "$1" "$2" >"$tmp/out" 2>"$tmp/err" </dev/null
	else
		TFFI_PROVIDER=0 LD_LIBRARY_PATH=$lib \
			timeout "$tmo" "$run" "$1" "$2" >"$tmp/out" 2>"$tmp/err" </dev/null
	fi
	rc=$?
	# Ruby reports its own crash ("[BUG] Segmentation fault") and aborts.
	why=$(grep -m 1 '\[BUG\]' "$tmp/err" || grep -v '^[[:space:]]*$' "$tmp/err" | tail -n 1)
	if [ "$rc" = 124 ]; then why="timed out after ${tmo}s"
	elif [ "$rc" -gt 128 ]; then why="killed by signal $((rc - 128))${why:+: $why}"
	elif [ "$rc" = 0 ] && ! grep -q '^trampfd-test: done$' "$tmp/out"; then
		rc=1; why="exit 0 before the end${why:+ (last: $why)}"
	fi
}

progs=
for p in "$B"/ffi/test/* test/ffi/clients/*; do
	case "$p" in *.py | *.rb | *.sh | "$B"/ffi/test/*) [ -x "$p" ] && progs="$progs $p" ;; esac
done
for pol in none mdwe mdwe-shared-exec; do
	for p in $progs; do
		one "$pol" "$p" 1
		n=ffi-$pol/${p##*/}
		case $rc in
		0) report "PASS $n" ;;
		77) report "SKIP $n: $why" ;;
		*) report "FAIL $n: $why" ;;
		esac
	done
done
for p in $progs; do
	case "$p" in "$B"/*) continue ;; esac	# linked with the provider
	one mdwe-shared-exec "$p" 0
	n=ffi-stock-mdwe-shared-exec/${p##*/}
	case $rc in
	0) report "FAIL $n: stock libffi passes: the policy is not in force" ;;
	77) report "SKIP $n: $why" ;;
	*) report "PASS $n: stock libffi fails as expected: ${why:-exit $rc}" ;;
	esac
done
exit 0
