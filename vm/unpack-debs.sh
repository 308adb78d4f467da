#!/bin/sh
# SPDX-License-Identifier: MIT
# unpack-debs.sh DIR PACKAGE...
# Downloads the packages with apt-get and unpacks them all into DIR (made
# anew), installing nothing: the fetch scripts' common step.
set -eu
dir=${1:?usage: unpack-debs.sh DIR PACKAGE...}
shift
dl=$(mktemp -d "${TMPDIR:-/tmp}/trampfd-debs.XXXXXX")
trap 'rm -rf "$dl"' EXIT
chmod 755 "$dl"	# apt's download user writes here
if ! (cd "$dl" && apt-get download -q "$@" >"$dl/log" 2>&1); then
	cat "$dl/log" >&2
	echo "unpack-debs: apt-get download $* failed (apt sources, arm64 architecture, apt-get update?)" >&2
	exit 1
fi
rm -rf "$dir"
mkdir -p "$dir"
for f in "$dl"/*.deb; do
	dpkg-deb -x "$f" "$dir"
done
