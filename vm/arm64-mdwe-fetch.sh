#!/bin/sh
# SPDX-License-Identifier: MIT
# arm64-mdwe-fetch.sh DIR
# Downloads the newest Debian arm64 kernel from bookworm-backports (6.12:
# it has PR_SET_MDWE, which bookworm's 6.1 predates) and unpacks its image
# into DIR/boot, for the aarch64 MDWE run (mk/kernel-arm64.mk). Nothing is
# installed. Needs bookworm-backports in apt's sources, the arm64
# architecture, and "apt-get update".
set -eu
dir=${1:?usage: arm64-mdwe-fetch.sh DIR}

ver=$(apt-cache madison linux-image-arm64:arm64 | awk -F' *[|] *' '$3 ~ /backports/ { print $2; exit }')
if [ -z "$ver" ]; then
	echo "arm64-mdwe-fetch: no linux-image-arm64:arm64 in bookworm-backports (apt sources?)" >&2
	exit 1
fi
pkg=$(apt-cache depends "linux-image-arm64:arm64=$ver" |
	sed -n 's/^ *Depends: \(linux-image-[^:]*\)\(:arm64\)\{0,1\}$/\1/p' | head -n 1)
if [ -z "$pkg" ]; then
	echo "arm64-mdwe-fetch: linux-image-arm64:arm64=$ver names no kernel package" >&2
	exit 1
fi
if [ "$(cat "$dir/pkg" 2>/dev/null)" = "$pkg" ]; then
	echo "arm64-mdwe-fetch: $dir has $pkg"
	exit 0
fi
dl=$(mktemp -d "${TMPDIR:-/tmp}/trampfd-arm64-mdwe.XXXXXX")
trap 'rm -rf "$dl"' EXIT
chmod 755 "$dl"	# apt's download user writes here
if ! (cd "$dl" && apt-get download -q "$pkg:arm64" >"$dl/log" 2>&1); then
	cat "$dl/log" >&2
	echo "arm64-mdwe-fetch: apt-get download $pkg:arm64 failed" >&2
	exit 1
fi
rm -rf "$dir"
mkdir -p "$dir"
dpkg-deb --fsys-tarfile "$dl"/*.deb | tar -x -C "$dir" --wildcards './boot/vmlinuz-*'
echo "$pkg" >"$dir/pkg"
echo "arm64-mdwe-fetch: $dir has $pkg"
