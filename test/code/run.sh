#!/bin/sh
# SPDX-License-Identifier: MIT
# Unit tests and measurements of the user-code cell (any arch), against the
# static library, by hand: sh test/code/run.sh [build-dir]. Exit 1 if a
# check fails. make check runs the unit tests (forms, fastrace) on their
# own: mk/code-unit.mk.
b=${1:-build}
set -e
for t in forms fastrace grace bench big churn2; do
	gcc -O2 -Iinclude -o "$b/uc-$t" "test/code/$t.c" "$b/libtrampfd.a" -pthread -static
done
fail=0
"$b/uc-forms" || fail=1
"$b/uc-fastrace" || fail=1
"$b/uc-grace" 1 0
"$b/uc-grace" 1 1
"$b/uc-bench" 20000000
"$b/uc-bench" 20000000 fastwrite | tail -n 2
"$b/uc-big" 20
"$b/uc-churn2"
exit $fail
