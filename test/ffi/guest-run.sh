#!/bin/sh
# SPDX-License-Identifier: MIT
# In a guest with trampfd.ko loaded (vm/init runs /t/extra/*/run.sh): the
# closure tests and test/ffi programs of this bundle (mk/ffi.mk's
# ffi-guest-bundle) with libtrampfd-ffi preloaded, for each kernel cell,
# plain and under mdwe-run. The bundle carries its own dynamic loader and
# libraries (the initramfs has none). A closure test passes on exit 0 with
# exactly the output it printed on the host, where the dg-output judge
# (closures.py) passed it; a test/ffi program by the runner's done line.
# Lines: PASS|FAIL|SKIP ffi-[mdwe-]CELL/TEST[: reason]
d=$(cd "$(dirname "$0")" && pwd)
ld=$(ls "$d"/lib/ld-linux* | head -n 1)
# ld.so only warns about a preload it cannot find: then stock libffi would run.
if ! [ -f "$d/lib/libtrampfd-ffi.so.0" ] || ! [ -f "$d/lib/libtrampfd.so.0" ]; then
	echo "FAIL ffi/bundle: libtrampfd-ffi.so.0 or libtrampfd.so.0 missing from $d/lib"
	exit 0
fi
mdwe=/t/bin/mdwe-run
for cell in kernel-code kernel-fault; do
	for pol in none mdwe; do
		wrap=
		label=ffi-$cell
		if [ "$pol" = mdwe ]; then
			label=ffi-mdwe-$cell
			if ! [ -x "$mdwe" ] || ! "$mdwe" /bin/true 2>/dev/null; then
				echo "SKIP $label/all: no PR_SET_MDWE here (mdwe-run)"
				continue
			fi
			wrap=$mdwe
		fi
		for t in "$d"/bin/*; do
			n=${t##*/}
			TRAMPFD_CELL=$cell timeout 60 $wrap "$ld" --library-path "$d/lib" \
				--preload "$d/lib/libtrampfd-ffi.so.0" "$t" >/tmp/ffi.out 2>/tmp/ffi.err </dev/null
			rc=$?
			why=$(grep -v '^ *$' /tmp/ffi.err | tail -n 1)
			if [ -f "$d/expected/$n" ]; then
				if [ $rc = 0 ] && cmp -s /tmp/ffi.out "$d/expected/$n"; then
					echo "PASS $label/$n"
				elif [ "$n" = closure_loc_fn0 ] && { [ $rc = 134 ] || [ $rc = 139 ]; }; then
					echo "SKIP $label/$n: known limit: it compares the bytes at the code address with the writable closure (exit $rc)"
				elif [ $rc = 0 ]; then
					echo "FAIL $label/$n: output differs from the host's"
				else
					echo "FAIL $label/$n: exit $rc${why:+: $why}"
				fi
			elif [ $rc = 0 ] && grep -q '^trampfd-test: done$' /tmp/ffi.out; then
				echo "PASS $label/$n"
			elif [ $rc = 77 ]; then
				echo "SKIP $label/$n: ${why:-no reason}"
			else
				echo "FAIL $label/$n: exit $rc${why:+: $why}"
			fi
		done
	done
done
