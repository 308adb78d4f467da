#!/bin/sh
# SPDX-License-Identifier: MIT
# apt-sources.sh RESULTS: .ci/apt-sources.sh on made-up /etc/apt trees takes
# the archive this machine's sources use for bookworm, whatever the mirror
# and whichever format: deb822 with "Types: deb deb-src" after a security
# paragraph, one-line sources with options; it stays the same on a second
# run, and refuses a tree with no bookworm entry, writing nothing.
r=$1
tmp=$(mktemp -d) || exit 1
trap 'rm -rf "$tmp"' EXIT
bad=
# check NAME WANT-URI: both paragraphs written name WANT-URI, twice over.
check() {
	out=$tmp/$1/etc/apt/sources.list.d/trampfd.sources
	for run in 1 2; do
		if ! sh .ci/apt-sources.sh "$tmp/$1" >/dev/null 2>&1 ||
			[ "$(grep -c "^URIs: $2\$" "$out" 2>/dev/null)" != 2 ]; then
			bad="$bad $1(run $run: $(grep '^URIs' "$out" 2>/dev/null | tr '\n' ' '))"
			return
		fi
	done
}
mkdir -p "$tmp/deb822/etc/apt/sources.list.d" "$tmp/oneline/etc/apt/sources.list.d" \
	"$tmp/none/etc/apt/sources.list.d"
cat >"$tmp/deb822/etc/apt/sources.list.d/debian.sources" <<'EOT'
Types: deb
URIs: http://security.example.org/debian-security
Suites: bookworm-security
Components: main

Types: deb deb-src
URIs: http://mirror.example.org/debian
Suites: bookworm bookworm-updates
Components: main
EOT
check deb822 http://mirror.example.org/debian
cat >"$tmp/oneline/etc/apt/sources.list" <<'EOT'
deb http://security.example.org/debian-security bookworm-security main
deb [arch=amd64 signed-by=/usr/share/keyrings/debian-archive-keyring.gpg] http://ftp.example.net/debian/ bookworm main
EOT
check oneline http://ftp.example.net/debian/
echo "deb http://x.example/debian trixie main" >"$tmp/none/etc/apt/sources.list"
if sh .ci/apt-sources.sh "$tmp/none" >/dev/null 2>&1 ||
	[ -e "$tmp/none/etc/apt/sources.list.d/trampfd.sources" ]; then
	bad="$bad none(accepted)"
fi
if [ -n "$bad" ]; then echo "FAIL setup/apt-sources: wrong archive for:$bad" | tee -a "$r"
else echo "PASS setup/apt-sources" | tee -a "$r"; fi
