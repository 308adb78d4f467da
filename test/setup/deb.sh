#!/bin/sh
# SPDX-License-Identifier: MIT
# deb.sh RESULTS B KVER: Debian packages as a Debian user gets them. Built
# by dpkg-buildpackage -b -us -uc in a clean clone of HEAD ($B/deb), checked
# by lintian (no error, no warning), installed into this system with dpkg
# -i (maintainer scripts included: ldconfig, man-db, DKMS building the
# module for the installed kernel KVER), used (debian/tests/pkg-config),
# their man pages rendered, then purged, leaving nothing behind. Installed
# for real, not under dpkg --root: what is tested is what a user's system
# runs, postinst and DKMS too; CI runs as root in a throwaway machine.
r=$1 b=$2 kver=$3
d=$b/deb
say() { echo "$1" | tee -a "$r"; }
for t in git dpkg-buildpackage dh dh_dkms lintian; do
	command -v $t >/dev/null || { say "SKIP deb/build: no $t (dpkg-dev debhelper dh-dkms lintian)"; exit 0; }
done
# Run through sudo, the tree is the user's: git refuses another user's
# repository unless the global configuration calls it safe.
if [ "$(stat -c %u .)" != "$(id -u)" ]; then
	mkdir -p "$b" && printf '[safe]\n\tdirectory = %s\n\tdirectory = %s/.git\n' "$PWD" "$PWD" >"$b/deb.gitconfig"
	GIT_CONFIG_GLOBAL=$(cd "$b" && pwd)/deb.gitconfig
	export GIT_CONFIG_GLOBAL
fi
git rev-parse --git-dir >/dev/null 2>&1 || { say "SKIP deb/build: the tree is not a git clone"; exit 0; }
if [ -n "$(git status --porcelain --untracked-files=no)" ]; then
	echo "deb: built from HEAD ($(git rev-parse --short HEAD)): uncommitted changes are not in the packages"
fi
rm -rf "$d" && mkdir -p "$d" && git clone -q "$PWD" "$d/trampfd" || { say "FAIL deb/build: git clone failed"; exit 0; }
if ! (cd "$d/trampfd" && DEB_BUILD_OPTIONS=parallel=2 timeout 900 dpkg-buildpackage -b -us -uc) \
	>"$d/build.log" 2>&1; then
	say "FAIL deb/build: dpkg-buildpackage failed: $(grep -m1 -iE 'error|fail' "$d/build.log")"
	exit 0
fi
say "PASS deb/build"

v=$(cd "$d/trampfd" && dpkg-parsechangelog -S Version)
mv=$(sed -n 's/^VERSION := //p' Makefile)
kv=$(sed -n 's/^PACKAGE_VERSION="\(.*\)"/\1/p' kernel/dkms.conf)
if [ "${v%%-*}" != "$mv" ] || [ "$kv" != "$mv" ]; then
	say "FAIL deb/version: debian/changelog has $v, dkms.conf $kv, the Makefile $mv"
else say "PASS deb/version"; fi

if timeout 300 lintian --fail-on error,warning "$d"/trampfd_*.changes >"$d/lintian.log" 2>&1; then
	say "PASS deb/lintian"
else say "FAIL deb/lintian: $(grep -m1 -E '^[EW]: ' "$d/lintian.log")"; fi

pkgs=$(sed -n 's/^Package: //p' "$d/trampfd/debian/control")
debs=$(ls "$d"/*_"$v"_*.deb | grep -v -- '-dbgsym_')
if [ "$(id -u)" != 0 ]; then say "SKIP deb/install: not root"; exit 0; fi
if dpkg-query -W -f '${Status}\n' $pkgs 2>/dev/null | grep -q ' installed$'; then
	say "SKIP deb/install: trampfd packages are already installed here; not replacing them"
	exit 0
fi
trap 'dpkg --purge $pkgs >>"$d/purge.log" 2>&1' EXIT
if ! timeout 300 dpkg -i $debs >"$d/install.log" 2>&1; then
	say "FAIL deb/install: dpkg -i failed: $(grep -m1 -iE 'error|depends' "$d/install.log")"
	exit 0
fi
say "PASS deb/install"
if (cd "$d/trampfd" && AUTOPKGTEST_TMP=$(pwd)/../use && mkdir -p "$AUTOPKGTEST_TMP" &&
	export AUTOPKGTEST_TMP && timeout 120 sh debian/tests/pkg-config) >"$d/use.log" 2>&1; then
	say "PASS deb/pkg-config"
else say "FAIL deb/pkg-config: $(tail -n 1 "$d/use.log")"; fi
sh test/setup/man.sh "$r" deb $(dpkg -L $pkgs | grep '/share/man/man./.')
if [ ! -d "/lib/modules/$kver/build" ]; then
	say "SKIP deb/dkms-postinst: no headers for $kver (linux-headers-amd64)"
elif dkms status -m trampfd -v "$mv" -k "$kver" | grep -q ': installed' &&
	[ -f "/lib/modules/$kver/updates/dkms/trampfd.ko" ]; then
	say "PASS deb/dkms-postinst"
else say "FAIL deb/dkms-postinst: installing trampfd-dkms did not build and install trampfd.ko for $kver"; fi

trap - EXIT
timeout 300 dpkg --purge $pkgs >"$d/purge.log" 2>&1
left=$(dpkg-query -W -f '${db:Status-Abbrev}${Package}\n' $pkgs 2>/dev/null | grep -v '^un')
ko=$(find /lib/modules/*/updates -name 'trampfd.ko*' 2>/dev/null | head -n 1)
if [ -n "$left" ] || [ -e "/usr/src/trampfd-$mv" ] || [ -n "$ko" ] || dkms status | grep -q '^trampfd'; then
	say "FAIL deb/purge: left behind: $left $ko $(dkms status | grep '^trampfd')"
else say "PASS deb/purge"; fi
