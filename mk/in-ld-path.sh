#!/bin/sh
# SPDX-License-Identifier: MIT
# in-ld-path.sh DIR: exit 0 if the dynamic linker finds libraries in DIR
# without an rpath, that is DIR is one of ldconfig's directories (the
# built-in ones and /etc/ld.so.conf's). Compared by real path: on a
# merged-/usr system /lib/x86_64-linux-gnu is /usr/lib/x86_64-linux-gnu.
d=$(realpath -e "$1" 2>/dev/null) || exit 1
PATH=$PATH:/usr/sbin:/sbin
ldconfig -v -N -X 2>/dev/null | sed -n 's/^\([^[:space:]][^:]*\):.*/\1/p' | {
	while read -r p; do
		[ "$(realpath -e "$p" 2>/dev/null)" = "$d" ] && exit 0
	done
	exit 1
}
