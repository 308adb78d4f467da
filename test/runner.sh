#!/bin/sh
# SPDX-License-Identifier: MIT
# runner.sh CELL [--mdwe]: runs every test program of $TRAMPFD_TESTDIR
# (default build/test) with TRAMPFD_CELL=CELL, one line per test:
#   PASS cell/test | FAIL cell/test: reason | SKIP cell/test: reason
# ("mdwe-cell" under --mdwe), also appended to $TRAMPFD_RESULTS if set.
# A test exits 0 (pass: only after printing "trampfd-test: done", so an
# exit(0) half-way is a failure), 77 (skip) or anything else (fail); the
# reason is the last line of its stderr. POSIX sh: it also runs under busybox.
# Env: TRAMPFD_TIMEOUT (s, default 60), TRAMPFD_MDWE_RUN (the wrapper),
# TRAMPFD_VERBOSE=1 (show a failing test's whole stderr), TRAMPFD_KLOG=0,
# TRAMPFD_EMU (a user-mode emulator that runs each program, mdwe-run
# included, e.g. qemu-aarch64-static; the tests see it too, to re-exec
# themselves), TRAMPFD_PREFIX (put in front of the cell in every line,
# e.g. "aarch64-": "PASS aarch64-mdwe-user-fault/fork").

usage() { echo "usage: $0 user-fault|user-code|kernel-fault|kernel-code [--mdwe]" >&2; exit 2; }

cell=$1
case "$cell" in
user-fault|user-code|kernel-fault|kernel-code|default) ;;
*) usage ;;
esac
mdwe=
case "$2" in
"") ;;
--mdwe) mdwe=1 ;;
*) usage ;;
esac

dir=${TRAMPFD_TESTDIR:-build/test}
tmo=${TRAMPFD_TIMEOUT:-60}
emu=$TRAMPFD_EMU
if [ -n "$emu" ]; then export TRAMPFD_EMU; fi
label=$TRAMPFD_PREFIX$cell
wrap=
if [ -n "$mdwe" ]; then
	label=${TRAMPFD_PREFIX}mdwe-$cell
	wrap=${TRAMPFD_MDWE_RUN:-$dir/../test-bin/mdwe-run}
	if [ ! -x "$wrap" ]; then
		wrap=$(command -v mdwe-run 2>/dev/null)
	fi
fi

tmp=${TMPDIR:-/tmp}/trampfd-runner.$$
mkdir -p "$tmp" || exit 2
trap 'rm -rf "$tmp"' EXIT INT TERM

# Kernel log lines that fail a test, as liburing's runner does; "traps:"
# lines are some user process's crash, not the kernel's (TRAMPFD_KLOG=0:
# no kernel log check at all).
kbad='BUG:|WARNING:|Oops|general protection fault.*\[#|Call Trace'
dmesg_ok=
if [ "${TRAMPFD_KLOG:-1}" != 0 ] && dmesg >/dev/null 2>&1; then
	dmesg_ok=1
fi

report() {
	echo "$1"
	if [ -n "$TRAMPFD_RESULTS" ]; then
		echo "$1" >>"$TRAMPFD_RESULTS"
	fi
}

lastline() {
	grep -v '^[[:space:]]*$' "$1" 2>/dev/null | tail -n 1
}

found=
for t in "$dir"/*; do
	[ -f "$t" ] && [ -x "$t" ] || continue
	found=1
	name=${t##*/}
	if [ -n "$mdwe" ] && [ -z "$wrap" ]; then
		report "FAIL $label/$name: mdwe-run not found (set TRAMPFD_MDWE_RUN)"
		continue
	fi
	before=0
	if [ -n "$dmesg_ok" ]; then
		before=$(dmesg 2>/dev/null | wc -l)
	fi
	start=$(date +%s)
	TRAMPFD_CELL=$cell timeout "$tmo" $emu $wrap "$t" >"$tmp/out" 2>"$tmp/err" </dev/null
	rc=$?
	end=$(date +%s)
	why=$(lastline "$tmp/err")
	kmsg=
	if [ -n "$dmesg_ok" ]; then
		kmsg=$(dmesg 2>/dev/null | tail -n +"$((before + 1))" | grep -v 'traps:' | grep -E "$kbad" | head -n 1)
	fi
	if [ "$rc" = 124 ] || { [ "$rc" = 143 ] && [ $((end - start)) -ge "$tmo" ]; }; then
		line="FAIL $label/$name: timed out after ${tmo}s${why:+ (last: $why)}"
	elif [ -n "$kmsg" ]; then
		line="FAIL $label/$name: kernel log: $kmsg"
	elif [ "$rc" = 0 ] && grep -q "^trampfd-test: done\$" "$tmp/out"; then
		line="PASS $label/$name"
	elif [ "$rc" = 0 ]; then
		line="FAIL $label/$name: exit 0 before the test's end${why:+ (last: $why)}"
	elif [ "$rc" = 77 ]; then
		line="SKIP $label/$name: ${why:-no reason given}"
	elif [ "$rc" -gt 128 ]; then
		line="FAIL $label/$name: killed by signal $((rc - 128))${why:+: $why}"
	else
		line="FAIL $label/$name: ${why:-exit status $rc}"
	fi
	report "$line"
	case "$line" in
	FAIL*)
		if [ "$TRAMPFD_VERBOSE" = 1 ]; then
			sed 's/^/    /' "$tmp/err"
		fi ;;
	PASS*)
		# What a test chose not to assert stays visible (console only).
		grep '^note: ' "$tmp/err" | sed 's/^/    /' ;;
	esac
done
if [ -z "$found" ]; then
	report "FAIL $label/runner: no test programs in $dir"
fi
exit 0
