#!/bin/sh
# SPDX-License-Identifier: MIT
# summary.sh RESULTS: counts the runner's lines; the last line is exactly
# "N passed, N failed, N skipped". Exit 1 on any FAIL or no results.
f=$1
if [ -z "$f" ] || [ ! -s "$f" ]; then
	echo "no results in '${f}'"
	echo "0 passed, 0 failed, 0 skipped"
	exit 1
fi
grep '^FAIL ' "$f"
# Per cell: "cell: N passed, N failed, N skipped".
for c in $(awk '/^(PASS|FAIL|SKIP) /{split($2, a, "/"); print a[1]}' "$f" | sort -u); do
	p=$(grep -c "^PASS $c/" "$f")
	x=$(grep -c "^FAIL $c/" "$f")
	s=$(grep -c "^SKIP $c/" "$f")
	echo "$c: $p passed, $x failed, $s skipped"
done
p=$(grep -c '^PASS ' "$f")
x=$(grep -c '^FAIL ' "$f")
s=$(grep -c '^SKIP ' "$f")
echo "$p passed, $x failed, $s skipped"
[ "$x" -eq 0 ] && [ $((p + x + s)) -gt 0 ]
