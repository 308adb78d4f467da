#!/bin/sh
# SPDX-License-Identifier: MIT
# ldconfig.sh RESULTS B: "make install" as a user meets it. Into a
# private prefix ($B/private): the rpath note is printed and trampfd.pc
# carries the rpath, so a program built with pkg-config runs with no
# LD_LIBRARY_PATH. As root into /usr/local (a directory ld.so searches):
# ldconfig ran, so a program linked with plain -ltrampfd runs; "make
# uninstall" removes it all again.
r=$1 b=$2
cc=${CC:-cc}
say() { echo "$1" | tee -a "$r"; }
priv=$(pwd)/$b/private
rm -rf "$priv"
make --no-print-directory -s install PREFIX="$priv" >"$b/ldconfig-private.log" 2>&1
pc="env PKG_CONFIG_PATH=$priv/lib/pkgconfig pkg-config"
if ! grep -q "not in the dynamic linker's search path" "$b/ldconfig-private.log"; then
	say "FAIL setup/install-private: no rpath note from make install PREFIX=$priv"
elif ! $cc -o "$b/ldconfig-private" examples/table.c $($pc --cflags --libs trampfd) ||
	! env -u LD_LIBRARY_PATH "$b/ldconfig-private" >/dev/null; then
	say "FAIL setup/install-private: a pkg-config build does not run from $priv/lib"
elif ! readelf -d "$b/ldconfig-private" | grep -q "R.*PATH.*\[$priv/lib\]"; then
	say "FAIL setup/install-private: the program has no rpath to $priv/lib"
else say "PASS setup/install-private"; fi

lib=/usr/local/lib/libtrampfd.so.0
if [ "$(id -u)" != 0 ]; then
	say "SKIP setup/install-ldconfig: not root (installs into /usr/local)"
	exit 0
elif [ -e "$lib" ]; then
	say "SKIP setup/install-ldconfig: $lib is already installed; not replacing it"
	exit 0
fi
make --no-print-directory -s install PREFIX=/usr/local >"$b/ldconfig-system.log" 2>&1
ok=
if ! ldconfig -p | grep -q "libtrampfd.so.0 .*=> $lib\$"; then
	say "FAIL setup/install-ldconfig: ldconfig's cache has no $lib after make install"
elif grep -q rpath /usr/local/lib/pkgconfig/trampfd.pc; then
	say "FAIL setup/install-ldconfig: trampfd.pc in /usr/local has an rpath"
elif ! $cc -o "$b/ldconfig-system" examples/table.c -ltrampfd ||
	! env -u LD_LIBRARY_PATH "$b/ldconfig-system" >/dev/null; then
	say "FAIL setup/install-ldconfig: a program linked with -ltrampfd does not run"
else ok=1; fi
make --no-print-directory -s uninstall PREFIX=/usr/local >>"$b/ldconfig-system.log" 2>&1
left=$(find /usr/local -name '*trampfd*' | head -n 3)
if [ -n "$left" ] || ldconfig -p | grep -q libtrampfd; then
	say "FAIL setup/install-ldconfig: make uninstall left $left $(ldconfig -p | grep libtrampfd)"
elif [ -n "$ok" ]; then say "PASS setup/install-ldconfig"; fi
