#!/bin/sh
# SPDX-License-Identifier: MIT
# trixie-chroot.sh DIR: a Debian 13 chroot with gcc 14 in DIR, for the
# heap-ABI tests (gcc 14's -ftrampoline-impl=heap; Debian 12 has gcc 12).
# A chroot that already answers `gcc-14 --version` is kept. The archive is
# the one apt's sources use for Debian 12. Needs root and debootstrap.
set -eu
dir=${1:?usage: trixie-chroot.sh DIR}
if [ -x "$dir/usr/bin/gcc-14" ] && chroot "$dir" gcc-14 --version >/dev/null 2>&1; then
	echo "trixie-chroot.sh: $dir is ready"
	exit 0
fi
uri=$(grep -hoE 'https?://[^ ]*/debian/?( |$)' /etc/apt/sources.list /etc/apt/sources.list.d/*.sources \
	/etc/apt/sources.list.d/*.list 2>/dev/null | head -n1 | tr -d ' ')
uri=${uri:-http://deb.debian.org/debian}
rm -rf "$dir.tmp"
timeout 900 debootstrap --variant=minbase --include=gcc-14,libc6-dev,make \
	trixie "$dir.tmp" "$uri" >"${TMPDIR:-/tmp}/trixie-debootstrap.log" 2>&1 || {
	tail -n 5 "${TMPDIR:-/tmp}/trixie-debootstrap.log" >&2
	rm -rf "$dir.tmp"
	exit 1
}
rm -rf "$dir"
mv "$dir.tmp" "$dir"
echo "trixie-chroot.sh: built $dir from $uri"
