#!/bin/sh
# SPDX-License-Identifier: MIT
# k612-fetch.sh DIR
# Downloads Debian's newest 6.12 kernel from bookworm-backports (Debian
# 13's series; unlike 6.1 it has PR_SET_MDWE) for x86_64 and arm64: the
# images, the headers and the (amd64) kbuild tools, and unpacks them into
# DIR, for the 6.12 guests (mk/kernel-612.mk). Nothing is installed. Needs
# bookworm-backports in apt's sources, the arm64 architecture, and
# "apt-get update". Leaves DIR/abi with the kernel's ABI name when done;
# an up-to-date DIR is kept.
set -eu
dir=${1:?usage: k612-fetch.sh DIR}

ver=$(apt-cache madison linux-image-amd64 | awk -F' *[|] *' '$3 ~ /backports/ { print $2; exit }')
[ -n "$ver" ] || { echo "k612-fetch: no linux-image-amd64 in bookworm-backports (apt sources?)" >&2; exit 1; }
abi=$(apt-cache depends "linux-image-amd64=$ver" |
	sed -n 's/^ *Depends: linux-image-\(.*\)-amd64$/\1/p' | head -n 1)
[ -n "$abi" ] || { echo "k612-fetch: linux-image-amd64=$ver names no kernel" >&2; exit 1; }
if [ "$(cat "$dir/abi" 2>/dev/null)" = "$abi" ]; then
	echo "k612-fetch: $dir has $abi"
	exit 0
fi

sh "$(dirname "$0")/unpack-debs.sh" "$dir.new" \
	"linux-image-$abi-amd64" "linux-image-$abi-arm64:arm64" "linux-headers-$abi-amd64" \
	"linux-headers-$abi-arm64:arm64" "linux-headers-$abi-common" "linux-kbuild-$abi"
# Only the images and the headers are needed: no modules, no firmware.
rm -rf "$dir.new/lib" "$dir.new/usr/lib/linux" "$dir.new/usr/lib/linux-image-"* "$dir.new/usr/share"
rm -rf "$dir"
mv "$dir.new" "$dir"
# The headers include the common part by absolute path: make it DIR's.
root=$(cd "$dir" && pwd)
for a in amd64 arm64; do
	sed -i "s#/usr/src/#$root/usr/src/#" "$root/usr/src/linux-headers-$abi-$a/Makefile"
done
echo "$abi" >"$dir/abi"
echo "k612-fetch: $dir has $abi"
