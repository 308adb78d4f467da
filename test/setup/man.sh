#!/bin/sh
# SPDX-License-Identifier: MIT
# man.sh RESULTS LABEL PAGE...: every page renders with "man -l", all of
# groff's warnings on, to a non-empty page and without one warning or
# error (a .so request that cannot be followed from where the page is, an
# undefined macro, ...). One line: PASS/FAIL man/LABEL.
r=$1 label=$2
shift 2
tmp=$(mktemp -d) || exit 1
trap 'rm -rf "$tmp"' EXIT
bad= n=0
for p; do
	n=$((n + 1))
	LC_ALL=C.UTF-8 MANWIDTH=80 man --warnings=w -l "$p" >"$tmp/out" 2>"$tmp/err"
	if [ -s "$tmp/err" ] || [ ! -s "$tmp/out" ]; then
		bad="$bad ${p##*/} ($(head -n 1 "$tmp/err"))"
	fi
done
if [ "$n" = 0 ]; then echo "FAIL man/$label: no pages" | tee -a "$r"
elif [ -n "$bad" ]; then echo "FAIL man/$label: did not render cleanly:$bad" | tee -a "$r"
else echo "PASS man/$label" | tee -a "$r"; fi
