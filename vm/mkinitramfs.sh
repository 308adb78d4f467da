#!/bin/sh
# SPDX-License-Identifier: MIT
# mkinitramfs.sh OUT MODULE KTESTDIR SUITEDIR RUNNER MDWE_RUN BENCH
# Builds the guest's initramfs (cpio newc, gzip): busybox-static, the
# module, the statically linked test programs, the runner and vm/init.
# Missing suite pieces are left out; the guest reports what it can run.
# Env: BUSYBOX, the static busybox of the guest's architecture (default
# /bin/busybox); UNITS, a directory of unit tests for /t/unit (none by
# default), which the guest runs once each as unit/NAME; EXTRA, a directory
# whose subdirectories go to /t/extra (the guest runs each one's run.sh).
set -eu
out=$1 module=$2 ktests=$3 suite=$4 runner=$5 mdwe=$6 bench=$7
here=$(cd "$(dirname "$0")" && pwd)
root=$(mktemp -d "${TMPDIR:-/tmp}/trampfd-initrd.XXXXXX")
trap 'rm -rf "$root"' EXIT

# The executables in directory $1, if any, into $root/$2.
exes() {
	mkdir -p "$root/$2"
	for f in "$1"/*; do
		if [ -f "$f" ] && [ -x "$f" ]; then cp "$f" "$root/$2/"; fi
	done
}

mkdir -p "$root/bin" "$root/sbin" "$root/proc" "$root/sys" "$root/dev" \
	"$root/tmp" "$root/t/bin"
cp "${BUSYBOX:-/bin/busybox}" "$root/bin/busybox"
cp "$here/init" "$root/init"
chmod 755 "$root/init"
cp "$module" "$root/t/trampfd.ko"
exes "$ktests" t/kernel
exes "$suite" t/suite
if [ -n "${UNITS:-}" ]; then exes "$UNITS" t/unit; fi
[ -f "$runner" ] && cp "$runner" "$root/t/runner.sh"
[ -x "$mdwe" ] && cp "$mdwe" "$root/t/bin/mdwe-run"
[ -x "$bench" ] && cp "$bench" "$root/t/bin/vm_bench"
if [ -n "${EXTRA:-}" ]; then mkdir -p "$root/t/extra" && cp -a "$EXTRA"/. "$root/t/extra/"; fi
mkdir -p "$(dirname "$out")"
(cd "$root" && find . | cpio -o -H newc --quiet) | gzip -1 >"$out.tmp"
mv "$out.tmp" "$out"
