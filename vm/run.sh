#!/bin/sh
# SPDX-License-Identifier: MIT
# run.sh VMLINUZ INITRD MODE RESULTS TIMEOUT LOG
# Boots the guest under TCG (KVM hangs here), collects its "@@R " lines
# into RESULTS with a "vm/" prefix on the test names, and records a hung
# or crashed guest as a FAIL line. Never exits non-zero for a test result.
# Env: VM_SMP (vCPUs, default 2), VM_APPEND (more kernel arguments, e.g.
# trampfd.args=max_tables=10 for the module's parameters), VM_ARCH
# (x86_64, the default, or aarch64: QEMU's virt machine), VM_PREFIX (the
# prefix instead of "vm").
kernel=$1 initrd=$2 mode=$3 results=$4 tmo=$5 log=$6
prefix=${VM_PREFIX:-vm}
case ${VM_ARCH:-x86_64} in
x86_64) set -- qemu-system-x86_64 -accel tcg -cpu max; console=ttyS0 ;;
# pauth-impdef: TCG's pointer authentication is far cheaper than QARMA.
aarch64) set -- qemu-system-aarch64 -M virt -accel tcg -cpu max,pauth-impdef=on; console=ttyAMA0 ;;
*) echo "run.sh: VM_ARCH $VM_ARCH: x86_64 or aarch64" >&2; exit 2 ;;
esac
mkdir -p "$(dirname "$log")"
start=$(date +%s)
timeout -s KILL "$tmo" "$@" -m 1G -smp "${VM_SMP:-2}" \
	-nographic -no-reboot -monitor none -serial stdio \
	-kernel "$kernel" -initrd "$initrd" \
	-append "console=$console panic=-1 quiet trampfd.run=$mode $VM_APPEND" \
	</dev/null >"$log" 2>&1
rc=$?
secs=$(($(date +%s) - start))
tr -d '\r' <"$log" | sed -n "s/^.*@@R \\(PASS\\|FAIL\\|SKIP\\) /\\1 $prefix\\//p" >"$log.results"
if [ "$mode" = bench ]; then
	tr -d '\r' <"$log" | sed -n '/@@TRAMPFD-BEGIN@@/,/@@TRAMPFD-END@@/p' | grep -v '^@@R '
fi
if ! grep -q '@@TRAMPFD-END@@' "$log"; then
	if [ "$rc" = 137 ] || [ "$rc" = 124 ]; then
		why="guest timed out after ${tmo}s"
	else
		why="guest stopped early (qemu exit $rc)"
	fi
	last=$(tr -d '\r' <"$log" | grep -v '^ *$' | tail -n 1)
	echo "FAIL $prefix/guest: $why; last console line: $last (see $log)" >>"$log.results"
fi
cat "$log.results"
cat "$log.results" >>"$results"
echo "guest: $(grep -c . "$log.results") result lines in ${secs}s, console log in $log"
exit 0
