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
# thread=single: with one host thread per vCPU, a vCPU can run a stale
# translation of kernel text that another vCPU has just patched with
# text_poke_bp, take an int3 the kernel no longer expects, and panic (seen
# once in about 40 boots of Debian's 6.12 at "sched_clock: Marking stable").
x86_64) set -- qemu-system-x86_64 -accel tcg,thread=single -cpu max; console=ttyS0 ;;
# pauth-impdef: TCG's pointer authentication is far cheaper than QARMA.
aarch64) set -- qemu-system-aarch64 -M virt -accel tcg -cpu max,pauth-impdef=on; console=ttyAMA0 ;;
*) echo "run.sh: VM_ARCH $VM_ARCH: x86_64 or aarch64" >&2; exit 2 ;;
esac
mkdir -p "$(dirname "$log")"
start=$(date +%s)
boot() {
	timeout -s KILL "$tmo" "$@" -m 1G -smp "${VM_SMP:-2}" \
		-nographic -no-reboot -monitor none -serial stdio \
		-kernel "$kernel" -initrd "$initrd" \
		-append "console=$console panic=-1 quiet trampfd.run=$mode $VM_APPEND" \
		</dev/null >"$log" 2>&1
}
# What a dead guest said last: its panic's reason if it panicked.
last_words() {
	tr -d '\r' <"$1" | grep -v '^ *$' | grep -m 1 'Kernel panic' ||
		tr -d '\r' <"$1" | grep -v '^ *$' | tail -n 1
}
boot "$@"
rc=$?
# A guest that died before its init ran had not loaded trampfd.ko or run
# a test: the emulator or the boot failed, not the project. Boot it once
# more, and say so; a second such death is a FAIL line below.
if [ "$rc" != 137 ] && ! grep -q '@@TRAMPFD-BEGIN@@' "$log"; then
	mv "$log" "$log.boot1"
	echo "guest: died before init ($(last_words "$log.boot1")); booting again, first log in $log.boot1"
	boot "$@"
	rc=$?
fi
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
	echo "FAIL $prefix/guest: $why; last console line: $(last_words "$log") (see $log)" >>"$log.results"
fi
cat "$log.results"
cat "$log.results" >>"$results"
echo "guest: $(grep -c . "$log.results") result lines in ${secs}s, console log in $log"
exit 0
