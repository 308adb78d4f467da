#!/bin/sh
# SPDX-License-Identifier: MIT
# gcc-tests.sh: GCC's own nested-function run tests (gcc-12-source's
# testsuite) against libtrampfd-nested, each at -O0 and -O2. Per test:
#   ref   built with $NT_REF_LDFLAGS (an executable stack, or libgcc's
#         heap trampolines), run plain: the status to expect;
#   bare  built -z noexecstack, run without our library (under MDWE when
#         NT_BARE_MDWE=1): it must die where the test makes a trampoline,
#         so the test can fail; at -O0 every test makes one;
#   ours  the same with our library (NT_PRELOAD, or linked through
#         NT_OURS_LDFLAGS), plain and under MDWE: must end as ref did.
# Lines "PASS $NT_LABEL/name-O0: ..." and "$NT_LABEL-mdwe/...", also
# appended to $NT_RESULTS. A line's detail says what bare did.
# Env: NT_CC, NT_SRC (gcc/testsuite), NT_OUT, NT_LABEL, NT_RESULTS,
# NT_CFLAGS, NT_REF_LDFLAGS, NT_OURS_LDFLAGS, NT_PRELOAD, NT_BARE_MDWE,
# NT_EMU (emulator to run programs with), NT_MDWE (mdwe-run; empty: the
# MDWE runs are one SKIP line, NT_MDWE_WHY its reason), NT_TIMEOUT (s).
set -u
tests="gcc.c-torture/execute/20000822-1 gcc.c-torture/execute/921215-1
gcc.c-torture/execute/931002-1 gcc.c-torture/execute/nestfunc-1
gcc.c-torture/execute/nestfunc-2 gcc.c-torture/execute/nestfunc-3
gcc.c-torture/execute/nestfunc-5 gcc.c-torture/execute/nestfunc-6
gcc.dg/trampoline-1 gcc.dg/torture/pr86389 gcc.dg/torture/stackalign/nested-5
gcc.dg/torture/stackalign/nested-6 gcc.dg/hwasan/nested-functions-0
gcc.dg/hwasan/nested-functions-1 gcc.dg/hwasan/nested-functions-2"
tmo=${NT_TIMEOUT:-20}
emu=${NT_EMU:-}
out=$NT_OUT
mkdir -p "$out"

report() {
	echo "$1"
	if [ -n "${NT_RESULTS:-}" ]; then echo "$1" >>"$NT_RESULTS"; fi
}

# status CMD...: runs it bounded, prints its exit status (128+N: signal N).
status() {
	timeout "$tmo" "$@" >/dev/null 2>&1 </dev/null
	echo $?
}

what() {
	case $1 in
	0) echo "exit 0" ;;
	124) echo "timed out after ${tmo}s" ;;
	13[4-9]|1[4-9][0-9]) echo "signal $(($1 - 128))" ;;
	*) echo "exit $1" ;;
	esac
}

if [ -z "${NT_MDWE:-}" ]; then
	report "SKIP $NT_LABEL-mdwe/all: ${NT_MDWE_WHY:-no mdwe-run}"
fi
for t in $tests; do
	src=$NT_SRC/$t.c
	n=${t##*/}
	for o in -O0 -O2; do
		b=$out/$n$o
		if ! $NT_CC $o -w $NT_CFLAGS $NT_REF_LDFLAGS -o "$b.ref" "$src" 2>"$b.log" ||
		   ! $NT_CC $o -w $NT_CFLAGS -Wl,-z,noexecstack -o "$b.bare" "$src" 2>>"$b.log" ||
		   ! $NT_CC $o -w $NT_CFLAGS -Wl,-z,noexecstack -o "$b" "$src" $NT_OURS_LDFLAGS 2>>"$b.log"; then
			report "FAIL $NT_LABEL/$n$o: build: $(tail -n 1 "$b.log")"
			continue
		fi
		ref=$(status $emu "$b.ref")
		if [ "${NT_BARE_MDWE:-}" = 1 ] && [ -n "${NT_MDWE:-}" ]; then
			bare=$(status $emu $NT_MDWE "$b.bare")
		else
			bare=$(status $emu "$b.bare")
		fi
		if [ "$bare" = "$ref" ]; then
			made="no trampoline at $o (runs without the library too)"
		else
			made="without the library: $(what "$bare")"
		fi
		pre=
		if [ -n "${NT_PRELOAD:-}" ]; then pre="env LD_PRELOAD=$NT_PRELOAD"; fi
		got=$(status $pre $emu "$b")
		if [ "$ref" != 0 ]; then
			report "FAIL $NT_LABEL/$n$o: the reference run failed: $(what "$ref")"
		elif [ "$bare" = "$ref" ] && [ "$o" = -O0 ]; then
			report "FAIL $NT_LABEL/$n$o: made no trampoline at -O0: this run proves nothing"
		elif [ "$got" = "$ref" ]; then
			report "PASS $NT_LABEL/$n$o: $(what "$got") as with ref; $made"
		else
			report "FAIL $NT_LABEL/$n$o: $(what "$got"), ref $(what "$ref")"
		fi
		if [ -n "${NT_MDWE:-}" ]; then
			got=$(status $pre $emu $NT_MDWE "$b")
			if [ "$got" = "$ref" ]; then
				report "PASS $NT_LABEL-mdwe/$n$o: $(what "$got") as with ref"
			else
				report "FAIL $NT_LABEL-mdwe/$n$o: $(what "$got"), ref $(what "$ref")"
			fi
		fi
	done
done
exit 0
