#!/bin/sh
# SPDX-License-Identifier: MIT
# arm64-fetch.sh DIR
# Downloads Debian's arm64 kernel, its headers and busybox-static (arm64)
# and unpacks them into DIR, for the arm64 guest (mk/kernel-arm64.mk).
# Nothing is installed: linux-kbuild-6.1:arm64 would conflict with the
# amd64 one. The headers' scripts/ and tools/ point at the installed
# (amd64) linux-kbuild-6.1, whose host tools serve a cross build, and at
# the installed linux-headers-*-common: both must be of the same version
# as the arm64 headers, so the ABI (6.1.0-N) is the installed amd64
# headers'. Needs "dpkg --add-architecture arm64 && apt-get update".
# Leaves DIR/abi with N-arm64 when done; an up-to-date DIR is kept.
set -eu
dir=${1:?usage: arm64-fetch.sh DIR}

abi=$(dpkg-query -W -f '${db:Status-Abbrev} ${Package}\n' 'linux-headers-*-amd64' 2>/dev/null |
	sed -n 's/^ii  *linux-headers-\([0-9.]*-[0-9]*\)-amd64$/\1/p' | sort -V | tail -n 1)
if [ -z "$abi" ]; then
	echo "arm64-fetch: no linux-headers-<abi>-amd64 installed (apt-get install linux-headers-amd64)" >&2
	exit 1
fi
kbuild=/usr/lib/linux-kbuild-${abi%%.0-*}
common=/usr/src/linux-headers-$abi-common
for d in "$kbuild" "$common"; do
	if [ ! -d "$d" ]; then
		echo "arm64-fetch: no $d (installed with linux-headers-$abi-amd64)" >&2
		exit 1
	fi
done
if [ "$(cat "$dir/abi" 2>/dev/null)" = "$abi-arm64" ]; then
	echo "arm64-fetch: $dir has $abi-arm64"
	exit 0
fi

sh "$(dirname "$0")/unpack-debs.sh" "$dir.new" \
	"linux-image-$abi-arm64:arm64" "linux-headers-$abi-arm64:arm64" busybox-static:arm64

# The guest loads no module but ours.
rm -rf "$dir.new/lib/modules/$abi-arm64/kernel"
rm -rf "$dir"
mv "$dir.new" "$dir"
# The packages' links are relative to / or absolute: point them at the
# installed kbuild and common headers, and at DIR.
hdr=$(cd "$dir" && pwd)/usr/src/linux-headers-$abi-arm64
for l in scripts tools; do
	ln -sfn "$kbuild/$l" "$hdr/$l"
done
ln -sfn "$hdr" "$dir/lib/modules/$abi-arm64/build"
ln -sfn "$common" "$dir/lib/modules/$abi-arm64/source"
echo "$abi-arm64" >"$dir/abi"
echo "arm64-fetch: $dir has $abi-arm64"
