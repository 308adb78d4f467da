#!/bin/sh
# SPDX-License-Identifier: MIT
# Adds to apt's sources what the tests download: bookworm-backports (the
# 6.12 kernels; apt never prefers backports on its own) and deb-src for the
# source packages the client tests build from (libffi). The archive's
# address is the one this machine's sources already use for Debian's main
# suite, so a machine with another mirror keeps it. Idempotent.
# apt-sources.sh [ROOT]: ROOT (default /) holds etc/apt; test/setup/
# apt-sources.sh runs it on made-up trees.
set -eu
apt=${1:-}/etc/apt
out=$apt/sources.list.d/trampfd.sources
# deb822 files first (Debian 12's default), then one-line sources.
uri=$(awk 'BEGIN{RS="";FS="\n"}
	/Suites:[^\n]*bookworm([ \n]|$)/ && /Types:[^\n]*[ \t]deb([ \t\n]|$)/ {
		for (i = 1; i <= NF; i++) if ($i ~ /^URIs:/) { split($i, a, " "); print a[2]; exit } }' \
	"$apt"/sources.list.d/*.sources 2>/dev/null | head -n1)
if [ -z "$uri" ]; then
	uri=$(cat "$apt"/sources.list "$apt"/sources.list.d/*.list 2>/dev/null |
		awk '$1 == "deb" && $0 ~ / bookworm / { for (i = 2; i <= NF; i++) if ($i ~ /:\/\//) { print $i; exit } }' |
		head -n1)
fi
if [ -z "$uri" ]; then
	echo "apt-sources.sh: no bookworm entry in apt's sources to derive the archive from" >&2
	exit 1
fi
rm -f "$apt"/sources.list.d/trampfd-backports.list
cat >"$out" <<EOT
# Written by trampfd's .ci/apt-sources.sh from this machine's own sources.
Types: deb
URIs: $uri
Suites: bookworm-backports
Components: main
Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg

Types: deb-src
URIs: $uri
Suites: bookworm
Components: main
Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg
EOT
echo "apt-sources.sh: backports and deb-src from $uri"
