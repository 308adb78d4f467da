#!/bin/sh
# SPDX-License-Identifier: MIT
# mkinitramfs.sh OUT MODULE KTESTDIR SUITEDIR RUNNER MDWE_RUN BENCH
# Builds the guest's initramfs (cpio newc, gzip): busybox-static, the
# module, the statically linked test programs, the runner and vm/init.
# Missing suite pieces are left out; the guest reports what it can run.
# Env: BUSYBOX, the static busybox of the guest's architecture (default
# /bin/busybox); UNITS, a directory of unit tests for /t/unit (none by
# default), which the guest runs once each as unit/NAME.
set -eu
out=$1 module=$2 ktests=$3 suite=$4 runner=$5 mdwe=$6 bench=$7
here=$(cd "$(dirname "$0")" && pwd)
root=$(mktemp -d "${TMPDIR:-/tmp}/trampfd-initrd.XXXXXX")
trap 'rm -rf "$root"' EXIT

mkdir -p "$root/bin" "$root/sbin" "$root/proc" "$root/sys" "$root/dev" \
	"$root/tmp" "$root/t/kernel" "$root/t/suite" "$root/t/bin"
cp "${BUSYBOX:-/bin/busybox}" "$root/bin/busybox"
cp "$here/init" "$root/init"
chmod 755 "$root/init"
cp "$module" "$root/t/trampfd.ko"
for f in "$ktests"/*; do
	[ -f "$f" ] && [ -x "$f" ] && cp "$f" "$root/t/kernel/"
done
if [ -d "$suite" ]; then
	for f in "$suite"/*; do
		[ -f "$f" ] && [ -x "$f" ] && cp "$f" "$root/t/suite/"
	done
fi
if [ -n "${UNITS:-}" ]; then
	mkdir -p "$root/t/unit"
	for f in "$UNITS"/*; do
		[ -f "$f" ] && [ -x "$f" ] && cp "$f" "$root/t/unit/"
	done
fi
[ -f "$runner" ] && cp "$runner" "$root/t/runner.sh"
[ -x "$mdwe" ] && cp "$mdwe" "$root/t/bin/mdwe-run"
[ -x "$bench" ] && cp "$bench" "$root/t/bin/vm_bench"
mkdir -p "$(dirname "$out")"
(cd "$root" && find . | cpio -o -H newc --quiet) | gzip -1 >"$out.tmp"
mv "$out.tmp" "$out"
